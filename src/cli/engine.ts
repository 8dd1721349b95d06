import type { Insn } from "../isa/insn.js";
import { runInterp } from "../interp/index.js";
import type { RunOptions, RunResult } from "../exec/run.js";
import { EbpfError, NotSupportedError } from "../errors.js";
import { verifyRawHarness } from "../verifier/raw-harness.js";
import { verdictCode, type VerifyResult } from "../verifier/types.js";
import type { VerifierFacts } from "../jit/facts.js";
import type { HelperRegistry } from "../exec/helpers.js";

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

/**
 * `verified`: the verifier's facts (the JIT drops the guards they prove); null runs unverified.
 * `helpers`: what `call N` reaches; none when omitted (no implicit helper set).
 */
export async function prepare(insns: readonly Insn[], engine: EngineName, verified: VerifierFacts | null = null, helpers?: HelperRegistry): Promise<PreparedProgram> {
  const withHelpers = (opts: RunOptions = {}): RunOptions => (helpers === undefined ? opts : { ...opts, helpers });
  if (engine === "interp") return { engine, run: (opts) => runInterp(insns, withHelpers(opts)), prepare: (opts) => () => runInterp(insns, withHelpers(opts)) };
  const { compileProgram } = await import("../jit/index.js");
  const prog = await compileProgram(insns, helpers === undefined ? { verified } : { verified, helpers });
  return { engine, run: (opts) => prog.run(opts), prepare: (opts) => prog.prepare(opts) };
}

/** The verifier refused the program (the kernel's errno and first error line). */
export class RejectedError extends EbpfError {
  override readonly name = "RejectedError";
  constructor(readonly result: VerifyResult) {
    super(verdictCode(result), `rejected by the verifier: ${result.error ?? "?"}`);
  }
}

/**
 * Verify a program of the raw test type (r1 = `memSize` bytes of memory, r2 = memSize) as
 * Linux verifies it under kbpf.py's map harness; throws RejectedError when it is refused.
 */
export function verifyRawOrThrow(insns: readonly Insn[], memSize: number): VerifierFacts {
  const r = verifyRawHarness(insns, { memSize });
  if (!r.accepted) throw new RejectedError(r);
  return r.facts;
}
