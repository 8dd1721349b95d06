import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { assemble, parseDataFile } from "../../src/asm/index.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { runInterp } from "../../src/interp/index.js";
import { CONFORMANCE_REGISTRY } from "../../src/exec/test-helpers.js";
import { kbpfBatch, kernelUnavailableReason } from "../support/kbpf.js";

const DIR = fileURLToPath(new URL("../../../shared/conformance", import.meta.url));
const reason = existsSync(DIR) ? kernelUnavailableReason() : `${DIR} is missing`;
if (reason !== null && !existsSync(DIR)) console.warn(`[skip] conformance vs kernel: ${reason}`);

// The vectors the kernel's verifier accepts under kbpf.py's map harness run in Linux too:
// the kernel's r0 must be the vector's expected result and the interpreter's.
describe.skipIf(reason !== null)("conformance vectors in the Linux kernel", () => {
  it("agree with the interpreter wherever the kernel loads them", () => {
    const vectors = readdirSync(DIR)
      .filter((f) => f.endsWith(".data"))
      .sort()
      .map((f) => ({ name: f, data: parseDataFile(readFileSync(join(DIR, f), "utf8"), f) }))
      .filter((v) => v.data.result !== null && v.data.error === undefined);
    const progs = vectors.map((v) => ({ ...v, insns: assemble(v.data.asm) }));
    const resp = kbpfBatch(progs.map((p) => ({ id: p.name, code: Buffer.from(encodeProgram(p.insns)).toString("hex"), mem: Buffer.from(p.data.mem).toString("hex") })));
    let loaded = 0;
    progs.forEach((p, i) => {
      const k = resp[i]!;
      if (!k.ok) return;
      loaded++;
      const helpers = CONFORMANCE_REGISTRY; // the vectors' helpers, passed explicitly
      const ours = runInterp(p.insns, p.data.mem.length > 0 ? { input: p.data.mem, helpers } : { helpers }).r0;
      expect([p.name, String(k.r0)]).toEqual([p.name, ours.toString()]);
    });
    console.info(`conformance vectors run in the kernel: ${loaded} of ${progs.length} (the rest are rejected by its verifier)`);
    expect(loaded).toBeGreaterThan(100);
  });
});
