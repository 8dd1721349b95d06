// Issue 16: a seeded campaign of mutated .BTF sections through parseBtf and then every query
// the loader and CO-RE make of a parsed Btf (names, sizes, type strings, the raw dump) and
// parseBtfExt of the object's own .BTF.ext against it: every failure must be a typed
// EbpfError. `npm run fuzz` raises the count (WABPF_FUZZ_BTF) and writes reproducers to
// WABPF_FUZZ_OUT. Replay a failure from (seed, index) with btfCampaignInput.
import { describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EbpfError, InternalError } from "../../src/errors.js";
import { parseBtf } from "../../src/loader/btf.js";
import { parseBtfExt } from "../../src/loader/btf-ext.js";
// @ts-expect-error -- plain ES modules of the test support
import { sections } from "../support/fuzz/elf-mutator.mjs";
// @ts-expect-error -- as above
import { seedPaths } from "../support/fuzz/seeds.mjs";
// @ts-expect-error -- as above
import { btfCampaignInput } from "../support/fuzz/btf-mutator.mjs";

interface Section { name: string; offset: number; size: number }
interface Seed { btf: Uint8Array; ext: Uint8Array | undefined }

const seeds: Seed[] = [];
for (const p of (seedPaths as () => string[])()) {
  const buf = new Uint8Array(readFileSync(p));
  const secs = (sections as (b: Uint8Array) => Section[] | null)(buf) ?? [];
  const get = (n: string) => secs.find((s) => s.name === n);
  const btf = get(".BTF");
  if (btf === undefined) continue;
  const ext = get(".BTF.ext");
  seeds.push({ btf: buf.slice(btf.offset, btf.offset + btf.size), ext: ext === undefined ? undefined : buf.slice(ext.offset, ext.offset + ext.size) });
}
const btfSeeds = seeds.map((s) => s.btf);
const count = Number(process.env["WABPF_FUZZ_BTF"] ?? 3000);
const seed = Number(process.env["WABPF_FUZZ_SEED"] ?? 20261205);
const outDir = process.env["WABPF_FUZZ_OUT"];

/** Parse and query one input; returns "ok", "typed", or throws the untyped error. */
function runOne(bytes: Uint8Array, ext: Uint8Array | undefined): "ok" | "typed" {
  try {
    const btf = parseBtf(bytes);
    for (let id = 0; id < btf.typeCount; id++) {
      btf.name(id);
      btf.resolveSize(id);
      btf.typeString(id);
      btf.skipModsAndTypedefs(id);
      btf.formatType(id);
    }
    btf.formatRaw();
    if (ext !== undefined) parseBtfExt(ext, btf);
    return "ok";
  } catch (e) {
    if (e instanceof EbpfError && !(e instanceof InternalError)) return "typed";
    throw e;
  }
}

describe("mutated BTF", () => {
  it(`${count} mutated .BTF sections give typed errors only (seed ${seed})`, () => {
    expect(seeds.length).toBeGreaterThan(5);
    const s = { inputs: 0, typed: 0, ok: 0, untyped: 0 };
    const failures: { index: number; mutations: string[]; error: string }[] = [];
    const t0 = Date.now();
    for (let index = 0; index < count; index++) {
      const { bytes, from, mutations } = (btfCampaignInput as (s: Uint8Array[], seed: number, i: number) => { bytes: Uint8Array; from: number; mutations: string[] })(btfSeeds, seed, index);
      s.inputs++;
      try {
        s[runOne(bytes, seeds[from]?.ext)]++;
      } catch (e) {
        s.untyped++;
        const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        failures.push({ index, mutations, error });
        if (outDir !== undefined) {
          mkdirSync(outDir, { recursive: true });
          writeFileSync(join(outDir, `btf-untyped-${seed}-${index}.bin`), bytes);
          writeFileSync(join(outDir, `btf-untyped-${seed}-${index}.json`), JSON.stringify({ seed, index, mutations, error }, null, 1));
        }
      }
    }
    console.info(`fuzz: ${s.inputs} inputs, ${s.typed} typed, ${s.ok} ok, ${s.untyped} untyped, 0 hangs, 0 mismatches (BTF, ${Date.now() - t0} ms)`);
    for (const f of failures.slice(0, 20)) console.info(JSON.stringify(f));
    expect(failures).toEqual([]);
  }, Math.max(600_000, count * 3)); // a long `npm run fuzz` campaign takes ~1-2 ms an input
});
