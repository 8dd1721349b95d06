// kprobe / kretprobe / kprobe.multi / kretprobe.multi on the simulated kernel
// (test/fixtures/probes/probes.c, built for x86 and arm64), results read back from maps.
import { beforeEach, describe, expect, it } from "vitest";
import { BpfError, EbpfError } from "../../src/errors.js";
import { hashGet, setSlot, slot } from "./support.js";
import { ARM64, verifyForKernel } from "../../src/kernel/index.js";
import { assemble } from "../../src/asm/index.js";
import { errnoOf, loadError, setupProbes, type ProbeSetup } from "./probes-support.js";

for (const arch of ["x86", "arm64"] as const) {
  describe(`kprobe / kretprobe (${arch})`, () => {
    let t: ProbeSetup;
    beforeEach(async () => {
      t = await setupProbes(arch);
    });

    it("BPF_KPROBE sees the arguments in the argument registers; PT_REGS_IP, SP; bpf_get_func_ip and the cookie", async () => {
      const { k, out, load } = t;
      const link = k.attach(await load("kp_test3"), undefined, { cookie: 0xabcn });
      expect(link.target.name).toBe("bpf_fentry_test3");
      expect(k.call("bpf_fentry_test3", 1n, 2n, 3n)).toBe(6n);
      const ip = k.fn("bpf_fentry_test3").ip;
      expect([0, 1, 2].map((i) => slot(out, i))).toEqual([1n, 2n, 3n]);
      // x86: an ftrace-based kprobe shows ip = address + 1 (the int3 executed); arm64: pc = address
      expect(slot(out, 3)).toBe(arch === "x86" ? ip + 1n : ip);
      expect(slot(out, 4)).toBe(ip);
      expect(slot(out, 5)).toBe(0xabcn);
      expect(slot(out, 6)).toBe(0xffffc90000003f00n);
      link.detach();
      setSlot(out, 0, 0n);
      k.call("bpf_fentry_test3", 5n, 2n, 3n);
      expect(slot(out, 0)).toBe(0n);
    });

    it("BPF_KRETPROBE sees the return value (PT_REGS_RC), the function's address and its cookie", async () => {
      const { k, out, load } = t;
      k.attach(await load("krp_test3"), undefined, { cookie: 7n });
      expect(k.call("bpf_fentry_test3", 10n, 20n, 30n)).toBe(60n);
      expect(slot(out, 7)).toBe(60n);
      expect(slot(out, 8)).toBe(k.fn("bpf_fentry_test3").ip);
      expect(slot(out, 9)).toBe(7n);
    });

    it("bpf_override_return skips an error-injectable function and sets its return value; kretprobes see it", async () => {
      const { k, out, ctl, load } = t;
      k.attach(await load("kp_override"));
      k.attach(await load("krp_failslab"));
      expect(k.call("should_failslab", 0n, 0n)).toBe(0n);
      expect(slot(out, 40)).toBe(1n);
      setSlot(ctl, 0, BigInt.asUintN(64, -12n));
      expect(k.call("should_failslab", 0n, 0n)).toBe(BigInt.asUintN(64, -12n));
      expect(slot(out, 41)).toBe(BigInt.asUintN(64, -12n));
      expect(slot(out, 40)).toBe(2n);
    });

    it("bpf_override_return only on error-injectable functions (-EINVAL)", async () => {
      const { k, load } = t;
      const bad = await load("kp_override_bad");
      expect(errnoOf(() => k.attach(bad))).toBe("EINVAL");
      expect(k.attach(bad, "should_failslab").attached).toBe(true);
      expect(k.call("should_failslab", 0n, 0n)).toBe(1n);
      expect(errnoOf(() => k.attach(bad, "no_such_fn"))).toBe("ENOENT");
      const krp = await load("krp_override");
      expect(errnoOf(() => k.attach(krp, "bpf_fentry_test1"))).toBe("EINVAL");
    });

    it("bpf_override_return in a kretprobe: the function ran, the caller gets rc", async () => {
      const { k, out, ctl, load } = t;
      k.attach(await load("krp_override"));
      const b = k.machine.rt.alloc(8);
      setSlot(ctl, 1, 5n);
      expect(k.call("should_failslab", BigInt(b), 0n)).toBe(5n);
      expect(slot(out, 42)).toBe(0n); // what the function returned
    });

    it("bpf_prog_active: a kprobe program reached from inside another is skipped and counted; fentry is not guarded", async () => {
      const { k, out, load } = t;
      const nest = await load("kp_nest");
      const trig = await load("kp_trigger");
      const fe = await load("fe_trigger");
      k.attach(nest);
      k.attach(trig);
      k.attach(fe);
      k.call("bpf_get_numa_node_id", 0n, 0n, 0n, 0n, 0n);
      expect([10, 11, 12].map((i) => slot(out, i))).toEqual([0n, 1n, 1n]);
      k.call("bpf_fentry_test1", 1n); // kp_nest calls the trigger: kp_trigger is nested
      expect([10, 11, 12].map((i) => slot(out, i))).toEqual([1n, 1n, 2n]);
      expect(trig.recursionMisses).toBe(1n);
      expect(nest.recursionMisses).toBe(0n);
      expect(fe.recursionMisses).toBe(0n);
    });

    it("ksyscall/<name> probes the syscall's wrapper; probe reads of the syscall's pt_regs; the machine's current task", async () => {
      const { k, out, load } = t;
      k.attach(await load("ks_getpgid"));
      k.setCurrent(k.createTask({ pid: 77, tgid: 70, comm: "probe" }));
      expect(k.syscall(121, 5n)).toBe(70n);
      expect(slot(out, 34)).toBe(5n);
      expect(slot(out, 35)).toBe((70n << 32n) | 77n);
    });

    it("kprobes and fentry on one function: both run, detaching either keeps the other", async () => {
      const { k, out, load } = t;
      const kp = k.attach(await load("kp_trigger"));
      const fe = k.attach(await load("fe_trigger"));
      k.call("bpf_get_numa_node_id", 0n, 0n, 0n, 0n, 0n);
      expect([11, 12].map((i) => slot(out, i))).toEqual([1n, 1n]);
      kp.detach();
      k.call("bpf_get_numa_node_id", 0n, 0n, 0n, 0n, 0n);
      expect([11, 12].map((i) => slot(out, i))).toEqual([1n, 2n]);
      fe.detach();
      k.attach(await load("kp_trigger"));
      k.call("bpf_get_numa_node_id", 0n, 0n, 0n, 0n, 0n);
      expect([11, 12].map((i) => slot(out, i))).toEqual([2n, 2n]);
    });
  });

  describe(`kprobe.multi / kretprobe.multi (${arch})`, () => {
    let t: ProbeSetup;
    beforeEach(async () => {
      t = await setupProbes(arch);
    });

    it("one link on many functions with a cookie each; the sparse registers hold args, sp, fp, ip, rc", async () => {
      const { k, obj, out, load } = t;
      const names = ["bpf_fentry_test1", "bpf_fentry_test2", "bpf_fentry_test3"];
      const l = k.attachMulti(await load("kpm"), undefined, { cookies: [11n, 22n, 33n] });
      const r = k.attachMulti(await load("krpm"));
      expect(l.targets.map((f) => f.name)).toEqual(names);
      expect(k.call("bpf_fentry_test1", 41n)).toBe(42n);
      expect(k.call("bpf_fentry_test2", 1n, 2n)).toBe(3n);
      expect(k.call("bpf_fentry_test3", 7n, 2n, 3n)).toBe(12n);
      const ip = (n: string): bigint => k.fn(n).ip;
      expect(names.map((n) => hashGet(obj.map("cookies"), ip(n)))).toEqual([11n, 22n, 33n]);
      expect(names.map((n) => hashGet(obj.map("vals"), ip(n)))).toEqual([41n, 1n, 7n]);
      expect(names.map((n) => hashGet(obj.map("rets"), ip(n)))).toEqual([42n, 3n, 12n]);
      expect(slot(out, 36)).toBe(0xffffc90000003f00n);
      expect(slot(out, 37)).toBe(0xffffc90000003f40n);
      l.detach();
      r.detach();
      expect(k.probes("bpf_fentry_test1")).toEqual([]);
    });

    it("refuses, at load, a multi program reading a register an fprobe does not save; a regular kprobe may read it", async () => {
      const { k, out, load } = t;
      const e = await loadError(load("kpm_bad"));
      expect(e.code).toBe("EACCES");
      expect(e.message).toMatch(/sparse register set; pt_regs field '(r12|regs\[20\])' is not populated/);
      k.attach(await load("kp_full"));
      k.call("bpf_fentry_test2", 1n, 2n);
      expect(slot(out, 13)).toBe(1n); // a full pt_regs: r12 / x20 is 0 here
    });

    it("kprobe.multi with bpf_prog_active like kprobe; kprobe and kprobe.multi on one function both run", async () => {
      const { k, obj, load } = t;
      k.attach(await load("kp_test3"));
      k.attachMulti(await load("kpm"), ["bpf_fentry_test3"], { cookies: [5n] });
      k.call("bpf_fentry_test3", 9n, 2n, 3n);
      expect(slot(t.out, 0)).toBe(9n);
      expect(hashGet(obj.map("vals"), k.fn("bpf_fentry_test3").ip)).toBe(9n);
      expect(k.probes("bpf_fentry_test3").map((p) => [p.program.name, p.multi])).toEqual([["kpm", true], ["kp_test3", false]]);
    });
  });
}

describe("kprobe.multi at scale", () => {
  it("one link over a glob of generated functions (a few modules, one per shape), cookies by name", async () => {
    const { k, obj, load } = await setupProbes();
    const fns = k.match("sim_*");
    expect(fns.length).toBe(20);
    const cookies = new Map(fns.map((f, i) => [f.name, BigInt(1000 + i)]));
    const l = k.attachMulti(await load("kpm"), "sim_*", { cookies });
    for (const f of fns) k.call(f.name, ...Array.from({ length: f.nargs }, (_, i) => BigInt(i + 7)));
    for (const [i, f] of fns.entries()) {
      expect(hashGet(obj.map("cookies"), f.ip)).toBe(BigInt(1000 + i));
      expect(hashGet(obj.map("vals"), f.ip)).toBe(f.nargs > 0 ? 7n : 0n);
    }
    l.detach();
    for (const f of fns) expect(k.machine.mem.table.get(f.entrySlot)).toBe(k.machine.mem.table.get(f.origSlot));
  });
});

describe("kprobe accounting", () => {
  it("run_cnt / run_time_ns with stats enabled, on kprobe layers and tracepoint hooks", async () => {
    const { k, load } = await setupProbes();
    const kp = await load("kp_test3");
    const tp = await load("tp_raw_enter");
    k.attach(kp);
    k.attach(tp);
    k.setStats(true);
    k.call("bpf_fentry_test3", 1n, 2n, 3n);
    k.syscall(121);
    k.setStats(false);
    k.call("bpf_fentry_test3", 1n, 2n, 3n);
    expect(kp.runCnt).toBe(1n);
    expect(tp.runCnt).toBe(1n);
    expect(kp.multi).toBe(false);
    expect((await load("kpm")).multi).toBe(true);
  });
});

describe("arm64 user_pt_regs through the verifier's x86 kprobe context", () => {
  it("reads up to 272 bytes are accepted, past it or misaligned refused (EACCES)", () => {
    const prog = (off: number): ReturnType<typeof assemble> => assemble(`r0 = *(u64 *)(r1 + ${off})\nr0 = 0\nexit`);
    expect(verifyForKernel(prog(256), "kprobe", null, null, 0, ARM64).accepted).toBe(true); // pc
    expect(verifyForKernel(prog(264), "kprobe", null, null, 0, ARM64).accepted).toBe(true); // pstate
    expect(() => verifyForKernel(prog(272), "kprobe", null, null, 0, ARM64)).toThrow(/invalid bpf_context access off=272 size=8/);
    expect(() => verifyForKernel(prog(172), "kprobe", null, null, 0, ARM64)).toThrow(/invalid bpf_context access off=172/);
    expect(verifyForKernel(prog(160), "kprobe", null, null, 0).accepted).toBe(true);
    expect(verifyForKernel(prog(168), "kprobe", null, null, 0).accepted).toBe(false); // x86: 168 bytes
  });
});

describe("kprobe attach rules", () => {
  it("kprobe programs attach through attach(); attach of a multi program asks for attachMulti; attachMulti of a regular one is refused", async () => {
    const { k, load } = await setupProbes();
    const kpm = await load("kpm");
    expect(errnoOf(() => k.attach(kpm))).toBe("EINVAL");
    const kp = await load("kp_test3");
    expect(errnoOf(() => k.attachMulti(kp))).toBe("EINVAL");
    k.attach(kp);
    expect(errnoOf(() => k.attach(kp))).toBe("EEXIST");
    expect(errnoOf(() => k.attachMulti(kpm, "no_such_*"))).toBe("ENOENT");
    expect(new BpfError("EINVAL", "x", "y")).toBeInstanceOf(EbpfError);
  });
});
