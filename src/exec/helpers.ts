import type { GuestMemory } from "./guest-memory.js";
import type { TailCallTarget } from "./targets.js";

/** What a helper sees of the call: arguments r1..r5 and the guest memory. */
export interface HelperCall {
  readonly r1: bigint;
  readonly r2: bigint;
  readonly r3: bigint;
  readonly r4: bigint;
  readonly r5: bigint;
  readonly mem: GuestMemory;
  /** pc of the call instruction (for error messages) */
  readonly pc: number;
  /**
   * Run the subprogram a BPF_PSEUDO_FUNC value names (what ld_imm64 src 4 loaded), as the
   * kernel calls a callback: r1..r5 = `args` (missing ones 0), in a new stack frame one
   * deeper than the calling program's (the 8-frame limit applies: TrapKind.CallDepth at the
   * helper call); returns its r0. A value naming no callback of the running program traps
   * with TrapKind.BadCallTarget. Both engines provide it.
   */
  readonly callback?: (fn: bigint, args: readonly bigint[]) => bigint;
  /**
   * bpf_tail_call's jump: once the helper returns, the engine continues in `target` at its
   * first instruction, in the same stack frame with the registers as they are (r1 = the
   * context; in a callback the target replaces the callback, which Linux's verifier never
   * lets happen). Returns false, and nothing happens, when the run already made
   * MAX_TAIL_CALL_CNT tail calls or `target` is null (an empty slot, which does not count
   * against the limit, as in x86-64's JIT): the call then falls through.
   */
  readonly tailCall?: (target: TailCallTarget | null) => boolean;
}

/** A helper function by number, as `call N` reaches it. Returns r0. */
export interface Helper {
  readonly id: number;
  readonly name: string;
  readonly fn: (call: HelperCall) => bigint;
  /**
   * uBPF's "unwind" extension used by the bpf_conformance vectors: when the helper returns
   * 0 the program stops at once with r0 = 0. No kernel helper does this.
   */
  readonly stopsWhenZero?: boolean;
  /**
   * The same helper as a wasm function exported by the AssemblyScript runtime, with the
   * uniform helper ABI (i64 r1, i64 r2, i64 r3, i64 r4, i64 r5) -> i64. The JIT imports it
   * directly so the call never crosses into JS; `fn` stays the interpreter's entry.
   */
  // `Function`: a wasm export has no narrower static type
  readonly native?: Function;
  /**
   * The helper runs BPF code: "callback" (HelperCall.callback, e.g. bpf_loop) or
   * "tail_call" (HelperCall.tailCall). Metered JIT code hands its instruction budget over
   * around such calls, and a tail call is followed by the jump.
   */
  readonly reenters?: "callback" | "tail_call";
}

export type HelperRegistry = ReadonlyMap<number, Helper>;

export function helperRegistry(helpers: readonly Helper[]): HelperRegistry {
  return new Map(helpers.map((h) => [h.id, h]));
}
