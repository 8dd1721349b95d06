// Map dispatch: one entry point per operation, switching on the map type. The `wabpf_map_*`
// exports take guest addresses (map header, key, value) and return a value address or
// 0 / -errno, with the kernel's semantics for programs; `wabpf_map_sys_*` are the bpf()
// syscall's forms for user space (per-CPU values for every CPU, no LRU reference marking).
import { wabpf_alloc } from "../alloc";
import { ringbufForget } from "../output";
import {
  EINVAL, ENOENT, EOPNOTSUPP, H_ELEMS, H_FLAGS, H_ID, H_KS, H_MAGIC, H_MAX, H_NCPU, H_SEED, H_TYPE, H_VS, H_VSTRIDE,
  HEADER_SIZE, MAP_MAGIC, T_ARRAY, T_ARRAY_OF_MAPS, T_BLOOM_FILTER, T_HASH, T_HASH_OF_MAPS, T_LRU_HASH,
  T_LRU_PERCPU_HASH, T_PERCPU_ARRAY, T_PERCPU_HASH, T_PROG_ARRAY, T_QUEUE, T_STACK, hdr, mapFreeStorage, round8, setHdr, valueAccess,
} from "./common";
import { arrayDelete, arrayInit, arrayLookup, arrayNextKey, arraySysLookup, arrayUpdate } from "./array";
import { hashDelete, hashInit, hashLookup, hashLookupAndDelete, hashLookupBatch, hashNextKey, hashSysLookup, hashUpdate } from "./hash";
import { queueInit, queuePush, queueTake } from "./queue";
import { bloomInit, bloomPeek, bloomPush } from "./bloom";

const KIND_ARRAY: u32 = 1;
const KIND_HASH: u32 = 2;
const KIND_QUEUE: u32 = 3;
const KIND_BLOOM: u32 = 4;

@inline function kind(t: u32): u32 {
  switch (t) {
    case T_HASH:
    case T_PERCPU_HASH:
    case T_LRU_HASH:
    case T_LRU_PERCPU_HASH:
    case T_HASH_OF_MAPS:
      return KIND_HASH;
    case T_ARRAY:
    case T_PERCPU_ARRAY:
    case T_PROG_ARRAY:
    case T_ARRAY_OF_MAPS:
    case 4: // BPF_MAP_TYPE_PERF_EVENT_ARRAY: an fd array of perf event ids (assembly/output.ts)
      return KIND_ARRAY;
    case T_QUEUE:
    case T_STACK:
      return KIND_QUEUE;
    case T_BLOOM_FILTER:
      return KIND_BLOOM;
  }
  return 0;
}

/**
 * Allocate a map whose attributes the host has already validated (creation errors are the
 * host's, with the kernel's errno). Returns the header address, or 0 when memory ran out.
 */
export function wabpf_map_create(type: u32, keySize: u32, valueSize: u32, maxEntries: u32, flags: u32, ncpus: u32, mapExtra: u32, id: u32, seed: u32): u32 {
  const k = kind(type);
  if (k == 0) return 0;
  const map = wabpf_alloc(HEADER_SIZE);
  if (map == 0) return 0;
  setHdr(map, H_TYPE, type);
  setHdr(map, H_KS, keySize);
  setHdr(map, H_VS, valueSize);
  setHdr(map, H_MAX, maxEntries);
  setHdr(map, H_FLAGS, flags);
  setHdr(map, H_NCPU, ncpus);
  setHdr(map, H_ID, id);
  // inner-map pointers take an 8-byte slot, as the kernel stores a pointer
  setHdr(map, H_VSTRIDE, type == T_HASH_OF_MAPS ? 8 : round8(valueSize));
  setHdr(map, H_SEED, seed);
  setHdr(map, H_MAGIC, MAP_MAGIC);
  let ok = false;
  if (k == KIND_ARRAY) ok = arrayInit(map);
  else if (k == KIND_HASH) ok = hashInit(map);
  else if (k == KIND_QUEUE) ok = queueInit(map);
  else ok = bloomInit(map, mapExtra);
  if (ok) return map;
  mapFreeStorage(map);
  return 0;
}

/**
 * Free a map whose last reference is gone (the host counts them, as bpf_map_put does): all
 * its storage returns to the allocator and its header stops being a map. -EINVAL when `map`
 * is not a live map header.
 */
export function wabpf_map_free(map: u32): i32 {
  if (wabpf_is_map(map) == 0) return -EINVAL;
  ringbufForget(map);
  mapFreeStorage(map);
  return 0;
}

// ------------------------------------------------------------------ program side
export function wabpf_map_lookup(map: u32, key: u32): u32 {
  const t = hdr(map, H_TYPE);
  // ARRAY first: the hottest lookups, no other dispatch on the way
  if (t == T_ARRAY) {
    const idx = load<u32>(key);
    return idx < hdr(map, H_MAX) ? hdr(map, H_ELEMS) + idx * hdr(map, H_VSTRIDE) : 0;
  }
  const k = kind(t);
  if (k == KIND_HASH) return hashLookup(map, key);
  if (k == KIND_ARRAY) return t == T_PROG_ARRAY ? 0 : arrayLookup(map, key);
  return 0;
}

export function wabpf_map_update(map: u32, key: u32, val: u32, flags: u64): i32 {
  const t = hdr(map, H_TYPE);
  const k = kind(t);
  if (k == KIND_HASH) return t == T_HASH_OF_MAPS ? -EINVAL : hashUpdate(map, key, val, flags, false);
  if (k == KIND_ARRAY) return t == T_ARRAY || t == T_PERCPU_ARRAY ? arrayUpdate(map, key, val, flags, false) : -EINVAL;
  if (k == KIND_QUEUE) return queuePush(map, val, flags);
  return bloomPush(map, val, flags);
}

export function wabpf_map_delete(map: u32, key: u32): i32 {
  const t = hdr(map, H_TYPE);
  const k = kind(t);
  if (k == KIND_HASH) return hashDelete(map, key);
  if (k == KIND_ARRAY) return arrayDelete(map, key);
  if (k == KIND_QUEUE) return -EINVAL;
  return -EOPNOTSUPP;
}

export function wabpf_map_push(map: u32, val: u32, flags: u64): i32 {
  const k = kind(hdr(map, H_TYPE));
  if (k == KIND_QUEUE) return queuePush(map, val, flags);
  if (k == KIND_BLOOM) return bloomPush(map, val, flags);
  return -EINVAL;
}

export function wabpf_map_pop(map: u32, val: u32): i32 {
  const k = kind(hdr(map, H_TYPE));
  if (k == KIND_QUEUE) return queueTake(map, val, true);
  return k == KIND_BLOOM ? -EOPNOTSUPP : -EINVAL;
}

export function wabpf_map_peek(map: u32, val: u32): i32 {
  const k = kind(hdr(map, H_TYPE));
  if (k == KIND_QUEUE) return queueTake(map, val, false);
  if (k == KIND_BLOOM) return bloomPeek(map, val);
  return -EINVAL;
}

// ------------------------------------------------------------------ user-space side
/** BPF_MAP_LOOKUP_ELEM after the syscall's own checks; queue/stack/bloom peek. */
export function wabpf_map_sys_lookup(map: u32, key: u32, out: u32): i32 {
  const k = kind(hdr(map, H_TYPE));
  if (k == KIND_HASH) return hashSysLookup(map, key, out);
  if (k == KIND_ARRAY) return arraySysLookup(map, key, out);
  if (k == KIND_QUEUE) return queueTake(map, out, false);
  return bloomPeek(map, out);
}

/** BPF_MAP_UPDATE_ELEM: per-CPU maps take one value per CPU; inner maps arrive as header addresses. */
export function wabpf_map_sys_update(map: u32, key: u32, val: u32, flags: u64): i32 {
  const t = hdr(map, H_TYPE);
  const k = kind(t);
  if (k == KIND_HASH) return hashUpdate(map, key, val, flags, true);
  if (k == KIND_ARRAY) return arrayUpdate(map, key, val, flags, true);
  if (k == KIND_QUEUE) return queuePush(map, val, flags);
  return bloomPush(map, val, flags);
}

export function wabpf_map_sys_next(map: u32, key: u32, out: u32): i32 {
  const k = kind(hdr(map, H_TYPE));
  if (k == KIND_HASH) return hashNextKey(map, key, out);
  if (k == KIND_ARRAY) return arrayNextKey(map, key, out);
  if (k == KIND_QUEUE) return -EINVAL;
  return -EOPNOTSUPP;
}

/** BPF_MAP_LOOKUP_AND_DELETE_ELEM for hash maps and queue/stack (the host rejects the rest). */
export function wabpf_map_sys_lookup_and_delete(map: u32, key: u32, out: u32): i32 {
  const k = kind(hdr(map, H_TYPE));
  if (k == KIND_HASH) return hashLookupAndDelete(map, key, out);
  if (k == KIND_QUEUE) return queueTake(map, out, true);
  return -ENOENT;
}

/** BPF_MAP_LOOKUP(_AND_DELETE)_BATCH on a hash map: count at out[0], next bucket at out[4]. */
export function wabpf_map_sys_lookup_batch(map: u32, batch: u32, max: u32, keys: u32, vals: u32, del: u32, out: u32): i32 {
  return hashLookupBatch(map, batch, max, keys, vals, del != 0, out);
}

/** Whether [addr, addr+size) is inside the value of some map element (programs' loads and stores). */
export function wabpf_value_access(addr: u32, size: u32, write: u32): i32 {
  return valueAccess(addr, size, write != 0) ? 1 : 0;
}

/** Whether `map` is the header of a live map (helpers called with a bad r1 fail instead of reading garbage). */
export function wabpf_is_map(map: u32): i32 {
  return map >= <u32>__heap_base && (map & 7) == 0 && map + HEADER_SIZE <= <u32>memory.size() << 16 && hdr(map, H_MAGIC) == MAP_MAGIC ? 1 : 0;
}

export function wabpf_map_key_size(map: u32): u32 {
  return hdr(map, H_KS);
}
export function wabpf_map_value_size(map: u32): u32 {
  return hdr(map, H_VS);
}
