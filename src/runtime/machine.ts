// The simulated machine: one guest memory with its AssemblyScript runtime, a number of
// possible CPUs, the maps and program ids that live in it, a host-controlled clock and a
// seedable random state. Maps, helpers and map references of programs all go through it.
import { BpfError, EbpfError, atBoundary } from "../errors.js";
import { GuestMemory } from "../exec/guest-memory.js";
import { helperRegistry, type Helper, type HelperRegistry } from "../exec/helpers.js";
import { kfuncRegistry, type KfuncImpl, type KfuncRegistry } from "../exec/kfuncs.js";
import { MACHINE_KFUNCS } from "./kfuncs.js";
import type { InlineArrayLookup, PseudoResolver, TailCallTarget } from "../exec/run.js";
import { SimAddressSpaces } from "./sim-memory.js";
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
  /** what bpf_tail_call jumps to (instructions, map references, compiled code); null: a tail call to it falls through */
  readonly target: TailCallTarget | null;
}

/**
 * The simulated `current` task of a CPU, as the task helpers see it (bpf_get_current_pid_tgid,
 * _uid_gid, _comm) and trace_pipe lines name it. pid is the kernel's pid (a thread id), tgid
 * the process id; comm is cut to 15 bytes (TASK_COMM_LEN 16 with its NUL).
 */
export interface TaskSpec {
  readonly pid: number;
  /** default: pid */
  readonly tgid?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly comm?: string;
}

/** One bpf_trace_printk line, as the trace buffer keeps it. */
export interface TraceEvent {
  readonly cpu: number;
  readonly pid: number;
  readonly comm: string;
  /** CLOCK_MONOTONIC ns of the machine's clock when the line was written */
  readonly ns: bigint;
  /** the formatted message, exactly as the program produced it */
  readonly msg: string;
}

/** A task with this pid is a CPU's idle task ("swapper/N"); trace_pipe shows pid 0 as <idle>. */
const idleTask = (cpu: number): Required<TaskSpec> => ({ pid: 0, tgid: 0, uid: 0, gid: 0, comm: `swapper/${cpu}` });

const MACHINES = new WeakMap<GuestMemory, Machine>();

export interface ProgramOptions {
  readonly helpers: HelperRegistry;
  readonly pseudo: PseudoResolver;
  readonly inlineArrayLookup: (mapAddr: bigint) => InlineArrayLookup | null;
  /** the kfuncs, where a kernel's BTF gives them ids (SimKernel.programOptions) */
  readonly kfuncs?: KfuncRegistry;
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
  private readonly progRefs = new Map<number, { refs: number; readonly maps: readonly BpfMap[]; readonly frees: Array<() => void> }>();
  private nextMapId = 1;
  private nextProgId = 1;
  private rng: bigint;
  private scratchPtr = 0;
  private scratchSize = 0;
  private clock: Required<ClockSettings> = { ns: 0n, stepNs: 0n, suspendedNs: 0n, hz: 250 };
  private helperList: readonly Helper[] | null = null;
  private readonly tasks: Array<Required<TaskSpec> | null> = [];
  private readonly trace: TraceEvent[] = [];
  /** simulated kernel and user memory for the probe-read helpers */
  readonly addressSpaces: SimAddressSpaces;
  /** spin locks (guest addresses) taken by bpf_spin_lock and not released yet */
  readonly spinLocksHeld = new Set<number>();
  /** the symbol %ps / %pS / %pB print for an address (the simulated kernel sets it), or null */
  symbolizer: ((addr: bigint, withOffset: boolean) => string | null) | null = null;
  /** the guest address of the task with a pid, 0 for none (the simulated kernel sets it): how user space names a task storage map's keys */
  taskByPid: ((pid: number) => number) | null = null;

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
    this.addressSpaces = new SimAddressSpaces(mem);
    // probe loads (BPF_PROBE_MEM) read kernel memory as bpf_probe_read_kernel does
    mem.kernelMemory = this.addressSpaces;
    for (let cpu = 0; cpu < MAX_CPUS; cpu++) this.writeTask(cpu, idleTask(cpu));
  }

  static async create(opts: MachineOptions = {}): Promise<Machine> {
    const n = opts.ncpus ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > MAX_CPUS) throw new EbpfError("EINVAL", `ncpus ${n} outside 1..${MAX_CPUS}`);
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
    const map = atBoundary("createMap", () => BpfMap.create(this, spec, this.nextMapId));
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

  /** @internal the map's last reference is gone (BpfMap.release): its id and storage go. */
  freeMap(map: BpfMap): void {
    if (this.byPtr.get(map.ptr) !== map) return;
    this.byPtr.delete(map.ptr);
    this.byId.delete(map.id);
    if (this.rt.exports.wabpf_map_free(map.ptr) !== 0) throw new EbpfError("EFAULT", `map ${map.id}: the runtime holds no map at ${map.ptr}`);
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
  /**
   * Give a program an id that PROG_ARRAY values can name. With a `target` (its instructions,
   * map resolver and, for JIT callers, its JitProgram), bpf_tail_call can jump to it:
   * `machine.registerProgram("next", null, { name: "next", insns, pseudo, compiled: jitProgram })`.
   */
  registerProgram(name = "", tableIndex: number | null = null, target: TailCallTarget | null = null, maps: readonly BpfMap[] = []): number {
    const id = this.nextProgId++;
    // the maps it uses (the kernel's used_maps) are held until its last reference goes
    for (const m of maps) m.hold();
    this.programs.set(id, { id, name, tableIndex, target });
    this.progRefs.set(id, { refs: 1, maps, frees: [] });
    return id;
  }

  programById(id: number): ProgramEntry | undefined {
    return this.programs.get(id);
  }

  /** Take a reference on a program (a link, a PROG_ARRAY slot): EBADF when it is gone. */
  holdProgram(id: number): void {
    const r = this.progRefs.get(id);
    if (r === undefined) throw new EbpfError("EBADF", `no program with id ${id}`);
    r.refs++;
  }

  /**
   * Drop a reference taken by registerProgram (the loader's handle) or holdProgram. The last
   * one unregisters the program, drops its maps and frees what it owns (its table slots), as
   * bpf_prog_put does.
   */
  releaseProgram(id: number): void {
    const r = this.progRefs.get(id);
    if (r === undefined || --r.refs > 0) return;
    this.progRefs.delete(id);
    this.programs.delete(id);
    for (const free of r.frees) free();
    for (const m of r.maps) m.release();
  }

  /** Also run `free` when program `id` is freed (what else it owns in the machine: its compiled code's table slots, a kernel program's state block). */
  onProgramFree(id: number, free: () => void): void {
    const r = this.progRefs.get(id);
    if (r === undefined) throw new EbpfError("EBADF", `no program with id ${id}`);
    r.frees.push(free);
  }

  // ---------------------------------------------------------------- current task
  /**
   * Set the task `current` is on `cpu` (every CPU when omitted); null makes it NULL, so the
   * task helpers return -EINVAL as the kernel's do. Each CPU starts with its idle task
   * (pid 0, "swapper/N"). The simulated kernel (src/kernel) sets it through this.
   */
  setCurrentTask(task: TaskSpec | null, cpu?: number): void {
    if (cpu !== undefined && (!Number.isInteger(cpu) || cpu < 0 || cpu >= MAX_CPUS)) throw new EbpfError("EINVAL", `cpu ${cpu} outside 0..${MAX_CPUS - 1}`);
    const full = task === null ? null : { pid: task.pid, tgid: task.tgid ?? task.pid, uid: task.uid ?? 0, gid: task.gid ?? 0, comm: task.comm ?? "" };
    for (const c of cpu === undefined ? Array.from({ length: MAX_CPUS }, (_, k) => k) : [cpu]) this.writeTask(c, full);
  }

  /** The task `current` is on `cpu` (null: none). */
  currentTask(cpu = 0): Readonly<Required<TaskSpec>> | null {
    return this.tasks[cpu] ?? null;
  }

  private writeTask(cpu: number, t: Required<TaskSpec> | null): void {
    this.tasks[cpu] = t;
    const comm = new Uint8Array(16);
    if (t !== null) comm.set(new TextEncoder().encode(t.comm).subarray(0, 15));
    const dv = new DataView(comm.buffer);
    const u32 = (x: number): number => x >>> 0;
    this.rt.exports.wabpf_task_set(cpu, t === null ? 0 : 1, t?.pid ?? 0, t?.tgid ?? 0, u32(t?.uid ?? 0), u32(t?.gid ?? 0), dv.getBigUint64(0, true), dv.getBigUint64(8, true));
  }

  // ---------------------------------------------------------------- simulated memory for probe reads
  /**
   * Map `bytes` at kernel address `addr` (at or above TASK_SIZE_MAX + 4096, e.g.
   * 0xffff888000000000): bpf_probe_read_kernel and friends read them. The bytes are not
   * copied: later changes are seen.
   */
  mapKernelMemory(addr: bigint, bytes: Uint8Array): void {
    this.addressSpaces.map("kernel", addr, bytes);
  }

  /** Map `bytes` at user address `addr` (below TASK_SIZE_MAX) for bpf_probe_read_user and friends. */
  mapUserMemory(addr: bigint, bytes: Uint8Array): void {
    this.addressSpaces.map("user", addr, bytes);
  }

  /** Declare guest memory [addr, addr + size) kernel memory (objects the simulated kernel keeps in guest memory). */
  mapKernelGuestMemory(addr: number, size: number): void {
    this.addressSpaces.mapGuestKernel(addr, size);
  }

  unmapMemory(space: "kernel" | "user", addr: bigint): boolean {
    return this.addressSpaces.unmap(space, addr);
  }

  // ---------------------------------------------------------------- trace buffer (bpf_trace_printk)
  /** Append a bpf_trace_printk line for the current task of `cpu` (what the helper does). */
  tracePrintk(cpu: number, msg: string): void {
    const t = this.tasks[cpu] ?? null;
    this.trace.push({ cpu, pid: t?.pid ?? 0, comm: t?.comm ?? "", ns: this.clockNs, msg });
  }

  /** The lines not read yet (trace_pipe keeps them until read). */
  get traceEvents(): readonly TraceEvent[] {
    return this.trace;
  }

  /**
   * Read and consume the trace buffer, formatted as /sys/kernel/tracing/trace_pipe prints
   * bpf_trace_printk events with the default options:
   * `<comm right-aligned in 16>-<pid left-aligned in 7> [<cpu, 3 digits>] <flags> <s>.<µs>: bpf_trace_printk: <msg>`
   * then a newline (the event's own; a message ending in "\n" gives an empty line after it, as
   * in Linux). pid 0 prints as "<idle>"; the irq/preempt flags column is always "....." here.
   */
  readTracePipe(): string {
    const out = this.trace.map((e) => formatTraceLine(e)).join("");
    this.trace.length = 0;
    return out;
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
   * The machine's kfuncs and `extra` (later ones win), bound to the ids their names have in a
   * kernel's BTF (`idOf`: the FUNC id of a name, undefined when that kernel lacks it).
   */
  kfuncRegistry(idOf: (name: string) => number | undefined, extra: readonly KfuncImpl[] = []): KfuncRegistry {
    return kfuncRegistry([...MACHINE_KFUNCS, ...extra], idOf);
  }

  /**
   * Resolve a program's map references: ld_imm64 src 1/5 with imm i loads maps[i]'s address;
   * src 2/6 loads the address of its value plus the second slot's imm (single-entry arrays
   * only, as the kernel's map_direct_value_addr).
   */
  resolver(maps: ReadonlyArray<BpfMap | undefined>): PseudoResolver {
    return (src, imm, nextImm) => {
      // a kernel function's address (bpf_ksym_exists): only ever compared with 0, never read
      if (src === PseudoLd.BTF_ID) return imm === 0 ? null : KFUNC_ADDR_BASE + BigInt(imm) * 16n;
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

/** Where the addresses ld_imm64 gives kernel functions start (a kernel text-looking range). */
const KFUNC_ADDR_BASE = 0xffffffff81000000n;

/** One trace_pipe line (with its newline) for a bpf_trace_printk event. */
export function formatTraceLine(e: TraceEvent): string {
  const comm = e.pid === 0 ? "<idle>" : e.comm;
  const us = e.ns / 1000n;
  const secs = (us / 1_000_000n).toString().padStart(5, " ");
  const frac = (us % 1_000_000n).toString().padStart(6, "0");
  return `${comm.padStart(16, " ")}-${String(e.pid).padEnd(7, " ")} [${String(e.cpu).padStart(3, "0")}] ..... ${secs}.${frac}: bpf_trace_printk: ${e.msg}\n`;
}

/** Create a simulated machine (loads the AssemblyScript runtime). */
export function createMachine(opts: MachineOptions = {}): Promise<Machine> {
  return Machine.create(opts);
}
