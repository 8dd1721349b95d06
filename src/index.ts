// Public API of wabpf: named exports only.
export * from "./errors.js";
export * from "./isa/index.js";
export * from "./exec/index.js";
export { assemble, disassemble, formatInsn, parseDataFile, parseHexProgram, helperName, helperId, type DataFile, type DisasmOptions, type Syntax } from "./asm/index.js";
export { runInterp } from "./interp/index.js";
export { compileProgram, JitProgram, jitAvailable, type CompileOptions, type VerifierFacts, type InsnFacts } from "./jit/index.js";
export * from "./runtime/index.js";
export { readElf, isElf, firstProgramSection, type ElfFile, type ElfSection } from "./loader/elf.js";
