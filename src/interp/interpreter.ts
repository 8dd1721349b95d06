import { RuntimeTrap, TrapKind } from "../errors.js";
import type { Insn } from "../isa/insn.js";
import { ldImm64Value } from "../isa/insn.js";
import { checkInsn } from "../isa/decode.js";
import { CPU_ID_ADDR, CTX_BASE, CTX_SIZE, framePointer, MAX_CPUS } from "../isa/layout.js";
import { MAX_CALL_FRAMES } from "../isa/limits.js";
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
import { GuestMemory, type Region } from "../exec/guest-memory.js";
import { type HelperCall, type HelperRegistry } from "../exec/helpers.js";
import { DEFAULT_BUDGET, stackWindow, type PseudoResolver, type RunOptions, type RunResult, type TailCallTarget } from "../exec/run.js";
import type { VerifierFacts } from "../exec/facts.js";
import { callbackTargets, MAX_TAIL_CALL_CNT, pseudoFuncTarget, pseudoFuncValue } from "../exec/callbacks.js";
import { bswap, s32, s64, sdiv, sext, smod, u32, u64 } from "./alu.js";

// no implicit helper set: a run given none has none (a call traps as an unknown helper)
const NO_HELPERS: HelperRegistry = new Map();

/** The program being executed: the entry program, or the target of a tail call. */
interface Prog {
  readonly insns: readonly Insn[];
  readonly pseudo: PseudoResolver | undefined;
  /** what the verifier proved: its probeMem loads read 0 where they would fault */
  readonly facts: VerifierFacts | null;
  /** slots whose encoding was checked (an invalid one traps when reached) */
  readonly checked: Uint8Array;
  /** slots a callback may start at (ld_imm64 src 4 targets), computed on first use */
  callbacks: Set<number> | null;
}

interface Frame {
  returnPc: number;
  saved: bigint[]; // r6..r10 of the caller
  prog: Prog; // the caller's program (a tail call in a subprogram changes the callee's)
}

const progOf = (insns: readonly Insn[], pseudo: PseudoResolver | undefined, facts: VerifierFacts | null | undefined): Prog => ({
  insns,
  pseudo,
  facts: facts ?? null,
  checked: new Uint8Array(insns.length),
  callbacks: null,
});

/**
 * The reference interpreter: RFC 9669 semantics on unsigned 64-bit bigints, every memory
 * access checked against the regions the run may touch. Slow on purpose — it is the
 * oracle the JIT is compared with, so it favours the obvious form of each rule.
 *
 * Helpers may run BPF code: a callback (HelperCall.callback) is a nested execution of the
 * subprogram in a frame one deeper than the caller's; a tail call (HelperCall.tailCall)
 * switches to the target program in the same frame once the helper returns.
 */
export function runInterp(insns: readonly Insn[], opts: RunOptions = {}): RunResult {
  const mem = opts.mem ?? new GuestMemory();
  const helpers = opts.helpers ?? NO_HELPERS;
  const cpu = opts.cpu ?? 0;
  if (cpu < 0 || cpu >= MAX_CPUS) throw new RangeError(`cpu ${cpu} outside 0..${MAX_CPUS - 1}`);
  const budget = opts.budget ?? DEFAULT_BUDGET;
  const regs = setupRegisters(mem, opts, cpu);
  const fp0 = framePointer(cpu, 0);

  const stackRegion = (depth: number): Region => ({ ...stackWindow(fp0, depth), writable: true, name: "stack" });
  // the other regions are re-read: a helper may add some while it runs a callback
  const setDepth = (depth: number): void => mem.setRegions([stackRegion(depth), ...mem.getRegions().filter((r) => r.name !== "stack")]);

  let executed = 0;
  let tailCalls = 0;

  /** Run `prog` from `startPc` with `regs` in frame `base` until that frame exits; returns r0. */
  const exec = (entry: Prog, startPc: number, regs: bigint[], base: number): bigint => {
    let prog = entry;
    let insns = prog.insns;
    const frames: Frame[] = [];
    setDepth(base);
    let pc = startPc;
    // set by a tail call during a helper (an object: TypeScript does not see closure writes)
    const tail: { next: TailCallTarget | null } = { next: null };
    const hooks = (callPc: number): Pick<HelperCall, "callback" | "tailCall"> => ({
      callback: (fn, args) => {
        const target = pseudoFuncTarget(fn);
        prog.callbacks ??= callbackTargets(prog.insns);
        if (target === null || !prog.callbacks.has(target)) {
          throw new RuntimeTrap(TrapKind.BadCallTarget, callPc, `callback 0x${BigInt.asUintN(64, fn).toString(16)} is not a subprogram of the running program`);
        }
        const depth = base + frames.length + 1;
        if (depth >= MAX_CALL_FRAMES) throw new RuntimeTrap(TrapKind.CallDepth, callPc, `the call stack of ${MAX_CALL_FRAMES} frames is too deep`);
        const cregs = new Array<bigint>(11).fill(0n);
        args.slice(0, 5).forEach((v, i) => (cregs[i + 1] = u64(v)));
        cregs[10] = BigInt(framePointer(cpu, depth));
        try {
          return exec(prog, target, cregs, depth);
        } finally {
          setDepth(base + frames.length);
        }
      },
      tailCall: (target) => {
        // (a tail call in a callback replaces the callback; Linux's verifier refuses those programs)
        if (tailCalls >= MAX_TAIL_CALL_CNT) return false;
        // as x86-64's JIT: an empty slot does not count against the limit
        if (target === null) return false;
        tailCalls++;
        tail.next = target;
        return true;
      },
    });
    for (;;) {
      if (pc < 0 || pc >= insns.length) {
        throw new RuntimeTrap(TrapKind.BadJump, pc, `execution reached pc ${pc}, outside the program (0..${insns.length - 1})`);
      }
      if (++executed > budget) throw new RuntimeTrap(TrapKind.Budget, pc, `instruction budget of ${budget} exhausted`);
      const ins = insns[pc]!;
      // an invalid encoding traps when it is reached, as the kernel judges only what it reaches
      if (prog.checked[pc] === 0) {
        const invalid = checkInsn(insns, pc);
        if (invalid !== null) throw new RuntimeTrap(TrapKind.Unsupported, pc, `invalid instruction: ${invalid}`);
        prog.checked[pc] = 1;
      }
      const code = ins.code;
      const cls = opClass(code);
      switch (cls) {
        case Class.ALU:
        case Class.ALU64:
          regs[ins.dst] = alu(ins, regs, cls === Class.ALU64, pc);
          pc++;
          break;

        case Class.JMP:
        case Class.JMP32: {
          const op = opJmp(code);
          if (op === JmpOp.JA) {
            pc += 1 + (cls === Class.JMP32 ? ins.imm : ins.off);
          } else if (op === JmpOp.EXIT) {
            const frame = frames.pop();
            if (frame === undefined) return regs[0]!;
            for (let r = 6; r <= 10; r++) regs[r] = frame.saved[r - 6]!;
            prog = frame.prog;
            insns = prog.insns;
            setDepth(base + frames.length);
            pc = frame.returnPc;
          } else if (op === JmpOp.CALL) {
            if (opSource(code) === Source.X || ins.src === PseudoCall.HELPER) {
              const id = opSource(code) === Source.X ? Number(BigInt.asIntN(32, regs[ins.dst]!)) : ins.imm;
              if (callHelper(id, helpers, regs, mem, pc, opSource(code) === Source.X, hooks(pc))) return 0n;
              const next = tail.next;
              if (next !== null) {
                // the target replaces the running program in this frame; registers stay
                tail.next = null;
                prog = progOf(next.insns, next.pseudo, next.verified);
                insns = prog.insns;
                pc = 0;
              } else pc++;
            } else if (ins.src === PseudoCall.CALL) {
              if (base + frames.length + 1 >= MAX_CALL_FRAMES) {
                throw new RuntimeTrap(TrapKind.CallDepth, pc, `the call stack of ${MAX_CALL_FRAMES} frames is too deep`);
              }
              frames.push({ returnPc: pc + 1, saved: regs.slice(6, 11), prog });
              regs[10] = BigInt(framePointer(cpu, base + frames.length));
              setDepth(base + frames.length);
              pc += 1 + ins.imm;
            } else {
              throw new RuntimeTrap(TrapKind.Unsupported, pc, `kfunc call (btf id ${ins.imm}) needs the simulated kernel`);
            }
          } else {
            pc += jumpTaken(op, ins, regs, cls === Class.JMP32) ? 1 + ins.off : 1;
          }
          break;
        }

        case Class.LD:
          if (code !== LD_IMM64) {
            throw new RuntimeTrap(TrapKind.Unsupported, pc, "legacy packet access (BPF_LD | BPF_ABS/IND) needs a socket buffer context");
          }
          if (ins.src === PseudoLd.FUNC) {
            regs[ins.dst] = pseudoFuncValue(pc + 1 + ins.imm);
          } else if (ins.src !== PseudoLd.NONE) {
            const v = prog.pseudo?.(ins.src, ins.imm, insns[pc + 1]!.imm) ?? null;
            if (v === null) throw new RuntimeTrap(TrapKind.Unsupported, pc, `ld_imm64 with pseudo source ${ins.src} needs a loaded program's map/BTF relocations`);
            regs[ins.dst] = u64(v);
          } else {
            regs[ins.dst] = ldImm64Value(ins, insns[pc + 1]!);
          }
          pc += 2;
          break;

        case Class.LDX: {
          const size = sizeBytes(opSize(code));
          const at = regs[ins.src]! + BigInt(ins.off);
          // a probe load (through a BTF-typed kernel pointer) reads 0 where it would fault
          const v = prog.facts?.insn[pc]?.probeMem === true ? mem.probeRead(at, size) : load(mem, mem.check(at, size, false, pc), size);
          regs[ins.dst] = opMode(code) === Mode.MEMSX ? sext(v, size * 8, 64) : v;
          pc++;
          break;
        }

        case Class.ST:
        case Class.STX: {
          const size = sizeBytes(opSize(code));
          if (opMode(code) === Mode.ATOMIC) {
            atomic(ins, regs, mem, size, pc);
          } else {
            const addr = mem.check(regs[ins.dst]! + BigInt(ins.off), size, true, pc);
            store(mem, addr, size, cls === Class.ST ? u64(BigInt(ins.imm)) : regs[ins.src]!);
          }
          pc++;
          break;
        }

        default:
          throw new RuntimeTrap(TrapKind.Unsupported, pc, `unknown instruction class ${cls}`);
      }
    }
  };
  return { r0: exec(progOf(insns, opts.pseudo, opts.verified), 0, regs, 0) };
}

/** r1..r5 and r10 at entry: input at CTX_BASE (r1 = address, r2 = length), then explicit args. */
function setupRegisters(mem: GuestMemory, opts: RunOptions, cpu: number): bigint[] {
  const regs: bigint[] = new Array<bigint>(11).fill(0n);
  const input = opts.input;
  const ctxRegions = mem.getRegions().filter((r) => r.name !== "input");
  if (input !== undefined && input.length > 0) {
    if (input.length > CTX_SIZE) throw new RangeError(`input of ${input.length} bytes exceeds the ${CTX_SIZE}-byte context area`);
    if (opts.preserveInput !== true) mem.write(CTX_BASE, input);
    ctxRegions.push({ start: CTX_BASE, end: CTX_BASE + input.length, writable: true, name: "input" });
    regs[1] = BigInt(CTX_BASE);
    regs[2] = BigInt(input.length);
  }
  mem.setRegions(ctxRegions);
  opts.args?.forEach((v, i) => {
    if (i < 5) regs[i + 1] = u64(v);
  });
  regs[10] = BigInt(framePointer(cpu, 0));
  mem.view.setUint32(CPU_ID_ADDR, cpu, true); // per-CPU map slots and helpers read it
  return regs;
}

function alu(ins: Insn, regs: bigint[], is64: boolean, pc: number): bigint {
  const op = opAlu(ins.code);
  const x = opSource(ins.code) === Source.X;
  const bits = is64 ? 64 : 32;
  const trunc = is64 ? u64 : u32;
  const dst = trunc(regs[ins.dst]!);
  // K operands are sign-extended to 64 bits for ALU64, then used as unsigned.
  const src = x ? trunc(regs[ins.src]!) : trunc(BigInt(ins.imm));
  const shiftMask = is64 ? 63n : 31n;
  switch (op) {
    case AluOp.ADD:
      return trunc(dst + src);
    case AluOp.SUB:
      return trunc(dst - src);
    case AluOp.MUL:
      return trunc(dst * src);
    case AluOp.DIV:
      if (ins.off === 1) return sdiv(dst, src, bits);
      return src === 0n ? 0n : dst / src;
    case AluOp.MOD:
      if (ins.off === 1) return smod(dst, src, bits);
      return src === 0n ? dst : dst % src;
    case AluOp.OR:
      return dst | src;
    case AluOp.AND:
      return dst & src;
    case AluOp.XOR:
      return dst ^ src;
    case AluOp.LSH:
      return trunc(dst << (src & shiftMask));
    case AluOp.RSH:
      return dst >> (src & shiftMask);
    case AluOp.ARSH:
      return trunc((is64 ? s64(dst) : s32(dst)) >> (src & shiftMask));
    case AluOp.NEG:
      return trunc(-dst);
    case AluOp.MOV:
      return ins.off === 0 ? src : sext(src, ins.off, bits);
    case AluOp.END: {
      const width = ins.imm as 16 | 32 | 64;
      const v = regs[ins.dst]!;
      if (is64 || opSource(ins.code) === EndSource.TO_BE) return bswap(v, width);
      return v & ((1n << BigInt(width)) - 1n);
    }
  }
  throw new RuntimeTrap(TrapKind.Unsupported, pc, `unknown ALU operation 0x${op.toString(16)}`);
}

function jumpTaken(op: number, ins: Insn, regs: bigint[], is32: boolean): boolean {
  const trunc = is32 ? u32 : u64;
  const signed = is32 ? s32 : s64;
  const a = trunc(regs[ins.dst]!);
  const b = opSource(ins.code) === Source.X ? trunc(regs[ins.src]!) : trunc(BigInt(ins.imm));
  switch (op) {
    case JmpOp.JEQ:
      return a === b;
    case JmpOp.JNE:
      return a !== b;
    case JmpOp.JGT:
      return a > b;
    case JmpOp.JGE:
      return a >= b;
    case JmpOp.JLT:
      return a < b;
    case JmpOp.JLE:
      return a <= b;
    case JmpOp.JSET:
      return (a & b) !== 0n;
    case JmpOp.JSGT:
      return signed(a) > signed(b);
    case JmpOp.JSGE:
      return signed(a) >= signed(b);
    case JmpOp.JSLT:
      return signed(a) < signed(b);
    case JmpOp.JSLE:
      return signed(a) <= signed(b);
  }
  return false;
}

/** Call helper `id`; returns true when the helper asks the program to stop (uBPF unwind). */
function callHelper(id: number, helpers: HelperRegistry, regs: bigint[], mem: GuestMemory, pc: number, indirect: boolean, hooks: Pick<HelperCall, "callback" | "tailCall">): boolean {
  const helper = helpers.get(id);
  if (helper === undefined) {
    throw new RuntimeTrap(indirect ? TrapKind.BadCallTarget : TrapKind.UnknownHelper, pc, `no helper with id ${id}`);
  }
  const r0 = u64(helper.fn({ r1: regs[1]!, r2: regs[2]!, r3: regs[3]!, r4: regs[4]!, r5: regs[5]!, mem, pc, ...hooks }));
  regs[0] = r0;
  return helper.stopsWhenZero === true && r0 === 0n;
}

function load(mem: GuestMemory, addr: number, size: number): bigint {
  const v = mem.view;
  switch (size) {
    case 1:
      return BigInt(v.getUint8(addr));
    case 2:
      return BigInt(v.getUint16(addr, true));
    case 4:
      return BigInt(v.getUint32(addr, true));
    default:
      return v.getBigUint64(addr, true);
  }
}

function store(mem: GuestMemory, addr: number, size: number, value: bigint): void {
  const v = mem.view;
  switch (size) {
    case 1:
      v.setUint8(addr, Number(value & 0xffn));
      break;
    case 2:
      v.setUint16(addr, Number(value & 0xffffn), true);
      break;
    case 4:
      v.setUint32(addr, Number(value & 0xffffffffn), true);
      break;
    default:
      v.setBigUint64(addr, u64(value), true);
  }
}

function atomic(ins: Insn, regs: bigint[], mem: GuestMemory, size: number, pc: number): void {
  const op = ins.imm;
  if (op === AtomicOp.LOAD_ACQ) {
    const addr = mem.check(regs[ins.src]! + BigInt(ins.off), size, false, pc);
    regs[ins.dst] = load(mem, addr, size);
    return;
  }
  const addr = mem.check(regs[ins.dst]! + BigInt(ins.off), size, true, pc);
  if (op === AtomicOp.STORE_REL) {
    store(mem, addr, size, regs[ins.src]!);
    return;
  }
  const trunc = size === 4 ? u32 : u64;
  const old = load(mem, addr, size);
  const val = trunc(regs[ins.src]!);
  switch (op & ~AtomicOp.FETCH) {
    case AtomicOp.ADD:
      store(mem, addr, size, trunc(old + val));
      break;
    case AtomicOp.OR:
      store(mem, addr, size, old | val);
      break;
    case AtomicOp.AND:
      store(mem, addr, size, old & val);
      break;
    case AtomicOp.XOR:
      store(mem, addr, size, old ^ val);
      break;
    case AtomicOp.XCHG & ~AtomicOp.FETCH:
      store(mem, addr, size, val);
      break;
    case AtomicOp.CMPXCHG & ~AtomicOp.FETCH:
      if (old === trunc(regs[0]!)) store(mem, addr, size, val);
      regs[0] = old;
      return;
    default:
      throw new RuntimeTrap(TrapKind.Unsupported, pc, `unknown atomic operation 0x${(op >>> 0).toString(16)}`);
  }
  if ((op & AtomicOp.FETCH) !== 0) regs[ins.src] = old;
}
