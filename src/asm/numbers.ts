// Numeric literals of both assembler syntaxes: decimal, 0x hex, with an optional sign.

/** A literal as a bigint, or null when `text` is not a number. */
export function parseNumber(text: string): bigint | null {
  const m = /^([+-]?)(0x[0-9a-f]+|\d+)$/i.exec(text);
  if (m === null) return null;
  const v = BigInt(m[2]!);
  return m[1] === "-" ? -v : v;
}

/** Fits a signed 32-bit field, accepting unsigned spellings up to 0xffffffff. */
export function toImm32(v: bigint): number | null {
  if (v < -(1n << 31n) || v > 0xffffffffn) return null;
  return Number(BigInt.asIntN(32, v));
}

export function toOff16(v: bigint): number | null {
  if (v < -(1n << 15n) || v > 0x7fffn) return null;
  return Number(v);
}

/** A 64-bit constant (lddw): signed or unsigned spellings. */
export function toImm64(v: bigint): bigint | null {
  if (v < -(1n << 63n) || v > 0xffffffffffffffffn) return null;
  return BigInt.asUintN(64, v);
}

/**
 * Hex bytes as the conformance plugin protocol, `--mem-hex` and the playground give them
 * ("aa bb", "aabb", "0xaa", commas allowed); null when the text is not whole hex bytes.
 */
export function parseHexBytes(text: string): Uint8Array | null {
  const clean = text.replace(/0x/gi, "").replace(/[\s,]/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) return null;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
