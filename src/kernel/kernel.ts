// The simulated kernel: functions with addresses, symbols and BTF prototypes, a current task
// and CPU, the kernel's helpers, and the attach points. SimKernel owns one manager per concern
// and delegates (as cilium/ebpf's link/ package has a file per attach kind):
// - functions-table.ts: the functions, their addresses and entry / orig table slots;
// - tracing-links.ts: fentry / fexit / fmod_ret, per-function trampolines (trampoline.ts);
// - multi-links.ts: the tracing multi-link's global trampolines and kfunc_md table;
// - probe-links.ts: kprobe / kretprobe layers (probe-tramp.ts);
// - tracepoint-links.ts: raw tracepoints and classic events;
// - link.ts: the Link / MultiLink objects and their detach path;
// - tasks.ts: tasks, the current task and files;
// - kernel-context.ts: what those share (machine, binaryen, AssemblyScript exports, stats).
// Regular links and multi-links cooperate on one function (see tracing-links.ts);
// `SimKernel.create({ multiExclusive: true })` keeps the series' -EEXIST rule instead.
import { EbpfError, atBoundary } from "../errors.js";
import type { Helper } from "../exec/helpers.js";
import type { Machine } from "../runtime/machine.js";
import { createMachine } from "../runtime/machine.js";
import type { BpfMap } from "../runtime/maps.js";
import { loadBinaryen, type Binaryen } from "../jit/binaryen-loader.js";
import { BpfObject } from "../object/bpf-object.js";
import type { Btf } from "../loader/btf.js";
import type { TracingKind } from "../loader/sections.js";
import { BUILTIN_FUNCTIONS, generatedFunctions, type KernelFunctionSpec } from "./functions.js";
import { vmlinuxBtf } from "./vmlinux-btf.js";
import { TRAMP_STACK_SIZE } from "./trampoline.js";
import { MULTI_MAX_ARGS } from "./multi-tramp.js";
import { loadKernelProgram, type KernelProgram, type LoadHost } from "./program.js";
import { archRegs, type Arch, type ArchRegs } from "./arch.js";
import { BUILTIN_TRACEPOINTS, type TraceEventSpec, type TracepointSite } from "./tracepoints.js";
import { KernelContext } from "./kernel-context.js";
import { FunctionTable, KERNEL_TEXT_BASE, type KernelFunction } from "./functions-table.js";
import { Link, MultiLink, linkError, type MultiAttachOptions, type TracepointTarget } from "./link.js";
import { MultiLinks } from "./multi-links.js";
import { TracingLinks, MAX_TRAMP_LINKS } from "./tracing-links.js";
import { ProbeLinks } from "./probe-links.js";
import { TracepointLinks, BPF_TRACE_MAX_PROGS } from "./tracepoint-links.js";
import { Tasks, type TaskSpec } from "./tasks.js";
import { simKernelHelpers } from "./kernel-helpers.js";
import { simKernelKfuncs } from "./kfuncs.js";
import type { KfuncRegistry } from "../exec/kfuncs.js";
import { PerCpuArea, type PerCpuVariable } from "./percpu.js";
import { BpfIterReader } from "../runtime/seq-file.js";

// the kernel's public names, from the modules that define them
export { Link, MultiLink, MAX_TRAMP_LINKS, BPF_TRACE_MAX_PROGS, KERNEL_TEXT_BASE, MULTI_MAX_ARGS, type KernelFunction, type TaskSpec, type MultiAttachOptions, type TracepointTarget, type PerCpuVariable };

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

export class SimKernel {
  readonly machine: Machine;
  readonly functions: readonly KernelFunction[];
  readonly multiExclusive: boolean;
  /** the CPU programs run on (CPU_ID_ADDR while the kernel runs) */
  cpu = 0;
  /** the register file kprobe programs see */
  readonly regs: ArchRegs;
  private readonly ctx: KernelContext;
  private readonly fns: FunctionTable;
  private readonly tracing: TracingLinks;
  private readonly multi: MultiLinks;
  private readonly probeLinks: ProbeLinks;
  private readonly tpLinks: TracepointLinks;
  private readonly tasks: Tasks;
  private readonly percpu: PerCpuArea;
  /** bpf_iter's session ids: one per opened iterator */
  private iterSessions = 0;
  private btfCache: { btf: Btf; bytes: Uint8Array; funcIds: Map<string, number> } | null = null;
  private helperList: Helper[] | null = null;
  /** the kfuncs bound to the BTF's ids (rebuilt with the BTF) */
  private kfuncCache: KfuncRegistry | null = null;
  /** what loaded programs see of this kernel: its machine, CPU, register file and helpers */
  private readonly programHost: LoadHost;

  private constructor(machine: Machine, b: Binaryen, opts: KernelOptions) {
    this.machine = machine;
    this.regs = archRegs(opts.arch ?? "x86");
    this.multiExclusive = opts.multiExclusive ?? false;
    const ctx = new KernelContext(machine, b, this.regs, opts.statsEnabled ?? false);
    this.ctx = ctx;
    const stale = (): void => {
      this.btfCache = null;
      this.kfuncCache = null;
    };
    this.fns = new FunctionTable(machine.mem, stale);
    this.functions = this.fns.list;
    this.multi = new MultiLinks(ctx, this.fns);
    this.probeLinks = new ProbeLinks(ctx, (f) => this.tracing.rebuild(f));
    this.tracing = new TracingLinks(ctx, this.fns, this.multi, (f, base) => this.probeLinks.install(f, base), this.multiExclusive);
    this.tpLinks = new TracepointLinks(ctx, stale);
    this.tasks = new Tasks(ctx);
    this.percpu = new PerCpuArea(machine);
    const kernel = this; // the getters read the live cpu, and the helpers once built
    this.programHost = {
      machine,
      regs: this.regs,
      get cpu() {
        return kernel.cpu;
      },
      get helpers() {
        return kernel.helpers;
      },
      get kfuncs() {
        return kernel.kfuncs;
      },
      get btf() {
        return kernel.btf;
      },
    };
    // kernel function bodies are runtime exports named by their specs
    const rtx = machine.rt.exports as unknown as Record<string, Function | undefined>;
    const specs = [...BUILTIN_FUNCTIONS, ...generatedFunctions(opts.generated ?? 3000)];
    for (const s of specs) {
      const body = rtx[s.body];
      if (body === undefined) throw new EbpfError("ENOENT", `kernel function body ${s.body} missing from the runtime (npm run build:as)`);
      this.fns.add(s, body, false);
    }
    BUILTIN_FUNCTIONS.forEach((s, id) => {
      const f = this.fns.fn(s.name);
      ctx.ex.wabpf_kfn_register(id, f.entrySlot, f.ip);
    });
    for (const site of BUILTIN_TRACEPOINTS) this.tpLinks.addSite(site);
    // the kernel's own objects are kernel memory for the probe-read helpers: the tracing stack
    // (trampoline frames: program stacks, ctx) and the syscall path's pt_regs
    machine.mapKernelGuestMemory(ctx.tstackLo, TRAMP_STACK_SIZE);
    machine.mapKernelGuestMemory(ctx.ex.wabpf_kernel_regs_buf(), ctx.ex.wabpf_kernel_regs_buf_size());
    // programs run from trampolines keep their stack there: helpers may write to it
    const prev = machine.mem.dynamicRegion;
    const lo = ctx.tstackLo;
    const hi = ctx.tstackLo + TRAMP_STACK_SIZE;
    machine.mem.dynamicRegion = (addr, size, write) => (addr >= lo && addr + size <= hi) || (prev !== null && prev(addr, size, write));
    machine.symbolizer ??= (addr, withOffset) => this.fns.symbolize(addr, withOffset);
    machine.taskByPid ??= (pid) => this.tasks.byPid(pid);
    this.setStats(ctx.stats);
    // an idle task until the host picks one
    this.setCurrent(this.createTask({ pid: 1, comm: "init" }));
  }

  /** Create a kernel (and a machine when none is given); loads binaryen once per process. */
  static create(opts: KernelOptions = {}): Promise<SimKernel> {
    return atBoundary("SimKernel.create", async () => new SimKernel(opts.machine ?? (await createMachine()), await loadBinaryen(), opts));
  }

  // ---------------------------------------------------------------- functions
  /**
   * Define a kernel function implemented in JS (the slow path: arguments cross as BigInt, ~50 ns
   * a call). It gets an address, a symbol, a BTF prototype from the C type strings of `spec`,
   * and can be traced like any other; `impl` receives the arguments as u64 and returns the
   * return value (0 for void). Call it with `call(name, …)` or from other host functions.
   */
  defineFunction(spec: KernelFunctionSpec, impl: (...args: bigint[]) => bigint): KernelFunction {
    return this.fns.addHost(this.ctx.b, spec, impl);
  }

  fn(name: string): KernelFunction {
    return this.fns.fn(name);
  }
  fnByIp(ip: bigint): KernelFunction | undefined {
    return this.fns.byAddress(ip);
  }

  /** Call a kernel function through its entry (trampolines run); returns the u64 result. */
  call(name: string, ...args: bigint[]): bigint {
    const f = this.fn(name);
    if (args.length !== f.nargs) throw new EbpfError("EINVAL", `${name} takes ${f.nargs} arguments, got ${args.length}`);
    return this.enter(() => (this.machine.mem.table.get(f.entrySlot) as (...a: bigint[]) => bigint)(f.ip, ...args.map((a) => BigInt.asIntN(64, a))));
  }

  /** Enter the syscall path (do_syscall_64 with a struct pt_regs holding the arguments). */
  syscall(nr: number, a0 = 0n, a1 = 0n, a2 = 0n): bigint {
    return this.enter(() => this.ctx.ex.wabpf_kernel_syscall(nr, BigInt.asIntN(64, a0), BigInt.asIntN(64, a1), BigInt.asIntN(64, a2)));
  }

  /** Run kernel code on `cpu`; a trap inside resets the tracing stack. */
  private enter(run: () => bigint): bigint {
    const v = this.machine.mem.view;
    v.setUint32(0x50000, this.cpu, true); // CPU_ID_ADDR
    try {
      return BigInt.asUintN(64, run());
    } catch (e) {
      this.ctx.ex.wabpf_kernel_tsp_reset();
      throw e;
    }
  }

  /** /proc/kallsyms: "address T name" per function. */
  kallsyms(): string {
    return this.fns.kallsyms();
  }

  /** Function names matching a glob ('*' and '?'). */
  match(pattern: string): KernelFunction[] {
    return this.fns.match(pattern);
  }

  // ---------------------------------------------------------------- BTF
  private btfData(): { btf: Btf; bytes: Uint8Array; funcIds: Map<string, number> } {
    this.btfCache ??= vmlinuxBtf(this.fns.list, this.tpLinks.sites, this.tpLinks.events);
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
    return this.tasks.create(t);
  }
  /**
   * Make the task at `task` (from createTask; 0 for none) current on `cpu` (every CPU when
   * omitted): kernel code sees it, and the machine's task helpers (bpf_get_current_pid_tgid,
   * _comm, _uid_gid) report it (Machine.setCurrentTask).
   */
  setCurrent(task: number, cpu?: number): void {
    this.tasks.setCurrent(task, cpu);
  }
  get current(): number {
    return this.tasks.current;
  }
  /** The task's saved user registers (what bpf_task_pt_regs returns): a zeroed `struct pt_regs` of the simulated arch the host may fill; 0 for an address that is no task. */
  taskPtRegs(task: number): number {
    return this.tasks.ptRegs(task);
  }
  /** A struct file of `size` bytes (with its inode) installed at `fd` (0..15), named `path` (bpf_d_path prints it; default "/sim/<ino>"). */
  openFile(fd: number, size: bigint, ino = 1n, path = `/sim/${ino}`): number {
    return this.tasks.openFile(fd, size, ino, path);
  }

  // ---------------------------------------------------------------- iterators
  /**
   * Open an iterator over the tasks (SEC("iter/task"), bpf_iter_new_fd): the program runs with
   * ctx `struct bpf_iter__task { struct bpf_iter_meta *meta; struct task_struct *task; }`
   * once per task in pid order, then once with task NULL; read() the reader for what it
   * printed (bpf_seq_printf / bpf_seq_write). `prog` is a loaded program (or anything that
   * runs with a ctx the same way); `close()` the reader when done.
   */
  openTaskIter(prog: { run(opts: { ctx?: Uint8Array; cpu?: number }): { readonly r0: bigint } }): BpfIterReader {
    let tasks: number[] = [];
    const ctx = new Uint8Array(16);
    const dv = new DataView(ctx.buffer);
    return new BpfIterReader(
      this.machine,
      {
        object: (pos) => {
          // a read starts a walk over the tasks as they are now
          if (pos === 0) tasks = this.tasks.byPidOrder();
          return tasks[pos] ?? null;
        },
        run: (meta, task) => {
          dv.setBigUint64(0, BigInt(meta), true);
          dv.setBigUint64(8, BigInt(task), true);
          return prog.run({ ctx, cpu: this.cpu }).r0;
        },
      },
      { sessionId: BigInt(++this.iterSessions) },
    );
  }

  // ---------------------------------------------------------------- per-CPU variables
  /** DEFINE_PER_CPU: a zeroed per-CPU variable of `size` bytes; its symbol resolves `__ksym` externs and bpf_per_cpu_ptr / bpf_this_cpu_ptr find each CPU's copy. */
  definePerCpu(name: string, size: number): PerCpuVariable {
    return this.percpu.define(name, size);
  }
  /** The guest address of CPU `cpu`'s copy of per-CPU variable `name` (to read or set it from the host). */
  perCpuAddress(name: string, cpu: number): number {
    const v = this.percpu.get(name);
    if (v === undefined) throw new EbpfError("ENOENT", `no per-CPU variable '${name}'`);
    const a = this.percpu.thisPtr(v.addr, cpu);
    if (a === 0) throw new EbpfError("EINVAL", `cpu ${cpu} has no per-CPU unit`);
    return a;
  }

  // ---------------------------------------------------------------- programs
  /** The helpers programs on this kernel call: the machine's, tracing helpers, task helpers. */
  get helpers(): Helper[] {
    this.helperList ??= simKernelHelpers(this.machine.rt.exports, this.tasks, this.percpu);
    return this.helperList;
  }

  /**
   * The kfuncs programs on this kernel call (the machine's and the task and cgroup ones), by
   * the BTF ids of this kernel's BTF, which libbpf-style loading resolves `__ksym` calls to.
   */
  get kfuncs(): KfuncRegistry {
    this.kfuncCache ??= this.machine.kfuncRegistry((name) => this.btf.findByName(name, "FUNC")[0], simKernelKfuncs(this.tasks));
    return this.kfuncCache;
  }

  /** References programs hold on a task through the task kfuncs (bpf_task_from_pid, bpf_task_acquire less bpf_task_release). */
  taskRefs(task: number): number {
    return this.tasks.refCount(task);
  }

  /** Helpers, kfuncs, map resolver and inline array lookups for programs using `maps`. */
  programOptions(maps: readonly BpfMap[]): ReturnType<Machine["programOptions"]> {
    return { ...this.machine.programOptions(maps, this.helpers), kfuncs: this.kfuncs };
  }

  /** Open an object against this kernel (its machine; CO-RE against its BTF). */
  open(src: Uint8Array | string, name?: string): Promise<BpfObject> {
    // untyped __ksym externs resolve through the simulated kallsyms (functions, per-CPU variables)
    const ksyms = (sym: string): bigint | undefined => this.fns.get(sym)?.ip ?? this.percpu.get(sym)?.addr;
    return BpfObject.open(src, { machine: this.machine, targetBtf: this.btf, ksyms, kfuncs: simKernelKfuncs(this.tasks), ...(name !== undefined ? { name } : {}) });
  }

  /** Verify and compile one program of an object (tracing programs: see src/kernel/program.ts). */
  load(obj: BpfObject, name: string, logLevel: 0 | 1 | 2 = 0): Promise<KernelProgram> {
    return atBoundary(`SimKernel.load ${name}`, () => loadKernelProgram(this.programHost, obj, name, logLevel));
  }

  /** Turn run_cnt / run_time_ns accounting on or off (rebuilds the trampolines). */
  setStats(on: boolean): void {
    this.ctx.stats = on;
    if (this.multi.active) this.tracing.rebuildMulti();
    for (const f of new Set([...this.tracing.functions(), ...this.probeLinks.functions()])) this.tracing.rebuild(f);
    this.tpLinks.rebuildAll();
  }
  get statsEnabled(): boolean {
    return this.ctx.stats;
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
    prog.live("attach");
    const cookie = BigInt.asUintN(64, opts.cookie ?? 0n);
    const probe = prog.probe;
    if (probe !== null) {
      if (probe.multi) throw linkError("EINVAL", `program '${prog.name}' is a multi program: use attachMulti`);
      const name = target ?? probe.target;
      if (name === "") throw linkError("EINVAL", `program '${prog.name}' (${prog.section}): no attach target`);
      if (probe.kind === "kprobe" || probe.kind === "kretprobe") {
        const f = this.fns.get(name);
        if (f === undefined) throw linkError("ENOENT", `no kernel function '${name}' to attach '${prog.name}' to`);
        return this.probeLinks.attach(prog, f, probe.kind === "kretprobe", cookie);
      }
      return this.tpLinks.attach(prog, probe.kind, name, cookie);
    }
    if (prog.kind === null) throw linkError("EINVAL", `program '${prog.name}' (${prog.section}) has no attach point the simulated kernel knows (fentry/fexit/fmod_ret, kprobe/kretprobe, raw_tp, tp_btf, tp)`);
    if (prog.multi) throw linkError("EINVAL", `program '${prog.name}' is a multi program: use attachMulti`);
    const name = target ?? prog.sectionTarget;
    if (name === null || name === "") throw linkError("EINVAL", `program '${prog.name}': no target function`);
    const f = this.fns.get(name);
    if (f === undefined) throw linkError("ENOENT", `no kernel function '${name}' to attach '${prog.name}' to`);
    return this.tracing.attach(prog, f, prog.kind, cookie);
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
    prog.live("attach");
    const probe = prog.probe;
    const isProbeMulti = probe !== null && probe.multi;
    if (!isProbeMulti && (prog.kind === null || !prog.multi)) throw linkError("EINVAL", `program '${prog.name}' (${prog.section}) is not a multi program (fentry/fexit/fmod_ret.multi, kprobe/kretprobe.multi)`);
    const spec = targets ?? (isProbeMulti ? probe.target : prog.sectionTarget) ?? "";
    const fns = typeof spec === "string" ? this.fns.match(spec) : spec.map((n) => {
      const f = this.fns.get(n);
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
    if (isProbeMulti) return this.probeLinks.attachMulti(prog, probe.kind === "kretprobe", fns, cookies);
    if (prog.kind === null) throw linkError("EINVAL", `program '${prog.name}' is not a multi program`);
    return this.tracing.attachMulti(prog, prog.kind, fns, cookies);
  }

  /** Programs attached to a function, in the order they run. */
  attached(name: string): ReadonlyArray<{ program: KernelProgram; kind: TracingKind; cookie: bigint; multi: boolean }> {
    return this.tracing.attached(this.fn(name));
  }

  /** kprobe-family programs on a function, in the order they run (kprobes, then kretprobes). */
  probes(name: string): ReadonlyArray<{ program: KernelProgram; ret: boolean; cookie: bigint; multi: boolean }> {
    return this.probeLinks.probes(this.fn(name));
  }

  // ---------------------------------------------------------------- tracepoints
  /**
   * A tracepoint without a call site in kernel code, fired by the host (fireTracepoint): its
   * TP_PROTO arguments (raw_tp / tp_btf) and optionally a classic event "system/name" whose
   * fields are the arguments (each 8 bytes, after the common fields).
   */
  defineTracepoint(name: string, params: ReadonlyArray<readonly [string, string]>, event?: { system: string }): void {
    this.tpLinks.define(name, params, event);
  }

  /** Raw tracepoint names (raw_tp/…, tp_btf/…). */
  get tracepoints(): readonly TracepointSite[] {
    return this.tpLinks.sites;
  }
  /** Classic trace events ("system/name"). */
  get events(): readonly TraceEventSpec[] {
    return this.tpLinks.events;
  }

  /** tracefs' events/<system>/<name>/format for "system/name" (or "system:name"). */
  tracepointFormat(name: string): string {
    return this.tpLinks.format(name);
  }

  /** Fire a tracepoint from the host (its programs run on `cpu`); no-op when nothing is attached. */
  fireTracepoint(name: string, ...args: bigint[]): void {
    const hook = this.tpLinks.hook(name, args.length);
    if (hook === null) return;
    this.enter(() => {
      hook(...args.map((a) => BigInt.asIntN(64, a)));
      return 0n;
    });
  }

  // ---------------------------------------------------------------- kfunc_md introspection
  /** The multi-link metadata table: entries, buckets, buckets in use, and the programs the global trampolines dispatch to. */
  kfuncMdStats(): { count: number; buckets: number; usedBuckets: number; programs: number } {
    return this.multi.stats();
  }

  // ---------------------------------------------------------------- bench entry points
  /** `n` calls of the trigger function from kernel code (no BPF program in between). */
  triggerLoop(n: number): bigint {
    return this.enter(() => this.ctx.ex.wabpf_kernel_trigger_loop(n));
  }
  /** The raw syscall entry, for host loops (no CPU set-up, no BigInt conversion of the result). */
  get rawSyscall(): (nr: number, a0: bigint, a1: bigint, a2: bigint) => bigint {
    return this.ctx.ex.wabpf_kernel_syscall;
  }
}
