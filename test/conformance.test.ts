import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runVector } from "../src/cli/commands/conformance.js";

// The bpf_conformance vectors, read in place, through every engine (rbpf's one-suite-per-backend pattern).
const DIR = fileURLToPath(new URL("../../shared/conformance", import.meta.url));
const vectors = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith(".data")).sort() : [];
if (vectors.length === 0) console.warn(`[skip] conformance vectors: none found in ${DIR}`);

describe.skipIf(vectors.length === 0).each(["interp", "jit"] as const)("bpf_conformance vectors (%s)", (engine) => {
  it.each(vectors)("%s", async (name) => {
    const r = await runVector(join(DIR, name), engine);
    expect(r.detail).toBe("");
    expect(r.passed).toBe(true);
  });
});
