import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runVector } from "../../src/cli/commands/conformance.js";

const DIR = fileURLToPath(new URL("../../../shared/conformance", import.meta.url));
const vectors = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith(".data")).sort() : [];
if (vectors.length === 0) console.warn(`[skip] conformance vectors: none found in ${DIR}`);

describe.skipIf(vectors.length === 0)("bpf_conformance vectors (JIT)", () => {
  it.each(vectors)("%s", async (name) => {
    const r = await runVector(join(DIR, name), "jit");
    expect(r.detail).toBe("");
    expect(r.passed).toBe(true);
  });
});
