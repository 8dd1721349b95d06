// Public types of the kernel-faithful verifier (src/verifier/verifier.ts).
import type { VerifierFacts } from "../exec/facts.js";
import type { Btf } from "../loader/btf.js";

/** Program types whose context, helpers and return codes the verifier models. */
export const PROG_TYPES = [
  "socket_filter",
  "kprobe",
  "sched_cls",
  "sched_act",
  "tracepoint",
  "xdp",
  "perf_event",
  "cgroup_skb",
  "raw_tracepoint",
  "syscall",
  "tracing",
  "lsm",
] as const;
export type ProgType = (typeof PROG_TYPES)[number];

/** A map the program may reference: ld_imm64 with src_reg 1 (fd) or 5 (idx) and imm i means maps[i]. */
export interface MapDef {
  /** kernel map type name without the BPF_MAP_TYPE_ prefix, lower case: "hash", "array", … */
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  readonly name?: string;
  /** the map has BTF and its value holds a struct bpf_spin_lock at this offset */
  readonly spinLockOff?: number;
  /** kptr fields of the value (`struct T __kptr *`): byte offset, the struct's name, referenced (__kptr) or not (__kptr_untrusted) */
  readonly kptrs?: readonly KptrField[];
  /** the map is frozen and read-only to programs (libbpf's .rodata/.kconfig): constant-offset reads are constants */
  readonly frozen?: boolean;
  /** a frozen array map's value bytes (key 0), what bpf_map_direct_read returns */
  readonly initial?: Uint8Array;
}

/** BPF_F_SLEEPABLE: the program may sleep (fentry.s, lsm.s, iter.s, uprobe.s, syscall) */
export const BPF_F_SLEEPABLE = 16;

/** A kptr field of a map value (BPF_KPTR_REF / BPF_KPTR_UNREF in the map's btf_record). */
export interface KptrField {
  readonly off: number;
  readonly struct: string;
  readonly ref: boolean;
}

export interface VerifyOptions {
  readonly progType: ProgType;
  /** BPF_F_* load flags; BPF_F_STRICT_ALIGNMENT (1) is honoured */
  readonly progFlags?: number;
  readonly maps?: readonly MapDef[];
  /** 0: no log, 1: the failing path, 2: every instruction */
  readonly logLevel?: 0 | 1 | 2;
  readonly license?: string;
  readonly expectedAttachType?: string | null;
  /** the program comes with BTF func_info (one FUNC per subprogram): callbacks need it */
  readonly funcInfo?: boolean;
  /** BTF the attach target and BTF-typed pointers resolve in (vmlinux, or the simulated kernel's) */
  readonly attachBtf?: Btf;
  /** the target's name as libbpf takes it from the section: "sched_switch" (tp_btf/sched_switch), "do_unlinkat" (fentry/do_unlinkat), "task" (iter/task) */
  readonly attachTarget?: string;
}

// The one declaration lives below both the verifier and the JIT.
export type { VerifierFacts, InsnFacts } from "../exec/facts.js";

export interface VerifyResult {
  readonly accepted: boolean;
  /** Linux errno: EACCES (13) unsafe, EINVAL (22) malformed, E2BIG (7) too complex; null when accepted */
  readonly errno: number | null;
  /** the first line of the kernel's error message (null when accepted) */
  readonly error: string | null;
  readonly insnsProcessed: number;
  /** the verifier log in the kernel's format ("" at log level 0, except the stats line) */
  readonly log: string;
  readonly maxStackDepth: number;
  readonly facts: VerifierFacts;
  /** the instruction the refusal was found at (do_check's insn_idx), when it came from the walk */
  readonly errorInsn?: number;
  /** the C source line covering errorInsn (`; text @ file.c:N`), from the object's BTF line info */
  readonly errorSource?: string;
}

/**
 * A refusal decided outside do_check (an unsupported program type, a failed CO-RE relocation,
 * a map the kernel would not create), shaped as the verifier's result; `log` adds its line.
 */
export function refusedResult(errno: number, error: string, log: boolean): VerifyResult {
  return { accepted: false, errno, error, insnsProcessed: 0, log: log ? `${error}\n` : "", maxStackDepth: 0, facts: { maxStackDepth: 0, insn: [] } };
}
