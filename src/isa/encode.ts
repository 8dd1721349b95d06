import type { Insn } from "./insn.js";
import { INSN_SIZE } from "./limits.js";

/** Serialise slots to little-endian bytecode, 8 bytes per slot. */
export function encodeProgram(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * INSN_SIZE);
  const view = new DataView(out.buffer);
  insns.forEach((ins, i) => encodeInto(view, i * INSN_SIZE, ins));
  return out;
}

export function encodeInto(view: DataView, at: number, ins: Insn): void {
  view.setUint8(at, ins.code);
  view.setUint8(at + 1, (ins.dst & 0xf) | ((ins.src & 0xf) << 4));
  view.setInt16(at + 2, ins.off, true);
  view.setInt32(at + 4, ins.imm, true);
}

/** One slot as the 16 hex digits of its little-endian bytes. */
export function insnHex(ins: Insn): string {
  const b = new Uint8Array(INSN_SIZE);
  encodeInto(new DataView(b.buffer), 0, ins);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
