// The one declaration lives below both the verifier and the JIT.
export type { VerifierFacts, InsnFacts } from "../exec/facts.js";
