// Map type numbers, flags and the kernel's creation checks (map_create in
// kernel/bpf/syscall.c, then the type's map_alloc_check / map_alloc), in the kernel's order
// so that a bad request fails with the errno Linux gives for it.
import { BpfError, NotSupportedError, type Errno } from "../errors.js";

/** enum bpf_map_type (every number the kernel knows, so that creation errors match). */
export const MAP_TYPES = {
  unspec: 0, hash: 1, array: 2, prog_array: 3, perf_event_array: 4, percpu_hash: 5, percpu_array: 6, stack_trace: 7,
  cgroup_array: 8, lru_hash: 9, lru_percpu_hash: 10, lpm_trie: 11, array_of_maps: 12, hash_of_maps: 13, devmap: 14,
  sockmap: 15, cpumap: 16, xskmap: 17, sockhash: 18, cgroup_storage: 19, reuseport_sockarray: 20,
  percpu_cgroup_storage: 21, queue: 22, stack: 23, sk_storage: 24, devmap_hash: 25, struct_ops: 26, ringbuf: 27,
  inode_storage: 28, task_storage: 29, bloom_filter: 30, user_ringbuf: 31, cgrp_storage: 32, arena: 33,
} as const;
export type MapTypeName = keyof typeof MAP_TYPES;
const MAX_MAP_TYPE = 34;

/** The types wabpf implements. */
export const IMPLEMENTED_MAP_TYPES: readonly MapTypeName[] = [
  "hash", "array", "prog_array", "percpu_hash", "percpu_array", "lru_hash", "lru_percpu_hash", "array_of_maps",
  "hash_of_maps", "queue", "stack", "bloom_filter", "perf_event_array", "ringbuf", "task_storage",
];

/** BPF_F_* map flags. */
export const MAP_FLAGS = {
  NO_PREALLOC: 1 << 0,
  NO_COMMON_LRU: 1 << 1,
  NUMA_NODE: 1 << 2,
  RDONLY: 1 << 3,
  WRONLY: 1 << 4,
  STACK_BUILD_ID: 1 << 5,
  ZERO_SEED: 1 << 6,
  RDONLY_PROG: 1 << 7,
  WRONLY_PROG: 1 << 8,
  CLONE: 1 << 9,
  MMAPABLE: 1 << 10,
  PRESERVE_ELEMS: 1 << 11,
  INNER_MAP: 1 << 12,
  LINK: 1 << 13,
  PATH_FD: 1 << 14,
  VTYPE_BTF_OBJ_FD: 1 << 15,
  TOKEN_FD: 1 << 16,
  SEGV_ON_FAULT: 1 << 17,
  NO_USER_CONV: 1 << 18,
} as const;

/** Update flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK). */
export const UPDATE_FLAGS = { ANY: 0, NOEXIST: 1, EXIST: 2, F_LOCK: 4 } as const;

const F = MAP_FLAGS;
const ACCESS_MASK = F.RDONLY | F.WRONLY | F.RDONLY_PROG | F.WRONLY_PROG;
const ARRAY_CREATE_MASK = F.NUMA_NODE | F.MMAPABLE | ACCESS_MASK | F.PRESERVE_ELEMS | F.INNER_MAP;
const HTAB_CREATE_MASK = F.NO_PREALLOC | F.NO_COMMON_LRU | F.NUMA_NODE | ACCESS_MASK | F.ZERO_SEED;
const QUEUE_STACK_CREATE_MASK = F.NUMA_NODE | ACCESS_MASK;
const BLOOM_CREATE_MASK = F.NUMA_NODE | F.ZERO_SEED | ACCESS_MASK;
const LOCAL_STORAGE_CREATE_MASK = F.NO_PREALLOC | F.CLONE;
/**
 * BPF_LOCAL_STORAGE_MAX_VALUE_SIZE: U16_MAX less sizeof(struct bpf_local_storage_elem), 128 on
 * x86-64 (its data is cacheline-aligned after 61 bytes of links and state).
 */
export const LOCAL_STORAGE_MAX_VALUE_SIZE = 0xffff - 128;
/** KMALLOC_MAX_SIZE on x86-64 (order-10 pages). */
const KMALLOC_MAX_SIZE = 1 << 22;
/** sizeof(struct htab_elem) on x86-64. */
const HTAB_ELEM_SIZE = 48;
/** PCPU_MIN_UNIT_SIZE: the largest per-CPU value. */
const PCPU_MIN_UNIT_SIZE = 32768;
const INT_MAX = 0x7fffffff;
/** wabpf's largest ring buffer (src/runtime/output.ts MAX_RINGBUF_SIZE). */
const RINGBUF_MAX_SIZE = 1 << 29;

export interface MapAttrs {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly mapExtra: bigint;
}

/** The map type number for a name or number (a number is passed through for the kernel's checks). */
export function mapTypeNumber(t: MapTypeName | number): number {
  if (typeof t === "number") return t;
  const n = MAP_TYPES[t];
  if (n === undefined) throw new BpfError("EINVAL", "create", `unknown map type ${String(t)}`);
  return n;
}

export function mapTypeName(n: number): string {
  for (const [k, v] of Object.entries(MAP_TYPES)) if (v === n) return k;
  return `type ${n}`;
}

const fail = (code: Errno, why: string): never => {
  throw new BpfError(code, "create", why);
};

const accessOk = (flags: number): boolean => (flags & (F.RDONLY_PROG | F.WRONLY_PROG)) !== (F.RDONLY_PROG | F.WRONLY_PROG);
const round8 = (x: number): number => Math.ceil(x / 8) * 8;

/**
 * Check a creation request as the kernel does, in its order; returns the max_entries the
 * map really gets (an LRU map with BPF_F_NO_COMMON_LRU gets a multiple of the CPU count).
 */
export function checkCreate(a: MapAttrs, ncpus: number): number {
  const t = a.type;
  // map_create: map_extra only for bloom filters (and arenas), then the file mode flags
  if (t !== MAP_TYPES.bloom_filter && t !== MAP_TYPES.arena && a.mapExtra !== 0n) fail("EINVAL", "map_extra is only for bloom filters");
  if ((a.flags & F.RDONLY) !== 0 && (a.flags & F.WRONLY) !== 0) fail("EINVAL", "BPF_F_RDONLY and BPF_F_WRONLY together");
  if (!Number.isInteger(t) || t <= 0 || t >= MAX_MAP_TYPE) fail("EINVAL", `no map type ${t}`);
  const name = mapTypeName(t) as MapTypeName;
  if (!IMPLEMENTED_MAP_TYPES.includes(name)) throw new NotSupportedError(`map type ${name} is not implemented yet`);
  const { keySize: ks, valueSize: vs, maxEntries: max, flags } = a;
  switch (name) {
    case "array":
    case "percpu_array":
    case "prog_array":
    case "perf_event_array":
    case "array_of_maps": {
      if (name === "prog_array" || name === "array_of_maps" || name === "perf_event_array") {
        // fd arrays hold a u32 fd; programs cannot be restricted to reading or writing them
        if (vs !== 4) fail("EINVAL", "value_size must be 4 for an fd array");
        if ((flags & (F.RDONLY_PROG | F.WRONLY_PROG)) !== 0) fail("EINVAL", "BPF_F_RDONLY_PROG/WRONLY_PROG on an fd array");
      }
      const percpu = name === "percpu_array";
      if (max === 0 || ks !== 4 || vs === 0 || (flags & ~ARRAY_CREATE_MASK) !== 0 || !accessOk(flags) || (percpu && (flags & F.NUMA_NODE) !== 0)) {
        fail("EINVAL", "array maps need key_size 4, value_size > 0, max_entries > 0 and array flags");
      }
      if (name !== "array" && (flags & (F.MMAPABLE | F.INNER_MAP)) !== 0) fail("EINVAL", "BPF_F_MMAPABLE/INNER_MAP only on plain arrays");
      if ((flags & F.PRESERVE_ELEMS) !== 0 && name !== "perf_event_array") fail("EINVAL", "BPF_F_PRESERVE_ELEMS only on perf event arrays");
      if (vs > INT_MAX) fail("E2BIG", "value_size too large");
      if (percpu && round8(vs) > PCPU_MIN_UNIT_SIZE) fail("E2BIG", "per-CPU value larger than 32 KiB");
      if (storageBytes(max, percpu ? round8(vs) * ncpus : round8(vs)) > MAX_STORAGE) fail("ENOMEM", "map storage too large");
      return max;
    }
    case "hash":
    case "percpu_hash":
    case "lru_hash":
    case "lru_percpu_hash":
    case "hash_of_maps": {
      if (name === "hash_of_maps" && vs !== 4) fail("EINVAL", "value_size must be 4 for a map-in-map");
      const lru = name === "lru_hash" || name === "lru_percpu_hash";
      const percpu = name === "percpu_hash" || name === "lru_percpu_hash";
      const prealloc = (flags & F.NO_PREALLOC) === 0;
      const percpuLru = (flags & F.NO_COMMON_LRU) !== 0;
      if ((flags & ~HTAB_CREATE_MASK) !== 0 || !accessOk(flags)) fail("EINVAL", "flags not valid for a hash map");
      if (!lru && percpuLru) fail("EINVAL", "BPF_F_NO_COMMON_LRU without an LRU map");
      if (lru && !prealloc) fail("ENOTSUPP", "LRU maps are always preallocated");
      if ((flags & F.NUMA_NODE) !== 0 && (percpu || percpuLru)) fail("EINVAL", "BPF_F_NUMA_NODE on a per-CPU map");
      if (max === 0 || ks === 0 || vs === 0) fail("EINVAL", "hash maps need key_size, value_size and max_entries > 0");
      if (ks + vs >= KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE) fail("E2BIG", "key_size + value_size too large");
      if (percpu && round8(vs) > PCPU_MIN_UNIT_SIZE) fail("E2BIG", "per-CPU value larger than 32 KiB");
      let entries = max;
      if (percpuLru) {
        // every CPU's list gets the same number of elements
        entries = Math.ceil(max / ncpus) * ncpus;
        if (entries > 0xffffffff) entries = Math.floor(max / ncpus) * ncpus;
      }
      if (entries > 2 ** 31) fail("E2BIG", "max_entries above 2^31");
      if (2 ** Math.ceil(Math.log2(entries)) > 2 ** 28) fail("E2BIG", "too many buckets");
      const elem = HTAB_ELEM_SIZE + round8(ks) + (percpu ? 8 + round8(vs) * ncpus : round8(vs));
      if (prealloc && storageBytes(entries, elem) > MAX_STORAGE) fail("ENOMEM", "map storage too large");
      if (storageBytes(2 ** Math.ceil(Math.log2(entries)), 4) > MAX_STORAGE) fail("ENOMEM", "bucket array too large");
      return entries;
    }
    case "queue":
    case "stack":
      if (max === 0 || ks !== 0 || vs === 0 || (flags & ~QUEUE_STACK_CREATE_MASK) !== 0 || !accessOk(flags)) {
        fail("EINVAL", "queue/stack maps need key_size 0, value_size > 0 and max_entries > 0");
      }
      if (vs > KMALLOC_MAX_SIZE) fail("E2BIG", "value_size too large");
      if (storageBytes(max + 1, vs) > MAX_STORAGE) fail("ENOMEM", "map storage too large");
      return max;
    case "ringbuf":
      // ringbuf_map_alloc: only BPF_F_NUMA_NODE; no key or value; a power-of-2, page-aligned size
      if ((flags & ~F.NUMA_NODE) !== 0) fail("EINVAL", "flags not valid for a ring buffer");
      if (ks !== 0 || vs !== 0 || max === 0 || (max & (max - 1)) !== 0 || max % 4096 !== 0) {
        fail("EINVAL", "ring buffers need key_size 0, value_size 0 and a power-of-2, page-aligned max_entries");
      }
      // Linux takes up to 2^31 (vmalloc'd); the wasm32 memory cannot hold that twice over
      if (max > RINGBUF_MAX_SIZE) fail("ENOMEM", "ring buffer larger than wabpf's 512 MiB limit");
      return max;
    case "task_storage":
      // bpf_local_storage_map_alloc_check: BPF_F_NO_PREALLOC is required and there is no
      // max_entries (storage lives with its owner). Linux also requires BTF key and value type
      // ids; wabpf's map specs carry no BTF, so that check is not made.
      if ((flags & ~LOCAL_STORAGE_CREATE_MASK) !== 0 || (flags & F.NO_PREALLOC) === 0 || max !== 0 || ks !== 4 || vs === 0) {
        fail("EINVAL", "local storage maps need BPF_F_NO_PREALLOC, max_entries 0, key_size 4 and value_size > 0");
      }
      if (vs > LOCAL_STORAGE_MAX_VALUE_SIZE) fail("E2BIG", "value_size too large for local storage");
      return 0;
    case "bloom_filter":
      if (vs > KMALLOC_MAX_SIZE) fail("E2BIG", "value_size too large");
      if (ks !== 0 || vs === 0 || max === 0 || (flags & ~BLOOM_CREATE_MASK) !== 0 || !accessOk(flags) || (a.mapExtra & ~0xfn) !== 0n) {
        fail("EINVAL", "bloom filters need key_size 0, value_size > 0, max_entries > 0 and map_extra < 16");
      }
      return max;
  }
  return fail("EINVAL", `no map type ${t}`);
}

/** The most storage one map may take in the shared memory (the wasm32 address space is 4 GiB). */
const MAX_STORAGE = 1 << 30;
const storageBytes = (n: number, each: number): number => n * each;

export const isPercpuType = (t: number): boolean => t === MAP_TYPES.percpu_hash || t === MAP_TYPES.percpu_array || t === MAP_TYPES.lru_percpu_hash;
export const isHashType = (t: number): boolean =>
  t === MAP_TYPES.hash || t === MAP_TYPES.percpu_hash || t === MAP_TYPES.lru_hash || t === MAP_TYPES.lru_percpu_hash || t === MAP_TYPES.hash_of_maps;
export const isFdArray = (t: number): boolean => t === MAP_TYPES.prog_array || t === MAP_TYPES.array_of_maps || t === MAP_TYPES.perf_event_array;
export const isMapInMap = (t: number): boolean => t === MAP_TYPES.array_of_maps || t === MAP_TYPES.hash_of_maps;
/** Storage owned by a kernel object (a task), keyed by a pidfd from user space (wabpf: a pid). */
export const isLocalStorage = (t: number): boolean => t === MAP_TYPES.task_storage;
/**
 * How many owners a local storage map holds at most in wabpf (Linux has no limit but memory):
 * it is a no-prealloc hash map keyed by the owner's guest address.
 */
export const LOCAL_STORAGE_CAPACITY = 1 << 16;
export const isQueueStack = (t: number): boolean => t === MAP_TYPES.queue || t === MAP_TYPES.stack;
