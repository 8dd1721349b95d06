import { describe, expect, it } from "vitest";
import { alu32, alu64, coerceToSize, formatScalar, refine, scalarKnown, scalarUnknown, type Scalar } from "../../src/verifier/scalar.js";

// Register states printed by Linux 6.18's verifier (log level 2) after these instructions,
// recorded with kbpf.py from socket_filter programs; the loads read __sk_buff fields, which the
// verifier treats as unknown values of the load's size.
const ld = (size: 1 | 2 | 4 | 8): Scalar => coerceToSize(scalarUnknown(), size);
const k = scalarKnown;

const CASES: Array<[string, Scalar, string]> = [
  ["r0 = *(u32 *)(r1 +0)", ld(4), "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))"],
  ["r0 = *(u8 *)(r1 +0)", ld(1), "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"],
  ["u32 load; r0 &= 255", alu64("and", ld(4), k(255n)), "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"],
  ["u8 load; r0 <<= 4", alu64("lsh", ld(1), k(4n)), "scalar(smin=smin32=0,smax=umax=smax32=umax32=4080,var_off=(0x0; 0xff0))"],
  ["u8 load; r0 += 10", alu64("add", ld(1), k(10n)), "scalar(smin=umin=smin32=umin32=10,smax=umax=smax32=umax32=265,var_off=(0x0; 0x1ff))"],
  ["u8 load; r0 -= 10", alu64("sub", ld(1), k(10n)), "scalar(smin=smin32=-10,smax=smax32=245)"],
  ["u32 load; w0 += 1", alu32("add", ld(4), k(1n)), "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))"],
  ["u8 load; r0 |= 256", alu64("or", ld(1), k(256n)), "scalar(smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=511,var_off=(0x100; 0xff))"],
  ["u32 load; r0 <<= 32", alu64("lsh", ld(4), k(32n)), "scalar(smax=0x7fffffff00000000,umax=0xffffffff00000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0xffffffff00000000))"],
  ["... r0 s>>= 40", alu64("arsh", alu64("lsh", ld(4), k(32n)), k(40n)), "scalar(smin=0xffffffffff800000,smax=smax32=0x7fffff,smin32=0xff800000)"],
  ["u32 load; if r0 > 0x7 (not taken)", refine(ld(4), k(7n), "gt", false, false)[0], "scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))"],
  ["... r0 += 1", alu64("add", refine(ld(4), k(7n), "gt", false, false)[0], k(1n)), "scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=8,var_off=(0x0; 0xf))"],
  ["u8 load; r0 *= 3", alu64("mul", ld(1), k(3n)), "scalar(smin=smin32=0,smax=umax=smax32=umax32=765,var_off=(0x0; 0x3ff))"],
  ["u8 load; r0 ^= 240", alu64("xor", ld(1), k(240n)), "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"],
  ["r0 = -1", k(-1n), "-1"],
  ["r0 = 0x100000000 ll", k(0x100000000n), "0x100000000"],
];

describe("scalar states as Linux prints them", () => {
  it.each(CASES)("%s", (_insn, state, kernel) => {
    expect(formatScalar(state)).toBe(kernel);
  });
});
