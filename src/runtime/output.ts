// Output to user space: BPF_MAP_TYPE_RINGBUF and BPF_MAP_TYPE_PERF_EVENT_ARRAY's BPF_OUTPUT
// perf events. The producer side (the helpers) is AssemblyScript (assembly/output.ts) over the
// shared memory; this is the user-space side, shaped like libbpf's ring_buffer (ring_buffer__new,
// __add, __poll, __consume, __consume_n) and perf_buffer (perf_buffer__new, __poll, __consume),
// plus the helpers' interpreter entries and the map creation the syscall layer calls.
import { BpfError, RuntimeTrap, TrapKind, EbpfError } from "../errors.js";
import type { Helper, HelperCall } from "../exec/helpers.js";
import { HELPER } from "../isa/helpers.js";
import type { Machine } from "./machine.js";
import type { AsRuntimeExports } from "./as-runtime.js";
import type { BpfMap } from "./maps.js";
import { MAP_TYPES } from "./map-types.js";

/** The runtime exports of assembly/output.ts. */
const exportsOf = (m: Machine): AsRuntimeExports => m.rt.exports;

/** Record header bits (struct bpf_ringbuf_hdr.len). */
export const BPF_RINGBUF_BUSY_BIT = 0x80000000;
export const BPF_RINGBUF_DISCARD_BIT = 0x40000000;
export const BPF_RINGBUF_HDR_SZ = 8;
/** Flags of submit/discard/output, and bpf_ringbuf_query's questions. */
export const BPF_RB_NO_WAKEUP = 1;
export const BPF_RB_FORCE_WAKEUP = 2;
export const BPF_RB_AVAIL_DATA = 0;
export const BPF_RB_RING_SIZE = 1;
export const BPF_RB_CONS_POS = 2;
export const BPF_RB_PROD_POS = 3;
/** bpf_perf_event_output's flags: the index, or the current CPU. */
export const BPF_F_INDEX_MASK = 0xffffffffn;
export const BPF_F_CURRENT_CPU = 0xffffffffn;
export const PERF_RECORD_LOST = 2;
export const PERF_RECORD_SAMPLE = 9;
const PAGE_SIZE = 4096;

/** The helpers of this module, with the kernel's numbers. */
export const OUTPUT_HELPER_IDS = {
  perf_event_output: HELPER.perf_event_output,
  ringbuf_output: HELPER.ringbuf_output,
  ringbuf_reserve: HELPER.ringbuf_reserve,
  ringbuf_submit: HELPER.ringbuf_submit,
  ringbuf_discard: HELPER.ringbuf_discard,
  ringbuf_query: HELPER.ringbuf_query,
} as const;

// ring state offsets (assembly/output.ts R_*)
const R_MASK = 0;
const R_CONS = 8;
const R_PROD = 16;
const R_PEND = 24;
const R_DATA = 32;
const R_WAKEUPS = 40;
// perf event state offsets (assembly/output.ts P_*)
const P_HEAD = 0;
const P_TAIL = 8;
const P_LOST_TOTAL = 24;
const P_DATA = 32;
const P_SIZE = 36;
const P_WAKEUPS = 48;

/** The most data one ring may have (its 2·size − 8 bytes of storage must fit the 4 GiB wasm32 memory). */
export const MAX_RINGBUF_SIZE = 1 << 29;

const hooked = new WeakSet<Machine>();

/**
 * @internal BPF_MAP_CREATE for a RINGBUF whose attributes map-types.ts has checked: the map
 * header address, or 0 when the heap cannot hold it. Installs the access check that lets
 * programs (interpreter, unverified JIT code) read and write the samples they reserved.
 */
export function createRingbufMap(machine: Machine, size: number, flags: number, id: number): number {
  const ex = exportsOf(machine);
  if (!hooked.has(machine)) {
    hooked.add(machine);
    const mem = machine.mem;
    const prev = mem.dynamicRegion;
    mem.dynamicRegion = (addr, sz, write) => ex.wabpf_ringbuf_access(addr, sz, write ? 1 : 0) !== 0 || (prev !== null && prev(addr, sz, write));
  }
  return ex.wabpf_ringbuf_create(size, flags, id, machine.ncpus) >>> 0;
}

// ------------------------------------------------------------------ helpers
type MapOf = (c: HelperCall, name: string) => BpfMap;

const s64 = (x: bigint): bigint => BigInt.asUintN(64, x);

/** bpf_perf_event_output (25) and the ring buffer helpers (130-134): `native` for verified JIT code, `fn` checking what the verifier would have proven. */
export function outputHelpers(machine: Machine, mapOf: MapOf): Helper[] {
  const ex = exportsOf(machine);
  const typed = (c: HelperCall, name: string, reg: bigint, type: number): BpfMap => {
    const m = mapOf({ ...c, r1: reg }, name);
    if (m.type !== type) throw new RuntimeTrap(TrapKind.HelperFault, c.pc, `${name}: map ${m.id} is a ${m.typeName} map, not ${type === MAP_TYPES.ringbuf ? "ringbuf" : "perf_event_array"}`);
    return m;
  };
  const readable = (c: HelperCall, addr: bigint, size: bigint): void => {
    if (size > 0xffffffffn) throw new RuntimeTrap(TrapKind.HelperFault, c.pc, `size ${size} is not a u32`);
    if (size !== 0n) c.mem.check(addr, Number(size), false, c.pc);
  };
  const reserved = (c: HelperCall, name: string): void => {
    if (c.r1 > 0xffffffffn || ex.wabpf_ringbuf_is_reserved(Number(c.r1)) === 0) {
      throw new RuntimeTrap(TrapKind.HelperFault, c.pc, `${name}: 0x${c.r1.toString(16)} is not a reserved ring buffer sample`);
    }
  };
  const args = (c: HelperCall): [bigint, bigint, bigint, bigint, bigint] => [c.r1, c.r2, c.r3, c.r4, c.r5];
  return [
    {
      id: HELPER.perf_event_output,
      name: "bpf_perf_event_output",
      native: ex.helper_perf_event_output,
      fn: (c) => {
        typed(c, "bpf_perf_event_output", c.r2, MAP_TYPES.perf_event_array);
        readable(c, c.r4, c.r5);
        return s64(ex.helper_perf_event_output(...args(c)));
      },
    },
    {
      id: HELPER.ringbuf_output,
      name: "bpf_ringbuf_output",
      native: ex.helper_ringbuf_output,
      fn: (c) => {
        typed(c, "bpf_ringbuf_output", c.r1, MAP_TYPES.ringbuf);
        readable(c, c.r2, c.r3);
        return s64(ex.helper_ringbuf_output(...args(c)));
      },
    },
    {
      id: HELPER.ringbuf_reserve,
      name: "bpf_ringbuf_reserve",
      native: ex.helper_ringbuf_reserve,
      fn: (c) => {
        typed(c, "bpf_ringbuf_reserve", c.r1, MAP_TYPES.ringbuf);
        return s64(ex.helper_ringbuf_reserve(...args(c)));
      },
    },
    {
      id: HELPER.ringbuf_submit,
      name: "bpf_ringbuf_submit",
      native: ex.helper_ringbuf_submit,
      fn: (c) => {
        reserved(c, "bpf_ringbuf_submit");
        return s64(ex.helper_ringbuf_submit(...args(c)));
      },
    },
    {
      id: HELPER.ringbuf_discard,
      name: "bpf_ringbuf_discard",
      native: ex.helper_ringbuf_discard,
      fn: (c) => {
        reserved(c, "bpf_ringbuf_discard");
        return s64(ex.helper_ringbuf_discard(...args(c)));
      },
    },
    {
      id: HELPER.ringbuf_query,
      name: "bpf_ringbuf_query",
      native: ex.helper_ringbuf_query,
      fn: (c) => {
        typed(c, "bpf_ringbuf_query", c.r1, MAP_TYPES.ringbuf);
        return s64(ex.helper_ringbuf_query(...args(c)));
      },
    },
  ];
}

// ------------------------------------------------------------------ ring buffer consumer
/**
 * Called for every committed, not discarded record, in reservation order. `data` is a view of
 * the sample in the ring, valid only during the call (copy it to keep it), as libbpf's
 * pointer. A negative return stops consuming; the consume/poll call returns that number.
 */
export type RingbufSampleFn = (data: Uint8Array, map: BpfMap) => number | void;

/** One record the async iterator yields: a copy of the sample. */
export interface RingbufRecord {
  readonly map: BpfMap;
  readonly data: Uint8Array;
}

/** The positions of a ring (what the consumer and producer pages hold), as bigints like the kernel's unsigned long. */
export interface RingPositions {
  readonly consumerPos: bigint;
  readonly producerPos: bigint;
  /** the oldest record not committed when the last reservation was made (the kernel's pending_pos) */
  readonly pendingPos: bigint;
  readonly size: number;
  /** times the kernel would have queued its irq_work to wake a poller */
  readonly wakeups: bigint;
}

interface Ring {
  readonly map: BpfMap;
  readonly state: number;
  readonly cb: RingbufSampleFn | null;
  seenWakeups: bigint;
  ready: boolean;
}

export interface RecordsOptions {
  /** stop (the iterator ends) when aborted */
  readonly signal?: AbortSignal;
  /** how often to look for a wakeup while waiting (ms; default 1) */
  readonly intervalMs?: number;
}

const aborted = (opts: RecordsOptions): boolean => opts.signal?.aborted === true;
const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

/**
 * libbpf's struct ring_buffer: one or more RINGBUF maps consumed together. The machine is
 * single-threaded, so "waiting" (poll, the async iterator) checks the rings' wakeup counts
 * every `intervalMs` until a program's commit would have woken a poller, or the timeout passes.
 */
export class RingBuffer {
  private readonly rings: Ring[] = [];

  /** ring_buffer__new(map_fd, sample_cb, ctx, opts) */
  constructor(map: BpfMap, onSample: RingbufSampleFn | null = null) {
    this.add(map, onSample);
  }

  /** ring_buffer__add: another RINGBUF map (EINVAL for any other type). */
  add(map: BpfMap, onSample: RingbufSampleFn | null = null): void {
    if (map.type !== MAP_TYPES.ringbuf) throw new BpfError("EINVAL", "ring_buffer__add", `map ${map.id} is a ${map.typeName} map, not a ringbuf`);
    if (map.closed) throw new BpfError("EBADF", "ring_buffer__add", `map ${map.id}'s handle is closed`);
    // the consumer maps the ring: it holds the map until ring_buffer__free
    map.hold();
    const state = exportsOf(map.machine).wabpf_ringbuf_state(map.ptr) >>> 0;
    const ring: Ring = { map, state, cb: onSample, seenWakeups: 0n, ready: false };
    ring.seenWakeups = this.view(ring).getBigUint64(state + R_WAKEUPS, true);
    // epoll reports a ring that already holds data at once (level-triggered)
    ring.ready = positions(map).producerPos !== positions(map).consumerPos;
    this.rings.push(ring);
  }

  get ringCount(): number {
    return this.rings.length;
  }

  /** ring_buffer__free: let go of every ring (a map whose handle is closed goes with it). */
  close(): void {
    for (const r of this.rings.splice(0)) r.map.release();
  }

  /** ring_buffer__ring(rb, idx)'s map. */
  map(idx: number): BpfMap {
    const r = this.rings[idx];
    if (r === undefined) throw new EbpfError("EINVAL", `no ring ${idx}`);
    return r.map;
  }

  /** ring_buffer__consume: every available record of every ring; the number of samples handed to callbacks (or a callback's negative return). */
  consume(): number {
    return this.consumeN(Number.MAX_SAFE_INTEGER);
  }

  /** ring_buffer__consume_n: at most n samples. */
  consumeN(n: number, sink: ((data: Uint8Array, map: BpfMap) => void) | null = null): number {
    let total = 0;
    for (const r of this.rings) {
      if (total >= n) break;
      const got = this.consumeRing(r, n - total, sink);
      if (got < 0) return got;
      total += got;
    }
    return total;
  }

  /**
   * ring_buffer__poll: wait up to `timeoutMs` (negative: forever) for a ring to be woken
   * (a commit without BPF_RB_NO_WAKEUP that found the consumer caught up, or with
   * BPF_RB_FORCE_WAKEUP; rings left non-empty stay ready), then consume the woken rings.
   * Returns the number of samples consumed (0 on timeout).
   */
  async poll(timeoutMs: number, intervalMs = 1): Promise<number> {
    const deadline = timeoutMs < 0 ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      const woken = this.rings.filter((r) => this.woken(r));
      if (woken.length > 0) {
        let total = 0;
        for (const r of woken) {
          const got = this.consumeRing(r, Number.MAX_SAFE_INTEGER, null);
          if (got < 0) return got;
          total += got;
        }
        return total;
      }
      if (Date.now() >= deadline) return 0;
      await sleep(Math.max(0, Math.min(intervalMs, deadline - Date.now())));
    }
  }

  /** Records as they arrive (copies), until the signal aborts; the callbacks are not called. */
  async *records(opts: RecordsOptions = {}): AsyncGenerator<RingbufRecord, void, undefined> {
    const queue: RingbufRecord[] = [];
    const sink = (data: Uint8Array, map: BpfMap): void => {
      queue.push({ map, data: data.slice() });
    };
    while (!aborted(opts)) {
      for (const r of this.rings) this.consumeRing(r, Number.MAX_SAFE_INTEGER, sink);
      while (queue.length > 0) {
        yield queue.shift()!;
        if (aborted(opts)) return;
      }
      await this.waitWakeup(opts);
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<RingbufRecord, void, undefined> {
    return this.records();
  }

  private async waitWakeup(opts: RecordsOptions): Promise<void> {
    while (!aborted(opts)) {
      if (this.rings.some((r) => this.woken(r))) return;
      await sleep(opts.intervalMs ?? 1);
    }
  }

  private view(r: Ring): DataView {
    return r.map.machine.mem.view;
  }

  private woken(r: Ring): boolean {
    const w = this.view(r).getBigUint64(r.state + R_WAKEUPS, true);
    const was = w !== r.seenWakeups || r.ready;
    r.seenWakeups = w;
    return was;
  }

  /** libbpf's ringbuf_process_ring (positions kept as numbers while below 2^53, written back after every record as libbpf does). */
  private consumeRing(r: Ring, n: number, sink: ((data: Uint8Array, map: BpfMap) => void) | null): number {
    const st = r.state;
    const mem = r.map.machine.mem;
    let dv = mem.view;
    const mask = Number(dv.getBigUint64(st + R_MASK, true));
    const data = dv.getUint32(st + R_DATA, true);
    let cons = u64(dv, st + R_CONS);
    let count = 0;
    let more = true;
    r.ready = false;
    while (more) {
      more = false;
      const prod = u64(dv, st + R_PROD);
      while (cons < prod) {
        const at = data + (cons % (mask + 1));
        const len = dv.getUint32(at, true);
        if ((len & BPF_RINGBUF_BUSY_BIT) !== 0) return this.done(r, count);
        more = true;
        const size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
        cons += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7;
        if ((len & BPF_RINGBUF_DISCARD_BIT) === 0) {
          const sample = mem.bytes.subarray(at + BPF_RINGBUF_HDR_SZ, at + BPF_RINGBUF_HDR_SZ + size);
          const ret = sink !== null ? sink(sample, r.map) : r.cb?.(sample, r.map);
          dv = mem.view;
          if (typeof ret === "number" && ret < 0) {
            setU64(dv, st + R_CONS, cons);
            return ret;
          }
          count++;
        }
        setU64(dv, st + R_CONS, cons);
        if (count >= n) return this.done(r, count);
      }
    }
    return this.done(r, count);
  }

  private done(r: Ring, count: number): number {
    const p = positions(r.map);
    r.ready = p.producerPos !== p.consumerPos;
    return count;
  }
}

/** The positions of a RINGBUF map (the consumer and producer pages). */
export function positions(map: BpfMap): RingPositions {
  if (map.type !== MAP_TYPES.ringbuf) throw new BpfError("EINVAL", "ringbuf", `map ${map.id} is not a ringbuf`);
  const st = exportsOf(map.machine).wabpf_ringbuf_state(map.ptr) >>> 0;
  const dv = map.machine.mem.view;
  return {
    consumerPos: dv.getBigUint64(st + R_CONS, true),
    producerPos: dv.getBigUint64(st + R_PROD, true),
    pendingPos: dv.getBigUint64(st + R_PEND, true),
    size: Number(dv.getBigUint64(st + R_MASK, true) + 1n),
    wakeups: dv.getBigUint64(st + R_WAKEUPS, true),
  };
}

/**
 * Write the consumer position as user space does through the mapped consumer page (a
 * consumer may set any value there; the producer's rules must hold anyway).
 */
export function setConsumerPos(map: BpfMap, pos: bigint): void {
  if (map.type !== MAP_TYPES.ringbuf) throw new BpfError("EINVAL", "ringbuf", `map ${map.id} is not a ringbuf`);
  const st = exportsOf(map.machine).wabpf_ringbuf_state(map.ptr) >>> 0;
  map.machine.mem.view.setBigUint64(st + R_CONS, BigInt.asUintN(64, pos), true);
}

/** A copy of a ring's data pages (what user space maps after the producer page; the kernel maps them twice, this is one copy). */
export function ringData(map: BpfMap): Uint8Array {
  const p = positions(map);
  const st = exportsOf(map.machine).wabpf_ringbuf_state(map.ptr) >>> 0;
  const data = map.machine.mem.view.getUint32(st + R_DATA, true);
  return map.machine.mem.bytes.slice(data, data + p.size);
}

// ------------------------------------------------------------------ perf buffer
interface PerfRegistry {
  next: number;
  readonly events: Map<number, { cpu: number; state: number }>;
}
const registries = new WeakMap<Machine, PerfRegistry>();
const registry = (m: Machine): PerfRegistry => {
  let r = registries.get(m);
  if (r === undefined) {
    r = { next: 1, events: new Map() };
    registries.set(m, r);
  }
  return r;
};

/** @internal Whether `id` names an open perf event of `machine` (what a PERF_EVENT_ARRAY update needs). */
export function perfEventExists(machine: Machine, id: number): boolean {
  return registry(machine).events.has(id);
}

export interface PerfBufferOptions {
  /** pages of each per-CPU ring (a power of 2, as libbpf requires) */
  readonly pageCount: number;
  /** PERF_RECORD_SAMPLE: the raw data as the kernel wrote it (size is the padded u32 size field), valid during the call */
  readonly onSample?: (cpu: number, data: Uint8Array) => void;
  /** PERF_RECORD_LOST: how many samples this CPU's ring dropped */
  readonly onLost?: (cpu: number, lost: bigint) => void;
  /** perf_buffer__new_raw's cpus / map_keys: which CPUs get a buffer and at which index (default: every CPU below max_entries, index = cpu) */
  readonly cpus?: readonly number[];
  readonly mapKeys?: readonly number[];
}

/** One event the async iterator yields. */
export type PerfEventRecord =
  | { readonly type: "sample"; readonly cpu: number; readonly data: Uint8Array }
  | { readonly type: "lost"; readonly cpu: number; readonly lost: bigint };

interface CpuBuf {
  readonly cpu: number;
  readonly key: number;
  readonly id: number;
  readonly state: number;
  seenWakeups: bigint;
}

/**
 * libbpf's struct perf_buffer: one BPF_OUTPUT software event per CPU (sample_type
 * PERF_SAMPLE_RAW, sample_period 1, wakeup_events 1) with `pageCount` pages of ring each,
 * stored in the PERF_EVENT_ARRAY at index cpu.
 */
export class PerfBuffer {
  readonly map: BpfMap;
  readonly pageCount: number;
  private readonly bufs: CpuBuf[] = [];
  private readonly onSample: ((cpu: number, data: Uint8Array) => void) | null;
  private readonly onLost: ((cpu: number, lost: bigint) => void) | null;
  private closed = false;

  /** perf_buffer__new(map_fd, page_cnt, sample_cb, lost_cb, ctx, opts) */
  constructor(map: BpfMap, opts: PerfBufferOptions) {
    const pages = opts.pageCount;
    if (!Number.isInteger(pages) || pages <= 0 || (pages & (pages - 1)) !== 0) throw new BpfError("EINVAL", "perf_buffer__new", `page count ${pages} is not a power of 2`);
    if (map.type !== MAP_TYPES.perf_event_array) throw new BpfError("EINVAL", "perf_buffer__new", `map ${map.id} is a ${map.typeName} map, not a perf_event_array`);
    this.map = map;
    this.pageCount = pages;
    this.onSample = opts.onSample ?? null;
    this.onLost = opts.onLost ?? null;
    const m = map.machine;
    let cpus = opts.cpus;
    let keys = opts.mapKeys;
    if (cpus === undefined) {
      const n = Math.min(m.ncpus, map.maxEntries);
      cpus = Array.from({ length: n }, (_, i) => i);
      keys = cpus;
    }
    keys ??= cpus;
    if (keys.length !== cpus.length) throw new BpfError("EINVAL", "perf_buffer__new", "cpus and mapKeys differ in length");
    const ex = exportsOf(m);
    const reg = registry(m);
    try {
      for (let i = 0; i < cpus.length; i++) {
        const cpu = cpus[i]!;
        if (!Number.isInteger(cpu) || cpu < 0 || cpu >= m.ncpus) throw new BpfError("EINVAL", "perf_event_open", `no CPU ${cpu}`);
        const id = reg.next++;
        const state = ex.wabpf_perf_event_open(id, cpu, pages * PAGE_SIZE) >>> 0;
        if (state === 0) throw new BpfError("ENOMEM", "perf_event_open", "cannot allocate the ring");
        reg.events.set(id, { cpu, state });
        this.bufs.push({ cpu, key: keys[i]!, id, state, seenWakeups: 0n });
        const k = new Uint8Array(4);
        const v = new Uint8Array(4);
        new DataView(k.buffer).setUint32(0, keys[i]!, true);
        new DataView(v.buffer).setUint32(0, id, true);
        map.update(k, v);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** perf_buffer__buffer_cnt */
  get bufferCount(): number {
    return this.bufs.length;
  }

  /** The CPU of buffer `idx`. */
  bufferCpu(idx: number): number {
    const b = this.bufs[idx];
    if (b === undefined) throw new EbpfError("EINVAL", `no buffer ${idx}`);
    return b.cpu;
  }

  /** Samples dropped so far on a buffer (the event's lost_samples), whether reported yet or not. */
  lostSamples(idx: number): bigint {
    const b = this.bufs[idx];
    if (b === undefined) throw new EbpfError("EINVAL", `no buffer ${idx}`);
    return this.map.machine.mem.view.getBigUint64(b.state + P_LOST_TOTAL, true);
  }

  /** The data_head / data_tail of a buffer (perf_event_mmap_page). */
  positions(idx: number): { head: bigint; tail: bigint; size: number } {
    const b = this.bufs[idx];
    if (b === undefined) throw new EbpfError("EINVAL", `no buffer ${idx}`);
    const dv = this.map.machine.mem.view;
    return { head: dv.getBigUint64(b.state + P_HEAD, true), tail: dv.getBigUint64(b.state + P_TAIL, true), size: dv.getUint32(b.state + P_SIZE, true) };
  }

  /** perf_buffer__consume: read every buffer; returns the records handled (samples and lost records; libbpf returns 0). */
  consume(): number {
    let n = 0;
    for (let i = 0; i < this.bufs.length; i++) n += this.consumeBuffer(i);
    return n;
  }

  /** perf_buffer__consume_buffer */
  consumeBuffer(idx: number, sink: ((r: PerfEventRecord) => void) | null = null): number {
    const b = this.bufs[idx];
    if (b === undefined) throw new EbpfError("EINVAL", `no buffer ${idx}`);
    const mem = this.map.machine.mem;
    const st = b.state;
    let dv = mem.view;
    const head = u64(dv, st + P_HEAD);
    let tail = u64(dv, st + P_TAIL);
    const size = dv.getUint32(st + P_SIZE, true);
    const data = dv.getUint32(st + P_DATA, true);
    let n = 0;
    while (tail < head) {
      const off = tail % size;
      // a record crossing the end is copied out whole (libbpf's perf_event_read_simple)
      let rec: Uint8Array;
      let type: number;
      let recSize: number;
      if (off + 8 <= size) {
        type = dv.getUint32(data + off, true);
        recSize = dv.getUint16(data + off + 6, true);
      } else {
        const h = readWrapped(mem.bytes, data, size, off, 8);
        type = h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24);
        recSize = h[6]! | (h[7]! << 8);
      }
      if (off + recSize <= size) rec = mem.bytes.subarray(data + off, data + off + recSize);
      else rec = readWrapped(mem.bytes, data, size, off, recSize);
      const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      if (type === PERF_RECORD_SAMPLE) {
        const len = rv.getUint32(8, true);
        const sample = rec.subarray(12, 12 + len);
        if (sink !== null) sink({ type: "sample", cpu: b.cpu, data: sample.slice() });
        else this.onSample?.(b.cpu, sample);
      } else if (type === PERF_RECORD_LOST) {
        const lost = rv.getBigUint64(16, true);
        if (sink !== null) sink({ type: "lost", cpu: b.cpu, lost });
        else this.onLost?.(b.cpu, lost);
      }
      n++;
      tail += recSize;
      dv = mem.view;
      setU64(dv, st + P_TAIL, tail);
    }
    return n;
  }

  /** perf_buffer__poll: wait up to `timeoutMs` for a sample to wake a buffer, consume the woken buffers; returns how many buffers were woken (as libbpf). */
  async poll(timeoutMs: number, intervalMs = 1): Promise<number> {
    const deadline = timeoutMs < 0 ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      const woken = this.bufs.map((b, i) => (this.woken(b) ? i : -1)).filter((i) => i >= 0);
      if (woken.length > 0) {
        for (const i of woken) this.consumeBuffer(i);
        return woken.length;
      }
      if (Date.now() >= deadline) return 0;
      await sleep(Math.max(0, Math.min(intervalMs, deadline - Date.now())));
    }
  }

  /** Samples and lost records as they arrive, until the signal aborts; the callbacks are not called. */
  async *records(opts: RecordsOptions = {}): AsyncGenerator<PerfEventRecord, void, undefined> {
    const queue: PerfEventRecord[] = [];
    while (!aborted(opts) && !this.closed) {
      for (let i = 0; i < this.bufs.length; i++) this.consumeBuffer(i, (r) => queue.push(r));
      while (queue.length > 0) {
        yield queue.shift()!;
        if (aborted(opts)) return;
      }
      while (!aborted(opts) && !this.bufs.some((b) => this.woken(b))) await sleep(opts.intervalMs ?? 1);
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<PerfEventRecord, void, undefined> {
    return this.records();
  }

  /** perf_buffer__free: empty the map's slots and close the events. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const m = this.map.machine;
    const reg = registry(m);
    for (const b of this.bufs) {
      const k = new Uint8Array(4);
      new DataView(k.buffer).setUint32(0, b.key, true);
      try {
        this.map.delete(k);
      } catch (e) {
        if (!(e instanceof BpfError)) throw e;
      }
      exportsOf(m).wabpf_perf_event_close(b.id);
      reg.events.delete(b.id);
    }
  }

  private woken(b: CpuBuf): boolean {
    const w = this.map.machine.mem.view.getBigUint64(b.state + P_WAKEUPS, true);
    const was = w !== b.seenWakeups;
    b.seenWakeups = w;
    return was;
  }
}

/** A u64 position as a number (positions stay far below 2^53 in any run). */
function u64(dv: DataView, at: number): number {
  return dv.getUint32(at, true) + dv.getUint32(at + 4, true) * 0x100000000;
}
function setU64(dv: DataView, at: number, v: number): void {
  dv.setUint32(at, v >>> 0, true);
  dv.setUint32(at + 4, Math.floor(v / 0x100000000), true);
}

function readWrapped(bytes: Uint8Array, data: number, size: number, off: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const first = Math.min(n, size - off);
  out.set(bytes.subarray(data + off, data + off + first), 0);
  if (first < n) out.set(bytes.subarray(data, data + n - first), first);
  return out;
}
