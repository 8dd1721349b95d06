import { RuntimeTrap, TrapKind } from "../errors.js";
import { HEAP_BASE, PROBE_STAGE_ADDR, WASM_PAGE } from "../isa/layout.js";

/** A range [start, end) of guest addresses a program may touch. */
export interface Region {
  readonly start: number;
  readonly end: number;
  readonly writable: boolean;
  /** what the region is, for error messages: "stack", "ctx", "map value" */
  readonly name: string;
}

/**
 * The simulated kernel's own memory, which probe loads read as copy_from_kernel_nofault
 * would (the machine's address spaces implement it).
 */
export interface KernelMemory {
  /** whether guest bytes [addr, addr+size) are kernel objects the host declared (the kernel keeps its structures in guest memory) */
  isKernelGuest(addr: number, size: number): boolean;
  /** the bytes the host mapped at kernel addresses [addr, addr+size), outside guest memory, or null */
  kernelBytes(addr: bigint, size: number): Uint8Array | null;
}

/**
 * The guest address space: one WebAssembly.Memory (the same one the AssemblyScript runtime
 * and JIT modules use) plus the list of regions the current run may access. Both engines
 * read and write guest memory through the same bytes, so maps and buffers are shared.
 *
 * `regions` decides what an unverified access may touch; a verified program's accesses
 * were proven in bounds by the verifier, but the interpreter checks them all the same.
 */
export class GuestMemory {
  readonly memory: WebAssembly.Memory;
  private regions: Region[] = [];
  /** Extra check for dynamic regions (map values handed out by helpers). */
  dynamicRegion: ((addr: number, size: number, write: boolean) => boolean) | null = null;
  /** Kernel memory outside the regions that probe loads read; the machine sets it. */
  kernelMemory: KernelMemory | null = null;
  private buf: ArrayBuffer;
  private dv: DataView;
  private u8a: Uint8Array;
  private funcTable: WebAssembly.Table | null = null;
  private tableUsed = 1; // slot 0 stays null, like address 0
  /** freed runs of table slots by length, reused by allocTableSlots */
  private readonly freeSlots = new Map<number, number[]>();

  constructor(memory?: WebAssembly.Memory) {
    // The heap starts at HEAP_BASE; give the AssemblyScript runtime some room above it.
    this.memory = memory ?? new WebAssembly.Memory({ initial: HEAP_BASE / WASM_PAGE + 16, maximum: 65536 });
    this.buf = this.memory.buffer;
    this.dv = new DataView(this.buf);
    this.u8a = new Uint8Array(this.buf);
  }

  /**
   * The one function table shared by everything that runs in this memory: JIT programs and
   * their subprograms, AssemblyScript helpers and trampolines call each other through it
   * with `call_indirect`, never through JS.
   */
  get table(): WebAssembly.Table {
    this.funcTable ??= new WebAssembly.Table({ element: "anyfunc", initial: 64 });
    return this.funcTable;
  }

  /** Reserve `n` consecutive table slots and return the first one (a freed run of `n` first). */
  allocTableSlots(n: number): number {
    const table = this.table;
    const reuse = this.freeSlots.get(n)?.pop();
    if (reuse !== undefined) return reuse;
    const first = this.tableUsed;
    if (first + n > table.length) table.grow(first + n - table.length + 64);
    this.tableUsed += n;
    return first;
  }

  /** Give back `n` slots from allocTableSlots: emptied (what they held can be collected) and reused. */
  freeTableSlots(first: number, n: number): void {
    const table = this.table;
    for (let i = first; i < first + n; i++) table.set(i, null);
    const runs = this.freeSlots.get(n) ?? [];
    runs.push(first);
    this.freeSlots.set(n, runs);
  }

  /** Views are re-taken when the memory has grown (growing detaches the old buffer). */
  private refresh(): void {
    if (this.buf !== this.memory.buffer) {
      this.buf = this.memory.buffer;
      this.dv = new DataView(this.buf);
      this.u8a = new Uint8Array(this.buf);
    }
  }

  get view(): DataView {
    this.refresh();
    return this.dv;
  }

  get bytes(): Uint8Array {
    this.refresh();
    return this.u8a;
  }

  setRegions(regions: Region[]): void {
    this.regions = regions;
  }

  addRegion(region: Region): void {
    this.regions.push(region);
  }

  getRegions(): readonly Region[] {
    return this.regions;
  }

  /** Whether [addr, addr+size) lies inside one accessible region. */
  allowed(addr: number, size: number, write: boolean): boolean {
    for (const r of this.regions) {
      if (addr >= r.start && addr + size <= r.end) return !write || r.writable;
    }
    return this.dynamicRegion !== null && this.dynamicRegion(addr, size, write);
  }

  /**
   * Where a probe load (the kernel's BPF_PROBE_MEM) of `size` bytes at the 64-bit address
   * `hi:lo` (all 64 bits tested) reads: its guest address when that is a region the program may
   * read or a kernel object; PROBE_STAGE_ADDR, holding the bytes, when they are mapped at a
   * kernel address; 0 (never readable) where the read faults and the load gives 0, as Linux's
   * exception table does instead of a trap. Numbers, not a BigInt: the JIT calls it per load.
   */
  probeAddress(lo: number, hi: number, size: number): number {
    if (hi !== 0) {
      const bytes = this.kernelMemory?.kernelBytes((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0), size) ?? null;
      if (bytes === null || bytes.length < size) return 0;
      this.bytes.set(bytes.subarray(0, size), PROBE_STAGE_ADDR);
      return PROBE_STAGE_ADDR;
    }
    const at = lo >>> 0;
    // kernel objects first: BTF pointers lead there
    if (this.kernelMemory?.isKernelGuest(at, size) !== true && !this.allowed(at, size, false)) return 0;
    return at + size <= this.memory.buffer.byteLength ? at : 0;
  }

  /** What a probe load of `size` bytes at `addr` (taken mod 2^64) reads, zero-extended (see probeAddress). */
  probeRead(addr: bigint, size: number): bigint {
    const a = BigInt.asUintN(64, addr);
    const at = this.probeAddress(Number(a & 0xffffffffn), Number(a >> 32n), size);
    if (at === 0) return 0n;
    const v = this.view;
    return size === 1 ? BigInt(v.getUint8(at)) : size === 2 ? BigInt(v.getUint16(at, true)) : size === 4 ? BigInt(v.getUint32(at, true)) : v.getBigUint64(at, true);
  }

  /** Check an access and return its address as a number; traps with pc, address and size. */
  check(addr: bigint, size: number, write: boolean, pc: number): number {
    if (addr < 0n || addr > 0xffffffffn || !this.allowed(Number(addr), size, write)) {
      throw new RuntimeTrap(
        TrapKind.OutOfBounds,
        pc,
        `invalid ${write ? "write to" : "read from"} address 0x${BigInt.asUintN(64, addr).toString(16)} size ${size}: outside ${this.describeRegions()}`,
        { address: addr, size },
      );
    }
    return Number(addr);
  }

  /** Trap for an access the caller already knows is outside every accessible region. */
  checkOutside(addr: bigint, size: number, write: boolean, pc: number): never {
    throw new RuntimeTrap(
      TrapKind.OutOfBounds,
      pc,
      `invalid ${write ? "write to" : "read from"} address 0x${BigInt.asUintN(64, addr).toString(16)} size ${size}: outside the active stack frames`,
      { address: addr, size },
    );
  }

  private describeRegions(): string {
    if (this.regions.length === 0) return "every region (none accessible)";
    return this.regions.map((r) => `${r.name} [0x${r.start.toString(16)}, 0x${r.end.toString(16)})`).join(", ");
  }

  /** Copy `data` into guest memory at `addr` (host access, unchecked). */
  write(addr: number, data: Uint8Array): void {
    this.bytes.set(data, addr);
  }

  /** Copy `len` bytes out of guest memory (host access, unchecked). */
  read(addr: number, len: number): Uint8Array {
    return this.bytes.slice(addr, addr + len);
  }
}
