import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { GuestMemory } from "../../src/exec/guest-memory.js";
import { checkKfuncCalls, kfuncRegistry, type KfuncImpl } from "../../src/exec/kfuncs.js";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { prepareProgram } from "../../src/runtime/engine.js";
import { insn, type Insn } from "../../src/isa/insn.js";
import { Class, JmpOp, PseudoCall } from "../../src/isa/opcode.js";
import { NotSupportedError, RuntimeTrap, TrapKind } from "../../src/errors.js";
import { ENGINE_NAMES } from "../../src/exec/engine.js";

// kfunc calls (src_reg 2) on both engines, unverified: dispatched by the BTF id in imm through
// a registry bound from names, the same results on the interpreter and the JIT.

const CALL = Class.JMP | JmpOp.CALL;
const kcall = (btfId: number): Insn => insn(CALL, 0, PseudoCall.KFUNC, 0, btfId);
const IDS = new Map([["k_add", 100], ["k_seen", 101], ["k_absent_impl", 102]]);
const calls: Array<{ pc: number; args: bigint[] }> = [];
const IMPLS: KfuncImpl[] = [
  { name: "k_add", fn: ({ r1, r2, r3, r4, r5 }) => r1 + 2n * r2 + 3n * r3 + 4n * r4 + 5n * r5 },
  { name: "k_seen", fn: ({ r1, pc }) => (calls.push({ pc, args: [r1] }), BigInt.asUintN(64, -r1)) },
  // a name the BTF lacks: left out of the registry
  { name: "k_not_in_btf", fn: () => 7n },
];
const registry = kfuncRegistry(IMPLS, (n) => IDS.get(n));

/** r1..r5 = 1..5; r0 = k_add(...) + k_seen(r0) */
const prog: Insn[] = [
  ...assemble("mov r1, 1\nmov r2, 2\nmov r3, 3\nmov r4, 4\nmov r5, 5"),
  kcall(100),
  ...assemble("mov r6, r0\nmov r1, r0"),
  kcall(101),
  ...assemble("add r0, r6\nadd r0, r6\nexit"),
];

describe("kfunc calls", () => {
  it("bind by name through the BTF's ids; names the BTF lacks are left out", () => {
    expect([...registry.keys()].sort()).toEqual([100, 101]);
    expect(registry.get(100)?.name).toBe("k_add");
  });

  it("run the same on both engines, with r1..r5 and the call's pc", async () => {
    for (const engine of ENGINE_NAMES) {
      calls.length = 0;
      const p = await prepareProgram(prog, engine, { kfuncs: registry });
      // k_add = 1+4+9+16+25 = 55; k_seen(55) = -55; r0 = -55 + 55 + 55
      expect(p.run({ mem: new GuestMemory() }).r0, engine).toBe(55n);
      expect(calls, engine).toEqual([{ pc: 8, args: [55n] }]);
    }
  });

  it("a call of a kfunc the registry lacks is refused at prepare, on both engines", async () => {
    const bad = [...assemble("mov r1, 0"), kcall(102), ...assemble("exit")];
    for (const engine of ENGINE_NAMES) {
      await expect(prepareProgram(bad, engine, { kfuncs: registry })).rejects.toThrow(NotSupportedError);
      await expect(prepareProgram(bad, engine)).rejects.toThrow(/pc 1: call of the kernel function with BTF id 102, which the simulated kernel does not implement/);
    }
  });

  it("the check names the kfunc when told its name, and lets imm 0 (a weak kfunc the kernel lacks) through", () => {
    const bad = [...assemble("mov r1, 0"), kcall(0), kcall(100), kcall(102), ...assemble("exit")];
    expect(() => checkKfuncCalls(bad, registry, (id) => (id === 102 ? "bpf_task_from_vpid" : undefined))).toThrow(
      "pc 3: call of kernel function bpf_task_from_vpid (BTF id 102), which the simulated kernel does not implement",
    );
  });

  it("reached without prepare's check, an unbound one traps as an unknown callee at its pc on both engines", async () => {
    const bad = [...assemble("mov r1, 0"), kcall(102), ...assemble("exit")];
    const trap = (run: () => unknown): { kind: TrapKind; pc: number } => {
      try {
        run();
      } catch (e) {
        if (e instanceof RuntimeTrap) return { kind: e.kind, pc: e.pc };
        throw e;
      }
      throw new Error("no trap");
    };
    const jit = await compileProgram(bad, { kfuncs: registry });
    expect(trap(() => runInterp(bad, { kfuncs: registry }))).toEqual({ kind: TrapKind.UnknownHelper, pc: 1 });
    expect(trap(() => jit.run())).toEqual({ kind: TrapKind.UnknownHelper, pc: 1 });
  });
});
