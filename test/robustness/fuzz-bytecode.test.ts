// Issue 16: a seeded differential campaign of mutated programs of the bpf_conformance vectors:
// the raw test type's verifier judges each one (a typed rejection is fine); an accepted program
// runs on the interpreter and on the JIT (with the verifier's facts) under a budget, and both
// must agree on r0, memory and trap. `npm run fuzz` raises the count (WABPF_FUZZ_BYTECODE).
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EbpfError, InternalError, RuntimeTrap } from "../../src/errors.js";
import { GuestMemory } from "../../src/exec/guest-memory.js";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { CTX_BASE } from "../../src/isa/layout.js";
import type { Insn } from "../../src/isa/index.js";
import { verifyRawOrThrow } from "../../src/cli/verify-raw.js";
import { readProgramFile } from "../../src/cli/program-file.js";
// @ts-expect-error -- plain ES module of the test support
import { bytecodeCampaignInput } from "../support/fuzz/bytecode-mutator.mjs";

const DIR = fileURLToPath(new URL("../../../shared/conformance", import.meta.url));
const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith(".data")).sort() : [];
const seeds: { insns: Insn[]; input: Uint8Array }[] = [];
for (const f of files) {
  try {
    const p = readProgramFile(join(DIR, f));
    seeds.push({ insns: p.insns, input: p.input ?? new Uint8Array(0) });
  } catch {
    // a vector this reader does not take is no seed
  }
}
const count = Number(process.env["WABPF_FUZZ_BYTECODE"] ?? 1000);
const seed = Number(process.env["WABPF_FUZZ_SEED"] ?? 20261205);
const outDir = process.env["WABPF_FUZZ_OUT"];

type Outcome = { r0: string; mem: string } | { trap: string; pc: number; mem: string };
function outcome(run: () => bigint, mem: GuestMemory, len: number): Outcome {
  const dump = () => Buffer.from(mem.read(CTX_BASE, len)).toString("hex");
  try {
    return { r0: run().toString(16), mem: dump() };
  } catch (e) {
    if (!(e instanceof RuntimeTrap)) throw e;
    return { trap: String(e.kind), pc: e.pc, mem: dump() };
  }
}

describe.skipIf(seeds.length === 0)("mutated conformance programs", () => {
  it(`${count} mutated programs: typed rejections, and interpreter = JIT when accepted (seed ${seed})`, async () => {
    const s = { inputs: 0, typed: 0, ok: 0, untyped: 0, mismatches: 0 };
    const failures: { index: number; kind: string; mutations: string[]; detail: string; program: string }[] = [];
    const t0 = Date.now();
    for (let index = 0; index < count; index++) {
      const { insns, from, mutations } = (bytecodeCampaignInput as (s: Insn[][], seed: number, i: number) => { insns: Insn[]; from: number; mutations: string[] })(seeds.map((x) => x.insns), seed, index);
      const input = seeds[from]!.input;
      s.inputs++;
      let kind = "";
      let detail = "";
      try {
        const facts = verifyRawOrThrow(insns, input.length);
        const memI = new GuestMemory();
        const memJ = new GuestMemory();
        const want = outcome(() => runInterp(insns, { input, mem: memI, budget: 100_000 }).r0, memI, input.length);
        const jit = await compileProgram(insns, { verified: facts });
        const got = outcome(() => jit.run({ input, mem: memJ, budget: 100_000 }).r0, memJ, input.length);
        if (JSON.stringify(got) !== JSON.stringify(want)) [kind, detail] = ["mismatch", `interpreter ${JSON.stringify(want)} but JIT ${JSON.stringify(got)}`];
        else s.ok++;
      } catch (e) {
        if (e instanceof EbpfError && !(e instanceof InternalError)) s.typed++;
        else [kind, detail] = ["untyped", e instanceof Error ? `${e.name}: ${e.message}` : String(e)];
      }
      if (kind === "") continue;
      if (kind === "mismatch") s.mismatches++;
      else s.untyped++;
      const program = Buffer.from(encodeProgram(insns)).toString("hex");
      failures.push({ index, kind, mutations, detail, program });
      if (outDir !== undefined) {
        mkdirSync(outDir, { recursive: true });
        writeFileSync(join(outDir, `bytecode-${kind}-${seed}-${index}.json`), JSON.stringify({ seed, index, from: files[from], mutations, detail, program }, null, 1));
      }
    }
    console.info(`fuzz: ${s.inputs} inputs, ${s.typed} typed, ${s.ok} ok, ${s.untyped} untyped, 0 hangs, ${s.mismatches} mismatches (bytecode, ${Date.now() - t0} ms)`);
    for (const f of failures.slice(0, 20)) console.info(JSON.stringify(f));
    expect(s.ok).toBeGreaterThan(count / 10); // the mutations leave enough programs the verifier accepts
    expect(failures).toEqual([]);
  }, Math.max(600_000, count * 3)); // a long `npm run fuzz` campaign takes ~1-2 ms an input
});
