// Tristate numbers: the verifier's bit-level knowledge of a 64-bit scalar. A bit is known
// (mask bit 0, value bit = its value) or unknown (mask bit 1, value bit 0). The operations
// are the sound and, for add/sub/and/or/xor/shifts, optimal transfer functions the kernel
// uses (kernel/bpf/tnum.c; Vishwanathan et al., "Sound, Precise, and Fast Abstract
// Interpretation with Tristate Numbers", CGO 2022). All values are unsigned 64-bit bigints.

export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

const M64 = (1n << 64n) - 1n;
const M32 = 0xffffffffn;
const u = (x: bigint): bigint => x & M64;

export const tnum = (value: bigint, mask: bigint): Tnum => ({ value: u(value) & ~u(mask) & M64, mask: u(mask) });
export const tnumConst = (v: bigint): Tnum => ({ value: u(v), mask: 0n });
export const TNUM_UNKNOWN: Tnum = { value: 0n, mask: M64 };

export const isConst = (a: Tnum): boolean => a.mask === 0n;
export const isUnknown = (a: Tnum): boolean => a.mask === M64;
export const equalsConst = (a: Tnum, v: bigint): boolean => a.mask === 0n && a.value === u(v);

/** The tnum of every value in [min, max] (unsigned). */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = u(min) ^ u(max);
  const bits = chi === 0n ? 0 : chi.toString(2).length;
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return { value: u(min) & ~delta, mask: delta };
}

export const lshift = (a: Tnum, s: number): Tnum => ({ value: u(a.value << BigInt(s)), mask: u(a.mask << BigInt(s)) });
export const rshift = (a: Tnum, s: number): Tnum => ({ value: a.value >> BigInt(s), mask: a.mask >> BigInt(s) });

/** Arithmetic shift right of the low `bits` (32 or 64) bits, as the kernel's tnum_arshift. */
export function arshift(a: Tnum, s: number, bits: 32 | 64): Tnum {
  const sx = (x: bigint): bigint => BigInt.asUintN(bits, BigInt.asIntN(bits, x) >> BigInt(s));
  return { value: sx(a.value), mask: sx(a.mask) };
}

export function add(a: Tnum, b: Tnum): Tnum {
  const sm = u(a.mask + b.mask);
  const sv = u(a.value + b.value);
  const sigma = u(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return { value: sv & ~mu & M64, mask: mu };
}

export function sub(a: Tnum, b: Tnum): Tnum {
  const dv = u(a.value - b.value);
  const alpha = u(dv + a.mask);
  const beta = u(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return { value: dv & ~mu & M64, mask: mu };
}

export function and(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return { value: v, mask: alpha & beta & ~v & M64 };
}

export function or(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  return { value: v, mask: (a.mask | b.mask) & ~v & M64 };
}

export function xor(a: Tnum, b: Tnum): Tnum {
  const mu = a.mask | b.mask;
  return { value: (a.value ^ b.value) & ~mu & M64, mask: mu };
}

/** Multiplication as long multiplication over the known and unknown bits of `a`. */
export function mul(a: Tnum, b: Tnum): Tnum {
  let accMask: Tnum = tnumConst(0n);
  const accValue = u(a.value * b.value);
  let x = a;
  let y = b;
  while (x.value !== 0n || x.mask !== 0n) {
    if ((x.value & 1n) !== 0n) accMask = add(accMask, { value: 0n, mask: y.mask });
    else if ((x.mask & 1n) !== 0n) accMask = add(accMask, { value: 0n, mask: y.value | y.mask });
    x = rshift(x, 1);
    y = lshift(y, 1);
  }
  return add(tnumConst(accValue), accMask);
}

/** What both describe (the knowledge of a and of b together). */
export function intersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: v & ~mu & M64, mask: mu };
}

/** The low `size` bytes. */
export function cast(a: Tnum, size: 1 | 2 | 4 | 8): Tnum {
  const m = size === 8 ? M64 : (1n << BigInt(size * 8)) - 1n;
  return { value: a.value & m, mask: a.mask & m };
}

/** Whether every value of `b` is a value of `a`. */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if ((b.mask & ~a.mask & M64) !== 0n) return false;
  return a.value === (b.value & ~a.mask & M64);
}

/** Whether the concrete value `v` is one of `a`'s. */
export const contains = (a: Tnum, v: bigint): boolean => (u(v) & ~a.mask & M64) === a.value;

/** Whether every value is a multiple of `size` (a power of two). */
export const isAligned = (a: Tnum, size: number): boolean => size === 0 || ((a.value | a.mask) & BigInt(size - 1)) === 0n;

export const subreg = (a: Tnum): Tnum => cast(a, 4);
export const clearSubreg = (a: Tnum): Tnum => lshift(rshift(a, 32), 32);
export const withSubreg = (reg: Tnum, sub: Tnum): Tnum => or(clearSubreg(reg), subreg(sub));
export const constSubreg = (a: Tnum, v: bigint): Tnum => withSubreg(a, tnumConst(v & M32));

/** The kernel's text for a tnum: `(0x0; 0xff)` (tnum_strn). */
export const tnumText = (a: Tnum): string => `(${hex(a.value)}; ${hex(a.mask)})`;
const hex = (x: bigint): string => (x === 0n ? "0x0" : `0x${x.toString(16)}`);
