import type { GuestMemory } from "./guest-memory.js";
import type { HelperRegistry } from "./helpers.js";
import { STACK_FRAME_SIZE } from "../isa/layout.js";
import type { PseudoResolver, TailCallTarget } from "./targets.js";
import type { VerifierFacts } from "./facts.js";

// declared in targets.ts (helpers.ts needs TailCallTarget too); re-exported for their importers
export type { PseudoResolver, TailCallTarget };

/** How a program is started: the shape both engines (interpreter and JIT) accept. */
/**
 * Where an ARRAY map keeps its values, so that compiled code can do its lookups inline as
 * the kernel's JIT does (map_gen_lookup): value of index i at `values + i * stride` for
 * i < maxEntries. Given for the map addresses a program loads; null for other maps.
 */
export interface InlineArrayLookup {
  readonly values: number;
  readonly maxEntries: number;
  readonly stride: number;
}

export interface RunOptions {
  /** The guest memory to run in; a fresh one when omitted. */
  readonly mem?: GuestMemory;
  /**
   * Input bytes, copied to CTX_BASE before the run; r1 = CTX_BASE and r2 = length, as the
   * bpf_conformance plugin protocol and the kernel's test-run harness pass them. With no
   * input (or an empty one) r1 = 0 and r2 = 0.
   */
  readonly input?: Uint8Array;
  /**
   * Leave the input area as earlier runs left it: r1/r2 and the input region are set from
   * `input.length`, but its bytes are not copied again. This is `--repeat` over one buffer,
   * as the kernel's BPF_PROG_TEST_RUN repeats over a map-backed buffer.
   */
  readonly preserveInput?: boolean;
  /** Explicit r1..r5; overrides what `input` sets. */
  readonly args?: readonly bigint[];
  /** Helpers reachable by `call N`; none when omitted. */
  readonly helpers?: HelperRegistry;
  /** Simulated CPU: selects the stack (and later per-CPU map slots). */
  readonly cpu?: number;
  /** Instructions an unverified run may execute before it is stopped (TrapKind.Budget). */
  readonly budget?: number;
  /** Resolves map references (pseudo ld_imm64); without it they trap when reached. */
  readonly pseudo?: PseudoResolver;
  /**
   * What the verifier proved, for the interpreter: its loads marked probeMem read 0 where
   * they would fault. The JIT takes the facts when it compiles (as it does helpers and map
   * references) and ignores this.
   */
  readonly verified?: VerifierFacts | null;
}

export interface RunResult {
  /** r0 at exit, as an unsigned 64-bit value */
  readonly r0: bigint;
}

/** The default instruction budget of an unverified run. */
export const DEFAULT_BUDGET = 100_000_000;

/**
 * The stack bytes a run may touch at call depth `depth` (0 = main program): every active
 * frame, from the deepest frame's bottom to the main frame's r10. Both engines use this.
 */
export function stackWindow(fp0: number, depth: number): { start: number; end: number } {
  return { start: fp0 - (depth + 1) * STACK_FRAME_SIZE, end: fp0 };
}

