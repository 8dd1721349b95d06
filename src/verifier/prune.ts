// Explored states: prune points (mark_prune_point), is_state_visited with its checkpoints
// and loop detection, and the state hashes compared before the full comparison.
import { Class, JmpOp, PseudoCall, opClass, opJmp } from "../isa/opcode.js";
import { ERRNO } from "../errors.js";
import { isCallbackHelper } from "./helpers.js";
import { EMPTY_SLOT, cloneState, cur, formatFrame, unknownReg, type Reg, type State } from "./state.js";
import type { Checkpoint, Path, VerifierEnv } from "./env.js";
import { fail } from "./reject.js";
import { rangeWithin, statesEqual } from "./states-equal.js";

/** Scalars of `c` that differ from those of `o` (same frames) become unknown. */
function widenScalars(o: State, c: State): void {
  if (o.frames.length !== c.frames.length) return;
  const differs = (a: Reg, b: Reg): boolean => a.type === "scalar" && b.type === "scalar" && !rangeWithin(a.v, b.v);
  o.frames.forEach((of, fi) => {
    const cf = c.frames[fi]!;
    if (of.callsite !== cf.callsite) return;
    for (let i = 0; i < 10; i++) if (differs(of.regs[i]!, cf.regs[i]!)) cf.regs[i] = unknownReg();
    for (let k = 0; k < Math.min(of.stack.length, cf.stack.length); k++) {
      const os = of.stack[k]!;
      const cs = cf.stack[k]!;
      if (os.spill !== null && cs.spill !== null && os.types.join("") === cs.types.join("") && differs(os.spill, cs.spill)) {
        cf.stack[k] = { types: cs.types, spill: unknownReg() };
      } else if (os.spill === null && cs.spill === null && os.types.join("") !== cs.types.join("")) {
        // zero bytes against other data: data
        cf.stack[k] = { types: cs.types.map((t, j) => (t === "0" && os.types[j] !== "0" ? "m" : t)), spill: null };
      }
    }
  });
}

const mix = (h: number, x: number): number => Math.imul(h ^ (x | 0), 0x01000193) ^ (Math.floor(x / 4294967296) | 0);

const REG_HASHES = new WeakMap<Reg, number>();

function regHash(r: Reg): number {
  let h = REG_HASHES.get(r);
  if (h !== undefined) return h;
  h = 0x811c9dc5;
  for (let i = 0; i < r.type.length; i++) h = mix(h, r.type.charCodeAt(i));
  h = mix(h, (r.nullable ? 1 : 0) | (r.id !== 0 ? 2 : 0) | (r.addConst ? 4 : 0) | (r.refObjId !== 0 ? 8 : 0));
  h = mix(mix(mix(mix(mix(mix(h, r.off), r.map), r.frameno), r.range), r.memSize), r.callback);
  if (r.type !== "not_init") {
    const v = r.v;
    // Number() of a bigint keeps its magnitude (approximately): enough for a hash
    h = mix(mix(mix(h, Number(v.varOff.value)), Number(v.varOff.mask)), Number(v.smin));
    h = mix(mix(mix(h, Number(v.smax)), Number(v.umin)), Number(v.umax));
    h = mix(mix(h, Number(v.s32min)), Number(v.u32max));
  }
  REG_HASHES.set(r, h);
  return h;
}

const REG_KEYS = new WeakMap<Reg, string>();

function regKey(r: Reg): string {
  let k = REG_KEYS.get(r);
  if (k === undefined) {
    k = regKeyOf(r);
    REG_KEYS.set(r, k);
  }
  return k;
}

function regKeyOf(r: Reg): string {
  if (r.type === "not_init") return "-";
  const v = r.v;
  return `${r.type}${r.nullable ? "?" : ""}${r.off},${r.map},${r.frameno},${r.range},${r.id !== 0 ? "i" : ""}${r.addConst ? "+" : ""},${r.refObjId !== 0 ? "r" : ""},${r.memSize},${r.callback},${r.btfId},${r.btfFlags}:${v.varOff.value},${v.varOff.mask},${v.smin},${v.smax},${v.umin},${v.umax},${v.s32min},${v.s32max},${v.u32min},${v.u32max}`;
}

const MAX_PRUNE_COMPARE = 256;

/** mark_prune_point: jump targets, conditional jumps and calls that enter subprograms or callbacks. */
export function markPrunePoints(env: VerifierEnv): void {
  env.insns.forEach((ins, pc) => {
    const cls = opClass(ins.code);
    if (cls !== Class.JMP && cls !== Class.JMP32) return;
    const op = opJmp(ins.code);
    if (op === JmpOp.EXIT) return;
    if (op === JmpOp.CALL) {
      if (ins.src === PseudoCall.CALL || (ins.src === 0 && isCallbackHelper(ins.imm))) env.pruneAt[pc] = 1;
      return;
    }
    const target = pc + 1 + (ins.code === (Class.JMP32 | JmpOp.JA) ? ins.imm : ins.off);
    if (target >= 0 && target < env.insns.length) env.pruneAt[target] = 1;
    if (op !== JmpOp.JA) env.pruneAt[pc] = 1;
  });
}

/** A path through `c` ended: a checkpoint with no branches left may prune, and leaves loop detection. */
export function settle(env: VerifierEnv, c: Checkpoint | null): void {
  while (c !== null) {
    c.branches--;
    if (c.branches > 0) return;
    env.inactive[c.pc]!++;
    const keys = env.activeKeys.get(c.pc);
    if (keys !== undefined) {
      const same = (keys.get(c.key) ?? []).filter((x) => x !== c);
      if (same.length === 0) keys.delete(c.key);
      else keys.set(c.key, same);
    }
    c = c.parent;
  }
}

/** is_state_visited: true when an explored state covers this one (prune). */
export function isStateVisited(env: VerifierEnv, p: Path): boolean {
  const active = env.activeKeys.get(p.pc);
  let sawLoop = false;
  let key: number | null = null;
  const ins = env.insns[p.pc]!;
  // a call that schedules callbacks is revisited by design: no loop check, and its states
  // may prune while still being explored (calls_callback in is_state_visited)
  const cbSite = ins.code === (Class.JMP | JmpOp.CALL) && ins.src === 0 && isCallbackHelper(ins.imm);
  if (cbSite) {
    const list = env.explored.get(p.pc) ?? [];
    for (const c of list) {
      if (statesEqual(env, c.state, p.state, p.pc)) {
        c.hit++;
        return true;
      }
    }
    // Not covered: where this state differs from the last one seen here only in scalar
    // values, forget those values (an over-approximation, so sound). The kernel converges
    // through imprecise scalars instead; this makes counters kept across callback visits
    // converge in two visits rather than one per iteration.
    const last = list[list.length - 1];
    if (last !== undefined) widenScalars(last.state, p.state);
  } else if (active !== undefined && active.size > 0) {
    sawLoop = true;
    key = stateHash(env, p.state, p.pc);
    const cands = active.get(key);
    if (cands !== undefined) {
      const exact = exactKey(env, p.state, p.pc);
      if (cands.some((c) => exactKey(env, c.state, p.pc) === exact)) {
        const text = formatFrame(cur(p.state), env.maps);
        fail(ERRNO.EINVAL, `infinite loop detected at insn ${p.pc}`, `cur state:${text}`, `old state:${text}`);
      }
    }
  }
  const list = env.explored.get(p.pc) ?? [];
  // only finished states can prune: skip the scan when every state here is still explored
  for (let k = env.inactive[p.pc]! > 0 ? list.length - 1 : -1, n = 0; k >= 0 && n < MAX_PRUNE_COMPARE; k--, n++) {
    const c = list[k]!;
    if (c.branches > 0) continue;
    if (statesEqual(env, c.state, p.state, p.pc)) {
      c.hit++;
      return true;
    }
    if (++c.miss > c.hit * 3 + 3) {
      list.splice(k, 1);
      env.inactive[p.pc]!--;
      env.curStates--;
    }
  }
  let add = cbSite || (env.jumps - env.prevJumps >= 2 && env.processed - env.prevProcessed >= 8);
  if (!cbSite && sawLoop && env.jumps - env.prevJumps < 20 && env.processed - env.prevProcessed < 100) add = false;
  if (!add) return false;
  env.prevJumps = env.jumps;
  env.prevProcessed = env.processed;
  key ??= stateHash(env, p.state, p.pc);
  const c: Checkpoint = { pc: p.pc, state: cloneState(p.state), key, parent: p.checkpoint, branches: 1, hit: 0, miss: 0 };
  list.push(c);
  env.explored.set(p.pc, list);
  const keys = env.activeKeys.get(p.pc) ?? new Map<number, Checkpoint[]>();
  keys.set(key, [...(keys.get(key) ?? []), c]);
  env.activeKeys.set(p.pc, keys);
  p.checkpoint = c;
  env.totalStates++;
  env.curStates++;
  env.peakStates = Math.max(env.peakStates, env.curStates);
  env.maxStatesPerInsn = Math.max(env.maxStatesPerInsn, list.length);
  return false;
}

/** A hash of exactKey's contents (equal states hash equal; unequal ones rarely do). */
function stateHash(env: VerifierEnv, s: State, pc: number): number {
  const live = env.live[pc]!;
  let h = mix(mix(0x811c9dc5, s.refs.length), s.lock === null ? -1 : s.lock.map);
  for (let fi = 0; fi < s.frames.length; fi++) {
    const f = s.frames[fi]!;
    h = mix(h, f.callsite + 7);
    const last = fi === s.frames.length - 1;
    for (let i = 0; i < f.regs.length; i++) {
      if (last && i < 10 && (live & (1 << i)) === 0) continue;
      h = mix(h, regHash(f.regs[i]!));
    }
    for (let k = 0; k < f.stack.length; k++) {
      const sl = f.stack[k]!;
      if (sl === EMPTY_SLOT) continue;
      h = mix(h, k);
      for (const t of sl.types) h = mix(h, t.charCodeAt(0));
      if (sl.spill !== null) h = mix(h, regHash(sl.spill));
    }
  }
  return h;
}

/** A string equal for two states exactly when their live contents are the same. */
function exactKey(env: VerifierEnv, s: State, pc: number): string {
  const live = env.live[pc]!;
  const parts: string[] = [`refs${s.refs.length}`, s.lock === null ? "-" : `L${s.lock.map}`];
  s.frames.forEach((f, fi) => {
    parts.push(`F${f.callsite}`);
    f.regs.forEach((r, i) => {
      if (fi === s.frames.length - 1 && i < 10 && (live & (1 << i)) === 0) return;
      parts.push(regKey(r));
    });
    f.stack.forEach((sl, k) => {
      if (sl === EMPTY_SLOT) return;
      parts.push(`${k}:${sl.types.join("")}${sl.spill !== null ? regKey(sl.spill) : ""}`);
    });
  });
  return parts.join("|");
}
