// Kernel functions (kfuncs) as `call` with src_reg 2 (BPF_PSEUDO_KFUNC_CALL) reaches them: by
// the BTF id in imm, the id of the function's FUNC in the kernel's BTF. Implementations are
// written by name (the kernel's BTF decides the id), then bound to a BTF's ids once, before a
// program is prepared, so that both engines dispatch on the imm alone.
import { NotSupportedError } from "../errors.js";
import type { Insn } from "../isa/insn.js";
import { Class, JmpOp, PseudoCall } from "../isa/opcode.js";
import type { HelperCall } from "./helpers.js";

/** What a kfunc sees of the call: r1..r5, the guest memory, the call's pc. */
export type KfuncArgs = Pick<HelperCall, "r1" | "r2" | "r3" | "r4" | "r5" | "mem" | "pc">;

/** A kfunc implementation, by the name its FUNC has in the kernel's BTF. Returns r0 (0 for void). */
export interface KfuncImpl {
  readonly name: string;
  readonly fn: (call: KfuncArgs) => bigint;
}

/** A kfunc bound to the BTF id calls of it carry in imm. */
export interface Kfunc extends KfuncImpl {
  readonly btfId: number;
}

export type KfuncRegistry = ReadonlyMap<number, Kfunc>;

/** `impls` keyed by their FUNC ids in a kernel's BTF (`idOf`); a name the BTF lacks is left out (later ones win). */
export function kfuncRegistry(impls: readonly KfuncImpl[], idOf: (name: string) => number | undefined): KfuncRegistry {
  const out = new Map<number, Kfunc>();
  for (const k of impls) {
    const btfId = idOf(k.name);
    if (btfId !== undefined) out.set(btfId, { ...k, btfId });
  }
  return out;
}

/** Whether `ins` is a kfunc call. */
export function isKfuncCall(ins: Insn): boolean {
  return ins.code === (Class.JMP | JmpOp.CALL) && ins.src === PseudoCall.KFUNC;
}

/**
 * Refuse, before it runs, a program calling a kfunc `kfuncs` does not implement: a
 * NotSupportedError naming the first such call (its name when `nameOf` knows it). BTF id 0 is
 * a weak kfunc the kernel lacks (libbpf leaves it so): allowed here as dead code, it traps
 * when reached.
 */
export function checkKfuncCalls(insns: readonly Insn[], kfuncs: KfuncRegistry | undefined, nameOf: (btfId: number) => string | undefined = () => undefined): void {
  for (let pc = 0; pc < insns.length; pc++) {
    const ins = insns[pc]!;
    if (!isKfuncCall(ins) || ins.imm === 0 || kfuncs?.has(ins.imm) === true) continue;
    const name = nameOf(ins.imm);
    const what = name === undefined ? `the kernel function with BTF id ${ins.imm}` : `kernel function ${name} (BTF id ${ins.imm})`;
    throw new NotSupportedError(`pc ${pc}: call of ${what}, which the simulated kernel does not implement`);
  }
}
