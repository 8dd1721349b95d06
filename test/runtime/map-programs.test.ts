import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import type { Insn } from "../../src/isa/insn.js";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { verify } from "../../src/verifier/index.js";
import { createMachine, type Machine } from "../../src/runtime/machine.js";
import type { BpfMap, MapSpec } from "../../src/runtime/maps.js";

// Programs that use maps through helpers: the interpreter, the unverified JIT (helpers
// through their checked JS entry) and the verified JIT (helpers called natively in wasm)
// must leave the same r0 and the same map contents.

interface Case {
  readonly name: string;
  readonly maps: readonly MapSpec[];
  readonly src: string;
  /** inputs for successive runs (r1 = the input, r2 its length) */
  readonly inputs: readonly number[][];
  readonly cpus?: readonly number[];
}

/** A lookup and increment of slot 0 in map 0, or in map `other` when the input is not 0. */
const EITHER_MAP = (other: number): string => `
      r6 = *(u64 *)(r1 + 0)
      r1 = map[id:0]
      if r6 == 0 goto +2
      r1 = map[id:${other}]
      r3 = 0
      *(u32 *)(r10 - 4) = r3
      r2 = r10
      r2 += -4
      call bpf_map_lookup_elem#1
      if r0 == 0 goto +4
      r1 = 1
      lock *(u64 *)(r0 + 0) += r1
      r0 = *(u64 *)(r0 + 0)
      exit
      r0 = 99
      exit`;
const ARRAY_4X8: MapSpec = { type: "array", keySize: 4, valueSize: 8, maxEntries: 4 };

const CASES: Case[] = [
  {
    name: "array lookup + atomic increment",
    maps: [{ type: "array", keySize: 4, valueSize: 8, maxEntries: 4 }],
    src: `
      r1 = 2
      *(u32 *)(r10 - 4) = r1
      r2 = r10
      r2 += -4
      r1 = map[id:0]
      call bpf_map_lookup_elem#1
      if r0 == 0 goto +4
      r1 = 1
      lock *(u64 *)(r0 + 0) += r1
      r0 = *(u64 *)(r0 + 0)
      exit
      r0 = 99
      exit`,
    inputs: [[], [], []],
  },
  {
    name: "array lookup of an index from the input, in and out of range",
    maps: [{ type: "array", keySize: 4, valueSize: 12, maxEntries: 4 }],
    src: `
      r6 = *(u64 *)(r1 + 0)
      *(u32 *)(r10 - 4) = r6
      r1 = map[id:0]
      r2 = r10
      r2 += -4
      call bpf_map_lookup_elem#1
      if r0 == 0 goto +5
      r1 = *(u32 *)(r0 + 8)
      r1 += r6
      *(u32 *)(r0 + 8) = r1
      r0 = r1
      exit
      r0 = 77
      exit`,
    inputs: [[0], [3], [4], [3], [0xffffffff], [1]],
  },
  {
    name: "hash update/lookup/delete with flags",
    maps: [{ type: "hash", keySize: 4, valueSize: 8, maxEntries: 3, flags: 64 }],
    src: `
      r6 = r1
      r7 = *(u64 *)(r6 + 0)
      *(u32 *)(r10 - 4) = r7
      r1 = *(u64 *)(r6 + 8)
      *(u64 *)(r10 - 16) = r1
      r1 = map[id:0]
      r2 = r10
      r2 += -4
      r3 = r10
      r3 += -16
      r4 = *(u64 *)(r6 + 16)
      call bpf_map_update_elem#2
      r8 = r0
      r1 = map[id:0]
      r2 = r10
      r2 += -4
      call bpf_map_lookup_elem#1
      if r0 == 0 goto +4
      r0 = *(u64 *)(r0 + 0)
      r0 <<= 32
      r0 |= r8
      exit
      r0 = r8
      exit`,
    // key, value, flags
    inputs: [[1, 10, 0], [1, 11, 1], [2, 20, 2], [2, 21, 0], [3, 30, 1], [4, 40, 0], [5, 50, 2], [1, 12, 2]],
  },
  {
    name: "per-CPU hash and get_smp_processor_id",
    maps: [{ type: "percpu_hash", keySize: 4, valueSize: 8, maxEntries: 2 }],
    src: `
      r1 = 7
      *(u32 *)(r10 - 4) = r1
      call bpf_get_smp_processor_id#8
      r0 += 100
      *(u64 *)(r10 - 16) = r0
      r1 = map[id:0]
      r2 = r10
      r2 += -4
      r3 = r10
      r3 += -16
      r4 = 0
      call bpf_map_update_elem#2
      r1 = map[id:0]
      r2 = r10
      r2 += -4
      call bpf_map_lookup_elem#1
      if r0 == 0 goto +1
      r0 = *(u64 *)(r0 + 0)
      exit`,
    inputs: [[], [], []],
    cpus: [0, 1, 1],
  },
  {
    name: "LRU hash under eviction",
    maps: [{ type: "lru_hash", keySize: 4, valueSize: 4, maxEntries: 4, flags: 64 }],
    src: `
      r6 = *(u64 *)(r1 + 0)
      *(u32 *)(r10 - 4) = r6
      r1 = map[id:0]
      r2 = r10
      r2 += -4
      call bpf_map_lookup_elem#1
      if r0 != 0 goto +8
      r1 = map[id:0]
      r2 = r10
      r2 += -4
      r3 = r10
      r3 += -4
      r4 = 0
      call bpf_map_update_elem#2
      exit`,
    inputs: Array.from({ length: 40 }, (_, i) => [(i * 7) % 11]),
  },
  {
    name: "queue push/pop/peek",
    maps: [{ type: "queue", keySize: 0, valueSize: 4, maxEntries: 2 }],
    src: `
      r6 = *(u64 *)(r1 + 0)
      *(u32 *)(r10 - 4) = r6
      r1 = map[id:0]
      r2 = r10
      r2 += -4
      r3 = 2
      call bpf_map_push_elem#87
      r1 = map[id:0]
      r2 = r10
      r2 += -8
      call bpf_map_peek_elem#89
      r1 = map[id:0]
      r2 = r10
      r2 += -12
      call bpf_map_pop_elem#88
      r0 = *(u32 *)(r10 - 12)
      r1 = *(u32 *)(r10 - 8)
      r1 <<= 16
      r0 |= r1
      exit`,
    inputs: [[5], [6], [7]],
  },
  {
    name: "global data through a direct value address (ld_imm64 src 2)",
    maps: [{ type: "array", keySize: 4, valueSize: 16, maxEntries: 1 }],
    src: `
      r1 = map[id:0][0]+8
      r0 = *(u64 *)(r1 + 0)
      r0 += 3
      *(u64 *)(r1 + 0) = r0
      exit`,
    inputs: [[], []],
  },
  {
    name: "array lookup in one of two maps, chosen by the input",
    maps: [ARRAY_4X8, ARRAY_4X8],
    src: EITHER_MAP(1),
    inputs: [[0], [1], [0], [1], [1]],
  },
];

const input = (words: readonly number[]): Uint8Array => {
  // raw_tracepoint-style context: u64 arguments
  const b = new Uint8Array(words.length * 8);
  words.forEach((w, i) => new DataView(b.buffer).setBigUint64(i * 8, BigInt(w), true));
  return b;
};

const dump = (m: BpfMap): string[] =>
  m.keySize === 0 ? [] : [...m.entries()].map(([k, v]) => `${Buffer.from(k).toString("hex")}=${Buffer.from(v).toString("hex")}`).sort();

async function runAll(c: Case, insns: readonly Insn[], engine: "interp" | "jit" | "jit-verified"): Promise<{ r0: string[]; maps: string[][] }> {
  const machine: Machine = await createMachine({ ncpus: 2, seed: 1n });
  const maps = c.maps.map((s) => machine.createMap(s));
  const { helpers, pseudo, inlineArrayLookup } = machine.programOptions(maps);
  let facts = null;
  if (engine === "jit-verified") {
    const v = verify(insns, { progType: "raw_tracepoint", maps: c.maps.map((s) => ({ type: String(s.type), keySize: s.keySize, valueSize: s.valueSize, maxEntries: s.maxEntries, flags: s.flags ?? 0 })) });
    facts = v.accepted ? v.facts : null;
    if (!v.accepted) console.log(`[verifier] ${c.name}: ${v.error}`);
  }
  const prog = engine === "interp" ? null : await compileProgram(insns, { helpers, pseudo, inlineArrayLookup, verified: facts });
  const r0: string[] = [];
  c.inputs.forEach((w, i) => {
    const opts = { mem: machine.mem, input: input(w), helpers, pseudo, cpu: c.cpus?.[i] ?? 0 };
    r0.push((prog === null ? runInterp(insns, opts) : prog.run(opts)).r0.toString(16));
  });
  return { r0, maps: maps.map(dump) };
}

describe("programs using maps through helpers", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const insns = assemble(c.src);
      const ref = await runAll(c, insns, "interp");
      expect(await runAll(c, insns, "jit")).toEqual(ref);
      expect(await runAll(c, insns, "jit-verified")).toEqual(ref);
      expect(ref.r0.length).toBe(c.inputs.length);
    });
  }

  it("verified code does array lookups inline (no helper call), as the kernel's JIT does", async () => {
    const c = CASES[1]!;
    const machine = await createMachine();
    const maps = c.maps.map((s) => machine.createMap(s));
    const insns = assemble(c.src);
    const v = verify(insns, { progType: "raw_tracepoint", maps: [{ type: "array", keySize: 4, valueSize: 12, maxEntries: 4 }] });
    expect(v.error).toBeNull();
    const prog = await compileProgram(insns, { ...machine.programOptions(maps), verified: v.facts, keepText: true });
    expect(prog.text).not.toMatch(/"helpers" "h1"/);
    const unverified = await compileProgram(insns, { ...machine.programOptions(maps), keepText: true });
    expect(unverified.text).toMatch(/"helpers" "h1"/);
  });

  it("inlines a lookup where every path has the same map in r1, and calls the helper where they differ", async () => {
    const machine = await createMachine();
    const maps = [ARRAY_4X8, ARRAY_4X8].map((s) => machine.createMap(s));
    const text = async (src: string): Promise<string> => {
      const insns = assemble(src);
      const v = verify(insns, { progType: "raw_tracepoint", maps: [ARRAY_4X8, ARRAY_4X8].map((m) => ({ type: "array", keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries })) });
      expect(v.error).toBeNull();
      return (await compileProgram(insns, { ...machine.programOptions(maps), verified: v.facts, keepText: true })).text!;
    };
    // map 0 on both paths: loaded in another basic block than the call, still one map
    expect(await text(EITHER_MAP(0))).not.toMatch(/"helpers" "h1"/);
    expect(await text(EITHER_MAP(1))).toMatch(/"helpers" "h1"/);
  });

  it("gives the expected results (spot checks)", async () => {
    const all = await Promise.all(CASES.map((c) => runAll(c, assemble(c.src), "interp")));
    const [arr, arrIn, hash, percpu, , queue, global] = all;
    expect(arr!.r0).toEqual(["1", "2", "3"]);
    expect(arrIn!.r0).toEqual(["0", "3", "4d", "6", "4d", "1"]);
    // update results (0, -EEXIST, 0, 0, 0, -E2BIG, -ENOENT, 0) in the low word, values above
    expect(hash!.r0.map((x) => BigInt(`0x${x}`) & 0xffffffffn)).toEqual([0n, 0xffffffefn, 0xfffffffen, 0n, 0n, 0xfffffff9n, 0xfffffffen, 0n]);
    expect(percpu!.r0).toEqual(["64", "65", "65"]);
    expect(queue!.r0).toEqual(["50005", "60006", "70007"]);
    expect(global!.r0).toEqual(["3", "6"]);
    expect(all[all.length - 1]!.r0).toEqual(["1", "1", "2", "2", "3"]); // either map: separate counters
  });
});
