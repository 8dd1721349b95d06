// What every caller that runs a program on "the interpreter or the JIT" holds: a program made
// ready by one engine. Declared here, below both engines (siblings that must not import each
// other); src/runtime/engine.ts, which sees both, makes one.
import { NotSupportedError } from "../errors.js";
import type { RunOptions, RunResult } from "./run.js";

export const ENGINE_NAMES = ["interp", "jit"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** A program made ready to run by one engine. */
export interface PreparedProgram {
  readonly engine: EngineName;
  run(opts?: RunOptions): RunResult;
  /** Set up once, then run repeatedly with no per-run setup (what `--repeat` times). */
  prepare(opts: RunOptions): () => RunResult;
}

/** An engine named on a command line or in a request; `fallback` when none is named. */
export function parseEngine(value: string | undefined, fallback: EngineName): EngineName {
  if (value === undefined) return fallback;
  if ((ENGINE_NAMES as readonly string[]).includes(value)) return value as EngineName;
  throw new NotSupportedError(`unknown engine "${value}" (${ENGINE_NAMES.join(", ")})`);
}
