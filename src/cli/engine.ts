import type { Insn } from "../isa/insn.js";
import { runInterp } from "../interp/index.js";
import type { RunOptions, RunResult } from "../exec/run.js";
import { NotSupportedError } from "../errors.js";

export type EngineName = "interp" | "jit";

/** A program made ready to run by one engine. */
export interface PreparedProgram {
  readonly engine: EngineName;
  run(opts?: RunOptions): RunResult;
  /** Set up once, then run repeatedly with no per-run setup (what `--repeat` times). */
  prepare(opts: RunOptions): () => RunResult;
}

export function parseEngine(value: string | undefined, fallback: EngineName): EngineName {
  if (value === undefined) return fallback;
  if (value === "interp" || value === "jit") return value;
  throw new NotSupportedError(`unknown engine "${value}" (interp, jit)`);
}

/** The JIT where binaryen loads; the interpreter otherwise (it stays the reference). */
export async function defaultEngine(): Promise<EngineName> {
  try {
    const { jitAvailable } = await import("../jit/index.js");
    return (await jitAvailable()) ? "jit" : "interp";
  } catch {
    return "interp";
  }
}

export async function prepare(insns: readonly Insn[], engine: EngineName): Promise<PreparedProgram> {
  if (engine === "interp") return { engine, run: (opts) => runInterp(insns, opts), prepare: (opts) => () => runInterp(insns, opts) };
  const { compileProgram } = await import("../jit/index.js");
  const prog = await compileProgram(insns);
  return { engine, run: (opts) => prog.run(opts), prepare: (opts) => prog.prepare(opts) };
}
