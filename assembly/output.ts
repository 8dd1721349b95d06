// Output to user space: BPF_MAP_TYPE_RINGBUF (kernel/bpf/ringbuf.c semantics) and the
// BPF_OUTPUT perf events behind BPF_MAP_TYPE_PERF_EVENT_ARRAY (bpf_perf_event_output in
// kernel/trace/bpf_trace.c writing into a kernel/events/ring_buffer.c buffer), with the
// helpers verified JIT code calls natively. User space (src/runtime/output.ts) reads the
// positions and records straight from the shared memory.
import { wabpf_alloc } from "./alloc";
import { HEADER_SIZE, H_ELEMS, H_FLAGS, H_ID, H_MAGIC, H_MAX, H_NCPU, H_TYPE, MAP_MAGIC, currentCpu, hdr, mapAlloc, mapFreeStorage, setHdr } from "./maps/common";

const T_RINGBUF: u32 = 27;
const EINVAL: i64 = 22;
const E2BIG: i64 = 7;
const ENOENT: i64 = 2;
const EAGAIN: i64 = 11;
const ENOSPC: i64 = 28;
const EOPNOTSUPP: i64 = 95;

// ------------------------------------------------------------------ ring buffer
// The record header the kernel writes before every sample: u32 len (bit 31 busy, bit 30
// discarded), u32 page offset of the header from the start of the kernel's bpf_ringbuf
// (one non-mappable page, the consumer page and the producer page come first).
export const RB_BUSY: u32 = 0x80000000;
export const RB_DISCARD: u32 = 0x40000000;
const RB_HDR: u32 = 8;
const RB_META_PAGES: u32 = 3;
const RB_MAX_RECORD: u64 = 0xffffffff / 4;
const RB_NO_WAKEUP: u64 = 1;
const RB_FORCE_WAKEUP: u64 = 2;

// Ring state (the host reads it): positions are u64 as the kernel's unsigned long.
export const R_MASK: u32 = 0;
export const R_CONS: u32 = 8;
export const R_PROD: u32 = 16;
export const R_PEND: u32 = 24;
export const R_DATA: u32 = 32;
export const R_NEXT: u32 = 36;
export const R_WAKEUPS: u32 = 40;
export const R_MAP: u32 = 48;
const R_SIZE: u32 = 56;

// every ring, for finding a record's ring from its header and for access checks
let rings: u32 = 0;

/**
 * Create a RINGBUF map of `size` data bytes (checked by the host: a power of 2, page
 * aligned). The data area is 2·size − 8 bytes: the kernel maps the data pages twice in a row
 * so that a record crossing the end is contiguous; here the part past the end lives in the
 * second copy and is written back to the start when the record is committed.
 */
export function wabpf_ringbuf_create(size: u32, flags: u32, id: u32, ncpus: u32): u32 {
  const map = wabpf_alloc(HEADER_SIZE);
  if (map == 0) return 0;
  const rb = mapAlloc(map, R_SIZE);
  const data = rb == 0 ? 0 : mapAlloc(map, 2 * size - RB_HDR);
  if (data == 0) {
    mapFreeStorage(map);
    return 0;
  }
  setHdr(map, H_TYPE, T_RINGBUF);
  setHdr(map, H_MAX, size);
  setHdr(map, H_FLAGS, flags);
  setHdr(map, H_NCPU, ncpus);
  setHdr(map, H_ID, id);
  setHdr(map, H_MAGIC, MAP_MAGIC);
  setHdr(map, H_ELEMS, rb);
  store<u64>(rb + R_MASK, <u64>size - 1);
  store<u32>(rb + R_DATA, data);
  store<u32>(rb + R_MAP, map);
  store<u32>(rb + R_NEXT, rings);
  rings = rb;
  return map;
}

/** Take a ring buffer map off the list of rings before it is freed (other maps: nothing). */
export function ringbufForget(map: u32): void {
  if (hdr(map, H_TYPE) != T_RINGBUF) return;
  let prev: u32 = 0;
  for (let rb = rings; rb != 0; rb = load<u32>(rb + R_NEXT)) {
    if (load<u32>(rb + R_MAP) == map) {
      if (prev == 0) rings = load<u32>(rb + R_NEXT);
      else store<u32>(prev + R_NEXT, load<u32>(rb + R_NEXT));
      return;
    }
    prev = rb;
  }
}

/** The ring state of a RINGBUF map. */
export function wabpf_ringbuf_state(map: u32): u32 {
  return hdr(map, H_ELEMS);
}

@inline function roundLen(len: u32): u64 {
  // the record's whole length: header, sample, padding to 8
  return (<u64>(len & ~(RB_BUSY | RB_DISCARD)) + RB_HDR + 7) & ~(<u64>7);
}

function reserve(rb: u32, size: u64): u32 {
  if (size > RB_MAX_RECORD) return 0;
  const len = (size + RB_HDR + 7) & ~(<u64>7);
  const mask = load<u64>(rb + R_MASK);
  if (len > mask + 1) return 0;
  const data = load<u32>(rb + R_DATA);
  const cons = load<u64>(rb + R_CONS);
  const prod = load<u64>(rb + R_PROD);
  // the oldest record not committed yet: no record may be reserved more than the ring's
  // size past it, or it would overwrite that record's bytes
  let pend = load<u64>(rb + R_PEND);
  while (pend < prod) {
    const l = load<u32>(data + <u32>(pend & mask));
    if ((l & RB_BUSY) != 0) break;
    pend += roundLen(l);
  }
  store<u64>(rb + R_PEND, pend);
  const next = prod + len;
  if (next - cons > mask || next - pend > mask) return 0;
  const off = <u32>(prod & mask);
  const size32 = <u32>(mask + 1);
  const end = <u64>off + len;
  // crossing the end: the second copy shows what the first holds there, as the double mapping would
  if (end > <u64>size32) memory.copy(data + size32, data, <u32>(end - size32));
  const h = data + off;
  store<u32>(h, <u32>size | RB_BUSY);
  store<u32>(h + 4, RB_META_PAGES + (off >> 12));
  store<u64>(rb + R_PROD, next);
  return h + RB_HDR;
}

/** The ring whose data area holds the record header at `h` (0: none). */
function ringOf(h: u32): u32 {
  for (let rb = rings; rb != 0; rb = load<u32>(rb + R_NEXT)) {
    const data = load<u32>(rb + R_DATA);
    if (h >= data && <u64>h < <u64>data + load<u64>(rb + R_MASK) + 1) return rb;
  }
  return 0;
}

function commit(sample: u32, flags: u64, discard: bool): void {
  const h = sample - RB_HDR;
  const rb = ringOf(h);
  if (rb == 0) return;
  const mask = load<u64>(rb + R_MASK);
  const data = load<u32>(rb + R_DATA);
  let l = load<u32>(h) ^ RB_BUSY;
  if (discard) l |= RB_DISCARD;
  const off = h - data;
  const end = <u64>off + roundLen(l);
  const size32 = <u32>(mask + 1);
  // the part written past the end belongs at the start of the ring
  if (end > <u64>size32) memory.copy(data, data + size32, <u32>(end - size32));
  store<u32>(h, l);
  const cons = <u32>(load<u64>(rb + R_CONS) & mask);
  if ((flags & RB_FORCE_WAKEUP) != 0 || (cons == off && (flags & RB_NO_WAKEUP) == 0)) {
    store<u64>(rb + R_WAKEUPS, load<u64>(rb + R_WAKEUPS) + 1);
  }
}

/** Whether [addr, addr+size) lies in the sample of a record reserved and not yet committed. */
export function wabpf_ringbuf_access(addr: u32, size: u32, write: u32): i32 {
  for (let rb = rings; rb != 0; rb = load<u32>(rb + R_NEXT)) {
    const data = load<u32>(rb + R_DATA);
    const mask = load<u64>(rb + R_MASK);
    if (addr < data || <u64>addr >= <u64>data + 2 * (mask + 1)) continue;
    const prod = load<u64>(rb + R_PROD);
    for (let pos = load<u64>(rb + R_CONS); pos < prod; ) {
      const h = data + <u32>(pos & mask);
      const l = load<u32>(h);
      const start = h + RB_HDR;
      if ((l & RB_BUSY) != 0 && addr >= start && <u64>addr + size <= <u64>start + (l & ~(RB_BUSY | RB_DISCARD))) return 1;
      pos += roundLen(l);
    }
    return 0;
  }
  return 0;
}

/** Whether `sample` is the sample address of a record reserved and not yet committed (what submit/discard take). */
export function wabpf_ringbuf_is_reserved(sample: u32): i32 {
  const h = sample - RB_HDR;
  const rb = ringOf(h);
  if (rb == 0) return 0;
  const data = load<u32>(rb + R_DATA);
  const mask = load<u64>(rb + R_MASK);
  const prod = load<u64>(rb + R_PROD);
  for (let pos = load<u64>(rb + R_CONS); pos < prod; ) {
    const at = data + <u32>(pos & mask);
    const l = load<u32>(at);
    if (at == h) return (l & RB_BUSY) != 0 ? 1 : 0;
    pos += roundLen(l);
  }
  return 0;
}

// bpf_ringbuf_output (130)
export function helper_ringbuf_output(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  if ((<u64>r4 & ~(RB_NO_WAKEUP | RB_FORCE_WAKEUP)) != 0) return -EINVAL;
  const rec = reserve(hdr(<u32>r1, H_ELEMS), <u64>r3);
  if (rec == 0) return -EAGAIN;
  memory.copy(rec, <u32>r2, <u32>r3);
  commit(rec, <u64>r4, false);
  return 0;
}

// bpf_ringbuf_reserve (131): NULL for any flags, a too large size or no room
export function helper_ringbuf_reserve(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  if (r3 != 0) return 0;
  return <i64>reserve(hdr(<u32>r1, H_ELEMS), <u64>r2);
}

// bpf_ringbuf_submit (132), bpf_ringbuf_discard (133): no flag is refused
export function helper_ringbuf_submit(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  commit(<u32>r1, <u64>r2, false);
  return 0;
}
export function helper_ringbuf_discard(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  commit(<u32>r1, <u64>r2, true);
  return 0;
}

// bpf_ringbuf_query (134): BPF_RB_AVAIL_DATA, RING_SIZE, CONS_POS, PROD_POS; 0 otherwise
export function helper_ringbuf_query(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const rb = hdr(<u32>r1, H_ELEMS);
  if (r2 == 0) return <i64>(load<u64>(rb + R_PROD) - load<u64>(rb + R_CONS));
  if (r2 == 1) return <i64>(load<u64>(rb + R_MASK) + 1);
  if (r2 == 2) return <i64>load<u64>(rb + R_CONS);
  if (r2 == 3) return <i64>load<u64>(rb + R_PROD);
  return 0;
}

// ------------------------------------------------------------------ perf events
// A BPF_OUTPUT software event bound to a CPU with its ring (the pages after the
// perf_event_mmap_page libbpf maps): data_head written here, data_tail by user space.
export const P_HEAD: u32 = 0;
export const P_TAIL: u32 = 8;
export const P_LOST: u32 = 16; // rb->lost: drops not reported yet
export const P_LOST_TOTAL: u32 = 24; // event->lost_samples
export const P_DATA: u32 = 32;
export const P_SIZE: u32 = 36;
export const P_CPU: u32 = 40;
export const P_ID: u32 = 44;
export const P_WAKEUPS: u32 = 48;
export const P_SAMPLES: u32 = 56;
export const P_OPEN: u32 = 64;
const P_STATE: u32 = 72;

const PERF_RECORD_LOST: u32 = 2;
const PERF_RECORD_SAMPLE: u32 = 9;
const PERF_RECORD_MISC_KERNEL: u32 = 1;
const LOST_SIZE: u32 = 24;
const MAX_EVENTS: u32 = 4096;
const events: u32 = <u32>memory.data(4 * 4096);
const INDEX_MASK: u64 = 0xffffffff;

/** Open event `id` (1..4095) on `cpu` with `dataSize` bytes of ring (a power-of-2 number of pages). */
export function wabpf_perf_event_open(id: u32, cpu: u32, dataSize: u32): u32 {
  if (id == 0 || id >= MAX_EVENTS) return 0;
  const ev = wabpf_alloc(P_STATE);
  if (ev == 0) return 0;
  const data = wabpf_alloc(dataSize);
  if (data == 0) return 0;
  store<u32>(ev + P_DATA, data);
  store<u32>(ev + P_SIZE, dataSize);
  store<u32>(ev + P_CPU, cpu);
  store<u32>(ev + P_ID, id);
  store<u32>(ev + P_OPEN, 1);
  store<u32>(events + (id << 2), ev);
  return ev;
}

/** Close an event: the program sees an empty slot (-ENOENT), as after the kernel releases the fd. */
export function wabpf_perf_event_close(id: u32): void {
  if (id == 0 || id >= MAX_EVENTS) return;
  const ev = load<u32>(events + (id << 2));
  if (ev != 0) store<u32>(ev + P_OPEN, 0);
  store<u32>(events + (id << 2), 0);
}

@inline function putBytes(ev: u32, pos: u64, src: u32, n: u32): void {
  const data = load<u32>(ev + P_DATA);
  const size = load<u32>(ev + P_SIZE);
  const off = <u32>(pos & <u64>(size - 1));
  const first = n < size - off ? n : size - off;
  memory.copy(data + off, src, first);
  if (first < n) memory.copy(data, src + first, n - first);
}

const tmp: u32 = <u32>memory.data(32);

@inline function putU64(ev: u32, pos: u64, v: u64): void {
  store<u64>(tmp, v);
  putBytes(ev, pos, tmp, 8);
}

function perfOutput(ev: u32, src: u32, size: u32): i64 {
  const raw: u32 = ((size + 4 + 7) & ~7); // u32 size + data, padded to 8
  const rec: u32 = 8 + raw;
  const lost = load<u64>(ev + P_LOST);
  const need: u64 = <u64>rec + (lost != 0 ? LOST_SIZE : 0);
  const head = load<u64>(ev + P_HEAD);
  const tail = load<u64>(ev + P_TAIL);
  const dsize = <u64>load<u32>(ev + P_SIZE);
  // CIRC_SPACE: one byte always stays free
  // perf_event_header.size is a u16: the kernel cannot describe a larger sample (wabpf refuses it)
  if (rec > 0xffff) return -E2BIG;
  if (((tail - (head + 1)) & (dsize - 1)) < need) {
    store<u64>(ev + P_LOST, lost + 1);
    store<u64>(ev + P_LOST_TOTAL, load<u64>(ev + P_LOST_TOTAL) + 1);
    return -ENOSPC;
  }
  let pos = head;
  if (lost != 0) {
    putU64(ev, pos, (<u64>LOST_SIZE << 48) | PERF_RECORD_LOST);
    putU64(ev, pos + 8, <u64>load<u32>(ev + P_ID));
    putU64(ev, pos + 16, lost);
    pos += LOST_SIZE;
    store<u64>(ev + P_LOST, 0);
  }
  putU64(ev, pos, (<u64>rec << 48) | (<u64>PERF_RECORD_MISC_KERNEL << 32) | PERF_RECORD_SAMPLE);
  store<u32>(tmp, raw - 4);
  putBytes(ev, pos + 8, tmp, 4);
  putBytes(ev, pos + 12, src, size);
  const pad = raw - 4 - size;
  if (pad != 0) {
    store<u64>(tmp, 0);
    putBytes(ev, pos + 12 + size, tmp, pad);
  }
  store<u64>(ev + P_HEAD, pos + rec);
  store<u64>(ev + P_SAMPLES, load<u64>(ev + P_SAMPLES) + 1);
  // wakeup_events = 1 (libbpf's perf_buffer): every sample wakes the reader
  store<u64>(ev + P_WAKEUPS, load<u64>(ev + P_WAKEUPS) + 1);
  return 0;
}

// bpf_perf_event_output (25): (ctx, map, flags, data, size)
export function helper_perf_event_output(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const flags = <u64>r3;
  if ((flags & ~INDEX_MASK) != 0) return -EINVAL;
  const map = <u32>r2;
  const cpu = currentCpu();
  let index = flags & INDEX_MASK;
  if (index == INDEX_MASK) index = cpu;
  if (index >= <u64>hdr(map, H_MAX)) return -E2BIG;
  const id = load<u32>(hdr(map, H_ELEMS) + (<u32>index << 3));
  if (id == 0 || id >= MAX_EVENTS) return -ENOENT;
  const ev = load<u32>(events + (id << 2));
  if (ev == 0) return -ENOENT;
  if (load<u32>(ev + P_CPU) != cpu) return -EOPNOTSUPP;
  return perfOutput(ev, <u32>r4, <u32>r5);
}
