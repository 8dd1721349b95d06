import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openObject } from "../../src/loader/object.js";
import { resolveKfuncCalls } from "../../src/loader/kfuncs.js";
import { BtfBuilder } from "../../src/loader/btf-builder.js";
import type { Btf } from "../../src/loader/btf.js";
import { LoaderError } from "../../src/errors.js";
import { PseudoCall } from "../../src/isa/opcode.js";
import { BpfObject } from "../../src/object/bpf-object.js";

// Calls of `extern ... __ksym` functions (kfuncs), resolved at load as libbpf does
// (bpf_object__resolve_ksym_func_btf_id): src_reg 2, imm = the kernel FUNC's BTF id, off 0.

const KF = readFileSync(fileURLToPath(new URL("../fixtures/object/kfuncs.o", import.meta.url)));
const KFUNC = PseudoCall.KFUNC;

/** A kernel BTF with the kfuncs the fixture calls (less `omit`), bpf_task_release taking `releaseArg`. */
function kernelBtf(omit: readonly string[] = [], releaseArg: "task" | "int" = "task"): { btf: Btf; ids: Map<string, number> } {
  const b = new BtfBuilder();
  const int = b.int("int", 4, 1);
  b.int("long", 8, 1); // shifts the ids away from the object's own
  const task = b.struct("task_struct", 8, [{ name: "pid", type: int, bitOffset: 0, bitfieldSize: 0 }, { name: "tgid", type: int, bitOffset: 32, bitfieldSize: 0 }]);
  const ptask = b.ptr(task);
  const ids = new Map<string, number>();
  const fn = (name: string, ret: number, params: Array<readonly [string, number]>): void => {
    if (!omit.includes(name)) ids.set(name, b.func(name, b.funcProto(ret, params), 1));
  };
  fn("bpf_rcu_read_lock", 0, []);
  fn("bpf_rcu_read_unlock", 0, []);
  fn("bpf_task_from_pid", ptask, [["pid", int]]);
  fn("bpf_task_release", 0, [["p", releaseArg === "task" ? ptask : int]]);
  fn("bpf_task_acquire", ptask, [["p", ptask]]);
  return { btf: b.build(), ids };
}

const callsOf = (insns: ReadonlyArray<{ code: number; src: number; imm: number; off: number }>) =>
  insns.flatMap((x, pc) => (x.code === 0x85 && x.src === KFUNC ? [{ pc, imm: x.imm, off: x.off }] : []));

describe("kfunc calls in an object", () => {
  it("are recorded at open, left as src_reg 2 with imm 0 until the load resolves them", () => {
    const spec = openObject(KF, { name: "kfuncs" });
    const p = spec.programs.find((x) => x.name === "tgid_of")!;
    expect(p.kfuncCalls).toEqual([
      { slot: 3, name: "bpf_rcu_read_lock" },
      { slot: 4, name: "bpf_rcu_read_unlock" },
      { slot: 6, name: "bpf_task_from_pid" },
      { slot: 19, name: "bpf_task_release" },
    ]);
    expect(callsOf(p.insns)).toEqual([3, 4, 6, 19].map((pc) => ({ pc, imm: 0, off: 0 })));
    expect(spec.kfuncs.get("bpf_task_acquire")?.weak).toBe(true);
    expect(spec.kfuncs.get("bpf_task_from_pid")?.weak).toBe(false);
  });

  it("resolve to the target BTF's FUNC ids (src_reg 2, off 0)", async () => {
    const { btf, ids } = kernelBtf();
    const obj = await BpfObject.open(KF, { targetBtf: btf });
    const insns = obj.coreApply(obj.program("tgid_of"));
    expect(callsOf(insns)).toEqual([
      { pc: 3, imm: ids.get("bpf_rcu_read_lock"), off: 0 },
      { pc: 4, imm: ids.get("bpf_rcu_read_unlock"), off: 0 },
      { pc: 6, imm: ids.get("bpf_task_from_pid"), off: 0 },
      { pc: 19, imm: ids.get("bpf_task_release"), off: 0 },
    ]);
  });

  it("a weak kfunc the kernel lacks stays src_reg 2 with imm 0 (libbpf: defaulting to zero); a weak one it has resolves", async () => {
    const { btf, ids } = kernelBtf();
    const obj = await BpfObject.open(KF, { targetBtf: btf });
    const insns = obj.coreApply(obj.program("weak_calls"));
    expect(callsOf(insns).map((c) => c.imm)).toEqual([
      ids.get("bpf_task_from_pid"), ids.get("bpf_task_acquire"), ids.get("bpf_task_release"), ids.get("bpf_task_release"), 0,
    ]);
  });

  it("a strong kfunc the kernel lacks is ESRCH with libbpf's message; the verify result says it", async () => {
    const { btf } = kernelBtf(["bpf_task_from_pid"]);
    const obj = await BpfObject.open(KF, { targetBtf: btf });
    const p = obj.program("tgid_of");
    let err: unknown;
    try {
      obj.coreApply(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoaderError);
    expect((err as LoaderError).code).toBe("ESRCH");
    expect((err as LoaderError).message).toBe("section .ksyms: extern (func ksym) 'bpf_task_from_pid': not found in kernel or module BTFs");
    const r = p.verify();
    expect([r.accepted, r.errno, r.error]).toEqual([false, 3, "extern resolution failed: section .ksyms: extern (func ksym) 'bpf_task_from_pid': not found in kernel or module BTFs"]);
  });

  it("an incompatible prototype is EINVAL naming both protos; for a weak kfunc it is left unresolved", async () => {
    const { btf, ids } = kernelBtf([], "int");
    const spec = openObject(KF);
    const local = spec.btf!;
    const p = spec.programs.find((x) => x.name === "tgid_of")!;
    const kproto = (btf.typeById(ids.get("bpf_task_release")!) as { type: number }).type;
    const lproto = spec.kfuncs.get("bpf_task_release")!.protoId;
    expect(() => resolveKfuncCalls(p.insns, p.kfuncCalls, spec.kfuncs, local, btf)).toThrow(
      `section .ksyms: extern (func ksym) 'bpf_task_release': func_proto [${lproto}] incompatible with vmlinux [${kproto}]`,
    );
    const weak = new Map([...spec.kfuncs].map(([k, v]) => [k, { ...v, weak: true }]));
    expect(callsOf(resolveKfuncCalls(p.insns, p.kfuncCalls, weak, local, btf)).find((c) => c.pc === 19)?.imm).toBe(0);
  });

  it("without a target BTF a strong kfunc cannot resolve: ESRCH naming it", async () => {
    const obj = await BpfObject.open(KF);
    expect(() => obj.coreApply(obj.program("tgid_of"))).toThrow(/extern \(func ksym\) 'bpf_rcu_read_lock': no kernel BTF to resolve it in/);
  });

  it("a BpfObject binds the machine's kfuncs (rcu lock/unlock) to the target BTF's ids; the task ones are the simulated kernel's", async () => {
    const { btf, ids } = kernelBtf();
    const obj = await BpfObject.open(KF, { targetBtf: btf });
    expect(new Map([...obj.kfuncs()].map(([id, k]) => [k.name, id]))).toEqual(new Map([
      ["bpf_rcu_read_lock", ids.get("bpf_rcu_read_lock")],
      ["bpf_rcu_read_unlock", ids.get("bpf_rcu_read_unlock")],
    ]));
    expect((await BpfObject.open(KF)).kfuncs().size).toBe(0);
  });

  it("a ___flavor suffix is dropped to look the kfunc up", () => {
    const { btf, ids } = kernelBtf();
    const spec = openObject(KF);
    const p = spec.programs.find((x) => x.name === "tgid_of")!;
    const flavored = new Map([["bpf_rcu_read_lock___v2", { ...spec.kfuncs.get("bpf_rcu_read_lock")!, name: "bpf_rcu_read_lock___v2" }]]);
    const out = resolveKfuncCalls(p.insns, [{ slot: 3, name: "bpf_rcu_read_lock___v2" }], flavored, spec.btf!, btf);
    expect(out[3]).toMatchObject({ src: KFUNC, imm: ids.get("bpf_rcu_read_lock"), off: 0 });
  });
});
