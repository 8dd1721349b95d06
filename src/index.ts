// Public API of wabpf: named exports only.
export * from "./errors.js";
export * from "./isa/index.js";
export * from "./exec/index.js";
export { runInterp } from "./interp/index.js";
export { loadRuntime, type AsRuntime, type AsRuntimeExports } from "./runtime/as-runtime.js";
