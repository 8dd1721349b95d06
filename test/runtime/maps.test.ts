import { describe, expect, it } from "vitest";
import { BpfError, EbpfError } from "../../src/errors.js";
import { createMachine, type Machine } from "../../src/runtime/machine.js";
import { MAP_FLAGS, UPDATE_FLAGS } from "../../src/runtime/map-types.js";

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
const u64 = (n: number | bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};
const errnoOf = (f: () => unknown): string | null => {
  try {
    f();
    return null;
  } catch (e) {
    if (e instanceof BpfError) return e.code;
    throw e;
  }
};

describe("map creation", () => {
  it("rejects what the kernel rejects, with its errno", async () => {
    const m = await createMachine({ ncpus: 2 });
    const c = (spec: Parameters<Machine["createMap"]>[0]): string | null => errnoOf(() => m.createMap(spec));
    expect(c({ type: "array", keySize: 8, valueSize: 4, maxEntries: 1 })).toBe("EINVAL");
    expect(c({ type: "array", keySize: 4, valueSize: 0, maxEntries: 1 })).toBe("EINVAL");
    expect(c({ type: "array", keySize: 4, valueSize: 4, maxEntries: 0 })).toBe("EINVAL");
    expect(c({ type: "array", keySize: 4, valueSize: 4, maxEntries: 1, flags: MAP_FLAGS.NO_PREALLOC })).toBe("EINVAL");
    expect(c({ type: "percpu_array", keySize: 4, valueSize: 40000, maxEntries: 1 })).toBe("E2BIG");
    expect(c({ type: "hash", keySize: 0, valueSize: 4, maxEntries: 1 })).toBe("EINVAL");
    expect(c({ type: "hash", keySize: 4, valueSize: 4, maxEntries: 1, flags: MAP_FLAGS.NO_COMMON_LRU })).toBe("EINVAL");
    expect(c({ type: "lru_hash", keySize: 4, valueSize: 4, maxEntries: 1, flags: MAP_FLAGS.NO_PREALLOC })).toBe("ENOTSUPP");
    expect(c({ type: "hash", keySize: 4, valueSize: 4, maxEntries: 1, mapExtra: 1 })).toBe("EINVAL");
    expect(c({ type: "hash", keySize: 4, valueSize: 4, maxEntries: 1, flags: MAP_FLAGS.RDONLY | MAP_FLAGS.WRONLY })).toBe("EINVAL");
    expect(c({ type: "hash", keySize: 4, valueSize: 4, maxEntries: 1, flags: MAP_FLAGS.RDONLY_PROG | MAP_FLAGS.WRONLY_PROG })).toBe("EINVAL");
    expect(c({ type: "queue", keySize: 4, valueSize: 4, maxEntries: 1 })).toBe("EINVAL");
    expect(c({ type: "bloom_filter", keySize: 0, valueSize: 4, maxEntries: 1, mapExtra: 16 })).toBe("EINVAL");
    expect(c({ type: "array_of_maps", keySize: 4, valueSize: 4, maxEntries: 1 })).toBe("EBADF");
    expect(c({ type: "prog_array", keySize: 4, valueSize: 8, maxEntries: 1 })).toBe("EINVAL");
    expect(c({ type: 99, keySize: 4, valueSize: 4, maxEntries: 1 })).toBe("EINVAL");
    // every CPU's LRU list gets the same share: 5 entries on 2 CPUs become 6
    expect(m.createMap({ type: "lru_hash", keySize: 4, valueSize: 4, maxEntries: 5, flags: MAP_FLAGS.NO_COMMON_LRU }).maxEntries).toBe(6);
  });
});

describe("map operations", () => {
  it("array: update flags, E2BIG index, EINVAL delete, next key in index order", async () => {
    const m = await createMachine();
    const a = m.createMap({ type: "array", keySize: 4, valueSize: 4, maxEntries: 3 });
    expect(a.lookup(u32(1))).toEqual(u32(0)); // zeroed at creation
    a.update(u32(1), u32(7));
    expect(a.lookup(u32(1))).toEqual(u32(7));
    expect(a.lookup(u32(3))).toBeNull();
    expect(errnoOf(() => a.update(u32(3), u32(1)))).toBe("E2BIG");
    expect(errnoOf(() => a.update(u32(0), u32(1), UPDATE_FLAGS.NOEXIST))).toBe("EEXIST");
    expect(errnoOf(() => a.update(u32(0), u32(1), 3))).toBe("EINVAL");
    expect(errnoOf(() => a.update(u32(0), u32(1), UPDATE_FLAGS.F_LOCK))).toBe("EINVAL");
    expect(errnoOf(() => a.delete(u32(0)))).toBe("EINVAL");
    expect(a.nextKey(null)).toEqual(u32(0));
    expect(a.nextKey(u32(9))).toEqual(u32(0));
    expect(a.nextKey(u32(1))).toEqual(u32(2));
    expect(a.nextKey(u32(2))).toBeNull();
    expect([...a.entries()].length).toBe(3);
  });

  it("hash: NOEXIST/EXIST, E2BIG when full, ENOENT, lookup_and_delete, no-prealloc", async () => {
    for (const flags of [0, MAP_FLAGS.NO_PREALLOC]) {
      const m = await createMachine({ ncpus: 4 });
      const h = m.createMap({ type: "hash", keySize: 8, valueSize: 12, maxEntries: 2, flags });
      const v = (n: number): Uint8Array => new Uint8Array(12).fill(n);
      expect(errnoOf(() => h.update(u64(1), v(1), UPDATE_FLAGS.EXIST))).toBe("ENOENT");
      h.update(u64(1), v(1), UPDATE_FLAGS.NOEXIST);
      expect(errnoOf(() => h.update(u64(1), v(2), UPDATE_FLAGS.NOEXIST))).toBe("EEXIST");
      h.update(u64(1), v(2), UPDATE_FLAGS.EXIST);
      h.update(u64(2), v(3));
      expect(errnoOf(() => h.update(u64(3), v(3)))).toBe("E2BIG");
      h.update(u64(2), v(4)); // replacing works when full
      expect(h.lookup(u64(2))).toEqual(v(4));
      expect(h.lookupAndDelete(u64(1))).toEqual(v(2));
      expect(h.lookup(u64(1))).toBeNull();
      expect(errnoOf(() => h.delete(u64(1)))).toBe("ENOENT");
      h.update(u64(3), v(5));
      expect([...h.keys()].map((k) => k[0]).sort()).toEqual([2, 3]);
    }
  });

  it("per-CPU maps show one 8-byte-rounded value per CPU", async () => {
    const m = await createMachine({ ncpus: 3 });
    const a = m.createMap({ type: "percpu_array", keySize: 4, valueSize: 4, maxEntries: 2 });
    expect(a.userValueSize).toBe(24);
    const val = Uint8Array.from({ length: 24 }, (_, i) => i);
    a.update(u32(1), val);
    expect(a.lookup(u32(1))).toEqual(val);
    const h = m.createMap({ type: "percpu_hash", keySize: 4, valueSize: 12, maxEntries: 2 });
    expect(() => h.update(u32(1), new Uint8Array(12))).toThrow(EbpfError);
    h.update(u32(1), new Uint8Array(48).fill(9));
    expect(h.lookup(u32(1))).toEqual(new Uint8Array(48).fill(9));
  });

  it("queue and stack: FIFO/LIFO, E2BIG when full unless BPF_EXIST, ENOENT when empty", async () => {
    const m = await createMachine();
    const q = m.createMap({ type: "queue", keySize: 0, valueSize: 4, maxEntries: 2 });
    const s = m.createMap({ type: "stack", keySize: 0, valueSize: 4, maxEntries: 2 });
    for (const x of [q, s]) {
      x.push(u32(1));
      x.push(u32(2));
      expect(errnoOf(() => x.push(u32(3)))).toBe("E2BIG");
      expect(errnoOf(() => x.push(u32(3), UPDATE_FLAGS.NOEXIST))).toBe("EINVAL");
      x.push(u32(3), UPDATE_FLAGS.EXIST);
      expect(errnoOf(() => x.nextKey(null))).toBe("EINVAL");
      expect(errnoOf(() => x.delete(null))).toBe("EINVAL");
    }
    expect([q.peek(), q.pop(), q.pop(), q.pop()]).toEqual([u32(2), u32(2), u32(3), null]);
    expect([s.peek(), s.pop(), s.pop(), s.pop()]).toEqual([u32(3), u32(3), u32(2), null]);
  });

  it("bloom filter: no false negatives; delete and next key unsupported", async () => {
    const m = await createMachine();
    const b = m.createMap({ type: "bloom_filter", keySize: 0, valueSize: 8, maxEntries: 100, mapExtra: 3 });
    for (let i = 0; i < 100; i++) b.push(u64(i * 7919));
    for (let i = 0; i < 100; i++) expect(b.has(u64(i * 7919))).toBe(true);
    expect(errnoOf(() => b.push(u64(1), UPDATE_FLAGS.EXIST))).toBe("EINVAL");
    expect(errnoOf(() => b.delete(null))).toBe("EOPNOTSUPP");
    expect(errnoOf(() => b.nextKey(null))).toBe("EOPNOTSUPP");
  });

  it("map-in-map and program arrays hold ids, checked against the template", async () => {
    const m = await createMachine();
    const tmpl = m.createMap({ type: "array", keySize: 4, valueSize: 8, maxEntries: 4 });
    const other = m.createMap({ type: "array", keySize: 4, valueSize: 8, maxEntries: 5 });
    const aom = m.createMap({ type: "array_of_maps", keySize: 4, valueSize: 4, maxEntries: 2, innerMap: tmpl });
    const hom = m.createMap({ type: "hash_of_maps", keySize: 8, valueSize: 4, maxEntries: 2, innerMap: tmpl });
    expect(aom.lookup(u32(0))).toBeNull();
    aom.update(u32(0), u32(tmpl.id));
    expect(aom.lookup(u32(0))).toEqual(u32(tmpl.id));
    expect(errnoOf(() => aom.update(u32(1), u32(other.id)))).toBe("EINVAL");
    expect(errnoOf(() => aom.update(u32(1), u32(999)))).toBe("EBADF");
    expect(errnoOf(() => aom.update(u32(2), u32(tmpl.id)))).toBe("E2BIG");
    expect(errnoOf(() => aom.update(u32(1), u32(tmpl.id), UPDATE_FLAGS.NOEXIST))).toBe("EINVAL");
    aom.delete(u32(0));
    expect(errnoOf(() => aom.delete(u32(0)))).toBe("ENOENT");
    expect(errnoOf(() => aom.delete(u32(7)))).toBe("E2BIG");
    hom.update(u64(5), u32(tmpl.id));
    expect(hom.lookup(u64(5))).toEqual(u32(tmpl.id));
    expect(errnoOf(() => m.createMap({ type: "array_of_maps", keySize: 4, valueSize: 4, maxEntries: 1, innerMap: aom }))).toBe("EINVAL");
    const pa = m.createMap({ type: "prog_array", keySize: 4, valueSize: 4, maxEntries: 2 });
    const pid = m.registerProgram("tail");
    pa.update(u32(1), u32(pid));
    expect(pa.lookup(u32(1))).toEqual(u32(pid));
    expect(errnoOf(() => pa.update(u32(0), u32(pid + 1)))).toBe("EBADF");
  });

  it("freeze, BPF_F_RDONLY and BPF_F_WRONLY give EPERM where the kernel does", async () => {
    const m = await createMachine();
    const h = m.createMap({ type: "hash", keySize: 4, valueSize: 4, maxEntries: 2 });
    h.update(u32(1), u32(1));
    h.freeze();
    expect(h.lookup(u32(1))).toEqual(u32(1));
    expect(errnoOf(() => h.update(u32(1), u32(2)))).toBe("EPERM");
    expect(errnoOf(() => h.delete(u32(1)))).toBe("EPERM");
    expect(errnoOf(() => h.freeze())).toBe("EPERM");
    const ro = m.createMap({ type: "array", keySize: 4, valueSize: 4, maxEntries: 1, flags: MAP_FLAGS.RDONLY });
    expect(errnoOf(() => ro.update(u32(0), u32(1)))).toBe("EPERM");
    const wo = m.createMap({ type: "array", keySize: 4, valueSize: 4, maxEntries: 1, flags: MAP_FLAGS.WRONLY });
    expect(errnoOf(() => wo.lookup(u32(0)))).toBe("EPERM");
    wo.update(u32(0), u32(1));
  });

  it("batch operations go in order and stop at the first failure", async () => {
    const m = await createMachine();
    const h = m.createMap({ type: "hash", keySize: 4, valueSize: 4, maxEntries: 3 });
    expect(h.updateBatch([u32(1), u32(2)], [u32(10), u32(20)])).toBe(2);
    const all = h.lookupBatch(10);
    expect(all.done).toBe(true);
    expect(all.keys.map((k) => k[0]).sort()).toEqual([1, 2]);
    const a = m.createMap({ type: "array", keySize: 4, valueSize: 4, maxEntries: 3 });
    const first = a.lookupBatch(2);
    expect([first.keys.length, first.done]).toEqual([2, false]);
    const rest = a.lookupBatch(2, first.next);
    expect([rest.keys.length, rest.done]).toEqual([1, true]);
    expect(() => h.deleteBatch([u32(1), u32(9)])).toThrow(/batch stopped after 1/);
  });
});

describe("machines", () => {
  it("one machine per guest memory", async () => {
    const m = await createMachine();
    const { Machine } = await import("../../src/runtime/machine.js");
    expect(Machine.of(m.mem)).toBe(m);
    await expect(createMachine({ mem: m.mem })).rejects.toThrow(/EBUSY|already has a machine/);
  });
});

describe("typed maps", () => {
  it("encode keys and values through codecs; per-CPU values as arrays", async () => {
    const { TypedMap, codecs } = await import("../../src/runtime/typed-map.js");
    const m = await createMachine({ ncpus: 2 });
    const h = new TypedMap(m.createMap({ type: "hash", keySize: 4, valueSize: 8, maxEntries: 4 }), codecs.u32, codecs.u64);
    h.set(7, 70n);
    expect(h.get(7)).toBe(70n);
    expect(h.get(8)).toBeUndefined();
    expect([...h.entries()]).toEqual([[7, 70n]]);
    expect(h.delete(7)).toBe(true);
    expect(h.delete(7)).toBe(false);
    const p = new TypedMap(m.createMap({ type: "percpu_array", keySize: 4, valueSize: 4, maxEntries: 1 }), codecs.u32, codecs.i32);
    p.setPerCpu(0, [-1, 5]);
    expect(p.getPerCpu(0)).toEqual([-1, 5]);
    expect(() => p.get(0)).toThrow(EbpfError);
    expect(() => new TypedMap(m.createMap({ type: "array", keySize: 4, valueSize: 8, maxEntries: 1 }), codecs.u32, codecs.u32)).toThrow(EbpfError);
  });
});
