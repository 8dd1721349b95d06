// HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH and HASH_OF_MAPS (kernel/bpf/hashtab.c
// semantics): jhash-placed buckets of singly linked elements, new elements at the bucket
// head (which decides get_next_key order), preallocated elements on per-CPU free lists
// unless BPF_F_NO_PREALLOC, a spare element per CPU that a plain hash map swaps in when an
// update replaces a key (so a pointer from an earlier lookup keeps the old value, as in the
// kernel), and in-place updates for per-CPU values and inner-map pointers.
import {
  BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, E2BIG, E_HASH, E_KEY, E_NEXT, EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC, F_NO_COMMON_LRU,
  F_NO_PREALLOC, F_RDONLY_PROG, H_BUCKETS, H_CHUNK, H_CHUNK_AT, H_COUNT, H_ELEM, H_ELEMS, H_EXTRA, H_FLAGS, H_FREE,
  H_KS, H_KSTRIDE, H_LRU, H_MAX, H_NBUCKETS, H_NCPU, H_PCPU, H_PREALLOC, H_SEED, H_TYPE, H_VOFF, H_VS, H_VSTRIDE,
  T_HASH_OF_MAPS, T_LRU_HASH, T_LRU_PERCPU_HASH, T_PERCPU_HASH, addArea, copy, currentCpu, hdr, jhash, jhash2,
  keyEqual, round8, setHdr,
  mapAlloc,
} from "./common";
import { lruCreate, lruPopFree, lruPushFree, lruSetRef } from "./lru";

const CHUNK_ELEMS: u32 = 64;

@inline function isPercpu(t: u32): bool {
  return t == T_PERCPU_HASH || t == T_LRU_PERCPU_HASH;
}
@inline function isLru(t: u32): bool {
  return t == T_LRU_HASH || t == T_LRU_PERCPU_HASH;
}

export function hashKey(map: u32, key: u32): u32 {
  const ks = hdr(map, H_KS);
  return (ks & 3) == 0 ? jhash2(key, ks >> 2, hdr(map, H_SEED)) : jhash(key, ks, hdr(map, H_SEED));
}

@inline function bucket(map: u32, hash: u32): u32 {
  return hdr(map, H_BUCKETS) + ((hash & (hdr(map, H_NBUCKETS) - 1)) << 2);
}

function findIn(map: u32, hash: u32, key: u32): u32 {
  const ks = hdr(map, H_KS);
  for (let e = load<u32>(bucket(map, hash)); e != 0; e = load<u32>(e + E_NEXT)) {
    if (load<u32>(e + E_HASH) == hash && keyEqual(e + E_KEY, key, ks)) return e;
  }
  return 0;
}

function unlink(map: u32, elem: u32): void {
  let link = bucket(map, load<u32>(elem + E_HASH));
  for (let e = load<u32>(link); e != 0; e = load<u32>(link)) {
    if (e == elem) {
      store<u32>(link, load<u32>(e + E_NEXT));
      return;
    }
    link = e + E_NEXT;
  }
}

function linkHead(map: u32, elem: u32): void {
  const b = bucket(map, load<u32>(elem + E_HASH));
  store<u32>(elem + E_NEXT, load<u32>(b));
  store<u32>(b, elem);
}

/** The program's view of an element's value: its own slot for per-CPU maps. */
@inline function valuePtr(map: u32, elem: u32, cpu: u32): u32 {
  const v = elem + hdr(map, H_VOFF);
  return isPercpu(hdr(map, H_TYPE)) ? load<u32>(v) + cpu * hdr(map, H_VSTRIDE) : v;
}

// ------------------------------------------------------------------ element allocation
function freelistPush(map: u32, elem: u32, cpu: u32): void {
  if (hdr(map, H_PREALLOC) != 0) {
    const h = hdr(map, H_FREE) + (cpu << 2);
    store<u32>(elem + E_NEXT, load<u32>(h));
    store<u32>(h, elem);
  } else {
    store<u32>(elem + E_NEXT, hdr(map, H_FREE));
    setHdr(map, H_FREE, elem);
  }
}

function freelistPop(map: u32, cpu: u32): u32 {
  if (hdr(map, H_PREALLOC) != 0) {
    // this CPU's list first, then the others in order (pcpu_freelist_pop)
    const ncpus = hdr(map, H_NCPU);
    let c = cpu;
    do {
      const h = hdr(map, H_FREE) + (c << 2);
      const e = load<u32>(h);
      if (e != 0) {
        store<u32>(h, load<u32>(e + E_NEXT));
        return e;
      }
      c = c + 1 >= ncpus ? 0 : c + 1;
    } while (c != cpu);
    return 0;
  }
  const e = hdr(map, H_FREE);
  if (e != 0) {
    setHdr(map, H_FREE, load<u32>(e + E_NEXT));
    memory.fill(e + hdr(map, H_VOFF), 0, hdr(map, H_ELEM) - hdr(map, H_VOFF));
    if (isPercpu(hdr(map, H_TYPE))) store<u32>(e + hdr(map, H_VOFF), e + hdr(map, H_VOFF) + 8);
    return e;
  }
  // carve from the current chunk, allocating a new one when it is used up
  let left = hdr(map, H_CHUNK);
  const size = hdr(map, H_ELEM);
  if (left == 0) {
    const max = hdr(map, H_MAX);
    const n = max < CHUNK_ELEMS ? max : CHUNK_ELEMS;
    const chunk = mapAlloc(map, n * size);
    if (chunk == 0) return 0;
    registerElemArea(map, chunk, n);
    setHdr(map, H_CHUNK_AT, chunk);
    left = n;
  }
  const at = hdr(map, H_CHUNK_AT);
  setHdr(map, H_CHUNK, left - 1);
  setHdr(map, H_CHUNK_AT, at + size);
  if (isPercpu(hdr(map, H_TYPE))) store<u32>(at + hdr(map, H_VOFF), at + hdr(map, H_VOFF) + 8);
  return at;
}

function registerElemArea(map: u32, start: u32, n: u32): void {
  const t = hdr(map, H_TYPE);
  if (t == T_HASH_OF_MAPS) return;
  const size = hdr(map, H_ELEM);
  const writable = (hdr(map, H_FLAGS) & F_RDONLY_PROG) == 0;
  const vs = hdr(map, H_VS);
  const vstride = hdr(map, H_VSTRIDE);
  if (!isPercpu(t)) addArea(map, start, start + n * size, size, hdr(map, H_VOFF), vs, 1, vstride, writable);
  else if (hdr(map, H_PREALLOC) == 0) addArea(map, start, start + n * size, size, hdr(map, H_VOFF) + 8, vs, hdr(map, H_NCPU), vstride, writable);
}

/** Free an element that is no longer in its bucket (free_htab_elem / htab_lru_push_free). */
function freeElem(map: u32, elem: u32, cpu: u32): void {
  setHdr(map, H_COUNT, hdr(map, H_COUNT) - 1);
  if (isLru(hdr(map, H_TYPE))) lruPushFree(hdr(map, H_LRU), elem);
  else freelistPush(map, elem, cpu);
}

// ------------------------------------------------------------------ creation
/** Allocate buckets and (unless BPF_F_NO_PREALLOC) every element; false on ENOMEM. */
export function hashInit(map: u32): bool {
  const t = hdr(map, H_TYPE);
  const max = hdr(map, H_MAX);
  const ncpus = hdr(map, H_NCPU);
  const flags = hdr(map, H_FLAGS);
  let nb: u32 = 1;
  while (nb < max) nb <<= 1;
  setHdr(map, H_NBUCKETS, nb);
  const buckets = mapAlloc(map, nb << 2);
  if (buckets == 0) return false;
  setHdr(map, H_BUCKETS, buckets);
  const kstride = round8(hdr(map, H_KS));
  setHdr(map, H_KSTRIDE, kstride);
  setHdr(map, H_VOFF, E_KEY + kstride);
  const vstride = hdr(map, H_VSTRIDE);
  const percpu = isPercpu(t);
  const prealloc = (flags & F_NO_PREALLOC) == 0;
  setHdr(map, H_PREALLOC, prealloc ? 1 : 0);
  // no-prealloc per-CPU elements carry their values inline, after the pointer to them
  const size = E_KEY + kstride + (percpu ? 8 + (prealloc ? 0 : ncpus * vstride) : vstride);
  setHdr(map, H_ELEM, size);
  if (!prealloc) return true;
  // a plain hash map keeps one spare element per CPU for updates that replace a key
  const extra = !percpu && !isLru(t);
  const n = max + (extra ? ncpus : 0);
  const elems = mapAlloc(map, n * size);
  if (elems == 0) return false;
  setHdr(map, H_ELEMS, elems);
  if (percpu) {
    const block = ncpus * vstride;
    const pcpu = mapAlloc(map, n * block);
    if (pcpu == 0) return false;
    setHdr(map, H_PCPU, pcpu);
    for (let i: u32 = 0; i < n; i++) store<u32>(elems + i * size + E_KEY + kstride, pcpu + i * block);
    addArea(map, pcpu, pcpu + n * block, vstride, 0, hdr(map, H_VS), 1, vstride, (flags & F_RDONLY_PROG) == 0);
  } else {
    registerElemArea(map, elems, n);
  }
  if (isLru(t)) {
    const lru = lruCreate(map, elems, n, size, ncpus, (flags & F_NO_COMMON_LRU) != 0);
    if (lru == 0) return false;
    setHdr(map, H_LRU, lru);
    return true;
  }
  const heads = mapAlloc(map, ncpus << 2);
  if (heads == 0) return false;
  setHdr(map, H_FREE, heads);
  // the same share of elements on each CPU's free list (pcpu_freelist_populate)
  const per = n / ncpus + 1;
  let i: u32 = 0;
  for (let c: u32 = 0; c < ncpus && i < n; c++) {
    do {
      freelistPush(map, elems + i * size, c);
      i++;
    } while (i < n && i % per != 0);
  }
  if (extra) {
    const spares = mapAlloc(map, ncpus << 2);
    if (spares == 0) return false;
    setHdr(map, H_EXTRA, spares);
    for (let c: u32 = 0; c < ncpus; c++) store<u32>(spares + (c << 2), freelistPop(map, 0));
  }
  return true;
}

// ------------------------------------------------------------------ operations
/** bpf_map_lookup_elem from a program: the value (this CPU's slot), or 0. LRU maps mark the element referenced. */
export function hashLookup(map: u32, key: u32): u32 {
  const e = findIn(map, hashKey(map, key), key);
  if (e == 0) return 0;
  const t = hdr(map, H_TYPE);
  if (isLru(t)) lruSetRef(e);
  if (t == T_HASH_OF_MAPS) return load<u32>(e + hdr(map, H_VOFF));
  return valuePtr(map, e, currentCpu());
}

/** Copy a lookup's value for user space (every CPU's slot, 8-byte strided); no LRU reference. */
export function hashSysLookup(map: u32, key: u32, out: u32): i32 {
  const e = findIn(map, hashKey(map, key), key);
  if (e == 0) return -ENOENT;
  copyOut(map, e, out);
  return 0;
}

function copyOut(map: u32, e: u32, out: u32): void {
  const t = hdr(map, H_TYPE);
  const v = e + hdr(map, H_VOFF);
  if (isPercpu(t)) copy(out, load<u32>(v), hdr(map, H_NCPU) * hdr(map, H_VSTRIDE));
  else if (t == T_HASH_OF_MAPS) store<u32>(out, load<u32>(v));
  else copy(out, v, hdr(map, H_VS));
}

function checkFlags(old: u32, flags: u64): i32 {
  const f = flags & ~BPF_F_LOCK;
  if (old != 0 && f == BPF_NOEXIST) return -EEXIST;
  if (old == 0 && f == BPF_EXIST) return -ENOENT;
  return 0;
}

/** Per-CPU value of a new or updated element: all CPUs from user space, else this CPU's only. */
function setPercpu(map: u32, pptr: u32, val: u32, onallcpus: bool, init: bool): void {
  const vstride = hdr(map, H_VSTRIDE);
  const ncpus = hdr(map, H_NCPU);
  if (onallcpus) {
    copy(pptr, val, ncpus * vstride);
    return;
  }
  const cpu = currentCpu();
  if (!init) {
    copy(pptr + cpu * vstride, val, vstride);
    return;
  }
  // a new element from a program: the other CPUs' values start zeroed
  for (let c: u32 = 0; c < ncpus; c++) {
    if (c == cpu) copy(pptr + c * vstride, val, vstride);
    else memory.fill(pptr + c * vstride, 0, hdr(map, H_VS));
  }
}

/** map_update_elem; `onallcpus` is the syscall's per-CPU form (one value per CPU). */
export function hashUpdate(map: u32, key: u32, val: u32, flags: u64, onallcpus: bool): i32 {
  const t = hdr(map, H_TYPE);
  const cpu = currentCpu();
  const hash = hashKey(map, key);
  const ks = hdr(map, H_KS);
  if (t == T_LRU_HASH || t == T_LRU_PERCPU_HASH) {
    if (flags > BPF_EXIST) return -EINVAL;
    const percpu = t == T_LRU_PERCPU_HASH;
    let fresh: u32 = 0;
    // LRU maps take a free element (evicting if needed) before looking at the key
    if (!percpu || flags != BPF_EXIST) {
      fresh = lruPopFree(hdr(map, H_LRU), hash, cpu);
      if (fresh == 0) return -ENOMEM;
      setHdr(map, H_COUNT, hdr(map, H_COUNT) + 1);
      copy(fresh + E_KEY, key, ks);
      if (!percpu) copy(fresh + hdr(map, H_VOFF), val, hdr(map, H_VS));
    }
    const old = findIn(map, hash, key);
    const err = checkFlags(old, flags);
    if (err != 0) {
      if (fresh != 0) freeElem(map, fresh, cpu);
      return err;
    }
    if (percpu) {
      if (old != 0) {
        lruSetRef(old);
        setPercpu(map, load<u32>(old + hdr(map, H_VOFF)), val, onallcpus, false);
        if (fresh != 0) freeElem(map, fresh, cpu);
      } else {
        setPercpu(map, load<u32>(fresh + hdr(map, H_VOFF)), val, onallcpus, true);
        linkHead(map, fresh);
      }
      return 0;
    }
    linkHead(map, fresh);
    if (old != 0) {
      lruSetRef(fresh);
      unlink(map, old);
      freeElem(map, old, cpu);
    }
    return 0;
  }
  if (t == T_PERCPU_HASH || t == T_HASH_OF_MAPS) {
    // values are updated in place
    if (flags > BPF_EXIST) return -EINVAL;
    const old = findIn(map, hash, key);
    const err = checkFlags(old, flags);
    if (err != 0) return err;
    if (old != 0) {
      if (t == T_HASH_OF_MAPS) store<u32>(old + hdr(map, H_VOFF), load<u32>(val));
      else setPercpu(map, load<u32>(old + hdr(map, H_VOFF)), val, onallcpus, false);
      return 0;
    }
    const e = allocElem(map, 0, cpu);
    if (e == 0) return -E2BIG;
    store<u32>(e + E_HASH, hash);
    copy(e + E_KEY, key, ks);
    if (t == T_HASH_OF_MAPS) store<u32>(e + hdr(map, H_VOFF), load<u32>(val));
    else setPercpu(map, load<u32>(e + hdr(map, H_VOFF)), val, onallcpus, true);
    linkHead(map, e);
    return 0;
  }
  // plain hash: a new element every time; a replaced one is unlinked after the new one is in
  if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -EINVAL;
  if ((flags & BPF_F_LOCK) != 0) return -EINVAL; // no value holds a bpf_spin_lock (no BTF)
  const old = findIn(map, hash, key);
  const err = checkFlags(old, flags);
  if (err != 0) return err;
  const e = allocElem(map, old, cpu);
  if (e == 0) return -E2BIG;
  store<u32>(e + E_HASH, hash);
  copy(e + E_KEY, key, ks);
  copy(e + hdr(map, H_VOFF), val, hdr(map, H_VS));
  linkHead(map, e);
  if (old != 0) {
    unlink(map, old);
    if (hdr(map, H_PREALLOC) == 0) freeElem(map, old, cpu);
    else setHdr(map, H_COUNT, hdr(map, H_COUNT) - 1);
  }
  return 0;
}

/** alloc_htab_elem: the CPU's spare element when replacing (prealloc), else a free one; 0 means E2BIG. */
function allocElem(map: u32, old: u32, cpu: u32): u32 {
  let e: u32;
  if (hdr(map, H_PREALLOC) != 0) {
    if (old != 0 && hdr(map, H_EXTRA) != 0) {
      const slot = hdr(map, H_EXTRA) + (cpu << 2);
      e = load<u32>(slot);
      store<u32>(slot, old);
    } else {
      e = freelistPop(map, cpu);
    }
  } else {
    if (old == 0 && hdr(map, H_COUNT) >= hdr(map, H_MAX)) return 0;
    e = freelistPop(map, cpu);
  }
  if (e != 0) setHdr(map, H_COUNT, hdr(map, H_COUNT) + 1);
  return e;
}

export function hashDelete(map: u32, key: u32): i32 {
  const e = findIn(map, hashKey(map, key), key);
  if (e == 0) return -ENOENT;
  unlink(map, e);
  freeElem(map, e, currentCpu());
  return 0;
}

/** Lookup-and-delete from user space: copy the value out, then delete. */
export function hashLookupAndDelete(map: u32, key: u32, out: u32): i32 {
  const e = findIn(map, hashKey(map, key), key);
  if (e == 0) return -ENOENT;
  copyOut(map, e, out);
  unlink(map, e);
  freeElem(map, e, currentCpu());
  return 0;
}

/** get_next_key: the next element in its bucket, else the first of a later bucket; a missing key starts over. */
export function hashNextKey(map: u32, key: u32, out: u32): i32 {
  const ks = hdr(map, H_KS);
  const nb = hdr(map, H_NBUCKETS);
  let i: u32 = 0;
  if (key != 0) {
    const hash = hashKey(map, key);
    const e = findIn(map, hash, key);
    if (e != 0) {
      const n = load<u32>(e + E_NEXT);
      if (n != 0) {
        copy(out, n + E_KEY, ks);
        return 0;
      }
      i = (hash & (nb - 1)) + 1;
    }
  }
  const buckets = hdr(map, H_BUCKETS);
  for (; i < nb; i++) {
    const e = load<u32>(buckets + (i << 2));
    if (e != 0) {
      copy(out, e + E_KEY, ks);
      return 0;
    }
  }
  return -ENOENT;
}


/**
 * BPF_MAP_LOOKUP_BATCH / LOOKUP_AND_DELETE_BATCH on a hash map, bucket by bucket from bucket
 * `batch`: whole buckets only, ENOSPC when the first non-empty bucket does not fit in
 * `max`, ENOENT once the last bucket is done. Writes the count to out[0] and the next
 * bucket to out[4]; deleted LRU elements are freed after each bucket, last copied first.
 */
export function hashLookupBatch(map: u32, batch: u32, max: u32, keys: u32, vals: u32, del: bool, out: u32): i32 {
  const nb = hdr(map, H_NBUCKETS);
  store<u32>(out, 0);
  if (batch >= nb) return -ENOENT;
  const ks = hdr(map, H_KS);
  const t = hdr(map, H_TYPE);
  const vsz = isPercpu(t) ? hdr(map, H_NCPU) * hdr(map, H_VSTRIDE) : t == T_HASH_OF_MAPS ? 4 : hdr(map, H_VS);
  const cpu = currentCpu();
  let total: u32 = 0;
  let ret: i32 = 0;
  for (;;) {
    const head = hdr(map, H_BUCKETS) + (batch << 2);
    let cnt: u32 = 0;
    for (let e = load<u32>(head); e != 0; e = load<u32>(e + E_NEXT)) cnt++;
    if (cnt > max - total) {
      if (total == 0) ret = -ENOSPC;
      break;
    }
    let toFree: u32 = 0;
    let e = load<u32>(head);
    while (e != 0) {
      const nxt = load<u32>(e + E_NEXT);
      const at = total;
      copy(keys + at * ks, e + E_KEY, ks);
      copyOut(map, e, vals + at * vsz);
      total++;
      if (del) {
        unlink(map, e);
        if (isLru(t)) {
          // freed after the bucket, most recently unlinked first
          store<u32>(e + E_NEXT, toFree);
          toFree = e;
        } else {
          freeElem(map, e, cpu);
        }
      }
      e = nxt;
    }
    while (toFree != 0) {
      const n = load<u32>(toFree + E_NEXT);
      freeElem(map, toFree, cpu);
      toFree = n;
    }
    batch++;
    if (batch >= nb) {
      ret = -ENOENT;
      break;
    }
  }
  store<u32>(out, total);
  store<u32>(out, batch, 4);
  return ret;
}
