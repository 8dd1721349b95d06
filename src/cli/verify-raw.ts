// Verification before a run (wabpf run / conformance --verify / plugin --verify, and the
// playground's "verify first"): the raw test type, as Linux verifies it.
import type { Insn } from "../isa/insn.js";
import type { VerifierFacts } from "../exec/facts.js";
import { verifyRawHarness } from "../verifier/raw-harness.js";
import { VerifierError } from "../verifier/error.js";

/** What a refusal before a run says before the verifier's error line. */
export const REJECTED = "rejected by the verifier";

/**
 * Verify a program of the raw test type (r1 = `memSize` bytes of memory, r2 = memSize) as
 * Linux verifies it under kbpf.py's map harness; throws a VerifierError when it is refused.
 */
export function verifyRawOrThrow(insns: readonly Insn[], memSize: number): VerifierFacts {
  const r = verifyRawHarness(insns, { memSize });
  if (!r.accepted) throw new VerifierError(r, { context: REJECTED });
  return r.facts;
}
