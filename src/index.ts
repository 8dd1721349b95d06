// Public API of wabpf: named exports only.
export * from "./errors.js";
export * from "./isa/index.js";
export * from "./exec/index.js";
export { assemble, disassemble, formatInsn, parseDataFile, parseHexProgram, helperName, helperId, type DataFile, type DisasmOptions, type Syntax } from "./asm/index.js";
export { runInterp } from "./interp/index.js";
export { compileProgram, JitProgram, jitAvailable, type CompileOptions, type VerifierFacts, type InsnFacts } from "./jit/index.js";
export * from "./runtime/index.js";
export { readElf, isElf, firstProgramSection, type ElfFile, type ElfSection } from "./loader/elf.js";
export { openObject, type ObjectSpec, type MapSpecOfObject, type ProgramSpecOfObject, type OpenOptions } from "./loader/object.js";
export { matchSection, SECTION_DEFS, type SectionDef, type SectionMatch } from "./loader/sections.js";
export { parseBtf, Btf, type BtfType } from "./loader/btf.js";
export { parseBtfExt, type BtfExt } from "./loader/btf-ext.js";
export { BtfBuilder } from "./loader/btf-builder.js";
export { applyCoreRelos, BPF_CORE_POISON_HELPER_ID, CoreReloKind, type AppliedCoreRelo } from "./loader/core.js";
export { verify, PROG_TYPES, VerifierError, type VerifierErrorOptions, type VerifierErrorData, type ProgType, type MapDef, type VerifyOptions, type VerifyResult } from "./verifier/index.js";
export { verifyRawHarness } from "./verifier/raw-harness.js";
export { BpfObject, BpfProgram, type ObjectOpenOptions, type ObjectLoadOptions, type ProgramRunOptions } from "./object/bpf-object.js";
export * from "./kernel/index.js";
// both the machine and the simulated kernel name a task description TaskSpec: the machine's is the package's
export type { TaskSpec } from "./runtime/index.js";
export * from "./kernel/workloads.js";

import { VerifierError } from "./verifier/index.js";
/** @deprecated BpfProgram.load throws a VerifierError (this is the same class, under its old name). */
export const ProgramLoadError = VerifierError;
/** @deprecated use VerifierError. */
export type ProgramLoadError = VerifierError;
