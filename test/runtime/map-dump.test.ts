// `bpftool map dump` output for the same maps filled the same way: recorded from Linux's
// bpftool (golden) and, where bpf() and bpftool work, checked live.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createMachine } from "../../src/runtime/machine.js";
import { formatMapDump, formatMapDumpJson } from "../../src/runtime/map-dump.js";
import type { MapTypeName } from "../../src/runtime/map-types.js";
import { kernelUnavailableReason } from "../support/kbpf.js";

const GOLDEN = fileURLToPath(new URL("./golden/map-dump.json", import.meta.url));
const SCRIPT = fileURLToPath(new URL("../../scripts/runtime/bpftool_dump.py", import.meta.url));

interface DumpCase {
  id: string;
  type: MapTypeName;
  key_size: number;
  value_size: number;
  max_entries: number;
  flags?: number;
  entries: Array<[string, string]>;
}

const NCPUS = 2;
const seq = (n: number, from = 0): string => Array.from({ length: n }, (_, i) => ((from + i) & 0xff).toString(16).padStart(2, "0")).join("");
const CASES: DumpCase[] = [
  { id: "hash", type: "hash", key_size: 4, value_size: 8, max_entries: 8, flags: 64, entries: [["01000000", seq(8, 1)], ["02000000", seq(8, 2)], ["07000000", seq(8, 7)]] },
  { id: "hash-wide", type: "hash", key_size: 20, value_size: 20, max_entries: 2, flags: 64, entries: [[seq(20), seq(20, 100)]] },
  { id: "hash-24", type: "hash", key_size: 8, value_size: 16, max_entries: 2, flags: 64, entries: [[seq(8), seq(16, 9)]] },
  { id: "hash-25", type: "hash", key_size: 9, value_size: 16, max_entries: 2, flags: 64, entries: [[seq(9), seq(16, 9)]] },
  { id: "array", type: "array", key_size: 4, value_size: 3, max_entries: 3, entries: [["01000000", "aabbcc"]] },
  { id: "percpu-array", type: "percpu_array", key_size: 4, value_size: 4, max_entries: 2, entries: [["01000000", "0100000000000000" + "0200000000000000"]] },
  { id: "percpu-hash-wide", type: "percpu_hash", key_size: 4, value_size: 20, max_entries: 2, flags: 64, entries: [["05000000", seq(24) + seq(24, 50)]] },
  { id: "lru", type: "lru_hash", key_size: 4, value_size: 4, max_entries: 4, flags: 64, entries: [["01000000", "01000000"], ["02000000", "02000000"], ["03000000", "03000000"]] },
  { id: "empty", type: "hash", key_size: 4, value_size: 4, max_entries: 2, entries: [] },
  { id: "queue", type: "queue", key_size: 0, value_size: 4, max_entries: 2, entries: [["", "01000000"]] },
];

interface Recorded {
  id: string;
  plain: string;
  json: string;
}

async function ours(c: DumpCase): Promise<{ plain: string; json: string }> {
  const m = await createMachine({ ncpus: NCPUS });
  const map = m.createMap({ type: c.type, keySize: c.key_size, valueSize: c.value_size, maxEntries: c.max_entries, flags: c.flags ?? 0 });
  for (const [k, v] of c.entries) map.update(k === "" ? null : Buffer.from(k, "hex"), Buffer.from(v, "hex"));
  return { plain: formatMapDump(map), json: formatMapDumpJson(map) };
}

describe("map dump as bpftool prints it", () => {
  it("matches bpftool's recorded output", async () => {
    const golden = JSON.parse(readFileSync(GOLDEN, "utf8")) as Recorded[];
    for (const g of golden) {
      const c = CASES.find((x) => x.id === g.id)!;
      const o = await ours(c);
      expect([g.id, o.plain]).toEqual([g.id, g.plain]);
      expect([g.id, JSON.parse(o.json)]).toEqual([g.id, JSON.parse(g.json)]);
    }
  });

  it("matches live bpftool", async (ctx) => {
    const why = kernelUnavailableReason() ?? (spawnSync("bpftool", ["version"]).status === 0 ? null : "bpftool not found");
    const ncpus = readFileSync("/sys/devices/system/cpu/possible", "utf8").trim() === "0-1" ? null : "the golden cases assume 2 possible CPUs";
    if (why !== null || ncpus !== null) {
      console.warn(`[skip] live bpftool dump: ${why ?? ncpus}`);
      ctx.skip();
      return;
    }
    const res = spawnSync("python3", [SCRIPT], { input: CASES.map((c) => JSON.stringify(c)).join("\n") + "\n", encoding: "utf8" });
    expect(res.status).toBe(0);
    const live = res.stdout.trim().split("\n").map((l) => JSON.parse(l) as Recorded);
    if (process.env["WABPF_RECORD_MAP_GOLDEN"] === "1") writeFileSync(GOLDEN, JSON.stringify(live, null, 1) + "\n");
    for (const g of live) {
      const o = await ours(CASES.find((x) => x.id === g.id)!);
      expect([g.id, o.plain]).toEqual([g.id, g.plain]);
      expect([g.id, JSON.parse(o.json)]).toEqual([g.id, JSON.parse(g.json)]);
    }
  });
});

describe("bounded dumps", () => {
  // issue 16: a fuzzed object's 16.7M-element array map made `wabpf trace` build its whole dump
  // (a JS heap out of memory); summaries stop at maxEntries and say so
  it("maxEntries stops the walk and says the dump was cut, in text and JSON", async () => {
    const m = await createMachine();
    const map = m.createMap({ type: "array", keySize: 4, valueSize: 8, maxEntries: 2_000_000 });
    const text = formatMapDump(map, { maxEntries: 3 });
    expect(text.split("\n").filter((l) => l.startsWith("key:"))).toHaveLength(3);
    expect(text).toContain("the dump stops after 3 elements");
    expect(text).not.toContain("Found");
    const json = JSON.parse(formatMapDumpJson(map, { maxEntries: 3 })) as unknown[];
    expect(json).toHaveLength(4);
    expect(json[3]).toEqual({ truncated: true });
    // a map that fits is dumped as bpftool dumps it
    const small = m.createMap({ type: "array", keySize: 4, valueSize: 4, maxEntries: 3 });
    expect(formatMapDump(small, { maxEntries: 3 })).toContain("Found 3 elements");
  });
});
