// The verifier's knowledge of a scalar: a tnum plus signed and unsigned bounds for the full
// 64-bit value and for its low 32-bit subregister (struct bpf_reg_state's scalar part), with
// the bound propagation and ALU transfer functions of kernel/bpf/verifier.c
// (reg_bounds_sync, adjust_scalar_min_max_vals, reg_set_min_max). Every function here is
// sound: each concrete value the inputs describe has its result described by the output
// (test/verifier/scalar.test.ts checks this on random values). Unsigned fields are bigints in
// [0, 2^64); signed fields are bigints in [-2^63, 2^63).
import * as T from "./tnum.js";
import type { Tnum } from "./tnum.js";

export interface Scalar {
  varOff: Tnum;
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
  s32min: bigint;
  s32max: bigint;
  u32min: bigint;
  u32max: bigint;
}

const U64_MAX = (1n << 64n) - 1n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;
const U32_MAX = 0xffffffffn;
const S32_MIN = -(1n << 31n);
const S32_MAX = (1n << 31n) - 1n;
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);
const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export function scalarKnown(v: bigint): Scalar {
  const x = u64(v);
  return { varOff: T.tnumConst(x), smin: s64(x), smax: s64(x), umin: x, umax: x, s32min: s32(x), s32max: s32(x), u32min: u32(x), u32max: u32(x) };
}

export function scalarUnknown(): Scalar {
  return { varOff: T.TNUM_UNKNOWN, smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX, s32min: S32_MIN, s32max: S32_MAX, u32min: 0n, u32max: U32_MAX };
}

export const scalarClone = (s: Scalar): Scalar => ({ ...s });
export const isConstScalar = (s: Scalar): boolean => T.isConst(s.varOff);

/** Whether the concrete value v is one of s's (used by tests and the explanation mode). */
export function scalarContains(s: Scalar, v: bigint): boolean {
  const x = u64(v);
  const lo = u32(x);
  return (
    T.contains(s.varOff, x) &&
    s64(x) >= s.smin && s64(x) <= s.smax && x >= s.umin && x <= s.umax &&
    s32(lo) >= s.s32min && s32(lo) <= s.s32max && lo >= s.u32min && lo <= s.u32max
  );
}

// ------------------------------------------------------------------ bound propagation

/** Tighten bounds from the tnum (__update_reg_bounds). */
function updateBounds(s: Scalar): void {
  const t = s.varOff;
  const t32 = T.subreg(t);
  s.s32min = max(s.s32min, s32(t32.value | (t32.mask & 0x80000000n)));
  s.s32max = min(s.s32max, s32(t32.value | (t32.mask & 0x7fffffffn)));
  s.u32min = max(s.u32min, t32.value);
  s.u32max = min(s.u32max, t32.value | t32.mask);
  s.smin = max(s.smin, s64(t.value | (t.mask & (1n << 63n))));
  s.smax = min(s.smax, s64(t.value | (t.mask & S64_MAX)));
  s.umin = max(s.umin, t.value);
  s.umax = min(s.umax, t.value | t.mask);
}

/** Signed and unsigned ranges inform each other where a range does not cross the sign boundary. */
function deduceBounds(s: Scalar): void {
  // 32-bit
  if (s.s32min >= 0 || s.s32max < 0) {
    s.u32min = max(s.u32min, u32(s.s32min));
    s.u32max = min(s.u32max, u32(s.s32max));
  }
  if (s32(s.u32min) <= s32(s.u32max)) {
    s.s32min = max(s.s32min, s32(s.u32min));
    s.s32max = min(s.s32max, s32(s.u32max));
  }
  // 64-bit
  if (s.smin >= 0 || s.smax < 0) {
    s.umin = max(s.umin, u64(s.smin));
    s.umax = min(s.umax, u64(s.smax));
  }
  if (s64(s.umin) <= s64(s.umax)) {
    s.smin = max(s.smin, s64(s.umin));
    s.smax = min(s.smax, s64(s.umax));
  }
  // a signed 64-bit range inside the s32 range (or inside one 2^32 block) bounds the subregister
  if (s.smin >= S32_MIN && s.smax <= S32_MAX) {
    s.s32min = max(s.s32min, s.smin);
    s.s32max = min(s.s32max, s.smax);
  } else if (s.smin >> 32n === s.smax >> 32n && s32(s.smin) <= s32(s.smax)) {
    s.s32min = max(s.s32min, s32(s.smin));
    s.s32max = min(s.s32max, s32(s.smax));
  }
  // the 64-bit range within one 2^32 block fixes the subregister's range, and back
  if (s.umin >> 32n === s.umax >> 32n) {
    s.u32min = max(s.u32min, u32(s.umin));
    s.u32max = min(s.u32max, u32(s.umax));
    if (s32(s.u32min) <= s32(s.u32max)) {
      s.s32min = max(s.s32min, s32(s.u32min));
      s.s32max = min(s.s32max, s32(s.u32max));
    }
    const hi = s.umin & ~U32_MAX;
    s.umin = max(s.umin, hi | s.u32min);
    s.umax = min(s.umax, hi | s.u32max);
  }
}

/** Tighten the tnum from the ranges (__reg_bound_offset). */
function boundOffset(s: Scalar): void {
  const v64 = T.intersect(s.varOff, T.tnumRange(s.umin, s.umax));
  const v32 = T.intersect(T.subreg(v64), T.tnumRange(s.u32min, s.u32max));
  s.varOff = T.withSubreg(v64, v32);
}

/** reg_bounds_sync: bring the tnum and the four ranges into agreement. */
export function boundsSync(s: Scalar): Scalar {
  updateBounds(s);
  deduceBounds(s);
  deduceBounds(s);
  boundOffset(s);
  updateBounds(s);
  return s;
}

/** Whether the state describes no value at all (an impossible branch). */
export function isEmpty(s: Scalar): boolean {
  return s.smin > s.smax || s.umin > s.umax || s.s32min > s.s32max || s.u32min > s.u32max || (s.varOff.value & s.varOff.mask) !== 0n;
}

// ------------------------------------------------------------------ ALU

export type AluName = "add" | "sub" | "mul" | "and" | "or" | "xor" | "lsh" | "rsh" | "arsh" | "mov" | "neg" | "other";

/** dst = dst OP src on the full 64-bit value (ALU64). */
export function alu64(op: AluName, d: Scalar, sv: Scalar): Scalar {
  const bothConst = isConstScalar(d) && isConstScalar(sv);
  // constant folding: the result is exact, so skip the tnum and range arithmetic (most of
  // the ALU work of straight-line code and of loop counters)
  if (bothConst) {
    const a = d.varOff.value;
    const b = sv.varOff.value;
    const k = BigInt(Number(b & 63n));
    switch (op) {
      case "add":
        return scalarKnown(u64(a + b));
      case "sub":
        return scalarKnown(u64(a - b));
      case "mul":
        return scalarKnown(u64(a * b));
      case "and":
        return scalarKnown(a & b);
      case "or":
        return scalarKnown(a | b);
      case "xor":
        return scalarKnown(a ^ b);
      case "lsh":
        return scalarKnown(u64(a << k));
      case "rsh":
        return scalarKnown(a >> k);
      case "arsh":
        return scalarKnown(u64(BigInt.asIntN(64, a) >> k));
      default:
        break;
    }
  }
  const r = scalarUnknown();
  switch (op) {
    case "mov":
      return scalarClone(sv);
    case "add": {
      r.varOff = T.add(d.varOff, sv.varOff);
      const lo = d.smin + sv.smin;
      const hi = d.smax + sv.smax;
      if (lo >= S64_MIN && hi <= S64_MAX) [r.smin, r.smax] = [lo, hi];
      const ulo = d.umin + sv.umin;
      const uhi = d.umax + sv.umax;
      if (uhi <= U64_MAX) [r.umin, r.umax] = [ulo, uhi];
      break;
    }
    case "sub": {
      r.varOff = T.sub(d.varOff, sv.varOff);
      const lo = d.smin - sv.smax;
      const hi = d.smax - sv.smin;
      if (lo >= S64_MIN && hi <= S64_MAX) [r.smin, r.smax] = [lo, hi];
      if (d.umin >= sv.umax) [r.umin, r.umax] = [d.umin - sv.umax, d.umax - sv.umin];
      break;
    }
    case "mul": {
      r.varOff = T.mul(d.varOff, sv.varOff);
      if (d.umax * sv.umax <= U64_MAX) [r.umin, r.umax] = [d.umin * sv.umin, d.umax * sv.umax];
      const corners = [d.smin * sv.smin, d.smin * sv.smax, d.smax * sv.smin, d.smax * sv.smax];
      const lo = corners.reduce(min);
      const hi = corners.reduce(max);
      if (lo >= S64_MIN && hi <= S64_MAX) [r.smin, r.smax] = [lo, hi];
      break;
    }
    case "and":
      r.varOff = T.and(d.varOff, sv.varOff);
      r.umax = min(d.umax, sv.umax);
      break;
    case "or":
      r.varOff = T.or(d.varOff, sv.varOff);
      r.umin = max(d.umin, sv.umin);
      break;
    case "xor":
      r.varOff = T.xor(d.varOff, sv.varOff);
      break;
    case "lsh":
    case "rsh":
    case "arsh": {
      if (!isConstScalar(sv)) return scalarUnknown();
      const k = Number(sv.varOff.value & 63n);
      if (op === "lsh") {
        r.varOff = T.lshift(d.varOff, k);
        if (d.umax >> BigInt(64 - k) === 0n || k === 0) [r.umin, r.umax] = [u64(d.umin << BigInt(k)), u64(d.umax << BigInt(k))];
      } else if (op === "rsh") {
        r.varOff = T.rshift(d.varOff, k);
        [r.umin, r.umax] = [d.umin >> BigInt(k), d.umax >> BigInt(k)];
      } else {
        r.varOff = T.arshift(d.varOff, k, 64);
        [r.smin, r.smax] = [d.smin >> BigInt(k), d.smax >> BigInt(k)];
      }
      break;
    }
    case "neg":
      // the kernel computes BPF_NEG as 0 - dst with the subtraction's bounds
      return alu64("sub", scalarKnown(0n), d);
    default:
      return scalarUnknown();
  }
  if (bothConst) return scalarKnown(r.varOff.value);
  return boundsSync(r);
}

/** dst = dst OP src on the low 32 bits, zero-extended (ALU32). */
export function alu32(op: AluName, d: Scalar, sv: Scalar): Scalar {
  // work on the subregisters as 64-bit values in [0, 2^32), then truncate the result
  const lo = (s: Scalar): Scalar => {
    const r = scalarUnknown();
    r.varOff = T.subreg(s.varOff);
    [r.umin, r.umax] = [s.u32min, s.u32max];
    return boundsSync(r);
  };
  const a = lo(d);
  const b = lo(sv);
  let r: Scalar;
  if (op === "arsh") {
    if (!isConstScalar(b)) return zext32(scalarUnknown());
    const k = Number(b.varOff.value & 31n);
    r = scalarUnknown();
    r.varOff = T.arshift(T.subreg(d.varOff), k, 32);
    [r.s32min, r.s32max] = [d.s32min >> BigInt(k), d.s32max >> BigInt(k)];
    return zext32(boundsSync(r));
  }
  if ((op === "lsh" || op === "rsh") && isConstScalar(b)) {
    r = alu64(op, a, scalarKnown(b.varOff.value & 31n));
  } else if (op === "neg") {
    r = alu64("sub", scalarKnown(0n), a);
  } else {
    r = alu64(op, a, b);
  }
  return zext32(r);
}

/** The low 32 bits of s, zero-extended: what every ALU32 result is. */
export function zext32(s: Scalar): Scalar {
  const r = scalarUnknown();
  r.varOff = T.subreg(s.varOff);
  if (s.umax <= U32_MAX) [r.umin, r.umax] = [s.umin, s.umax];
  else if (s.umin >> 32n === s.umax >> 32n) [r.umin, r.umax] = [u32(s.umin), u32(s.umax)];
  else [r.umin, r.umax] = [s.u32min, s.u32max];
  r.u32min = max(r.umin, s.u32min);
  r.u32max = min(r.umax, s.u32max);
  if (r.u32min > r.u32max) [r.u32min, r.u32max] = [s.u32min, s.u32max];
  [r.umin, r.umax] = [r.u32min, r.u32max];
  return boundsSync(r);
}

// ------------------------------------------------------------------ conditional jumps

export type CmpName = "eq" | "ne" | "gt" | "ge" | "lt" | "le" | "sgt" | "sge" | "slt" | "sle" | "set";

/** The 64- or 32-bit view of a scalar as plain ranges. */
interface View {
  umin: bigint;
  umax: bigint;
  smin: bigint;
  smax: bigint;
}
const view = (s: Scalar, is32: boolean): View =>
  is32 ? { umin: s.u32min, umax: s.u32max, smin: s.s32min, smax: s.s32max } : { umin: s.umin, umax: s.umax, smin: s.smin, smax: s.smax };

/**
 * is_branch_taken: 1 when `a OP b` holds for every pair of values, 0 when it holds for none,
 * -1 when it depends.
 */
export function isBranchTaken(a: Scalar, b: Scalar, op: CmpName, is32: boolean): 1 | 0 | -1 {
  const x = view(a, is32);
  const y = view(b, is32);
  const ta = is32 ? T.subreg(a.varOff) : a.varOff;
  const tb = is32 ? T.subreg(b.varOff) : b.varOff;
  const known = T.isConst(ta) && T.isConst(tb);
  switch (op) {
    case "eq":
      if (known) return ta.value === tb.value ? 1 : 0;
      if (x.umin > y.umax || x.umax < y.umin || x.smin > y.smax || x.smax < y.smin) return 0;
      if (((ta.value ^ tb.value) & ~ta.mask & ~tb.mask) !== 0n) return 0;
      return -1;
    case "ne": {
      const r = isBranchTaken(a, b, "eq", is32);
      return r === -1 ? -1 : r === 1 ? 0 : 1;
    }
    case "set":
      if ((ta.value & tb.value) !== 0n) return 1;
      if (((ta.value | ta.mask) & (tb.value | tb.mask)) === 0n) return 0;
      return -1;
    case "gt": return x.umin > y.umax ? 1 : x.umax <= y.umin ? 0 : -1;
    case "ge": return x.umin >= y.umax ? 1 : x.umax < y.umin ? 0 : -1;
    case "lt": return x.umax < y.umin ? 1 : x.umin >= y.umax ? 0 : -1;
    case "le": return x.umax <= y.umin ? 1 : x.umin > y.umax ? 0 : -1;
    case "sgt": return x.smin > y.smax ? 1 : x.smax <= y.smin ? 0 : -1;
    case "sge": return x.smin >= y.smax ? 1 : x.smax < y.smin ? 0 : -1;
    case "slt": return x.smax < y.smin ? 1 : x.smin >= y.smax ? 0 : -1;
    case "sle": return x.smax <= y.smin ? 1 : x.smin > y.smax ? 0 : -1;
  }
}

const NEGATE: Record<CmpName, CmpName | null> = { eq: "ne", ne: "eq", gt: "le", ge: "lt", lt: "ge", le: "gt", sgt: "sle", sge: "slt", slt: "sge", sle: "sgt", set: null };

/**
 * reg_set_min_max: what `a OP b` (when `taken`) or its negation teaches about both
 * operands. Returns refined copies; an empty result means the branch cannot happen.
 */
export function refine(a: Scalar, b: Scalar, op: CmpName, is32: boolean, taken: boolean): [Scalar, Scalar] {
  const cmp = taken ? op : NEGATE[op];
  const ra = scalarClone(a);
  const rb = scalarClone(b);
  if (cmp === null) {
    // `if a & b` not taken: bits known set in b are clear in a (when b is a constant)
    const tb = is32 ? T.subreg(b.varOff) : b.varOff;
    if (!taken && T.isConst(tb)) {
      const clear = T.tnum(0n, ~tb.value & (is32 ? 0xffffffffn : U64_MAX));
      ra.varOff = is32 ? T.withSubreg(ra.varOff, T.and(T.subreg(ra.varOff), clear)) : T.and(ra.varOff, clear);
    }
    return [boundsSync(ra), boundsSync(rb)];
  }
  const set = (s: Scalar, f: Partial<View>): void => {
    if (is32) {
      if (f.umin !== undefined) s.u32min = max(s.u32min, f.umin);
      if (f.umax !== undefined) s.u32max = min(s.u32max, f.umax);
      if (f.smin !== undefined) s.s32min = max(s.s32min, f.smin);
      if (f.smax !== undefined) s.s32max = min(s.s32max, f.smax);
    } else {
      if (f.umin !== undefined) s.umin = max(s.umin, f.umin);
      if (f.umax !== undefined) s.umax = min(s.umax, f.umax);
      if (f.smin !== undefined) s.smin = max(s.smin, f.smin);
      if (f.smax !== undefined) s.smax = min(s.smax, f.smax);
    }
  };
  const x = view(a, is32);
  const y = view(b, is32);
  switch (cmp) {
    case "eq": {
      set(ra, y);
      set(rb, x);
      const ta = is32 ? T.subreg(a.varOff) : a.varOff;
      const tb = is32 ? T.subreg(b.varOff) : b.varOff;
      const both = T.intersect(ta, tb);
      ra.varOff = is32 ? T.withSubreg(ra.varOff, both) : both;
      rb.varOff = is32 ? T.withSubreg(rb.varOff, both) : both;
      break;
    }
    case "ne": {
      // only a constant b at an edge of a's range narrows it
      const tb = is32 ? T.subreg(b.varOff) : b.varOff;
      if (T.isConst(tb)) {
        const k = tb.value;
        const ks = is32 ? BigInt.asIntN(32, k) : BigInt.asIntN(64, k);
        if (x.umin === k) set(ra, { umin: k + 1n });
        if (x.umax === k && k > 0n) set(ra, { umax: k - 1n });
        if (x.smin === ks) set(ra, { smin: ks + 1n });
        if (x.smax === ks) set(ra, { smax: ks - 1n });
      }
      break;
    }
    case "gt": set(ra, { umin: y.umin + 1n }); set(rb, { umax: x.umax - 1n }); break;
    case "ge": set(ra, { umin: y.umin }); set(rb, { umax: x.umax }); break;
    case "lt": set(ra, { umax: y.umax - 1n }); set(rb, { umin: x.umin + 1n }); break;
    case "le": set(ra, { umax: y.umax }); set(rb, { umin: x.umin }); break;
    case "sgt": set(ra, { smin: y.smin + 1n }); set(rb, { smax: x.smax - 1n }); break;
    case "sge": set(ra, { smin: y.smin }); set(rb, { smax: x.smax }); break;
    case "slt": set(ra, { smax: y.smax - 1n }); set(rb, { smin: x.smin + 1n }); break;
    case "sle": set(ra, { smax: y.smax }); set(rb, { smin: x.smin }); break;
  }
  return [boundsSync(ra), boundsSync(rb)];
}

// ------------------------------------------------------------------ loads and printing

/** The value of a `size`-byte zero-extending load or truncation (coerce_reg_to_size). */
export function coerceToSize(s: Scalar, size: 1 | 2 | 4 | 8): Scalar {
  if (size === 8) return scalarClone(s);
  const mask = (1n << BigInt(size * 8)) - 1n;
  const r = scalarUnknown();
  r.varOff = T.cast(s.varOff, size);
  if (s.umin >> BigInt(size * 8) === s.umax >> BigInt(size * 8)) [r.umin, r.umax] = [s.umin & mask, s.umax & mask];
  else [r.umin, r.umax] = [0n, mask];
  return boundsSync(r);
}

/** The kernel's number style in logs: small values in decimal, others in hex of the field's width. */
function num(v: bigint, signed: boolean, bits: 32 | 64): string {
  if (signed ? v >= -32768n && v <= 32767n : v <= 0xffffn) return v.toString();
  return `0x${BigInt.asUintN(bits, v).toString(16)}`;
}

/**
 * A scalar as the verifier log prints it: the constant itself, or
 * `scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))` — only bounds that
 * say something are shown, and equal minimums (or maximums) share one `=` chain.
 */
export function formatScalar(s: Scalar): string {
  if (T.isConst(s.varOff)) return num(BigInt.asIntN(64, s.varOff.value), true, 64);
  type Field = [name: string, text: string | null, group: "min" | "max"];
  const fields: Field[] = [
    ["smin", s.smin === S64_MIN ? null : num(s.smin, true, 64), "min"],
    ["smax", s.smax === S64_MAX ? null : num(s.smax, true, 64), "max"],
    ["umin", s.umin === 0n ? null : num(s.umin, false, 64), "min"],
    ["umax", s.umax === U64_MAX ? null : num(s.umax, false, 64), "max"],
    ["smin32", s.s32min === S32_MIN ? null : num(s.s32min, true, 32), "min"],
    ["smax32", s.s32max === S32_MAX ? null : num(s.s32max, true, 32), "max"],
    ["umin32", s.u32min === 0n ? null : num(s.u32min, false, 32), "min"],
    ["umax32", s.u32max === U32_MAX ? null : num(s.u32max, false, 32), "max"],
  ];
  const parts: Array<{ names: string[]; text: string; group: string }> = [];
  for (const [name, text, group] of fields) {
    if (text === null) continue;
    const same = parts.find((p) => p.group === group && p.text === text);
    if (same !== undefined) same.names.push(name);
    else parts.push({ names: [name], text, group });
  }
  const out = parts.map((p) => `${p.names.join("=")}=${p.text}`);
  if (!T.isUnknown(s.varOff)) out.push(`var_off=${T.tnumText(s.varOff)}`);
  return `scalar(${out.join(",")})`;
}

/**
 * coerce_reg_to_size_sx: the value sign-extended from its low `size` bytes (movsx, ldsx).
 * Keeps a range when the extension preserves it, else the type's whole signed range.
 */
export function coerceToSizeSx(s: Scalar, size: 1 | 2 | 4): Scalar {
  const bits = BigInt(size * 8);
  const sx = (x: bigint): bigint => BigInt.asIntN(Number(bits), x);
  if (isConstScalar(s)) return scalarKnown(sx(s.varOff.value));
  const topMax = u64(s.smax) >> bits;
  const topMin = u64(s.smin) >> bits;
  if (topMax === topMin) {
    const a = sx(s.smax);
    const b = sx(s.smin);
    const hi = max(a, b);
    const lo = min(a, b);
    if (hi >= 0n === lo >= 0n) {
      const r = scalarUnknown();
      r.varOff = T.tnumRange(u64(lo), u64(hi));
      [r.smin, r.smax, r.umin, r.umax] = [lo, hi, u64(lo), u64(hi)];
      return boundsSync(r);
    }
  }
  const r = scalarUnknown();
  const lim = 1n << (bits - 1n);
  [r.smin, r.smax] = [-lim, lim - 1n];
  [r.s32min, r.s32max] = size === 4 ? [S32_MIN, S32_MAX] : [-lim, lim - 1n];
  return boundsSync(r);
}

/** BPF_END that swaps bytes (be on a little-endian host, bswap): the tnum's bytes swapped. */
export function byteSwap(s: Scalar, size: 2 | 4 | 8): Scalar {
  const swap = (x: bigint): bigint => {
    let out = 0n;
    for (let i = 0; i < size; i++) out |= ((x >> BigInt(8 * i)) & 0xffn) << BigInt(8 * (size - 1 - i));
    return out;
  };
  const r = scalarUnknown();
  r.varOff = T.tnum(swap(s.varOff.value), swap(s.varOff.mask));
  if (isConstScalar(r)) return scalarKnown(r.varOff.value);
  return boundsSync(r);
}
