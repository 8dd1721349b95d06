// Issue 16: maps and programs are freed when their last reference goes, as the kernel frees
// them (bpf_map_put / bpf_prog_put): a closed handle is EBADF, a map a loaded program uses
// outlives its handle, a PROG_ARRAY lets its programs go when its last handle closes, a
// map-in-map holds its inner maps, and the runtime heap returns to where it was.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { BpfError, BpfObject, RingBuffer, createMachine, type Machine, type MapSpec } from "../../src/index.js";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/object/${name}.o`, import.meta.url)));
const u32 = (x: number): Uint8Array => new Uint8Array(new Uint32Array([x]).buffer);
const u64 = (x: bigint): Uint8Array => new Uint8Array(new BigUint64Array([x]).buffer);
const allocated = (m: Machine): number => m.rt.exports.wabpf_allocated_bytes();
const heapTop = (m: Machine): number => m.rt.exports.wabpf_heap_top();

const SPECS: readonly MapSpec[] = [
  { type: "hash", keySize: 4, valueSize: 8, maxEntries: 64 },
  { type: "hash", keySize: 4, valueSize: 8, maxEntries: 4096, flags: 1 /* BPF_F_NO_PREALLOC */ },
  { type: "percpu_hash", keySize: 8, valueSize: 16, maxEntries: 32 },
  { type: "percpu_hash", keySize: 8, valueSize: 16, maxEntries: 300, flags: 1 },
  { type: "lru_hash", keySize: 4, valueSize: 8, maxEntries: 128 },
  { type: "lru_percpu_hash", keySize: 4, valueSize: 8, maxEntries: 128, flags: 2 /* BPF_F_NO_COMMON_LRU */ },
  { type: "array", keySize: 4, valueSize: 24, maxEntries: 100 },
  { type: "percpu_array", keySize: 4, valueSize: 8, maxEntries: 10 },
  { type: "queue", keySize: 0, valueSize: 8, maxEntries: 16 },
  { type: "stack", keySize: 0, valueSize: 8, maxEntries: 16 },
  { type: "bloom_filter", keySize: 0, valueSize: 8, maxEntries: 100, mapExtra: 3 },
  { type: "ringbuf", keySize: 0, valueSize: 0, maxEntries: 4096 },
  { type: "prog_array", keySize: 4, valueSize: 4, maxEntries: 8 },
];

/** Fill a map with some entries (the no-prealloc hash grows chunks while this runs). */
function fill(m: Machine, spec: MapSpec): void {
  const map = m.createMap(spec);
  const vs = map.userValueSize;
  if (spec.type === "hash" || spec.type === "percpu_hash" || spec.type === "lru_hash" || spec.type === "lru_percpu_hash") {
    for (let i = 0; i < Math.min(spec.maxEntries, 200); i++) map.update(spec.keySize === 8 ? u64(BigInt(i)) : u32(i), new Uint8Array(vs).fill(i & 0xff));
  } else if (spec.type === "array") map.update(u32(3), new Uint8Array(vs).fill(7));
  else if (spec.type === "queue" || spec.type === "stack" || spec.type === "bloom_filter") map.push(u64(42n));
  map.close();
}

describe("map lifetime", () => {
  it("every map type, created, filled and closed 300 times, gives the runtime heap back exactly", async () => {
    const m = await createMachine({ ncpus: 4 });
    // one round first: the allocator's free lists then hold every size class these maps use
    for (const s of SPECS) fill(m, s);
    const base = allocated(m);
    const top = heapTop(m);
    for (let round = 0; round < 300; round++) for (const s of SPECS) fill(m, s);
    expect(allocated(m)).toBe(base);
    expect(heapTop(m)).toBe(top);
    expect(m.maps).toEqual([]);
  });

  it("a closed handle is EBADF for every command, and for a second close", async () => {
    const m = await createMachine();
    const map = m.createMap({ type: "hash", keySize: 4, valueSize: 4, maxEntries: 4 });
    map.update(u32(1), u32(2));
    const id = map.id;
    map.close();
    expect(map.closed && map.freed).toBe(true);
    expect(m.mapById(id)).toBeUndefined();
    for (const op of [() => map.lookup(u32(1)), () => map.update(u32(1), u32(3)), () => map.delete(u32(1)), () => map.nextKey(null), () => map.lookupAndDelete(u32(1)), () => map.freeze(), () => map.lookupBatch(4), () => map.close()]) {
      expect(op).toThrow(BpfError);
      try {
        op();
      } catch (e) {
        expect((e as BpfError).code).toBe("EBADF");
      }
    }
  });

  it("a freed map's values are no longer memory a program may touch", async () => {
    const m = await createMachine();
    const map = m.createMap({ type: "array", keySize: 4, valueSize: 8, maxEntries: 4 });
    const value = map.directValueAddress();
    expect(m.rt.exports.wabpf_value_access(value, 8, 1)).toBe(1);
    map.close();
    expect(m.rt.exports.wabpf_value_access(value, 8, 1)).toBe(0);
  });

  it("a map a loaded program uses outlives its handle, and goes with the program", async () => {
    const obj = await BpfObject.open(fixture("counters"), { name: "counters" });
    await obj.load();
    const m = obj.machine;
    const counts = obj.map("counts");
    const used = obj.programs.filter((p) => p.progId !== null);
    expect(used.length).toBeGreaterThan(0);
    for (const map of obj.mapList()) map.close();
    // maps some program references are still alive: closed for user space, not freed
    expect(m.maps.length).toBeGreaterThan(0);
    expect(counts.closed).toBe(true);
    for (const p of obj.programs) if (!p.closed) p.close();
    expect(m.maps).toEqual([]);
    expect(counts.freed).toBe(true);
    expect(() => obj.programs[0]!.run()).toThrow(/closed/);
  });

  it("closing an object frees everything it made, and its table slots are reused", async () => {
    const m = await createMachine();
    const once = async (): Promise<void> => {
      const obj = await BpfObject.open(fixture("counters"), { machine: m, name: "counters" });
      await obj.load();
      obj.close();
    };
    await once();
    const base = allocated(m);
    const table = m.mem.table.length;
    for (let i = 0; i < 20; i++) await once();
    expect(m.maps).toEqual([]);
    expect(allocated(m)).toBe(base);
    expect(m.mem.table.length).toBe(table);
  });

  it("a PROG_ARRAY holds its programs until its last handle closes (prog_array_map_clear)", async () => {
    const obj = await BpfObject.open(fixture("tailcall"), { name: "tailcall" });
    await obj.load();
    const m = obj.machine;
    const second = obj.program("second");
    const id = second.progId!;
    second.close();
    // slot 2 of `jump` still holds it: the tail call still reaches it
    expect(m.programById(id)).toBeDefined();
    const first = obj.program("first");
    expect(first.run({ ctx: new Uint8Array(64) }).r0).toBe(1n); // XDP_DROP from `second`
    obj.map("jump").close();
    expect(m.programById(id)).toBeUndefined();
    // the array itself lives on for `first`, empty: the tail call falls through
    expect(first.run({ ctx: new Uint8Array(64) }).r0).toBe(2n); // XDP_PASS
    obj.close();
    expect(m.maps).toEqual([]);
  });

  it("a map-in-map holds its inner maps; replacing or deleting the entry lets them go", async () => {
    const m = await createMachine();
    const spec: MapSpec = { type: "array", keySize: 4, valueSize: 4, maxEntries: 1 };
    const template = m.createMap(spec);
    const outer = m.createMap({ type: "hash_of_maps", keySize: 4, valueSize: 4, maxEntries: 4, innerMap: template });
    template.close();
    const a = m.createMap(spec);
    const b = m.createMap(spec);
    outer.update(u32(0), u32(a.id));
    a.close();
    expect(a.freed).toBe(false);
    outer.update(u32(0), u32(b.id));
    expect(a.freed).toBe(true);
    b.close();
    expect(b.freed).toBe(false);
    outer.delete(u32(0));
    expect(b.freed).toBe(true);
    const c = m.createMap(spec);
    outer.update(u32(1), u32(c.id));
    c.close();
    outer.close();
    expect(c.freed).toBe(true);
    expect(m.maps).toEqual([]);
  });

  it("a ring buffer consumer holds its map until ring_buffer__free", async () => {
    const m = await createMachine();
    const map = m.createMap({ type: "ringbuf", keySize: 0, valueSize: 0, maxEntries: 4096 });
    const rb = new RingBuffer(map);
    map.close();
    expect(map.freed).toBe(false);
    expect(rb.consume()).toBe(0);
    rb.close();
    expect(map.freed).toBe(true);
    expect(() => new RingBuffer(map)).toThrow(/EBADF|closed/);
  });
});
