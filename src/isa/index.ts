export * from "./opcode.js";
export * from "./limits.js";
export * from "./insn.js";
export * from "./decode.js";
export * from "./encode.js";
export * from "./layout.js";
export * from "./helpers.js";
