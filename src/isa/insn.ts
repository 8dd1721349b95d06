import { LD_IMM64 } from "./opcode.js";

/**
 * One 8-byte instruction slot, fields as in `struct bpf_insn`.
 *
 * Programs are arrays of slots indexed by pc, exactly as the kernel indexes them: a
 * 64-bit immediate load (opcode 0x18) occupies two slots, and its second slot stays in
 * the array (opcode 0, imm = the upper 32 bits) so that jump offsets and instruction
 * indexes mean what they mean in the kernel and in `bpftool prog dump`.
 *
 * 64-bit values: registers and the lddw constant are `bigint` at API edges; `imm` and
 * `off` are the sign-extended 32- and 16-bit fields as JS numbers.
 */
export interface Insn {
  /** opcode byte */
  readonly code: number;
  /** destination register, 0..15 as encoded (valid programs use 0..10) */
  readonly dst: number;
  /** source register, 0..15 as encoded; a pseudo-source selector for lddw and call */
  readonly src: number;
  /** signed 16-bit offset */
  readonly off: number;
  /** signed 32-bit immediate */
  readonly imm: number;
}

/** Build an instruction slot, normalising field widths (imm to s32, off to s16). */
export function insn(code: number, dst: number, src: number, off: number, imm: number): Insn {
  return { code: code & 0xff, dst: dst & 0xf, src: src & 0xf, off: (off << 16) >> 16, imm: imm | 0 };
}

export const isLdImm64 = (i: Insn): boolean => i.code === LD_IMM64;

/** The 64-bit constant of an lddw whose first slot is `lo` and second slot `hi`. */
export function ldImm64Value(lo: Insn, hi: Insn): bigint {
  return (BigInt(hi.imm >>> 0) << 32n) | BigInt(lo.imm >>> 0);
}

/** The two slots of `lddw dst, value` (with an optional pseudo source). */
export function ldImm64(dst: number, value: bigint, src = 0): [Insn, Insn] {
  const v = BigInt.asUintN(64, value);
  return [insn(LD_IMM64, dst, src, 0, Number(v & 0xffffffffn) | 0), insn(0, 0, 0, 0, Number(v >> 32n) | 0)];
}
