import { describe, expect, it } from "vitest";
import * as T from "../../src/verifier/tnum.js";
import { Rng } from "../support/rng.js";

const M64 = (1n << 64n) - 1n;

/** A random tnum biased toward few unknown bits, and a random member of it. */
function randomTnum(rng: Rng): T.Tnum {
  const mask = rng.bool(0.2) ? rng.u64() : BigInt(rng.u32() & rng.u32() & rng.u32()) << BigInt(rng.int(40));
  return T.tnum(rng.u64(), mask & M64);
}
function member(rng: Rng, a: T.Tnum): bigint {
  return a.value | (rng.u64() & a.mask);
}

const BINOPS: Array<[string, (a: T.Tnum, b: T.Tnum) => T.Tnum, (x: bigint, y: bigint) => bigint]> = [
  ["add", T.add, (x, y) => (x + y) & M64],
  ["sub", T.sub, (x, y) => (x - y) & M64],
  ["mul", T.mul, (x, y) => (x * y) & M64],
  ["and", T.and, (x, y) => x & y],
  ["or", T.or, (x, y) => x | y],
  ["xor", T.xor, (x, y) => x ^ y],
];

describe("tnum transfer functions are sound", () => {
  it.each(BINOPS)("%s contains every concrete result", (_n, abs, conc) => {
    const rng = new Rng(91);
    for (let i = 0; i < 3000; i++) {
      const a = randomTnum(rng);
      const b = randomTnum(rng);
      const r = abs(a, b);
      expect((r.value & r.mask) === 0n).toBe(true);
      for (let k = 0; k < 4; k++) {
        const x = member(rng, a);
        const y = member(rng, b);
        if (!T.contains(r, conc(x, y))) throw new Error(`${_n}(${T.tnumText(a)}, ${T.tnumText(b)}) = ${T.tnumText(r)} misses ${conc(x, y)} from ${x}, ${y}`);
      }
    }
  });

  it("shifts, ranges, casts and subregisters contain every concrete result", () => {
    const rng = new Rng(7);
    for (let i = 0; i < 3000; i++) {
      const a = randomTnum(rng);
      const x = member(rng, a);
      const s = rng.int(64);
      expect(T.contains(T.lshift(a, s), (x << BigInt(s)) & M64)).toBe(true);
      expect(T.contains(T.rshift(a, s), x >> BigInt(s))).toBe(true);
      expect(T.contains(T.arshift(a, s, 64), BigInt.asUintN(64, BigInt.asIntN(64, x) >> BigInt(s)))).toBe(true);
      const s32 = rng.int(32);
      expect(T.contains(T.arshift(T.subreg(a), s32, 32), BigInt.asUintN(32, BigInt.asIntN(32, x & 0xffffffffn) >> BigInt(s32)))).toBe(true);
      expect(T.contains(T.cast(a, 2), x & 0xffffn)).toBe(true);
      const lo = rng.u64();
      const hi = lo + (rng.u64() >> BigInt(rng.int(64)));
      if (hi <= M64) {
        const r = T.tnumRange(lo, hi);
        for (const v of [lo, hi, (lo + hi) / 2n]) expect(T.contains(r, v)).toBe(true);
      }
    }
  });

  it("is exact on constants and reports subset relations", () => {
    expect(T.add(T.tnumConst(2n), T.tnumConst(3n))).toEqual(T.tnumConst(5n));
    expect(T.mul(T.tnumConst(6n), T.tnumConst(7n))).toEqual(T.tnumConst(42n));
    expect(T.tnumRange(0n, 255n)).toEqual({ value: 0n, mask: 0xffn });
    expect(T.tnumIn(T.tnumRange(0n, 255n), T.tnumConst(17n))).toBe(true);
    expect(T.tnumIn(T.tnumConst(17n), T.tnumRange(0n, 255n))).toBe(false);
    expect(T.tnumText(T.tnumRange(0n, 255n))).toBe("(0x0; 0xff)");
    expect(T.isAligned(T.tnum(8n, 0xf0n), 8)).toBe(true);
    expect(T.isAligned(T.tnum(4n, 0n), 8)).toBe(false);
    expect(T.withSubreg(T.tnumConst(0x1_0000_0000n), T.tnumConst(5n))).toEqual(T.tnumConst(0x1_0000_0005n));
  });
});
