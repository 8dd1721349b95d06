// Random map-operation sequences for the differential tests against real kernel maps
// (scripts/runtime/kmap_driver.py runs them in the kernel; replayMapOps runs them here).
import { BpfError } from "../../src/errors.js";
import type { Machine } from "../../src/runtime/machine.js";
import { BatchError, type BpfMap } from "../../src/runtime/maps.js";
import { MAP_FLAGS as F, MAP_TYPES, type MapTypeName } from "../../src/runtime/map-types.js";
import { Rng } from "./rng.js";

/** One operation, in the driver's JSON form (maps by creation index within the line). */
export type MapOp =
  | { op: "create"; type: MapTypeName; key_size: number; value_size: number; max_entries: number; flags?: number; map_extra?: number; inner?: number }
  | { op: "update"; map: number; key: string | null; value: string; flags: number }
  | { op: "lookup"; map: number; key: string | null; flags?: number; value?: string }
  | { op: "delete"; map: number; key: string | null }
  | { op: "next"; map: number; key: string | null }
  | { op: "lookup_and_delete"; map: number; key: string | null; flags?: number }
  | { op: "freeze"; map: number }
  | { op: "keys"; map: number }
  | { op: "lookup_batch"; map: number; in_batch: string | null; count: number; delete?: boolean; elem_flags?: number }
  | { op: "update_batch"; map: number; keys: string[]; values: string[]; elem_flags?: number }
  | { op: "delete_batch"; map: number; keys: string[]; elem_flags?: number };

export interface MapOpResult {
  errno: number;
  value?: string | string[];
  max_entries?: number;
  /** batch operations: the count the kernel wrote back, the entries and out_batch */
  count?: number;
  keys?: string[];
  values?: string[];
  out_batch?: string;
}

export interface MapOpLine {
  readonly id: string;
  readonly ops: MapOp[];
  /** hash order and bloom bits depend on a random seed: compare key sets, not orders */
  readonly loose?: boolean;
}

type Create = Extract<MapOp, { op: "create" }>;
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));
const round8 = (x: number): number => Math.ceil(x / 8) * 8;
const PERCPU = new Set<string>(["percpu_hash", "percpu_array", "lru_percpu_hash"]);

/** Map configurations: every implemented type with the flags that change its behaviour. */
const CONFIGS: Create[] = [
  { op: "create", type: "array", key_size: 4, value_size: 8, max_entries: 4 },
  { op: "create", type: "array", key_size: 4, value_size: 3, max_entries: 3, flags: F.MMAPABLE },
  { op: "create", type: "array", key_size: 4, value_size: 4, max_entries: 2, flags: F.RDONLY },
  { op: "create", type: "array", key_size: 4, value_size: 4, max_entries: 2, flags: F.WRONLY },
  { op: "create", type: "percpu_array", key_size: 4, value_size: 4, max_entries: 3 },
  { op: "create", type: "percpu_array", key_size: 4, value_size: 12, max_entries: 2, flags: F.RDONLY_PROG },
  { op: "create", type: "hash", key_size: 4, value_size: 8, max_entries: 4, flags: F.ZERO_SEED },
  { op: "create", type: "hash", key_size: 8, value_size: 12, max_entries: 6, flags: F.ZERO_SEED | F.NO_PREALLOC },
  { op: "create", type: "hash", key_size: 5, value_size: 4, max_entries: 3, flags: F.ZERO_SEED },
  { op: "create", type: "hash", key_size: 27, value_size: 4, max_entries: 6, flags: F.ZERO_SEED },
  { op: "create", type: "hash", key_size: 16, value_size: 8, max_entries: 8, flags: F.ZERO_SEED | F.RDONLY_PROG },
  { op: "create", type: "hash", key_size: 4, value_size: 4, max_entries: 5 },
  { op: "create", type: "percpu_hash", key_size: 4, value_size: 8, max_entries: 4, flags: F.ZERO_SEED },
  { op: "create", type: "percpu_hash", key_size: 4, value_size: 4, max_entries: 3, flags: F.ZERO_SEED | F.NO_PREALLOC },
  { op: "create", type: "lru_hash", key_size: 4, value_size: 8, max_entries: 4, flags: F.ZERO_SEED },
  { op: "create", type: "lru_hash", key_size: 8, value_size: 8, max_entries: 16, flags: F.ZERO_SEED },
  { op: "create", type: "lru_hash", key_size: 4, value_size: 8, max_entries: 5, flags: F.ZERO_SEED | F.NO_COMMON_LRU },
  { op: "create", type: "lru_hash", key_size: 4, value_size: 4, max_entries: 300, flags: F.ZERO_SEED },
  { op: "create", type: "lru_percpu_hash", key_size: 4, value_size: 8, max_entries: 4, flags: F.ZERO_SEED },
  { op: "create", type: "lru_percpu_hash", key_size: 4, value_size: 4, max_entries: 6, flags: F.ZERO_SEED | F.NO_COMMON_LRU },
  { op: "create", type: "queue", key_size: 0, value_size: 4, max_entries: 3 },
  { op: "create", type: "stack", key_size: 0, value_size: 8, max_entries: 3 },
  { op: "create", type: "bloom_filter", key_size: 0, value_size: 4, max_entries: 20, flags: F.ZERO_SEED, map_extra: 3 },
  { op: "create", type: "bloom_filter", key_size: 0, value_size: 5, max_entries: 8, flags: F.ZERO_SEED },
  { op: "create", type: "bloom_filter", key_size: 0, value_size: 30, max_entries: 40, flags: F.ZERO_SEED, map_extra: 7 },
];

/** Creation requests the kernel refuses (and a few it accepts at the edges). */
export const CREATE_CASES: Create[] = [
  { op: "create", type: "array", key_size: 8, value_size: 4, max_entries: 1 },
  { op: "create", type: "array", key_size: 4, value_size: 0, max_entries: 1 },
  { op: "create", type: "array", key_size: 4, value_size: 4, max_entries: 0 },
  { op: "create", type: "array", key_size: 4, value_size: 4, max_entries: 1, flags: F.NO_PREALLOC },
  { op: "create", type: "array", key_size: 4, value_size: 4, max_entries: 1, flags: F.PRESERVE_ELEMS },
  { op: "create", type: "array", key_size: 4, value_size: 4, max_entries: 1, flags: F.INNER_MAP },
  { op: "create", type: "array", key_size: 4, value_size: 4, max_entries: 1, map_extra: 1 },
  { op: "create", type: "array", key_size: 4, value_size: 4, max_entries: 1, flags: F.RDONLY | F.WRONLY },
  { op: "create", type: "array", key_size: 4, value_size: 4, max_entries: 1, flags: F.RDONLY_PROG | F.WRONLY_PROG },
  { op: "create", type: "percpu_array", key_size: 4, value_size: 32768, max_entries: 1 },
  { op: "create", type: "percpu_array", key_size: 4, value_size: 32769, max_entries: 1 },
  { op: "create", type: "percpu_array", key_size: 4, value_size: 4, max_entries: 1, flags: F.MMAPABLE },
  { op: "create", type: "percpu_array", key_size: 4, value_size: 4, max_entries: 1, flags: F.NUMA_NODE },
  { op: "create", type: "hash", key_size: 0, value_size: 4, max_entries: 1 },
  { op: "create", type: "hash", key_size: 4, value_size: 0, max_entries: 1 },
  { op: "create", type: "hash", key_size: 4, value_size: 4, max_entries: 0 },
  { op: "create", type: "hash", key_size: 4, value_size: 4, max_entries: 1, flags: F.NO_COMMON_LRU },
  { op: "create", type: "hash", key_size: 4, value_size: 4, max_entries: 1, flags: F.MMAPABLE },
  { op: "create", type: "hash", key_size: 2_000_000, value_size: 2_194_256, max_entries: 1, flags: F.NO_PREALLOC },
  { op: "create", type: "hash", key_size: 2_000_000, value_size: 2_194_255, max_entries: 1, flags: F.NO_PREALLOC },
  { op: "create", type: "hash", key_size: 4, value_size: 4, max_entries: 2 ** 28 + 1, flags: F.NO_PREALLOC },
  { op: "create", type: "hash", key_size: 4, value_size: 4, max_entries: 2 ** 31 + 1, flags: F.NO_PREALLOC },
  { op: "create", type: "percpu_hash", key_size: 4, value_size: 32769, max_entries: 1 },
  { op: "create", type: "percpu_hash", key_size: 4, value_size: 4, max_entries: 1, flags: F.NUMA_NODE },
  { op: "create", type: "lru_hash", key_size: 4, value_size: 4, max_entries: 1, flags: F.NO_PREALLOC },
  { op: "create", type: "lru_hash", key_size: 4, value_size: 4, max_entries: 3, flags: F.NO_COMMON_LRU },
  { op: "create", type: "lru_percpu_hash", key_size: 4, value_size: 4, max_entries: 1, flags: F.NO_COMMON_LRU },
  { op: "create", type: "lru_hash", key_size: 4, value_size: 4, max_entries: 1, flags: F.NO_COMMON_LRU | F.NUMA_NODE },
  { op: "create", type: "queue", key_size: 4, value_size: 4, max_entries: 1 },
  { op: "create", type: "queue", key_size: 0, value_size: 0, max_entries: 1 },
  { op: "create", type: "queue", key_size: 0, value_size: 4, max_entries: 0 },
  { op: "create", type: "stack", key_size: 0, value_size: 4, max_entries: 1, flags: F.NO_PREALLOC },
  { op: "create", type: "stack", key_size: 0, value_size: 4, max_entries: 1, flags: F.ZERO_SEED },
  { op: "create", type: "bloom_filter", key_size: 4, value_size: 4, max_entries: 1 },
  { op: "create", type: "bloom_filter", key_size: 0, value_size: 4, max_entries: 1, map_extra: 15 },
  { op: "create", type: "bloom_filter", key_size: 0, value_size: 4, max_entries: 1, map_extra: 16 },
  { op: "create", type: "bloom_filter", key_size: 0, value_size: 4, max_entries: 0 },
  { op: "create", type: "bloom_filter", key_size: 0, value_size: 4, max_entries: 1, flags: F.NO_PREALLOC },
  { op: "create", type: "prog_array", key_size: 4, value_size: 8, max_entries: 1 },
  { op: "create", type: "prog_array", key_size: 4, value_size: 4, max_entries: 1, flags: F.RDONLY_PROG },
  { op: "create", type: "prog_array", key_size: 4, value_size: 4, max_entries: 2 },
  { op: "create", type: "array_of_maps", key_size: 4, value_size: 8, max_entries: 1, inner: 0 },
  { op: "create", type: "hash_of_maps", key_size: 4, value_size: 8, max_entries: 1, inner: 0 },
];

function randomValue(rng: Rng, n: number): string {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(4) === 0 ? 0 : rng.int(256);
  return hex(b);
}

function keyOf(rng: Rng, c: Create): string | null {
  if (c.key_size === 0) return null;
  const range = c.type.includes("array") ? c.max_entries + 2 : c.max_entries * 2 + 2;
  const b = new Uint8Array(c.key_size);
  const k = rng.int(range);
  // small integers in the first bytes, so that keys collide and maps fill up
  b[0] = k & 0xff;
  if (c.key_size > 1) b[1] = k >> 8;
  if (c.key_size > 4) b[c.key_size - 1] = k % 3;
  return hex(b);
}

const UPDATE_FLAGS = [0, 0, 0, 1, 1, 2, 2, 4, 3, 5, 8];

function batchOp(rng: Rng, c: Create, vsize: number, loose: boolean): MapOp {
  const r = rng.int(3);
  const n = 1 + rng.int(4);
  const keys = Array.from({ length: n }, () => keyOf(rng, c) ?? "");
  if (r === 0) return { op: "update_batch", map: 0, keys, values: keys.map(() => randomValue(rng, vsize)), elem_flags: rng.pick([0, 0, 1, 2, 4]) };
  if (r === 1) return { op: "delete_batch", map: 0, keys, elem_flags: rng.int(8) === 0 ? 4 : 0 };
  let from: string | null = null;
  if (rng.int(2) === 0) {
    const nb = 2 ** Math.ceil(Math.log2(c.max_entries));
    from = c.type.includes("hash") ? hex(Uint8Array.of(rng.int(nb + 2), 0, 0, 0)) : keyOf(rng, c);
  }
  // with a random hash seed, which keys share a bucket (and go in one batch) differs: no deleting batches there
  const del = rng.int(3) === 0 && !loose;
  return { op: "lookup_batch", map: 0, in_batch: from, count: rng.int(c.max_entries + 3), delete: del, elem_flags: rng.int(10) === 0 ? rng.pick([1, 4]) : 0 };
}

/** `count` random operations on a map made by `create` (map 0 of its line). */
function sequence(rng: Rng, c: Create, ncpus: number, count: number, loose: boolean): MapOp[] {
  const ops: MapOp[] = [c];
  const vsize = PERCPU.has(c.type) ? round8(c.value_size) * ncpus : c.value_size;
  const qs = c.type === "queue" || c.type === "stack" || c.type === "bloom_filter";
  // the LRU configuration with 300 entries is filled far past its size to evict in bulk
  const n = c.max_entries >= 300 ? 900 : count;
  const pushed: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.int(100);
    const key = keyOf(rng, c);
    if (c.max_entries >= 300 && r < 85) {
      const k = new Uint8Array(4);
      new DataView(k.buffer).setUint32(0, rng.int(1200), true);
      ops.push({ op: rng.int(3) === 0 ? "lookup" : "update", map: 0, key: hex(k), value: randomValue(rng, vsize), flags: 0 } as MapOp);
      continue;
    }
    if (r < 40) {
      const value = randomValue(rng, vsize);
      if (c.type === "bloom_filter") pushed.push(value);
      ops.push({ op: "update", map: 0, key, value, flags: rng.pick(UPDATE_FLAGS) });
    } else if (r < 60) {
      const flags = rng.int(12) === 0 ? rng.pick([1, 4]) : 0;
      if (c.type === "bloom_filter") ops.push({ op: "lookup", map: 0, key: null, value: pushed.length > 0 && rng.int(2) === 0 ? rng.pick(pushed) : randomValue(rng, vsize) });
      else ops.push({ op: "lookup", map: 0, key, flags });
    } else if (r < 72) {
      ops.push({ op: "delete", map: 0, key });
    } else if (r < 82) {
      ops.push({ op: "next", map: 0, key: rng.int(4) === 0 ? null : key });
    } else if (r < 90) {
      ops.push({ op: "lookup_and_delete", map: 0, key, flags: rng.int(10) === 0 ? 4 : 0 });
    } else if (r < 94) {
      ops.push(batchOp(rng, c, vsize, loose));
    } else if (r < 97 || qs) {
      ops.push({ op: "keys", map: 0 });
    } else if (i > n / 2) {
      ops.push({ op: "freeze", map: 0 });
    }
  }
  if (!qs) ops.push({ op: "keys", map: 0 });
  return ops;
}

/** Map-in-map lines: templates, compatible and incompatible inner maps, id round trips. */
function mapInMap(rng: Rng, outer: "array_of_maps" | "hash_of_maps", count: number): MapOp[] {
  const loose = outer === "hash_of_maps";
  const inner: Create = { op: "create", type: "array", key_size: 4, value_size: 8, max_entries: 2 };
  const ops: MapOp[] = [
    inner,
    { op: "create", type: outer, key_size: 4, value_size: 4, max_entries: 3, inner: 0 },
    { ...inner },
    { ...inner, max_entries: 3 },
    { op: "create", type: "hash", key_size: 4, value_size: 8, max_entries: 2 },
    { ...inner, flags: F.INNER_MAP },
  ];
  for (let i = 0; i < count; i++) {
    const key = hex(Uint8Array.of(rng.int(5), 0, 0, 0));
    const r = rng.int(10);
    if (r < 5) ops.push({ op: "update", map: 1, key, value: `@${rng.pick([0, 2, 3, 4, 5, 1])}`, flags: rng.pick([0, 0, 1, 2]) });
    else if (r < 7) ops.push({ op: "lookup", map: 1, key });
    else if (r < 8) ops.push({ op: "delete", map: 1, key });
    else if (r < 9) ops.push(rng.int(2) === 0 ? { op: "next", map: 1, key } : { op: "lookup_batch", map: 1, in_batch: null, count: 1 + rng.int(4), delete: rng.int(2) === 0 && !loose });
    else ops.push(rng.int(2) === 0 ? { op: "keys", map: 1 } : { op: "update_batch", map: 1, keys: [key, hex(Uint8Array.of(rng.int(5), 0, 0, 0))], values: [`@${rng.pick([0, 2, 3])}`, `@${rng.pick([0, 4, 5])}`] });
  }
  return ops;
}

/** The differential corpus for a machine with `ncpus` possible CPUs (seeded: the same lines every time). */
export function mapOpLines(ncpus: number, seed = 1, rounds = 3): MapOpLine[] {
  const rng = new Rng(seed);
  const lines: MapOpLine[] = [{ id: "create-errors", ops: [{ op: "create", type: "array", key_size: 4, value_size: 8, max_entries: 1 }, ...CREATE_CASES] }];
  for (let r = 0; r < rounds; r++) {
    CONFIGS.forEach((c, i) => {
      const loose = (c.type.includes("hash") && ((c.flags ?? 0) & F.ZERO_SEED) === 0) || undefined;
      lines.push({ id: `s${seed}-r${r}-${c.type}-${i}`, ops: sequence(rng, c, ncpus, 60, loose === true), ...(loose ? { loose } : {}) });
    });
    lines.push({ id: `s${seed}-r${r}-array_of_maps`, ops: mapInMap(rng, "array_of_maps", 30) });
    lines.push({ id: `s${seed}-r${r}-hash_of_maps`, ops: mapInMap(rng, "hash_of_maps", 30), loose: true });
  }
  return lines;
}

// ------------------------------------------------------------------ replay on wabpf
const errnoOf = (e: unknown): number => {
  if (e instanceof BpfError) return e.errno;
  throw e;
};

/** Run one line's operations on `machine`, giving the driver's result shape. */
export function replayMapOps(machine: Machine, ops: readonly MapOp[]): MapOpResult[] {
  const maps: Array<BpfMap | null> = [];
  const key = (k: string | null): Uint8Array | null => (k === null ? null : unhex(k));
  return ops.map((op): MapOpResult => {
    if (op.op === "create") {
      try {
        const innerIdx = op.inner;
        const inner = innerIdx === undefined ? undefined : maps[innerIdx] ?? undefined;
        const m = machine.createMap({
          type: op.type,
          keySize: op.key_size,
          valueSize: op.value_size,
          maxEntries: op.max_entries,
          flags: op.flags ?? 0,
          mapExtra: op.map_extra ?? 0,
          ...(inner !== undefined ? { innerMap: inner } : {}),
        });
        maps.push(m);
        return { errno: 0, max_entries: m.maxEntries };
      } catch (e) {
        maps.push(null);
        return { errno: errnoOf(e) };
      }
    }
    const m = maps[op.map];
    if (m === null || m === undefined) return { errno: 9 };
    try {
      switch (op.op) {
        case "update": {
          let v = unhex(op.value.startsWith("@") ? "" : op.value);
          if (op.value.startsWith("@")) {
            const target = maps[Number(op.value.slice(1))];
            v = new Uint8Array(4);
            new DataView(v.buffer).setUint32(0, target?.id ?? 0xffffffff, true);
          }
          m.update(key(op.key), v, op.flags);
          return { errno: 0 };
        }
        case "lookup": {
          if (m.type === MAP_TYPES.bloom_filter) return { errno: m.has(unhex(op.value ?? "")) ? 0 : 2 };
          const v = m.lookup(key(op.key), op.flags ?? 0);
          if (v === null) return { errno: 2 };
          if (m.inner !== null) {
            const id = new DataView(v.buffer).getUint32(0, true);
            return { errno: 0, value: `@${maps.findIndex((x) => x !== null && x.id === id)}` };
          }
          return { errno: 0, value: hex(v) };
        }
        case "delete":
          m.delete(key(op.key));
          return { errno: 0 };
        case "next": {
          const k = m.nextKey(key(op.key));
          return k === null ? { errno: 2 } : { errno: 0, value: hex(k) };
        }
        case "lookup_and_delete": {
          const v = m.lookupAndDelete(key(op.key), op.flags ?? 0);
          return v === null ? { errno: 2 } : { errno: 0, value: hex(v) };
        }
        case "freeze":
          m.freeze();
          return { errno: 0 };
        case "keys":
          return { errno: 0, value: [...m.keys()].map(hex) };
        case "lookup_batch": {
          const from = op.in_batch === null ? null : unhex(op.in_batch).subarray(0, Math.max(m.keySize, 4));
          const r = op.delete === true ? m.lookupAndDeleteBatch(op.count, from, op.elem_flags ?? 0) : m.lookupBatch(op.count, from, op.elem_flags ?? 0);
          const values = r.values.map((v) => (m.inner !== null ? `@${maps.findIndex((x) => x !== null && x.id === new DataView(v.buffer).getUint32(0, true))}` : hex(v)));
          const out = new Uint8Array(Math.max(m.keySize, 8));
          if (r.next !== null) out.set(r.next);
          return { errno: r.done ? 2 : 0, count: r.keys.length, keys: r.keys.map(hex), values, out_batch: hex(out) };
        }
        case "update_batch": {
          const values = op.values.map((v) => {
            if (!v.startsWith("@")) return unhex(v);
            const b = new Uint8Array(4);
            new DataView(b.buffer).setUint32(0, maps[Number(v.slice(1))]?.id ?? 0xffffffff, true);
            return b;
          });
          return { errno: 0, count: m.updateBatch(op.keys.map((k) => unhex(k)), values, op.elem_flags ?? 0) };
        }
        case "delete_batch":
          return { errno: 0, count: m.deleteBatch(op.keys.map((k) => unhex(k)), op.elem_flags ?? 0) };
      }
    } catch (e) {
      if (e instanceof BatchError) return { errno: e.errno, count: e.done };
      const errno = errnoOf(e);
      // errors before any element: the kernel leaves the count as given (ENOSPC: 0 copied)
      if (op.op === "lookup_batch") return { errno, count: errno === 28 ? 0 : op.count };
      if (op.op === "update_batch" || op.op === "delete_batch") return { errno, count: op.keys.length };
      return { errno };
    }
  });
}

/** Differences between the kernel's results and wabpf's for one line (empty: the same). */
export function compareLine(line: MapOpLine, kernel: readonly MapOpResult[], ours: readonly MapOpResult[]): string[] {
  const diffs: string[] = [];
  line.ops.forEach((op, i) => {
    const k = kernel[i]!;
    const o = ours[i]!;
    const at = `${line.id} op ${i} ${JSON.stringify(op).slice(0, 120)}`;
    if (op.op === "next" && op.key !== null && line.loose === true) return;
    // with a random hash seed, buckets (and so batch boundaries and ENOENT/ENOSPC) differ
    if (op.op === "lookup_batch" && line.loose === true) return;
    if (k.errno !== o.errno) {
      diffs.push(`${at}: errno kernel ${k.errno} wabpf ${o.errno}`);
      return;
    }
    if (op.op === "lookup_batch" || op.op === "update_batch" || op.op === "delete_batch") {
      const pick = (r: MapOpResult): unknown => (k.errno === 0 || k.errno === 2 ? [r.count, r.keys, r.values, r.out_batch] : [r.count]);
      if (k.errno !== 524 && JSON.stringify(pick(k)) !== JSON.stringify(pick(o))) diffs.push(`${at}: kernel ${JSON.stringify(pick(k))} wabpf ${JSON.stringify(pick(o))}`);
      return;
    }
    if (k.errno !== 0) return;
    if (op.op === "create" && k.max_entries !== o.max_entries) diffs.push(`${at}: max_entries kernel ${k.max_entries} wabpf ${o.max_entries}`);
    if (op.op === "keys") {
      const kv = k.value as string[];
      const ov = o.value as string[];
      const same = line.loose === true ? JSON.stringify([...kv].sort()) === JSON.stringify([...ov].sort()) : JSON.stringify(kv) === JSON.stringify(ov);
      if (!same) diffs.push(`${at}: keys kernel ${kv.join(",")} wabpf ${ov.join(",")}`);
      return;
    }
    // with a random hash seed the next key is any key (and the last key is any key)
    if (op.op === "next" && line.loose === true) return;
    if (op.op === "lookup" && op.key === null && op.value !== undefined) return; // bloom: membership only
    if ((op.op === "lookup" || op.op === "next" || op.op === "lookup_and_delete") && k.value !== o.value) {
      diffs.push(`${at}: value kernel ${String(k.value)} wabpf ${String(o.value)}`);
    }
  });
  return diffs;
}
