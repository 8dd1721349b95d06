import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { createMachine, type Machine } from "../../src/runtime/machine.js";
import type { BpfMap } from "../../src/runtime/maps.js";
import { MAP_FLAGS } from "../../src/runtime/map-types.js";

const u32 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
const u64 = (n: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
};

// r0 = bpf_map_lookup_elem(map 0, &key 1), then `tail`
const lookupThen = (tail: string): string => `
  r1 = 1
  *(u32 *)(r10 - 4) = r1
  r1 = map[id:0]
  r2 = r10
  r2 += -4
  call bpf_map_lookup_elem#1
  ${tail}`;

async function both(machine: Machine, maps: BpfMap[], src: string, cpu = 0): Promise<Array<bigint | string>> {
  const insns = assemble(src);
  const helpers = machine.helperRegistry();
  const pseudo = machine.resolver(maps);
  const out: Array<bigint | string> = [];
  const jit = await compileProgram(insns, { helpers, pseudo });
  for (const run of [() => runInterp(insns, { mem: machine.mem, helpers, pseudo, cpu }), () => jit.run({ mem: machine.mem, helpers, pseudo, cpu })]) {
    try {
      out.push(run().r0);
    } catch (e) {
      if (!(e instanceof RuntimeTrap)) throw e;
      out.push(`trap ${TrapKind[e.kind]} at ${e.pc}`);
    }
  }
  return out;
}

describe("map values seen by programs", () => {
  it("lookup pointers stay valid as the kernel's: a replacing update moves a plain hash key to another element", async () => {
    const m = await createMachine({ ncpus: 2 });
    const h = m.createMap({ type: "hash", keySize: 4, valueSize: 8, maxEntries: 4 });
    const pc = m.createMap({ type: "percpu_hash", keySize: 4, valueSize: 8, maxEntries: 4 });
    const a = m.createMap({ type: "array", keySize: 4, valueSize: 8, maxEntries: 4 });
    h.update(u32(1), u64(10n));
    pc.update(u32(1), new Uint8Array(16));
    const ptr = async (map: BpfMap): Promise<bigint> => (await both(m, [map], lookupThen("exit")))[0] as bigint;
    const before = await ptr(h);
    h.update(u32(1), u64(11n));
    const after = await ptr(h);
    expect(after).not.toBe(before);
    // the old element is the CPU's spare now and still holds the old value, as in the kernel
    expect(m.mem.read(Number(before), 8)).toEqual(u64(10n));
    expect(m.mem.read(Number(after), 8)).toEqual(u64(11n));
    // per-CPU hash values and arrays are updated in place
    const p1 = await ptr(pc);
    pc.update(u32(1), new Uint8Array(16).fill(1));
    expect(await ptr(pc)).toBe(p1);
    const a1 = await ptr(a);
    a.update(u32(1), u64(5n));
    expect(await ptr(a)).toBe(a1);
  });

  it("per-CPU maps give each CPU its own slot", async () => {
    const m = await createMachine({ ncpus: 2 });
    const pa = m.createMap({ type: "percpu_array", keySize: 4, valueSize: 8, maxEntries: 2 });
    const inc = lookupThen(`
      if r0 == 0 goto +4
      r1 = 1
      lock *(u64 *)(r0 + 0) += r1
      r0 = *(u64 *)(r0 + 0)
      exit
      r0 = 99
      exit`);
    expect(await both(m, [pa], inc, 0)).toEqual([1n, 2n]);
    expect(await both(m, [pa], inc, 1)).toEqual([1n, 2n]);
    expect(await both(m, [pa], inc, 1)).toEqual([3n, 4n]);
    const v = pa.lookup(u32(1))!;
    expect([new DataView(v.buffer).getBigUint64(0, true), new DataView(v.buffer).getBigUint64(8, true)]).toEqual([2n, 4n]);
  });

  it("accesses past the value or writes to a BPF_F_RDONLY_PROG map trap in both engines", async () => {
    const m = await createMachine();
    const a = m.createMap({ type: "array", keySize: 4, valueSize: 12, maxEntries: 2 });
    const ro = m.createMap({ type: "array", keySize: 4, valueSize: 8, maxEntries: 2, flags: MAP_FLAGS.RDONLY_PROG });
    const read = (off: number, size: "u32" | "u64"): string => lookupThen(`
      if r0 == 0 goto +2
      r0 = *(${size} *)(r0 + ${off})
      exit
      exit`);
    expect(await both(m, [a], read(8, "u32"))).toEqual([0n, 0n]);
    expect(await both(m, [a], read(8, "u64"))).toEqual(["trap OutOfBounds at 8", "trap OutOfBounds at 8"]);
    expect(await both(m, [a], read(12, "u32"))).toEqual(["trap OutOfBounds at 8", "trap OutOfBounds at 8"]);
    const write = lookupThen(`
      if r0 == 0 goto +2
      *(u64 *)(r0 + 0) = 7
      r0 = 1
      exit`);
    expect(await both(m, [ro], write)).toEqual(["trap OutOfBounds at 8", "trap OutOfBounds at 8"]);
    expect(await both(m, [ro], read(0, "u64"))).toEqual([0n, 0n]);
  });

  it("a lookup in a map-in-map gives the inner map, usable as a map by the next lookup", async () => {
    const m = await createMachine();
    const inner = m.createMap({ type: "array", keySize: 4, valueSize: 8, maxEntries: 2 });
    const outer = m.createMap({ type: "array_of_maps", keySize: 4, valueSize: 4, maxEntries: 2, innerMap: inner });
    inner.update(u32(1), u64(42n));
    outer.update(u32(1), u32(inner.id));
    const src = lookupThen(`
      if r0 == 0 goto +7
      r1 = r0
      r2 = r10
      r2 += -4
      call bpf_map_lookup_elem#1
      if r0 == 0 goto +2
      r0 = *(u64 *)(r0 + 0)
      exit
      r0 = 0
      exit`);
    expect(await both(m, [outer], src)).toEqual([42n, 42n]);
    outer.delete(u32(1));
    expect(await both(m, [outer], src)).toEqual([0n, 0n]);
  });

  it("a helper given something that is not a map traps instead of reading memory", async () => {
    const m = await createMachine();
    const a = m.createMap({ type: "array", keySize: 4, valueSize: 8, maxEntries: 1 });
    const src = `
      r1 = 4096
      r2 = r10
      r2 += -4
      call bpf_map_lookup_elem#1
      exit`;
    expect(await both(m, [a], src)).toEqual(["trap HelperFault at 3", "trap HelperFault at 3"]);
  });
});

describe("machine helpers", () => {
  it("clock, boot clock, jiffies, CPU id, NUMA node and seeded random numbers", async () => {
    const m = await createMachine({ ncpus: 4, seed: 42n });
    m.setClock({ ns: 1_000_000_000n, stepNs: 10n, suspendedNs: 5_000n, hz: 1000 });
    const call = (id: number): string => `call ${id}\n exit`;
    expect(await both(m, [], call(5))).toEqual([1_000_000_000n, 1_000_000_010n]);
    expect(await both(m, [], call(125))).toEqual([1_000_005_020n, 1_000_005_030n]);
    // INITIAL_JIFFIES (5 minutes before a u32 wraps) + elapsed ms
    const initial = BigInt((-300 * 1000) >>> 0);
    expect(await both(m, [], call(118))).toEqual([initial + 1000n, initial + 1000n]);
    expect(await both(m, [], call(8), 3)).toEqual([3n, 3n]);
    expect(await both(m, [], call(42), 3)).toEqual([0n, 0n]);
    m.seedRandom(7n);
    const first = await both(m, [], call(7));
    m.seedRandom(7n);
    expect(await both(m, [], call(7))).toEqual(first);
    expect(first[0]).not.toBe(first[1]);
    expect(first.every((x) => typeof x === "bigint" && x < 2n ** 32n)).toBe(true);
  });
});
