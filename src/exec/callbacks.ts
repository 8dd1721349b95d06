// Callbacks and tail calls: what the engines share so that helpers can run BPF code.
//
// ld_imm64 with src_reg BPF_PSEUDO_FUNC loads, in the kernel, the address of the JITed
// subprogram it names (insn pc + 1 + imm). Both wasabpf engines load the same stand-in, a
// "text address" derived from the subprogram's first slot, so a program that prints or
// returns the value sees the same number in the interpreter and in the JIT; helpers hand it
// back to the engine (HelperCall.callback), which runs that subprogram.
import type { Insn } from "../isa/insn.js";
import { LD_IMM64, PseudoLd } from "../isa/opcode.js";

/** Where the stand-in "JIT images" of subprograms start: value = base + first slot × 8. */
export const PSEUDO_FUNC_BASE = 0xffffffffc0000000n;

/** The kernel's MAX_TAIL_CALL_CNT: tail calls one run may make; the next one falls through. */
export const MAX_TAIL_CALL_CNT = 33;

/** What ld_imm64 src 4 loads for a subprogram starting at slot `target`. */
export function pseudoFuncValue(target: number): bigint {
  return PSEUDO_FUNC_BASE + BigInt(target) * 8n;
}

/** The subprogram slot a pseudo-func value names, or null when it names none. */
export function pseudoFuncTarget(v: bigint): number | null {
  const off = BigInt.asUintN(64, v) - PSEUDO_FUNC_BASE;
  if (off < 0n || off % 8n !== 0n || off >= 8n * 0x100000000n) return null;
  return Number(off / 8n);
}

/** Every slot an ld_imm64 src 4 of the program names (the subprograms callbacks may run). */
export function callbackTargets(insns: readonly Insn[]): Set<number> {
  const out = new Set<number>();
  for (let pc = 0; pc + 1 < insns.length; pc++) {
    const i = insns[pc]!;
    if (i.code !== LD_IMM64) continue;
    const t = pc + 1 + i.imm;
    if (i.src === PseudoLd.FUNC && t >= 0 && t < insns.length) out.add(t);
    pc++;
  }
  return out;
}
