// BLOOM_FILTER (kernel/bpf/bloom_filter.c semantics): map_extra's low 4 bits hash functions
// (5 when 0), a power-of-two bit array sized from max_entries × hashes × 7/5, jhash of the
// value seeded with hash_seed + i. With BPF_F_ZERO_SEED the bits are the kernel's exactly.
import { BPF_ANY, EINVAL, ENOENT, H_BMASK, H_BWORDS, H_ELEMS, H_MAX, H_NHASH, H_SEED, H_VS, hdr, jhash, jhash2, mapAlloc, setHdr } from "./common";

export function bloomInit(map: u32, extra: u32): bool {
  let nh = extra & 0xf;
  if (nh == 0) nh = 5;
  setHdr(map, H_NHASH, nh);
  const vs = hdr(map, H_VS);
  setHdr(map, H_BWORDS, (vs & 3) == 0 ? vs >> 2 : 0);
  let bits = <u64>hdr(map, H_MAX) * nh;
  let bytes: u64;
  let mask: u32;
  if (bits > 0xffffffff || (bits / 5) * 7 > 0xffffffff || (bits / 5) * 7 > (<u64>1 << 31)) {
    mask = 0xffffffff;
    bytes = <u64>1 << 29;
  } else {
    bits = (bits / 5) * 7;
    if (bits <= 64) bits = 64;
    else {
      let p: u64 = 1;
      while (p < bits) p <<= 1;
      bits = p;
    }
    bytes = bits >> 3;
    mask = <u32>(bits - 1);
  }
  bytes = (bytes + 7) & ~7;
  if (bytes > 0x40000000) return false;
  setHdr(map, H_BMASK, mask);
  const b = mapAlloc(map, <u32>bytes);
  if (b == 0) return false;
  setHdr(map, H_ELEMS, b);
  return true;
}

@inline function bit(map: u32, val: u32, i: u32): u32 {
  const words = hdr(map, H_BWORDS);
  const seed = hdr(map, H_SEED) + i;
  const h = words != 0 ? jhash2(val, words, seed) : jhash(val, hdr(map, H_VS), seed);
  return h & hdr(map, H_BMASK);
}

export function bloomPush(map: u32, val: u32, flags: u64): i32 {
  if (flags != BPF_ANY) return -EINVAL;
  const bits = hdr(map, H_ELEMS);
  const nh = hdr(map, H_NHASH);
  for (let i: u32 = 0; i < nh; i++) {
    const b = bit(map, val, i);
    const p = bits + (b >> 3);
    store<u8>(p, load<u8>(p) | (<u8>1 << <u8>(b & 7)));
  }
  return 0;
}

export function bloomPeek(map: u32, val: u32): i32 {
  const bits = hdr(map, H_ELEMS);
  const nh = hdr(map, H_NHASH);
  for (let i: u32 = 0; i < nh; i++) {
    const b = bit(map, val, i);
    if ((load<u8>(bits + (b >> 3)) & (<u8>1 << <u8>(b & 7))) == 0) return -ENOENT;
  }
  return 0;
}
