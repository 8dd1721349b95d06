// Per-target trampolines: a wasm module generated with binaryen for one kernel function and
// its current program lists, like the kernel's trampoline image. Programs, the original
// function and (with stats) the clock are imports called directly; nothing is emitted for
// kinds that have no program. A new image is built on every change of the lists; a call
// already running keeps executing the old instance.
//
// Frame (taken from the tracing stack, assembly/kernel/state.ts):
//   [BPF stack 4096][cookie][ip][nr_args][arg0 … argN-1][ret]
//                            ctx-24 ctx-16 ctx-8 ctx
// Order: fentry programs, then fmod_ret programs (the first nonzero return is the function's
// return value and skips the rest and the original), the original, then fexit programs;
// inside each kind the most recently attached first. Each program run is guarded by its
// per-CPU active counter: a nested entry is skipped and counted in recursion_misses.
import type { Binaryen } from "../jit/binaryen-loader.js";
import { WasmModule, type WasmFeature } from "../jit/wasm-module.js";
import { CPU_ID_ADDR } from "../isa/layout.js";
import { needsFrame, type CtxNeeds } from "./ctx-needs.js";
import { ModuleCache } from "./module-cache.js";

export const TRAMP_BPF_STACK = 4096;
/** The tracing stack's size (assembly/kernel/state.ts) */
export const TRAMP_STACK_SIZE = 64 * (4096 + 128);
/** Offsets inside a program's state block (assembly/kernel/state.ts). */
export const PS_MISSES = 256;
export const PS_RUN_CNT = 264;
export const PS_RUN_TIME = 272;
export const PROG_STATE_SIZE = 288;
/** What every trampoline module uses: tail calls into the original, mutable imported globals. */
export const TRAMP_FEATURES: readonly WasmFeature[] = ["mutableGlobals", "bulkMemory", "tailCall"];

export interface TrampolineProgram {
  /** the program's entry (a wasm function from the shared table) */
  // `Function`: a wasm function object has no narrower static type
  readonly fn: Function;
  /** guest address of its state block */
  readonly state: number;
  readonly cookie: bigint;
  /** what of the frame the program can observe: stores nobody can see are left out */
  readonly needs: CtxNeeds;
}

export interface TrampolineSpec {
  readonly ip: bigint;
  readonly nargs: number;
  readonly orig: Function; // a wasm function: (i64 ip, i64 × nargs) -> i64
  readonly fentry: readonly TrampolineProgram[];
  readonly fmodRet: readonly TrampolineProgram[];
  readonly fexit: readonly TrampolineProgram[];
  readonly tspAddr: number;
  readonly tstackLo: number;
  /** host clock in ns for run_cnt / run_time_ns (null: stats disabled) */
  readonly now: (() => number) | null;
}

const moduleCache = new ModuleCache(1024);

/** What the trampoline's bytes depend on: everything in the spec but the imported functions. */
function shapeKey(spec: TrampolineSpec): string {
  const progs = (list: readonly TrampolineProgram[]): string => list.map((p) => `${p.state}:${p.cookie}:${p.needs.ctx ? 1 : 0}${p.needs.ip ? 1 : 0}${p.needs.cookie ? 1 : 0}${p.needs.stack ? 1 : 0}`).join(",");
  return `${spec.ip}/${spec.nargs}/${spec.tspAddr}/${spec.tstackLo}/${spec.now !== null ? 1 : 0}/${progs(spec.fentry)}/${progs(spec.fmodRet)}/${progs(spec.fexit)}`;
}

/** Build the trampoline (or reuse the compiled module of the same shape); returns its wasm function `(i64 ip, i64 × nargs) -> i64`. */
export function buildTrampoline(b: Binaryen, mem: WebAssembly.Memory, spec: TrampolineSpec): Function {
  const all = [...spec.fentry, ...spec.fmodRet, ...spec.fexit];
  const progs: Record<string, Function> = {};
  all.forEach((p, i) => (progs[`p${i}`] = p.fn));
  const env: Record<string, WebAssembly.ImportValue> = { memory: mem };
  if (spec.now !== null) env["now"] = spec.now;
  const mod = moduleCache.get(shapeKey(spec), () => trampolineBytes(b, spec));
  const inst = new WebAssembly.Instance(mod, {
    env,
    k: { orig: spec.orig as WebAssembly.ImportValue },
    p: progs as Record<string, WebAssembly.ImportValue>,
  });
  return inst.exports["tramp"] as Function;
}

function trampolineBytes(b: Binaryen, spec: TrampolineSpec): Uint8Array<ArrayBuffer> {
  const w = new WasmModule(b, TRAMP_FEATURES);
  const m = w.ops;
  try {
    const { i32, i64, f64 } = w;
    const n = spec.nargs;
    w.importMemory("env", "memory", 0);
    const origSig = Array<number>(n + 1).fill(i64);
    const progSig = Array<number>(11).fill(i64);
    w.importFunction("orig", "k", "orig", origSig, i64);
    const all = [...spec.fentry, ...spec.fmodRet, ...spec.fexit];
    all.forEach((_, k) => w.importFunction(`p${k}`, "p", `p${k}`, progSig, i64));
    if (spec.now !== null) w.importFunction("now", "env", "now", [], f64);

    // params: 0 = ip, 1..n = args; locals after them
    const L_SP = n + 1;
    const L_CTX = n + 2;
    const L_CPU = n + 3;
    const L_ACT = n + 4;
    const L_RET = n + 5;
    const L_R = n + 6;
    const L_T0 = n + 7;
    const locals = [i32, i32, i32, i32, i64, i64, f64];
    const c32 = (v: number): number => w.i32Const(v);
    const c64 = (v: bigint): number => w.i64Const(v);
    const ctx = (): number => m.local.get(L_CTX, i32);
    const ctx64 = (): number => m.i64.extend_u(ctx());
    const args = (): number[] => [m.local.get(0, i64), ...Array.from({ length: n }, (_, i) => m.local.get(i + 1, i64))];
    const frame = TRAMP_BPF_STACK + 24 + (n + 1) * 8;
    const retOff = n * 8;
    const anyCtx = all.some((p) => p.needs.ctx);
    const anyIp = all.some((p) => p.needs.ip);
    // no program can observe the frame: no tracing-stack frame at all (ctx and r10 are 0)
    const frameless = !all.some((p) => needsFrame(p.needs));

    const runProg = (k: number, p: TrampolineProgram, keep: boolean): number[] => {
      const act = (): number => m.local.get(L_ACT, i32);
      const call = m.call(`p${k}`, [ctx64(), c64(0n), c64(0n), c64(0n), c64(0n), m.i64.sub(ctx64(), c64(24n)), c64(0n), c64(0n), c64(0n), c64(0n), c64(0n)], i64);
      const body: number[] = [m.i32.store(0, 4, act(), c32(1))];
      if (p.needs.cookie) body.push(m.i64.store(0, 8, m.i32.sub(ctx(), c32(24)), c64(p.cookie)));
      if (spec.now !== null) {
        body.push(m.local.set(L_T0, m.call("now", [], f64)));
        body.push(keep ? m.local.set(L_R, call) : m.drop(call));
        const cnt = c32(p.state + PS_RUN_CNT);
        const tm = c32(p.state + PS_RUN_TIME);
        body.push(m.i64.store(0, 8, cnt, m.i64.add(m.i64.load(0, 8, c32(p.state + PS_RUN_CNT)), c64(1n))));
        body.push(m.i64.store(0, 8, tm, m.i64.add(m.i64.load(0, 8, c32(p.state + PS_RUN_TIME)), m.i64.trunc_u.f64(m.f64.sub(m.call("now", [], f64), m.local.get(L_T0, f64))))));
      } else body.push(keep ? m.local.set(L_R, call) : m.drop(call));
      body.push(m.i32.store(0, 4, act(), c32(0)));
      const miss: number[] = [m.i64.store(0, 8, c32(p.state + PS_MISSES), m.i64.add(m.i64.load(0, 8, c32(p.state + PS_MISSES)), c64(1n)))];
      if (keep) miss.push(m.local.set(L_R, c64(0n)));
      return [
        m.local.set(L_ACT, m.i32.add(c32(p.state), m.local.get(L_CPU, i32))),
        m.if(m.i32.load(0, 4, m.local.get(L_ACT, i32)), m.block(null, miss, w.none), m.block(null, body, w.none)),
      ];
    };

    const body: number[] = [];
    if (!frameless) {
      body.push(m.local.set(L_SP, m.i32.load(0, 4, c32(spec.tspAddr))));
      body.push(m.local.set(L_CTX, m.i32.sub(m.local.get(L_SP, i32), c32(frame))));
      // tracing stack exhausted: run the function without programs
      body.push(m.if(m.i32.or(m.i32.lt_u(m.local.get(L_CTX, i32), c32(spec.tstackLo)), m.i32.gt_u(m.local.get(L_CTX, i32), m.local.get(L_SP, i32))), m.return_call("orig", args(), i64)));
      body.push(m.i32.store(0, 4, c32(spec.tspAddr), m.local.get(L_CTX, i32)));
      body.push(m.local.set(L_CTX, m.i32.add(m.local.get(L_CTX, i32), c32(TRAMP_BPF_STACK + 24))));
    }
    if (anyIp) body.push(m.i64.store(0, 8, m.i32.sub(ctx(), c32(16)), c64(spec.ip)));
    if (anyCtx) {
      body.push(m.i64.store(0, 8, m.i32.sub(ctx(), c32(8)), c64(BigInt(n))));
      for (let i = 0; i < n; i++) body.push(m.i64.store(i * 8, 8, ctx(), m.local.get(i + 1, i64)));
    }
    body.push(m.local.set(L_CPU, m.i32.shl(m.i32.load(0, 4, c32(CPU_ID_ADDR)), c32(2))));
    let k = 0;
    for (const p of spec.fentry) body.push(...runProg(k++, p, false));
    const callOrig = m.local.set(L_RET, m.call("orig", args(), i64));
    const restore = frameless ? m.nop() : m.i32.store(0, 4, c32(spec.tspAddr), m.local.get(L_SP, i32));
    if (spec.fmodRet.length === 0 && spec.fexit.length === 0) {
      // fentry only: the frame is done with; the original runs as a tail call
      body.push(restore, m.return_call("orig", args(), i64));
    } else {
      const inner: number[] = [];
      if (spec.fmodRet.length > 0) {
        if (anyCtx) inner.push(m.i64.store(retOff, 8, ctx(), c64(0n)));
        for (const p of spec.fmodRet) {
          inner.push(...runProg(k++, p, true));
          if (anyCtx) inner.push(m.i64.store(retOff, 8, ctx(), m.local.get(L_R, i64)));
          inner.push(m.if(m.i64.ne(m.local.get(L_R, i64), c64(0n)), m.block(null, [m.local.set(L_RET, m.local.get(L_R, i64)), m.br("orig_done")], w.none)));
        }
      }
      inner.push(callOrig);
      if (spec.fexit.length > 0 && anyCtx) inner.push(m.i64.store(retOff, 8, ctx(), m.local.get(L_RET, i64)));
      body.push(m.block("orig_done", inner, w.none));
      for (const p of spec.fexit) body.push(...runProg(k++, p, false));
      body.push(restore, m.return(m.local.get(L_RET, i64)));
    }
    w.addFunction("tramp", origSig, i64, locals, m.block(null, body, w.none));
    w.exportFunction("tramp", "tramp");
    return w.emitBinary();
  } finally {
    w.dispose();
  }
}

/** A wasm function `(i64 ip, i64 × nargs) -> i64` calling a host implementation (BigInt path). */
export function buildHostFunction(b: Binaryen, nargs: number, impl: (...args: bigint[]) => bigint): Function {
  const w = new WasmModule(b, TRAMP_FEATURES);
  const m = w.ops;
  try {
    const sig = Array<number>(nargs + 1).fill(w.i64);
    w.importFunction("impl", "js", "impl", sig, w.i64);
    w.addFunction("f", sig, w.i64, [], m.call("impl", Array.from({ length: nargs + 1 }, (_, i) => m.local.get(i, w.i64)), w.i64));
    w.exportFunction("f", "f");
    const inst = w.instantiate({ js: { impl } });
    return inst.exports["f"] as Function;
  } finally {
    w.dispose();
  }
}
