// The simulated machine: one guest memory with its AssemblyScript runtime, a number of
// possible CPUs, the maps and program ids that live in it, a host-controlled clock and a
// seedable random state. Maps, helpers and map references of programs all go through it.
import { BpfError, EbpfError } from "../errors.js";
import { GuestMemory } from "../exec/guest-memory.js";
import { helperRegistry, type Helper, type HelperRegistry } from "../exec/helpers.js";
import type { InlineArrayLookup, PseudoResolver } from "../exec/run.js";
import { CPU_ID_ADDR, MAX_CPUS } from "../isa/layout.js";
import { PseudoLd } from "../isa/opcode.js";
import { loadRuntime, type AsRuntime } from "./as-runtime.js";
import { kernelHelpers } from "./kernel-helpers.js";
import { BpfMap, type MapSpec } from "./maps.js";
import { MAP_TYPES } from "./map-types.js";

export interface MachineOptions {
  /** possible CPUs (1..64); the kernel's num_possible_cpus() decides per-CPU value layout */
  readonly ncpus?: number;
  /** the guest memory to live in; a fresh one when omitted */
  readonly mem?: GuestMemory;
  /** seed of the random state (bpf_get_prandom_u32, hash seeds of maps without BPF_F_ZERO_SEED) */
  readonly seed?: bigint;
  /** the CPU user-space map operations run on (LRU local lists, free lists) */
  readonly userCpu?: number;
}

export interface ClockSettings {
  /** CLOCK_MONOTONIC in ns (bpf_ktime_get_ns) */
  readonly ns?: bigint;
  /** how far every read advances the clock (0: a frozen clock) */
  readonly stepNs?: bigint;
  /** time spent suspended: bpf_ktime_get_boot_ns = monotonic + this */
  readonly suspendedNs?: bigint;
  /** CONFIG_HZ for bpf_jiffies64 */
  readonly hz?: number;
}

/** A program id that PROG_ARRAY values name. */
export interface ProgramEntry {
  readonly id: number;
  readonly name: string;
  /** slot in the shared function table, when the program is compiled there */
  readonly tableIndex: number | null;
}

const MACHINES = new WeakMap<GuestMemory, Machine>();

export interface ProgramOptions {
  readonly helpers: HelperRegistry;
  readonly pseudo: PseudoResolver;
  readonly inlineArrayLookup: (mapAddr: bigint) => InlineArrayLookup | null;
}

export class Machine {
  readonly mem: GuestMemory;
  readonly rt: AsRuntime;
  readonly ncpus: number;
  /** the CPU user-space map operations run on */
  userCpu: number;
  private readonly byPtr = new Map<number, BpfMap>();
  private readonly byId = new Map<number, BpfMap>();
  private readonly programs = new Map<number, ProgramEntry>();
  private nextMapId = 1;
  private nextProgId = 1;
  private rng: bigint;
  private scratchPtr = 0;
  private scratchSize = 0;
  private clock: Required<ClockSettings> = { ns: 0n, stepNs: 0n, suspendedNs: 0n, hz: 250 };
  private helperList: readonly Helper[] | null = null;

  private constructor(mem: GuestMemory, rt: AsRuntime, opts: MachineOptions) {
    this.mem = mem;
    this.rt = rt;
    this.ncpus = opts.ncpus ?? 1;
    this.userCpu = opts.userCpu ?? 0;
    this.rng = (opts.seed ?? 0x5eedn) | 1n;
    this.seedRandom(opts.seed ?? 0n);
    this.setClock({});
    // map values are regions: programs may load and store through a lookup's pointer
    const prev = mem.dynamicRegion;
    const access = rt.exports.wabpf_value_access;
    mem.dynamicRegion = (addr, size, write) => access(addr, size, write ? 1 : 0) !== 0 || (prev !== null && prev(addr, size, write));
  }

  static async create(opts: MachineOptions = {}): Promise<Machine> {
    const n = opts.ncpus ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > MAX_CPUS) throw new RangeError(`ncpus ${n} outside 1..${MAX_CPUS}`);
    const mem = opts.mem ?? new GuestMemory();
    // two runtimes over one memory would hand out the same heap twice
    if (MACHINES.has(mem)) throw new EbpfError("EBUSY", "this guest memory already has a machine (Machine.of(mem) finds it)");
    const machine = new Machine(mem, await loadRuntime(mem), opts);
    MACHINES.set(mem, machine);
    return machine;
  }

  /** The machine living in `mem`, if any. */
  static of(mem: GuestMemory): Machine | undefined {
    return MACHINES.get(mem);
  }

  // ---------------------------------------------------------------- maps
  /** BPF_MAP_CREATE: throws a BpfError with the kernel's errno for a request Linux rejects. */
  createMap(spec: MapSpec): BpfMap {
    const map = BpfMap.create(this, spec, this.nextMapId);
    this.nextMapId++;
    this.byPtr.set(map.ptr, map);
    this.byId.set(map.id, map);
    return map;
  }

  mapById(id: number): BpfMap | undefined {
    return this.byId.get(id);
  }

  /** The map whose header is at guest address `ptr` (what a map reference in a program loads). */
  mapAt(ptr: number | bigint): BpfMap | undefined {
    return typeof ptr === "bigint" ? (ptr > 0xffffffffn ? undefined : this.byPtr.get(Number(ptr))) : this.byPtr.get(ptr);
  }

  get maps(): readonly BpfMap[] {
    return [...this.byId.values()];
  }

  /** A 32-bit hash seed, as get_random_u32() gives maps created without BPF_F_ZERO_SEED. */
  randomU32(): number {
    // xorshift64*: reproducible from the machine's seed
    let x = this.rng;
    x ^= x >> 12n;
    x ^= BigInt.asUintN(64, x << 25n);
    x ^= x >> 27n;
    this.rng = x;
    return Number(BigInt.asUintN(64, x * 0x2545f4914f6cdd1dn) >> 32n);
  }

  // ---------------------------------------------------------------- programs
  /** Give a program an id that PROG_ARRAY values can name. */
  registerProgram(name = "", tableIndex: number | null = null): number {
    const id = this.nextProgId++;
    this.programs.set(id, { id, name, tableIndex });
    return id;
  }

  programById(id: number): ProgramEntry | undefined {
    return this.programs.get(id);
  }

  // ---------------------------------------------------------------- host-side plumbing
  /** A scratch area in the runtime heap for copying keys and values across (grown on demand). */
  scratch(size: number): number {
    if (size > this.scratchSize) {
      if (this.scratchPtr !== 0) this.rt.free(this.scratchPtr);
      this.scratchSize = Math.max(4096, 2 ** Math.ceil(Math.log2(size)));
      this.scratchPtr = this.rt.alloc(this.scratchSize);
    }
    return this.scratchPtr;
  }

  /** Run a user-space operation on `userCpu`, restoring the program CPU slot afterwards. */
  asUser<T>(fn: () => T): T {
    const v = this.mem.view;
    const saved = v.getUint32(CPU_ID_ADDR, true);
    v.setUint32(CPU_ID_ADDR, this.userCpu, true);
    try {
      return fn();
    } finally {
      this.mem.view.setUint32(CPU_ID_ADDR, saved, true);
    }
  }

  // ---------------------------------------------------------------- clock and randomness
  setClock(c: ClockSettings): void {
    this.clock = { ...this.clock, ...c, ns: c.ns ?? this.clockNs };
    this.rt.exports.wabpf_clock_set(this.clock.ns, this.clock.stepNs, this.clock.suspendedNs, BigInt(this.clock.hz));
  }

  get clockNs(): bigint {
    return BigInt.asUintN(64, this.rt.exports.wabpf_clock_get());
  }

  advanceClock(ns: bigint): void {
    this.setClock({ ns: this.clockNs + ns });
  }

  /** Reseed bpf_get_prandom_u32 (each CPU's state from seed + cpu). */
  seedRandom(seed: bigint): void {
    this.rt.exports.wabpf_prandom_seed(BigInt.asUintN(64, seed));
  }

  // ---------------------------------------------------------------- programs' view
  /** The kernel helpers this machine implements (map ops, CPU id, clock, random…). */
  get helpers(): readonly Helper[] {
    const list = this.helperList ?? kernelHelpers(this);
    this.helperList = list;
    return list;
  }

  /** `helpers` as a registry, optionally with extra helpers (later ones win). */
  helperRegistry(extra: readonly Helper[] = []): HelperRegistry {
    return helperRegistry([...this.helpers, ...extra]);
  }

  /**
   * Resolve a program's map references: ld_imm64 src 1/5 with imm i loads maps[i]'s address;
   * src 2/6 loads the address of its value plus the second slot's imm (single-entry arrays
   * only, as the kernel's map_direct_value_addr).
   */
  resolver(maps: readonly BpfMap[]): PseudoResolver {
    return (src, imm, nextImm) => {
      const m = maps[imm];
      if (m === undefined) return null;
      if (src === PseudoLd.MAP_FD || src === PseudoLd.MAP_IDX) return BigInt(m.ptr);
      if (src === PseudoLd.MAP_VALUE || src === PseudoLd.MAP_IDX_VALUE) {
        if (m.type !== MAP_TYPES.array || m.maxEntries !== 1) return null;
        const off = nextImm >>> 0;
        if (off >= m.valueSize) return null;
        return BigInt(m.directValueAddress() + off);
      }
      return null;
    };
  }

  /** Where an ARRAY map at `mapAddr` keeps its values, for JIT code that looks them up inline. */
  inlineArrayLookup(mapAddr: bigint): InlineArrayLookup | null {
    const m = this.mapAt(mapAddr);
    if (m === undefined || m.type !== MAP_TYPES.array) return null;
    return { values: m.directValueAddress(), maxEntries: m.maxEntries, stride: Math.ceil(m.valueSize / 8) * 8 };
  }

  /**
   * What running a program that uses `maps` takes, for runInterp, compileProgram and
   * JitProgram.run alike: the helpers, the map resolver and inline array lookups.
   */
  programOptions(maps: readonly BpfMap[], extraHelpers: readonly Helper[] = []): ProgramOptions {
    return { helpers: this.helperRegistry(extraHelpers), pseudo: this.resolver(maps), inlineArrayLookup: (a) => this.inlineArrayLookup(a) };
  }

  /** Throw the BpfError for a -errno result of a map operation. */
  static check(ret: number, op: string, what: string): void {
    if (ret < 0) throw BpfError.fromErrno(-ret, op, what);
  }
}

/** Create a simulated machine (loads the AssemblyScript runtime). */
export function createMachine(opts: MachineOptions = {}): Promise<Machine> {
  return Machine.create(opts);
}
