// Element walks for bpf_for_each_map_elem (kernel/bpf/hashtab.c bpf_for_each_hash_elem,
// arraymap.c bpf_for_each_array_elem): the JS helper runs the callback, these find the
// elements in the kernel's order and this CPU's value of each.
import {
  E_HASH, E_KEY, E_NEXT, H_BUCKETS, H_ELEMS, H_NBUCKETS, H_NCPU, H_TYPE, H_VOFF, H_VSTRIDE, T_ARRAY, T_LRU_PERCPU_HASH,
  T_PERCPU_HASH, currentCpu, hdr,
} from "./maps/common";

/** The element after `elem` (0: the first), bucket by bucket and along each bucket's chain; 0 after the last. */
export function wabpf_hash_iter_next(map: u32, elem: u32): u32 {
  const nb = hdr(map, H_NBUCKETS);
  let i: u32 = 0;
  if (elem != 0) {
    const n = load<u32>(elem + E_NEXT);
    if (n != 0) return n;
    i = (load<u32>(elem + E_HASH) & (nb - 1)) + 1;
  }
  const buckets = hdr(map, H_BUCKETS);
  for (; i < nb; i++) {
    const e = load<u32>(buckets + (i << 2));
    if (e != 0) return e;
  }
  return 0;
}

/** Where a hash element keeps its key. */
export function wabpf_hash_elem_key(elem: u32): u32 {
  return elem + E_KEY;
}

/** A hash element's value as a program sees it (this CPU's slot of a per-CPU map). */
export function wabpf_hash_elem_value(map: u32, elem: u32): u32 {
  const v = elem + hdr(map, H_VOFF);
  const t = hdr(map, H_TYPE);
  return t == T_PERCPU_HASH || t == T_LRU_PERCPU_HASH ? load<u32>(v) + currentCpu() * hdr(map, H_VSTRIDE) : v;
}

/** Index `idx` of an ARRAY or PERCPU_ARRAY as a program sees it (this CPU's slot). */
export function wabpf_array_elem_value(map: u32, idx: u32): u32 {
  const stride = hdr(map, H_VSTRIDE);
  if (hdr(map, H_TYPE) == T_ARRAY) return hdr(map, H_ELEMS) + idx * stride;
  return hdr(map, H_ELEMS) + (idx * hdr(map, H_NCPU) + currentCpu()) * stride;
}

/** What slot `idx` of a PROG_ARRAY (or map array) holds: a program id (inner map address), 0 when empty. */
export function wabpf_fd_array_get(map: u32, idx: u32): u32 {
  return load<u32>(hdr(map, H_ELEMS) + (idx << 3));
}
