// What a run refers to outside its own code: how pseudo ld_imm64 instructions resolve, and the
// programs a tail call may jump to. Kept apart from run.ts so helpers.ts can name them too.
import type { Insn } from "../isa/insn.js";
import type { VerifierFacts } from "./facts.js";

/**
 * What a pseudo ld_imm64 loads: `src` is its src_reg (1 BPF_PSEUDO_MAP_FD / 5 MAP_IDX: a map;
 * 2 MAP_VALUE / 6 MAP_IDX_VALUE: an address inside a map's value), `imm` the first slot's
 * imm (an index into the program's map list), `nextImm` the second slot's (the value
 * offset). Returns the 64-bit value the kernel would patch in, or null when it cannot be
 * resolved (the instruction then traps when reached, as an unresolved one does today).
 */
export type PseudoResolver = (src: number, imm: number, nextImm: number) => bigint | null;

/**
 * A program a tail call can jump to (what a PROG_ARRAY slot names, through
 * Machine.registerProgram): its instructions and map references for the interpreter, and,
 * for JIT callers, its compiled form (a JitProgram; the JIT runs it in the same memory).
 */
export interface TailCallTarget {
  readonly name: string;
  readonly insns: readonly Insn[];
  readonly pseudo?: PseudoResolver;
  /** what the verifier proved about it, for the interpreter (its probe loads) */
  readonly verified?: VerifierFacts | null;
  /** a JitProgram compiled from `insns` (typed loosely: src/exec sits below src/jit) */
  readonly compiled?: object;
}
