import { hex64, parse } from "../args.js";
import { defaultEngine, parseEngine, prepareProgram } from "../../runtime/engine.js";
import { verifyRawOrThrow } from "../verify-raw.js";
import { hexBytes, InputError, programFromBytes } from "../program-file.js";
import { readCliText } from "../input.js";
import { CONFORMANCE_REGISTRY } from "../../exec/test-helpers.js";
import { decodeProgram } from "../../isa/decode.js";
import { firstProgramSection, readElf } from "../../loader/elf.js";


/**
 * The bpf_conformance plugin protocol: program bytes as hex on stdin, memory as hex in the
 * first argument; r1 = the memory, r2 = its length; prints r0 as 0x-prefixed hex.
 * With --elf the stdin bytes are an ELF object whose first executable section is the program.
 * Unverified by default, as uBPF's plugin; --verify refuses what Linux's verifier would
 * (raw test type) with exit status 1.
 */
export async function pluginCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { engine: { type: "string" }, elf: { type: "boolean" }, verify: { type: "boolean" } });
  const engine = parseEngine(values.engine, await defaultEngine());
  const program = hexBytes(readCliText(0), "program on stdin");
  if (program.length === 0) throw new InputError("no program on standard input");
  const input = hexBytes(positionals.join(" "), "memory argument");
  const insns = values.elf === true ? decodeProgram(firstProgramSection(readElf(program)).data) : programFromBytes(program);
  const prog = await prepareProgram(insns, engine, { verified: values.verify === true ? verifyRawOrThrow(insns, input.length) : null, helpers: CONFORMANCE_REGISTRY });
  const { r0 } = prog.run({ input });
  process.stdout.write(`${hex64(r0)}\n`);
  return 0;
}
