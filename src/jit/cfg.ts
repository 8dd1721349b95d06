// Control-flow recovery for the JIT, in linear time: eBPF has only forward branches and
// loop back-edges in practice, which map onto wasm's `block` (branch forward to its end)
// and `loop` (branch back to its start) without the Relooper's quadratic cost. Flow that
// does not nest (a jump into the middle of a loop) falls back to a dispatch loop.
import type { Insn } from "../isa/insn.js";
import { Class, JmpOp, LD_IMM64, PseudoCall, PseudoLd, opClass, opJmp } from "../isa/opcode.js";

/** A bpf-to-bpf subprogram: slots [start, end). */
export interface FunctionRange {
  readonly start: number;
  readonly end: number;
}

/** Entry 0 plus every bpf-to-bpf call target and callback (ld_imm64 func) target. */
export function splitFunctions(insns: readonly Insn[]): FunctionRange[] {
  const starts = new Set<number>([0]);
  for (let pc = 0; pc < insns.length; pc++) {
    const i = insns[pc]!;
    const t = pc + 1 + i.imm;
    if (i.code === (Class.JMP | JmpOp.CALL) && i.src === PseudoCall.CALL && t >= 0 && t < insns.length) starts.add(t);
    if (i.code === LD_IMM64) {
      if (i.src === PseudoLd.FUNC && t >= 0 && t < insns.length) starts.add(t);
      pc++;
    }
  }
  const sorted = [...starts].sort((a, b) => a - b);
  return sorted.map((start, k) => ({ start, end: sorted[k + 1] ?? insns.length }));
}

/** Where a jump at `pc` goes, or null when the instruction is not a jump. */
export function jumpTarget(ins: Insn, pc: number): number | null {
  const cls = opClass(ins.code);
  if (cls !== Class.JMP && cls !== Class.JMP32) return null;
  const op = opJmp(ins.code);
  if (op === JmpOp.CALL || op === JmpOp.EXIT) return null;
  if (op === JmpOp.JA && cls === Class.JMP32) return pc + 1 + ins.imm;
  return pc + 1 + ins.off;
}

export const isExit = (ins: Insn): boolean => ins.code === (Class.JMP | JmpOp.EXIT);
export const isUncondJump = (ins: Insn): boolean => ins.code === (Class.JMP | JmpOp.JA) || ins.code === (Class.JMP32 | JmpOp.JA);

/** The structure of one function: basic blocks, loops, and forward-branch blocks. */
export interface Structure {
  /** first slot of each basic block, ascending; leaders[0] = function start */
  readonly leaders: number[];
  /** "structured": nested blocks/loops; "dispatch": a label variable and br_table */
  readonly mode: "structured" | "dispatch";
  /** loop end (exclusive, as a block index) by header block index */
  readonly loopEnd: Map<number, number>;
  /** forward-branch targets (block indexes) that open at each scope start (block index; -1 = function) */
  readonly blocksAt: Map<number, number[]>;
  /** block index of a slot that starts a block */
  readonly blockOf: Map<number, number>;
}

export function structure(insns: readonly Insn[], fn: FunctionRange): Structure {
  const leaderSet = new Set<number>([fn.start]);
  for (let pc = fn.start; pc < fn.end; pc++) {
    const ins = insns[pc]!;
    const t = jumpTarget(ins, pc);
    if (t !== null) {
      if (t >= fn.start && t < fn.end) leaderSet.add(t);
      if (pc + 1 < fn.end) leaderSet.add(pc + 1);
    } else if (isExit(ins) && pc + 1 < fn.end) leaderSet.add(pc + 1);
    if (ins.code === LD_IMM64) pc++;
  }
  const leaders = [...leaderSet].sort((a, b) => a - b);
  const blockOf = new Map(leaders.map((l, k) => [l, k]));
  const n = leaders.length;

  // edges from each block's terminator
  const backTo = new Map<number, number>(); // header -> last source block
  const fwd: Array<[number, number]> = []; // [source block, target block]
  for (let k = 0; k < n; k++) {
    const last = lastInsn(insns, leaders[k]!, leaders[k + 1] ?? fn.end);
    const t = jumpTarget(insns[last]!, last);
    if (t === null) continue;
    const tb = blockOf.get(t);
    if (tb === undefined) continue; // out of the function: a trap at run time
    if (tb <= k) backTo.set(tb, Math.max(backTo.get(tb) ?? tb, k));
    else if (tb > k + 1 || isUncondJump(insns[last]!)) fwd.push([k, tb]);
  }

  // loops [h, end) made to nest: a loop overlapping the next one's end grows to contain it
  const loopEnd = new Map<number, number>();
  const stack: number[] = [];
  for (const h of [...backTo.keys()].sort((a, b) => a - b)) {
    const end = backTo.get(h)! + 1;
    while (stack.length > 0 && loopEnd.get(stack[stack.length - 1]!)! <= h) stack.pop();
    // an enclosing loop that ends before this one must grow: it cannot be cut in two
    for (const outer of stack) if (loopEnd.get(outer)! < end) loopEnd.set(outer, end);
    loopEnd.set(h, end);
    stack.push(h);
  }

  // innermost loop of every block (-1: the function scope)
  const inner = new Int32Array(n).fill(-1);
  const open: number[] = [];
  for (let p = 0; p < n; p++) {
    while (open.length > 0 && loopEnd.get(open[open.length - 1]!)! <= p) open.pop();
    if (loopEnd.has(p)) open.push(p);
    inner[p] = open.length > 0 ? open[open.length - 1]! : -1;
  }

  // a forward branch's block opens at the start of its target's innermost loop, which must
  // also contain the source — otherwise the jump enters a loop sideways: irreducible flow
  const blocksAt = new Map<number, number[]>();
  const seen = new Set<number>();
  for (const [src, tb] of fwd) {
    const scope = inner[tb]!;
    if (scope !== -1 && !(src >= scope && src < loopEnd.get(scope)!)) {
      return { leaders, mode: "dispatch", loopEnd: new Map(), blocksAt: new Map(), blockOf };
    }
    if (seen.has(tb)) continue;
    seen.add(tb);
    const list = blocksAt.get(scope) ?? [];
    list.push(tb);
    blocksAt.set(scope, list);
  }
  for (const list of blocksAt.values()) list.sort((a, b) => b - a); // outermost (farthest) first
  // binaryen walks expressions recursively: nesting this deep overflows its stack
  if (nestingDepth(n, loopEnd, blocksAt) > MAX_NESTING) {
    return { leaders, mode: "dispatch", loopEnd: new Map(), blocksAt: new Map(), blockOf };
  }
  return { leaders, mode: "structured", loopEnd, blocksAt, blockOf };
}

/**
 * The deepest nesting of wasm blocks and loops a structured lowering opens (binaryen handles
 * 40,000 in tests; well-formed compiler output stays far below this). Deeper functions are
 * lowered through the dispatch loop, whose nesting is bounded by {@link DISPATCH_GROUP}.
 */
export const MAX_NESTING = 20_000;
/** Blocks per group of a two-level dispatch: nesting ≈ groups + DISPATCH_GROUP. */
export const DISPATCH_GROUP = 1_000;

/** Mirrors the frame stack of the structured lowering (codegen's `structured`) without building it. */
function nestingDepth(n: number, loopEnd: Map<number, number>, blocksAt: Map<number, number[]>): number {
  const close: number[] = [];
  let max = 0;
  const open = (scope: number): void => {
    for (const t of blocksAt.get(scope) ?? []) close.push(t);
  };
  open(-1);
  max = close.length;
  for (let p = 0; p < n; p++) {
    while (close.length > 0 && close[close.length - 1] === p) close.pop();
    const end = loopEnd.get(p);
    if (end !== undefined) {
      close.push(end);
      open(p);
    }
    if (close.length > max) max = close.length;
  }
  return max;
}

/** The last instruction slot of a basic block [start, end) (the first slot of a trailing lddw). */
export function lastInsn(insns: readonly Insn[], start: number, end: number): number {
  let last = start;
  for (let pc = start; pc < end; pc++) {
    last = pc;
    if (insns[pc]!.code === LD_IMM64) pc++;
  }
  return last;
}
