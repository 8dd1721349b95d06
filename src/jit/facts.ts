// The one declaration lives below both the verifier and the JIT (src/exec/facts.ts); this
// path stays for src/cli/engine.ts, which still imports it from here.
export type { VerifierFacts, InsnFacts } from "../exec/facts.js";
