// The verifier environment (struct bpf_verifier_env) and the limits its concerns share.
import type { Insn } from "../isa/insn.js";
import { ERRNO } from "../errors.js";
import { BPF_COMPLEXITY_LIMIT_INSNS } from "../isa/limits.js";
import { cur, formatFrame, refsText, type Reg, type State } from "./state.js";
import { BPF_F_SLEEPABLE, type MapDef, type VerifyOptions } from "./types.js";
import { fail } from "./reject.js";
import type { AttachTarget } from "./tracing.js";

/** An explored state kept at a prune point (struct bpf_verifier_state_list). */
export interface Checkpoint {
  readonly pc: number;
  readonly state: State;
  /** stateHash of the state (candidates for the exact comparison of loop detection) */
  readonly key: number;
  readonly parent: Checkpoint | null;
  branches: number;
  hit: number;
  miss: number;
}

/** A path being explored (an entry of push_stack): its state, the checkpoint it continues, and the log length to restore when it is popped. */
export interface Path {
  pc: number;
  prevPc: number;
  state: State;
  checkpoint: Checkpoint | null;
  logPos: number;
}

/** What the paths through one instruction showed so far; mapInR1/callbackInR2 are -1 once two paths disagree. */
export type Facts = { probeMem?: boolean; safeAccess?: boolean; zeroSeen?: boolean; divSeen?: boolean; taken?: boolean; fallen?: boolean; mapInR1?: number; callbackInR2?: number };

const BPF_F_STRICT_ALIGNMENT = 1;
const BPF_F_ANY_ALIGNMENT = 2;

export const COMPLEXITY_LIMIT = BPF_COMPLEXITY_LIMIT_INSNS;
/** BPF_MAX_VAR_OFF: the largest pointer offset (fixed or variable) the verifier allows */
export const MAX_VAR_OFF = 1n << 29n;
/** MAX_PACKET_OFF: packet offsets past this are not tracked */
export const MAX_PACKET_OFF = 0xffff;

/** BPF_COMPLEXITY_LIMIT_JMP_SEQ: pending branches push_stack allows */
export const JMP_SEQ_LIMIT = 8192;
export const S64_MIN = -(1n << 63n);

/**
 * The verifier environment (struct bpf_verifier_env): the program, its options, the log, the
 * counters, the explored states and the facts being recorded. One per verify() call; the
 * concerns of the verifier are functions over it, in the files beside this one.
 */
export class VerifierEnv {
  readonly maps: readonly MapDef[];
  readonly logLevel: number;
  /** log chunks (joined at the end; a popped branch truncates to its saved length) */
  log: string[] = [];
  processed = 0;
  jumps = 0;
  prevJumps = 0;
  prevProcessed = 0;
  idGen = 0;
  totalStates = 0;
  curStates = 0;
  peakStates = 0;
  maxStatesPerInsn = 0;
  readonly facts: Facts[];
  readonly stackDepth: number[];
  subprogs: number[] = [0];
  readonly pruneAt: Uint8Array;
  /** per instruction: explored states whose exploration finished (branches == 0) */
  readonly inactive: Uint32Array;
  live: Uint16Array = new Uint16Array(0);
  readonly explored = new Map<number, Checkpoint[]>();
  readonly activeKeys = new Map<number, Map<number, Checkpoint[]>>();
  scratchRegs = new Set<number>();
  scratchSlots = new Set<number>();
  readonly strict: boolean;
  /** loaded with BPF_F_SLEEPABLE */
  readonly sleepable: boolean;
  /** tracing and LSM programs: the resolved attach target (prog->aux->attach_func_proto) */
  attach: AttachTarget | null = null;

  constructor(
    readonly insns: readonly Insn[],
    readonly opts: VerifyOptions,
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
    this.sleepable = (flags & BPF_F_SLEEPABLE) !== 0;
  }

  verbose(text: string): void {
    if (this.logLevel > 0) this.log.push(text);
  }

  readReg(s: State, r: number): Reg {
    const v = cur(s).regs[r]!;
    this.scratchRegs.add(r);
    if (v.type === "not_init") fail(ERRNO.EACCES, `R${r} !read_ok`);
    return v;
  }

  writeReg(_s: State, r: number): void {
    if (r === 10) fail(ERRNO.EACCES, "frame pointer is read only");
    this.scratchRegs.add(r);
  }

  setReg(s: State, r: number, v: Reg): void {
    cur(s).regs[r] = v;
    this.scratchRegs.add(r);
  }

  /** a reachable call of an unresolved (weak) kfunc was walked: fixup_kfunc_call refuses it */
  unresolvedKfuncCall = false;
  /** the instruction do_check is at (insn_idx); -1 before the walk */
  curPc = -1;
  /** log length right after the current instruction's line (print_insn_state appends to that line only) */
  insnLogPos = -1;

  printInsnState(s: State, nextPc: number): void {
    if (this.logLevel === 0 || (this.scratchRegs.size === 0 && this.scratchSlots.size === 0)) return;
    const text = formatFrame(cur(s), this.maps, { regs: this.scratchRegs, slots: this.scratchSlots }) + refsText(s);
    if (text === "") return;
    if (this.log.length !== this.insnLogPos) {
      // something was logged after the instruction (a BTF argument line): the state goes on its own line
      this.log.push(`${nextPc}:${text}\n`);
      return;
    }
    // align the state after the instruction text (vlog_alignment)
    const last = this.log.pop() ?? "\n";
    const pos = last.length;
    const width = Math.ceil(Math.max(pos + 4, 40) / 8) * 8 - pos - 1;
    this.log.push(`${last.slice(0, -1)}${" ".repeat(Math.max(width, 1))};${text}\n`);
  }
}
