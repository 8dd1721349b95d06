// The seq_file an iterator program writes into (bpf_seq_printf 126, bpf_seq_write 127), and
// BpfIterReader, bpf_iter's read path (kernel/bpf/bpf_iter.c bpf_seq_read) over it: a buffer
// of 8 pages, one program run per object, an object whose output overflows the buffer taken
// back whole and shown again at the next read, and a last run with no object (the stop call).
// The structures live in guest memory (declared kernel memory, so a program may probe-read
// them): `struct bpf_iter_meta` { seq, session_id, seq_num } followed by the first fields of
// `struct seq_file` at Linux's offsets (buf, size, from, count), then the buffer.
import { EbpfError } from "../errors.js";
import type { GuestMemory } from "../exec/guest-memory.js";
import type { AsRuntime } from "./as-runtime.js";

/** What a seq_file needs of the machine it lives in (a Machine is one). */
export interface SeqFileHost {
  readonly rt: Pick<AsRuntime, "alloc" | "free">;
  readonly mem: GuestMemory;
  mapKernelGuestMemory(addr: number, size: number): void;
}

/** bpf_seq_read's buffer: PAGE_SIZE << 3. */
export const SEQ_BUF_SIZE = 4096 << 3;

const SEQ_OFF = 32; // the seq_file after the 24-byte meta
const SEQ_SIZE = 32; // buf @0, size @8, from @16, count @24
const F_BUF = 0;
const F_SIZE = 8;
const F_COUNT = 24;

const FILES = new WeakMap<SeqFileHost, Map<number, SeqFile>>();

export class SeqFile {
  /** guest address of the `struct bpf_iter_meta` (what an iterator context's `meta` points to) */
  readonly meta: number;
  /** guest address of the `struct seq_file` (meta->seq, the helpers' first argument) */
  readonly addr: number;
  readonly size: number;
  private readonly buf: number;
  private freed = false;

  private constructor(
    private readonly machine: SeqFileHost,
    size: number,
    sessionId: bigint,
  ) {
    if (!Number.isInteger(size) || size <= 0) throw new EbpfError("EINVAL", `seq_file size ${size}`);
    const total = SEQ_OFF + SEQ_SIZE + size;
    this.meta = machine.rt.alloc(total);
    if (this.meta === 0) throw new EbpfError("ENOMEM", "cannot allocate a seq_file");
    this.addr = this.meta + SEQ_OFF;
    this.buf = this.addr + SEQ_SIZE;
    this.size = size;
    machine.mem.bytes.fill(0, this.meta, this.meta + total);
    const v = machine.mem.view;
    v.setBigUint64(this.meta, BigInt(this.addr), true);
    v.setBigUint64(this.meta + 8, BigInt.asUintN(64, sessionId), true);
    v.setBigUint64(this.addr + F_BUF, BigInt(this.buf), true);
    v.setBigUint64(this.addr + F_SIZE, BigInt(size), true);
    machine.mapKernelGuestMemory(this.meta, total);
  }

  /** A seq_file for one read of an iterator (`sessionId`: bpf_iter_meta's session_id). */
  static create(machine: SeqFileHost, size = SEQ_BUF_SIZE, sessionId = 0n): SeqFile {
    const f = new SeqFile(machine, size, sessionId);
    let files = FILES.get(machine);
    if (files === undefined) FILES.set(machine, (files = new Map()));
    files.set(f.addr, f);
    return f;
  }

  /** The seq_file at guest address `addr` (what the helpers receive), if any. */
  static at(machine: SeqFileHost, addr: bigint): SeqFile | undefined {
    return addr > 0xffffffffn ? undefined : FILES.get(machine)?.get(Number(addr));
  }

  /** Bytes in the buffer (m->count; the size once overflowed). */
  get count(): number {
    return Number(this.machine.mem.view.getBigUint64(this.addr + F_COUNT, true));
  }
  private set count(n: number) {
    this.machine.mem.view.setBigUint64(this.addr + F_COUNT, BigInt(n), true);
  }

  /** seq_has_overflowed: the last write did not fit. */
  get overflowed(): boolean {
    return this.count === this.size;
  }

  set seqNum(n: bigint) {
    this.machine.mem.view.setBigUint64(this.meta + 16, BigInt.asUintN(64, n), true);
  }

  /** seq_write: append `bytes` if they fit with room to spare, else mark the overflow; returns whether they fit. */
  write(bytes: Uint8Array): boolean {
    const n = this.count;
    if (n + bytes.length < this.size) {
      this.machine.mem.bytes.set(bytes, this.buf + n);
      this.count = n + bytes.length;
      return true;
    }
    this.count = this.size;
    return false;
  }

  /** bpf_iter_meta's seq_num: the index of the object being shown. */
  get seqNum(): bigint {
    return this.machine.mem.view.getBigUint64(this.meta + 16, true);
  }

  /** The buffered bytes [from, from + n). */
  bytes(from: number, n: number): Uint8Array {
    return this.machine.mem.read(this.buf + from, n);
  }

  /** Set m->count (the reader takes back an object's output, or consumes the buffer). */
  setCount(n: number): void {
    this.count = n;
  }
  /** Give the memory back; the helpers no longer find it (the range stays declared kernel memory: probe reads of it read whatever is there next). */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    FILES.get(this.machine)?.delete(this.addr);
    this.machine.rt.free(this.meta);
  }
}

const E2BIG = 7;
const EAGAIN = 11;

/** What the reader needs of an iterator target: its objects in order, and how to run the program on one. */
export interface IterTarget {
  /** the object at position `pos` (a guest address), or null past the last one */
  object(pos: number): number | null;
  /** run the program with ctx { meta, object } (object 0: the stop call); returns its r0 */
  run(meta: number, object: number): bigint;
}

/** A read error of an iterator fd (E2BIG: one object's output does not fit the buffer; EAGAIN: the program returned 1). */
export class IterReadError extends EbpfError {
  override readonly name = "IterReadError";
  constructor(errno: number) {
    super(errno === E2BIG ? "E2BIG" : "EAGAIN", errno === E2BIG ? "read: an object's output does not fit in the seq_file buffer" : "read: the iterator program returned 1 (retry)");
  }
}

/**
 * An opened iterator (bpf_iter_new_fd): each read() runs the program over the next objects
 * as bpf_seq_read does and returns what they printed. seq_num counts the objects shown;
 * the program returning 1 fails the read with EAGAIN (bpf_iter_run_prog).
 */
export class BpfIterReader {
  readonly seq: SeqFile;
  private index = 0;
  private from = 0;
  private doneStop = false;

  /** `bufSize`: the seq_file's buffer (Linux: SEQ_BUF_SIZE, the default); `sessionId`: bpf_iter_meta's session_id */
  constructor(
    host: SeqFileHost,
    private readonly target: IterTarget,
    opts: { readonly bufSize?: number; readonly sessionId?: bigint } = {},
  ) {
    this.seq = SeqFile.create(host, opts.bufSize ?? SEQ_BUF_SIZE, opts.sessionId ?? 1n);
  }

  /** One read(2) of at most `size` bytes: the bytes (empty at the end), or an IterReadError. */
  read(size: number): Uint8Array {
    const seq = this.seq;
    if (seq.count > 0) {
      const n = Math.min(seq.count, size);
      const out = seq.bytes(this.from, n);
      seq.setCount(seq.count - n);
      this.from += n;
      return out;
    }
    this.from = 0;
    let p = this.target.object(this.index);
    if (p !== null) {
      const err = this.show(p);
      if (err !== 0 || seq.overflowed) {
        seq.setCount(0);
        throw new IterReadError(err !== 0 ? err : E2BIG);
      }
      for (;;) {
        const offs = seq.count;
        p = this.target.object(++this.index);
        if (p === null) break;
        seq.seqNum = seq.seqNum + 1n;
        if (seq.count >= size) break;
        const e = this.show(p);
        if (e !== 0 || seq.overflowed) {
          seq.setCount(offs);
          if (offs === 0) throw new IterReadError(e !== 0 ? e : E2BIG);
          break;
        }
      }
    }
    if (p === null && !this.doneStop) {
      // the stop call: the program runs once more with no object
      const offs = seq.count;
      this.target.run(seq.meta, 0);
      if (!seq.overflowed) this.doneStop = true;
      else {
        seq.setCount(offs);
        if (offs === 0) throw new IterReadError(E2BIG);
      }
    }
    const n = Math.min(seq.count, size);
    const out = seq.bytes(0, n);
    seq.setCount(seq.count - n);
    this.from = n;
    return out;
  }

  /** read() until the end (as `cat` of the pinned iterator does), in reads of `size` bytes. */
  readAll(size = 1 << 16): Uint8Array {
    const parts: Uint8Array[] = [];
    for (let b = this.read(size); b.length > 0; b = this.read(size)) parts.push(b);
    const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of parts) {
      out.set(b, at);
      at += b.length;
    }
    return out;
  }

  /** Close the fd: the seq_file's memory goes. */
  close(): void {
    this.seq.free();
  }

  /** seq->op->show: 0, or EAGAIN when the program returned nonzero. */
  private show(p: number): number {
    return this.target.run(this.seq.meta, p) === 0n ? 0 : EAGAIN;
  }
}
