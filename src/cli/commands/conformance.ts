import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { hex64, parse } from "../args.js";
import { defaultEngine, parseEngine, prepareProgram, type EngineName } from "../../runtime/engine.js";
import { REJECTED, verifyRawOrThrow } from "../verify-raw.js";
import { VerifierError } from "../../verifier/error.js";
import { InputError, readProgramFile } from "../program-file.js";
import { CONFORMANCE_REGISTRY } from "../../exec/test-helpers.js";
import { CONFORMANCE_USAGE } from "../usage.js";


export interface VectorResult {
  readonly name: string;
  readonly passed: boolean;
  /** with verification: the verifier refused the vector (neither passed nor failed) */
  readonly rejected?: boolean;
  /** why it failed */
  readonly detail: string;
}

/**
 * Run one bpf_conformance `.data` vector; never throws (a thrown error is a result). Vectors
 * test ISA semantics, so they run unverified unless `verify` is set (then the raw test type's
 * verifier judges them first, as Linux would, and its facts reach the JIT).
 */
export async function runVector(path: string, engine: EngineName, verify = false): Promise<VectorResult> {
  const name = basename(path, ".data");
  try {
    const file = readProgramFile(path);
    let facts = null;
    if (verify) {
      try {
        facts = verifyRawOrThrow(file.insns, file.input?.length ?? 0);
      } catch (e) {
        if (e instanceof VerifierError) return { name, passed: false, rejected: true, detail: `${REJECTED}: ${e.reason} (errno ${e.errno})` };
        throw e;
      }
    }
    const prog = await prepareProgram(file.insns, engine, { verified: facts, helpers: CONFORMANCE_REGISTRY });
    let r0: bigint;
    try {
      r0 = prog.run(file.input !== null && file.input.length > 0 ? { input: file.input } : {}).r0;
    } catch (e) {
      if (file.expectedError !== null) return { name, passed: true, detail: "" };
      throw e;
    }
    if (file.expectedError !== null) return { name, passed: false, detail: `expected error "${file.expectedError}" got ${hex64(r0)}` };
    if (file.expected === null) return { name, passed: false, detail: "the vector has no -- result" };
    if (r0 === BigInt.asUintN(64, file.expected)) return { name, passed: true, detail: "" };
    return { name, passed: false, detail: `expected ${hex64(file.expected)} got ${hex64(r0)}` };
  } catch (e) {
    return { name, passed: false, detail: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

export function listVectors(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    entries = readdirSync(dir);
  } catch (e) {
    throw new InputError(`cannot read test directory ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const vectors = entries.filter((f) => f.endsWith(".data")).sort().map((f) => join(dir, f));
  if (vectors.length === 0) throw new InputError(`no .data test vectors in ${dir}`);
  return vectors;
}

export async function conformanceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { engine: { type: "string" }, verify: { type: "boolean" } });
  if (positionals.length !== 1) throw new InputError(`usage: ${CONFORMANCE_USAGE}`);
  const engine = parseEngine(values.engine, await defaultEngine());
  let passed = 0;
  let failed = 0;
  let rejected = 0;
  for (const path of listVectors(positionals[0]!)) {
    const r = await runVector(path, engine, values.verify === true);
    if (r.passed) passed++;
    else if (r.rejected === true) rejected++;
    else failed++;
    process.stdout.write(r.passed ? `PASS ${r.name}\n` : r.rejected === true ? `REJECTED ${r.name}: ${r.detail}\n` : `FAIL ${r.name}: ${r.detail}\n`);
  }
  process.stdout.write(`${passed} passed, ${failed} failed${values.verify === true ? `, ${rejected} rejected by the verifier` : ""}\n`);
  return failed === 0 ? 0 : 1;
}
