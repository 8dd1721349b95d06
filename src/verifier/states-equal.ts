// states_equal: whether an explored state covers the current one (regsafe, stacksafe,
// check_ids).
import * as S from "./scalar.js";
import * as T from "./tnum.js";
import type { Scalar } from "./scalar.js";
import { EMPTY_SLOT, type Reg, type Slot, type State } from "./state.js";
import type { VerifierEnv } from "./env.js";

/** check_ids: a consistent one-to-one mapping of the old state's ids to the current one's. */
class IdMap {
  private readonly fwd = new Map<number, number>();
  private readonly back = new Map<number, number>();
  check(o: number, c: number): boolean {
    if (o === 0 && c === 0) return true;
    if (o === 0 || c === 0) return o === 0;
    const f = this.fwd.get(o);
    const b = this.back.get(c);
    if (f === undefined && b === undefined) {
      this.fwd.set(o, c);
      this.back.set(c, o);
      return true;
    }
    return f === c && b === o;
  }
}

/** range_within and tnum_in: every value `c` allows, `o` allows too. */
export function rangeWithin(o: Scalar, c: Scalar): boolean {
  return (
    o.umin <= c.umin && o.umax >= c.umax && o.smin <= c.smin && o.smax >= c.smax &&
    o.s32min <= c.s32min && o.s32max >= c.s32max && o.u32min <= c.u32min && o.u32max >= c.u32max &&
    T.tnumIn(o.varOff, c.varOff)
  );
}

function regsafe(o: Reg, c: Reg, ids: IdMap): boolean {
  if (o.type === "not_init") return true;
  if (c.type === "not_init") return false;
  if (o.type !== c.type || o.nullable !== c.nullable) return false;
  if (o.type === "scalar") {
    if (o.addConst !== c.addConst || (o.addConst && o.off !== c.off)) return false;
    if (o.id !== 0 && !ids.check(o.id, c.id)) return false;
    return rangeWithin(o.v, c.v);
  }
  if (o.off !== c.off || o.map !== c.map || o.frameno !== c.frameno) return false;
  if (o.btfId !== c.btfId || o.btfFlags !== c.btfFlags) return false;
  if (o.memSize !== c.memSize || o.callback !== c.callback || !ids.check(o.refObjId, c.refObjId)) return false;
  if (o.range > c.range) return false;
  if (!rangeWithin(o.v, c.v)) return false;
  return ids.check(o.id, c.id);
}

function slotsafe(o: Slot, c: Slot, ids: IdMap): boolean {
  if (o.spill !== null && o.types[7] === "r") {
    if (c.spill === null || c.types.join("") !== o.types.join("")) {
      // an old spilled scalar is covered by data bytes only when nothing was known about it
      return false;
    }
    return regsafe(o.spill, c.spill, ids);
  }
  for (let j = 0; j < 8; j++) {
    const ot = o.types[j]!;
    const ct = c.types[j]!;
    if (ot === "?") {
      if (ct === "r" && c.spill !== null && c.spill.type !== "scalar") return false;
      continue;
    }
    if (ot === "m") {
      if (ct === "r" && c.spill !== null && c.spill.type !== "scalar") return false;
      continue;
    }
    if (ot === "0") {
      if (ct === "0") continue;
      if (ct === "r" && c.spill !== null && c.spill.type === "scalar" && S.isConstScalar(c.spill.v) && c.spill.v.varOff.value === 0n) continue;
      return false;
    }
  }
  return true;
}

/** states_equal (not exact): every value of `c` is a value of `o`, for the parts `o` uses. */
export function statesEqual(env: VerifierEnv, o: State, c: State, pc: number): boolean {
  if (o.frames.length !== c.frames.length) return false;
  if (o.refs.length !== c.refs.length || o.rcuLock !== c.rcuLock) return false;
  if ((o.lock === null) !== (c.lock === null) || (o.lock !== null && o.lock.map !== c.lock!.map)) return false;
  const ids = new IdMap();
  if (o.lock !== null && !ids.check(o.lock.id, c.lock!.id)) return false;
  for (let k = 0; k < o.refs.length; k++) if (!ids.check(o.refs[k]!.id, c.refs[k]!.id)) return false;
  for (let fi = 0; fi < o.frames.length; fi++) {
    const of = o.frames[fi]!;
    const cf = c.frames[fi]!;
    if (of.callsite !== cf.callsite) return false;
    const last = fi === o.frames.length - 1;
    for (let i = 0; i < 11; i++) {
      if (last && i < 10 && (env.live[pc]! & (1 << i)) === 0) continue;
      if (!regsafe(of.regs[i]!, cf.regs[i]!, ids)) return false;
    }
    for (let k = 0; k < of.stack.length; k++) {
      const os = of.stack[k]!;
      const cs = cf.stack[k] ?? EMPTY_SLOT;
      if (!slotsafe(os, cs, ids)) return false;
    }
  }
  return true;
}
