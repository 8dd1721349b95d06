// BPF_PROG_TYPE_TRACING against a small kernel BTF built here: the rules Linux 6.18 applies
// (btf_ctx_access, btf_struct_access, trust flags, kfunc references), with the kernel's text.
// The goldens recorded from the real kernel (tracing-golden.test.ts) check the same rules
// against vmlinux; these run everywhere.
import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { BtfBuilder } from "../../src/loader/btf-builder.js";
import { verify, type VerifyOptions } from "../../src/verifier/index.js";

function kernelBtf() {
  const b = new BtfBuilder();
  const int = b.int("int", 4, 1);
  const u64 = b.int("unsigned long long", 8);
  const uint = b.int("unsigned int", 4);
  const char = b.int("char", 1, 3);
  const bool = b.int("_Bool", 1, 4);
  const long = b.int("long", 8, 1);
  const task = b.reserve();
  const mm = b.struct("mm_struct", 8, [{ name: "total_vm", type: u64, bitOffset: 0 }]);
  const comm = b.array(char, 16, int);
  const taskPtr = b.ptr(task);
  b.set(task, {
    kind: "STRUCT", name: "task_struct", size: 48,
    members: [
      { name: "pid", type: int, bitOffset: 0, bitfieldSize: 0 },
      { name: "tgid", type: int, bitOffset: 32, bitfieldSize: 0 },
      { name: "comm", type: comm, bitOffset: 64, bitfieldSize: 0 },
      { name: "real_parent", type: taskPtr, bitOffset: 192, bitfieldSize: 0 },
      { name: "mm", type: b.ptr(mm), bitOffset: 256, bitfieldSize: 0 },
      { name: "flags", type: uint, bitOffset: 320, bitfieldSize: 4 },
    ],
  });
  // vmlinux lists the fields that keep their parent's trust in structs of its own BTF
  b.struct("task_struct__safe_rcu", 8, [{ name: "real_parent", type: taskPtr, bitOffset: 0 }]);
  b.typedef("btf_trace_sched_switch", b.ptr(b.funcProto(0, [["__data", b.ptr(0)], ["preempt", bool], ["prev", taskPtr], ["next", taskPtr]])));
  b.func("do_exit", b.funcProto(int, [["code", long], ["t", taskPtr]]));
  const seq = b.struct("seq_file", 8, [{ name: "size", type: u64, bitOffset: 0 }]);
  const meta = b.struct("bpf_iter_meta", 8, [{ name: "seq", type: b.ptr(seq), bitOffset: 0 }]);
  b.func("bpf_iter_task", b.funcProto(int, [["meta", b.ptr(meta)], ["task", taskPtr]]));
  const acquire = b.func("bpf_task_acquire", b.funcProto(taskPtr, [["p", taskPtr]]));
  const release = b.func("bpf_task_release", b.funcProto(0, [["p", taskPtr]]));
  b.declTag("bpf_kfunc", acquire);
  b.declTag("bpf_kfunc", release);
  return { btf: b.build(), acquire, release, task };
}
const K = kernelBtf();

function check(src: string, attach: { type: string; target: string }, extra: Partial<VerifyOptions> = {}) {
  return verify(assemble(src), { progType: "tracing", expectedAttachType: attach.type, attachTarget: attach.target, attachBtf: K.btf, license: "GPL", logLevel: 2, ...extra });
}
const TP = { type: "trace_raw_tp", target: "sched_switch" };
const FENTRY = { type: "trace_fentry", target: "do_exit" };
const ITER = { type: "trace_iter", target: "task" };

describe("tracing programs typed by their target's BTF", () => {
  it("types a tp_btf pointer argument as a trusted BTF pointer and logs it as Linux does", () => {
    const v = check("r1 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r1 + 4)\nexit", TP);
    expect(v.accepted).toBe(true);
    expect(v.log).toContain(`func 'sched_switch' arg1 has btf_id ${K.task} type STRUCT 'task_struct'\n1: R1=trusted_ptr_task_struct()\n`);
    // the load through it is a probe load for both engines
    expect(v.facts.insn[1]?.probeMem).toBe(true);
  });

  it("gives fentry arguments plain (untrusted-by-default) BTF pointers and fentry a [0, 0] return range", () => {
    const ok = check("r1 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r1 + 0)\nr0 = 0\nexit", FENTRY);
    expect(ok.log).toContain("R1=ptr_task_struct()");
    const bad = check("r0 = 1\nexit", FENTRY);
    expect(bad.error).toBe("At program exit the register R0 has smin=1 smax=1 should have been in [0, 0]");
  });

  it("walks pointer fields with the kernel's trust rules", () => {
    const v = check("r1 = *(u64 *)(r1 + 8)\nr2 = *(u64 *)(r1 + 24)\nr3 = *(u64 *)(r1 + 32)\nr0 = 0\nexit", TP);
    expect(v.accepted).toBe(true);
    expect(v.log).toContain("R2=rcu_ptr_task_struct()");
    expect(v.log).toContain("R3=untrusted_ptr_mm_struct()");
  });

  it.each([
    ["a store", "r1 = *(u64 *)(r1 + 8)\n*(u32 *)(r1 + 0) = 1\nr0 = 0\nexit", "only read is supported"],
    ["past the struct", "r1 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r1 + 100)\nexit", "access beyond struct task_struct at off 100 size 4"],
    ["past a member", "r1 = *(u64 *)(r1 + 8)\nr0 = *(u64 *)(r1 + 0)\nexit", "access beyond the end of member pid (mend:4) in struct task_struct with off 0 size 8"],
    ["a narrow pointer field", "r1 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r1 + 32)\nexit", "cannot access ptr member mm with moff 32 in struct task_struct with off 32 size 4"],
    ["a negative offset", "r1 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r1 - 8)\nexit", "R1 is ptr_task_struct invalid negative access: off=-8"],
    // sched_switch here has three arguments after __data: slot 3 is where a return value would be, slot 5 is past everything
    ["the slot after the last argument", "r0 = *(u64 *)(r1 + 24)\nexit", "func 'sched_switch' doesn't have 4-th argument"],
    ["a slot past the prototype", "r0 = *(u64 *)(r1 + 40)\nexit", "func 'sched_switch' doesn't have 6-th argument"],
    ["a pointer argument read narrow", "r0 = *(u32 *)(r1 + 8)\nexit", "func 'sched_switch' size 4 must be 8"],
    ["a misaligned argument", "r0 = *(u32 *)(r1 + 4)\nexit", "func 'sched_switch' offset 4 is not multiple of 8"],
  ])("refuses %s with Linux's message", (_what, src, message) => {
    const v = check(src, TP);
    expect(v.accepted).toBe(false);
    expect(v.errno).toBe(13);
    expect(v.log).toContain(`${message}\n`);
  });

  it("refuses a variable offset into a BTF pointer", () => {
    const v = check("r6 = *(u64 *)(r1 + 8)\ncall 7\nr0 &= 7\nr6 += r0\nr0 = *(u8 *)(r6 + 8)\nexit", TP);
    expect(v.error).toBe("R6 is ptr_task_struct invalid variable offset: off=8, var_off=(0x0; 0x7)");
  });

  it("reads a whole bitfield as a scalar", () => {
    expect(check("r1 = *(u64 *)(r1 + 8)\nr0 = *(u8 *)(r1 + 40)\nexit", TP).accepted).toBe(true);
  });

  it("makes iterator objects maybe-null until checked", () => {
    const unchecked = check("r1 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r1 + 0)\nr0 = 0\nexit", ITER);
    expect(unchecked.error).toBe("R1 invalid mem access 'trusted_ptr_or_null_'");
    const checked = check("r1 = *(u64 *)(r1 + 8)\nif r1 == 0 goto +1\nr0 = *(u32 *)(r1 + 0)\nr0 = 0\nexit", ITER);
    expect(checked.accepted).toBe(true);
    expect(check("r0 = 2\nexit", ITER).error).toBe("At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]");
  });

  it("resolves the target as libbpf does: ESRCH for one the kernel lacks, EINVAL without one", () => {
    const v = check("r0 = 0\nexit", { type: "trace_raw_tp", target: "no_such_tp" });
    expect([v.errno, v.error]).toEqual([3, "failed to find kernel BTF type ID of 'no_such_tp': -3"]);
    expect(check("r0 = 0\nexit", { type: "trace_fentry", target: "" }).error).toBe("Tracing programs must provide btf_id");
  });

  it("tracks references of acquiring kfuncs", () => {
    const acq = `call kernel-function#${K.acquire}`;
    const rel = `call kernel-function#${K.release}`;
    const leak = check(`r1 = *(u64 *)(r1 + 8)\n${acq}\nr0 = 0\nexit`, TP);
    expect(leak.log).toContain("R0=ptr_or_null_task_struct(id=1,ref_obj_id=1)");
    expect(leak.error).toBe("Unreleased reference id=1 alloc_insn=1");
    const ok = check(`r1 = *(u64 *)(r1 + 8)\n${acq}\nif r0 == 0 goto +2\nr1 = r0\n${rel}\nr0 = 0\nexit`, TP);
    expect(ok.accepted).toBe(true);
    const unref = check(`r1 = *(u64 *)(r1 + 8)\n${rel}\nr0 = 0\nexit`, TP);
    expect(unref.error).toBe("release kernel function bpf_task_release expects refcounted PTR_TO_BTF_ID");
    const unchecked = check(`r1 = *(u64 *)(r1 + 8)\n${acq}\nr1 = r0\n${rel}\nr0 = 0\nexit`, TP);
    expect(unchecked.error).toBe("Possibly NULL pointer passed to trusted arg0");
  });

  it("refuses kernel BTF access from a non-GPL program", () => {
    const v = check("r1 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r1 + 0)\nexit", TP, { license: "Proprietary" });
    expect(v.error).toBe("Cannot access kernel 'struct task_struct' from non-GPL compatible program");
  });
});
