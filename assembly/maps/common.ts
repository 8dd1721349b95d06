// Shared pieces of the map implementations: the map header layout, constants with the
// kernel's numbers, key/value copying, the jhash family (Bob Jenkins' lookup3, which the
// kernel uses to place hash-map keys and bloom-filter bits) and the registry of value
// areas that programs may access through pointers returned by lookups.
import { wabpf_alloc, wabpf_free } from "../alloc";
import { CPU_ID_ADDR } from "../layout";

// enum bpf_map_type
export const T_HASH: u32 = 1;
export const T_ARRAY: u32 = 2;
export const T_PROG_ARRAY: u32 = 3;
export const T_PERCPU_HASH: u32 = 5;
export const T_PERCPU_ARRAY: u32 = 6;
export const T_LRU_HASH: u32 = 9;
export const T_LRU_PERCPU_HASH: u32 = 10;
export const T_ARRAY_OF_MAPS: u32 = 12;
export const T_HASH_OF_MAPS: u32 = 13;
export const T_QUEUE: u32 = 22;
export const T_STACK: u32 = 23;
export const T_BLOOM_FILTER: u32 = 30;

// map_flags
export const F_NO_PREALLOC: u32 = 1;
export const F_NO_COMMON_LRU: u32 = 2;
export const F_ZERO_SEED: u32 = 64;
export const F_RDONLY_PROG: u32 = 128;

// update flags
export const BPF_ANY: u64 = 0;
export const BPF_NOEXIST: u64 = 1;
export const BPF_EXIST: u64 = 2;
export const BPF_F_LOCK: u64 = 4;

// errno values returned negated, as the kernel's map ops return them
export const ENOENT: i32 = 2;
export const E2BIG: i32 = 7;
export const ENOMEM: i32 = 12;
export const EEXIST: i32 = 17;
export const EINVAL: i32 = 22;
export const ENOSPC: i32 = 28;
export const EOPNOTSUPP: i32 = 95;
/** The kernel-internal ENOTSUPP, which bpf() passes to user space unchanged. */
export const ENOTSUPP: i32 = 524;

// Map header: u32 fields at these offsets (the host reads some of them: keep in sync with
// src/runtime/map-layout.ts).
export const H_TYPE: u32 = 0;
export const H_KS: u32 = 4;
export const H_VS: u32 = 8;
export const H_MAX: u32 = 12;
export const H_FLAGS: u32 = 16;
export const H_NCPU: u32 = 20;
export const H_ID: u32 = 24;
export const H_VSTRIDE: u32 = 28; // value size rounded up to 8 (per-CPU slots, array elements)
export const H_ELEM: u32 = 32; // bytes per hash element
export const H_NBUCKETS: u32 = 36;
export const H_BUCKETS: u32 = 40;
export const H_COUNT: u32 = 44; // elements in use (hash), queue length
export const H_ELEMS: u32 = 48; // preallocated elements, array values, queue slots, bloom bits
export const H_FREE: u32 = 52; // per-CPU free-list heads (prealloc) or one head (no prealloc)
export const H_EXTRA: u32 = 56; // per-CPU spare element for replacing updates (plain hash)
export const H_SEED: u32 = 60; // hashrnd / bloom hash_seed
export const H_PCPU: u32 = 64; // per-CPU value block of preallocated per-CPU hash elements
export const H_INNER: u32 = 68; // inner map template (map-in-map)
export const H_QHEAD: u32 = 72;
export const H_QTAIL: u32 = 76;
export const H_QSIZE: u32 = 80;
export const H_NHASH: u32 = 84; // bloom: hash functions
export const H_BMASK: u32 = 88; // bloom: bit mask
export const H_BWORDS: u32 = 92; // bloom: value_size / 4 when value_size % 4 == 0
export const H_LRU: u32 = 96;
export const H_OWNED: u32 = 100; // the blocks this map owns (mapAlloc), freed with it
export const H_NEXT: u32 = 104;
export const H_MAGIC: u32 = 108;
export const H_KSTRIDE: u32 = 112; // key size rounded up to 8
export const H_VOFF: u32 = 116; // offset of the value (or per-CPU pointer) in a hash element
export const H_PREALLOC: u32 = 120;
export const H_CHUNK: u32 = 124; // no-prealloc: elements left in the current chunk
export const H_CHUNK_AT: u32 = 128; // no-prealloc: next unused element of the current chunk
export const HEADER_SIZE: u32 = 136;
export const MAP_MAGIC: u32 = 0x6d617073;

// Hash element: [next][hash][lru prev][lru next][type u8, ref u8, cpu u16][pad][key][value]
export const E_NEXT: u32 = 0;
export const E_HASH: u32 = 4;
export const E_LRU: u32 = 8; // the LRU list node: prev at +0, next at +4
export const E_TYPE: u32 = 16;
export const E_REF: u32 = 17;
export const E_CPU: u32 = 18;
export const E_KEY: u32 = 24;

@inline export function round8(x: u32): u32 {
  return (x + 7) & ~7;
}

@inline export function hdr(map: u32, field: u32): u32 {
  return load<u32>(map + field);
}

@inline export function setHdr(map: u32, field: u32, v: u32): void {
  store<u32>(map + field, v);
}

/** The simulated CPU the current program runs on (written by the engines at run start). */
@inline export function currentCpu(): u32 {
  return load<u32>(CPU_ID_ADDR);
}

export function keyEqual(a: u32, b: u32, n: u32): bool {
  let i: u32 = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  for (; i + 4 <= n; i += 4) if (load<u32>(a + i) != load<u32>(b + i)) return false;
  for (; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

@inline export function copy(dst: u32, src: u32, n: u32): void {
  memory.copy(dst, src, n);
}

// ------------------------------------------------------------------ jhash (lookup3)
@inline function rol(x: u32, k: u32): u32 {
  return rotl<u32>(x, k);
}

// a, b, c live in globals: AssemblyScript has no multiple return values
let ja: u32 = 0;
let jb: u32 = 0;
let jc: u32 = 0;

@inline function mix(): void {
  ja -= jc; ja ^= rol(jc, 4); jc += jb;
  jb -= ja; jb ^= rol(ja, 6); ja += jc;
  jc -= jb; jc ^= rol(jb, 8); jb += ja;
  ja -= jc; ja ^= rol(jc, 16); jc += jb;
  jb -= ja; jb ^= rol(ja, 19); ja += jc;
  jc -= jb; jc ^= rol(jb, 4); jb += ja;
}

@inline function final(): void {
  jc ^= jb; jc -= rol(jb, 14);
  ja ^= jc; ja -= rol(jc, 11);
  jb ^= ja; jb -= rol(ja, 25);
  jc ^= jb; jc -= rol(jb, 16);
  ja ^= jc; ja -= rol(jc, 4);
  jb ^= ja; jb -= rol(ja, 14);
  jc ^= jb; jc -= rol(jb, 24);
}

const JHASH_INITVAL: u32 = 0xdeadbeef;

/** jhash2: `words` u32 words at k. */
export function jhash2(k: u32, words: u32, initval: u32): u32 {
  ja = JHASH_INITVAL + (words << 2) + initval;
  jb = ja;
  jc = ja;
  let n = words;
  while (n > 3) {
    ja += load<u32>(k);
    jb += load<u32>(k, 4);
    jc += load<u32>(k, 8);
    mix();
    n -= 3;
    k += 12;
  }
  if (n == 0) return jc;
  if (n >= 3) jc += load<u32>(k, 8);
  if (n >= 2) jb += load<u32>(k, 4);
  ja += load<u32>(k);
  final();
  return jc;
}

/** jhash over `len` bytes at k (little-endian words, as on x86). */
export function jhash(k: u32, len: u32, initval: u32): u32 {
  ja = JHASH_INITVAL + len + initval;
  jb = ja;
  jc = ja;
  while (len > 12) {
    ja += load<u32>(k);
    jb += load<u32>(k, 4);
    jc += load<u32>(k, 8);
    mix();
    len -= 12;
    k += 12;
  }
  if (len == 0) return jc;
  // the tail: bytes 0..3 into a, 4..7 into b, 8..11 into c
  for (let i: u32 = 0; i < len; i++) {
    const v = <u32>load<u8>(k + i) << ((i & 3) << 3);
    if (i < 4) ja += v;
    else if (i < 8) jb += v;
    else jc += v;
  }
  final();
  return jc;
}

// ------------------------------------------------------------------ storage a map owns
// Every block a map allocates goes on its owner list ([next][block] nodes from H_OWNED), so
// that freeing the map (its last reference gone: bpf_map_free) returns all of it, however
// it grew (no-prealloc hash chunks arrive during updates).

/** Allocate `size` zeroed bytes owned by `map`; 0 when memory ran out. */
export function mapAlloc(map: u32, size: u32): u32 {
  const node = wabpf_alloc(8);
  if (node == 0) return 0;
  const block = wabpf_alloc(size);
  if (block == 0) {
    wabpf_free(node);
    return 0;
  }
  store<u32>(node, hdr(map, H_OWNED));
  store<u32>(node, block, 4);
  setHdr(map, H_OWNED, node);
  return block;
}

/** Free every block `map` owns, its value areas and its header. */
export function mapFreeStorage(map: u32): void {
  removeAreas(map);
  let node = hdr(map, H_OWNED);
  while (node != 0) {
    const next = load<u32>(node);
    wabpf_free(load<u32>(node, 4));
    wabpf_free(node);
    node = next;
  }
  setHdr(map, H_OWNED, 0);
  setHdr(map, H_MAGIC, 0);
  wabpf_free(map);
}

// ------------------------------------------------------------------ value areas
// Programs may load and store through a pointer a lookup returned. The host asks
// `valueAccess` whether an address range lies inside the value part of some map's storage.
// Area: [next][start][end][stride][voff][vlen][nval][vstep][writable][owner map]
let areas: u32 = 0;

export function addArea(map: u32, start: u32, end: u32, stride: u32, voff: u32, vlen: u32, nval: u32, vstep: u32, writable: bool): void {
  const a = wabpf_alloc(40);
  if (a == 0) return;
  store<u32>(a, areas);
  store<u32>(a, start, 4);
  store<u32>(a, end, 8);
  store<u32>(a, stride, 12);
  store<u32>(a, voff, 16);
  store<u32>(a, vlen, 20);
  store<u32>(a, nval, 24);
  store<u32>(a, vstep, 28);
  store<u32>(a, writable ? 1 : 0, 32);
  store<u32>(a, map, 36);
  areas = a;
}

function removeAreas(map: u32): void {
  let prev: u32 = 0;
  let a = areas;
  while (a != 0) {
    const next = load<u32>(a);
    if (load<u32>(a, 36) == map) {
      if (prev == 0) areas = next;
      else store<u32>(prev, next);
      wabpf_free(a);
    } else prev = a;
    a = next;
  }
}

export function valueAccess(addr: u32, size: u32, write: bool): bool {
  for (let a = areas; a != 0; a = load<u32>(a)) {
    const start = load<u32>(a, 4);
    if (addr < start || addr >= load<u32>(a, 8)) continue;
    if (<u64>addr + size > <u64>load<u32>(a, 8)) return false;
    if (write && load<u32>(a, 32) == 0) return false;
    const off = (addr - start) % load<u32>(a, 12);
    const voff = load<u32>(a, 16);
    if (off < voff) return false;
    const vstep = load<u32>(a, 28);
    const k = (off - voff) / vstep;
    if (k >= load<u32>(a, 24)) return false;
    return (off - voff) % vstep + size <= load<u32>(a, 20);
  }
  return false;
}
