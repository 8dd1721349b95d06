// Map operations from JIT code vs the same programs in the real kernel (kbpf.py), in the
// same run: hash lookup hit/miss, hash update, LRU update under eviction, array lookup +
// atomic increment. Each program does OPS operations in a bounded loop; ns/op is ns/run
// divided by OPS (the per-run call overhead, ~20-35 ns on either side, is spread over them).
// Writes bench/results/maps.{json,md}.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { assemble } from "../dist/asm/index.js";
import { compileProgram } from "../dist/jit/index.js";
import { encodeProgram } from "../dist/isa/encode.js";
import { createMachine } from "../dist/runtime/index.js";
import { verifyRawHarness } from "../dist/verifier/raw-harness.js";
import { kernelUnavailable } from "./lib/kernel.js";
import { nsPerCall } from "./lib/measure.js";
import { fmt, geomean, markdownTable, table, writeResults } from "./lib/report.js";

const KMAPS = fileURLToPath(new URL("./lib/kmaps.py", import.meta.url));
const OPS = 64;
const hex = (b) => Buffer.from(b).toString("hex");
const u32 = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const u64 = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n), true); return b; };
const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));

// a loop of OPS iterations around `body` (r6 = i; r7 = accumulator; returns r7)
const loop = (body) => `
  r6 = 0
  r7 = 0
loop:
${body}
  r6 += 1
  if r6 < ${OPS} goto loop
  r0 = r7
  exit`;

const lookup = (keyExpr) => `
  r1 = r6
  ${keyExpr}
  *(u32 *)(r10 - 4) = r1
  r1 = map[id:0]
  r2 = r10
  r2 += -4
  call bpf_map_lookup_elem#1`;

const HASH = { type: "hash", keySize: 4, valueSize: 8, maxEntries: 1024, fill: range(1024, (i) => [u32(i), u64(i)]) };

const CASES = [
  {
    name: "hash lookup (hit)",
    maps: [HASH],
    src: loop(`${lookup("r1 *= 13\n  r1 &= 1023")}
  if r0 == 0 goto skip
  r1 = *(u64 *)(r0 + 0)
  r7 += r1
skip:`),
  },
  {
    name: "hash lookup (miss)",
    maps: [HASH],
    // no accumulator that differs between the branches: wabpf's verifier has no precision
    // tracking yet and would explore every combination
    src: loop(lookup("r1 += 5000")),
  },
  {
    name: "hash update (replace)",
    maps: [HASH],
    src: loop(`
  r1 = r6
  r1 *= 13
  r1 &= 1023
  *(u32 *)(r10 - 4) = r1
  *(u64 *)(r10 - 16) = r6
  r1 = map[id:0]
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -16
  r4 = 0
  call bpf_map_update_elem#2
  r7 += r0`),
  },
  {
    name: "LRU update (evicting)",
    // new keys every run: a counter in an array map moves the key window on
    maps: [{ type: "lru_hash", keySize: 4, valueSize: 8, maxEntries: 256 }, { type: "array", keySize: 4, valueSize: 8, maxEntries: 1 }],
    src: `
  r7 = 0
  r1 = 0
  *(u32 *)(r10 - 4) = r1
  r1 = map[id:1]
  r2 = r10
  r2 += -4
  call bpf_map_lookup_elem#1
  if r0 == 0 goto out
  r8 = *(u64 *)(r0 + 0)
  r1 = r8
  r1 += 1
  *(u64 *)(r0 + 0) = r1
  r8 <<= 6
  r6 = 0
loop:
  r1 = r8
  r1 += r6
  *(u32 *)(r10 - 8) = r1
  *(u64 *)(r10 - 16) = r1
  r1 = map[id:0]
  r2 = r10
  r2 += -8
  r3 = r10
  r3 += -16
  r4 = 0
  call bpf_map_update_elem#2
  r7 += r0
  r6 += 1
  if r6 < ${OPS} goto loop
out:
  r0 = r7
  exit`,
  },
  {
    name: "array lookup + atomic add",
    maps: [{ type: "array", keySize: 4, valueSize: 8, maxEntries: 1024 }],
    src: loop(`${lookup("r1 *= 13\n  r1 &= 1023")}
  if r0 == 0 goto skip
  r1 = 1
  lock *(u64 *)(r0 + 0) += r1
skip:`),
  },
];

function kernelRuns(reqs) {
  const res = spawnSync("python3", [KMAPS], { input: reqs.map((r) => JSON.stringify(r)).join("\n") + "\n", encoding: "utf8", maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`kmaps.py exited ${res.status}: ${res.stderr}`);
  return res.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

export async function benchMaps({ rounds = 5, quick = false, log = console.log } = {}) {
  const kernelWhy = kernelUnavailable();
  if (kernelWhy !== null) log(`[kernel column skipped] ${kernelWhy}`);
  const ncpus = Number(spawnSync("nproc", ["--all"], { encoding: "utf8" }).stdout.trim()) || 1;
  const rows = [];
  for (const c of CASES) {
    const insns = assemble(c.src);
    const machine = await createMachine({ ncpus });
    const maps = c.maps.map((s) => {
      const m = machine.createMap(s);
      for (const [k, v] of s.fill ?? []) m.update(k, v);
      return m;
    });
    const defs = c.maps.map((s) => ({ type: s.type, keySize: s.keySize, valueSize: s.valueSize, maxEntries: s.maxEntries, flags: 0 }));
    const v = verifyRawHarness(insns, { memSize: 0, maps: defs });
    if (!v.accepted) log(`  ${c.name}: wabpf's verifier rejects it (${v.error}); measured unverified`);
    const opts = machine.programOptions(maps);
    const run = (await compileProgram(insns, { ...opts, verified: v.accepted ? v.facts : null })).prepare({ mem: machine.mem, ...opts });
    const runU = (await compileProgram(insns, opts)).prepare({ mem: machine.mem, ...opts });
    const kreq = { id: c.name, code: hex(encodeProgram(insns)), repeat: quick ? 2000 : 20000, maps: c.maps.map((s) => ({ type: s.type, key_size: s.keySize, value_size: s.valueSize, max_entries: s.maxEntries, flags: 0, fill: (s.fill ?? []).map(([k, val]) => [hex(k), hex(val)]) })) };
    const best = { jit: Infinity, unverified: Infinity, kernel: Infinity };
    for (let r = 0; r < rounds; r++) {
      log(`  ${c.name}: round ${r + 1}/${rounds}`);
      best.jit = Math.min(best.jit, nsPerCall(`${c.name} jit`, run, quick ? 0.2 : 0.5) / OPS);
      best.unverified = Math.min(best.unverified, nsPerCall(`${c.name} jit unverified`, runU, quick ? 0.2 : 0.5) / OPS);
      if (kernelWhy === null) {
        const [k] = kernelRuns([kreq]);
        if (!k.ok) throw new Error(`${c.name}: the kernel rejected it: ${k.error}`);
        best.kernel = Math.min(best.kernel, k.duration / OPS);
      }
    }
    rows.push({ name: c.name, verified: v.accepted, jitNs: best.jit, unverifiedNs: best.unverified, kernelNs: kernelWhy === null ? best.kernel : null });
  }
  const withKernel = rows.filter((r) => r.kernelNs !== null);
  const summary = { geomeanJitOverKernel: withKernel.length > 0 ? geomean(withKernel.map((r) => r.jitNs / r.kernelNs)) : null, ops: OPS, ncpus };
  const headers = ["operation", "wabpf JIT ns/op", "unverified ns/op", "kernel ns/op", "JIT/kernel"];
  const cells = rows.map((r) => [r.name + (r.verified ? "" : " (unverified)"), fmt(r.jitNs), fmt(r.unverifiedNs), r.kernelNs === null ? "-" : fmt(r.kernelNs), r.kernelNs === null ? "-" : (r.jitNs / r.kernelNs).toFixed(2)]);
  const geo = ["geomean", "", "", "", summary.geomeanJitOverKernel === null ? "-" : summary.geomeanJitOverKernel.toFixed(2)];
  log(`ns per map operation (${OPS} per run, fastest of ${rounds} interleaved rounds)`);
  log(table(headers, [...cells, geo]));
  const md = [
    "# Map benchmark",
    "",
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}, ${ncpus} CPUs); ns per map operation: each program does ${OPS} operations in a bounded loop, ns/run ÷ ${OPS}, each side's fastest of ${rounds} interleaved rounds.`,
    "",
    "- **wabpf JIT**: the program compiled with the facts of wabpf's verifier (kbpf.py's map harness, as the kernel loads it): map helpers are AssemblyScript functions the wasm calls directly.",
    "- **unverified**: no facts: helpers go through their JS entry, which checks the key/value pointers, and map-value accesses are bounds-checked in JS.",
    "- **kernel**: the same bytecode in Linux through `bench/lib/kmaps.py` (BPF_PROG_TEST_RUN with repeat, maps created and filled the same way).",
    "",
    "wabpf runs one CPU at a time and takes no locks; the kernel's update paths take a bucket lock (and the LRU's list locks) on every update, which is most of the gap on the update rows. Array lookups are inline in both (the kernel's map_gen_lookup; wabpf's JIT does the same for verified code), and wabpf's atomics are plain read-modify-writes (one thread per memory) where the kernel pays for a locked instruction: that is the array row.",
    "",
    markdownTable(headers, [...cells, geo]),
  ].join("\n");
  writeResults("maps", { date: new Date().toISOString(), node: process.version, rounds, rows, summary }, md, undefined);
  return { rows, summary };
}
