export { verify } from "./verifier.js";
export { BPF_F_SLEEPABLE, PROG_TYPES, type ProgType, type MapDef, type KptrField, type VerifyOptions, type VerifyResult, type VerifierFacts, type InsnFacts } from "./types.js";
export { VerifierError, verdictCode, type VerifierErrorOptions, type VerifierErrorData } from "./error.js";
import { verify } from "./verifier.js";
import type { VerifyOptions, VerifyResult } from "./types.js";
import { VerifierError } from "./error.js";
import type { Insn } from "../isa/insn.js";

/** verify, throwing a VerifierError (with the result attached) when the program is rejected. */
export function verifyOrThrow(insns: readonly Insn[], opts: VerifyOptions): VerifyResult {
  const r = verify(insns, opts);
  if (!r.accepted) throw new VerifierError(r);
  return r;
}
