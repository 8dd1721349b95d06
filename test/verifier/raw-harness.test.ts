import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { verifyRawHarness as verifyRaw } from "../../src/verifier/raw-harness.js";
import { parseDataFile } from "../../src/asm/index.js";
import { readProgramFile } from "../../src/cli/program-file.js";
import { compileProgram } from "../../src/jit/index.js";
import { runInterp } from "../../src/interp/index.js";
import { GuestMemory } from "../../src/exec/guest-memory.js";
import { assemble } from "../../src/asm/index.js";
import { generateKernelProgram } from "../support/gen-kernel-programs.js";

const BENCH = fileURLToPath(new URL("../../bench/programs/", import.meta.url));

const CONFORMANCE = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));
const golden = JSON.parse(readFileSync(new URL("./golden/conformance-raw.json", import.meta.url), "utf8")) as {
  kernel: string;
  rows: Array<{ name: string; accepted: boolean; errno: number | null; error: string | null }>;
};

// The raw test type is verified as kbpf.py's map harness loads it into Linux (see raw-harness.ts):
// messages are the kernel's, with instruction numbers shifted by the 8-instruction wrapper.
describe("the raw test type (kbpf.py's map harness)", () => {
  it.each(readdirSync(BENCH).filter((f) => f.endsWith(".data")))("accepts %s (the kernel does) and its facts drop every guard", async (f) => {
    const p = readProgramFile(join(BENCH, f));
    const v = verifyRaw(p.insns, { memSize: p.input!.length });
    expect([v.error, v.accepted]).toEqual([null, true]);
    const jit = await compileProgram(p.insns, { verified: v.facts, keepText: true });
    expect(jit.text).not.toMatch(/call \$check/);
    expect(jit.run({ input: p.input!, mem: new GuestMemory() }).r0).toBe(p.expected);
  });

  it("accepts the kernel-accepted generated programs, and runs them unchecked with the interpreter's results", async () => {
    for (let i = 0; i < 150; i++) {
      const { insns, mem: input } = generateKernelProgram(5000 + i, 30 + (i % 5) * 15);
      const v = verifyRaw(insns, { memSize: input.length });
      expect([i, v.error]).toEqual([i, null]);
      const got = (await compileProgram(insns, { verified: v.facts })).run({ input, mem: new GuestMemory() }).r0;
      expect(got).toBe(runInterp(insns, { input }).r0);
    }
  });

  it.each<[string, string, number, string]>([
    ["out of bounds constant", "r0 = *(u64 *)(r1 + 8)\nexit", 8, "invalid access to map value, value_size=8 off=8 size=8"],
    ["unchecked index", "r3 = *(u8 *)(r1 + 0)\nr1 += r3\nr0 = *(u8 *)(r1 + 0)\nexit", 8, "invalid access to map value, value_size=8 off=255 size=1"],
    ["unbounded index", "r3 = *(u64 *)(r1 + 0)\nr1 += r3\nr0 = *(u8 *)(r1 + 0)\nexit", 8, "math between map_value pointer and register with unbounded min value is not allowed"],
    ["uninitialised register", "r0 = r5\nexit", 8, "R5 !read_ok"],
    ["no r0 at exit", "exit", 8, "R0 !read_ok"],
    ["scalar dereference", "r2 = 16\nr0 = *(u8 *)(r2 + 0)\nexit", 8, "R2 invalid mem access 'scalar'"],
    ["stack underflow", "*(u64 *)(r10 - 520) = 1\nr0 = 0\nexit", 8, "invalid write to stack R10 off=-520 size=8"],
    ["frame pointer write", "r10 = 0\nr0 = 0\nexit", 8, "frame pointer is read only"],
    ["endless loop", "r0 = 0\nloop:\nr0 += 0\ngoto loop", 8, "infinite loop detected at insn 9"],
    ["division by a zero immediate", "r0 = 1\nr0 /= 0\nexit", 8, "div by zero"],
  ])("rejects %s", (_n, text, size, error) => {
    const v = verifyRaw(assemble(text), { memSize: size });
    expect([v.accepted, v.error]).toEqual([false, error]);
  });

  it("accepts a bounds-checked variable index and a bounded loop", () => {
    const ok = "r3 = *(u8 *)(r1 + 0)\nif r3 > 7 goto out\nr1 += r3\nr0 = *(u8 *)(r1 + 0)\nexit\nout:\nr0 = 0\nexit";
    expect(verifyRaw(assemble(ok), { memSize: 8 }).accepted).toBe(true);
    expect(verifyRaw(assemble(ok.replace("> 7", "> 8")), { memSize: 8 }).accepted).toBe(false);
  });

  // verdicts and first error lines of every bpf_conformance vector, recorded from Linux by
  // scripts/verifier/record-conformance-golden.mjs
  it.skipIf(!existsSync(CONFORMANCE))(`gives Linux ${golden.kernel}'s verdict on every conformance vector`, () => {
    for (const g of golden.rows) {
      const d = parseDataFile(readFileSync(join(CONFORMANCE, `${g.name}.data`), "utf8"), g.name);
      const v = verifyRaw(assemble(d.asm), { memSize: d.mem.length });
      expect([g.name, v.accepted, v.errno, v.error]).toEqual([g.name, g.accepted, g.errno, g.error]);
    }
  });
});
