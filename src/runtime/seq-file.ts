// The seq_file an iterator program writes into (bpf_seq_printf 126, bpf_seq_write 127), as
// bpf_iter's read path (kernel/bpf/bpf_iter.c bpf_seq_read) uses it: a buffer of 8 pages, one
// show() per object, and an object whose output overflows the buffer is taken back whole.
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

  /** bpf_iter_meta's seq_num: the index of the object being shown. */
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

  /**
   * Show one object as bpf_seq_read does: run `show` (the program, with meta->seq_num = `seqNum`);
   * when its output overflowed the buffer, what it wrote is taken back and false is returned
   * (the reader stops there; Linux fails the read with E2BIG when it was the first object).
   */
  show(seqNum: bigint, show: () => void): boolean {
    const before = this.count;
    this.seqNum = seqNum;
    show();
    if (!this.overflowed) return true;
    this.count = before;
    return false;
  }

  /** What the buffer holds (read(2) of the iterator's fd returns it). */
  bytes(): Uint8Array {
    return this.machine.mem.read(this.buf, this.overflowed ? 0 : this.count);
  }

  text(): string {
    return new TextDecoder("latin1").decode(this.bytes());
  }

  /** Empty the buffer (the reader consumed it). */
  clear(): void {
    this.count = 0;
  }

  /** Give the memory back; the helpers no longer find it (the range stays declared kernel memory: probe reads of it read whatever is there next). */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    FILES.get(this.machine)?.delete(this.addr);
    this.machine.rt.free(this.meta);
  }
}
