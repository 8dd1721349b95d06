// eBPF → WebAssembly lowering with binaryen. Registers are i64 locals; every subprogram is
// one wasm function (r6-r9 are callee-saved for free: they are the callee's own locals);
// memory is the shared guest memory imported as "env"."memory", addresses are i32 offsets.
import { TrapKind } from "../errors.js";
import type { Insn } from "../isa/insn.js";
import { ldImm64Value } from "../isa/insn.js";
import { checkInsn } from "../isa/decode.js";
import { CPU_ID_ADDR, STACK_FRAME_SIZE } from "../isa/layout.js";
import { BPF_MAX_LOOPS, MAX_CALL_FRAMES } from "../isa/limits.js";
import { HELPER } from "../isa/helpers.js";
import {
  AluOp,
  AtomicOp,
  Class,
  EndSource,
  JmpOp,
  LD_IMM64,
  Mode,
  PseudoCall,
  PseudoLd,
  Source,
  opAlu,
  opClass,
  opJmp,
  opMode,
  opSize,
  opSource,
  sizeBytes,
} from "../isa/opcode.js";
import { DISPATCH_GROUP, MAX_NESTING, isExit, isUncondJump, jumpTarget, lastInsn, splitFunctions, structure, type FunctionRange, type Structure } from "./cfg.js";
import type { VerifierFacts } from "../exec/facts.js";
import type { InlineArrayLookup, PseudoResolver } from "../exec/run.js";
import { pseudoFuncValue } from "../exec/callbacks.js";
import type { Binaryen } from "./binaryen-loader.js";
import { WasmModule, type ExpressionRef, type WasmOps } from "./wasm-module.js";

type Expr = ExpressionRef;

export interface CodegenResult {
  readonly module: WasmModule;
  /** helper ids the module imports as "helpers"."h<id>" */
  readonly helperIds: number[];
  /** per-function structuring mode, for tests and diagnostics */
  readonly modes: Array<"structured" | "dispatch">;
}

// locals: params r1..r5, r10, r0, r6..r9; then two i64 temporaries, the dispatch label,
// the frame's stack floor and an i32 address temporary
const P_R10 = 5;
const L_R0 = 6;
const L_TMP = 11;
const L_TMP2 = 12;
const L_LABEL = 13;
const L_STACK_LO = 14;
const L_ADDR = 15;
// unverified code keeps its fuel and bounds in locals: V8 keeps them in registers, while
// globals would be reloaded around every call
const L_FUEL = 16;
const L_CTX_LO = 17;
const L_CTX_END = 18;
const L_STACK_HI = 19;
/** first slot of the metered segment whose charge failed */
const L_BUDGET_PC = 20;
const localOf = (r: number): number => (r === 0 ? L_R0 : r <= 5 ? r - 1 : r === 10 ? P_R10 : r + 1);

/** Loops of one basic block up to this many slots are emitted twice per iteration. */
const UNROLL_MAX_SLOTS = 16;

/** The largest helper id callx reaches through the in-module dispatch table; larger ids go through JS. */
export const CALLX_TABLE_LIMIT = 4096;

/**
 * `registered`: the helper ids of the registry; a `call` of any other id traps at its pc.
 */
export function generate(
  b: Binaryen,
  insns: readonly Insn[],
  facts: VerifierFacts | null,
  registered: ReadonlySet<number>,
  pseudo: PseudoResolver | null = null,
  inlineArray: ((mapAddr: bigint) => InlineArrayLookup | null) | null = null,
  reentrant: ReadonlyMap<number, "callback" | "tail_call"> = new Map(),
  inlineLoop = false,
  inlineCpuId = false,
): CodegenResult {
  const w = new WasmModule(b, ["signExt", "mutableGlobals", "bulkMemory"]);
  const m = w.ops;
  w.importMemory("env", "memory");
  const i64 = w.i64;
  const i32 = w.i32;
  w.importGlobal("fp0", "env", "fp0", i64, true);
  for (const a of ["a1", "a2", "a3", "a4", "a5"]) w.importGlobal(a, "env", a, i64, true);
  w.importGlobal("ctxLo", "env", "ctxLo", i64, true);
  w.importGlobal("ctxEnd", "env", "ctxEnd", i64, true);
  w.importGlobal("fuel", "env", "fuel", i32, true);
  w.importGlobal("depth", "env", "depth", i32, true);
  // pc of the helper call in progress, for the traps a JS helper raises (memory checks)
  w.importGlobal("hpc", "env", "hpc", i32, true);
  w.importFunction("trap", "env", "trap", [i32, i32], w.none);
  // (first slot of the metered segment, fuel left): the budget ran out inside the segment
  w.importFunction("budget", "env", "budget", [i32, i32], w.none);
  w.importFunction("check", "env", "check", [i64, i32, i32, i32], i32);
  // (address low, high, size) -> where a probe load there reads, 0 where it faults (only modules with a probe load import it)
  if (facts?.insn.some((f) => f?.probeMem === true) === true) w.importFunction("probe", "env", "probe", [i32, i32, i32], i32);
  // callx to a helper id outside the in-module dispatch table (or to no helper: it traps)
  w.importFunction("callxSlow", "env", "callx", [i64, i64, i64, i64, i64, i64, i32], i64);
  const helperSig = [i64, i64, i64, i64, i64];
  // (r1..r5, r10, r0, r6..r9): the callee starts with the caller's registers, as in the
  // interpreter; r6-r9 stay callee-saved because the callee's copies are its own locals
  const fnSig = Array<number>(11).fill(i64);

  const fns = splitFunctions(insns);
  const fnIndex = new Map(fns.map((f, k) => [f.start, k]));
  const helperIds = new Set<number>();
  const modes: Array<"structured" | "dispatch"> = [];

  const g = new Lowering(w, insns, facts, fnIndex, helperIds, (id) => registered.has(id), pseudo, inlineArray, reentrant, inlineLoop, inlineCpuId);
  // a tail call: the helper sets "tail" when the jump is to happen; "tailcall" (JS) runs the
  // target with the caller's registers and frame, and its r0 is the caller's
  const usesTail = insns.some((ins) => ins.code === (Class.JMP | JmpOp.CALL) && ins.src === PseudoCall.HELPER && reentrant.get(ins.imm) === "tail_call");
  // the frame pointer at a helper call that runs BPF code: callbacks get the next frame down
  const usesReentrant = insns.some((ins) => ins.code === (Class.JMP | JmpOp.CALL) && ins.src === PseudoCall.HELPER && reentrant.has(ins.imm));
  if (usesReentrant) w.importGlobal("hfp", "env", "hfp", i64, true);
  if (usesTail) {
    w.importGlobal("tail", "env", "tail", i32, true);
    w.importFunction("tailcall", "env", "tailcall", [i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64], i64);
  }
  fns.forEach((fn, k) => {
    const st = structure(insns, fn);
    modes.push(st.mode);
    const body = st.mode === "structured" ? g.structured(fn, st) : g.dispatch(fn, st);
    // running off the end of a subprogram continues in the next one, in the same frame (as
    // the interpreter does; the kernel's verifier rejects such programs); off the last one traps
    const off = k + 1 < fns.length ? g.fallInto(k + 1) : [g.trap(TrapKind.BadJump, fn.end), m.unreachable()];
    const main = m.block(null, [...g.prologue(), body, ...off], w.none);
    // unverified code leaves through one out-of-line exit when the fuel runs out
    const entry = facts !== null ? main : m.block(null, [m.block("budget", [main]), g.budgetExit(), m.unreachable()], w.none);
    w.addFunction(`f${k}`, fnSig, i64, [i64, i64, i32, i64, i32, i32, i64, i64, i64, i32], entry);
  });
  if (g.usesCallx) {
    const ids = [...registered].filter((id) => id >= 0 && id < CALLX_TABLE_LIMIT).sort((a, c) => a - c);
    for (const id of ids) helperIds.add(id);
    w.addFunction("callx", [i64, i64, i64, i64, i64, i64, i32], i64, [], g.callxDispatch(ids));
  }
  for (const id of [...helperIds].sort((a, c) => a - c)) w.importFunction(`h${id}`, "helpers", `h${id}`, helperSig, i64);
  // `run()` takes r1..r5 and r10 from globals the host sets once per set-up, so a repeated
  // run crosses the JS boundary with no arguments (BigInt conversions cost ~5 ns each)
  const gi = (n: string): number => m.global.get(n, i64);
  const zeros = [0, 6, 7, 8, 9].map(() => g.k64(0n)); // r0, r6..r9 start at 0
  w.addFunction("run", [], i64, [], m.call("f0", [gi("a1"), gi("a2"), gi("a3"), gi("a4"), gi("a5"), gi("fp0"), ...zeros], i64));
  w.exportFunction("run");
  // every function of the program is exported: the host puts them in the shared table, so
  // other modules (trampolines, tail calls, AssemblyScript callbacks) reach them with
  // call_indirect. Not imported: V8 keeps every instance that imports a table alive as long as
  // the table lives, and programs come and go while the machine's table stays.
  fns.forEach((_, k) => w.exportFunction(`f${k}`));
  return { module: w, helperIds: [...helperIds], modes };
}

class Lowering {
  private readonly m: WasmOps;
  private readonly i64: number;
  private readonly i32: number;
  private readonly r10Intact: boolean;
  /** whether some callx was lowered (the module then gets its helper dispatch function) */
  usesCallx = false;
  constructor(
    private readonly mod: WasmModule,
    private readonly insns: readonly Insn[],
    private readonly facts: VerifierFacts | null,
    private readonly fnIndex: Map<number, number>,
    private readonly helperIds: Set<number>,
    private readonly available: (id: number) => boolean,
    private readonly pseudo: PseudoResolver | null,
    private readonly inlineArray: ((mapAddr: bigint) => InlineArrayLookup | null) | null,
    private readonly reentrant: ReadonlyMap<number, "callback" | "tail_call">,
    /** bpf_loop calls whose callback the verifier names (facts.callbackInR2) run it from wasm */
    private readonly inlineLoop: boolean,
    /** helper 8 is the machine's bpf_get_smp_processor_id: load the CPU id inline, as Linux's JIT does */
    private readonly inlineCpuId: boolean,
  ) {
    this.m = mod.ops;
    this.i64 = mod.i64;
    this.i32 = mod.i32;
    this.r10Intact = !insns.some((ins, pc) => writesRegister(ins, 10) && !(pc > 0 && insns[pc - 1]!.code === LD_IMM64));
  }

  // ------------------------------------------------------------ small builders
  private get(r: number): Expr {
    return this.m.local.get(localOf(r), this.i64);
  }
  private set(r: number, v: Expr): Expr {
    return this.m.local.set(localOf(r), v);
  }
  k64(v: bigint): Expr {
    return this.mod.i64Const(v);
  }
  private w(x: Expr): Expr {
    return this.m.i32.wrap(x);
  }
  private z(x: Expr): Expr {
    return this.m.i64.extend_u(x);
  }
  trap(kind: TrapKind, pc: number): Expr {
    return this.m.call("trap", [this.m.i32.const(kind), this.m.i32.const(pc)], this.mod.none);
  }
  prologue(): Expr[] {
    const m = this.m;
    const out = [m.local.set(L_STACK_LO, m.i64.sub(m.local.get(P_R10, this.i64), this.k64(BigInt(STACK_FRAME_SIZE))))];
    if (this.facts !== null) return out;
    return [
      ...out,
      m.local.set(L_FUEL, m.global.get("fuel", this.i32)),
      m.local.set(L_CTX_LO, m.global.get("ctxLo", this.i64)),
      m.local.set(L_CTX_END, m.global.get("ctxEnd", this.i64)),
      m.local.set(L_STACK_HI, m.global.get("fp0", this.i64)),
    ];
  }

  /**
   * Unverified code counts instructions exactly as the interpreter does (TrapKind.Budget at
   * the same pc): a metered segment of `count` instructions starting at `pc` is charged on
   * entry. Segments end after every instruction that can trap or write outside the frame, so
   * when the fuel runs out inside a segment nothing observable has happened in it yet.
   */
  private charge(pc: number, count: number): Expr[] {
    const m = this.m;
    const fuel = (): Expr => m.local.get(L_FUEL, this.i32);
    return [
      m.if(m.i32.lt_u(fuel(), m.i32.const(count)), m.block(null, [m.local.set(L_BUDGET_PC, m.i32.const(pc)), m.br("budget")], this.mod.none)),
      m.local.set(L_FUEL, m.i32.sub(fuel(), m.i32.const(count))),
    ];
  }

  /** Continue in function k, same frame and registers, and return what it returns. */
  fallInto(k: number): Expr[] {
    const m = this.m;
    const regs = [1, 2, 3, 4, 5, 10, 0, 6, 7, 8, 9].map((r) => this.get(r));
    const fuelOut = this.facts === null ? [m.global.set("fuel", m.local.get(L_FUEL, this.i32))] : [];
    return [...fuelOut, m.return(m.call(`f${k}`, regs, this.i64))];
  }

  /** The function's budget exit: the segment at L_BUDGET_PC could not be paid for. */
  budgetExit(): Expr {
    const m = this.m;
    return m.call("budget", [m.local.get(L_BUDGET_PC, this.i32), m.local.get(L_FUEL, this.i32)], this.mod.none);
  }

  /** Whether [r10 + off, size) is inside the frame of an r10 no instruction writes: no check needed. */
  private inIntactFrame(reg: number, off: number, size: number): boolean {
    return reg === 10 && this.r10Intact && off >= -STACK_FRAME_SIZE && off + size <= 0;
  }

  /** Whether executing `ins` may trap or change memory outside the current frame (ends a metered segment). */
  private observable(ins: Insn): boolean {
    const cls = opClass(ins.code);
    switch (cls) {
      case Class.ALU:
      case Class.ALU64:
        return false;
      case Class.LD:
        return !(ins.code === LD_IMM64 && ins.src === PseudoLd.NONE);
      case Class.LDX:
        return !this.inIntactFrame(ins.src, ins.off, sizeBytes(opSize(ins.code)));
      case Class.ST:
      case Class.STX: {
        const base = cls === Class.STX && opMode(ins.code) === Mode.ATOMIC && ins.imm === AtomicOp.LOAD_ACQ ? ins.src : ins.dst;
        return !this.inIntactFrame(base, ins.off, sizeBytes(opSize(ins.code)));
      }
    }
    return true;
  }

  // ------------------------------------------------------------ function bodies
  structured(fn: FunctionRange, st: Structure): Expr {
    const { m, mod } = this;
    const n = st.leaders.length;
    interface Frame {
      kind: "fn" | "loop" | "block";
      label: string | null;
      close: number;
      children: Expr[];
    }
    const stack: Frame[] = [{ kind: "fn", label: null, close: n, children: [] }];
    const pushBlocks = (scope: number): void => {
      for (const t of st.blocksAt.get(scope) ?? []) stack.push({ kind: "block", label: `b${t}`, close: t, children: [] });
    };
    const pop = (): void => {
      const f = stack.pop()!;
      const body = m.block(f.kind === "block" ? f.label : null, f.children, mod.none);
      stack[stack.length - 1]!.children.push(f.kind === "loop" ? m.loop(f.label, body) : body);
    };
    pushBlocks(-1);
    for (let p = 0; p < n; p++) {
      while (stack.length > 1 && stack[stack.length - 1]!.close === p) pop();
      const end = st.loopEnd.get(p);
      const jump = (tb: number, cond: Expr | null): Expr[] => [m.br(tb > p ? `b${tb}` : `l${tb}`, cond ?? undefined)];
      if (end === p + 1 && this.unrollable(fn, st, p)) {
        // a one-block loop ending in its conditional back-edge, twice per iteration: the first
        // copy leaves when the branch is not taken. V8 checks for interrupts on every wasm
        // back-edge; this halves those checks in the tightest loops.
        const once: Expr[] = [];
        this.basicBlock(fn, st, p, once, (tb, cond) => (tb === p && cond !== null ? [m.br(`u${p}`, m.i32.eqz(cond))] : jump(tb, cond)));
        this.basicBlock(fn, st, p, once, jump);
        stack[stack.length - 1]!.children.push(m.block(`u${p}`, [m.loop(`l${p}`, m.block(null, once, mod.none))], mod.none));
        continue;
      }
      if (end !== undefined) {
        stack.push({ kind: "loop", label: `l${p}`, close: end, children: [] });
        pushBlocks(p);
      }
      this.basicBlock(fn, st, p, stack[stack.length - 1]!.children, jump);
    }
    while (stack.length > 1) pop();
    return m.block(null, stack[0]!.children, mod.none);
  }

  /** Whether loop block p is a small single block whose last instruction is the conditional jump back to p. */
  private unrollable(fn: FunctionRange, st: Structure, p: number): boolean {
    const start = st.leaders[p]!;
    const end = st.leaders[p + 1] ?? fn.end;
    if (end - start > UNROLL_MAX_SLOTS) return false;
    const last = lastInsn(this.insns, start, end);
    const ins = this.insns[last]!;
    if (jumpTarget(ins, last) !== start || isUncondJump(ins) || this.facts?.insn[last]?.branch !== undefined) return false;
    for (let pc = start; pc < end; pc++) if (checkInsn(this.insns, pc) !== null) return false;
    return true;
  }

  dispatch(fn: FunctionRange, st: Structure): Expr {
    const { m, mod } = this;
    const n = st.leaders.length;
    const label = (): Expr => m.local.get(L_LABEL, this.i32);
    const jump = (tb: number, cond: Expr | null): Expr[] => {
      const go = m.block(null, [m.local.set(L_LABEL, m.i32.const(tb)), m.br("d")], mod.none);
      return [cond === null ? go : m.if(cond, go)];
    };
    // blocks [from, to) as a chain: a br_table on `index` enters block k at the end of x<k>
    const chain = (from: number, to: number, index: Expr, tail: Expr[]): Expr => {
      const names = Array.from({ length: to - from }, (_, k) => `x${from + k}`);
      let cur = m.block(`x${from}`, [m.switch(names, `x${from}`, index)], mod.none);
      for (let k = from; k < to; k++) {
        const code: Expr[] = [cur];
        this.basicBlock(fn, st, k, code, jump);
        if (k + 1 === to) for (const e of tail) code.push(e);
        cur = m.block(k + 1 < to ? `x${k + 1}` : null, code, mod.none);
      }
      return cur;
    };
    if (n <= MAX_NESTING) return m.block(null, [m.local.set(L_LABEL, m.i32.const(0)), m.loop("d", chain(0, n, label(), []))], mod.none);
    // two levels, so that nesting stays near groups + DISPATCH_GROUP: a br_table on
    // label / DISPATCH_GROUP picks the group, a second one inside it the block. Falling off a
    // group's last block re-enters the dispatch at the next group's first block.
    const groups = Math.ceil(n / DISPATCH_GROUP);
    const gnames = Array.from({ length: groups }, (_, j) => `g${j}`);
    let outer = m.block("g0", [m.switch(gnames, "g0", m.i32.div_u(label(), m.i32.const(DISPATCH_GROUP)))], mod.none);
    for (let j = 0; j < groups; j++) {
      const from = j * DISPATCH_GROUP;
      const to = Math.min(n, from + DISPATCH_GROUP);
      const next = to < n ? jump(to, null) : [];
      const inner = chain(from, to, m.i32.sub(label(), m.i32.const(from)), next);
      outer = m.block(j + 1 < groups ? `g${j + 1}` : null, [outer, inner], mod.none);
    }
    return m.block(null, [m.local.set(L_LABEL, m.i32.const(0)), m.loop("d", outer)], mod.none);
  }

  /** Lower basic block k into `out`; `jump(targetBlock, cond|null)` lowers a taken edge. */
  private basicBlock(fn: FunctionRange, st: Structure, k: number, out: Expr[], jump: (tb: number, cond: Expr | null) => Expr[]): void {
    const start = st.leaders[k]!;
    const end = st.leaders[k + 1] ?? fn.end;
    const last = lastInsn(this.insns, start, end);
    const metered = this.facts === null;
    let segStart = start;
    let segCount = 0;
    let seg: Expr[] = [];
    const flush = (): void => {
      if (segCount === 0) return;
      if (metered) for (const e of this.charge(segStart, segCount)) out.push(e);
      // a loop, not a spread: a straight-line block may hold a million expressions
      for (const e of seg) out.push(e);
      seg = [];
      segCount = 0;
    };
    for (let pc = start; pc < end; pc++) {
      const ins = this.insns[pc]!;
      if (segCount === 0) segStart = pc;
      segCount++;
      let ends = true;
      if (checkInsn(this.insns, pc) !== null) {
        // an invalid encoding traps when reached, exactly where the interpreter traps
        seg.push(this.trap(TrapKind.Unsupported, pc));
      } else if (pc === last) {
        for (const e of this.terminator(ins, pc, fn, st, k, jump)) seg.push(e);
      } else {
        for (const e of this.lower(ins, pc)) seg.push(e);
        ends = this.observable(ins);
      }
      if (pc === last) break;
      if (ins.code === LD_IMM64) pc++;
      if (ends) flush();
    }
    flush();
  }

  private terminator(ins: Insn, pc: number, fn: FunctionRange, st: Structure, k: number, jump: (tb: number, cond: Expr | null) => Expr[]): Expr[] {
    const { m } = this;
    if (isExit(ins)) {
      const fuelBack = this.facts === null ? [m.global.set("fuel", m.local.get(L_FUEL, this.i32))] : [];
      return [...fuelBack, m.return(this.get(0))];
    }
    const t = jumpTarget(ins, pc);
    if (t === null) return this.lower(ins, pc);
    const tb = t >= fn.start && t < fn.end ? st.blockOf.get(t) : undefined;
    const branch = this.facts?.insn[pc]?.branch;
    const uncond = opJmp(ins.code) === JmpOp.JA || branch === "always";
    if (branch === "never") return [];
    if (tb === undefined) {
      const trap = this.trap(TrapKind.BadJump, t);
      return uncond ? [trap] : [m.if(this.condition(ins), trap)];
    }
    if (tb === k + 1) return []; // falls through either way
    return jump(tb, uncond ? null : this.condition(ins));
  }

  private condition(ins: Insn): Expr {
    const { m } = this;
    const is32 = opClass(ins.code) === Class.JMP32;
    const x = opSource(ins.code) === Source.X;
    // JMP32 compares the low halves: the same operators on i32
    const o = is32 ? m.i32 : m.i64;
    const reg = (r: number): Expr => (is32 ? this.w(this.get(r)) : this.get(r));
    const a = reg(ins.dst);
    const c = x ? reg(ins.src) : is32 ? m.i32.const(ins.imm) : this.k64(BigInt(ins.imm));
    switch (opJmp(ins.code)) {
      case JmpOp.JEQ: return o.eq(a, c);
      case JmpOp.JNE: return o.ne(a, c);
      case JmpOp.JGT: return o.gt_u(a, c);
      case JmpOp.JGE: return o.ge_u(a, c);
      case JmpOp.JLT: return o.lt_u(a, c);
      case JmpOp.JLE: return o.le_u(a, c);
      case JmpOp.JSGT: return o.gt_s(a, c);
      case JmpOp.JSGE: return o.ge_s(a, c);
      case JmpOp.JSLT: return o.lt_s(a, c);
      case JmpOp.JSLE: return o.le_s(a, c);
      default: return o.ne(o.and(a, c), is32 ? m.i32.const(0) : this.k64(0n));
    }
  }

  // ------------------------------------------------------------ instructions
  private lower(ins: Insn, pc: number): Expr[] {
    const cls = opClass(ins.code);
    switch (cls) {
      case Class.ALU64:
        return [this.set(ins.dst, this.alu64(ins, pc))];
      case Class.ALU:
        return [this.set(ins.dst, this.alu32(ins))];
      case Class.LDX:
        return [this.set(ins.dst, this.load(ins, pc))];
      case Class.ST:
      case Class.STX:
        return opMode(ins.code) === Mode.ATOMIC ? this.atomic(ins, pc) : [this.store(ins, pc)];
      case Class.LD:
        if (ins.code === LD_IMM64 && ins.src === PseudoLd.NONE) return [this.set(ins.dst, this.k64(ldImm64Value(ins, this.insns[pc + 1]!)))];
        // a callback reference: the same stand-in address the interpreter loads
        if (ins.code === LD_IMM64 && ins.src === PseudoLd.FUNC) return [this.set(ins.dst, this.k64(pseudoFuncValue(pc + 1 + ins.imm)))];
        if (ins.code === LD_IMM64 && ins.src !== PseudoLd.FUNC && this.pseudo !== null) {
          // map references become constants: the module is bound to these maps
          const v = this.pseudo(ins.src, ins.imm, this.insns[pc + 1]!.imm);
          if (v !== null) return [this.set(ins.dst, this.k64(v))];
        }
        return [this.trap(TrapKind.Unsupported, pc)];
      case Class.JMP:
        if (opJmp(ins.code) === JmpOp.CALL) return this.call(ins, pc);
    }
    return [this.trap(TrapKind.Unsupported, pc)];
  }

  private alu64(ins: Insn, pc: number): Expr {
    const { m } = this;
    const o = m.i64;
    const x = opSource(ins.code) === Source.X;
    const d = this.get(ins.dst);
    const s = x ? this.get(ins.src) : this.k64(BigInt(ins.imm));
    const nonZero = this.facts?.insn[pc]?.divisorNonZero === true;
    switch (opAlu(ins.code)) {
      case AluOp.ADD: return o.add(d, s);
      case AluOp.SUB: return o.sub(d, s);
      case AluOp.MUL: return o.mul(d, s);
      case AluOp.OR: return o.or(d, s);
      case AluOp.AND: return o.and(d, s);
      case AluOp.XOR: return o.xor(d, s);
      case AluOp.LSH: return o.shl(d, s);
      case AluOp.RSH: return o.shr_u(d, s);
      case AluOp.ARSH: return o.shr_s(d, s);
      case AluOp.NEG: return o.sub(this.k64(0n), d);
      case AluOp.MOV:
        if (!x || ins.off === 0) return s;
        return ins.off === 8 ? o.extend8_s(s) : ins.off === 16 ? o.extend16_s(s) : o.extend32_s(s);
      case AluOp.DIV:
      case AluOp.MOD: {
        const isDiv = opAlu(ins.code) === AluOp.DIV;
        const signed = ins.off === 1;
        if (!x) {
          const k = BigInt(ins.imm);
          if (k === 0n) return isDiv ? this.k64(0n) : d;
          if (signed && k === -1n) return isDiv ? o.sub(this.k64(0n), d) : this.k64(0n);
          return isDiv ? (signed ? o.div_s(d, s) : o.div_u(d, s)) : signed ? o.rem_s(d, s) : o.rem_u(d, s);
        }
        const op = isDiv ? (signed ? o.div_s(d, s) : o.div_u(d, s)) : signed ? o.rem_s(d, this.get(ins.src)) : o.rem_u(d, s);
        const byMinus1 = signed ? m.if(o.eq(this.get(ins.src), this.k64(-1n)), isDiv ? o.sub(this.k64(0n), this.get(ins.dst)) : this.k64(0n), op) : op;
        if (nonZero && !signed) return op;
        return m.if(o.eqz(this.get(ins.src)), isDiv ? this.k64(0n) : this.get(ins.dst), byMinus1);
      }
      case AluOp.END:
        return this.bswap(d, ins.imm);
    }
    return this.k64(0n);
  }

  private alu32(ins: Insn): Expr {
    const { m } = this;
    const o = m.i32;
    const x = opSource(ins.code) === Source.X;
    const op = opAlu(ins.code);
    if (op === AluOp.END) {
      const d64 = this.get(ins.dst);
      if (opSource(ins.code) === EndSource.TO_BE) return this.bswap(d64, ins.imm);
      return ins.imm === 64 ? d64 : m.i64.and(d64, this.k64(ins.imm === 16 ? 0xffffn : 0xffffffffn));
    }
    const d = this.w(this.get(ins.dst));
    const s = x ? this.w(this.get(ins.src)) : o.const(ins.imm);
    const sAgain = (): Expr => (x ? this.w(this.get(ins.src)) : o.const(ins.imm));
    const dAgain = (): Expr => this.w(this.get(ins.dst));
    let r: Expr;
    switch (op) {
      case AluOp.ADD: r = o.add(d, s); break;
      case AluOp.SUB: r = o.sub(d, s); break;
      case AluOp.MUL: r = o.mul(d, s); break;
      case AluOp.OR: r = o.or(d, s); break;
      case AluOp.AND: r = o.and(d, s); break;
      case AluOp.XOR: r = o.xor(d, s); break;
      case AluOp.LSH: r = o.shl(d, s); break;
      case AluOp.RSH: r = o.shr_u(d, s); break;
      case AluOp.ARSH: r = o.shr_s(d, s); break;
      case AluOp.NEG: r = o.sub(o.const(0), d); break;
      case AluOp.MOV:
        r = !x || ins.off === 0 ? s : ins.off === 8 ? o.extend8_s(s) : o.extend16_s(s);
        break;
      case AluOp.DIV:
      case AluOp.MOD: {
        const isDiv = op === AluOp.DIV;
        const signed = ins.off === 1;
        if (!x && ins.imm === 0) {
          r = isDiv ? o.const(0) : d;
          break;
        }
        if (!x && signed && ins.imm === -1) {
          r = isDiv ? o.sub(o.const(0), d) : o.const(0);
          break;
        }
        const raw = isDiv ? (signed ? o.div_s(d, s) : o.div_u(d, s)) : signed ? o.rem_s(d, s) : o.rem_u(d, s);
        if (!x) {
          r = raw;
          break;
        }
        const guarded = signed ? m.if(o.eq(sAgain(), o.const(-1)), isDiv ? o.sub(o.const(0), dAgain()) : o.const(0), raw) : raw;
        r = m.if(o.eqz(sAgain()), isDiv ? o.const(0) : dAgain(), guarded);
        break;
      }
      default:
        r = o.const(0);
    }
    return this.z(r);
  }

  /** Byte-swap the low `bits` of x, zero-extended (wasm has no bswap). */
  private bswap(x: Expr, bits: number): Expr {
    const { m } = this;
    const o = m.i32;
    const sw32 = (v: () => Expr): Expr =>
      o.or(o.rotl(o.and(v(), o.const(0xff00ff00 | 0)), o.const(8)), o.rotr(o.and(v(), o.const(0x00ff00ff)), o.const(8)));
    if (bits === 16) {
      const v = this.w(x);
      return this.z(o.or(o.shl(o.and(v, o.const(0xff)), o.const(8)), o.and(o.shr_u(this.w(x), o.const(8)), o.const(0xff))));
    }
    if (bits === 32) return this.z(sw32(() => this.w(x)));
    const lo = sw32(() => this.w(x));
    const hi = sw32(() => this.w(m.i64.shr_u(x, this.k64(32n))));
    return m.i64.or(m.i64.shl(this.z(lo), this.k64(32n)), this.z(hi));
  }

  // ------------------------------------------------------------ memory
  /**
   * The i32 address of [reg + off] as (pointer, static offset), checked unless the verifier
   * proved the access safe. A proven access with a non-negative offset uses wasm's offset
   * field (no add; the prototypes measured 18% on a checksum loop).
   */
  private address(reg: number, off: number, size: number, write: boolean, pc: number): [Expr, number] {
    const { m } = this;
    const o = m.i64;
    const eff = off === 0 ? this.get(reg) : o.add(this.get(reg), this.k64(BigInt(off)));
    const proven = this.facts?.insn[pc]?.safeAccess === true;
    if (proven && off >= 0) return [this.w(this.get(reg)), off];
    if (proven) return [this.w(eff), 0];
    // r10 is never written: [r10 + off, size) inside the frame needs no check
    if (this.inIntactFrame(reg, off, size)) return [this.w(eff), 0];
    const a = (): Expr => m.local.get(L_TMP2, this.i64);
    // unverified code keeps the bounds in locals; verified code (an access the facts leave
    // unproven) reads them from the globals, which its prologue does not copy
    const globalOf: Record<number, string> = { [L_CTX_LO]: "ctxLo", [L_CTX_END]: "ctxEnd", [L_STACK_HI]: "fp0" };
    const l = (i: number): Expr => (this.facts !== null && globalOf[i] !== undefined ? m.global.get(globalOf[i]!, this.i64) : m.local.get(i, this.i64));
    const sz = this.k64(BigInt(size));
    // the input first (most accesses), then the active stack frames, then the slow path in
    // JS (map values and other dynamic regions; it throws the trap). `a <= end - size`, not
    // `a + size <= end`: the sum wraps for addresses near 2^64.
    const inCtx = m.i32.and(o.ge_u(a(), l(L_CTX_LO)), o.le_u(a(), o.sub(l(L_CTX_END), sz)));
    const inStack = o.le_u(o.sub(a(), l(L_STACK_LO)), o.sub(o.sub(l(L_STACK_HI), l(L_STACK_LO)), this.k64(BigInt(size))));
    const slow = m.call("check", [a(), m.i32.const(size), m.i32.const(write ? 1 : 0), m.i32.const(pc)], this.i32);
    return [m.block(null, [m.local.set(L_TMP2, eff), m.if(inCtx, this.w(a()), m.if(inStack, this.w(a()), slow))], this.i32), 0];
  }

  private load(ins: Insn, pc: number): Expr {
    const size = sizeBytes(opSize(ins.code));
    const sx = opMode(ins.code) === Mode.MEMSX;
    if (this.facts?.insn[pc]?.probeMem === true) return this.probeLoad(ins.src, ins.off, size, sx);
    const [p, at] = this.address(ins.src, ins.off, size, false, pc);
    return this.typedLoad(size, sx, p, at);
  }

  /** An LDX's load of `size` bytes at p + at, sign-extended for MEMSX. */
  private typedLoad(size: number, sx: boolean, p: Expr, at: number): Expr {
    const o = this.m.i64;
    switch (size) {
      case 1: return sx ? o.load8_s(at, 1, p) : o.load8_u(at, 1, p);
      case 2: return sx ? o.load16_s(at, 1, p) : o.load16_u(at, 1, p);
      case 4: return sx ? o.load32_s(at, 1, p) : o.load32_u(at, 1, p);
      default: return o.load(at, 1, p);
    }
  }

  /**
   * A load through a BTF-typed kernel pointer (the kernel's BPF_PROBE_MEM): never traps. Both
   * halves of the 64-bit address go to JS ("probe": the active frames, the regions, the
   * simulated kernel's memory), so a kernel-looking address never aliases guest memory through
   * its low half; JS answers with the guest address to load from, or 0 (never readable) where
   * the read faults and the load gives 0, as Linux's exception table does. No inline test:
   * such pointers lead to kernel objects, which only JS knows, and a program a trampoline runs
   * has no input or frame bounds in the globals.
   */
  private probeLoad(reg: number, off: number, size: number, sx: boolean): Expr {
    const { m } = this;
    const o = m.i64;
    const a = (): Expr => m.local.get(L_TMP2, this.i64);
    const eff = off === 0 ? this.get(reg) : o.add(this.get(reg), this.k64(BigInt(off)));
    const p = m.call("probe", [this.w(a()), this.w(o.shr_u(a(), this.k64(32n))), m.i32.const(size)], this.i32);
    const at = (): Expr => m.local.get(L_ADDR, this.i32);
    return m.block(null, [m.local.set(L_TMP2, eff), m.local.set(L_ADDR, p), m.if(at(), this.typedLoad(size, sx, at(), 0), this.k64(0n))], this.i64);
  }

  private rawLoad(size: number, p: Expr, at = 0): Expr {
    const o = this.m.i64;
    return size === 1 ? o.load8_u(at, 1, p) : size === 2 ? o.load16_u(at, 1, p) : size === 4 ? o.load32_u(at, 1, p) : o.load(at, 1, p);
  }

  private rawStore(size: number, p: Expr, v: Expr, at = 0): Expr {
    const o = this.m.i64;
    return size === 1 ? o.store8(at, 1, p, v) : size === 2 ? o.store16(at, 1, p, v) : size === 4 ? o.store32(at, 1, p, v) : o.store(at, 1, p, v);
  }

  private store(ins: Insn, pc: number): Expr {
    const size = sizeBytes(opSize(ins.code));
    const v = opClass(ins.code) === Class.ST ? this.k64(BigInt(ins.imm)) : this.get(ins.src);
    const [p, at] = this.address(ins.dst, ins.off, size, true, pc);
    return this.rawStore(size, p, v, at);
  }

  /** Atomics as plain read-modify-write: the guest memory is not shared between threads. */
  private atomic(ins: Insn, pc: number): Expr[] {
    const { m } = this;
    const o = m.i64;
    const size = sizeBytes(opSize(ins.code));
    const op = ins.imm;
    const at = (): Expr => m.local.get(L_ADDR, this.i32);
    const flat = ([p, at]: [Expr, number]): Expr => (at === 0 ? p : m.i32.add(p, m.i32.const(at)));
    if (op === AtomicOp.LOAD_ACQ) return [this.set(ins.dst, this.rawLoad(size, flat(this.address(ins.src, ins.off, size, false, pc))))];
    const setAddr = m.local.set(L_ADDR, flat(this.address(ins.dst, ins.off, size, true, pc)));
    if (op === AtomicOp.STORE_REL) return [setAddr, this.rawStore(size, at(), this.get(ins.src))];
    const old = (): Expr => m.local.get(L_TMP, this.i64);
    const trunc = (v: Expr): Expr => (size === 4 ? o.and(v, this.k64(0xffffffffn)) : v);
    const out: Expr[] = [setAddr, m.local.set(L_TMP, this.rawLoad(size, at()))];
    if (op === AtomicOp.CMPXCHG) {
      out.push(m.if(o.eq(old(), trunc(this.get(0))), this.rawStore(size, at(), this.get(ins.src))), this.set(0, old()));
      return out;
    }
    const src = this.get(ins.src);
    let value: Expr;
    switch (op & ~AtomicOp.FETCH) {
      case AtomicOp.ADD: value = o.add(old(), src); break;
      case AtomicOp.OR: value = o.or(old(), src); break;
      case AtomicOp.AND: value = o.and(old(), src); break;
      case AtomicOp.XOR: value = o.xor(old(), src); break;
      case AtomicOp.XCHG & ~AtomicOp.FETCH: value = src; break;
      default: return [this.trap(TrapKind.Unsupported, pc)];
    }
    out.push(this.rawStore(size, at(), value));
    if ((op & AtomicOp.FETCH) !== 0) out.push(this.set(ins.src, old()));
    return out;
  }

  // ------------------------------------------------------------ calls
  private call(ins: Insn, pc: number): Expr[] {
    const { m } = this;
    const args = [1, 2, 3, 4, 5].map((r) => this.get(r));
    const atPc = m.global.set("hpc", m.i32.const(pc));
    if (opSource(ins.code) === Source.X) {
      this.usesCallx = true;
      return [atPc, this.set(0, m.call("callx", [this.get(ins.dst), ...args, m.i32.const(pc)], this.i64))];
    }
    if (ins.src === PseudoCall.HELPER) {
      if (!this.available(ins.imm)) return [this.trap(TrapKind.UnknownHelper, pc)];
      if (ins.imm === HELPER.get_smp_processor_id && this.inlineCpuId) return [this.set(0, m.i64.load32_u(0, 4, m.i32.const(CPU_ID_ADDR)))];
      const inline = ins.imm === HELPER.map_lookup_elem ? this.inlineArrayLookup(pc) : null;
      if (inline !== null) return [this.set(0, inline)];
      const loopFn = ins.imm === HELPER.loop ? this.loopCallback(pc) : undefined;
      if (loopFn !== undefined) return [this.inlineBpfLoop(pc, loopFn)];
      this.helperIds.add(ins.imm);
      const reenters = this.reentrant.get(ins.imm);
      if (reenters === undefined) return [atPc, this.set(0, m.call(`h${ins.imm}`, args, this.i64))];
      // the helper runs BPF code: that code takes the fuel from the global and leaves the rest there
      const out = [atPc, m.global.set("hfp", this.get(10))];
      if (this.facts === null) out.push(m.global.set("fuel", m.local.get(L_FUEL, this.i32)));
      out.push(this.set(0, m.call(`h${ins.imm}`, args, this.i64)));
      if (this.facts === null) out.push(m.local.set(L_FUEL, m.global.get("fuel", this.i32)));
      if (reenters === "tail_call") {
        const regs = [1, 2, 3, 4, 5, 10, 0, 6, 7, 8, 9].map((r) => this.get(r));
        out.push(m.if(m.global.get("tail", this.i32), m.return(m.call("tailcall", regs, this.i64))));
      }
      return out;
    }
    if (ins.src !== PseudoCall.CALL) return [this.trap(TrapKind.Unsupported, pc)];
    const k = this.fnIndex.get(pc + 1 + ins.imm);
    if (k === undefined) return [this.trap(TrapKind.BadJump, pc + 1 + ins.imm)];
    const depth = (): Expr => m.global.get("depth", this.i32);
    // the callee takes its fuel from the global and leaves the rest there
    const fuelOut = this.facts === null ? [m.global.set("fuel", m.local.get(L_FUEL, this.i32))] : [];
    const fuelIn = this.facts === null ? [m.local.set(L_FUEL, m.global.get("fuel", this.i32))] : [];
    return [
      m.if(m.i32.ge_s(depth(), m.i32.const(MAX_CALL_FRAMES - 1)), this.trap(TrapKind.CallDepth, pc)),
      ...fuelOut,
      m.global.set("depth", m.i32.add(depth(), m.i32.const(1))),
      this.set(0, m.call(`f${k}`, [...args, m.i64.sub(this.get(10), this.k64(BigInt(STACK_FRAME_SIZE))), ...[0, 6, 7, 8, 9].map((r) => this.get(r))], this.i64)),
      m.global.set("depth", m.i32.sub(depth(), m.i32.const(1))),
      ...fuelIn,
    ];
  }

  /** The function of the callback the verifier proved bpf_loop at `pc` gets, when inlining loops. */
  private loopCallback(pc: number): number | undefined {
    const cb = this.inlineLoop ? this.facts?.insn[pc]?.callbackInR2 : undefined;
    return cb === undefined ? undefined : this.fnIndex.get(cb);
  }

  /**
   * bpf_loop with a callback known at the call (the kernel's verifier inlines it the same
   * way: inline_bpf_loop): the helper's checks, then a wasm loop calling the callback's
   * function directly, one frame deeper, as a bpf-to-bpf call; no JS on the way.
   */
  private inlineBpfLoop(pc: number, k: number): Expr {
    const { m, mod } = this;
    const o = m.i64;
    const i = (): Expr => m.local.get(L_TMP, this.i64);
    // as the verifier's inlined form (the helper does the same for flags 0): all 64 bits of
    // nr_loops, and -E2BIG from a 32-bit move
    const nr = (): Expr => this.get(1);
    const depth = (): Expr => m.global.get("depth", this.i32);
    const done = `lpd${pc}`;
    const fuelOut = this.facts === null ? [m.global.set("fuel", m.local.get(L_FUEL, this.i32))] : [];
    const fuelIn = this.facts === null ? [m.local.set(L_FUEL, m.global.get("fuel", this.i32))] : [];
    const zero = (): Expr => this.k64(0n);
    const call = m.call(`f${k}`, [i(), this.get(3), zero(), zero(), zero(), o.sub(this.get(10), this.k64(BigInt(STACK_FRAME_SIZE))), zero(), zero(), zero(), zero(), zero()], this.i64);
    const body = m.block(null, [
      m.if(o.ge_u(i(), nr()), m.block(null, [this.set(0, i()), m.br(done)], mod.none)),
      m.if(m.i32.ge_s(depth(), m.i32.const(MAX_CALL_FRAMES - 1)), this.trap(TrapKind.CallDepth, pc)),
      ...fuelOut,
      m.global.set("depth", m.i32.add(depth(), m.i32.const(1))),
      this.set(0, call),
      m.global.set("depth", m.i32.sub(depth(), m.i32.const(1))),
      ...fuelIn,
      m.local.set(L_TMP, o.add(i(), this.k64(1n))),
      // 0: continue; anything else stops, returning the iterations done
      m.if(o.ne(this.get(0), zero()), m.block(null, [this.set(0, i()), m.br(done)], mod.none)),
      m.br(`lpl${pc}`),
    ], mod.none);
    return m.block(done, [
      m.if(o.ne(this.get(4), zero()), m.block(null, [this.set(0, this.k64(-22n)), m.br(done)], mod.none)),
      m.if(o.gt_u(nr(), this.k64(BigInt(BPF_MAX_LOOPS))), m.block(null, [this.set(0, this.k64(0xfffffff9n)), m.br(done)], mod.none)),
      m.local.set(L_TMP, zero()),
      m.loop(`lpl${pc}`, body),
    ], mod.none);
  }

  /**
   * bpf_map_lookup_elem on a known array map in verified code, inline as the kernel's JIT
   * does it (map_gen_lookup): the u32 index at r2, the value address when it is below
   * max_entries, else 0. Only for verified code: the verifier proved r2 readable.
   */
  private inlineArrayLookup(pc: number): Expr | null {
    const mapRef = this.facts?.insn[pc]?.mapInR1;
    if (mapRef === undefined || this.pseudo === null || this.inlineArray === null) return null;
    const map = this.pseudo(PseudoLd.MAP_IDX, mapRef, 0);
    const info = map === null ? null : this.inlineArray(map);
    if (info === null) return null;
    const { m } = this;
    const idx = (): Expr => m.local.get(L_TMP, this.i64);
    return m.block(null, [
      m.local.set(L_TMP, m.i64.load32_u(0, 1, this.w(this.get(2)))),
      m.if(m.i64.lt_u(idx(), this.k64(BigInt(info.maxEntries))), m.i64.add(this.k64(BigInt(info.values)), m.i64.mul(idx(), this.k64(BigInt(info.stride)))), this.k64(0n)),
    ], this.i64);
  }

  /**
   * The body of `callx(id, r1..r5, pc) -> r0`: a br_table over the registered helper ids
   * below CALLX_TABLE_LIMIT, each calling its import directly; any other id goes to JS,
   * which calls it or traps (BadCallTarget).
   */
  callxDispatch(ids: readonly number[]): Expr {
    const { m, mod } = this;
    const p = (i: number): Expr => m.local.get(i, this.i64);
    const regs = [1, 2, 3, 4, 5].map(p);
    const slow = m.return(m.call("callxSlow", [p(0), ...[1, 2, 3, 4, 5].map(p), m.local.get(6, this.i32)], this.i64));
    if (ids.length === 0) return slow;
    const labels = Array.from({ length: ids[ids.length - 1]! + 1 }, () => "slow");
    ids.forEach((id, k) => (labels[id] = `c${k}`));
    let cur = m.block("c0", [m.switch(labels, "slow", m.i32.wrap(p(0)))], mod.none);
    ids.forEach((id, k) => {
      cur = m.block(k + 1 < ids.length ? `c${k + 1}` : "slow", [cur, m.return(m.call(`h${id}`, k === 0 ? regs : [1, 2, 3, 4, 5].map(p), this.i64))], mod.none);
    });
    return m.block(null, [cur, slow], this.i64);
  }
}

/** Whether executing `ins` may change register `r`. */
function writesRegister(ins: Insn, r: number): boolean {
  const cls = opClass(ins.code);
  if (cls === Class.ALU || cls === Class.ALU64 || cls === Class.LDX) return ins.dst === r;
  if (ins.code === LD_IMM64) return ins.dst === r;
  if (cls === Class.STX && opMode(ins.code) === Mode.ATOMIC) {
    if (ins.imm === AtomicOp.LOAD_ACQ) return ins.dst === r;
    if (ins.imm === AtomicOp.CMPXCHG) return r === 0;
    return (ins.imm & AtomicOp.FETCH) !== 0 && ins.src === r;
  }
  return false;
}
