import { writeFileSync } from "node:fs";
import { readCliText } from "../input.js";
import { parse } from "../args.js";
import { InputError, readProgramFile } from "../program-file.js";
import { assemble, disassemble } from "../../asm/index.js";
import { encodeProgram, insnHex } from "../../isa/encode.js";
import { ASM_USAGE, DISASM_USAGE } from "../usage.js";


/** Assemble text (either syntax) to bytecode: binary with -o, else one slot per line in hex. */
export async function asmCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { output: { type: "string", short: "o" } });
  if (positionals.length !== 1) throw new InputError(`usage: ${ASM_USAGE}`);
  const path = positionals[0]!;
  const insns = assemble(readCliText(path));
  if (insns.length === 0) throw new InputError(`${path}: no instructions`);
  if (values.output !== undefined) writeFileSync(values.output, encodeProgram(insns));
  else process.stdout.write(insns.map((i) => `${insnHex(i)}\n`).join(""));
  return 0;
}

/** Print a program (.data, .bin, .o, .hex, .s) in the kernel's syntax, as bpftool prints it. */
export async function disasmCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { syntax: { type: "string" } });
  if (positionals.length !== 1) throw new InputError(`usage: ${DISASM_USAGE}`);
  const syntax = values.syntax ?? "kernel";
  if (syntax !== "kernel" && syntax !== "conformance") throw new InputError(`unknown syntax "${syntax}" (kernel, conformance)`);
  const { insns } = readProgramFile(positionals[0]!);
  process.stdout.write(disassemble(insns, { syntax, index: syntax === "kernel" }).map((l) => `${l}\n`).join(""));
  return 0;
}
