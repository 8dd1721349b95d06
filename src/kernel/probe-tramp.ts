// Generated hooks for kprobes and tracepoints (binaryen, like the trampolines):
//
// - the *kprobe layer* of a function: installed in its entry slot in front of whatever else is
//   there (its fentry trampoline, a global multi trampoline or the body, called as `inner`).
//   It builds the register file of the simulated architecture (src/kernel/arch.ts) on the
//   tracing stack, runs the kprobe programs, calls inner unless a program overrode the return
//   (bpf_override_return), puts the return value in the return register and runs the
//   kretprobe programs. kprobe.multi / kretprobe.multi programs (fprobe-based) get only the
//   registers an ftrace_regs holds; the rest of the frame is zero (and programs reading it
//   directly are refused at load: src/kernel/program.ts).
// - the *tracepoint hook*: what a tracepoint's call site calls when programs are attached:
//   raw_tp / tp_btf programs get the u64 argument array, classic tp programs the event record
//   (built field by field from the arguments, as the event's TP_fast_assign would).
//
// Both kinds of kprobe and classic tp programs run under the global per-CPU bpf_prog_active
// counter (trace_call_bpf): a program entered while the counter is already raised on that CPU is
// skipped and counted in its recursion misses. raw_tp / tp_btf programs use their own per-CPU
// guard (as fentry does).
//
// Frame header, below ctx (shared by the helpers in assembly/kernel/helpers.ts):
//   ctx-40 override value, ctx-32 override flag, ctx-24 cookie, ctx-16 ip,
//   ctx-8 nr_args (raw tracepoints) or the return register's offset (kprobes)
// and the program's r10 = ctx-40 with its 4096-byte stack below.
//
// A module is compiled once per shape (what the code depends on) and instantiated per hook
// with the varying parts as imports: the inner function, the programs and the cookies.
import type { Binaryen } from "../jit/binaryen-loader.js";
import { WasmModule, type ExpressionRef, type WasmOps } from "../jit/wasm-module.js";
import { CPU_ID_ADDR } from "../isa/layout.js";
import type { ArchRegs } from "./arch.js";
import { SIM_KERNEL_FP, SIM_KERNEL_SP } from "./arch.js";
import { PS_MISSES, PS_RUN_CNT, PS_RUN_TIME, TRAMP_BPF_STACK, TRAMP_FEATURES } from "./trampoline.js";
import { needsFrame, type CtxNeeds } from "./ctx-needs.js";
import { ModuleCache } from "./module-cache.js";

export const PROBE_HDR = 40;

export interface ProbeProgram {
  // `Function`: a wasm function object has no narrower static type
  readonly fn: Function;
  readonly state: number;
  readonly cookie: bigint;
  readonly needs: CtxNeeds;
}

export interface KprobeLayerSpec {
  readonly nargs: number;
  readonly regs: ArchRegs;
  /** only the registers of an ftrace_regs (every program on the layer is a multi one) */
  readonly sparse: boolean;
  /** some program may call bpf_override_return */
  readonly override: boolean;
  readonly inner: Function;
  readonly kprobes: readonly ProbeProgram[];
  readonly kretprobes: readonly ProbeProgram[];
  readonly tspAddr: number;
  readonly tstackLo: number;
  /** per-CPU u32 bpf_prog_active counters */
  readonly activeAddr: number;
  readonly now: (() => number) | null;
}

/** A field of a classic tracepoint's record and where its value comes from. */
export type FieldSource =
  | { readonly kind: "arg"; readonly off: number; readonly size: number; readonly arg: number }
  /** a value loaded from the pointer in argument `arg` at byte offset `at` */
  | { readonly kind: "load"; readonly off: number; readonly size: number; readonly arg: number; readonly at: number }
  /** `size` bytes copied from the pointer in `arg` + `at` */
  | { readonly kind: "copy"; readonly off: number; readonly size: number; readonly arg: number; readonly at: number }
  | { readonly kind: "const"; readonly off: number; readonly size: number; readonly value: bigint };

export interface ClassicEvent {
  /** common_type */
  readonly id: number;
  /** the record's size (a multiple of 8) */
  readonly size: number;
  readonly fields: readonly FieldSource[];
  /** run only when argument `arg` equals `value` (syscalls:sys_enter_<name> on the sys_enter call site) */
  readonly filter: { readonly arg: number; readonly at?: number; readonly value: bigint } | null;
  readonly progs: readonly ProbeProgram[];
}

export interface TracepointHookSpec {
  readonly nargs: number;
  /** raw_tp and tp_btf programs, most recently attached first */
  readonly raw: readonly ProbeProgram[];
  readonly classic: readonly ClassicEvent[];
  readonly tspAddr: number;
  readonly tstackLo: number;
  readonly activeAddr: number;
  /** a u32 the kernel keeps the current pid in (common_pid) */
  readonly pidAddr: number;
  readonly now: (() => number) | null;
}

const needsKey = (n: CtxNeeds): string => `${n.ctx ? 1 : 0}${n.ip ? 1 : 0}${n.cookie ? 1 : 0}${n.stack ? 1 : 0}`;

const moduleCache = new ModuleCache(1024);

interface Gen {
  readonly w: WasmModule;
  readonly m: WasmOps;
  c32(v: number): ExpressionRef;
  c64(v: bigint): ExpressionRef;
}

function gen(w: WasmModule): Gen {
  return { w, m: w.ops, c32: (v) => w.i32Const(v), c64: (v) => w.i64Const(v) };
}

/**
 * One program run: the guard (bpf_prog_active or the program's own per-CPU counter), the cookie,
 * the call (r1 = ctx, r10 = ctx - PROBE_HDR), stats. `k` indexes the imports p<k> / c<k>.
 */
function runProg(g: Gen, k: number, p: ProbeProgram, ctx: () => number, cpu: () => number, actLocal: number, t0Local: number, global: number | null, stats: boolean): number {
  const { w, m, c32, c64 } = g;
  const { i32, i64, f64 } = w;
  const ctx64 = (): number => m.i64.extend_u(ctx());
  const act = (): number => m.local.get(actLocal, i32);
  const call = m.drop(m.call(`p${k}`, [ctx64(), c64(0n), c64(0n), c64(0n), c64(0n), m.i64.sub(ctx64(), c64(BigInt(PROBE_HDR))), c64(0n), c64(0n), c64(0n), c64(0n), c64(0n)], i64));
  const body: number[] = [];
  if (p.needs.cookie) body.push(m.i64.store(0, 8, m.i32.sub(ctx(), c32(24)), m.global.get(`c${k}`, i64)));
  if (stats) {
    body.push(m.local.set(t0Local, m.call("now", [], f64)));
    body.push(call);
    body.push(m.i64.store(0, 8, c32(p.state + PS_RUN_CNT), m.i64.add(m.i64.load(0, 8, c32(p.state + PS_RUN_CNT)), c64(1n))));
    body.push(m.i64.store(0, 8, c32(p.state + PS_RUN_TIME), m.i64.add(m.i64.load(0, 8, c32(p.state + PS_RUN_TIME)), m.i64.trunc_u.f64(m.f64.sub(m.call("now", [], f64), m.local.get(t0Local, f64))))));
  } else body.push(call);
  const miss = m.i64.store(0, 8, c32(p.state + PS_MISSES), m.i64.add(m.i64.load(0, 8, c32(p.state + PS_MISSES)), c64(1n)));
  // the counter: bpf_prog_active (global) or the program's own active[cpu]
  const addr = global !== null ? m.i32.add(c32(global), cpu()) : m.i32.add(c32(p.state), cpu());
  return m.block(null, [
    m.local.set(actLocal, addr),
    m.if(
      m.i32.load(0, 4, act()),
      miss,
      m.block(null, [m.i32.store(0, 4, act(), c32(1)), ...body, m.i32.store(0, 4, act(), c32(0))], w.none),
    ),
  ], w.none);
}

function instantiate(key: string, build: () => Uint8Array<ArrayBuffer>, imports: WebAssembly.Imports): Function {
  return new WebAssembly.Instance(moduleCache.get(key, build), imports).exports["hook"] as Function;
}

function imports(mem: WebAssembly.Memory, progs: readonly ProbeProgram[], now: (() => number) | null, inner: Function | null): WebAssembly.Imports {
  const p: Record<string, WebAssembly.ImportValue> = {};
  const c: Record<string, WebAssembly.ImportValue> = {};
  progs.forEach((x, i) => {
    p[`p${i}`] = x.fn as WebAssembly.ImportValue;
    c[`c${i}`] = new WebAssembly.Global({ value: "i64", mutable: false }, BigInt.asIntN(64, x.cookie));
  });
  const env: Record<string, WebAssembly.ImportValue> = { memory: mem };
  if (now !== null) env["now"] = now;
  return { env, p, c, k: inner === null ? {} : { inner: inner as WebAssembly.ImportValue } };
}

function declareProgs(g: Gen, progs: readonly ProbeProgram[], stats: boolean): void {
  const { w } = g;
  const progSig = Array<number>(11).fill(w.i64);
  progs.forEach((_, k) => {
    w.importFunction(`p${k}`, "p", `p${k}`, progSig, w.i64);
    w.importGlobal(`c${k}`, "c", `c${k}`, w.i64, false);
  });
  if (stats) w.importFunction("now", "env", "now", [], w.f64);
}

/** Build (or reuse) the kprobe layer; returns a wasm function `(i64 ip, i64 × nargs) -> i64`. */
export function buildKprobeLayer(b: Binaryen, mem: WebAssembly.Memory, spec: KprobeLayerSpec): Function {
  const all = [...spec.kprobes, ...spec.kretprobes];
  const stats = spec.now !== null;
  // no program can observe a frame (ctx, stack, ip, cookie) and none overrides: no frame at all
  const frameless = !spec.override && !all.some((p) => needsFrame(p.needs));
  const key = [
    "kp", spec.nargs, spec.regs.arch, spec.sparse ? 1 : 0, spec.override ? 1 : 0, stats ? 1 : 0, spec.tspAddr, spec.tstackLo, spec.activeAddr,
    spec.kprobes.map((p) => `${p.state}:${needsKey(p.needs)}`).join(","), spec.kretprobes.map((p) => `${p.state}:${needsKey(p.needs)}`).join(","),
  ].join("|");
  const build = (): Uint8Array<ArrayBuffer> => {
    const w = new WasmModule(b, TRAMP_FEATURES);
    const m = w.ops;
    try {
      const g = gen(w);
      const { c32, c64 } = g;
      const { i32, i64, f64 } = w;
      const n = spec.nargs;
      const R = spec.regs;
      w.importMemory("env", "memory", 0);
      const sig = Array<number>(n + 1).fill(i64);
      w.importFunction("inner", "k", "inner", sig, i64);
      declareProgs(g, all, stats);
      const L_SP = n + 1;
      const L_CTX = n + 2;
      const L_CPU = n + 3;
      const L_ACT = n + 4;
      const L_RET = n + 5;
      const L_T0 = n + 6;
      const ctx = (): number => m.local.get(L_CTX, i32);
      const cpu = (): number => m.local.get(L_CPU, i32);
      const args = (): number[] => Array.from({ length: n + 1 }, (_, i) => m.local.get(i, i64));
      const frame = TRAMP_BPF_STACK + PROBE_HDR + R.size;
      const setReg = (s: number, v: number): number => (frameless ? m.nop() : m.i64.store(s * 8, 8, ctx(), v));
      const body: number[] = frameless ? [] : [
        m.local.set(L_SP, m.i32.load(0, 4, c32(spec.tspAddr))),
        m.local.set(L_CTX, m.i32.sub(m.local.get(L_SP, i32), c32(frame))),
        // tracing stack exhausted: the function runs without its probes
        m.if(m.i32.or(m.i32.lt_u(ctx(), c32(spec.tstackLo)), m.i32.gt_u(ctx(), m.local.get(L_SP, i32))), m.return_call("inner", args(), i64)),
        m.i32.store(0, 4, c32(spec.tspAddr), ctx()),
        m.local.set(L_CTX, m.i32.add(ctx(), c32(TRAMP_BPF_STACK + PROBE_HDR))),
        m.memory.fill(ctx(), c32(0), c32(R.size)),
      ];
      if (!frameless) {
        for (let i = 0; i < Math.min(n, R.args.length); i++) body.push(setReg(R.args[i]!, m.local.get(i + 1, i64)));
        body.push(setReg(R.ip, m.i64.add(m.local.get(0, i64), c64(R.ipBias))));
        body.push(setReg(R.sp, c64(SIM_KERNEL_SP)));
        body.push(setReg(R.fp, c64(SIM_KERNEL_FP)));
        if (!spec.sparse) for (const [s, v] of R.fixed) body.push(setReg(s, c64(v)));
        body.push(m.i64.store(0, 8, m.i32.sub(ctx(), c32(16)), m.local.get(0, i64)));
        body.push(m.i64.store(0, 8, m.i32.sub(ctx(), c32(8)), c64(BigInt(R.rc * 8))));
        if (spec.override) body.push(m.i64.store(0, 8, m.i32.sub(ctx(), c32(32)), c64(0n)));
      }
      body.push(m.local.set(L_CPU, m.i32.shl(m.i32.load(0, 4, c32(CPU_ID_ADDR)), c32(2))));
      let k = 0;
      for (const p of spec.kprobes) body.push(runProg(g, k++, p, ctx, cpu, L_ACT, L_T0, spec.activeAddr, stats));
      const restore = frameless ? m.nop() : m.i32.store(0, 4, c32(spec.tspAddr), m.local.get(L_SP, i32));
      const callInner = m.local.set(L_RET, m.call("inner", args(), i64));
      if (spec.override) {
        body.push(m.if(m.i64.ne(m.i64.load(0, 8, m.i32.sub(ctx(), c32(32))), c64(0n)), m.local.set(L_RET, m.i64.load(0, 8, m.i32.sub(ctx(), c32(40)))), callInner));
      } else if (spec.kretprobes.length === 0) {
        body.push(restore, m.return_call("inner", args(), i64));
      } else body.push(callInner);
      if (spec.kretprobes.length > 0) {
        body.push(setReg(R.rc, m.local.get(L_RET, i64)));
        for (const p of spec.kretprobes) body.push(runProg(g, k++, p, ctx, cpu, L_ACT, L_T0, spec.activeAddr, stats));
        // an override from a kretprobe: the function ran, the caller sees rc (x86's rethook
        // restores ax from the saved registers after the handlers)
        if (spec.override) body.push(m.if(m.i64.ne(m.i64.load(0, 8, m.i32.sub(ctx(), c32(32))), c64(0n)), m.local.set(L_RET, m.i64.load(0, 8, m.i32.sub(ctx(), c32(40))))));
      }
      body.push(restore, m.return(m.local.get(L_RET, i64)));
      w.addFunction("hook", sig, i64, [i32, i32, i32, i32, i64, f64], m.block(null, body, w.none));
      w.exportFunction("hook", "hook");
      return w.emitBinary();
    } finally {
      w.dispose();
    }
  };
  return instantiate(key, build, imports(mem, all, spec.now, spec.inner));
}

/** Build (or reuse) a tracepoint's hook: a wasm function `(i64 × nargs) -> void`. */
export function buildTracepointHook(b: Binaryen, mem: WebAssembly.Memory, spec: TracepointHookSpec): Function {
  const progs = [...spec.raw, ...spec.classic.flatMap((e) => e.progs)];
  const stats = spec.now !== null;
  const key = JSON.stringify({
    t: "tp", n: spec.nargs, s: stats, tsp: spec.tspAddr, lo: spec.tstackLo, a: spec.activeAddr, pid: spec.pidAddr,
    raw: spec.raw.map((p) => `${p.state}:${needsKey(p.needs)}`),
    classic: spec.classic.map((e) => ({ id: e.id, size: e.size, f: e.fields.map((f) => ({ ...f, value: f.kind === "const" ? f.value.toString() : undefined })), flt: e.filter === null ? null : [e.filter.arg, e.filter.at ?? -1, e.filter.value.toString()], p: e.progs.map((p) => `${p.state}:${needsKey(p.needs)}`) })),
  });
  const build = (): Uint8Array<ArrayBuffer> => {
    const w = new WasmModule(b, TRAMP_FEATURES);
    const m = w.ops;
    try {
      const g = gen(w);
      const { c32, c64 } = g;
      const { i32, i64 } = b;
      const n = spec.nargs;
      w.importMemory("env", "memory", 0);
      declareProgs(g, progs, stats);
      const sig = Array<number>(n).fill(i64);
      const L_SP = n;
      const L_CTX = n + 1;
      const L_CPU = n + 2;
      const L_ACT = n + 3;
      const L_T0 = n + 4;
      const ctx = (): number => m.local.get(L_CTX, i32);
      const cpu = (): number => m.local.get(L_CPU, i32);
      const arg = (i: number): number => m.local.get(i, i64);
      const argPtr = (i: number): number => m.i32.wrap(arg(i));
      // a frame of `size` bytes after the header: returns [push, pop]
      const push = (size: number): number[] => [
        m.local.set(L_SP, m.i32.load(0, 4, c32(spec.tspAddr))),
        m.local.set(L_CTX, m.i32.sub(m.local.get(L_SP, i32), c32(TRAMP_BPF_STACK + PROBE_HDR + size))),
        m.if(m.i32.or(m.i32.lt_u(ctx(), c32(spec.tstackLo)), m.i32.gt_u(ctx(), m.local.get(L_SP, i32))), m.return()),
        m.i32.store(0, 4, c32(spec.tspAddr), ctx()),
        m.local.set(L_CTX, m.i32.add(ctx(), c32(TRAMP_BPF_STACK + PROBE_HDR))),
        m.i64.store(0, 8, m.i32.sub(ctx(), c32(16)), c64(0n)),
      ];
      const pop = (): number => m.i32.store(0, 4, c32(spec.tspAddr), m.local.get(L_SP, i32));
      const body: number[] = [m.local.set(L_CPU, m.i32.shl(m.i32.load(0, 4, c32(CPU_ID_ADDR)), c32(2)))];
      let k = 0;
      const rawFrame = spec.raw.some((p) => needsFrame(p.needs));
      if (spec.raw.length > 0 && !rawFrame) {
        for (const p of spec.raw) body.push(runProg(g, k++, p, ctx, cpu, L_ACT, L_T0, null, stats));
      } else if (spec.raw.length > 0) {
        body.push(...push(Math.max(8, n * 8)));
        body.push(m.i64.store(0, 8, m.i32.sub(ctx(), c32(8)), c64(BigInt(n))));
        for (let i = 0; i < n; i++) body.push(m.i64.store(i * 8, 8, ctx(), arg(i)));
        for (const p of spec.raw) body.push(runProg(g, k++, p, ctx, cpu, L_ACT, L_T0, null, stats));
        body.push(pop());
      }
      for (const e of spec.classic) {
        if (!e.progs.some((p) => needsFrame(p.needs))) {
          // nobody can read the record: it is not built
          const eb = e.progs.map((p) => runProg(g, k++, p, ctx, cpu, L_ACT, L_T0, spec.activeAddr, stats));
          const blk = m.block(null, eb, w.none);
          const f = e.filter;
          body.push(f === null ? blk : m.if(m.i64.eq(f.at === undefined ? arg(f.arg) : m.i64.load(f.at, 8, argPtr(f.arg)), c64(f.value)), blk));
          continue;
        }
        const eb: number[] = [...push(e.size), m.memory.fill(ctx(), c32(0), c32(e.size))];
        eb.push(m.i32.store16(0, 2, ctx(), c32(e.id)));
        eb.push(m.i32.store(4, 4, ctx(), m.i32.load(0, 4, c32(spec.pidAddr))));
        for (const f of e.fields) {
          const at = m.i32.add(ctx(), c32(f.off));
          const store = (v: number): number => (f.size === 8 ? m.i64.store(0, 8, at, v) : f.size === 4 ? m.i64.store32(0, 4, at, v) : f.size === 2 ? m.i64.store16(0, 2, at, v) : m.i64.store8(0, 1, at, v));
          if (f.kind === "arg") eb.push(store(arg(f.arg)));
          else if (f.kind === "const") eb.push(store(c64(f.value)));
          else if (f.kind === "load") {
            const v = f.size === 8 ? m.i64.load(f.at, 8, argPtr(f.arg)) : f.size === 4 ? m.i64.load32_s(f.at, 4, argPtr(f.arg)) : f.size === 2 ? m.i64.load16_s(f.at, 2, argPtr(f.arg)) : m.i64.load8_s(f.at, 1, argPtr(f.arg));
            eb.push(m.if(m.i64.eqz(arg(f.arg)), m.nop(), store(v)));
          } else eb.push(m.if(m.i64.eqz(arg(f.arg)), m.nop(), m.memory.copy(at, m.i32.add(argPtr(f.arg), c32(f.at)), c32(f.size))));
        }
        for (const p of e.progs) eb.push(runProg(g, k++, p, ctx, cpu, L_ACT, L_T0, spec.activeAddr, stats));
        eb.push(pop());
        const blk = m.block(null, eb, w.none);
        const f = e.filter;
        body.push(f === null ? blk : m.if(m.i64.eq(f.at === undefined ? arg(f.arg) : m.i64.load(f.at, 8, argPtr(f.arg)), c64(f.value)), blk));
      }
      w.addFunction("hook", sig, w.none, [i32, i32, i32, i32, w.f64], m.block(null, body, w.none));
      w.exportFunction("hook", "hook");
      return w.emitBinary();
    } finally {
      w.dispose();
    }
  };
  return instantiate(key, build, imports(mem, progs, spec.now, null));
}
