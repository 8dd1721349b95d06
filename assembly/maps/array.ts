// ARRAY, PERCPU_ARRAY and the fd arrays (PROG_ARRAY, ARRAY_OF_MAPS) (kernel/bpf/arraymap.c
// semantics): max_entries values of round_up(value_size, 8) bytes, zeroed at creation, never
// deleted; per-CPU arrays keep one slot per CPU for each index. Fd arrays hold a u32 (an
// inner map pointer or a program id) or 0 for an empty slot.
import {
  BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, E2BIG, EEXIST, EINVAL, ENOENT, F_RDONLY_PROG, H_ELEMS, H_FLAGS, H_MAX, H_NCPU,
  H_TYPE, H_VS, H_VSTRIDE, T_ARRAY, T_PERCPU_ARRAY, addArea, copy, currentCpu, hdr, setHdr,
  mapAlloc,
} from "./common";

export function arrayInit(map: u32): bool {
  const t = hdr(map, H_TYPE);
  const max = hdr(map, H_MAX);
  const vstride = hdr(map, H_VSTRIDE);
  const n = t == T_PERCPU_ARRAY ? max * hdr(map, H_NCPU) : max;
  // fd arrays store a u32 per slot
  const stride = t == T_ARRAY || t == T_PERCPU_ARRAY ? vstride : 8;
  const elems = mapAlloc(map, n * stride);
  if (elems == 0) return false;
  setHdr(map, H_ELEMS, elems);
  if (t == T_ARRAY || t == T_PERCPU_ARRAY) {
    addArea(map, elems, elems + n * stride, stride, 0, hdr(map, H_VS), 1, stride, (hdr(map, H_FLAGS) & F_RDONLY_PROG) == 0);
  }
  return true;
}

@inline function slot(map: u32, idx: u32, cpu: u32): u32 {
  const t = hdr(map, H_TYPE);
  if (t == T_ARRAY) return hdr(map, H_ELEMS) + idx * hdr(map, H_VSTRIDE);
  if (t == T_PERCPU_ARRAY) return hdr(map, H_ELEMS) + (idx * hdr(map, H_NCPU) + cpu) * hdr(map, H_VSTRIDE);
  return hdr(map, H_ELEMS) + (idx << 3);
}

/** bpf_map_lookup_elem from a program: the value (this CPU's slot), the inner map of a map array, or 0. */
export function arrayLookup(map: u32, key: u32): u32 {
  const idx = load<u32>(key);
  if (idx >= hdr(map, H_MAX)) return 0;
  const t = hdr(map, H_TYPE);
  const p = slot(map, idx, currentCpu());
  return t == T_ARRAY || t == T_PERCPU_ARRAY ? p : load<u32>(p);
}

/** Copy for user space: every CPU's slot of a per-CPU array; the stored u32 of an fd array. */
export function arraySysLookup(map: u32, key: u32, out: u32): i32 {
  const idx = load<u32>(key);
  if (idx >= hdr(map, H_MAX)) return -ENOENT;
  const t = hdr(map, H_TYPE);
  if (t == T_ARRAY) copy(out, slot(map, idx, 0), hdr(map, H_VS));
  else if (t == T_PERCPU_ARRAY) copy(out, slot(map, idx, 0), hdr(map, H_NCPU) * hdr(map, H_VSTRIDE));
  else {
    const v = load<u32>(slot(map, idx, 0));
    if (v == 0) return -ENOENT;
    store<u32>(out, v);
  }
  return 0;
}

/** array_map_update_elem (programs and user space for ARRAY; programs for PERCPU_ARRAY). */
export function arrayUpdate(map: u32, key: u32, val: u32, flags: u64, onallcpus: bool): i32 {
  const t = hdr(map, H_TYPE);
  const idx = load<u32>(key);
  if (t == T_PERCPU_ARRAY && onallcpus) {
    if (flags > BPF_EXIST) return -EINVAL;
    if (idx >= hdr(map, H_MAX)) return -E2BIG;
    if (flags == BPF_NOEXIST) return -EEXIST;
    copy(slot(map, idx, 0), val, hdr(map, H_NCPU) * hdr(map, H_VSTRIDE));
    return 0;
  }
  if (t != T_ARRAY && t != T_PERCPU_ARRAY) {
    // fd arrays: user space goes through the host (fd translation); programs cannot update them
    if (flags != 0) return -EINVAL;
    if (idx >= hdr(map, H_MAX)) return -E2BIG;
    store<u32>(slot(map, idx, 0), load<u32>(val));
    return 0;
  }
  if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -EINVAL;
  if (idx >= hdr(map, H_MAX)) return -E2BIG;
  if ((flags & BPF_NOEXIST) != 0) return -EEXIST;
  if ((flags & BPF_F_LOCK) != 0) return -EINVAL; // no value holds a bpf_spin_lock (no BTF)
  copy(slot(map, idx, currentCpu()), val, hdr(map, H_VS));
  return 0;
}

export function arrayDelete(map: u32, key: u32): i32 {
  const t = hdr(map, H_TYPE);
  if (t == T_ARRAY || t == T_PERCPU_ARRAY) return -EINVAL;
  const idx = load<u32>(key);
  if (idx >= hdr(map, H_MAX)) return -E2BIG;
  const p = slot(map, idx, 0);
  if (load<u32>(p) == 0) return -ENOENT;
  store<u32>(p, 0);
  return 0;
}

/** Array order; a missing or out-of-range key starts at index 0. */
export function arrayNextKey(map: u32, key: u32, out: u32): i32 {
  const idx = key == 0 ? 0xffffffff : load<u32>(key);
  const max = hdr(map, H_MAX);
  if (idx >= max) {
    store<u32>(out, 0);
    return 0;
  }
  if (idx == max - 1) return -ENOENT;
  store<u32>(out, idx + 1);
  return 0;
}
