// Differential tests of maps against real kernel maps: seeded random sequences of
// create/update/lookup/delete/get_next_key/lookup_and_delete/freeze and the batch commands
// (lookup, lookup-and-delete, update, delete) with every flag, run by
// scripts/runtime/kmap_driver.py in the kernel and replayed here; same errnos, same values,
// same key order (hash maps with BPF_F_ZERO_SEED place keys exactly as the kernel's jhash
// does), same LRU evictions.
//
// LRU: wabpf follows the kernel's LRU lists (bpf_lru_list.c: active/inactive/free lists,
// per-CPU local free and pending lists refilled target_free at a time, rotation and
// shrinking with the reference bit), so single-threaded sequences evict the same keys.
// What cannot match: the kernel's LRU is approximate under concurrency (several CPUs
// updating at once steal from each other's local lists in an order that depends on
// timing); wabpf runs one CPU at a time. The driver pins itself to CPU 0 and wabpf runs
// user-space operations on CPU 0 (Machine.userCpu) for that reason.
//
// The golden file is recorded from Linux with `WABPF_RECORD_MAP_GOLDEN=1 npx vitest run
// test/runtime/map-diff.test.ts` (needs root for bpf()); the live test reruns the corpus
// in the kernel when bpf() works here, and skips with the reason when it does not.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createMachine } from "../../src/runtime/machine.js";
import { compareLine, mapOpLines, replayMapOps, type MapOpLine, type MapOpResult } from "../support/map-ops.js";
import { kernelUnavailableReason } from "../support/kbpf.js";

const GOLDEN = fileURLToPath(new URL("./golden/maps.json", import.meta.url));
const DRIVER = fileURLToPath(new URL("../../scripts/runtime/kmap_driver.py", import.meta.url));

interface Golden {
  readonly kernel: string;
  readonly ncpus: number;
  readonly lines: Array<MapOpLine & { results: MapOpResult[] }>;
}

function possibleCpus(): number {
  const s = readFileSync("/sys/devices/system/cpu/possible", "utf8").trim();
  return s.split(",").reduce((n, part) => {
    const [a, b] = part.split("-").map(Number);
    return n + (b === undefined ? 1 : b - a! + 1);
  }, 0);
}

function runDriver(lines: readonly MapOpLine[]): { ncpus: number; results: MapOpResult[][] } {
  const res = spawnSync("python3", [DRIVER], { input: lines.map((l) => JSON.stringify({ id: l.id, ops: l.ops })).join("\n") + "\n", encoding: "utf8", maxBuffer: 256 << 20 });
  if (res.status !== 0) throw new Error(`kmap_driver.py failed (${res.status}): ${res.stderr}`);
  const out = res.stdout.trim().split("\n").map((l) => JSON.parse(l) as { ncpus: number; results: MapOpResult[] });
  return { ncpus: out[0]!.ncpus, results: out.map((o) => o.results) };
}

async function diffs(lines: readonly MapOpLine[], kernel: readonly MapOpResult[][], ncpus: number): Promise<string[]> {
  const all: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const machine = await createMachine({ ncpus, seed: BigInt(i + 1) });
    all.push(...compareLine(lines[i]!, kernel[i]!, replayMapOps(machine, lines[i]!.ops)));
  }
  return all;
}

describe("maps against the kernel's", () => {
  it("reproduce the recorded kernel results (golden)", async () => {
    if (!existsSync(GOLDEN)) throw new Error(`${GOLDEN} missing: record it with WABPF_RECORD_MAP_GOLDEN=1`);
    const g = JSON.parse(readFileSync(GOLDEN, "utf8")) as Golden;
    expect(g.lines.length).toBeGreaterThan(50);
    const d = await diffs(g.lines, g.lines.map((l) => l.results), g.ncpus);
    expect(d.slice(0, 20)).toEqual([]);
    const ops = g.lines.reduce((n, l) => n + l.ops.length, 0);
    console.log(`map golden: ${g.lines.length} sequences, ${ops} operations from ${g.kernel} (${g.ncpus} CPUs), all the same`);
  });

  it("match the live kernel on the same seeded sequences", async (ctx) => {
    const reason = kernelUnavailableReason();
    if (reason !== null) {
      console.warn(`[skip] live map differential: ${reason}`);
      ctx.skip();
      return;
    }
    const ncpus = possibleCpus();
    const seeds = (process.env["WABPF_MAP_SEEDS"] ?? "1").split(",").map(Number);
    for (const seed of seeds) {
      const lines = mapOpLines(ncpus, seed);
      const k = runDriver(lines);
      expect(k.ncpus).toBe(ncpus);
      if (process.env["WABPF_RECORD_MAP_GOLDEN"] === "1" && seed === seeds[0]) {
        const kernel = spawnSync("uname", ["-r"], { encoding: "utf8" }).stdout.trim();
        const golden: Golden = { kernel: `Linux ${kernel}`, ncpus, lines: lines.map((l, i) => ({ ...l, results: k.results[i]! })) };
        writeFileSync(GOLDEN, JSON.stringify(golden) + "\n");
      }
      const d = await diffs(lines, k.results, ncpus);
      expect(d.slice(0, 20)).toEqual([]);
      console.log(`map differential (seed ${seed}): ${lines.length} sequences, ${lines.reduce((n, l) => n + l.ops.length, 0)} operations, same results`);
    }
  }, 300_000);
});
