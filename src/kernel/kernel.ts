// The simulated kernel: functions with addresses, symbols and BTF prototypes, a current task
// and CPU, tracing helpers, and fentry / fexit / fmod_ret attachment through trampolines.
//
// Every kernel function has two slots in the shared function table: its *entry* slot, which
// callers (AssemblyScript kernel code, helpers, the host) call_indirect through, and its
// *orig* slot holding the body. Attaching installs a trampoline in the entry slot; detaching
// the last program puts the body back (the kernel's patched nop, in table form).
//
// Two attachment paths, as in the multi-link series:
// - regular links (attach): a per-target trampoline generated as specialized wasm
//   (src/kernel/trampoline.ts), rebuilt whenever the function's program list changes;
// - multi-links (attachMulti): per-function metadata (kfunc_md) in an AssemblyScript hash table
//   (assembly/kernel/kfunc-md.ts) and one global trampoline per argument count that looks it
//   up by the function's address (src/kernel/multi-tramp.ts).
// Cooperation: when a function has both regular and multi-link programs, the per-target
// trampoline includes the multi-link programs too (with their cookies), merged by kind and
// by attach order, so both run exactly as if they were regular links; the function's kfunc_md
// entry stays in the table (the global trampoline is simply not installed while a regular
// link exists) and takes over again when the last regular link goes. The series instead
// refuses a multi-link on a function with a regular fentry (-EEXIST):
// `new SimKernel({ multiExclusive: true })` keeps that behaviour for fidelity tests.
import { BpfError, EbpfError, atBoundary, type Errno } from "../errors.js";
import type { Helper } from "../exec/helpers.js";
import type { Machine } from "../runtime/machine.js";
import { createMachine } from "../runtime/machine.js";
import type { BpfMap } from "../runtime/maps.js";
import { loadBinaryen, type Binaryen } from "../jit/binaryen-loader.js";
import { BpfObject } from "../object/bpf-object.js";
import type { Btf } from "../loader/btf.js";
import { BUILTIN_FUNCTIONS, generatedFunctions, modifyReturnAllowed, type KernelFunctionSpec } from "./functions.js";
import { vmlinuxBtf } from "./vmlinux-btf.js";
import { buildHostFunction, buildTrampoline, type TrampolineProgram } from "./trampoline.js";
import { buildMultiTrampolines, MD_INLINE, multiShapeKey, MULTI_MAX_ARGS } from "./multi-tramp.js";
import { loadKernelProgram, TRACING_HELPER_IDS, type KernelProgram, type TracingKind } from "./program.js";
import { accessedArgs, checkMultiTarget, needsFrame } from "./multi.js";
import { archRegs, type Arch, type ArchRegs } from "./arch.js";
import { buildKprobeLayer, buildTracepointHook, type ClassicEvent, type ProbeProgram } from "./probe-tramp.js";
import { BUILTIN_EVENTS, BUILTIN_TRACEPOINTS, eventSources, formatEvent, type TraceEventSpec, type TracepointSite } from "./tracepoints.js";
import { TRAMP_STACK_SIZE } from "./trampoline.js";

/** BPF_TRACE_MAX_PROGS: programs on one classic trace event */
export const BPF_TRACE_MAX_PROGS = 64;
/** BPF_MAX_TRAMP_LINKS */
export const MAX_TRAMP_LINKS = 38;
/** The address of the first kernel function; each takes 0x40 bytes of "text". */
export const KERNEL_TEXT_BASE = 0xffffffff81000000n;
/** The global trampolines exist for 0..6 arguments (the x86-64 argument registers). */
export { MULTI_MAX_ARGS };

export interface KernelOptions {
  /** the machine to live in (a fresh one when omitted) */
  readonly machine?: Machine;
  /** generated functions for scale (default 3000) */
  readonly generated?: number;
  /** the series' rule: a multi-link on a function with a regular fentry fails with -EEXIST */
  readonly multiExclusive?: boolean;
  /** count run_cnt / run_time_ns (the kernel's sysctl kernel.bpf_stats_enabled) */
  readonly statsEnabled?: boolean;
  /** the simulated architecture: the register file kprobe programs see (default x86) */
  readonly arch?: Arch;
}

export interface KernelFunction extends KernelFunctionSpec {
  readonly index: number;
  /** the function's address (kallsyms) */
  readonly ip: bigint;
  readonly nargs: number;
  readonly entrySlot: number;
  readonly origSlot: number;
  /** fmod_ret may attach (error-injection list or an int-returning security_* hook) */
  readonly modifyReturn: boolean;
  /** defined from the host with SimKernel.defineFunction */
  readonly host: boolean;
}

export interface TaskSpec {
  readonly pid: number;
  readonly tgid?: number;
  readonly comm?: string;
}

/** One program on one function. */
interface Attachment {
  readonly seq: number;
  readonly prog: KernelProgram;
  readonly kind: TracingKind;
  readonly cookie: bigint;
  readonly multi: boolean;
}

function linkError(code: Errno, msg: string): BpfError {
  return new BpfError(code, "link_create", msg);
}

/** What a link is attached to: a kernel function, or a tracepoint (raw or classic event). */
export interface TracepointTarget {
  /** "sys_enter" (raw tracepoint) or "syscalls/sys_enter_openat" (classic event) */
  readonly name: string;
  readonly tracepoint: true;
}

/** A link to one function (fentry/fexit/fmod_ret, kprobe/kretprobe) or one tracepoint (bpf_link). */
export class Link {
  private live = true;
  constructor(
    private readonly onDetach: () => void,
    readonly program: KernelProgram,
    readonly target: KernelFunction | TracepointTarget,
    readonly cookie: bigint,
  ) {}
  get attached(): boolean {
    return this.live;
  }
  /** Remove the program; calls already running finish on the old trampoline. */
  detach(): void {
    if (!this.live) return;
    this.live = false;
    this.onDetach();
  }
}

/** A multi-link (tracing multi, kprobe.multi / kretprobe.multi): one program on many functions, a cookie per function. */
export class MultiLink {
  private live = true;
  constructor(
    private readonly onDetach: () => void,
    readonly program: KernelProgram,
    readonly targets: readonly KernelFunction[],
    readonly cookies: readonly bigint[],
  ) {}
  get attached(): boolean {
    return this.live;
  }
  detach(): void {
    if (!this.live) return;
    this.live = false;
    this.onDetach();
  }
}

/** A kprobe-family program on one function. */
interface ProbeAttachment {
  readonly seq: number;
  readonly prog: KernelProgram;
  readonly ret: boolean;
  readonly cookie: bigint;
  readonly multi: boolean;
}

/** A program on a tracepoint: raw (raw_tp, tp_btf) or on one of its classic events. */
interface TpAttachment {
  readonly seq: number;
  readonly prog: KernelProgram;
  readonly cookie: bigint;
  readonly event: TraceEventSpec | null;
}

interface TpState {
  readonly site: TracepointSite;
  /** the table slot of its hook */
  readonly slot: number;
  atts: TpAttachment[];
}

export interface MultiAttachOptions {
  /** one cookie per target (in the order the targets resolve), or by function name */
  readonly cookies?: readonly bigint[] | ReadonlyMap<string, bigint>;
}

// AssemblyScript exports of assembly/kernel (typed where the host calls them)
interface KernelExports {
  wabpf_kfn_register(id: number, slot: number, ip: bigint): void;
  wabpf_kernel_init(): number;
  wabpf_kernel_tsp_addr(): number;
  wabpf_kernel_tstack_lo(): number;
  wabpf_kernel_tsp_reset(): void;
  wabpf_kernel_set_current(task: number): void;
  wabpf_kernel_current(): number;
  wabpf_kernel_set_fd(fd: number, file: number): void;
  wabpf_kernel_syscall(nr: number, a0: bigint, a1: bigint, a2: bigint): bigint;
  wabpf_kernel_syscall_loop(n: number): bigint;
  wabpf_kernel_trigger_loop(n: number): bigint;
  wabpf_kmd_state_addr(): number;
  wabpf_kmd_insert(addr: bigint, nargs: number, origSlot: number): number;
  wabpf_kmd_delete(addr: bigint): number;
  wabpf_kmd_lookup(addr: bigint): number;
  wabpf_kmd_set_list(md: number, list: number): void;
  wabpf_kmd_count(): number;
  wabpf_kmd_buckets(): number;
  wabpf_kmd_used_buckets(): number;
  wabpf_kmd_inflight(): number;
  wabpf_tp_set(id: number, slot: number, prog: number, state: number): void;
  wabpf_kernel_regs_buf(): number;
  wabpf_kernel_regs_buf_size(): number;
}

const hostNow = (): number => performance.now() * 1e6;

export class SimKernel {
  readonly machine: Machine;
  readonly functions: readonly KernelFunction[];
  readonly multiExclusive: boolean;
  /** the CPU programs run on (CPU_ID_ADDR while the kernel runs) */
  cpu = 0;
  private readonly fnList: KernelFunction[] = [];
  private readonly byName = new Map<string, KernelFunction>();
  private readonly byIp = new Map<bigint, KernelFunction>();
  private readonly bodies = new Map<KernelFunction, Function>();
  private readonly attachments = new Map<KernelFunction, Attachment[]>();
  private readonly ex: KernelExports;
  private readonly b: Binaryen;
  private readonly tspAddr: number;
  private readonly tstackLo: number;
  private multiTramps = new Map<string, Function>();
  /** straight-line global trampolines in the current module (multiShapeKey) */
  private readonly multiShapes = new Set<string>();
  /** programs the global trampolines dispatch to, by index */
  private readonly multiProgs: KernelProgram[] = [];
  /** bodies the global trampolines call, by argument count */
  private readonly multiBodies: Function[][] = Array.from({ length: MULTI_MAX_ARGS + 1 }, () => []);
  private readonly kmdState: number;
  /** the bucket array the global trampolines were built for */
  private kmdBuilt = 0;
  private seq = 0;
  private stats: boolean;
  private btfCache: { btf: Btf; bytes: Uint8Array; funcIds: Map<string, number> } | null = null;
  private helperList: Helper[] | null = null;
  /** the register file kprobe programs see */
  readonly regs: ArchRegs;
  /** per-CPU u32 bpf_prog_active */
  private readonly activeAddr: number;
  /** the current task's pid (common_pid of trace records) */
  private readonly pidAddr: number;
  private readonly probeAtts = new Map<KernelFunction, ProbeAttachment[]>();
  private readonly tps = new Map<string, TpState>();
  private readonly eventList: TraceEventSpec[] = [...BUILTIN_EVENTS];
  private currentTask = 0;

  private constructor(machine: Machine, b: Binaryen, opts: KernelOptions) {
    this.machine = machine;
    this.regs = archRegs(opts.arch ?? "x86");
    this.b = b;
    this.functions = this.fnList;
    this.multiExclusive = opts.multiExclusive ?? false;
    this.stats = opts.statsEnabled ?? false;
    this.ex = machine.rt.exports as unknown as KernelExports;
    if (this.ex.wabpf_kernel_init() === 0) throw new EbpfError("ENOMEM", "cannot allocate the tracing stack");
    this.tspAddr = this.ex.wabpf_kernel_tsp_addr();
    this.tstackLo = this.ex.wabpf_kernel_tstack_lo();
    this.kmdState = this.ex.wabpf_kmd_state_addr();
    const rtx = machine.rt.exports as unknown as Record<string, Function>;
    const specs = [...BUILTIN_FUNCTIONS, ...generatedFunctions(opts.generated ?? 3000)];
    for (const s of specs) {
      const body = rtx[s.body];
      if (body === undefined) throw new EbpfError("ENOENT", `kernel function body ${s.body} missing from the runtime (npm run build:as)`);
      this.addFunction(s, body, false);
    }
    BUILTIN_FUNCTIONS.forEach((s, id) => {
      const f = this.byName.get(s.name)!;
      this.ex.wabpf_kfn_register(id, f.entrySlot, f.ip);
    });
    this.activeAddr = machine.rt.alloc(64 * 4);
    this.pidAddr = machine.rt.alloc(8);
    machine.mem.bytes.fill(0, this.activeAddr, this.activeAddr + 256);
    for (const site of BUILTIN_TRACEPOINTS) this.addTracepointSite(site);
    // the kernel's own objects are kernel memory for the probe-read helpers: the tracing stack
    // (trampoline frames: program stacks, ctx) and the syscall path's pt_regs
    machine.mapKernelGuestMemory(this.tstackLo, TRAMP_STACK_SIZE);
    machine.mapKernelGuestMemory(this.ex.wabpf_kernel_regs_buf(), this.ex.wabpf_kernel_regs_buf_size());
    // programs run from trampolines keep their stack there: helpers may write to it
    const prev = machine.mem.dynamicRegion;
    const lo = this.tstackLo;
    const hi = this.tstackLo + TRAMP_STACK_SIZE;
    machine.mem.dynamicRegion = (addr, size, write) => (addr >= lo && addr + size <= hi) || (prev !== null && prev(addr, size, write));
    machine.symbolizer ??= (addr, withOffset) => {
      const f = this.fnList[Number((addr - KERNEL_TEXT_BASE) / 0x40n)];
      if (addr < KERNEL_TEXT_BASE || f === undefined) return null;
      const off = addr - f.ip;
      return withOffset ? `${f.name}+0x${off.toString(16)}/0x40` : f.name;
    };
    this.setStats(this.stats);
    // an idle task until the host picks one
    this.setCurrent(this.createTask({ pid: 1, comm: "init" }));
  }

  /** Create a kernel (and a machine when none is given); loads binaryen once per process. */
  static create(opts: KernelOptions = {}): Promise<SimKernel> {
    return atBoundary("SimKernel.create", async () => new SimKernel(opts.machine ?? (await createMachine()), await loadBinaryen(), opts));
  }

  // ---------------------------------------------------------------- functions
  private addFunction(spec: KernelFunctionSpec, body: Function, host: boolean): KernelFunction {
    if (this.byName.has(spec.name)) throw new EbpfError("EEXIST", `kernel function ${spec.name} already exists`);
    if (spec.params.length > 12) throw new EbpfError("E2BIG", `kernel function ${spec.name}: more than 12 arguments`);
    const mem = this.machine.mem;
    const entrySlot = mem.allocTableSlots(2);
    const index = this.fnList.length;
    const f: KernelFunction = {
      ...spec,
      index,
      ip: KERNEL_TEXT_BASE + BigInt(index) * 0x40n,
      nargs: spec.params.length,
      entrySlot,
      origSlot: entrySlot + 1,
      modifyReturn: modifyReturnAllowed(spec),
      host,
    };
    mem.table.set(entrySlot, body);
    mem.table.set(entrySlot + 1, body);
    this.fnList.push(f);
    this.byName.set(f.name, f);
    this.byIp.set(f.ip, f);
    this.bodies.set(f, body);
    this.btfCache = null;
    return f;
  }

  /**
   * Define a kernel function implemented in JS (the slow path: arguments cross as BigInt, ~50 ns
   * a call). It gets an address, a symbol, a BTF prototype from the C type strings of `spec`,
   * and can be traced like any other; `impl` receives the arguments as u64 and returns the
   * return value (0 for void). Call it with `call(name, …)` or from other host functions.
   */
  defineFunction(spec: KernelFunctionSpec, impl: (...args: bigint[]) => bigint): KernelFunction {
    const n = spec.params.length;
    const body = buildHostFunction(this.b, n, (_ip: bigint, ...args: bigint[]) => impl(...args.map((a) => BigInt.asUintN(64, a))));
    return this.addFunction(spec, body, true);
  }

  fn(name: string): KernelFunction {
    const f = this.byName.get(name);
    if (f === undefined) throw new EbpfError("ENOENT", `no kernel function '${name}'`);
    return f;
  }
  fnByIp(ip: bigint): KernelFunction | undefined {
    return this.byIp.get(ip);
  }

  /** Call a kernel function through its entry (trampolines run); returns the u64 result. */
  call(name: string, ...args: bigint[]): bigint {
    const f = this.fn(name);
    if (args.length !== f.nargs) throw new EbpfError("EINVAL", `${name} takes ${f.nargs} arguments, got ${args.length}`);
    return this.enter(() => (this.machine.mem.table.get(f.entrySlot) as (...a: bigint[]) => bigint)(f.ip, ...args.map((a) => BigInt.asIntN(64, a))));
  }

  /** Enter the syscall path (do_syscall_64 with a struct pt_regs holding the arguments). */
  syscall(nr: number, a0 = 0n, a1 = 0n, a2 = 0n): bigint {
    return this.enter(() => this.ex.wabpf_kernel_syscall(nr, BigInt.asIntN(64, a0), BigInt.asIntN(64, a1), BigInt.asIntN(64, a2)));
  }

  /** Run kernel code on `cpu`; a trap inside resets the tracing stack. */
  private enter(run: () => bigint): bigint {
    const v = this.machine.mem.view;
    v.setUint32(0x50000, this.cpu, true); // CPU_ID_ADDR
    try {
      return BigInt.asUintN(64, run());
    } catch (e) {
      this.ex.wabpf_kernel_tsp_reset();
      throw e;
    }
  }

  /** /proc/kallsyms: "address T name" per function. */
  kallsyms(): string {
    return this.fnList.map((f) => `${f.ip.toString(16).padStart(16, "0")} T ${f.name}\n`).join("");
  }

  /** Function names matching a glob ('*' and '?'). */
  match(pattern: string): KernelFunction[] {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return this.fnList.filter((f) => re.test(f.name));
  }

  // ---------------------------------------------------------------- BTF
  private btfData(): { btf: Btf; bytes: Uint8Array; funcIds: Map<string, number> } {
    this.btfCache ??= vmlinuxBtf(this.fnList, [...this.tps.values()].map((t) => t.site), this.eventList);
    return this.btfCache;
  }
  /** The vmlinux-like BTF of every function (rebuilt after defineFunction). */
  get btf(): Btf {
    return this.btfData().btf;
  }
  /** The raw BTF blob (`bpftool btf dump file` reads it). */
  get btfBytes(): Uint8Array {
    return this.btfData().bytes;
  }
  /** The BTF id of a function's FUNC record. */
  btfFuncId(name: string): number | undefined {
    return this.btfData().funcIds.get(name);
  }

  // ---------------------------------------------------------------- tasks and files
  /** Allocate a struct task_struct (pid, tgid, comm) in guest memory; returns its address. */
  createTask(t: TaskSpec): number {
    const addr = this.machine.rt.alloc(40);
    this.machine.mem.bytes.fill(0, addr, addr + 40);
    const v = this.machine.mem.view;
    v.setInt32(addr, t.pid, true);
    v.setInt32(addr + 4, t.tgid ?? t.pid, true);
    const comm = new TextEncoder().encode(t.comm ?? "").slice(0, 15);
    this.machine.mem.bytes.set(comm, addr + 8);
    this.machine.mapKernelGuestMemory(addr, 40);
    return addr;
  }
  /**
   * Make the task at `task` (from createTask; 0 for none) current on `cpu` (every CPU when
   * omitted): kernel code sees it, and the machine's task helpers (bpf_get_current_pid_tgid,
   * _comm, _uid_gid) report it (Machine.setCurrentTask).
   */
  setCurrent(task: number, cpu?: number): void {
    this.ex.wabpf_kernel_set_current(task);
    this.currentTask = task;
    const v = this.machine.mem.view;
    if (task === 0) {
      this.machine.setCurrentTask(null, cpu);
      v.setInt32(this.pidAddr, 0, true);
      return;
    }
    const pid = v.getInt32(task, true);
    const tgid = v.getInt32(task + 4, true);
    const raw = this.machine.mem.bytes.subarray(task + 8, task + 24);
    const end = raw.indexOf(0);
    const comm = new TextDecoder().decode(raw.subarray(0, end < 0 ? 15 : Math.min(end, 15)));
    this.machine.setCurrentTask({ pid, tgid, comm }, cpu);
    v.setInt32(this.pidAddr, pid, true);
  }
  get current(): number {
    return this.currentTask;
  }
  /** A struct file of `size` bytes (with its inode) installed at `fd` (0..15). */
  openFile(fd: number, size: bigint, ino = 1n): number {
    const rt = this.machine.rt;
    const inode = rt.alloc(16);
    const file = rt.alloc(24);
    const v = this.machine.mem.view;
    v.setBigUint64(inode, ino, true);
    v.setBigInt64(inode + 8, size, true);
    v.setUint32(file + 16, inode, true);
    this.machine.mapKernelGuestMemory(inode, 16);
    this.machine.mapKernelGuestMemory(file, 24);
    this.ex.wabpf_kernel_set_fd(fd, file);
    return file;
  }

  // ---------------------------------------------------------------- programs
  /** The helpers programs on this kernel call: the machine's, tracing helpers, task helpers. */
  get helpers(): Helper[] {
    if (this.helperList !== null) return this.helperList;
    const rtx = this.machine.rt.exports as unknown as Record<string, Function>;
    const nat = (name: string): Function => rtx[name]!;
    const call = (f: Function, ...a: bigint[]): bigint => BigInt.asUintN(64, (f as (...x: bigint[]) => bigint)(...a.map((x) => BigInt.asIntN(64, x)), ...Array<bigint>(5 - a.length).fill(0n)));
    const h = (id: number, name: string, native: string, arity: number): Helper => ({
      id,
      name,
      native: nat(native),
      // the interpreter's entry: the same wasm code (these helpers trust the verifier)
      fn: (c) => call(nat(native), ...[c.r1, c.r2, c.r3, c.r4, c.r5].slice(0, arity)),
    });
    // bpf_get_current_pid_tgid / _comm / _uid_gid and the probe reads are the machine's
    // (setCurrent drives Machine.setCurrentTask; kernel objects are declared kernel memory)
    this.helperList = [
      h(35, "bpf_get_current_task", "helper_get_current_task", 0),
      h(58, "bpf_override_return", "helper_override_return", 2),
      h(TRACING_HELPER_IDS.get_func_ip, "bpf_get_func_ip", "helper_get_func_ip", 1),
      h(TRACING_HELPER_IDS.get_attach_cookie, "bpf_get_attach_cookie", "helper_get_attach_cookie", 1),
      h(TRACING_HELPER_IDS.get_func_arg, "bpf_get_func_arg", "helper_get_func_arg", 3),
      h(TRACING_HELPER_IDS.get_func_ret, "bpf_get_func_ret", "helper_get_func_ret", 2),
      h(TRACING_HELPER_IDS.get_func_arg_cnt, "bpf_get_func_arg_cnt", "helper_get_func_arg_cnt", 1),
      // bpf_get_numa_node_id is a traceable kernel function here (the bench trigger)
      h(42, "bpf_get_numa_node_id", "kernel_helper_get_numa_node_id", 5),
    ];
    return this.helperList;
  }

  /** Helpers, map resolver and inline array lookups for programs using `maps`. */
  programOptions(maps: readonly BpfMap[]): ReturnType<Machine["programOptions"]> {
    return this.machine.programOptions(maps, this.helpers);
  }

  /** Open an object against this kernel (its machine; CO-RE against its BTF). */
  open(src: Uint8Array | string, name?: string): Promise<BpfObject> {
    // untyped __ksym externs resolve through the simulated kallsyms
    const ksyms = (sym: string): bigint | undefined => this.byName.get(sym)?.ip;
    return BpfObject.open(src, { machine: this.machine, targetBtf: this.btf, ksyms, ...(name !== undefined ? { name } : {}) });
  }

  /** Verify and compile one program of an object (tracing programs: see src/kernel/program.ts). */
  load(obj: BpfObject, name: string, logLevel: 0 | 1 | 2 = 0): Promise<KernelProgram> {
    return atBoundary(`SimKernel.load ${name}`, () => loadKernelProgram(this, obj, name, logLevel));
  }

  /** Turn run_cnt / run_time_ns accounting on or off (rebuilds the trampolines). */
  setStats(on: boolean): void {
    this.stats = on;
    if (this.multiProgs.length > 0) this.buildMulti();
    for (const f of new Set([...this.attachments.keys(), ...this.probeAtts.keys()])) this.rebuild(f);
    for (const st of this.tps.values()) if (st.atts.length > 0) this.rebuildTracepoint(st);
  }
  get statsEnabled(): boolean {
    return this.stats;
  }

  // ---------------------------------------------------------------- attach
  /**
   * Attach a program by what its section says, as libbpf's bpf_program__attach does:
   * fentry/fexit/fmod_ret (a trampoline), kprobe/kretprobe/ksyscall/kretsyscall (the function's
   * kprobe layer), raw_tp/raw_tracepoint and tp_btf (a raw tracepoint), tp/tracepoint (a classic
   * event "system/name"). `target` overrides the section's target; multi sections go through
   * attachMulti.
   */
  attach(prog: KernelProgram, target?: string, opts: { cookie?: bigint } = {}): Link {
    return atBoundary(() => `SimKernel.attach ${prog.name}${target !== undefined ? ` to ${target}` : ""}`, () => this.attachUnguarded(prog, target, opts));
  }

  private attachUnguarded(prog: KernelProgram, target: string | undefined, opts: { cookie?: bigint }): Link {
    const cookie = BigInt.asUintN(64, opts.cookie ?? 0n);
    const probe = prog.probe;
    if (probe !== null) {
      if (probe.multi) throw linkError("EINVAL", `program '${prog.name}' is a multi program: use attachMulti`);
      const name = target ?? probe.target;
      if (name === "") throw linkError("EINVAL", `program '${prog.name}' (${prog.section}): no attach target`);
      if (probe.kind === "kprobe" || probe.kind === "kretprobe") {
        const f = this.byName.get(name);
        if (f === undefined) throw linkError("ENOENT", `no kernel function '${name}' to attach '${prog.name}' to`);
        const att: ProbeAttachment = { seq: this.seq++, prog, ret: probe.kind === "kretprobe", cookie, multi: false };
        this.checkProbe(prog, f, att.ret);
        this.addProbes([[f, att]]);
        return new Link(() => this.removeProbes([[f, att]]), prog, f, cookie);
      }
      return this.attachTracepoint(prog, probe.kind, name, cookie);
    }
    if (prog.kind === null) throw linkError("EINVAL", `program '${prog.name}' (${prog.section}) has no attach point the simulated kernel knows (fentry/fexit/fmod_ret, kprobe/kretprobe, raw_tp, tp_btf, tp)`);
    if (prog.multi) throw linkError("EINVAL", `program '${prog.name}' is a multi program: use attachMulti`);
    const name = target ?? prog.sectionTarget;
    if (name === null || name === "") throw linkError("EINVAL", `program '${prog.name}': no target function`);
    const f = this.byName.get(name);
    if (f === undefined) throw linkError("ENOENT", `no kernel function '${name}' to attach '${prog.name}' to`);
    this.checkAttach(prog, f);
    const att: Attachment = { seq: this.seq++, prog, kind: prog.kind, cookie, multi: false };
    this.addAttachments([[f, att]]);
    return new Link(() => this.removeAttachments([[f, att]]), prog, f, att.cookie);
  }

  /**
   * Attach an fentry.multi / fexit.multi / fmod_ret.multi program to many functions with one
   * link: `targets` is a list of names or a glob (default: the section's pattern). The first
   * target is the one the program was verified for; on the others, the arguments the program
   * reads must have the same types (src/kernel/multi.ts).
   */
  attachMulti(prog: KernelProgram, targets?: readonly string[] | string, opts: MultiAttachOptions = {}): MultiLink {
    return atBoundary(() => `SimKernel.attachMulti ${prog.name}`, () => this.attachMultiUnguarded(prog, targets, opts));
  }

  private attachMultiUnguarded(prog: KernelProgram, targets: readonly string[] | string | undefined, opts: MultiAttachOptions): MultiLink {
    const probe = prog.probe;
    const isProbeMulti = probe !== null && probe.multi;
    if (!isProbeMulti && (prog.kind === null || !prog.multi)) throw linkError("EINVAL", `program '${prog.name}' (${prog.section}) is not a multi program (fentry/fexit/fmod_ret.multi, kprobe/kretprobe.multi)`);
    const spec = targets ?? (isProbeMulti ? probe.target : prog.sectionTarget) ?? "";
    const fns = typeof spec === "string" ? this.match(spec) : spec.map((n) => {
      const f = this.byName.get(n);
      if (f === undefined) throw linkError("ENOENT", `no kernel function '${n}'`);
      return f;
    });
    if (fns.length === 0) throw linkError("ENOENT", `no kernel function matches '${String(spec)}'`);
    if (new Set(fns).size !== fns.length) throw linkError("EINVAL", "a function appears twice in the target list");
    const cookies = fns.map((f, i) => {
      const c = opts.cookies;
      if (c === undefined) return 0n;
      return BigInt.asUintN(64, Array.isArray(c) ? ((c as readonly bigint[])[i] ?? 0n) : ((c as ReadonlyMap<string, bigint>).get(f.name) ?? 0n));
    });
    if (isProbeMulti) {
      const ret = probe.kind === "kretprobe";
      for (const f of fns) this.checkProbe(prog, f, ret);
      const seq = this.seq++;
      const atts = fns.map((f, i) => [f, { seq, prog, ret, cookie: cookies[i]!, multi: true }] as const);
      this.addProbes(atts);
      return new MultiLink(() => this.removeProbes(atts), prog, fns, cookies);
    }
    if (prog.kind === null) throw linkError("EINVAL", `program '${prog.name}' is not a multi program`);
    const used = accessedArgs(prog.insns, prog.kind);
    const first = fns[0]!;
    for (const f of fns) {
      if (f.nargs > MULTI_MAX_ARGS) throw linkError("EINVAL", `${f.name}: ${f.nargs} arguments (the global trampolines take at most ${MULTI_MAX_ARGS})`);
      checkMultiTarget(first, f, used, prog.kind);
      this.checkAttach(prog, f);
      if (this.multiExclusive && (this.attachments.get(f) ?? []).some((a) => !a.multi && a.kind === "fentry")) {
        throw linkError("EEXIST", `${f.name} already has a regular fentry program`);
      }
    }
    let rebuild = false;
    if (!this.multiProgs.includes(prog)) {
      this.multiProgs.push(prog);
      rebuild = true;
    }
    for (const f of fns) {
      const list = this.multiBodies[f.nargs]!;
      const body = this.bodies.get(f)!;
      if (!list.includes(body)) {
        list.push(body);
        rebuild = true;
      }
    }
    if (rebuild) this.buildMulti();
    const seq = this.seq++;
    const kind = prog.kind;
    const atts = fns.map((f, i) => [f, { seq, prog, kind, cookie: cookies[i]!, multi: true }] as const);
    this.addAttachments(atts);
    return new MultiLink(() => this.removeAttachments(atts), prog, fns, cookies);
  }

  // ---------------------------------------------------------------- kprobes
  private checkProbe(prog: KernelProgram, f: KernelFunction, ret: boolean): void {
    if (prog.progType !== "kprobe") throw linkError("EINVAL", `program '${prog.name}' is a ${prog.progType} program, not a kprobe program`);
    if (prog.overrides) {
      // perf_event_attach_bpf_prog / bpf_kprobe_multi_link_attach: bpf_override_return needs an
      // error-injectable function (at its entry: every simulated probe is)
      if (f.errorInjection !== true) throw linkError("EINVAL", `program '${prog.name}' calls bpf_override_return but ${f.name} is not on the error-injection list`);
    }
    const list = this.probeAtts.get(f) ?? [];
    if (list.some((a) => a.prog === prog && a.ret === ret)) throw linkError("EEXIST", `program '${prog.name}' already probes ${f.name}`);
  }

  private addProbes(atts: ReadonlyArray<readonly [KernelFunction, ProbeAttachment]>): void {
    for (const [f, a] of atts) this.probeAtts.set(f, [...(this.probeAtts.get(f) ?? []), a]);
    for (const f of new Set(atts.map(([f]) => f))) this.rebuild(f);
  }

  private removeProbes(atts: ReadonlyArray<readonly [KernelFunction, ProbeAttachment]>): void {
    for (const f of removeFromLists(this.probeAtts, atts)) this.rebuild(f);
  }

  /** kprobe-family programs on a function, in the order they run (kprobes, then kretprobes). */
  probes(name: string): ReadonlyArray<{ program: KernelProgram; ret: boolean; cookie: bigint; multi: boolean }> {
    return probeOrder(this.probeAtts.get(this.fn(name)) ?? []).map((a) => ({ program: a.prog, ret: a.ret, cookie: a.cookie, multi: a.multi }));
  }

  /** Put `base` (body, trampoline or global trampoline) in the entry slot, behind the function's kprobe layer if it has probes. */
  private install(f: KernelFunction, base: Function): void {
    const list = this.probeAtts.get(f);
    if (list === undefined || list.length === 0) {
      this.machine.mem.table.set(f.entrySlot, base);
      return;
    }
    const o = probeOrder(list);
    const pp = (a: ProbeAttachment): ProbeProgram => ({ fn: a.prog.fn, state: a.prog.state, cookie: a.cookie, needs: a.prog.needs });
    const layer = buildKprobeLayer(this.b, this.machine.mem.memory, {
      nargs: f.nargs,
      regs: this.regs,
      sparse: o.every((a) => a.multi),
      override: o.some((a) => a.prog.overrides),
      inner: base,
      kprobes: o.filter((a) => !a.ret).map(pp),
      kretprobes: o.filter((a) => a.ret).map(pp),
      tspAddr: this.tspAddr,
      tstackLo: this.tstackLo,
      activeAddr: this.activeAddr,
      now: this.stats ? hostNow : null,
    });
    this.machine.mem.table.set(f.entrySlot, layer);
  }

  // ---------------------------------------------------------------- tracepoints
  private addTracepointSite(site: TracepointSite): void {
    if (this.tps.has(site.name)) throw new EbpfError("EEXIST", `tracepoint ${site.name} already exists`);
    const slot = this.machine.mem.allocTableSlots(1);
    this.tps.set(site.name, { site, slot, atts: [] });
    this.btfCache = null;
  }

  /**
   * A tracepoint without a call site in kernel code, fired by the host (fireTracepoint): its
   * TP_PROTO arguments (raw_tp / tp_btf) and optionally a classic event "system/name" whose
   * fields are the arguments (each 8 bytes, after the common fields).
   */
  defineTracepoint(name: string, params: ReadonlyArray<readonly [string, string]>, event?: { system: string }): void {
    if (params.length > 12) throw new EbpfError("E2BIG", `tracepoint ${name}: more than 12 arguments`);
    this.addTracepointSite({ name, id: null, params });
    if (event !== undefined) {
      const fields = params.map(([n, t], i) => ({ type: t, name: n, off: 8 + 8 * i, size: 8, signed: !/unsigned|\*|^u\d+|size_t/.test(t), src: { kind: "arg" as const, arg: i } }));
      this.eventList.push({
        system: event.system, name, id: 700 + this.eventList.length, site: name, filter: null, fields,
        size: 8 + 8 * params.length,
        printFmt: `"${params.map(([n]) => `${n}=%llu`).join(" ")}", ${params.map(([n]) => `REC->${n}`).join(", ")}`,
      });
      this.btfCache = null;
    }
  }

  /** Raw tracepoint names (raw_tp/…, tp_btf/…). */
  get tracepoints(): readonly TracepointSite[] {
    return [...this.tps.values()].map((t) => t.site);
  }
  /** Classic trace events ("system/name"). */
  get events(): readonly TraceEventSpec[] {
    return this.eventList;
  }
  private event(name: string): TraceEventSpec | undefined {
    const [sys, ev] = name.includes(":") ? name.split(":") : name.split("/");
    return this.eventList.find((e) => e.system === sys && e.name === ev);
  }

  /** tracefs' events/<system>/<name>/format for "system/name" (or "system:name"). */
  tracepointFormat(name: string): string {
    const e = this.event(name);
    if (e === undefined) throw new EbpfError("ENOENT", `no trace event '${name}'`);
    return formatEvent(e);
  }

  private attachTracepoint(prog: KernelProgram, kind: "raw_tp" | "tp_btf" | "tp", name: string, cookie: bigint): Link {
    let st: TpState | undefined;
    let event: TraceEventSpec | null = null;
    if (kind === "tp") {
      if (prog.progType !== "tracepoint") throw linkError("EINVAL", `program '${prog.name}' is not a tracepoint program`);
      const e = this.event(name);
      if (e === undefined) throw linkError("ENOENT", `no trace event '${name}'`);
      // perf_event_set_bpf_prog: the program must not read past the record
      if (prog.maxCtxOffset > e.size) throw linkError("EACCES", `program '${prog.name}' reads ctx up to byte ${prog.maxCtxOffset}, past the ${e.size}-byte record of ${e.system}/${e.name}`);
      event = e;
      st = this.tps.get(e.site);
    } else {
      st = this.tps.get(name);
      if (st === undefined) throw linkError("ENOENT", `no raw tracepoint '${name}'`);
      if (kind === "raw_tp" && prog.progType !== "raw_tracepoint") throw linkError("EINVAL", `program '${prog.name}' is not a raw_tracepoint program`);
      // bpf_probe_register: reads past the tracepoint's arguments are refused
      if (prog.maxCtxOffset > st.site.params.length * 8) throw linkError("EINVAL", `program '${prog.name}' reads ctx up to byte ${prog.maxCtxOffset}, but ${name} has ${st.site.params.length} arguments`);
    }
    const state = st!;
    if (state.atts.some((a) => a.prog === prog && a.event === event)) throw linkError("EEXIST", `program '${prog.name}' is already attached to ${name}`);
    // BPF_TRACE_MAX_PROGS: an event's program array holds at most 64
    if (event !== null && state.atts.filter((a) => a.event === event).length >= BPF_TRACE_MAX_PROGS) throw linkError("E2BIG", `${name} already has ${BPF_TRACE_MAX_PROGS} programs`);
    const att: TpAttachment = { seq: this.seq++, prog, cookie, event };
    state.atts.push(att);
    this.rebuildTracepoint(state);
    return new Link(() => {
      state.atts = state.atts.filter((a) => a !== att);
      this.rebuildTracepoint(state);
    }, prog, { name, tracepoint: true }, cookie);
  }

  private rebuildTracepoint(st: TpState): void {
    const mem = this.machine.mem;
    const o = [...st.atts].sort((a, b) => b.seq - a.seq);
    const pp = (a: TpAttachment): ProbeProgram => ({ fn: a.prog.fn, state: a.prog.state, cookie: a.cookie, needs: a.prog.needs });
    if (o.length === 0) {
      if (st.site.id !== null) this.ex.wabpf_tp_set(st.site.id, 0, 0, 0);
      mem.table.set(st.slot, null);
      return;
    }
    const events = [...new Set(o.filter((a) => a.event !== null).map((a) => a.event!))];
    const classic: ClassicEvent[] = events.map((e) => ({
      id: e.id,
      size: Math.ceil(e.size / 8) * 8,
      fields: eventSources(e),
      filter: e.filter,
      progs: o.filter((a) => a.event === e).map(pp),
    }));
    const hook = buildTracepointHook(this.b, mem.memory, {
      nargs: st.site.params.length,
      raw: o.filter((a) => a.event === null).map(pp),
      classic,
      tspAddr: this.tspAddr,
      tstackLo: this.tstackLo,
      activeAddr: this.activeAddr,
      pidAddr: this.pidAddr,
      now: this.stats ? hostNow : null,
    });
    mem.table.set(st.slot, hook);
    // one raw program that cannot observe a frame: the call site runs it directly
    const only = o.length === 1 && o[0]!.event === null && !needsFrame(o[0]!.prog.needs) && !this.stats ? o[0]!.prog : null;
    if (st.site.id !== null) this.ex.wabpf_tp_set(st.site.id, st.slot, only?.tableIndex ?? 0, only?.state ?? 0);
  }

  /** Fire a tracepoint from the host (its programs run on `cpu`); no-op when nothing is attached. */
  fireTracepoint(name: string, ...args: bigint[]): void {
    const st = this.tps.get(name);
    if (st === undefined) throw new EbpfError("ENOENT", `no tracepoint '${name}'`);
    if (args.length !== st.site.params.length) throw new EbpfError("EINVAL", `${name} takes ${st.site.params.length} arguments, got ${args.length}`);
    const hook = this.machine.mem.table.get(st.slot) as ((...a: bigint[]) => void) | null;
    if (hook === null) return;
    this.enter(() => {
      hook(...args.map((a) => BigInt.asIntN(64, a)));
      return 0n;
    });
  }

  private checkAttach(prog: KernelProgram, f: KernelFunction): void {
    if (prog.kind === "fmod_ret" && !f.modifyReturn) {
      throw linkError("EINVAL", `${f.name} is not on the error-injection list nor an int-returning security_ hook: fmod_ret cannot attach`);
    }
    const list = this.attachments.get(f) ?? [];
    if (list.some((a) => a.prog === prog)) throw linkError("EBUSY", `program '${prog.name}' is already attached to ${f.name}`);
    if (list.length >= MAX_TRAMP_LINKS) throw linkError("E2BIG", `${f.name} already has ${MAX_TRAMP_LINKS} programs`);
  }

  private addAttachments(atts: ReadonlyArray<readonly [KernelFunction, Attachment]>): void {
    for (const [f, a] of atts) {
      const list = this.attachments.get(f) ?? [];
      list.push(a);
      this.attachments.set(f, list);
    }
    for (const f of new Set(atts.map(([f]) => f))) this.rebuild(f);
  }

  /** @internal used by Link/MultiLink.detach */
  removeAttachments(atts: ReadonlyArray<readonly [KernelFunction, Attachment]>): void {
    for (const f of removeFromLists(this.attachments, atts)) this.rebuild(f);
  }

  /** Programs attached to a function, in the order they run. */
  attached(name: string): ReadonlyArray<{ program: KernelProgram; kind: TracingKind; cookie: bigint; multi: boolean }> {
    return ordered(this.attachments.get(this.fn(name)) ?? []).map((a) => ({ program: a.prog, kind: a.kind, cookie: a.cookie, multi: a.multi }));
  }

  /** Install what the function's attachments need in its entry slot. */
  private rebuild(f: KernelFunction): void {
    const mem = this.machine.mem;
    const list = this.attachments.get(f) ?? [];
    const multi = list.filter((a) => a.multi);
    // kfunc_md mirrors the multi-link programs of the function; a resized table moves the
    // bucket array the global trampolines have built in
    this.syncKfuncMd(f, multi);
    if (this.multiProgs.length > 0 && this.kmdBuckets() !== this.kmdBuilt) this.buildMulti();
    if (list.length === 0) {
      this.install(f, this.bodies.get(f)!);
      return;
    }
    if (list.every((a) => a.multi)) {
      const key = this.multiKey(f, list);
      if (!this.multiTramps.has(key)) {
        this.multiShapes.add(key);
        this.buildMulti();
      }
      this.install(f, this.multiTramps.get(key)!);
      return;
    }
    const tp = (a: Attachment): TrampolineProgram => ({ fn: a.prog.fn, state: a.prog.state, cookie: a.cookie, needs: a.prog.needs });
    const o = ordered(list);
    const tramp = buildTrampoline(this.b, mem.memory, {
      ip: f.ip,
      nargs: f.nargs,
      orig: mem.table.get(f.origSlot) as Function,
      fentry: o.filter((a) => a.kind === "fentry").map(tp),
      fmodRet: o.filter((a) => a.kind === "fmod_ret").map(tp),
      fexit: o.filter((a) => a.kind === "fexit").map(tp),
      tspAddr: this.tspAddr,
      tstackLo: this.tstackLo,
      now: this.stats ? hostNow : null,
    });
    this.install(f, tramp);
  }

  /** (Re)generate the global trampolines for the current set of multi-link programs. */
  private buildMulti(): void {
    const mem = this.machine.mem;
    this.multiTramps = buildMultiTrampolines(this.b, mem.memory, mem.table, {
      programs: this.multiProgs.map((p) => p.fn),
      bodies: this.multiBodies,
      kmdState: this.kmdState,
      tspAddr: this.tspAddr,
      tstackLo: this.tstackLo,
      now: this.stats ? hostNow : null,
      shapes: [...this.multiShapes],
      buckets: this.kmdBuckets(),
      nbuckets: this.ex.wabpf_kmd_buckets(),
    });
    this.kmdBuilt = this.kmdBuckets();
    // functions on the global trampolines move to the new module
    for (const [f, list] of this.attachments) {
      const t = list.every((a) => a.multi) ? this.multiTramps.get(this.multiKey(f, list)) : undefined;
      if (t !== undefined) this.install(f, t);
    }
  }

  private kmdBuckets(): number {
    return this.machine.mem.view.getUint32(this.kmdState, true);
  }

  /** Which global trampoline a function's list needs: straight-line for its shape, or the generic one. */
  private multiKey(f: KernelFunction, list: readonly Attachment[]): string {
    const count = (k: TracingKind): number => list.filter((a) => a.kind === k).length;
    return multiShapeKey(f.nargs, count("fentry"), count("fmod_ret"), count("fexit"), list.some((a) => needsFrame(a.prog.needs))) ?? `g${f.nargs}`;
  }

  private syncKfuncMd(f: KernelFunction, multi: readonly Attachment[]): void {
    const ex = this.ex;
    let md = ex.wabpf_kmd_lookup(f.ip);
    if (multi.length === 0) {
      if (md !== 0) ex.wabpf_kmd_delete(f.ip);
      return;
    }
    if (md === 0) {
      // the node's orig field: the body's index among the global trampolines' bodies of its arity
      md = ex.wabpf_kmd_insert(f.ip, f.nargs, this.multiBodies[f.nargs]!.indexOf(this.bodies.get(f)!));
      if (md < 0) throw BpfError.fromErrno(-md, "link_create", `kfunc_md for ${f.name}`);
    }
    const o = ordered(multi);
    const byKind = (k: TracingKind): Attachment[] => o.filter((a) => a.kind === k);
    const entries = [...byKind("fentry"), ...byKind("fmod_ret"), ...byKind("fexit")];
    const list = this.machine.rt.alloc(16 + 24 * entries.length);
    const v = this.machine.mem.view; // after the allocation (memory may have grown)
    v.setUint32(list, byKind("fentry").length, true);
    v.setUint32(list + 4, byKind("fmod_ret").length, true);
    v.setUint32(list + 8, byKind("fexit").length, true);
    v.setUint32(list + 12, entries.some((x) => needsFrame(x.prog.needs)) ? 1 : 0, true); // flags: bit 0 a frame is needed
    entries.forEach((a, i) => {
      const e = list + 16 + 24 * i;
      v.setUint32(e, this.multiProgs.indexOf(a.prog), true);
      v.setUint32(e + 4, a.prog.state, true);
      v.setBigUint64(e + 8, a.cookie, true);
    });
    ex.wabpf_kmd_set_list(md, list);
    const w = this.machine.mem.view;
    entries.slice(0, MD_INLINE).forEach((a, i) => {
      w.setUint32(md + 32 + 8 * i, this.multiProgs.indexOf(a.prog), true);
      w.setUint32(md + 36 + 8 * i, a.prog.state, true);
    });
  }

  // ---------------------------------------------------------------- kfunc_md introspection
  /** The multi-link metadata table: entries, buckets, buckets in use. */
  kfuncMdStats(): { count: number; buckets: number; usedBuckets: number } {
    return { count: this.ex.wabpf_kmd_count(), buckets: this.ex.wabpf_kmd_buckets(), usedBuckets: this.ex.wabpf_kmd_used_buckets() };
  }

  // ---------------------------------------------------------------- bench entry points
  /** `n` calls of the trigger function from kernel code (no BPF program in between). */
  triggerLoop(n: number): bigint {
    return this.enter(() => this.ex.wabpf_kernel_trigger_loop(n));
  }
  /** The raw syscall entry, for host loops (no CPU set-up, no BigInt conversion of the result). */
  get rawSyscall(): (nr: number, a0: bigint, a1: bigint, a2: bigint) => bigint {
    return this.ex.wabpf_kernel_syscall;
  }
}

/** By kind (fentry, fmod_ret, fexit), most recently attached first inside a kind. */
function ordered(list: readonly Attachment[]): Attachment[] {
  const rank = { fentry: 0, fmod_ret: 1, fexit: 2 } as const;
  return [...list].sort((a, b) => rank[a.kind] - rank[b.kind] || b.seq - a.seq);
}

/** kprobes then kretprobes, most recently attached first inside each. */
function probeOrder(list: readonly ProbeAttachment[]): ProbeAttachment[] {
  return [...list].sort((a, b) => Number(a.ret) - Number(b.ret) || b.seq - a.seq);
}

/** Take each attachment out of its function's list (dropping emptied lists); returns the functions touched. */
function removeFromLists<T>(lists: Map<KernelFunction, T[]>, atts: ReadonlyArray<readonly [KernelFunction, T]>): Set<KernelFunction> {
  for (const [f, a] of atts) {
    const list = (lists.get(f) ?? []).filter((x) => x !== a);
    if (list.length === 0) lists.delete(f);
    else lists.set(f, list);
  }
  return new Set(atts.map(([f]) => f));
}
