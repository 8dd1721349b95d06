export { compileProgram, JitProgram, type CompileOptions } from "./program.js";
export { jitAvailable, loadBinaryen } from "./binaryen-loader.js";
export type { VerifierFacts, InsnFacts } from "../exec/facts.js";
export { splitFunctions, structure, type FunctionRange, type Structure } from "./cfg.js";
