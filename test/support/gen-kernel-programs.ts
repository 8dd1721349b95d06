// Random programs the kernel verifier accepts under kbpf.py's map harness (r1 = a
// writable map value of the input's length, r2 = its length): every register
// initialised before use, r1 kept as the only pointer, forward jumps only plus one
// counted loop, in-bounds loads/stores/atomics. Results never depend on a pointer's
// value, so the kernel and wabpf must agree on r0 exactly.
import { insn, ldImm64, type Insn } from "../../src/isa/insn.js";
import { Rng } from "./rng.js";

const ALU_OPS = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0];
const JMP_OPS = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
const SCALARS = [0, 3, 4, 5, 6, 7, 8, 9];
const SIZES: Array<[number, number]> = [
  [0x10, 1],
  [0x08, 2],
  [0x00, 4],
  [0x18, 8],
];

export const MEM_LEN = 64;

export interface GeneratedProgram {
  readonly insns: Insn[];
  readonly mem: Uint8Array;
}

function aluOp(rng: Rng): Insn {
  const is64 = rng.bool(0.6);
  const cls = is64 ? 0x07 : 0x04;
  const dst = rng.pick(SCALARS);
  const kind = rng.int(10);
  if (kind === 0) return insn(cls | 0x80, dst, 0, 0, 0); // neg
  if (kind === 1) return is64 ? insn(0xd7, dst, 0, 0, rng.pick([16, 32, 64])) : insn(rng.pick([0xd4, 0xdc]), dst, 0, 0, rng.pick([16, 32, 64]));
  if (kind === 2) return insn(cls | 0xb8, dst, rng.pick(SCALARS), rng.pick(is64 ? [8, 16, 32] : [8, 16]), 0); // movsx
  const op = rng.pick(ALU_OPS);
  const signed = (op === 0x30 || op === 0x90) && rng.bool(0.4) ? 1 : 0;
  const shift = op === 0x60 || op === 0x70 || op === 0xc0;
  if (rng.bool(0.5)) return insn(cls | op | 0x08, dst, rng.pick(SCALARS), signed, 0);
  let imm = rng.imm();
  if (shift) imm = rng.int(is64 ? 64 : 32);
  if ((op === 0x30 || op === 0x90) && imm === 0) imm = 3; // the verifier rejects division by a zero immediate
  return insn(cls | op, dst, 0, signed, imm);
}

function memOp(rng: Rng): Insn[] {
  const [sz, n] = rng.pick(SIZES);
  const off = rng.int(MEM_LEN / n) * n;
  const dst = rng.pick(SCALARS);
  switch (rng.int(5)) {
    case 0:
      return [insn(0x61 | sz, dst, 1, off, 0)]; // ldx
    case 1:
      return n === 8 ? [insn(0x79, dst, 1, off, 0)] : [insn(0x81 | sz, dst, 1, off, 0)]; // ldxs
    case 2:
      return [insn(0x63 | sz, 1, rng.pick(SCALARS), off, 0)]; // stx
    case 3:
      return [insn(0x62 | sz, 1, 0, off, rng.imm())]; // st
    default: {
      // atomics on aligned words
      const dw = rng.bool();
      const o = rng.int(MEM_LEN / 8) * 8;
      const op = rng.pick([0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1]);
      return [insn(dw ? 0xdb : 0xc3, 1, rng.pick([3, 4, 5, 6, 7, 8, 9]), o, op)];
    }
  }
}

function stackOp(rng: Rng): Insn[] {
  const off = -8 * (1 + rng.int(8));
  const r = rng.pick(SCALARS);
  return [insn(0x7b, 10, r, off, 0), insn(0x79, rng.pick(SCALARS), 10, off, 0)];
}

export function generateKernelProgram(seed: number, length = 40): GeneratedProgram {
  const rng = new Rng(seed);
  const body: Insn[] = [];
  for (const r of SCALARS) body.push(...(rng.bool(0.3) ? ldImm64(r, rng.u64()) : [insn(0xb7, r, 0, 0, rng.imm())]));
  // a counted loop: r9 counts down from a small constant, the body mixes r0 and r3
  const loopLen = 2 + rng.int(12);
  body.push(insn(0xb7, 9, 0, 0, loopLen), insn(0x2f, 3, 0, 0, 0), insn(0x07, 3, 0, 0, 0x9e3779b9 | 0), insn(0xaf, 0, 3, 0, 0), insn(0x07, 9, 0, 0, -1), insn(0x55, 9, 0, -4, 0));
  while (body.length < length) {
    const k = rng.int(10);
    if (k < 5) body.push(aluOp(rng));
    else if (k < 7) body.push(...memOp(rng));
    else if (k < 8) body.push(...stackOp(rng));
    else {
      // forward conditional jump over 1..3 ALU instructions
      const skip: Insn[] = Array.from({ length: 1 + rng.int(3) }, () => aluOp(rng));
      const op = rng.pick(JMP_OPS);
      const cls = rng.bool(0.6) ? 0x05 : 0x06;
      const x = rng.bool();
      body.push(insn(cls | op | (x ? 0x08 : 0), rng.pick(SCALARS), x ? rng.pick(SCALARS) : 0, skip.length, x ? 0 : rng.imm()), ...skip);
    }
  }
  // fold every scalar into r0 so each one matters
  for (const r of SCALARS) if (r !== 0) body.push(insn(0xaf, 0, r, 0, 0));
  body.push(insn(0x95, 0, 0, 0, 0));
  const mem = new Uint8Array(MEM_LEN);
  for (let i = 0; i < MEM_LEN; i++) mem[i] = rng.int(256);
  return { insns: body, mem };
}
