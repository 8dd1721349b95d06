// QUEUE and STACK (kernel/bpf/queue_stack_maps.c semantics): a ring of max_entries + 1
// slots of value_size bytes; push with BPF_EXIST overwrites the oldest value when full;
// pop/peek of an empty map zero the destination and fail with ENOENT.
import { BPF_EXIST, BPF_NOEXIST, E2BIG, EINVAL, ENOENT, H_ELEMS, H_MAX, H_QHEAD, H_QSIZE, H_QTAIL, H_TYPE, H_VS, T_STACK, copy, hdr, mapAlloc, setHdr } from "./common";

export function queueInit(map: u32): bool {
  const size = hdr(map, H_MAX) + 1;
  setHdr(map, H_QSIZE, size);
  const elems = mapAlloc(map, size * hdr(map, H_VS));
  if (elems == 0) return false;
  setHdr(map, H_ELEMS, elems);
  return true;
}

export function queuePush(map: u32, val: u32, flags: u64): i32 {
  if ((flags & BPF_NOEXIST) != 0 || flags > BPF_EXIST) return -EINVAL;
  const size = hdr(map, H_QSIZE);
  const vs = hdr(map, H_VS);
  const head = hdr(map, H_QHEAD);
  let next = head + 1;
  if (next >= size) next = 0;
  if (next == hdr(map, H_QTAIL)) {
    if (flags != BPF_EXIST) return -E2BIG;
    // full: drop the oldest value
    let tail = hdr(map, H_QTAIL) + 1;
    if (tail >= size) tail = 0;
    setHdr(map, H_QTAIL, tail);
  }
  copy(hdr(map, H_ELEMS) + head * vs, val, vs);
  setHdr(map, H_QHEAD, next);
  return 0;
}

/** pop (remove) or peek: a queue gives its oldest value, a stack its newest. */
export function queueTake(map: u32, out: u32, remove: bool): i32 {
  const vs = hdr(map, H_VS);
  const head = hdr(map, H_QHEAD);
  const tail = hdr(map, H_QTAIL);
  if (head == tail) {
    memory.fill(out, 0, vs);
    return -ENOENT;
  }
  const size = hdr(map, H_QSIZE);
  if (hdr(map, H_TYPE) == T_STACK) {
    let idx = head - 1;
    if (idx >= size) idx = size - 1;
    copy(out, hdr(map, H_ELEMS) + idx * vs, vs);
    if (remove) setHdr(map, H_QHEAD, idx);
    return 0;
  }
  copy(out, hdr(map, H_ELEMS) + tail * vs, vs);
  if (remove) {
    let t = tail + 1;
    if (t >= size) t = 0;
    setHdr(map, H_QTAIL, t);
  }
  return 0;
}
