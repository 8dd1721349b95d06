// Programs updating maps, against the same programs in the kernel: a program walks a list
// of (operation, key) pairs in its memory and does lookup / update / delete through the
// helpers, so LRU reference bits, per-CPU slots of the current CPU and in-program updates are
// exercised as only programs do. The kernel runs it through bench/lib/kmaps.py (map harness,
// pinned to CPU 0); wabpf runs it on CPU 0 in the interpreter. Same r0 after every run and
// the same map contents, key order included, at the end.
// Golden: WABPF_RECORD_MAP_GOLDEN=1 npx vitest run test/runtime/map-prog-diff.test.ts
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { createMachine } from "../../src/runtime/machine.js";
import type { MapSpec } from "../../src/runtime/maps.js";
import { MAP_FLAGS as F, type MapTypeName } from "../../src/runtime/map-types.js";
import { kernelUnavailableReason } from "../support/kbpf.js";
import { Rng } from "../support/rng.js";

const GOLDEN = fileURLToPath(new URL("./golden/map-programs.json", import.meta.url));
const KMAPS = fileURLToPath(new URL("../../bench/lib/kmaps.py", import.meta.url));
const OPS = 48;
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

// r1 = OPS (kind u32, key u32) pairs; kind 0 lookup (adds the value's first u64 to r0),
// 1 update (value = key), 2 delete
const SRC = `
  r6 = r1
  r7 = 0
  r9 = 0
loop:
  r1 = r6
  r1 += r7
  r8 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  *(u32 *)(r10 - 4) = r3
  *(u64 *)(r10 - 16) = r3
  if r8 == 0 goto lookup
  if r8 == 1 goto update
  r1 = map[id:0]
  r2 = r10
  r2 += -4
  call bpf_map_delete_elem#3
  goto next
lookup:
  r1 = map[id:0]
  r2 = r10
  r2 += -4
  call bpf_map_lookup_elem#1
  if r0 == 0 goto next
  r1 = *(u64 *)(r0 + 0)
  r9 += r1
  goto next
update:
  r1 = map[id:0]
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -16
  r4 = 0
  call bpf_map_update_elem#2
next:
  r7 += 8
  if r7 < ${OPS * 8} goto loop
  r0 = r9
  exit`;

interface Case {
  id: string;
  map: { type: MapTypeName; key_size: number; value_size: number; max_entries: number; flags: number };
  mems: string[];
}
interface Recorded extends Case {
  r0s: string[];
  dump: Array<[string, string]>;
}

const MAPS: Array<Case["map"]> = [
  { type: "lru_hash", key_size: 4, value_size: 8, max_entries: 8, flags: F.ZERO_SEED },
  { type: "lru_hash", key_size: 4, value_size: 8, max_entries: 8, flags: F.ZERO_SEED | F.NO_COMMON_LRU },
  { type: "lru_percpu_hash", key_size: 4, value_size: 8, max_entries: 8, flags: F.ZERO_SEED },
  { type: "lru_percpu_hash", key_size: 4, value_size: 8, max_entries: 6, flags: F.ZERO_SEED | F.NO_COMMON_LRU },
  { type: "percpu_hash", key_size: 4, value_size: 8, max_entries: 8, flags: F.ZERO_SEED },
  { type: "hash", key_size: 4, value_size: 8, max_entries: 8, flags: F.ZERO_SEED },
  { type: "hash", key_size: 4, value_size: 8, max_entries: 8, flags: F.ZERO_SEED | F.NO_PREALLOC },
  { type: "percpu_array", key_size: 4, value_size: 8, max_entries: 8, flags: 0 },
];

function cases(): Case[] {
  const rng = new Rng(7);
  const out: Case[] = [];
  MAPS.forEach((map, i) => {
    for (let r = 0; r < 2; r++) {
      const mems = Array.from({ length: 4 }, () => {
        const b = new Uint8Array(OPS * 8);
        const d = new DataView(b.buffer);
        for (let k = 0; k < OPS; k++) {
          const x = rng.int(100);
          d.setUint32(k * 8, x < 40 ? 0 : x < 85 ? 1 : 2, true);
          d.setUint32(k * 8 + 4, rng.int(map.max_entries * 2), true);
        }
        return hex(b);
      });
      out.push({ id: `${map.type}-${i}-${r}`, map, mems });
    }
  });
  return out;
}

async function ours(c: Case, engine: "interp" | "jit"): Promise<{ r0s: string[]; dump: Array<[string, string]> }> {
  const machine = await createMachine({ ncpus: 2 });
  const spec: MapSpec = { type: c.map.type, keySize: c.map.key_size, valueSize: c.map.value_size, maxEntries: c.map.max_entries, flags: c.map.flags };
  const map = machine.createMap(spec);
  const insns = assemble(SRC);
  const opts = machine.programOptions([map]);
  const jit = engine === "jit" ? await compileProgram(insns, opts) : null;
  const r0s = c.mems.map((m) => {
    const run = { ...opts, mem: machine.mem, input: Buffer.from(m, "hex"), cpu: 0 };
    return (jit === null ? runInterp(insns, run) : jit.run(run)).r0.toString();
  });
  return { r0s, dump: [...map.entries()].map(([k, v]) => [hex(k), hex(v)] as [string, string]) };
}

function kernel(list: readonly Case[]): Recorded[] {
  const code = hex(encodeProgram(assemble(SRC)));
  const reqs = list.map((c) => ({ id: c.id, code, mems: c.mems, dump: true, maps: [c.map] }));
  const res = spawnSync("python3", [KMAPS], { input: reqs.map((r) => JSON.stringify(r)).join("\n") + "\n", encoding: "utf8", maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`kmaps.py failed: ${res.stderr}`);
  return res.stdout.trim().split("\n").map((l, i) => {
    const o = JSON.parse(l) as { ok: boolean; error?: string; r0s: string[]; dump: Array<Array<[string, string]>> };
    if (!o.ok) throw new Error(`${list[i]!.id}: the kernel rejected the program: ${o.error}`);
    return { ...list[i]!, r0s: o.r0s, dump: o.dump[0]! };
  });
}

describe("programs updating maps, against the kernel", () => {
  it("reproduce the recorded kernel runs (golden)", async () => {
    const golden = JSON.parse(readFileSync(GOLDEN, "utf8")) as Recorded[];
    expect(golden.length).toBe(cases().length);
    for (const g of golden) {
      for (const engine of ["interp", "jit"] as const) {
        expect([g.id, engine, await ours(g, engine)]).toEqual([g.id, engine, { r0s: g.r0s, dump: g.dump }]);
      }
    }
  });

  it("match the live kernel", async (ctx) => {
    const why = kernelUnavailableReason();
    if (why !== null || readFileSync("/sys/devices/system/cpu/possible", "utf8").trim() !== "0-1") {
      console.warn(`[skip] live program/map differential: ${why ?? "the cases assume 2 possible CPUs"}`);
      ctx.skip();
      return;
    }
    const live = kernel(cases());
    if (process.env["WABPF_RECORD_MAP_GOLDEN"] === "1") writeFileSync(GOLDEN, JSON.stringify(live) + "\n");
    for (const g of live) expect([g.id, await ours(g, "interp")]).toEqual([g.id, { r0s: g.r0s, dump: g.dump }]);
  }, 120_000);
});
