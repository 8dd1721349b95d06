// The verifier: the kernel's phases in its order (structural passes, then do_check's path
// exploration with register and stack state), privileged loading (CAP_BPF + CAP_PERFMON, as
// root), x86-64. Messages are the kernel's (kernel/bpf/verifier.c, Linux 6.18); anything
// the model does not cover is rejected with a "not supported by wabpf's verifier" message
// (EOPNOTSUPP), never accepted unchecked.
import type { Insn } from "../isa/insn.js";
import { ldImm64Value } from "../isa/insn.js";
import { checkInsn } from "../isa/decode.js";
import { kernelText } from "../asm/disassemble.js";
import { AluOp, AtomicOp, Class, JmpOp, LD_IMM64, Mode, PseudoCall, PseudoLd, Size, Source, opAlu, opClass, opJmp, opMode, opSize, opSource, sizeBytes } from "../isa/opcode.js";
import { ERRNO, atBoundary } from "../errors.js";
import { BPF_COMPLEXITY_LIMIT_INSNS, MAX_BPF_STACK, MAX_CALL_FRAMES } from "../isa/limits.js";
import { checkStructure } from "./structure.js";
import * as S from "./scalar.js";
import type { Scalar } from "./scalar.js";
import * as T from "./tnum.js";
import { ctxAccess, returnRange, sockCommonAccess } from "./prog-types.js";
import { GPL_ONLY_HELPERS, helperAvailable } from "./helper-table.js";
import { FUNC_MAX_ID, MAP_TYPE_IDS, PROG_TYPE_IDS, helperProto, isCallbackHelper, kernelHelperName, type ArgType } from "./helpers.js";
import {
  EMPTY_SLOT, NOT_INIT, constReg, cloneState, cur, formatFrame, isPkt, isPointer, newFrame, ptrReg, regTypeStr, scalarReg, unknownReg,
  type ByteKind, type Frame, type Reg, type Slot, type State,
} from "./state.js";
import type { MapDef, VerifyOptions, VerifyResult } from "./types.js";

const COMPLEXITY_LIMIT = BPF_COMPLEXITY_LIMIT_INSNS;
const MAX_VAR_OFF = 1n << 29n;
const MAX_PACKET_OFF = 0xffff;
const MAX_PRUNE_COMPARE = 256;
const BPF_F_STRICT_ALIGNMENT = 1;
const BPF_F_ANY_ALIGNMENT = 2;
const BPF_F_SLEEPABLE = 16;
/** every BPF_PROG_LOAD flag Linux 6.18 knows (bpf_prog_load refuses others with EINVAL) */
const KNOWN_PROG_FLAGS = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x10000;
/** BPF_COMPLEXITY_LIMIT_JMP_SEQ: pending branches push_stack allows */
const JMP_SEQ_LIMIT = 8192;
const FUNC_LOOP = 181;
const FUNC_FOR_EACH_MAP_ELEM = 164;
const FUNC_TAIL_CALL = 12;
const FUNC_SPIN_LOCK = 93;
const FUNC_SPIN_UNLOCK = 94;
/** map types a sleepable program may use (check_map_prog_compatibility) */
const SLEEPABLE_MAPS = new Set(["hash", "lru_hash", "array", "percpu_hash", "percpu_array", "lru_percpu_hash", "array_of_maps", "hash_of_maps", "ringbuf", "user_ringbuf", "inode_storage", "sk_storage", "task_storage", "cgrp_storage", "queue"]);
const BPF_F_RDONLY_PROG = 1 << 7;
const BPF_F_WRONLY_PROG = 1 << 8;
const S64_MIN = -(1n << 63n);
const GPL_LICENSES = new Set(["GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"]);
const ALU_STR: Record<number, string> = {
  [AluOp.ADD]: "+=", [AluOp.SUB]: "-=", [AluOp.MUL]: "*=", [AluOp.DIV]: "/=", [AluOp.OR]: "|=", [AluOp.AND]: "&=",
  [AluOp.LSH]: "<<=", [AluOp.RSH]: ">>=", [AluOp.NEG]: "neg", [AluOp.MOD]: "%=", [AluOp.XOR]: "^=", [AluOp.MOV]: "=",
  [AluOp.ARSH]: "s>>=", [AluOp.END]: "endian",
};
const ALU_NAME: Record<number, S.AluName> = {
  [AluOp.ADD]: "add", [AluOp.SUB]: "sub", [AluOp.MUL]: "mul", [AluOp.OR]: "or", [AluOp.AND]: "and", [AluOp.LSH]: "lsh",
  [AluOp.RSH]: "rsh", [AluOp.ARSH]: "arsh", [AluOp.XOR]: "xor", [AluOp.MOV]: "mov", [AluOp.NEG]: "neg",
};
const CMP_NAME: Record<number, S.CmpName> = {
  [JmpOp.JEQ]: "eq", [JmpOp.JNE]: "ne", [JmpOp.JGT]: "gt", [JmpOp.JGE]: "ge", [JmpOp.JLT]: "lt", [JmpOp.JLE]: "le",
  [JmpOp.JSGT]: "sgt", [JmpOp.JSGE]: "sge", [JmpOp.JSLT]: "slt", [JmpOp.JSLE]: "sle", [JmpOp.JSET]: "set",
};

/** A rejection: the error lines the kernel prints, and its errno. */
class Reject extends Error {
  constructor(
    readonly errno: number,
    readonly lines: string[],
  ) {
    super(lines[0]);
  }
}
const fail = (errno: number, ...lines: string[]): never => {
  throw new Reject(errno, lines);
};
const unsupported = (what: string): never => fail(ERRNO.EOPNOTSUPP, `${what} is not supported by wabpf's verifier yet`);

/** An explored state kept at a prune point (struct bpf_verifier_state_list). */
interface Checkpoint {
  readonly pc: number;
  readonly state: State;
  /** stateHash of the state (candidates for the exact comparison of loop detection) */
  readonly key: number;
  readonly parent: Checkpoint | null;
  branches: number;
  hit: number;
  miss: number;
}

interface Path {
  pc: number;
  prevPc: number;
  state: State;
  checkpoint: Checkpoint | null;
  logPos: number;
}

/** What check_func_arg learned about a helper call (struct bpf_call_arg_meta). */
interface CallMeta {
  mapIdx: number;
  /** the constant key of an array lookup, when known */
  constKey: bigint | null;
  allocSize: number;
  /** the reference a release helper gives back */
  releaseRef: number;
  /** first instruction of a callback argument */
  callback: number;
}

/** What the paths through one instruction showed so far; mapInR1/callbackInR2 are -1 once two paths disagree. */
type Facts = { safeAccess?: boolean; zeroSeen?: boolean; divSeen?: boolean; taken?: boolean; fallen?: boolean; mapInR1?: number; callbackInR2?: number };

/** A value seen on one more path: kept while every path agrees, else -1. */
const agree = (seen: number | undefined, v: number): number => (seen === undefined || seen === v ? v : -1);

export function verify(insns: readonly Insn[], opts: VerifyOptions): VerifyResult {
  return atBoundary("verify", () => new Verifier(insns, opts).run());
}

class Verifier {
  private readonly maps: readonly MapDef[];
  private readonly logLevel: number;
  /** log chunks (joined at the end; a popped branch truncates to its saved length) */
  private log: string[] = [];
  private processed = 0;
  private jumps = 0;
  private prevJumps = 0;
  private prevProcessed = 0;
  private idGen = 0;
  private totalStates = 0;
  private curStates = 0;
  private peakStates = 0;
  private maxStatesPerInsn = 0;
  private readonly facts: Facts[];
  private readonly stackDepth: number[];
  private subprogs: number[] = [0];
  private readonly pruneAt: Uint8Array;
  /** per instruction: explored states whose exploration finished (branches == 0) */
  private readonly inactive: Uint32Array;
  private live: Uint16Array = new Uint16Array(0);
  private readonly explored = new Map<number, Checkpoint[]>();
  private readonly activeKeys = new Map<number, Map<number, Checkpoint[]>>();
  private scratchRegs = new Set<number>();
  private scratchSlots = new Set<number>();
  private readonly strict: boolean;

  constructor(
    private readonly insns: readonly Insn[],
    private readonly opts: VerifyOptions,
  ) {
    this.maps = opts.maps ?? [];
    this.logLevel = opts.logLevel ?? 0;
    this.facts = insns.map(() => ({}));
    this.stackDepth = [];
    this.pruneAt = new Uint8Array(insns.length);
    this.inactive = new Uint32Array(insns.length);
    const flags = opts.progFlags ?? 0;
    // BPF_F_ANY_ALIGNMENT overrides BPF_F_STRICT_ALIGNMENT (bpf_check)
    this.strict = (flags & BPF_F_STRICT_ALIGNMENT) !== 0 && (flags & BPF_F_ANY_ALIGNMENT) === 0;
  }

  private verbose(text: string): void {
    if (this.logLevel > 0) this.log.push(text);
  }

  run(): VerifyResult {
    // bpf_prog_load refuses unknown flags before the verifier runs (no log)
    if (((this.opts.progFlags ?? 0) & ~KNOWN_PROG_FLAGS) !== 0) {
      const r = this.result(false, ERRNO.EINVAL, "");
      return { ...r, log: "" };
    }
    // bpf_prog_load: an empty program or one over the privileged limit is E2BIG, no log
    if (this.insns.length === 0 || this.insns.length > BPF_COMPLEXITY_LIMIT_INSNS) {
      const r = this.result(false, ERRNO.E2BIG, "");
      return { ...r, log: "" };
    }
    const st = checkStructure(this.insns, { mapCount: this.maps.length });
    if (st.error !== null) {
      this.verbose(`${st.error}\n`);
      return this.result(false, st.errno, st.error);
    }
    this.subprogs = st.subprogs;
    // resolve_pseudo_ldimm64: direct map value addresses exist for array maps only;
    // check_map_prog_compatibility: sleepable programs use a few map types only
    const sleepable = this.opts.progType === "syscall" || ((this.opts.progFlags ?? 0) & BPF_F_SLEEPABLE) !== 0;
    for (let pc = 0; pc < this.insns.length; pc++) {
      const ins = this.insns[pc]!;
      if (ins.code !== LD_IMM64) continue;
      const isMapRef = ins.src === PseudoLd.MAP_FD || ins.src === PseudoLd.MAP_IDX || ins.src === PseudoLd.MAP_VALUE || ins.src === PseudoLd.MAP_IDX_VALUE;
      const t = this.opts.progType;
      if (isMapRef && this.maps[ins.imm]!.spinLockOff !== undefined && (t === "socket_filter" || t === "kprobe" || t === "tracepoint" || t === "perf_event" || t === "raw_tracepoint")) {
        // check_map_prog_compatibility
        const msg = t === "socket_filter" ? "socket filter progs cannot use bpf_spin_lock yet" : "tracing progs cannot use bpf_spin_lock yet";
        this.verbose(`${msg}\n`);
        return this.result(false, ERRNO.EINVAL, msg);
      }
      if (isMapRef && sleepable && !SLEEPABLE_MAPS.has(this.maps[ins.imm]!.type)) {
        const msg = "Sleepable programs can only use array, hash, ringbuf and local storage maps";
        this.verbose(`${msg}\n`);
        return this.result(false, ERRNO.EINVAL, msg);
      }
      if (ins.src === PseudoLd.MAP_VALUE || ins.src === PseudoLd.MAP_IDX_VALUE) {
        const m = this.maps[ins.imm]!;
        const off = this.insns[pc + 1]!.imm;
        let msg: string | null = null;
        if (m.type !== "array") msg = "no direct value access support for this map type";
        else if (off < 0 || off >= m.valueSize) msg = `invalid access to map value pointer, value_size=${m.valueSize} off=${off}`;
        if (msg !== null) {
          this.verbose(`${msg}\n`);
          return this.result(false, ERRNO.EINVAL, msg);
        }
      }
      pc++;
    }
    // check_attach_btf_id: which program types may be sleepable
    if (((this.opts.progFlags ?? 0) & BPF_F_SLEEPABLE) !== 0 && this.opts.progType !== "kprobe" && this.opts.progType !== "syscall") {
      const msg = "Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be sleepable";
      this.verbose(`${msg}\n`);
      return this.result(false, ERRNO.EINVAL, msg);
    }
    // check_abnormal_return: without BTF func_info, subprograms may not tail call
    if (this.opts.funcInfo !== true) {
      for (let k = 1; k < this.subprogs.length; k++) {
        const end = this.subprogs[k + 1] ?? this.insns.length;
        let hasLdAbs = false;
        let hasTail = false;
        for (let pc = this.subprogs[k]!; pc < end; pc++) {
          const ins = this.insns[pc]!;
          const ldAbs = opClass(ins.code) === Class.LD && (opMode(ins.code) === Mode.ABS || opMode(ins.code) === Mode.IND);
          const tail = ins.code === (Class.JMP | JmpOp.CALL) && ins.src === 0 && ins.imm === FUNC_TAIL_CALL;
          hasLdAbs ||= ldAbs;
          hasTail ||= tail;
        }
        const msg = hasLdAbs ? "LD_ABS is not allowed in subprogs without BTF" : hasTail ? "tail_call is not allowed in subprogs without BTF" : null;
        if (msg !== null) {
          this.verbose(`${msg}\n`);
          return this.result(false, ERRNO.EINVAL, msg);
        }
      }
    }
    this.subprogs.forEach(() => this.stackDepth.push(0));
    this.markPrunePoints();
    this.live = computeLiveRegs(this.insns);
    try {
      this.doCheck();
      this.checkMaxStackDepth();
    } catch (e) {
      if (e instanceof Reject) {
        for (const l of e.lines) this.verbose(`${l}\n`);
        return this.result(false, e.errno, e.lines[0] ?? null);
      }
      throw e;
    }
    return this.result(true, null, null);
  }

  private result(accepted: boolean, errno: number | null, error: string | null): VerifyResult {
    if (this.logLevel > 0) {
      this.log.push(`processed ${this.processed} insns (limit ${COMPLEXITY_LIMIT}) max_states_per_insn ${this.maxStatesPerInsn} total_states ${this.totalStates} peak_states ${this.peakStates} mark_read 0\n`);
    }
    const maxStackDepth = Math.max(0, ...this.stackDepth);
    return {
      accepted,
      errno,
      error,
      insnsProcessed: this.processed,
      log: this.log.join(""),
      maxStackDepth,
      facts: {
        maxStackDepth,
        insn: this.facts.map((f) =>
          !accepted
            ? undefined
            : {
                ...(f.safeAccess === true ? { safeAccess: true } : {}),
                ...(f.divSeen === true && f.zeroSeen !== true ? { divisorNonZero: true } : {}),
                ...(f.taken === true && f.fallen !== true ? { branch: "always" as const } : {}),
                ...(f.fallen === true && f.taken !== true ? { branch: "never" as const } : {}),
                ...(f.mapInR1 !== undefined && f.mapInR1 >= 0 ? { mapInR1: f.mapInR1 } : {}),
                ...(f.callbackInR2 !== undefined && f.callbackInR2 >= 0 ? { callbackInR2: f.callbackInR2 } : {}),
              },
        ),
      },
    };
  }

  private markPrunePoints(): void {
    this.insns.forEach((ins, pc) => {
      const cls = opClass(ins.code);
      if (cls !== Class.JMP && cls !== Class.JMP32) return;
      const op = opJmp(ins.code);
      if (op === JmpOp.EXIT) return;
      if (op === JmpOp.CALL) {
        if (ins.src === PseudoCall.CALL || (ins.src === 0 && isCallbackHelper(ins.imm))) this.pruneAt[pc] = 1;
        return;
      }
      const target = pc + 1 + (ins.code === (Class.JMP32 | JmpOp.JA) ? ins.imm : ins.off);
      if (target >= 0 && target < this.insns.length) this.pruneAt[target] = 1;
      if (op !== JmpOp.JA) this.pruneAt[pc] = 1;
    });
  }

  // ---------------------------------------------------------------- do_check

  private initialState(): State {
    const f = newFrame(-1, 0, 0);
    f.regs[1] = ptrReg("ctx");
    return { frames: [f], refs: [], lock: null };
  }

  private doCheck(): void {
    const work: Path[] = [];
    let path: Path | null = { pc: 0, prevPc: -1, state: this.initialState(), checkpoint: null, logPos: 0 };
    let printState = true;
    let popped = false;
    while (path !== null) {
      const p: Path = path;
      if (++this.processed > COMPLEXITY_LIMIT) fail(ERRNO.E2BIG, `BPF program is too large. Processed ${this.processed} insn`);
      if (this.pruneAt[p.pc] === 1 && this.isStateVisited(p)) {
        if (this.logLevel > 0) this.verbose(popped && printState ? `\nfrom ${p.prevPc} to ${p.pc}: safe\n` : `${p.pc}: safe\n`);
        path = this.endPath(p, work);
        popped = true;
        printState = true;
        continue;
      }
      if (this.logLevel > 0 && printState) {
        const f = cur(p.state);
        this.verbose(popped ? `\nfrom ${p.prevPc} to ${p.pc}:${formatFrame(f, this.maps)}\n` : `${p.pc}:${formatFrame(f, this.maps)}\n`);
      }
      printState = false;
      popped = false;
      const ins = this.insns[p.pc]!;
      const invalid = this.checkInsnAsKernel(ins, p.pc);
      if (this.logLevel > 0) this.verbose(`${p.pc}: (${ins.code.toString(16).padStart(2, "0")}) ${kernelText(this.insns, p.pc)}\n`);
      if (invalid !== null) {
        // check_cond_jmp_op reads the destination register before it checks the fields
        if (invalid === "BPF_JMP/JMP32 uses reserved fields") this.readReg(p.state, ins.dst);
        fail(ERRNO.EINVAL, invalid);
      }
      this.scratchRegs = new Set();
      this.scratchSlots = new Set();
      const cls = opClass(ins.code);
      if (cls === Class.JMP || cls === Class.JMP32) this.jumps++;
      const next = this.step(p, work);
      if (next === "exit") {
        path = this.endPath(p, work);
        popped = true;
        printState = true;
        continue;
      }
      if (next === "frame") {
        printState = true;
        continue;
      }
      this.printInsnState(p.state);
      p.prevPc = p.pc;
      p.pc = next;
    }
  }

  /** The decoder's reserved-field checks, adjusted where do_check differs. */
  private checkInsnAsKernel(ins: Insn, pc: number): string | null {
    const invalid = checkInsn(this.insns, pc);
    if (invalid === null) return null;
    const cls = opClass(ins.code);
    // check_alu_op: BPF_ADDR_SPACE_CAST (mov with off 1) needs an arena
    if (cls === Class.ALU64 && opAlu(ins.code) === AluOp.MOV && opSource(ins.code) === Source.X && ins.off === 1) {
      return ins.imm !== 1 && ins.imm !== 1 << 16 ? "addr_space_cast insn can only convert between address space 1 and 0" : "addr_space_cast insn can only be used in a program that has an associated arena";
    }
    // check_atomic: read-modify-write atomics of 1 or 2 bytes are a size error
    if (cls === Class.STX && opMode(ins.code) === Mode.ATOMIC && (opSize(ins.code) === Size.B || opSize(ins.code) === Size.H)) {
      const rmw = [AtomicOp.ADD, AtomicOp.OR, AtomicOp.AND, AtomicOp.XOR, AtomicOp.ADD | AtomicOp.FETCH, AtomicOp.OR | AtomicOp.FETCH, AtomicOp.AND | AtomicOp.FETCH, AtomicOp.XOR | AtomicOp.FETCH, AtomicOp.XCHG, AtomicOp.CMPXCHG] as number[];
      if (rmw.includes(ins.imm)) return "invalid atomic operand size";
      return `BPF_ATOMIC uses invalid atomic opcode ${(ins.imm >>> 0).toString(16).padStart(2, "0")}`;
    }
    // check_ld_abs refuses the program type before it looks at the fields
    const mode = opMode(ins.code);
    if (opClass(ins.code) === Class.LD && (mode === Mode.ABS || mode === Mode.IND)) {
      const t = this.opts.progType;
      if (t !== "socket_filter" && t !== "sched_cls" && t !== "sched_act") return "BPF_LD_[ABS|IND] instructions not allowed for this program type";
    }
    return invalid;
  }

  private printInsnState(s: State): void {
    if (this.logLevel === 0 || (this.scratchRegs.size === 0 && this.scratchSlots.size === 0)) return;
    const text = formatFrame(cur(s), this.maps, { regs: this.scratchRegs, slots: this.scratchSlots });
    if (text === "") return;
    // align the state after the instruction text (vlog_alignment)
    const last = this.log.pop() ?? "\n";
    const pos = last.length;
    const width = Math.ceil(Math.max(pos + 4, 40) / 8) * 8 - pos - 1;
    this.log.push(`${last.slice(0, -1)}${" ".repeat(Math.max(width, 1))};${text}\n`);
  }

  /** A path ended (exit or pruned): settle checkpoint branch counts and pop the next path. */
  private endPath(p: Path, work: Path[]): Path | null {
    this.settle(p.checkpoint);
    const next = work.pop() ?? null;
    if (next !== null && this.logLevel === 1) this.log.length = next.logPos;
    return next;
  }

  private settle(c: Checkpoint | null): void {
    while (c !== null) {
      c.branches--;
      if (c.branches > 0) return;
      this.inactive[c.pc]!++;
      const keys = this.activeKeys.get(c.pc);
      if (keys !== undefined) {
        const same = (keys.get(c.key) ?? []).filter((x) => x !== c);
        if (same.length === 0) keys.delete(c.key);
        else keys.set(c.key, same);
      }
      c = c.parent;
    }
  }

  /** is_state_visited: true when an explored state covers this one (prune). */
  private isStateVisited(p: Path): boolean {
    const active = this.activeKeys.get(p.pc);
    let sawLoop = false;
    let key: number | null = null;
    const ins = this.insns[p.pc]!;
    // a call that schedules callbacks is revisited by design: no loop check, and its states
    // may prune while still being explored (calls_callback in is_state_visited)
    const cbSite = ins.code === (Class.JMP | JmpOp.CALL) && ins.src === 0 && isCallbackHelper(ins.imm);
    if (cbSite) {
      const list = this.explored.get(p.pc) ?? [];
      for (const c of list) {
        if (this.statesEqual(c.state, p.state, p.pc)) {
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
      key = this.stateHash(p.state, p.pc);
      const cands = active.get(key);
      if (cands !== undefined) {
        const exact = this.exactKey(p.state, p.pc);
        if (cands.some((c) => this.exactKey(c.state, p.pc) === exact)) {
          const text = formatFrame(cur(p.state), this.maps);
          fail(ERRNO.EINVAL, `infinite loop detected at insn ${p.pc}`, `cur state:${text}`, `old state:${text}`);
        }
      }
    }
    const list = this.explored.get(p.pc) ?? [];
    // only finished states can prune: skip the scan when every state here is still explored
    for (let k = this.inactive[p.pc]! > 0 ? list.length - 1 : -1, n = 0; k >= 0 && n < MAX_PRUNE_COMPARE; k--, n++) {
      const c = list[k]!;
      if (c.branches > 0) continue;
      if (this.statesEqual(c.state, p.state, p.pc)) {
        c.hit++;
        return true;
      }
      if (++c.miss > c.hit * 3 + 3) {
        list.splice(k, 1);
        this.inactive[p.pc]!--;
        this.curStates--;
      }
    }
    let add = cbSite || (this.jumps - this.prevJumps >= 2 && this.processed - this.prevProcessed >= 8);
    if (!cbSite && sawLoop && this.jumps - this.prevJumps < 20 && this.processed - this.prevProcessed < 100) add = false;
    if (!add) return false;
    this.prevJumps = this.jumps;
    this.prevProcessed = this.processed;
    key ??= this.stateHash(p.state, p.pc);
    const c: Checkpoint = { pc: p.pc, state: cloneState(p.state), key, parent: p.checkpoint, branches: 1, hit: 0, miss: 0 };
    list.push(c);
    this.explored.set(p.pc, list);
    const keys = this.activeKeys.get(p.pc) ?? new Map<number, Checkpoint[]>();
    keys.set(key, [...(keys.get(key) ?? []), c]);
    this.activeKeys.set(p.pc, keys);
    p.checkpoint = c;
    this.totalStates++;
    this.curStates++;
    this.peakStates = Math.max(this.peakStates, this.curStates);
    this.maxStatesPerInsn = Math.max(this.maxStatesPerInsn, list.length);
    return false;
  }

  /** A hash of exactKey's contents (equal states hash equal; unequal ones rarely do). */
  private stateHash(s: State, pc: number): number {
    const live = this.live[pc]!;
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
  private exactKey(s: State, pc: number): string {
    const live = this.live[pc]!;
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

  /** states_equal (not exact): every value of `c` is a value of `o`, for the parts `o` uses. */
  private statesEqual(o: State, c: State, pc: number): boolean {
    if (o.frames.length !== c.frames.length) return false;
    if (o.refs.length !== c.refs.length) return false;
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
        if (last && i < 10 && (this.live[pc]! & (1 << i)) === 0) continue;
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

  // ---------------------------------------------------------------- instructions

  private step(p: Path, work: Path[]): number | "exit" | "frame" {
    const ins = this.insns[p.pc]!;
    const s = p.state;
    const cls = opClass(ins.code);
    const f = this.facts[p.pc]!;
    switch (cls) {
      case Class.ALU:
      case Class.ALU64:
        this.checkAluOp(ins, s, cls === Class.ALU64, f);
        return p.pc + 1;
      case Class.LD: {
        if (ins.code !== LD_IMM64) {
          this.checkLdAbs(ins, s);
          return p.pc + 1;
        }
        this.writeReg(s, ins.dst);
        if (ins.src === PseudoLd.NONE) {
          this.setReg(s, ins.dst, constReg(ldImm64Value(ins, this.insns[p.pc + 1]!)));
        } else if (ins.src === PseudoLd.MAP_FD || ins.src === PseudoLd.MAP_IDX) {
          this.setReg(s, ins.dst, ptrReg("map_ptr", { map: ins.imm }));
        } else if (ins.src === PseudoLd.MAP_VALUE || ins.src === PseudoLd.MAP_IDX_VALUE) {
          const m = this.maps[ins.imm]!;
          const off = this.insns[p.pc + 1]!.imm;
          if (m.type !== "array" || m.maxEntries < 1) return unsupported(`direct value access to a ${m.type} map`);
          if (off < 0 || off >= m.valueSize) fail(ERRNO.EINVAL, `invalid access to map value pointer, value_size=${m.valueSize} off=${off}`);
          this.setReg(s, ins.dst, ptrReg("map_value", { map: ins.imm, off }));
        } else if (ins.src === PseudoLd.FUNC) {
          // check_ld_imm: a callback reference needs BTF func_info (static functions)
          if (this.opts.funcInfo !== true) fail(ERRNO.EINVAL, "missing btf func_info");
          this.setReg(s, ins.dst, ptrReg("func", { callback: p.pc + 1 + ins.imm }));
        } else {
          return unsupported(`ld_imm64 with src_reg ${ins.src}`);
        }
        return p.pc + 2;
      }
      case Class.LDX: {
        this.readReg(s, ins.src);
        this.writeReg(s, ins.dst);
        const size = sizeBytes(opSize(ins.code));
        const v = this.checkMemAccess(s, ins.src, ins.off, size, "read", null, f, opMode(ins.code) === Mode.MEMSX);
        this.setReg(s, ins.dst, v!);
        return p.pc + 1;
      }
      case Class.ST:
      case Class.STX: {
        const size = sizeBytes(opSize(ins.code));
        if (opMode(ins.code) === Mode.ATOMIC) {
          this.checkAtomic(ins, s, size, f);
          return p.pc + 1;
        }
        let value: Reg | null = null;
        if (cls === Class.STX) {
          value = this.readReg(s, ins.src);
          this.readReg(s, ins.dst);
        } else {
          this.readReg(s, ins.dst);
        }
        this.checkMemAccess(s, ins.dst, ins.off, size, "write", value, f, false, cls === Class.ST ? ins.imm : undefined);
        return p.pc + 1;
      }
      default: {
        const op = opJmp(ins.code);
        if (op === JmpOp.EXIT) return this.checkExit(p);
        if (op === JmpOp.CALL) {
          if (ins.src === PseudoCall.CALL) return this.checkFuncCall(p);
          // only bpf_spin_unlock may be called while a lock is held
          if (s.lock !== null && (ins.src !== 0 || ins.imm !== FUNC_SPIN_UNLOCK)) fail(ERRNO.EINVAL, "function calls are not allowed while holding a lock");
          if (ins.src !== 0) return unsupported("kfunc calls");
          this.checkHelperCall(ins.imm, p, work);
          return p.pc + 1;
        }
        if (op === JmpOp.JA) return p.pc + 1 + (cls === Class.JMP32 ? ins.imm : ins.off);
        return this.checkCondJmpOp(p, work, f);
      }
    }
  }

  /** check_ld_abs: legacy packet loads (BPF_LD_ABS / BPF_LD_IND) of __sk_buff programs. */
  private checkLdAbs(ins: Insn, s: State): void {
    const t = this.opts.progType;
    if (t !== "socket_filter" && t !== "sched_cls" && t !== "sched_act") fail(ERRNO.EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
    const r6 = this.readReg(s, 6);
    // the load may end the program at run time: no references may be held
    this.checkResourceLeak(s, "BPF_LD_[ABS|IND]");
    if (r6.type !== "ctx") fail(ERRNO.EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
    if (opMode(ins.code) === Mode.IND) this.readReg(s, ins.src);
    this.checkPtrOffReg(r6, 6);
    for (let r = 1; r <= 5; r++) this.setReg(s, r, NOT_INIT);
    this.writeReg(s, 0);
    this.setReg(s, 0, unknownReg());
  }

  private readReg(s: State, r: number): Reg {
    const v = cur(s).regs[r]!;
    this.scratchRegs.add(r);
    if (v.type === "not_init") fail(ERRNO.EACCES, `R${r} !read_ok`);
    return v;
  }

  private writeReg(_s: State, r: number): void {
    if (r === 10) fail(ERRNO.EACCES, "frame pointer is read only");
    this.scratchRegs.add(r);
  }

  private setReg(s: State, r: number, v: Reg): void {
    cur(s).regs[r] = v;
    this.scratchRegs.add(r);
  }

  // ---------------------------------------------------------------- ALU

  private checkAluOp(ins: Insn, s: State, is64: boolean, f: Facts): void {
    const op = opAlu(ins.code);
    const x = opSource(ins.code) === Source.X;
    const regs = cur(s).regs;
    if (op === AluOp.END || op === AluOp.NEG) {
      const d = this.readReg(s, ins.dst);
      this.writeReg(s, ins.dst);
      if (d.type !== "scalar") {
        this.setReg(s, ins.dst, is64 ? unknownReg() : scalarReg(S.zext32(S.scalarUnknown())));
        return;
      }
      if (op === AluOp.NEG) {
        this.setReg(s, ins.dst, scalarReg(is64 ? S.alu64("neg", d.v, d.v) : S.alu32("neg", d.v, d.v)));
        return;
      }
      const le = !is64 && !x;
      const bits = BigInt(ins.imm);
      let v: Scalar;
      // to little-endian on this (little-endian) host truncates; be and bswap swap the bytes
      if (le) v = bits === 64n ? d.v : S.coerceToSize(d.v, Number(bits / 8n) as 2 | 4);
      else v = S.byteSwap(d.v, Number(bits / 8n) as 2 | 4 | 8);
      this.setReg(s, ins.dst, scalarReg(v));
      return;
    }
    if (op === AluOp.MOV) {
      const src = x ? this.readReg(s, ins.src) : null;
      this.writeReg(s, ins.dst);
      if (src === null) {
        this.setReg(s, ins.dst, constReg(is64 ? BigInt(ins.imm) : BigInt(ins.imm >>> 0)));
        return;
      }
      if (src.type !== "scalar") {
        this.setReg(s, ins.dst, is64 && ins.off === 0 ? src : is64 ? unknownReg() : scalarReg(S.zext32(S.scalarUnknown())));
        return;
      }
      if (ins.off !== 0) {
        // movsx: sign extension from 8, 16 or 32 bits (of the subregister for ALU32)
        const from = ins.off / 8 as 1 | 2 | 4;
        const v = is64 ? S.coerceToSizeSx(src.v, from) : S.zext32(S.coerceToSizeSx(S.zext32(src.v), from));
        this.setReg(s, ins.dst, scalarReg(v));
        return;
      }
      // assign_scalar_id_before_mov: a register already linked with a delta is unlinked first
      const base: Reg = src.addConst ? { ...src, id: 0, off: 0, addConst: false } : src;
      if (is64) {
        let id = base.id;
        if (id === 0 && !T.isConst(base.v.varOff)) id = ++this.idGen;
        if (base !== src || id !== src.id) regs[ins.src] = { ...base, id };
        this.setReg(s, ins.dst, { ...base, id });
      } else {
        const fits = src.v.umax <= 0xffffffffn;
        let id = 0;
        if (fits) {
          id = base.id;
          if (id === 0 && !T.isConst(base.v.varOff)) id = ++this.idGen;
          if (base !== src || id !== src.id) regs[ins.src] = { ...base, id };
        }
        this.setReg(s, ins.dst, scalarReg(S.zext32(src.v), id));
      }
      return;
    }
    const src: Reg = x ? this.readReg(s, ins.src) : constReg(BigInt(ins.imm));
    const dst = this.readReg(s, ins.dst);
    if ((op === AluOp.DIV || op === AluOp.MOD) && !x && ins.imm === 0) fail(ERRNO.EINVAL, "div by zero");
    if ((op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH) && !x && (ins.imm < 0 || ins.imm >= (is64 ? 64 : 32))) {
      fail(ERRNO.EINVAL, `invalid shift ${ins.imm}`);
    }
    this.writeReg(s, ins.dst);
    if (op === AluOp.DIV || op === AluOp.MOD) {
      f.divSeen = true;
      if (src.type !== "scalar" || (is64 ? src.v.umin === 0n : src.v.u32min === 0n)) f.zeroSeen = true;
      if (ins.off === 1 && (src.type !== "scalar" || (is64 ? src.v.smin <= -1n && src.v.smax >= -1n : src.v.s32min <= -1n && src.v.s32max >= -1n))) f.zeroSeen = true;
    }
    if (src.type !== "scalar") {
      if (dst.type !== "scalar") {
        if (op === AluOp.SUB) {
          this.setReg(s, ins.dst, unknownReg());
          return;
        }
        fail(ERRNO.EACCES, `R${ins.dst} pointer ${ALU_STR[op]} pointer prohibited`);
      }
      this.setReg(s, ins.dst, this.adjustPtrMinMaxVals(ins, is64, op, src, dst, true));
      return;
    }
    if (dst.type !== "scalar") {
      this.setReg(s, ins.dst, this.adjustPtrMinMaxVals(ins, is64, op, dst, src, false));
      return;
    }
    const v = this.adjustScalar(op, dst.v, src.v, is64);
    // BPF_ADD_CONST: `rX += const` keeps rX linked to the registers sharing its id, with a delta
    if (is64 && (op === AluOp.ADD || op === AluOp.SUB) && dst.id !== 0 && !dst.addConst && S.isConstScalar(src.v)) {
      const val = BigInt.asIntN(64, src.v.varOff.value);
      if (val >= -(1n << 31n) && val < 1n << 31n && !(op === AluOp.SUB && val === -(1n << 31n))) {
        const delta = Number(op === AluOp.SUB ? -val : val);
        this.setReg(s, ins.dst, { ...scalarReg(v, dst.id), off: delta, addConst: true });
        return;
      }
    }
    this.setReg(s, ins.dst, scalarReg(v));
  }

  private adjustScalar(op: number, d: Scalar, sv: Scalar, is64: boolean): Scalar {
    const name = ALU_NAME[op] ?? "other";
    // is_safe_to_compute_dst_reg_range: add/sub/neg/and/or/xor/mul always; shifts only by a
    // constant below the width (the 32-bit form checks the subregister for constness, the
    // 64-bit umax for the range); anything else (div, mod, other shifts) leaves the WHOLE
    // register unknown, even for a 32-bit operation (Linux returns before zero-extending)
    if (name === "lsh" || name === "rsh" || name === "arsh" || name === "other") {
      const width = is64 ? 64n : 32n;
      const srcConst = is64
        ? S.isConstScalar(sv) && sv.smin === sv.smax && sv.umin === sv.umax
        : T.isConst(T.subreg(sv.varOff)) && sv.s32min === sv.s32max && sv.u32min === sv.u32max;
      if (name === "other" || !srcConst || sv.umax >= width) return S.scalarUnknown();
    }
    return is64 ? S.alu64(name, d, sv) : S.alu32(name, d, sv);
  }

  /** adjust_ptr_min_max_vals: pointer +/- scalar; `swapped` for scalar += pointer. */
  private adjustPtrMinMaxVals(ins: Insn, is64: boolean, op: number, ptr: Reg, off: Reg, swapped: boolean): Reg {
    const dst = ins.dst;
    if (!is64) {
      if (op === AluOp.SUB) return unknownReg();
      fail(ERRNO.EACCES, `R${dst} 32-bit pointer arithmetic prohibited`);
    }
    if (ptr.nullable) fail(ERRNO.EACCES, `R${dst} pointer arithmetic on ${regTypeStr(ptr)} prohibited, null-check it first`);
    const known = S.isConstScalar(off.v);
    const val = BigInt.asIntN(64, off.v.varOff.value);
    const allowed = ptr.type === "ctx" || ptr.type === "map_value" || ptr.type === "map_key" || ptr.type === "fp" || ptr.type === "pkt" || ptr.type === "pkt_meta" || ptr.type === "ringbuf_mem" || (ptr.type === "func" && known);
    if (!allowed && !(ptr.type === "map_ptr" && known && val === 0n && op === AluOp.ADD)) {
      fail(ERRNO.EACCES, `R${dst} pointer arithmetic on ${regTypeStr(ptr)} prohibited`);
    }
    this.checkRegSaneOffset(off, ptr);
    this.checkRegSaneOffset(ptr, ptr);
    let r: Reg;
    if (op === AluOp.ADD) {
      if (known) {
        r = { ...ptr, off: ptr.off + Number(val) };
      } else {
        r = { ...ptr, v: S.alu64("add", ptr.v, off.v) };
        if (isPkt(ptr)) r = { ...r, id: ++this.idGen, range: 0 };
      }
    } else if (op === AluOp.SUB) {
      if (swapped) fail(ERRNO.EACCES, `R${dst} tried to subtract pointer from scalar`);
      if (ptr.type === "fp") fail(ERRNO.EACCES, `R${dst} subtraction from stack pointer prohibited`);
      if (known && val !== S64_MIN) {
        r = { ...ptr, off: ptr.off - Number(val) };
      } else {
        r = { ...ptr, v: S.alu64("sub", ptr.v, off.v) };
        if (isPkt(ptr)) r = { ...r, id: ++this.idGen, range: 0 };
      }
    } else if (op === AluOp.AND || op === AluOp.OR || op === AluOp.XOR) {
      return fail(ERRNO.EACCES, `R${dst} bitwise operator ${ALU_STR[op]} on pointer prohibited`);
    } else {
      return fail(ERRNO.EACCES, `R${dst} pointer arithmetic with ${ALU_STR[op]} operator prohibited`);
    }
    if (Math.abs(r.off) >= Number(MAX_VAR_OFF)) fail(ERRNO.EINVAL, `${regTypeStr(ptr)} pointer offset ${r.off} is not allowed`);
    this.checkRegSaneOffset(r, ptr);
    return r;
  }

  /** check_reg_sane_offset */
  private checkRegSaneOffset(reg: Reg, ptr: Reg): void {
    const t = regTypeStr(ptr);
    const known = S.isConstScalar(reg.v);
    const val = BigInt.asIntN(64, reg.v.varOff.value);
    if (known && (val >= MAX_VAR_OFF || val <= -MAX_VAR_OFF)) fail(ERRNO.EINVAL, `math between ${t} pointer and ${val} is not allowed`);
    if (reg.off >= Number(MAX_VAR_OFF) || reg.off <= -Number(MAX_VAR_OFF)) fail(ERRNO.EINVAL, `${t} pointer offset ${reg.off} is not allowed`);
    if (reg.v.smin === S64_MIN) fail(ERRNO.EINVAL, `math between ${t} pointer and register with unbounded min value is not allowed`);
    if (reg.v.smin >= MAX_VAR_OFF || reg.v.smin <= -MAX_VAR_OFF) fail(ERRNO.EINVAL, `value ${reg.v.smin} makes ${t} pointer be out of bounds`);
  }

  // ---------------------------------------------------------------- memory

  private varOffText(r: Reg): string {
    return T.isConst(r.v.varOff) ? BigInt.asIntN(64, r.v.varOff.value).toString() : T.tnumText(r.v.varOff);
  }

  /** check_ptr_alignment */
  private checkPtrAlignment(r: Reg, off: number, size: number, strictOnce = false): void {
    if (isPkt(r)) {
      if (!(this.strict || strictOnce) || size === 1) return;
      const t = T.add(r.v.varOff, T.tnumConst(BigInt(2 + r.off + off)));
      if (!T.isAligned(t, size)) fail(ERRNO.EACCES, `misaligned packet access off 2+${this.varOffText(r)}+${r.off}+${off} size ${size}`);
      return;
    }
    const desc = r.type === "map_value" ? "value " : r.type === "ctx" ? "context " : r.type === "fp" ? "stack " : "";
    // atomics are always checked strictly (the kernel's strict_alignment_once)
    const strict = this.strict || strictOnce || r.type === "fp";
    if (!strict || size === 1) return;
    const t = T.add(r.v.varOff, T.tnumConst(BigInt(r.off + off)));
    if (!T.isAligned(t, size)) fail(ERRNO.EACCES, `misaligned ${desc}access off ${this.varOffText(r)}+${r.off}+${off} size ${size}`);
  }

  /**
   * check_mem_access for a load ("read", returns the loaded value) or a store ("write" of
   * `value`, or of the immediate `imm` for BPF_ST).
   */
  private checkMemAccess(s: State, regno: number, insnOff: number, size: number, t: "read" | "write", value: Reg | null, f: Facts, signExt: boolean, imm?: number, strictOnce = false): Reg | null {
    const reg = cur(s).regs[regno]!;
    this.checkPtrAlignment(reg, insnOff, size, strictOnce);
    const off = insnOff + reg.off;
    let out: Reg | null = null;
    if (reg.type === "map_value" && !reg.nullable) {
      this.checkMapAccessType(reg, regno, off, size, t);
      this.checkMapAccess(reg, regno, off, size, false);
      if (t === "read") out = unknownReg();
    } else if (reg.type === "ctx") {
      this.checkPtrOffReg(reg, regno);
      const a = ctxAccess(this.opts.progType, off, size, t === "write");
      if (!a.ok) return fail(ERRNO.EACCES, `invalid bpf_context access off=${off} size=${size}`);
      if (t === "read") {
        if (a.value === "scalar") out = unknownReg();
        else if (a.value === "sock_common_or_null") out = ptrReg("sock_common", { nullable: true, id: ++this.idGen });
        else out = ptrReg(a.value);
      }
    } else if (reg.type === "fp") {
      this.checkStackAccessWithinBounds(s, reg, regno, off, size, t === "read" ? " read from" : " write to");
      out = t === "read" ? this.checkStackRead(s, reg, off, size) : (this.checkStackWrite(s, reg, off, size, value, imm), null);
    } else if (isPkt(reg) && !reg.nullable) {
      if (t === "write" && this.opts.progType !== "xdp" && this.opts.progType !== "sched_cls" && this.opts.progType !== "sched_act") {
        fail(ERRNO.EACCES, "cannot write into packet");
      }
      this.checkPacketAccess(reg, regno, off, size, false);
      if (t === "read") out = unknownReg();
    } else if (reg.type === "ringbuf_mem" && !reg.nullable) {
      const msg = (o: bigint): string => `invalid access to memory, mem_size=${reg.memSize} off=${o} size=${size}`;
      this.checkMemRegionAccess(reg, regno, off, size, reg.memSize, false, msg);
      if (t === "read") out = unknownReg();
    } else if (reg.type === "map_key") {
      if (t === "write") fail(ERRNO.EACCES, `write to change key R${regno} not allowed`);
      const m = this.maps[reg.map]!;
      const msg = (o: bigint): string => `invalid access to map key, key_size=${m.keySize} off=${o} size=${size}`;
      this.checkMemRegionAccess(reg, regno, off, size, m.keySize, false, msg);
      out = unknownReg();
    } else if (reg.type === "sock_common" && !reg.nullable) {
      if (t === "write") fail(ERRNO.EACCES, `R${regno} cannot write into ${regTypeStr(reg)}`);
      this.checkPtrOffReg(reg, regno);
      if (!sockCommonAccess(off, size)) fail(ERRNO.EACCES, `R${regno} invalid ${regTypeStr(reg)} access off=${off} size=${size}`);
      out = unknownReg();
    } else if (reg.type === "map_ptr") {
      return unsupported(`access through a ${regTypeStr(reg)} pointer`);
    } else {
      return fail(ERRNO.EACCES, `R${regno} invalid mem access '${regTypeStr(reg)}'`);
    }
    f.safeAccess = true;
    if (out !== null && out.type === "scalar" && size < 8) {
      out = scalarReg(signExt ? signExtendLoad(out.v, size) : S.coerceToSize(out.v, size as 1 | 2 | 4));
    } else if (out !== null && out.type === "scalar" && signExt) {
      out = unknownReg();
    }
    return out;
  }

  /** __check_ptr_off_reg for ctx */
  private checkPtrOffReg(reg: Reg, regno: number): void {
    const t = regTypeStr(reg);
    if (reg.off < 0) fail(ERRNO.EACCES, `negative offset ${t} ptr R${regno} off=${reg.off} disallowed`);
    if (reg.off !== 0) fail(ERRNO.EACCES, `dereference of modified ${t} ptr R${regno} off=${reg.off} disallowed`);
    if (!T.isConst(reg.v.varOff) || reg.v.varOff.value !== 0n) fail(ERRNO.EACCES, `variable ${t} access var_off=${T.tnumText(reg.v.varOff)} disallowed`);
  }

  private checkMapAccessType(reg: Reg, regno: number, off: number, size: number, t: "read" | "write"): void {
    const m = this.maps[reg.map]!;
    const flags = m.flags ?? 0;
    if (t === "write" && (flags & BPF_F_RDONLY_PROG) !== 0) fail(ERRNO.EACCES, `write into map forbidden, value_size=${m.valueSize} off=${off} size=${size}`);
    if (t === "read" && (flags & BPF_F_WRONLY_PROG) !== 0) fail(ERRNO.EACCES, `read from map forbidden, value_size=${m.valueSize} off=${off} size=${size}`);
    void regno;
  }

  /** check_map_access → check_mem_region_access */
  private checkMapAccess(reg: Reg, regno: number, off: number, size: number, zeroOk: boolean): void {
    const m = this.maps[reg.map]!;
    const msg = (o: bigint): string => `invalid access to map value, value_size=${m.valueSize} off=${o} size=${size}`;
    this.checkMemRegionAccess(reg, regno, off, size, m.valueSize, zeroOk, msg);
    // the lock word is touched by the lock helpers only
    const p = m.spinLockOff;
    if (p !== undefined && reg.v.smin + BigInt(off) < BigInt(p + 4) && BigInt(p) < reg.v.umax + BigInt(off + size)) fail(ERRNO.EACCES, "bpf_spin_lock cannot be accessed directly by load/store");
  }

  private checkMemRegionAccess(reg: Reg, regno: number, off: number, size: number, memSize: number, zeroOk: boolean, msg: (off: bigint) => string): void {
    const v = reg.v;
    const o = BigInt(off);
    const inside = (at: bigint): boolean => (size > 0 || (size === 0 && zeroOk)) && at >= 0n && at + BigInt(size) <= BigInt(memSize);
    if (v.smin < 0n && (v.smin === S64_MIN || BigInt.asIntN(32, o + v.smin) !== o + v.smin || v.smin + o < 0n)) {
      fail(ERRNO.EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
    }
    if (!inside(v.smin + o)) fail(ERRNO.EACCES, msg(v.smin + o), `R${regno} min value is outside of the allowed memory range`);
    if (v.umax >= MAX_VAR_OFF) fail(ERRNO.EACCES, `R${regno} unbounded memory access, make sure to bounds check any such access`);
    if (!inside(v.umax + o)) fail(ERRNO.EACCES, msg(v.umax + o), `R${regno} max value is outside of the allowed memory range`);
  }

  /** check_packet_access */
  private checkPacketAccess(reg: Reg, regno: number, off: number, size: number, zeroOk: boolean): void {
    if (reg.v.smin < 0n) fail(ERRNO.EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
    const ok = (size > 0 || (size === 0 && zeroOk)) && off >= 0 && off + size <= reg.range;
    if (!ok) {
      fail(ERRNO.EACCES, `invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${off},r=${reg.range})`, `R${regno} offset is outside of the packet`);
    }
    if (!T.isConst(reg.v.varOff) || reg.v.varOff.value !== 0n) {
      // the range was proven for this pointer (same id) including its variable part
      if (reg.v.umax > BigInt(MAX_PACKET_OFF)) fail(ERRNO.EACCES, `R${regno} unbounded memory access, make sure to bounds check any such access`);
    }
  }

  /** check_stack_access_within_bounds */
  private checkStackAccessWithinBounds(s: State, reg: Reg, regno: number, off: number, size: number, extra: string): void {
    let minOff: bigint;
    let maxOff: bigint;
    const constOff = T.isConst(reg.v.varOff);
    if (constOff) {
      minOff = BigInt.asIntN(64, reg.v.varOff.value) + BigInt(off);
      maxOff = minOff + BigInt(size);
    } else {
      if (reg.v.smax >= MAX_VAR_OFF || reg.v.smin <= -MAX_VAR_OFF) fail(ERRNO.EACCES, `invalid unbounded variable-offset${extra} stack R${regno}`);
      minOff = reg.v.smin + BigInt(off);
      maxOff = reg.v.smax + BigInt(off) + BigInt(size);
    }
    let errno = 0;
    if (minOff < -BigInt(MAX_BPF_STACK) || minOff > -1n) errno = ERRNO.EACCES;
    else if (maxOff > 0n) errno = ERRNO.EINVAL;
    if (errno !== 0) {
      if (constOff) fail(errno, `invalid${extra} stack R${regno} off=${off} size=${size}`);
      fail(errno, `invalid variable-offset${extra} stack R${regno} var_off=${T.tnumText(reg.v.varOff)} off=${off} size=${size}`);
    }
    const depth = Number(-minOff);
    const f = this.frameOf(s, reg);
    const sp = f.subprog;
    this.stackDepth[sp] = Math.max(this.stackDepth[sp]!, depth);
    while (f.stack.length * 8 < depth) f.stack.push(EMPTY_SLOT);
  }

  private frameOf(s: State, reg: Reg): Frame {
    return s.frames[reg.frameno]!;
  }

  private checkStackWrite(s: State, reg: Reg, off: number, size: number, value: Reg | null, imm: number | undefined): void {
    const f = this.frameOf(s, reg);
    if (!T.isConst(reg.v.varOff)) {
      // check_stack_write_var_off: every byte the access may touch becomes data
      const lo = Number(reg.v.smin) + off;
      const hi = Number(reg.v.smax) + off + size;
      const zero = (value !== null && value.type === "scalar" && S.isConstScalar(value.v) && value.v.varOff.value === 0n) || imm === 0;
      for (let a = lo; a < hi; a++) this.setStackByte(f, a, zero ? "keep0" : "m");
      return;
    }
    const at = off + Number(BigInt.asIntN(64, reg.v.varOff.value));
    const spi = (-at - 1) >> 3;
    this.scratchSlots.add(spi);
    const old = f.stack[spi]!;
    const types = old.types.slice() as ByteKind[];
    const start = at + (spi + 1) * 8; // byte index from the slot's low end
    const fullSlot = at % 8 === 0;
    if (value !== null && value.type === "scalar" && fullSlot) {
      this.saveRegisterState(f, spi, value, size);
      return;
    }
    if (value === null && imm !== undefined && imm !== 0 && fullSlot) {
      this.saveRegisterState(f, spi, constReg(BigInt(imm)), size);
      return;
    }
    if (value !== null && isPointer(value)) {
      if (size !== 8) fail(ERRNO.EACCES, "invalid size of register spill");
      this.saveRegisterState(f, spi, value, size);
      return;
    }
    // plain data: a partially overwritten spill becomes data too
    if (old.spill !== null) for (let j = 0; j < 8; j++) if (types[j] === "r") types[j] = "m";
    const zero = (value !== null && value.type === "scalar" && S.isConstScalar(value.v) && value.v.varOff.value === 0n) || imm === 0;
    for (let i = 0; i < size; i++) types[7 - (start + i)] = zero ? "0" : "m";
    f.stack[spi] = { types, spill: null };
  }

  /** save_register_state: a spill of `size` bytes at the start of slot `spi`. */
  private saveRegisterState(f: Frame, spi: number, reg: Reg, size: number): void {
    const old = f.stack[spi]!;
    const types = old.types.slice() as ByteKind[];
    for (let j = 7; j > 7 - size; j--) types[j] = "r";
    for (let j = 7 - size; j >= 0; j--) if (types[j] === "r") types[j] = "m";
    let spilled = reg;
    if (size !== 8 && reg.type === "scalar") {
      const v = S.coerceToSize(reg.v, size as 1 | 2 | 4);
      // the narrow spill stays linked only when it keeps the whole value
      spilled = v.umax === reg.v.umax && reg.v.umax < 1n << BigInt(size * 8) ? { ...reg, v } : scalarReg(v);
    }
    f.stack[spi] = { types, spill: spilled };
  }

  private setStackByte(f: Frame, addr: number, kind: "m" | "keep0"): void {
    const spi = (-addr - 1) >> 3;
    const j = 7 - (addr + (spi + 1) * 8);
    this.scratchSlots.add(spi);
    const old = f.stack[spi]!;
    const types = old.types.slice() as ByteKind[];
    const hadSpill = old.spill !== null;
    if (hadSpill) for (let k = 0; k < 8; k++) if (types[k] === "r") types[k] = "m";
    types[j] = kind === "keep0" && types[j] === "0" ? "0" : "m";
    f.stack[spi] = { types, spill: null };
  }

  private checkStackRead(s: State, reg: Reg, off: number, size: number): Reg {
    const f = this.frameOf(s, reg);
    if (!T.isConst(reg.v.varOff)) return unknownReg();
    const at = off + Number(BigInt.asIntN(64, reg.v.varOff.value));
    const spi = (-at - 1) >> 3;
    this.scratchSlots.add(spi);
    const slot = f.stack[spi]!;
    const start = at + (spi + 1) * 8;
    if (slot.types[7] === "r" && slot.spill !== null) {
      let spillSize = 1;
      for (let i = 7; i > 0 && slot.types[i - 1] === "r"; i--) spillSize++;
      if (size === 8 && spillSize === 8) return slot.spill;
      if (slot.spill.type !== "scalar") fail(ERRNO.EACCES, "invalid size of register fill");
      if (size <= spillSize && start === 0) return scalarReg(S.coerceToSize(slot.spill.v, size as 1 | 2 | 4 | 8));
      return unknownReg();
    }
    let zeros = 0;
    for (let i = 0; i < size; i++) if (slot.types[7 - (start + i)] === "0") zeros++;
    return zeros === size ? constReg(0n) : unknownReg();
  }

  private checkAtomic(ins: Insn, s: State, size: number, f: Facts): void {
    const op = ins.imm;
    const known = [AtomicOp.ADD, AtomicOp.OR, AtomicOp.AND, AtomicOp.XOR, AtomicOp.ADD | AtomicOp.FETCH, AtomicOp.OR | AtomicOp.FETCH, AtomicOp.AND | AtomicOp.FETCH, AtomicOp.XOR | AtomicOp.FETCH, AtomicOp.XCHG, AtomicOp.CMPXCHG] as number[];
    if (!known.includes(op)) return unsupported(`atomic operation 0x${(op >>> 0).toString(16)}`);
    if (size !== 4 && size !== 8) fail(ERRNO.EINVAL, "invalid atomic operand size");
    // check_atomic_rmw reads src, then dst, then (cmpxchg) R0
    this.readReg(s, ins.src);
    const d = this.readReg(s, ins.dst);
    if (op === AtomicOp.CMPXCHG) this.readReg(s, 0);
    if (d.type === "ctx" || isPkt(d) || d.type === "sock_common") fail(ERRNO.EACCES, `BPF_ATOMIC stores into R${ins.dst} ${regTypeStr(d)} is not allowed`);
    const fetch = (op & AtomicOp.FETCH) !== 0;
    const loadReg = op === AtomicOp.CMPXCHG ? 0 : ins.src;
    this.checkMemAccess(s, ins.dst, ins.off, size, "read", null, f, false, undefined, true);
    this.checkMemAccess(s, ins.dst, ins.off, size, "write", unknownReg(), f, false, undefined, true);
    if (fetch) {
      this.writeReg(s, loadReg);
      this.setReg(s, loadReg, scalarReg(size === 8 ? S.scalarUnknown() : S.coerceToSize(S.scalarUnknown(), 4)));
    }
  }

  // ---------------------------------------------------------------- jumps

  private checkCondJmpOp(p: Path, work: Path[], f: Facts): number {
    const ins = this.insns[p.pc]!;
    const s = p.state;
    const is32 = opClass(ins.code) === Class.JMP32;
    const op = opJmp(ins.code);
    const x = opSource(ins.code) === Source.X;
    if (op > JmpOp.JSLE || CMP_NAME[op] === undefined) return unsupported(`jump opcode 0x${ins.code.toString(16)}`);
    const cmp = CMP_NAME[op]!;
    const src: Reg = x ? this.readReg(s, ins.src) : constReg(is32 ? BigInt(ins.imm >>> 0) : BigInt(ins.imm));
    const dst = this.readReg(s, ins.dst);
    const target = p.pc + 1 + ins.off;
    const fall = p.pc + 1;
    let verdict: 1 | 0 | -1 = -1;
    if (dst.type === "scalar" && src.type === "scalar") {
      verdict = S.isBranchTaken(dst.v, src.v, cmp, is32);
    } else if (cmp === "eq" || cmp === "ne") {
      // is_branch_taken: a pointer that cannot be null against the constant 0
      const ptr = dst.type === "scalar" ? src : dst;
      const other = dst.type === "scalar" ? dst : src;
      const zero = other.type === "scalar" && (is32 ? S.isConstScalar(S.zext32(other.v)) && S.zext32(other.v).varOff.value === 0n : S.isConstScalar(other.v) && other.v.varOff.value === 0n);
      if (zero && !ptr.nullable && (ptr.type === "map_value" || ptr.type === "map_key" || ptr.type === "sock_common" || ptr.type === "ringbuf_mem")) {
        verdict = cmp === "eq" ? 0 : 1;
      }
    }
    if (verdict === 1) {
      f.taken = true;
      return target;
    }
    if (verdict === 0) {
      f.fallen = true;
      return fall;
    }
    f.taken = true;
    f.fallen = true;
    const other = cloneState(s);
    this.refineBranch(ins, other, true, is32, cmp, x);
    this.refineBranch(ins, s, false, is32, cmp, x);
    if (p.checkpoint !== null) p.checkpoint.branches++;
    work.push({ pc: target, prevPc: p.pc, state: other, checkpoint: p.checkpoint, logPos: -1 });
    if (work.length > JMP_SEQ_LIMIT) fail(ERRNO.EFAULT, `The sequence of ${work.length} jumps is too complex.`);
    // the log position after this instruction's state line, restored when the branch is popped
    this.printInsnState(s);
    this.scratchRegs = new Set();
    this.scratchSlots = new Set();
    work[work.length - 1]!.logPos = this.log.length;
    return fall;
  }

  /** What `dst OP src` (taken or not) teaches: scalar bounds, null checks, packet ranges. */
  private refineBranch(ins: Insn, s: State, taken: boolean, is32: boolean, cmp: S.CmpName, x: boolean): void {
    const regs = cur(s).regs;
    const dst = regs[ins.dst]!;
    const src: Reg = x ? regs[ins.src]! : constReg(is32 ? BigInt(ins.imm >>> 0) : BigInt(ins.imm));
    if (dst.type === "scalar" && src.type === "scalar") {
      const [a, b] = S.refine(dst.v, src.v, cmp, is32, taken);
      const nd: Reg = { ...dst, v: a };
      const ns: Reg = { ...src, v: b };
      regs[ins.dst] = nd;
      if (x) regs[ins.src] = ns;
      this.syncScalar(s, nd);
      if (x) this.syncScalar(s, ns);
      return;
    }
    if (!is32 && !x && ins.imm === 0 && (cmp === "eq" || cmp === "ne")) {
      // only `if rX == 0` / `if rX != 0` with an immediate marks the pointer null or not
      if (dst.nullable && dst.id !== 0) {
        const isNull = (cmp === "eq") === taken;
        this.markPtrOrNullRegs(s, dst.id, isNull, dst.refObjId);
      }
      return;
    }
    if (cmp === "eq" || cmp === "ne") return;
    // try_match_pkt_pointers: pkt against pkt_end, pkt_meta against the packet's start
    const isEnd = (p: Reg, e: Reg): boolean => (p.type === "pkt" && e.type === "pkt_end") || (p.type === "pkt_meta" && e.type === "pkt" && e.off === 0 && T.isConst(e.v.varOff) && e.v.varOff.value === 0n);
    if (!is32 && (isEnd(dst, src) || isEnd(src, dst))) {
      const pktIsDst = isEnd(dst, src);
      const pkt = pktIsDst ? dst : src;
      // normalise to "pkt OP end" and decide whether this branch proves pkt <= end (or pkt < end)
      const flip: Record<string, S.CmpName> = { gt: "lt", ge: "le", lt: "gt", le: "ge" };
      const c = pktIsDst ? cmp : flip[cmp];
      let good: boolean | null = null; // right_open
      if (c === "gt" && !taken) good = false;
      else if (c === "ge" && !taken) good = true;
      else if (c === "lt" && taken) good = true;
      else if (c === "le" && taken) good = false;
      if (good !== null) this.findGoodPktPointers(s, pkt, good);
    }
  }

  private findGoodPktPointers(s: State, pkt: Reg, rightOpen: boolean): void {
    if (pkt.off < 0 || (pkt.off === 0 && rightOpen)) return;
    if (pkt.v.umax > BigInt(MAX_PACKET_OFF) || pkt.v.umax + BigInt(pkt.off) > BigInt(MAX_PACKET_OFF)) return;
    const range = pkt.off;
    this.forEachReg(s, (r) => (r.type === pkt.type && r.id === pkt.id && r.range < range ? { ...r, range } : r));
  }

  private markPtrOrNullRegs(s: State, id: number, isNull: boolean, refObjId: number): void {
    // the null branch of an acquired pointer has nothing to release
    if (isNull && refObjId !== 0 && refObjId === id) s.refs = s.refs.filter((r) => r.id !== id);
    this.forEachReg(s, (r) => {
      if (r.id !== id || !r.nullable) return r;
      if (isNull) return constReg(0n);
      // a map value keeps its id where it may point to a spin lock (the lock is named by it)
      return { ...r, nullable: false, id: r.type === "map_value" && this.maps[r.map]?.spinLockOff === undefined ? 0 : r.id };
    });
  }

  /** sync_linked_regs: scalars sharing an id learn `known`'s bounds (shifted by their delta). */
  private syncScalar(s: State, known: Reg): void {
    if (known.id === 0) return;
    this.forEachReg(s, (r) => {
      if (r === known || r.type !== "scalar" || r.id !== known.id) return r;
      if ((!r.addConst && !known.addConst) || r.off === known.off) return known;
      const delta = S.scalarKnown(BigInt(r.off - known.off));
      return { ...known, off: r.off, v: S.alu64("add", known.v, delta) };
    });
  }

  private forEachReg(s: State, fn: (r: Reg) => Reg): void {
    for (const f of s.frames) {
      for (let i = 0; i < f.regs.length; i++) f.regs[i] = fn(f.regs[i]!);
      for (let k = 0; k < f.stack.length; k++) {
        const sl = f.stack[k]!;
        if (sl.spill !== null) {
          const n = fn(sl.spill);
          if (n !== sl.spill) f.stack[k] = { types: sl.types, spill: n };
        }
      }
    }
  }

  // ---------------------------------------------------------------- calls and exit

  private checkHelperCall(id: number, p: Path, work: Path[]): void {
    const s = p.state;
    const name = kernelHelperName(id);
    if (id < 0 || id >= FUNC_MAX_ID) fail(ERRNO.EINVAL, `invalid func unknown#${id}`);
    if (id === 0) fail(ERRNO.EINVAL, `program of this type cannot use helper ${name}#${id}`);
    const proto = helperProto(id, this.opts.progType);
    if (proto === undefined) {
      // not modelled: the kernel's refusals where it refuses, "not supported" where it would go on
      if (!helperAvailable(this.opts.progType, id)) fail(ERRNO.EINVAL, `program of this type cannot use helper ${name}#${id}`);
      if (GPL_ONLY_HELPERS.has(id) && !GPL_LICENSES.has(this.opts.license ?? "GPL")) fail(ERRNO.EINVAL, "cannot call GPL-restricted function from non-GPL compatible program");
      return unsupported(`helper ${name}#${id}`);
    }
    if (!proto.allowed(this.opts.progType)) fail(ERRNO.EINVAL, `program of this type cannot use helper ${name}#${id}`);
    if (proto.gplOnly && !GPL_LICENSES.has(this.opts.license ?? "GPL")) fail(ERRNO.EINVAL, "cannot call GPL-restricted function from non-GPL compatible program");
    // bpf_get_func_ip is offered to every tracing type but works for kprobes only here
    if (id === 173 && this.opts.progType !== "kprobe") fail(524, `func ${name}#${id} not supported for program type ${PROG_TYPE_IDS[this.opts.progType]}`);
    const meta: CallMeta = { mapIdx: -1, constKey: null, allocSize: 0, releaseRef: 0, callback: -1 };
    proto.args.forEach((a, i) => {
      const regno = i + 1;
      const r = this.readReg(s, regno);
      this.checkFuncArg(s, a, regno, r, meta, proto.args[i - 1], id);
    });
    const mapIdx = meta.mapIdx;
    // what the JIT may bind at compile time: the map in r1, the callback in r2
    const f = this.facts[p.pc]!;
    if (proto.args[0] === "map_ptr") f.mapInR1 = agree(f.mapInR1, mapIdx);
    if (proto.args[1] === "func") f.callbackInR2 = agree(f.callbackInR2, meta.callback);
    // set_map_elem_callback_state: the map must implement for-each callbacks
    if (id === FUNC_FOR_EACH_MAP_ELEM && meta.callback >= 0 && mapIdx >= 0 && !proto.mapTypes!.includes(this.maps[mapIdx]!.type)) fail(524, "callback function not allowed for map");
    if (mapIdx >= 0 && proto.mapTypes !== undefined) {
      const m = this.maps[mapIdx]!;
      if (!proto.mapTypes.includes(m.type)) {
        if (MAP_TYPE_IDS[m.type] === undefined) return unsupported(`map type ${m.type}`);
        fail(ERRNO.EINVAL, `cannot pass map_type ${MAP_TYPE_IDS[m.type]} into func ${name}#${id}`);
      }
    }
    for (const m of this.maps) if (m.type === "prog_array" && mapIdx >= 0 && this.maps[mapIdx] === m && id !== 12) fail(ERRNO.EINVAL, `cannot pass map_type 3 into func ${name}#${id}`);
    if (meta.releaseRef !== 0) {
      // release_reference: the reference is gone, and every copy of the pointer with it
      const ref = meta.releaseRef;
      s.refs = s.refs.filter((r) => r.id !== ref);
      this.forEachReg(s, (r) => (r.refObjId === ref && r.type !== "scalar" ? unknownReg() : r));
    }
    if (id === FUNC_TAIL_CALL) this.checkResourceLeak(s, "tail_call");
    if (meta.callback >= 0) {
      // push_callback_call: the callback is explored as a frame entered from this call; its
      // exit comes back to the call, which schedules the next visit until states repeat
      const caller = cur(s);
      const nr = caller.regs[1]!.v.umax;
      if (id === FUNC_FOR_EACH_MAP_ELEM || BigInt(caller.callbackDepth) < nr) this.pushCallback(p, work, id, meta);
      caller.callbackDepth = 0;
    }
    if (proto.changesPkt === true) this.forEachReg(s, (r) => (isPkt(r) || r.type === "pkt_end" ? unknownReg() : r));
    for (let r = 1; r <= 5; r++) this.setReg(s, r, NOT_INIT);
    if (proto.ret === "map_value_or_null") {
      const m = this.maps[mapIdx]!;
      // an array lookup with a constant key inside the map cannot fail (can_elide_value_nullness)
      const sure = (m.type === "array" || m.type === "percpu_array") && meta.constKey !== null && meta.constKey < BigInt(m.maxEntries);
      this.setReg(s, 0, sure ? ptrReg("map_value", { map: mapIdx, id: m.spinLockOff !== undefined ? ++this.idGen : 0 }) : ptrReg("map_value", { nullable: true, map: mapIdx, id: ++this.idGen }));
    } else if (proto.ret === "ringbuf_mem_or_null") {
      ++this.idGen;
      const ref = ++this.idGen;
      s.refs = [...s.refs, { id: ref, insn: p.pc }];
      this.setReg(s, 0, ptrReg("ringbuf_mem", { nullable: true, id: ref, refObjId: ref, memSize: meta.allocSize }));
    } else if (proto.ret === "void") {
      this.setReg(s, 0, NOT_INIT);
    } else {
      this.setReg(s, 0, unknownReg());
    }
  }

  /** check_resource_leak: no lock held and every acquired reference released before `what`. */
  private checkResourceLeak(s: State, what: string): void {
    if (s.lock !== null) fail(ERRNO.EINVAL, `${what} cannot be used inside bpf_spin_lock-ed region`);
    if (s.refs.length === 0) return;
    fail(ERRNO.EINVAL, ...s.refs.map((r) => `Unreleased reference id=${r.id} alloc_insn=${r.insn}`), `${what} would lead to reference leak`);
  }

  /** push_callback_call with set_loop_callback_state / set_map_elem_callback_state */
  private pushCallback(p: Path, work: Path[], id: number, meta: CallMeta): void {
    const s = p.state;
    if (s.frames.length >= MAX_CALL_FRAMES) fail(ERRNO.E2BIG, `the call stack of ${s.frames.length + 1} frames is too deep`);
    const cs = cloneState(s);
    const caller = cur(cs);
    caller.callbackDepth++;
    const callee = newFrame(p.pc, this.subprogs.indexOf(meta.callback), cs.frames.length, true);
    if (id === FUNC_LOOP) {
      callee.regs[1] = unknownReg();
      callee.regs[2] = caller.regs[3]!;
    } else {
      callee.regs[1] = caller.regs[1]!;
      callee.regs[2] = ptrReg("map_key", { map: meta.mapIdx });
      callee.regs[3] = ptrReg("map_value", { map: meta.mapIdx });
      callee.regs[4] = caller.regs[3]!;
    }
    cs.frames.push(callee);
    if (p.checkpoint !== null) p.checkpoint.branches++;
    work.push({ pc: meta.callback, prevPc: p.pc, state: cs, checkpoint: p.checkpoint, logPos: this.log.length });
    if (work.length > JMP_SEQ_LIMIT) fail(ERRNO.EFAULT, `The sequence of ${work.length} jumps is too complex.`);
  }

  /** check_func_arg: one argument of a helper call; what it learns goes into `meta`. */
  private checkFuncArg(s: State, a: ArgType, regno: number, r: Reg, meta: CallMeta, prev: ArgType | undefined, id: number): void {
    const MEM = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";
    const memOk = (x: Reg): boolean => !x.nullable && (x.type === "fp" || isPkt(x) || x.type === "map_value" || x.type === "map_key" || x.type === "ringbuf_mem");
    const isNull = (x: Reg): boolean => x.type === "scalar" && S.isConstScalar(x.v) && x.v.varOff.value === 0n;
    switch (a) {
      case "anything":
        return;
      case "map_ptr":
        if (r.type !== "map_ptr") fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=map_ptr`);
        if (id === 12 && this.maps[r.map]!.type !== "prog_array") fail(ERRNO.EINVAL, "expected prog array map for tail call");
        meta.mapIdx = r.map;
        return;
      case "ctx":
        if (r.type !== "ctx") fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=ctx`);
        this.checkPtrOffReg(r, regno);
        return;
      case "map_key":
      case "map_value":
      case "map_value_uninit": {
        if (!memOk(r)) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=${MEM}`);
        if (meta.mapIdx < 0) fail(ERRNO.EACCES, "invalid map_ptr to access map->key");
        const m = this.maps[meta.mapIdx]!;
        this.checkHelperMemAccess(s, r, regno, a === "map_key" ? m.keySize : m.valueSize, a === "map_value_uninit" ? "write" : "read", false);
        if (a === "map_key" && (m.type === "array" || m.type === "percpu_array")) meta.constKey = this.constantMapKey(s, r, m.keySize);
        return;
      }
      case "mem_ro":
      case "uninit_mem":
        if (!memOk(r)) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=${MEM}`);
        return;
      case "const_size":
      case "const_size_or_zero": {
        if (r.type !== "scalar") fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=scalar`);
        const zeroOk = a === "const_size_or_zero";
        if (r.v.smin < 0n) fail(ERRNO.EACCES, `R${regno} min value is negative, either use unsigned or 'var &= const'`);
        if (r.v.umin === 0n && !zeroOk) fail(ERRNO.EACCES, `R${regno} invalid zero-sized read: u64=[${r.v.umin},${r.v.umax}]`);
        if (r.v.umax >= MAX_VAR_OFF) fail(ERRNO.EACCES, `R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
        const memReg = cur(s).regs[regno - 1]!;
        this.checkHelperMemAccess(s, memReg, regno - 1, Number(r.v.umax), prev === "uninit_mem" ? "write" : "read", zeroOk);
        return;
      }
      case "alloc_size":
        if (r.type !== "scalar") fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=scalar`);
        if (!T.isConst(r.v.varOff)) fail(ERRNO.EACCES, `R${regno} is not a known constant'`);
        meta.allocSize = Number(BigInt.asUintN(32, r.v.varOff.value));
        return;
      case "ringbuf_release":
        if (r.type !== "ringbuf_mem" || r.nullable) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=ringbuf_mem`);
        if (r.off !== 0 || !T.isConst(r.v.varOff) || r.v.varOff.value !== 0n) fail(ERRNO.EINVAL, `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
        meta.releaseRef = r.refObjId;
        return;
      case "func":
        if (r.type !== "func") fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=func`);
        this.checkPtrOffReg(r, regno);
        meta.callback = r.callback;
        return;
      case "stack_or_null":
        if (!(r.type === "fp" || isNull(r))) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=fp`);
        return;
      case "spin_lock": {
        // process_spin_lock
        if (r.type !== "map_value" || r.nullable) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=map_value, ptr_`);
        if (!T.isConst(r.v.varOff)) fail(ERRNO.EINVAL, `R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset`);
        const m = this.maps[r.map]!;
        if (m.spinLockOff === undefined) fail(ERRNO.EINVAL, `map '${m.name ?? ""}' has to have BTF in order to use bpf_spin_lock`);
        const at = BigInt.asIntN(64, r.v.varOff.value) + BigInt(r.off);
        if (at !== BigInt(m.spinLockOff!)) fail(ERRNO.EINVAL, `off ${at} doesn't point to 'struct bpf_spin_lock' that is at ${m.spinLockOff}`);
        if (id === FUNC_SPIN_LOCK) {
          if (s.lock !== null) fail(ERRNO.EINVAL, "Locking two bpf_spin_locks are not allowed");
          s.lock = { map: r.map, id: r.id };
        } else {
          if (s.lock === null) fail(ERRNO.EINVAL, "bpf_spin_unlock without taking a lock");
          if (s.lock!.map !== r.map || s.lock!.id !== r.id) fail(ERRNO.EINVAL, "bpf_spin_unlock of different lock");
          s.lock = null;
        }
        return;
      }
    }
  }

  /** get_constant_map_key: a stack key whose bytes are known (STACK_ZERO or a spilled constant). */
  private constantMapKey(s: State, key: Reg, keySize: number): bigint | null {
    if (key.type !== "fp" || !T.isConst(key.v.varOff)) return null;
    const at = key.off + Number(BigInt.asIntN(64, key.v.varOff.value));
    const slot = -at - 1;
    const spi = slot >> 3;
    const off = slot % 8;
    const st = this.frameOf(s, key).stack[spi];
    if (st === undefined) return null;
    let zero = 0;
    for (let i = off; i >= 0 && st.types[i] === "0"; i--) zero++;
    if (zero >= keySize) return 0n;
    if (st.spill === null || st.types[7] !== "r" || st.spill.type !== "scalar") return null;
    let spill = 0;
    for (let i = off; i >= 0 && st.types[i] === "r"; i--) spill++;
    if (spill !== keySize || !T.isConst(st.spill.v.varOff)) return null;
    return st.spill.v.varOff.value;
  }

  /** check_helper_mem_access */
  private checkHelperMemAccess(s: State, r: Reg, regno: number, size: number, t: "read" | "write", zeroOk: boolean): void {
    if (isPkt(r)) return this.checkPacketAccess(r, regno, r.off, size, zeroOk);
    if (r.type === "map_value") {
      this.checkMapAccessType(r, regno, r.off, size, t);
      return this.checkMapAccess(r, regno, r.off, size, zeroOk);
    }
    if (r.type === "ringbuf_mem") {
      const msg = (o: bigint): string => `invalid access to memory, mem_size=${r.memSize} off=${o} size=${size}`;
      return this.checkMemRegionAccess(r, regno, r.off, size, r.memSize, zeroOk, msg);
    }
    if (r.type === "map_key") {
      if (t === "write") fail(ERRNO.EACCES, `R${regno} cannot write into map_key`);
      const m = this.maps[r.map]!;
      const msg = (o: bigint): string => `invalid access to map key, key_size=${m.keySize} off=${o} size=${size}`;
      return this.checkMemRegionAccess(r, regno, r.off, size, m.keySize, zeroOk, msg);
    }
    if (r.type === "fp") {
      if (size === 0 && !zeroOk) fail(ERRNO.EACCES, "invalid zero-sized read");
      // even an empty access must point into the stack (check_stack_range_initialized)
      this.checkStackAccessWithinBounds(s, r, regno, r.off, size, t === "read" ? " read from" : " write to");
      if (size === 0) return;
      const f = this.frameOf(s, r);
      const lo = r.off + Number(T.isConst(r.v.varOff) ? BigInt.asIntN(64, r.v.varOff.value) : r.v.smin);
      const hi = r.off + Number(T.isConst(r.v.varOff) ? BigInt.asIntN(64, r.v.varOff.value) : r.v.smax) + size;
      for (let a = lo; a < hi; a++) {
        const spi = (-a - 1) >> 3;
        const slot = f.stack[spi]!;
        if (t === "write") this.setStackByte(f, a, "m");
        else if (slot.spill !== null && slot.types[7] === "r" && slot.spill.type !== "scalar") {
          // privileged programs may pass spilled pointers to helpers as bytes
        }
      }
      return;
    }
    if (size === 0 && zeroOk && r.type === "scalar" && S.isConstScalar(r.v) && r.v.varOff.value === 0n) return;
    fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=fp`);
  }

  /** check_func_call: a bpf-to-bpf call enters a new frame. */
  private checkFuncCall(p: Path): "frame" {
    const s = p.state;
    const ins = this.insns[p.pc]!;
    if (s.frames.length >= MAX_CALL_FRAMES) fail(ERRNO.E2BIG, `the call stack of ${s.frames.length + 1} frames is too deep`);
    const target = p.pc + 1 + ins.imm;
    const subprog = this.subprogs.indexOf(target);
    const caller = cur(s);
    const callee = newFrame(p.pc, subprog, s.frames.length);
    for (let r = 1; r <= 5; r++) callee.regs[r] = caller.regs[r]!;
    for (let r = 0; r <= 5; r++) caller.regs[r] = NOT_INIT;
    s.frames.push(callee);
    if (this.logLevel > 0) {
      this.verbose(`caller:\n${formatFrame(caller, this.maps)}\ncallee:\n${formatFrame(callee, this.maps)}\n`);
    }
    p.prevPc = p.pc;
    p.pc = target;
    return "frame";
  }

  private checkExit(p: Path): number | "exit" | "frame" {
    const s = p.state;
    if (s.frames.length === 1) this.checkResourceLeak(s, "BPF_EXIT instruction in main prog");
    if (s.frames.length > 1 && cur(s).inCallback) {
      // prepare_func_exit for a callback: R0 in [0, 1], then back to the calling helper
      const r0 = cur(s).regs[0]!;
      this.scratchRegs.add(0);
      if (r0.type !== "scalar") fail(ERRNO.EACCES, "R0 not a scalar value");
      if (r0.v.smin < 0n || r0.v.smax > 1n) fail(ERRNO.EINVAL, invalidScalar(r0, 0, 1, "At callback return"));
      const callee = s.frames.pop()!;
      if (this.logLevel > 0) this.verbose(`returning from callee:\n${formatFrame(callee, this.maps)}\nto caller at ${callee.callsite}:\n${formatFrame(cur(s), this.maps)}\n`);
      p.prevPc = p.pc;
      p.pc = callee.callsite;
      return "frame";
    }
    if (s.frames.length > 1) {
      const r0 = cur(s).regs[0]!;
      this.scratchRegs.add(0);
      const callee = s.frames.pop()!;
      if (r0.type === "fp" && r0.frameno === callee.frameno) fail(ERRNO.EINVAL, "cannot return stack pointer to the caller");
      const caller = cur(s);
      caller.regs[0] = r0;
      if (this.logLevel > 0) this.verbose(`returning from callee:\n${formatFrame(callee, this.maps)}\nto caller at ${callee.callsite + 1}:\n${formatFrame(caller, this.maps)}\n`);
      p.prevPc = p.pc;
      p.pc = callee.callsite + 1;
      return "frame";
    }
    this.checkReturnCode(this.readReg(s, 0));
    return "exit";
  }

  /** check_return_code */
  private checkReturnCode(r0: Reg): void {
    const range = returnRange(this.opts.progType, this.opts.expectedAttachType);
    if (range === null) return;
    if (r0.type !== "scalar") fail(ERRNO.EINVAL, `At program exit the register R0 is not a known value (${regTypeStr(r0)})`);
    const [lo, hi] = range;
    if (r0.v.smin < BigInt(lo) || r0.v.smax > BigInt(hi)) fail(ERRNO.EINVAL, invalidScalar(r0, lo, hi, "At program exit"));
  }

  /** check_max_stack_depth: the frames of a call chain share 512 bytes. */
  private checkMaxStackDepth(): void {
    const round = (d: number): number => Math.ceil(d / 16) * 16;
    const calls: number[][] = this.subprogs.map(() => []);
    this.insns.forEach((ins, pc) => {
      // bpf-to-bpf calls, and callback references (the kernel counts them as calls too)
      if ((ins.code === (Class.JMP | JmpOp.CALL) && ins.src === PseudoCall.CALL) || (ins.code === LD_IMM64 && ins.src === PseudoLd.FUNC)) {
        const from = this.subprogOf(pc);
        calls[from]!.push(this.subprogs.indexOf(pc + 1 + ins.imm));
      }
    });
    // bpf_enable_priv_stack: on x86-64 the JIT gives tracing programs' frames of 64 bytes or
    // more a private stack, outside the combined 512 bytes (not assumed with tail calls)
    const t = this.opts.progType;
    const hasTail = this.insns.some((ins) => ins.code === (Class.JMP | JmpOp.CALL) && ins.src === 0 && ins.imm === FUNC_TAIL_CALL);
    const priv = !hasTail && (t === "kprobe" || t === "tracepoint" || t === "perf_event" || t === "raw_tracepoint");
    const walk = (sp: number, depth: number, frames: number): void => {
      const own = round(this.stackDepth[sp]!);
      let d = depth + own;
      if (priv && own >= 64) {
        if (own > MAX_BPF_STACK) fail(ERRNO.EACCES, `stack size of subprog ${sp} is ${own}. Too large`);
        d = depth;
      } else if (d > MAX_BPF_STACK) {
        fail(ERRNO.EACCES, `combined stack size of ${frames} calls is ${d}. Too large`);
      }
      for (const c of calls[sp]!) walk(c, d, frames + 1);
    };
    walk(0, 0, 1);
  }

  private subprogOf(pc: number): number {
    let k = 0;
    while (k + 1 < this.subprogs.length && this.subprogs[k + 1]! <= pc) k++;
    return k;
  }
}

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

/** verbose_invalid_scalar */
function invalidScalar(r: Reg, lo: number, hi: number, ctx: string): string {
  const S64_MAX = (1n << 63n) - 1n;
  let text = "";
  if (r.v.smin > S64_MIN) text += ` smin=${r.v.smin}`;
  if (r.v.smax < S64_MAX) text += ` smax=${r.v.smax}`;
  if (text === "") text = " unknown scalar value";
  return `${ctx} the register R0 has${text} should have been in [${lo}, ${hi}]`;
}

function signExtendLoad(v: Scalar, size: number): Scalar {
  return S.coerceToSizeSx(v, size as 1 | 2 | 4);
}

// ------------------------------------------------------------------ equivalence

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

function rangeWithin(o: Scalar, c: Scalar): boolean {
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
  return `${r.type}${r.nullable ? "?" : ""}${r.off},${r.map},${r.frameno},${r.range},${r.id !== 0 ? "i" : ""}${r.addConst ? "+" : ""},${r.refObjId !== 0 ? "r" : ""},${r.memSize},${r.callback}:${v.varOff.value},${v.varOff.mask},${v.smin},${v.smax},${v.umin},${v.umax},${v.s32min},${v.s32max},${v.u32min},${v.u32max}`;
}

// ------------------------------------------------------------------ liveness

/** Registers r0-r9 live before each instruction (compute_live_registers), as a bit set. */
export function computeLiveRegs(insns: readonly Insn[]): Uint16Array {
  const n = insns.length;
  const use = new Uint16Array(n);
  const def = new Uint16Array(n);
  const succ: number[][] = [];
  const ALL = 0x3ff;
  for (let i = 0; i < n; i++) {
    const ins = insns[i]!;
    const cls = opClass(ins.code);
    const b = (r: number): number => (r < 10 ? 1 << r : 0);
    let u = 0;
    let d = 0;
    let next: number[] = [i + 1];
    switch (cls) {
      case Class.ALU:
      case Class.ALU64: {
        const op = opAlu(ins.code);
        const x = opSource(ins.code) === Source.X;
        if (op === AluOp.MOV) u = x ? b(ins.src) : 0;
        else u = b(ins.dst) | (x && op !== AluOp.END && op !== AluOp.NEG ? b(ins.src) : 0);
        d = b(ins.dst);
        break;
      }
      case Class.LD:
        if (ins.code === LD_IMM64) {
          d = b(ins.dst);
          next = [i + 2];
        } else {
          u = ALL;
        }
        break;
      case Class.LDX:
        u = b(ins.src);
        d = b(ins.dst);
        break;
      case Class.ST:
        u = b(ins.dst);
        break;
      case Class.STX:
        u = b(ins.dst) | b(ins.src);
        if (opMode(ins.code) === Mode.ATOMIC) {
          if (ins.imm === AtomicOp.CMPXCHG) {
            u |= 1;
            d = 1;
          } else if ((ins.imm & AtomicOp.FETCH) !== 0) {
            d = b(ins.src);
          }
        }
        break;
      default: {
        const op = opJmp(ins.code);
        if (op === JmpOp.EXIT) {
          u = 1;
          next = [];
        } else if (op === JmpOp.CALL) {
          u = 0x3e; // r1-r5 (conservative: every argument register)
          d = 0x3f;
          if (ins.src === PseudoCall.CALL) u = ALL; // the callee may read r1-r5 and returns into r0
        } else if (op === JmpOp.JA) {
          next = [i + 1 + (cls === Class.JMP32 ? ins.imm : ins.off)];
        } else {
          u = b(ins.dst) | (opSource(ins.code) === Source.X ? b(ins.src) : 0);
          next = [i + 1, i + 1 + ins.off];
        }
      }
    }
    use[i] = u;
    def[i] = d;
    succ.push(next.filter((t) => t >= 0 && t < n));
  }
  const liveIn = new Uint16Array(n);
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      let out = 0;
      for (const t of succ[i]!) out |= liveIn[t]!;
      const v = use[i]! | (out & ~def[i]! & ALL);
      if (v !== liveIn[i]) {
        liveIn[i] = v;
        changed = true;
      }
    }
  }
  // inside subprograms, registers of callers stay live (a conservative whole-program view)
  return liveIn;
}
