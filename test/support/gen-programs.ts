// Random programs for JIT-vs-interpreter testing: every instruction kind, random operands,
// bounded loops, bpf-to-bpf calls, helper calls, memory traffic to the stack and the input,
// and occasionally an access outside both (which must trap identically in both engines).
import { insn, ldImm64, type Insn } from "../../src/isa/insn.js";
import { generateKernelProgram } from "./gen-kernel-programs.js";
import { Rng } from "./rng.js";

export interface Generated {
  readonly insns: Insn[];
  readonly input: Uint8Array;
}

const REGS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/** A random ALU/JMP/memory instruction over any register (r1 may lose its pointer). */
function wild(rng: Rng, len: number): Insn[] {
  const k = rng.int(12);
  const r = (): number => rng.pick(REGS);
  if (k < 6) {
    const cls = rng.pick([0x04, 0x07]);
    const op = rng.pick([0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0]);
    if (op === 0x80) return [insn(cls | op, r(), 0, 0, 0)];
    if (op === 0xd0) return [insn(cls === 0x07 ? 0xd7 : rng.pick([0xd4, 0xdc]), r(), 0, 0, rng.pick([16, 32, 64]))];
    if (op === 0xb0 && rng.bool(0.3)) return [insn(cls | op | 8, r(), r(), rng.pick(cls === 0x07 ? [8, 16, 32] : [8, 16]), 0)];
    const off = (op === 0x30 || op === 0x90) && rng.bool(0.5) ? 1 : 0;
    return rng.bool() ? [insn(cls | op | 8, r(), r(), off, 0)] : [insn(cls | op, r(), 0, off, rng.imm())];
  }
  if (k < 8) {
    // loads/stores relative to r10 or r1, in bounds most of the time
    const [sz, n] = rng.pick<[number, number]>([[0x10, 1], [0x08, 2], [0x00, 4], [0x18, 8]]);
    const base = rng.bool() ? 10 : 1;
    const off = base === 10 ? -n * (1 + rng.int(Math.floor(64 / n))) : n * rng.int(Math.floor(len / n));
    const bad = rng.bool(0.03) ? rng.pick([-600, 4096, 1 << 20, -8]) : 0;
    switch (rng.int(4)) {
      case 0:
        return [insn(0x61 | sz, r(), base, off + bad, 0)];
      case 1:
        return [insn(0x63 | sz, base, r(), off + bad, 0)];
      case 2:
        return [insn(0x62 | sz, base, 0, off + bad, rng.imm())];
      default:
        return n === 8 ? [insn(0x79, r(), base, off + bad, 0)] : [insn(0x81 | sz, r(), base, off + bad, 0)];
    }
  }
  if (k < 9) {
    const dw = rng.bool();
    const off = -8 * (1 + rng.int(8));
    return [insn(dw ? 0xdb : 0xc3, 10, r(), off, rng.pick([0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1]))];
  }
  if (k < 10) return ldImm64(r(), rng.u64());
  if (k < 11) return [insn(0x85, 0, 0, 0, rng.pick([0, 2]))]; // gather_bytes, no_op
  return [insn(0x85, 0, 0, 0, 3)]; // sqrti
}

export function generateProgram(seed: number): Generated {
  const rng = new Rng(seed);
  if (rng.bool(0.3)) {
    const p = generateKernelProgram(seed, 20 + rng.int(60));
    return { insns: p.insns, input: p.mem };
  }
  const len = 8 * (1 + rng.int(16));
  const body: Insn[] = [];
  for (const r of [0, 2, 3, 4, 5, 6, 7, 8, 9]) body.push(insn(0xb7, r, 0, 0, rng.imm()));
  // a loop with a counter in r9, then straight code with forward jumps
  const n = 20 + rng.int(40);
  body.push(insn(0xb7, 9, 0, 0, 1 + rng.int(6)));
  const loopStart = body.length;
  for (let i = 0; i < 3 + rng.int(6); i++) {
    const w = wild(rng, len);
    // keep the loop counter r9 intact (whole instructions only: an lddw is two slots)
    if (w.every((x) => x.dst !== 9 || (x.code & 7) === 2 || (x.code & 7) === 3 || x.code === 0)) body.push(...w);
  }
  body.push(insn(0x07, 9, 0, 0, -1));
  body.push(insn(0x55, 9, 0, loopStart - body.length - 1, 0)); // if r9 != 0 goto loopStart
  while (body.length < n) {
    if (rng.bool(0.15)) {
      const skip = wild(rng, len);
      const x = rng.bool();
      body.push(insn(rng.pick([0x05, 0x06]) | rng.pick([0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]) | (x ? 8 : 0), rng.pick(REGS), x ? rng.pick(REGS) : 0, skip.length, x ? 0 : rng.imm()), ...skip);
    } else body.push(...wild(rng, len));
  }
  // a bpf-to-bpf call to a small subprogram that uses its own stack frame
  const call = body.length;
  body.push(insn(0x85, 0, 1, 0, 0), insn(0x95, 0, 0, 0, 0));
  const sub = body.length;
  body[call] = insn(0x85, 0, 1, 0, sub - call - 1);
  body.push(insn(0x7b, 10, 1, -8, 0), insn(0x79, 0, 10, -8, 0), insn(0x0f, 0, 2, 0, 0), ...wild(rng, len), insn(0x95, 0, 0, 0, 0));
  const input = new Uint8Array(len);
  for (let i = 0; i < len; i++) input[i] = rng.int(256);
  return { insns: body, input };
}
