// A synthetic program of n instructions for compile-time measurements: ALU work, a forward
// branch every 8 instructions and a counted loop every 64.
import { insn } from "../../dist/isa/insn.js";

export function bigProgram(n) {
  const out = [insn(0xb7, 0, 0, 0, 0), insn(0xb7, 1, 0, 0, 1)];
  while (out.length < n - 2) {
    const k = out.length;
    if (k % 64 === 0) out.push(insn(0xb7, 9, 0, 0, 3), insn(0x07, 0, 0, 0, 1), insn(0x07, 9, 0, 0, -1), insn(0x55, 9, 0, -3, 0));
    else if (k % 8 === 0) out.push(insn(0x25, 0, 0, 2, 1000), insn(0x0f, 0, 1, 0, 0), insn(0xaf, 0, 1, 0, 0));
    else out.push(insn(0x07, 1, 0, 0, k & 0xff));
  }
  out.push(insn(0x95, 0, 0, 0, 0));
  return out;
}
