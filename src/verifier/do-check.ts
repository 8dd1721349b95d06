// Path exploration (the kernel's do_check), first version: the raw test type only — r1 points
// to `memSize` bytes of input (checked like a map value), r2 holds that size, r10 is the frame
// pointer. Supported: every ALU operation (pointers: input and stack pointers plus or minus a
// scalar), loads, stores and atomics on the input and at constant stack offsets, conditional
// jumps with bound refinement, exit. Anything else (helper and bpf-to-bpf calls, variable
// stack offsets, other program types) is rejected as not supported, never accepted blindly.
// States are pruned where an earlier, completely explored state covers the new one; a state
// covered by one still being explored on the current path is an infinite loop.
import type { Insn } from "../isa/insn.js";
import { ldImm64Value } from "../isa/insn.js";
import { AluOp, AtomicOp, Class, JmpOp, LD_IMM64, Mode, PseudoLd, Source, opAlu, opClass, opJmp, opMode, opSize, opSource, sizeBytes } from "../isa/opcode.js";
import { ERRNO } from "../errors.js";
import type { VerifierFacts, InsnFacts } from "../jit/facts.js";
import { checkStructure } from "./structure.js";
import { checkInsn } from "../isa/decode.js";
import * as S from "./scalar.js";
import type { Scalar } from "./scalar.js";
import * as T from "./tnum.js";

const MAX_STACK = 512;
const COMPLEXITY_LIMIT = 1_000_000;
/** The kernel's BPF_MAX_VAR_OFF: larger variable offsets are "unbounded". */
const MAX_VAR_OFF = 1n << 29n;
/** Explored states compared per visit, and kept per instruction (fewer only means less pruning). */
const MAX_COMPARE = 64;
const MAX_KEPT = 256;

type Reg =
  | { readonly kind: "none" }
  | { readonly kind: "scalar"; readonly v: Scalar }
  /** input memory; `off` is the offset from its start (known or a range) */
  | { readonly kind: "mem"; readonly off: Scalar }
  /** stack; `off` is the constant offset from r10 (<= 0) */
  | { readonly kind: "stack"; readonly off: number };

const NONE: Reg = { kind: "none" };
const scalar = (v: Scalar): Reg => ({ kind: "scalar", v });
const unknown = (): Reg => scalar(S.scalarUnknown());

/** One 8-byte stack slot: nothing written, bytes of data, or a spilled register. */
type Slot = { readonly kind: "invalid" } | { readonly kind: "misc" } | { readonly kind: "spill"; readonly reg: Reg };

interface State {
  regs: Reg[];
  stack: Slot[]; // 64 slots: slot k covers [-(k+1)*8, -k*8)
}

export interface VerifyRawOptions {
  /** bytes of input r1 points to (the conformance memory) */
  readonly memSize: number;
}

export interface VerifyResult {
  readonly accepted: boolean;
  readonly errno: number | null;
  /** the first error line, in the kernel's words where the kernel has them */
  readonly error: string | null;
  readonly insnsProcessed: number;
  /** facts for the JIT; only meaningful when accepted */
  readonly facts: VerifierFacts;
}

class Reject extends Error {
  constructor(
    readonly errno: number,
    readonly text: string,
  ) {
    super(text);
  }
}
const reject = (text: string, errno: number = ERRNO.EACCES): never => {
  throw new Reject(errno, text);
};

export function verifyRaw(insns: readonly Insn[], opts: VerifyRawOptions): VerifyResult {
  const facts: Array<InsnFacts & { zeroSeen?: boolean; taken?: boolean; fallen?: boolean }> = insns.map(() => ({}));
  const done = (accepted: boolean, errno: number | null, error: string | null, processed: number): VerifyResult => ({
    accepted,
    errno,
    error,
    insnsProcessed: processed,
    facts: {
      maxStackDepth: MAX_STACK,
      insn: facts.map((f) => ({
        safeAccess: accepted && f.safeAccess === true,
        divisorNonZero: accepted && f.zeroSeen === false,
        ...(accepted && f.taken === true && f.fallen !== true ? { branch: "always" as const } : {}),
        ...(accepted && f.fallen === true && f.taken !== true ? { branch: "never" as const } : {}),
      })),
    },
  });
  const st = checkStructure(insns);
  if (st.error !== null) return done(false, st.errno, st.error, 0);
  if (st.subprogs.length > 1) return done(false, ERRNO.ENOTSUP, "bpf-to-bpf calls are not supported by wabpf's verifier yet", 0);

  const memSize = BigInt(opts.memSize);
  const init: State = {
    regs: Array.from({ length: 11 }, () => NONE),
    stack: Array.from({ length: MAX_STACK / 8 }, () => ({ kind: "invalid" }) as Slot),
  };
  init.regs[1] = { kind: "mem", off: S.scalarKnown(0n) };
  init.regs[2] = scalar(S.scalarKnown(memSize));
  init.regs[10] = { kind: "stack", off: 0 };

  // explored states at jump targets; `active` while their subtree is still being explored
  const pruneAt = new Set<number>();
  insns.forEach((ins, pc) => {
    const cls = opClass(ins.code);
    if ((cls === Class.JMP || cls === Class.JMP32) && opJmp(ins.code) !== JmpOp.CALL && opJmp(ins.code) !== JmpOp.EXIT) {
      pruneAt.add(pc + 1 + (ins.code === (Class.JMP32 | JmpOp.JA) ? ins.imm : ins.off));
    }
  });
  interface Explored {
    state: State;
    active: boolean;
    hit: number;
    miss: number;
  }
  const seen = new Map<number, Explored[]>();
  type Work = { pc: number; state: State } | { done: Explored };
  const work: Work[] = [{ pc: 0, state: init }];
  let processed = 0;
  let jumps = 0;
  let lastJumps = -2;
  let lastProcessed = -8;
  try {
    while (work.length > 0) {
      const item = work.pop()!;
      if ("done" in item) {
        item.done.active = false;
        continue;
      }
      let { pc, state } = item;
      for (;;) {
        if (pruneAt.has(pc)) {
          const list = seen.get(pc) ?? [];
          let cover: Explored | undefined;
          // newest first, and only the newest few: a repeating state is a recent one, and an
          // unrolled loop's thousands of distinct states would make every visit a long scan
          for (let k = list.length - 1, seenCount = 0; k >= 0 && seenCount < MAX_COMPARE; k--, seenCount++) {
            const e = list[k]!;
            if (covers(e.state, state)) {
              e.hit++;
              cover = e;
              break;
            }
            // like the kernel, forget explored states that keep failing to match
            if (!e.active && ++e.miss > e.hit * 3 + 3) list.splice(k, 1);
          }
          if (cover !== undefined) {
            if (cover.active) reject(`infinite loop detected at insn ${pc}`, ERRNO.EINVAL);
            break;
          }
          // like the kernel, remember a new state only after some progress (>= 2 jumps and
          // >= 8 instructions since the last one): fewer, more useful states to compare with
          if (jumps - lastJumps >= 2 && processed - lastProcessed >= 8) {
            const entry: Explored = { state: cloneState(state), active: true, hit: 0, miss: 0 };
            list.push(entry);
            if (list.length > MAX_KEPT) list.shift();
            seen.set(pc, list);
            work.push({ done: entry });
            lastJumps = jumps;
            lastProcessed = processed;
          }
        }
        if (++processed > COMPLEXITY_LIMIT) reject(`BPF program is too large. Processed ${processed} insn`, ERRNO.E2BIG);
        const ins = insns[pc]!;
        // reserved fields and register numbers are checked when an instruction is reached
        const invalid = checkInsn(insns, pc);
        if (invalid !== null) reject(invalid, ERRNO.EINVAL);
        const next = step(ins, pc, state, insns, memSize, facts[pc]!);
        if (typeof next !== "number" || next !== pc + 1) jumps++;
        if (next === "exit") break;
        if (typeof next === "number") {
          pc = next;
          continue;
        }
        // a conditional jump with both outcomes possible: explore the fall-through first
        work.push({ pc: next.taken.pc, state: next.taken.state });
        state = next.fall.state;
        pc = next.fall.pc;
      }
    }
  } catch (e) {
    if (e instanceof Reject) return done(false, e.errno, e.text, processed);
    throw e;
  }
  return done(true, null, null, processed);
}

type Step = number | "exit" | { taken: { pc: number; state: State }; fall: { pc: number; state: State } };

function readReg(state: State, r: number): Reg {
  const v = state.regs[r]!;
  if (v.kind === "none") reject(`R${r} !read_ok`);
  return v;
}

function writeReg(state: State, r: number, v: Reg): void {
  if (r === 10) reject("frame pointer is read only");
  state.regs[r] = v;
}

function step(ins: Insn, pc: number, state: State, insns: readonly Insn[], memSize: bigint, f: InsnFacts & { zeroSeen?: boolean; taken?: boolean; fallen?: boolean }): Step {
  const cls = opClass(ins.code);
  switch (cls) {
    case Class.ALU:
    case Class.ALU64:
      alu(ins, state, cls === Class.ALU64, f);
      return pc + 1;
    case Class.LD:
      if (ins.code !== LD_IMM64) return reject("legacy packet access is not supported by wabpf's verifier yet", ERRNO.ENOTSUP);
      if (ins.src !== PseudoLd.NONE) return reject("map references are not supported by wabpf's verifier yet", ERRNO.ENOTSUP);
      writeReg(state, ins.dst, scalar(S.scalarKnown(ldImm64Value(ins, insns[pc + 1]!))));
      return pc + 2;
    case Class.LDX: {
      const size = sizeBytes(opSize(ins.code));
      const v = access(state, ins.src, ins.off, size, false, memSize, f);
      writeReg(state, ins.dst, opMode(ins.code) === Mode.MEMSX ? unknown() : v ?? scalar(S.coerceToSize(S.scalarUnknown(), size)));
      return pc + 1;
    }
    case Class.ST:
    case Class.STX: {
      const size = sizeBytes(opSize(ins.code));
      if (opMode(ins.code) === Mode.ATOMIC) {
        atomic(ins, state, size, memSize, f);
        return pc + 1;
      }
      const value = cls === Class.STX ? readReg(state, ins.src) : scalar(S.scalarKnown(BigInt(ins.imm)));
      access(state, ins.dst, ins.off, size, true, memSize, f, value);
      return pc + 1;
    }
    default: {
      const op = opJmp(ins.code);
      if (op === JmpOp.EXIT) {
        readReg(state, 0);
        return "exit";
      }
      if (op === JmpOp.CALL) return reject("helper and function calls are not supported by wabpf's verifier yet", ERRNO.ENOTSUP);
      if (op === JmpOp.JA) return pc + 1 + (cls === Class.JMP32 ? ins.imm : ins.off);
      return branch(ins, pc, state, f);
    }
  }
}

const ALU_NAME: Record<number, S.AluName> = {
  [AluOp.ADD]: "add",
  [AluOp.SUB]: "sub",
  [AluOp.MUL]: "mul",
  [AluOp.OR]: "or",
  [AluOp.AND]: "and",
  [AluOp.LSH]: "lsh",
  [AluOp.RSH]: "rsh",
  [AluOp.ARSH]: "arsh",
  [AluOp.XOR]: "xor",
  [AluOp.MOV]: "mov",
  [AluOp.NEG]: "neg",
};

function alu(ins: Insn, state: State, is64: boolean, f: { zeroSeen?: boolean }): void {
  const op = opAlu(ins.code);
  const x = opSource(ins.code) === Source.X;
  if (op === AluOp.END) {
    const d = readReg(state, ins.dst);
    if (d.kind !== "scalar") reject(`R${ins.dst} pointer arithmetic prohibited`);
    writeReg(state, ins.dst, unknown());
    return;
  }
  const src: Reg = x ? readReg(state, ins.src) : scalar(S.scalarKnown(is64 ? BigInt(ins.imm) : BigInt(ins.imm >>> 0)));
  if (!x && (op === AluOp.DIV || op === AluOp.MOD)) {
    if (ins.imm === 0) reject("div by zero", ERRNO.EINVAL);
    f.zeroSeen ??= false;
  }
  if (!x && (op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH) && (ins.imm < 0 || ins.imm >= (is64 ? 64 : 32))) {
    reject(`invalid shift ${ins.imm}`, ERRNO.EINVAL);
  }
  if (op === AluOp.MOV) {
    if (x && ins.off !== 0) {
      if (src.kind !== "scalar") reject(`R${ins.src} sign-extension of a pointer is prohibited`);
      writeReg(state, ins.dst, unknown());
    } else if (is64) writeReg(state, ins.dst, src);
    else writeReg(state, ins.dst, src.kind === "scalar" ? scalar(S.zext32(src.v)) : unknown());
    return;
  }
  const dst = readReg(state, ins.dst);
  if (op === AluOp.DIV || op === AluOp.MOD) {
    if (dst.kind !== "scalar" || src.kind !== "scalar") reject(`R${ins.dst} pointer arithmetic prohibited`);
    const s = (src as { v: Scalar }).v;
    if (x) f.zeroSeen = (f.zeroSeen ?? false) || (is64 ? s.umin === 0n : s.u32min === 0n);
    writeReg(state, ins.dst, unknown());
    return;
  }
  if (dst.kind === "scalar" && src.kind === "scalar") {
    const name = ALU_NAME[op] ?? "other";
    writeReg(state, ins.dst, scalar(is64 ? S.alu64(name, dst.v, src.v) : S.alu32(name, dst.v, src.v)));
    return;
  }
  // pointer arithmetic: pointer +/- scalar (64-bit only) keeps the pointer
  if (is64 && (op === AluOp.ADD || op === AluOp.SUB) && dst.kind !== "scalar" && dst.kind !== "none" && src.kind === "scalar") {
    writeReg(state, ins.dst, movePointer(dst, src.v, op === AluOp.SUB, ins.dst));
    return;
  }
  if (is64 && op === AluOp.ADD && dst.kind === "scalar" && (src.kind === "mem" || src.kind === "stack")) {
    writeReg(state, ins.dst, movePointer(src, dst.v, false, ins.dst));
    return;
  }
  if (is64 && op === AluOp.SUB && dst.kind === src.kind && dst.kind !== "scalar") {
    writeReg(state, ins.dst, unknown()); // pointer difference
    return;
  }
  reject(`R${ins.dst} pointer arithmetic prohibited`);
}

function movePointer(p: Reg, by: Scalar, negate: boolean, r: number): Reg {
  if (p.kind === "stack") {
    if (!S.isConstScalar(by)) reject("variable stack offsets are not supported by wabpf's verifier yet", ERRNO.ENOTSUP);
    const k = BigInt.asIntN(64, by.varOff.value);
    return { kind: "stack", off: p.off + Number(negate ? -k : k) };
  }
  if (p.kind !== "mem") return reject(`R${r} pointer arithmetic prohibited`);
  if (by.smin < -MAX_VAR_OFF || by.smax > MAX_VAR_OFF) {
    return reject(`math between mem pointer and register with unbounded min value is not allowed`);
  }
  const off = S.alu64(negate ? "sub" : "add", p.off, by);
  return { kind: "mem", off };
}

/** Check a load or store; returns the loaded value for stack fills of spilled registers. */
function access(state: State, r: number, off: number, size: number, write: boolean, memSize: bigint, f: InsnFacts, value?: Reg): Reg | undefined {
  const p = readReg(state, r);
  if (p.kind === "scalar") return reject(`R${r} invalid mem access 'scalar'`);
  if (p.kind === "mem") {
    const lo = p.off.smin + BigInt(off);
    const hi = p.off.umax + BigInt(off) + BigInt(size);
    if (p.off.smin < 0n && !S.isConstScalar(p.off)) reject(`R${r} min value is negative, either use unsigned index or do a if (index >=0) check.`);
    if (p.off.umax >= MAX_VAR_OFF) reject(`R${r} unbounded memory access, make sure to bounds check any such access`);
    if (lo < 0n || hi > memSize) reject(`invalid access to memory, mem_size=${memSize} off=${S.isConstScalar(p.off) ? lo : off} size=${size}`);
    (f as { safeAccess?: boolean }).safeAccess = true;
    return undefined;
  }
  if (p.kind !== "stack") return reject(`R${r} invalid mem access`);
  const at = p.off + off;
  if (at < -MAX_STACK || at + size > 0) reject(`invalid ${write ? "write to" : "read from"} stack R${r} off=${at} size=${size}`);
  if (at % size !== 0) reject(`misaligned stack access off 0+${p.off}+${off} size ${size}`);
  (f as { safeAccess?: boolean }).safeAccess = true;
  const slot = Math.floor(-at - 1) >> 3;
  if (write) {
    state.stack[slot] = size === 8 && value !== undefined && value.kind !== "none" ? { kind: "spill", reg: value } : { kind: "misc" };
    return undefined;
  }
  const s = state.stack[slot]!;
  if (s.kind === "spill" && size === 8) return s.reg;
  return scalar(S.coerceToSize(S.scalarUnknown(), size as 1 | 2 | 4 | 8)); // privileged: uninitialised bytes read as unknown
}

function atomic(ins: Insn, state: State, size: number, memSize: bigint, f: InsnFacts): void {
  const op = ins.imm;
  if (op === AtomicOp.LOAD_ACQ) {
    access(state, ins.src, ins.off, size, false, memSize, f);
    writeReg(state, ins.dst, scalar(S.coerceToSize(S.scalarUnknown(), size as 1 | 2 | 4 | 8)));
    return;
  }
  const v = readReg(state, ins.src);
  if (v.kind !== "scalar") reject(`R${ins.src} leaks addr into mem`);
  // atomics are always strictly aligned
  const p = readReg(state, ins.dst);
  if (p.kind === "mem") {
    const fixed = S.isConstScalar(p.off) ? BigInt.asIntN(64, p.off.varOff.value) : 0n;
    const aligned = S.isConstScalar(p.off) ? (fixed + BigInt(ins.off)) % BigInt(size) === 0n : T.isAligned(p.off.varOff, size) && ins.off % size === 0;
    if (!aligned) reject(`misaligned value access off ${S.isConstScalar(p.off) ? "0" : T.tnumText(p.off.varOff)}+${fixed}+${ins.off} size ${size}`);
  }
  if (op === AtomicOp.CMPXCHG) readReg(state, 0);
  access(state, ins.dst, ins.off, size, false, memSize, f);
  access(state, ins.dst, ins.off, size, true, memSize, f, unknown());
  if (op === AtomicOp.CMPXCHG) writeReg(state, 0, unknown());
  else if ((op & AtomicOp.FETCH) !== 0) writeReg(state, ins.src, unknown());
}

const CMP: Record<number, S.CmpName> = {
  [JmpOp.JEQ]: "eq",
  [JmpOp.JNE]: "ne",
  [JmpOp.JGT]: "gt",
  [JmpOp.JGE]: "ge",
  [JmpOp.JLT]: "lt",
  [JmpOp.JLE]: "le",
  [JmpOp.JSGT]: "sgt",
  [JmpOp.JSGE]: "sge",
  [JmpOp.JSLT]: "slt",
  [JmpOp.JSLE]: "sle",
  [JmpOp.JSET]: "set",
};

function branch(ins: Insn, pc: number, state: State, f: { taken?: boolean; fallen?: boolean }): Step {
  const is32 = opClass(ins.code) === Class.JMP32;
  const a = readReg(state, ins.dst);
  const b = opSource(ins.code) === Source.X ? readReg(state, ins.src) : scalar(S.scalarKnown(is32 ? BigInt(ins.imm >>> 0) : BigInt(ins.imm)));
  const target = pc + 1 + ins.off;
  const cmp = CMP[opJmp(ins.code)]!;
  if (a.kind === "scalar" && b.kind === "scalar") {
    const verdict = S.isBranchTaken(a.v, b.v, cmp, is32);
    if (verdict === 1) {
      f.taken = true;
      return target;
    }
    if (verdict === 0) {
      f.fallen = true;
      return pc + 1;
    }
    f.taken = f.fallen = true;
    const [ta, tb] = S.refine(a.v, b.v, cmp, is32, true);
    const [fa, fb] = S.refine(a.v, b.v, cmp, is32, false);
    const taken = cloneState(state);
    const fall = state;
    const put = (s: State, va: Scalar, vb: Scalar): void => {
      s.regs[ins.dst] = scalar(va);
      if (opSource(ins.code) === Source.X && ins.src !== ins.dst) s.regs[ins.src] = scalar(vb);
    };
    put(taken, ta, tb);
    put(fall, fa, fb);
    if (S.isEmpty(ta) || S.isEmpty(tb)) return pc + 1;
    if (S.isEmpty(fa) || S.isEmpty(fb)) return target;
    return { taken: { pc: target, state: taken }, fall: { pc: pc + 1, state: fall } };
  }
  // comparisons involving pointers teach nothing here: both ways are possible
  f.taken = f.fallen = true;
  return { taken: { pc: target, state: cloneState(state) }, fall: { pc: pc + 1, state } };
}

// ------------------------------------------------------------------ states

// only a search-order heuristic for speed: any value is correct
let lastMiss = 0;

function cloneState(s: State): State {
  return { regs: s.regs.slice(), stack: s.stack.slice() };
}

/** Whether everything `cur` can hold, `old` could hold too (so old's safe exploration covers cur). */
function covers(old: State, cur: State): boolean {
  // the register that told the last two states apart most likely does so again (a loop counter)
  if (!regCovers(old.regs[lastMiss]!, cur.regs[lastMiss]!)) return false;
  for (let r = 0; r < 11; r++) {
    if (r !== lastMiss && !regCovers(old.regs[r]!, cur.regs[r]!)) {
      lastMiss = r;
      return false;
    }
  }
  for (let k = 0; k < old.stack.length; k++) {
    const o = old.stack[k]!;
    const c = cur.stack[k]!;
    if (o.kind === "spill") {
      if (c.kind !== "spill" || !regCovers(o.reg, c.reg)) return false;
    } else if (c.kind === "spill" && c.reg.kind !== "scalar") return false;
  }
  return true;
}

function regCovers(o: Reg, c: Reg): boolean {
  if (o.kind === "none") return true; // never read on the explored path (else it would have failed)
  if (o.kind !== c.kind) return false;
  if (o.kind === "stack") return o.off === (c as { off: number }).off;
  const a = o.kind === "scalar" ? o.v : o.off;
  const b = c.kind === "scalar" ? c.v : (c as { off: Scalar }).off;
  // bounds first: they are cheap and they are what differs between loop iterations
  return (
    a.umin <= b.umin && a.umax >= b.umax && a.smin <= b.smin && a.smax >= b.smax &&
    a.s32min <= b.s32min && a.s32max >= b.s32max && a.u32min <= b.u32min && a.u32max >= b.u32max &&
    T.tnumIn(a.varOff, b.varOff)
  );
}
