import { extname } from "node:path";
import { assemble, parseDataFile, parseHexProgram } from "../asm/index.js";
import { parseHexBytes } from "../asm/numbers.js";
import type { Insn } from "../isa/insn.js";
import { decodeProgram, decodeRaw } from "../isa/decode.js";
import { firstProgramSection, isElf, readElf } from "../loader/elf.js";
import { EbpfError } from "../errors.js";
import { readCliInput } from "./input.js";

/** A program read from a file, with the input memory and expected result a `.data` file carries. */
export interface ProgramFile {
  readonly insns: Insn[];
  readonly input: Uint8Array | null;
  readonly expected: bigint | null;
  /** `-- error` of a .data vector: the run is expected to fail */
  readonly expectedError: string | null;
}

export class InputError extends EbpfError {
  override readonly name = "InputError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("EINVAL", message, options);
  }
}

/**
 * Decode raw bytecode, or the first program section of an ELF object. `lenient`: only split
 * into instructions, leaving invalid encodings for the verifier to judge as Linux does (it
 * refuses them with its own messages, and only where it reaches them).
 */
export function programFromBytes(bytes: Uint8Array, lenient = false): Insn[] {
  const code = isElf(bytes) ? firstProgramSection(readElf(bytes)).data : bytes;
  return lenient ? decodeRaw(code) : decodeProgram(code);
}

export interface ReadOptions {
  /** decode bytecode without judging the encodings (see programFromBytes) */
  readonly lenient?: boolean;
}

/** Read `.data` (bpf_conformance), `.bin`/`.o` (bytecode or ELF), `.hex`, or `.s`/`.asm` text. */
export function readProgramFile(path: string, opts: ReadOptions = {}): ProgramFile {
  const file = parseProgramFile(path, readCliInput(path), opts.lenient === true);
  if (file.insns.length === 0) throw new InputError(`${path}: no instructions`);
  return file;
}

function parseProgramFile(path: string, bytes: Uint8Array, lenient: boolean): ProgramFile {
  const decode = lenient ? decodeRaw : decodeProgram;
  if (bytes.length === 0) throw new InputError(`${path}: empty input`);
  const none = { input: null, expected: null, expectedError: null };
  switch (extname(path).toLowerCase()) {
    case ".data": {
      const data = parseDataFile(new TextDecoder().decode(bytes), path);
      return {
        insns: data.raw !== null ? decode(data.raw) : assemble(data.asm),
        input: data.mem,
        expected: data.result,
        expectedError: data.error ?? null,
      };
    }
    case ".hex":
      return { insns: decode(parseHexProgram(new TextDecoder().decode(bytes))), ...none };
    case ".s":
    case ".asm":
    case ".txt":
      return { insns: assemble(new TextDecoder().decode(bytes)), ...none };
    default:
      return { insns: programFromBytes(bytes, lenient), ...none };
  }
}

/** Hex bytes as the conformance plugin protocol and `--mem-hex` give them ("aa bb", "aabb", "0xaa"). */
export function hexBytes(text: string, what: string): Uint8Array {
  const bytes = parseHexBytes(text);
  if (bytes === null) throw new InputError(`${what}: not a string of hex bytes`);
  return bytes;
}
