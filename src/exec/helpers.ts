import type { GuestMemory } from "./guest-memory.js";

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
}

export type HelperRegistry = ReadonlyMap<number, Helper>;

export function helperRegistry(helpers: readonly Helper[]): HelperRegistry {
  return new Map(helpers.map((h) => [h.id, h]));
}
