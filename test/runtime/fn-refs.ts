import type { Insn } from "../../src/isa/insn.js";

/**
 * The assembler has no syntax for callback references: an ld_imm64 whose second slot's imm
 * is 0x7ff (`rX = 0x7ff000000NN ll`) becomes one to slot NN (src 4, imm relative to the next slot).
 */
export function fnRefs(insns: Insn[]): Insn[] {
  return insns.map((ins, pc) => {
    const next = insns[pc + 1];
    if (ins.code === 0x18 && next !== undefined && next.imm === 0x7ff) return { ...ins, src: 4, imm: ins.imm - pc - 1 };
    const prev = insns[pc - 1];
    if (prev !== undefined && prev.code === 0x18 && ins.imm === 0x7ff) return { ...ins, imm: 0 };
    return ins;
  });
}
