/**
 * What the verifier proved about a program, which lets the JIT drop guards. Indexed by
 * instruction slot. Absent facts mean "not proven": the JIT then keeps the guard.
 * Declared here, below both, because the verifier produces it and the JIT reads it and
 * those sibling layers must not import each other.
 */
export interface VerifierFacts {
  /** largest stack depth any path uses, in bytes (per frame) */
  readonly maxStackDepth: number;
  readonly insn: ReadonlyArray<InsnFacts | undefined>;
}

/** Per-instruction facts proven on every explored path (only set when accepted). */
export interface InsnFacts {
  /** the load/store/atomic at this slot stays inside memory the program may touch */
  readonly safeAccess?: boolean;
  /** the divisor of this div/mod is never zero (and, for signed ops, never -1) */
  readonly divisorNonZero?: boolean;
  /** this conditional jump is always or never taken */
  readonly branch?: "always" | "never";
  /**
   * at a helper call taking a map in r1: that map, as the index the program's map references
   * use (the imm of the ld_imm64 that loads it), the same on every path
   */
  readonly mapInR1?: number;
  /** at a helper call taking a callback in r2 (bpf_loop, bpf_for_each_map_elem): its first slot, the same on every path */
  readonly callbackInR2?: number;
  /** a load through a BTF-typed kernel pointer (the kernel's BPF_PROBE_MEM / PROBE_MEMSX): a faulting address reads 0 and the program goes on */
  readonly probeMem?: boolean;
}
