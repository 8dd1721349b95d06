import { describe, expect, it } from "vitest";
import { alu32, alu64, byteSwap, coerceToSizeSx, scalarContains, scalarKnown, scalarUnknown, boundsSync, type AluName, type Scalar } from "../../src/verifier/scalar.js";
import * as T from "../../src/verifier/tnum.js";
import { Rng } from "../support/rng.js";

const M64 = (1n << 64n) - 1n;
const M32 = 0xffffffffn;

/** An abstract value built from a few concrete ones, and those values. */
function abstract(rng: Rng): [Scalar, bigint[]] {
  const base = rng.u64();
  const spread = rng.pick([0n, 1n, 0xffn, 0xffffn, M32, M64]);
  const values = Array.from({ length: 1 + rng.int(4) }, () => (base + (rng.u64() & spread)) & M64);
  const s = scalarUnknown();
  s.umin = values.reduce((a, b) => (a < b ? a : b));
  s.umax = values.reduce((a, b) => (a > b ? a : b));
  const signed = values.map((v) => BigInt.asIntN(64, v));
  s.smin = signed.reduce((a, b) => (a < b ? a : b));
  s.smax = signed.reduce((a, b) => (a > b ? a : b));
  const lo = values.map((v) => v & M32);
  s.u32min = lo.reduce((a, b) => (a < b ? a : b));
  s.u32max = lo.reduce((a, b) => (a > b ? a : b));
  const slo = lo.map((v) => BigInt.asIntN(32, v));
  s.s32min = slo.reduce((a, b) => (a < b ? a : b));
  s.s32max = slo.reduce((a, b) => (a > b ? a : b));
  const diff = values.reduce((acc, v) => acc | (v ^ values[0]!), 0n);
  s.varOff = T.tnum(values[0]!, diff);
  return [values.length === 1 ? scalarKnown(values[0]!) : boundsSync(s), values];
}

const CONCRETE: Record<Exclude<AluName, "other">, (a: bigint, b: bigint, bits: 32 | 64) => bigint> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  and: (a, b) => a & b,
  or: (a, b) => a | b,
  xor: (a, b) => a ^ b,
  lsh: (a, b, bits) => a << (b & BigInt(bits - 1)),
  rsh: (a, b, bits) => BigInt.asUintN(bits, a) >> (b & BigInt(bits - 1)),
  arsh: (a, b, bits) => BigInt.asIntN(bits, a) >> (b & BigInt(bits - 1)),
  mov: (_a, b) => b,
  neg: (a) => -a,
};

describe("scalar bounds", () => {
  it("sign extension (movsx, ldsx) and byte swaps (be, bswap) keep every member", () => {
    const rng = new Rng(77);
    const swap = (x: bigint, size: number): bigint => {
      let out = 0n;
      for (let i = 0; i < size; i++) out |= ((x >> BigInt(8 * i)) & 0xffn) << BigInt(8 * (size - 1 - i));
      return out;
    };
    for (let i = 0; i < 4000; i++) {
      const [a, xs] = abstract(rng);
      for (const size of [1, 2, 4] as const) {
        const r = coerceToSizeSx(a, size);
        for (const x of xs) expect(scalarContains(r, BigInt.asIntN(size * 8, x))).toBe(true);
      }
      for (const size of [2, 4, 8] as const) {
        const r = byteSwap(a, size);
        for (const x of xs) expect(scalarContains(r, swap(x, size))).toBe(true);
      }
    }
  });

  it("sync keeps every member", () => {
    const rng = new Rng(3);
    for (let i = 0; i < 4000; i++) {
      const [s, values] = abstract(rng);
      for (const v of values) expect(scalarContains(s, v)).toBe(true);
    }
  });

  it.each(Object.keys(CONCRETE) as Array<keyof typeof CONCRETE>)("ALU64 and ALU32 %s are sound", (op) => {
    const rng = new Rng(op.length * 7919);
    for (let i = 0; i < 2500; i++) {
      const [a, xs] = abstract(rng);
      const [b, ys] = op === "lsh" || op === "rsh" || op === "arsh" ? (() => { const k = BigInt(rng.int(64)); return [scalarKnown(k), [k]] as [Scalar, bigint[]]; })() : abstract(rng);
      const r64 = alu64(op, a, b);
      const r32 = alu32(op, a, b);
      for (const x of xs) {
        for (const y of ys) {
          const want64 = BigInt.asUintN(64, CONCRETE[op](x, y, 64));
          const want32 = BigInt.asUintN(32, CONCRETE[op](x & M32, y & M32, 32));
          if (!scalarContains(r64, want64)) throw new Error(`alu64 ${op}: ${x} ${y} -> ${want64} not in ${JSON.stringify(r64, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
          if (!scalarContains(r32, want32)) throw new Error(`alu32 ${op}: ${x} ${y} -> ${want32} not in ${JSON.stringify(r32, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
        }
      }
    }
  });

  it("is exact on constants", () => {
    expect(alu64("add", scalarKnown(2n), scalarKnown(3n))).toEqual(scalarKnown(5n));
    expect(alu32("add", scalarKnown(0xffffffffn), scalarKnown(1n))).toEqual(scalarKnown(0n));
    const r = alu64("and", scalarUnknown(), scalarKnown(0xffn));
    expect([r.umin, r.umax, r.smin, r.smax]).toEqual([0n, 0xffn, 0n, 0xffn]);
  });
});

describe("conditional jumps", () => {
  const OPS: Array<[string, (a: bigint, b: bigint, bits: 32 | 64) => boolean]> = [
    ["eq", (a, b) => a === b],
    ["ne", (a, b) => a !== b],
    ["gt", (a, b) => a > b],
    ["ge", (a, b) => a >= b],
    ["lt", (a, b) => a < b],
    ["le", (a, b) => a <= b],
    ["sgt", (a, b, n) => BigInt.asIntN(n, a) > BigInt.asIntN(n, b)],
    ["sge", (a, b, n) => BigInt.asIntN(n, a) >= BigInt.asIntN(n, b)],
    ["slt", (a, b, n) => BigInt.asIntN(n, a) < BigInt.asIntN(n, b)],
    ["sle", (a, b, n) => BigInt.asIntN(n, a) <= BigInt.asIntN(n, b)],
    ["set", (a, b) => (a & b) !== 0n],
  ];
  it.each(OPS)("%s: the verdict and both refined branches keep every concrete pair", async (op, holds) => {
    const { isBranchTaken, refine } = await import("../../src/verifier/scalar.js");
    const rng = new Rng(op.charCodeAt(0) * 31 + op.length);
    for (let i = 0; i < 2500; i++) {
      const [a, xs] = abstract(rng);
      const [b, ys] = rng.bool(0.5) ? (() => { const k = rng.bool() ? BigInt(rng.int(300)) : rng.u64(); return [scalarKnown(k), [k]] as [Scalar, bigint[]]; })() : abstract(rng);
      for (const is32 of [false, true]) {
        const bits = is32 ? 32 : 64;
        const verdict = isBranchTaken(a, b, op as never, is32);
        for (const taken of [true, false]) {
          const [ra, rb] = refine(a, b, op as never, is32, taken);
          for (const x of xs) {
            for (const y of ys) {
              const cx = is32 ? x & M32 : x;
              const cy = is32 ? y & M32 : y;
              const h = holds(cx, cy, bits);
              if (verdict !== -1) expect([op, is32, x, y, h]).toEqual([op, is32, x, y, verdict === 1]);
              if (h !== taken) continue;
              if (!scalarContains(ra, x) || !scalarContains(rb, y)) throw new Error(`${op}${is32 ? "32" : ""} taken=${taken}: ${x}, ${y} lost by refinement`);
            }
          }
        }
      }
    }
  });
});
