// The one place that chooses between the interpreter and the JIT (the CLI, the playground and
// BpfProgram.run all go through it): the JIT where binaryen loads, else the interpreter,
// which stays the reference.
import type { Insn } from "../isa/insn.js";
import type { EngineName, PreparedProgram } from "../exec/engine.js";
import type { RunOptions } from "../exec/run.js";
import { runInterp } from "../interp/index.js";
import { compileProgram, jitAvailable, type CompileOptions, type JitProgram } from "../jit/index.js";

export { parseEngine, ENGINE_NAMES, type EngineName, type PreparedProgram } from "../exec/engine.js";

/** A prepared program, with the JIT's compiled module when the JIT prepared it. */
export interface EngineProgram extends PreparedProgram {
  /** null on the interpreter */
  readonly compiled: JitProgram | null;
}

/** The JIT where binaryen loads; the interpreter otherwise. */
export async function defaultEngine(): Promise<EngineName> {
  try {
    return (await jitAvailable()) ? "jit" : "interp";
  } catch {
    return "interp";
  }
}

/**
 * `insns` made ready by `engine`. `opts.helpers` and `opts.pseudo` are bound the same way on
 * both (the JIT compiles them in; the interpreter passes them to every run); `verified`
 * (the verifier's facts) lets the JIT drop the guards they prove, null runs unverified; both
 * engines honour its probe loads (probeMem).
 */
export async function prepareProgram(insns: readonly Insn[], engine: EngineName, opts: CompileOptions = {}): Promise<EngineProgram> {
  if (engine === "interp") return interpProgram(insns, opts);
  return jitProgram(await compileProgram(insns, opts));
}

/** The interpreter, with the helpers, map resolver and verifier facts of `bound` on every run. */
export function interpProgram(insns: readonly Insn[], bound: Pick<CompileOptions, "helpers" | "pseudo" | "verified"> = {}): EngineProgram {
  const withBound = (opts: RunOptions = {}): RunOptions => ({
    ...opts,
    ...(bound.helpers !== undefined ? { helpers: bound.helpers } : {}),
    ...(bound.pseudo !== undefined ? { pseudo: bound.pseudo } : {}),
    ...(bound.verified !== undefined ? { verified: bound.verified } : {}),
  });
  return { engine: "interp", compiled: null, run: (opts) => runInterp(insns, withBound(opts)), prepare: (opts) => () => runInterp(insns, withBound(opts)) };
}

/** An already compiled JIT program. */
export function jitProgram(prog: JitProgram): EngineProgram {
  return { engine: "jit", compiled: prog, run: (opts) => prog.run(opts), prepare: (opts) => prog.prepare(opts) };
}
