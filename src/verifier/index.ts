export { verify } from "./verifier.js";
export { PROG_TYPES, VerifierError, type ProgType, type MapDef, type VerifyOptions, type VerifyResult, type VerifierFacts, type InsnFacts } from "./types.js";
import { verify } from "./verifier.js";
import { VerifierError, type VerifyOptions, type VerifyResult } from "./types.js";
import type { Insn } from "../isa/insn.js";

/** verify, throwing a VerifierError (with the result attached) when the program is rejected. */
export function verifyOrThrow(insns: readonly Insn[], opts: VerifyOptions): VerifyResult {
  const r = verify(insns, opts);
  if (!r.accepted) throw new VerifierError(r);
  return r;
}
