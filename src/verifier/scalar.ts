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
  const r = scalarUnknown();
  const bothConst = isConstScalar(d) && isConstScalar(sv);
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
      if (isConstScalar(d)) return scalarKnown(-d.varOff.value);
      return scalarUnknown();
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
    r = isConstScalar(a) ? scalarKnown(-a.varOff.value) : scalarUnknown();
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
