// RFC 9669 arithmetic on unsigned 64-bit bigints. Every function takes and returns values
// in [0, 2^64); 32-bit forms take the low 32 bits and return a zero-extended result.

const M64 = (1n << 64n) - 1n;
const M32 = 0xffffffffn;

export const u64 = (x: bigint): bigint => x & M64;
export const u32 = (x: bigint): bigint => x & M32;
export const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
export const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);

/** Signed division truncating toward zero; x / 0 = 0; INT_MIN / -1 wraps to INT_MIN. */
export function sdiv(a: bigint, b: bigint, bits: 32 | 64): bigint {
  if (b === 0n) return 0n;
  const x = BigInt.asIntN(bits, a);
  const y = BigInt.asIntN(bits, b);
  return BigInt.asUintN(bits, x / y);
}

/** Signed remainder with the dividend's sign; x % 0 = x; INT_MIN % -1 = 0. */
export function smod(a: bigint, b: bigint, bits: 32 | 64): bigint {
  const x = BigInt.asIntN(bits, a);
  const y = BigInt.asIntN(bits, b);
  if (y === 0n) return BigInt.asUintN(bits, x);
  return BigInt.asUintN(bits, x % y);
}

/** Reverse the low `bits` bits' bytes; the result is zero-extended. */
export function bswap(x: bigint, bits: 16 | 32 | 64): bigint {
  let out = 0n;
  for (let i = 0n; i < BigInt(bits); i += 8n) out = (out << 8n) | ((x >> i) & 0xffn);
  return out;
}

/** Sign-extend the low `bits` bits of x, as an unsigned value of width `width`. */
export function sext(x: bigint, bits: number, width: 32 | 64): bigint {
  return BigInt.asUintN(width, BigInt.asIntN(bits, x));
}
