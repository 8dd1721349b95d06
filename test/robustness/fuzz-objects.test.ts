// Issue 16: a seeded campaign of mutated objects through open → load → run → attach →
// workload on the built package: every failure must be a typed EbpfError, nothing may hang.
// `npm run fuzz` runs a long campaign (WABPF_FUZZ_OBJECTS inputs) and keeps reproducers in
// fuzz-out/. A failure here names (seed, index): `node test/support/fuzz/repro.mjs SEED INDEX`.
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
// @ts-expect-error -- plain ES modules of the test support (they run in worker threads on dist/)
import { runCampaign, summary } from "../support/fuzz/campaign.mjs";
// @ts-expect-error -- as above
import { seedPaths } from "../support/fuzz/seeds.mjs";

const seeds = (seedPaths as () => string[])();
const built = existsSync(fileURLToPath(new URL("../../dist/index.js", import.meta.url)));
const count = Number(process.env["WABPF_FUZZ_OBJECTS"] ?? 1500);
const seed = Number(process.env["WABPF_FUZZ_SEED"] ?? 20261205);

describe("mutated objects", () => {
  it.skipIf(!built)(`${count} mutated objects give typed errors only, and no hangs (seed ${seed})`, async () => {
    const s = await runCampaign({ seed, count, seeds, ...(process.env["WABPF_FUZZ_OUT"] !== undefined ? { outDir: process.env["WABPF_FUZZ_OUT"] } : {}) });
    console.info(summary(s));
    for (const f of s.failures.slice(0, 20)) console.info(JSON.stringify(f));
    expect(s.inputs).toBe(count);
    expect(s.failures).toEqual([]);
  }, 3_600_000);
  if (!built) console.info("skipped: dist/ is not built (npm run build)");
});
