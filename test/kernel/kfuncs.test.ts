import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { SimKernel } from "../../src/kernel/kernel.js";
import { prepareProgram } from "../../src/runtime/engine.js";
import { ENGINE_NAMES } from "../../src/exec/engine.js";
import { PseudoCall } from "../../src/isa/opcode.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";
import type { BpfObject } from "../../src/object/bpf-object.js";

// The simulated kernel's kfuncs, from a C object (test/fixtures/object/kfuncs.c): its BTF
// declares them, `__ksym` calls resolve to those ids, and both engines run them (unverified
// here: the verifier's check of kfunc calls is its own work).

const KF = fileURLToPath(new URL("../fixtures/object/kfuncs.o", import.meta.url));

/** struct args { int pid; int missing; } */
const args = (pid: number, missing = 0): Uint8Array => {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setInt32(0, pid, true);
  v.setInt32(4, missing, true);
  return b;
};

describe("the simulated kernel's kfuncs", () => {
  let k: SimKernel;
  let obj: BpfObject;
  let task: number;
  beforeAll(async () => {
    k = await SimKernel.create({ generated: 0 });
    task = k.createTask({ pid: 4242, tgid: 4200, comm: "worker" });
    obj = await k.open(KF, "kfuncs");
    obj.createMaps();
  });

  it("are FUNCs of its BTF, and `__ksym` calls resolve to their ids", () => {
    const insns = obj.coreApply(obj.program("tgid_of"));
    const ids = insns.flatMap((x) => (x.code === 0x85 && x.src === PseudoCall.KFUNC ? [x.imm] : []));
    expect(ids).toEqual(["bpf_rcu_read_lock", "bpf_rcu_read_unlock", "bpf_task_from_pid", "bpf_task_release"].map((n) => k.btf.findByName(n, "FUNC")[0]));
    for (const id of ids) expect(k.kfuncs.has(id)).toBe(true);
    expect(k.kfuncs.get(ids[2]!)?.name).toBe("bpf_task_from_pid");
  });

  it("bpf_task_from_pid finds the task, bpf_task_release drops its reference: the same on both engines", async () => {
    const insns = obj.coreApply(obj.program("tgid_of"));
    for (const engine of ENGINE_NAMES) {
      const p = await prepareProgram(insns, engine, k.programOptions([]));
      expect(p.run({ mem: k.machine.mem, input: args(4242) }).r0, engine).toBe(4200n);
      expect(k.taskRefs(task), engine).toBe(0);
      // no such pid: NULL, and the program returns -1
      expect(p.run({ mem: k.machine.mem, input: args(9999) }).r0, engine).toBe(0xffffffffn);
    }
  });

  it("bpf_task_from_vpid: one pid namespace, the same task as bpf_task_from_pid, with a reference", () => {
    const byName = (n: string) => k.kfuncs.get(k.btf.findByName(n, "FUNC")[0]!)!;
    const call = (r1: bigint) => ({ r1, r2: 0n, r3: 0n, r4: 0n, r5: 0n, mem: k.machine.mem, pc: 0 });
    expect(byName("bpf_task_from_vpid").fn(call(4242n))).toBe(BigInt(task));
    expect(k.taskRefs(task)).toBe(1);
    byName("bpf_task_release").fn(call(BigInt(task)));
    expect(byName("bpf_task_from_vpid").fn(call(0xffffffffn))).toBe(0n);
    expect(k.taskRefs(task)).toBe(0);
  });

  it("bpf_task_acquire takes a reference that bpf_task_release gives back", async () => {
    const acquire = k.kfuncs.get(k.btf.findByName("bpf_task_acquire", "FUNC")[0]!)!;
    const release = k.kfuncs.get(k.btf.findByName("bpf_task_release", "FUNC")[0]!)!;
    const call = { r1: BigInt(task), r2: 0n, r3: 0n, r4: 0n, r5: 0n, mem: k.machine.mem, pc: 0 };
    expect(acquire.fn(call)).toBe(BigInt(task));
    expect(k.taskRefs(task)).toBe(1);
    expect(release.fn(call)).toBe(0n);
    expect(k.taskRefs(task)).toBe(0);
  });

  it("a weak kfunc the kernel lacks (imm 0) loads, and traps only where it is reached", async () => {
    const insns = obj.coreApply(obj.program("weak_calls"));
    for (const engine of ENGINE_NAMES) {
      const p = await prepareProgram(insns, engine, k.programOptions([]));
      expect(p.run({ mem: k.machine.mem, input: args(4242) }).r0, engine).toBe(0n);
      expect(k.taskRefs(task), engine).toBe(0);
      let trap: unknown;
      try {
        p.run({ mem: k.machine.mem, input: args(4242, 1) });
      } catch (e) {
        trap = e;
      }
      expect(trap, engine).toBeInstanceOf(RuntimeTrap);
      expect((trap as RuntimeTrap).kind, engine).toBe(TrapKind.UnknownHelper);
    }
  });
});

describe("kfunc calls through the load pipeline (verified)", () => {
  it("an object opened on the kernel loads and runs its kfunc calls, verified, on both engines", async () => {
    const k = await SimKernel.create({ generated: 0 });
    const task = k.createTask({ pid: 77, tgid: 70, comm: "t" });
    for (const engine of ENGINE_NAMES) {
      const obj = await k.open(KF, "kfuncs");
      const p = obj.program("tgid_of");
      const v = await p.load({ engine, logLevel: 2 });
      expect(v.accepted, engine).toBe(true);
      expect(v.log).toMatch(/call bpf_task_from_pid#\d+/);
      expect(p.run({ ctx: args(77) }).r0, engine).toBe(70n);
      expect(p.run({ ctx: args(78) }).r0, engine).toBe(0xffffffffn);
      expect(k.taskRefs(task), engine).toBe(0);
    }
  });

  it("the kernel's own load verifies a program calling kfuncs against its BTF", async () => {
    const k = await SimKernel.create({ generated: 0 });
    const obj = await k.open(KF, "kfuncs");
    const prog = await k.load(obj, "tgid_of");
    expect(prog.verdict.accepted).toBe(true);
  });
});

describe("kfunc calls in a tracing program", () => {
  it("tp_btf: bpf_task_acquire on the tracepoint's trusted task, a read through it, bpf_task_release", async () => {
    const k = await SimKernel.create({ generated: 0 });
    const obj = await k.open(KF, "kfuncs");
    const prog = await k.load(obj, "on_wakeup_new");
    expect(prog.verdict.accepted).toBe(true);
    k.attach(prog);
    const task = k.createTask({ pid: 321, comm: "child" });
    k.call("wake_up_new_task", BigInt(task));
    const bss = new DataView(obj.map("kfuncs.bss").lookup(new Uint8Array(4))!.buffer);
    // new_pid, new_refs_ok (the acquired pointer is the argument)
    expect([bss.getInt32(0, true), bss.getInt32(4, true)]).toEqual([321, 1]);
    expect(k.taskRefs(task)).toBe(0);
  });
});

describe("kfunc ids", () => {
  it("stay the same when the kernel's BTF is rebuilt with more functions", async () => {
    const k = await SimKernel.create({ generated: 0 });
    const before = k.btf.findByName("bpf_task_from_pid", "FUNC")[0];
    k.defineFunction({ name: "host_fn", params: [["x", "int"]], ret: "int" }, (x) => x);
    expect(k.btf.findByName("host_fn", "FUNC")).toHaveLength(1);
    expect(k.btf.findByName("bpf_task_from_pid", "FUNC")[0]).toBe(before);
    expect(k.kfuncs.get(before!)?.name).toBe("bpf_task_from_pid");
  });
});
