// The tracing multi-link's global trampolines, one per argument count (0..6), generated with
// binaryen into one module. Each looks up the function's kfunc_md in the AssemblyScript hash
// table (by reading the table's memory directly: no call), takes a frame from the tracing
// stack, saves the arguments, and runs the function's program lists: fentry, then fmod_ret
// (the first nonzero return skips the rest and the original), the original, then fexit.
//
// Programs are called directly: the module imports every program that any multi-link uses and
// dispatches on the entry's program index with a br_table, because a call_indirect into another
// instance measured ~2 ns slower than a direct import call. The module is regenerated only when
// that set of programs grows (a program's first multi-link) or the hash table is resized (its
// bucket array's address and size are constants here: one dependent load less per lookup), not
// per function or per link. The
// original function is called the same way: kfunc_md keeps the index of its body among the
// bodies of its arity (generated functions share one body per arity, so there are few), and a
// br_table selects the direct call. A call in flight keeps running in the old module.
import type { Binaryen } from "../jit/binaryen-loader.js";
import { WasmModule } from "../jit/wasm-module.js";
import { CPU_ID_ADDR } from "../isa/layout.js";
import { PS_MISSES, PS_RUN_CNT, PS_RUN_TIME, TRAMP_BPF_STACK, TRAMP_FEATURES } from "./trampoline.js";
import { ModuleCache } from "./module-cache.js";

export const MULTI_MAX_ARGS = 6;
/** kfunc_md nodes carry (program index, state) of their list's first entries from offset 32. */
export const MD_INLINE = 4;

export interface MultiTrampolineSpec {
  /** program entries by dispatch index (wasm functions) */
  readonly programs: readonly Function[];
  /** function bodies by argument count, by the index kfunc_md keeps at @16 */
  readonly bodies: ReadonlyArray<readonly Function[]>;
  /** kfunc_md state: buckets u32 @0, nbuckets u32 @4, in flight u32 @8 */
  readonly kmdState: number;
  /** the kfunc_md bucket array and its size when the module is built (a resize rebuilds it) */
  readonly buckets: number;
  readonly nbuckets: number;
  readonly tspAddr: number;
  readonly tstackLo: number;
  readonly now: (() => number) | null;
  /** list shapes to emit straight-line trampolines for (multiShapeKey) */
  readonly shapes: readonly string[];
}

/** Lists with at most this many programs of each kind get a straight-line trampoline. */
export const SHAPE_MAX = 2;

/** The key of a straight-line trampoline: arity, programs per kind, frame needed. */
export function multiShapeKey(n: number, nF: number, nM: number, nX: number, frame: boolean): string | null {
  if (nF > SHAPE_MAX || nM > SHAPE_MAX || nX > SHAPE_MAX) return null;
  return `s${n}_${nF}${nM}${nX}${frame ? 1 : 0}`;
}

/**
 * Build the module: `g<n>` is the generic global trampoline for n arguments (loops over the
 * lists, counts itself in flight); `s<n>_<shape>` the straight-line one for lists of that shape
 * (it copies the entries into locals first, so a list replaced meanwhile can be freed at once).
 * Both look the metadata up by address; which one a function's entry holds depends only on its
 * list's shape.
 */
export function buildMultiTrampolines(b: Binaryen, mem: WebAssembly.Memory, table: WebAssembly.Table, spec: MultiTrampolineSpec): Map<string, Function> {
  const env: Record<string, WebAssembly.ImportValue> = { memory: mem, table };
  if (spec.now !== null) env["now"] = spec.now;
  const p: Record<string, WebAssembly.ImportValue> = {};
  spec.programs.forEach((f, i) => (p[`p${i}`] = f as WebAssembly.ImportValue));
  const o: Record<string, WebAssembly.ImportValue> = {};
  spec.bodies.forEach((list, n) => list.forEach((f, i) => (o[`o${n}_${i}`] = f as WebAssembly.ImportValue)));
  // the bytes depend on the counts of programs and bodies, the addresses and the shapes only
  const key = `${spec.programs.length}/${spec.bodies.map((l) => l.length).join(",")}/${spec.kmdState}/${spec.buckets}/${spec.nbuckets}/${spec.tspAddr}/${spec.tstackLo}/${spec.now !== null ? 1 : 0}/${spec.shapes.join(",")}`;
  const inst = new WebAssembly.Instance(moduleCache.get(key, () => multiTrampolineBytes(b, spec)), { env, p, o });
  return new Map(Object.entries(inst.exports).map(([k, v]) => [k, v as Function]));
}

const moduleCache = new ModuleCache(64);

function multiTrampolineBytes(b: Binaryen, spec: MultiTrampolineSpec): Uint8Array<ArrayBuffer> {
  const w = new WasmModule(b, TRAMP_FEATURES);
  const m = w.ops;
  try {
    const { i32, i64, f64 } = w;
    w.importMemory("env", "memory", 0);
    w.importTable("table", "env", "table", 0);
    const progSig = Array<number>(11).fill(i64);
    spec.programs.forEach((_, i) => w.importFunction(`p${i}`, "p", `p${i}`, progSig, i64));
    if (spec.now !== null) w.importFunction("now", "env", "now", [], f64);
    spec.bodies.forEach((list, n) => list.forEach((_, i) => w.importFunction(`o${n}_${i}`, "o", `o${n}_${i}`, Array<number>(n + 1).fill(i64), i64)));
    const c32 = (v: number): number => w.i32Const(v);
    const c64 = (v: bigint): number => w.i64Const(v);
    const ld32 = (addr: number, off = 0): number => m.i32.load(off, 4, addr);
    const ld64 = (addr: number, off = 0): number => m.i64.load(off, 8, addr);
    const nprogs = spec.programs.length;
    let site = 0;

    for (let n = 0; n <= MULTI_MAX_ARGS; n++) {
      // params 0 = ip, 1..n = args; locals:
      const L = { md: n + 1, list: n + 2, sp: n + 3, ctx: n + 4, cpu: n + 5, e: n + 6, end: n + 7, st: n + 8, act: n + 9, ret: n + 10, r: n + 11, t0: n + 12, fr: n + 13 };
      const locals = [i32, i32, i32, i32, i32, i32, i32, i32, i32, i64, i64, f64, i32];
      const g = (k: keyof typeof L): number => m.local.get(L[k], k === "ret" || k === "r" ? i64 : k === "t0" ? f64 : i32);
      const s = (k: keyof typeof L, v: number): number => m.local.set(L[k], v);
      const sig = Array<number>(n + 1).fill(i64);
      const args = (): number[] => Array.from({ length: n + 1 }, (_, i) => m.local.get(i, i64));
      // the original: a br_table over the bodies of this arity, each a direct call
      const bodies = spec.bodies[n] ?? [];
      const origDispatch = (tail: boolean, which: () => number = () => ld32(g("md"), 16), setRet: (v: number) => number = (v) => s("ret", v)): number => {
        const id = site++;
        let cur = m.switch(bodies.map((_, i) => `o${id}_${i}`), `od${id}`, which());
        for (let i = 0; i < bodies.length; i++) {
          const call = tail ? m.return_call(`o${n}_${i}`, args(), i64) : setRet(m.call(`o${n}_${i}`, args(), i64));
          const seq = [m.block(`o${id}_${i}`, [cur]), call];
          cur = tail || i === bodies.length - 1 ? m.block(null, seq) : m.block(null, [...seq, m.br(`od${id}`)]);
        }
        return m.block(`od${id}`, [cur]);
      };
      const origTail = (): number => m.block(null, [origDispatch(true), m.unreachable()], w.none);
      const ctx64 = (): number => m.i64.extend_u(g("ctx"));
      const frame = TRAMP_BPF_STACK + 24 + (n + 1) * 8;
      const inflight = (d: number): number => m.i32.store(8, 4, c32(spec.kmdState), m.i32.add(ld32(c32(spec.kmdState), 8), c32(d)));

      // one program run at entry `e`, result in `r`: per-CPU guard, cookie, stats, dispatch
      const runEntry = (): number => {
        const id = site++;
        const call = (i: number): number => m.call(`p${i}`, [ctx64(), c64(0n), c64(0n), c64(0n), c64(0n), m.i64.sub(ctx64(), c64(24n)), c64(0n), c64(0n), c64(0n), c64(0n), c64(0n)], i64);
        let cur = m.switch(spec.programs.map((_, i) => `c${id}_${i}`), `d${id}`, ld32(g("e")));
        for (let i = 0; i < nprogs; i++) {
          const seq = [m.block(`c${id}_${i}`, [cur]), s("r", call(i))];
          cur = i < nprogs - 1 ? m.block(null, [...seq, m.br(`d${id}`)]) : m.block(null, seq);
        }
        const dispatch = m.block(`d${id}`, [cur]);
        const run: number[] = [m.i32.store(0, 4, g("act"), c32(1)), m.if(g("fr"), m.i64.store(0, 8, m.i32.sub(g("ctx"), c32(24)), ld64(g("e"), 8)))];
        if (spec.now !== null) {
          run.push(s("t0", m.call("now", [], f64)), dispatch);
          run.push(m.i64.store(PS_RUN_CNT, 8, g("st"), m.i64.add(ld64(g("st"), PS_RUN_CNT), c64(1n))));
          run.push(m.i64.store(PS_RUN_TIME, 8, g("st"), m.i64.add(ld64(g("st"), PS_RUN_TIME), m.i64.trunc_u.f64(m.f64.sub(m.call("now", [], f64), g("t0"))))));
        } else run.push(dispatch);
        run.push(m.i32.store(0, 4, g("act"), c32(0)));
        return m.block(null, [
          s("r", c64(0n)),
          s("st", ld32(g("e"), 4)),
          s("act", m.i32.add(g("st"), g("cpu"))),
          m.if(ld32(g("act")), m.i64.store(PS_MISSES, 8, g("st"), m.i64.add(ld64(g("st"), PS_MISSES), c64(1n))), m.block(null, run, w.none)),
        ], w.none);
      };
      // run entries [e, end): fentry / fexit (results ignored)
      const loopAll = (label: string): number =>
        m.block(`${label}_out`, [
          m.loop(`${label}_top`, m.block(null, [
            m.br(`${label}_out`, m.i32.ge_u(g("e"), g("end"))),
            runEntry(),
            s("e", m.i32.add(g("e"), c32(24))),
            m.br(`${label}_top`),
          ], w.none)),
        ], w.none);

      const body: number[] = [];
      // kfunc_md lookup, inline: bucket = ((ip >> 4) * golden) >> 32 & (nbuckets - 1)
      // the table's hash (assembly/kernel/kfunc-md.ts): Fibonacci hashing of ip >> 4, top bits
      const h = (): number => m.i32.shr_u(m.i32.mul(m.i32.wrap(m.i64.shr_u(m.local.get(0, i64), c64(4n))), c32(0x9e3779b1 | 0)), c32(32 - Math.log2(spec.nbuckets)));
      body.push(s("md", ld32(m.i32.shl(h(), c32(2)), spec.buckets)));
      body.push(m.block("found", [
        m.loop("walk", m.block(null, [
          m.br("found", m.i64.eq(ld64(g("md"), 8), m.local.get(0, i64))),
          s("md", ld32(g("md"))),
          m.br("walk"),
        ], w.none)),
      ], w.none));
      body.push(s("list", ld32(g("md"), 20)));
      body.push(m.if(m.i32.eqz(g("list")), origTail()));
      // a frame from the tracing stack (exhausted: the function runs without programs), unless
      // no program of the list can observe one (list flags @12, bit 0)
      const frameSetup: number[] = [
        s("sp", ld32(c32(spec.tspAddr))),
        s("ctx", m.i32.sub(g("sp"), c32(frame))),
        m.if(m.i32.or(m.i32.lt_u(g("ctx"), c32(spec.tstackLo)), m.i32.gt_u(g("ctx"), g("sp"))), origTail()),
        m.i32.store(0, 4, c32(spec.tspAddr), g("ctx")),
        s("ctx", m.i32.add(g("ctx"), c32(TRAMP_BPF_STACK + 24))),
        m.i64.store(0, 8, m.i32.sub(g("ctx"), c32(16)), m.local.get(0, i64)),
        m.i64.store(0, 8, m.i32.sub(g("ctx"), c32(8)), c64(BigInt(n))),
      ];
      for (let i = 0; i < n; i++) frameSetup.push(m.i64.store(i * 8, 8, g("ctx"), m.local.get(i + 1, i64)));
      body.push(s("fr", m.i32.and(ld32(g("list"), 12), c32(1))));
      body.push(m.if(g("fr"), m.block(null, frameSetup, w.none)));
      const restore = (): number => m.if(g("fr"), m.i32.store(0, 4, c32(spec.tspAddr), g("sp")));
      body.push(inflight(1));
      body.push(s("cpu", m.i32.shl(ld32(c32(CPU_ID_ADDR)), c32(2))));
      // fentry
      body.push(s("e", m.i32.add(g("list"), c32(16))));
      body.push(s("end", m.i32.add(g("e"), m.i32.mul(ld32(g("list")), c32(24)))));
      body.push(loopAll(`fe${n}`));
      // no fmod_ret / fexit: done with the frame, the original as a tail call
      body.push(m.if(m.i32.eqz(m.i32.or(ld32(g("list"), 4), ld32(g("list"), 8))), m.block(null, [
        restore(),
        inflight(-1),
        origTail(),
      ], w.none)));
      // fmod_ret: e continues after the fentry entries
      body.push(s("end", m.i32.add(g("e"), m.i32.mul(ld32(g("list"), 4), c32(24)))));
      body.push(m.block("orig_done", [
        m.if(m.i32.and(g("fr"), m.i32.lt_u(g("e"), g("end"))), m.i64.store(n * 8, 8, g("ctx"), c64(0n))),
        m.block("mr_out", [
          m.loop("mr_top", m.block(null, [
            m.br("mr_out", m.i32.ge_u(g("e"), g("end"))),
            runEntry(),
            m.if(g("fr"), m.i64.store(n * 8, 8, g("ctx"), g("r"))),
            s("e", m.i32.add(g("e"), c32(24))),
            m.if(m.i64.ne(g("r"), c64(0n)), m.block(null, [s("ret", g("r")), m.br("orig_done")], w.none)),
            m.br("mr_top"),
          ], w.none)),
        ], w.none),
        origDispatch(false),
        m.if(g("fr"), m.i64.store(n * 8, 8, g("ctx"), g("ret"))),
      ], w.none));
      // fexit: the last nX entries
      body.push(s("e", m.i32.add(g("list"), m.i32.add(c32(16), m.i32.mul(m.i32.add(ld32(g("list")), ld32(g("list"), 4)), c32(24))))));
      body.push(s("end", m.i32.add(g("e"), m.i32.mul(ld32(g("list"), 8), c32(24)))));
      body.push(loopAll(`fx${n}`));
      body.push(restore());
      body.push(inflight(-1));
      body.push(m.return(g("ret")));
      w.addFunction(`g${n}`, sig, i64, locals, m.block(null, body, w.none));
      w.exportFunction(`g${n}`, `g${n}`);

      // straight-line trampolines for the shapes asked for
      for (const key of spec.shapes.filter((k) => k.startsWith(`s${n}_`))) {
        const [nF, nM, nX, fr] = [...key.slice(key.indexOf("_") + 1)].map(Number) as [number, number, number, number];
        const total = nF + nM + nX;
        // locals after the params: md, sp, ctx, cpu, st, act, oi (i32), ret, r (i64), t0 (f64),
        // then per entry: program index, state (i32), cookie (i64)
        const base = n + 1;
        const S = { md: base, sp: base + 1, ctx: base + 2, cpu: base + 3, st: base + 4, act: base + 5, oi: base + 6, ret: base + 7, r: base + 8, t0: base + 9 };
        const sl: number[] = [i32, i32, i32, i32, i32, i32, i32, i64, i64, f64];
        const eIdx = (k: number): number => base + 10 + k * 3;
        for (let k = 0; k < total; k++) sl.push(i32, i32, i64);
        const sg = (k: keyof typeof S): number => m.local.get(S[k], k === "ret" || k === "r" ? i64 : k === "t0" ? f64 : i32);
        const ss = (k: keyof typeof S, v: number): number => m.local.set(S[k], v);
        const sctx64 = (): number => m.i64.extend_u(sg("ctx"));
        const sTail = (): number => m.block(null, [origDispatch(true, () => sg("oi")), m.unreachable()], w.none);
        const run = (k: number): number => {
          const id = site++;
          const call = (i: number): number => m.call(`p${i}`, [sctx64(), c64(0n), c64(0n), c64(0n), c64(0n), m.i64.sub(sctx64(), c64(24n)), c64(0n), c64(0n), c64(0n), c64(0n), c64(0n)], i64);
          let cur = m.switch(spec.programs.map((_, i) => `c${id}_${i}`), `d${id}`, m.local.get(eIdx(k), i32));
          for (let i = 0; i < nprogs; i++) {
            const seq = [m.block(`c${id}_${i}`, [cur]), ss("r", call(i))];
            cur = i < nprogs - 1 ? m.block(null, [...seq, m.br(`d${id}`)]) : m.block(null, seq);
          }
          const dispatch = m.block(`d${id}`, [cur]);
          const body: number[] = [m.i32.store(0, 4, sg("act"), c32(1))];
          if (fr) body.push(m.i64.store(0, 8, m.i32.sub(sg("ctx"), c32(24)), m.local.get(eIdx(k) + 2, i64)));
          if (spec.now !== null) {
            body.push(ss("t0", m.call("now", [], f64)), dispatch);
            body.push(m.i64.store(PS_RUN_CNT, 8, sg("st"), m.i64.add(ld64(sg("st"), PS_RUN_CNT), c64(1n))));
            body.push(m.i64.store(PS_RUN_TIME, 8, sg("st"), m.i64.add(ld64(sg("st"), PS_RUN_TIME), m.i64.trunc_u.f64(m.f64.sub(m.call("now", [], f64), sg("t0"))))));
          } else body.push(dispatch);
          body.push(m.i32.store(0, 4, sg("act"), c32(0)));
          return m.block(null, [
            ss("r", c64(0n)),
            ss("st", m.local.get(eIdx(k) + 1, i32)),
            ss("act", m.i32.add(sg("st"), sg("cpu"))),
            m.if(ld32(sg("act")), m.i64.store(PS_MISSES, 8, sg("st"), m.i64.add(ld64(sg("st"), PS_MISSES), c64(1n))), m.block(null, body, w.none)),
          ], w.none);
        };
        const sb: number[] = [];
        sb.push(ss("md", ld32(m.i32.shl(h(), c32(2)), spec.buckets)));
        sb.push(m.block("found", [m.loop("walk", m.block(null, [m.br("found", m.i64.eq(ld64(sg("md"), 8), m.local.get(0, i64))), ss("md", ld32(sg("md"))), m.br("walk")], w.none))], w.none));
        sb.push(ss("oi", ld32(sg("md"), 16)));
        // copy the entries: nothing below reads the list or the node again
        sb.push(ss("st", ld32(sg("md"), 20)));
        for (let k = 0; k < total; k++) {
          // the first MD_INLINE entries' index and state are in the node itself
          sb.push(m.local.set(eIdx(k), k < MD_INLINE ? ld32(sg("md"), 32 + 8 * k) : ld32(sg("st"), 16 + 24 * k)));
          sb.push(m.local.set(eIdx(k) + 1, k < MD_INLINE ? ld32(sg("md"), 36 + 8 * k) : ld32(sg("st"), 20 + 24 * k)));
          if (fr) sb.push(m.local.set(eIdx(k) + 2, ld64(sg("st"), 24 + 24 * k)));
        }
        if (fr) {
          sb.push(ss("sp", ld32(c32(spec.tspAddr))));
          sb.push(ss("ctx", m.i32.sub(sg("sp"), c32(frame))));
          sb.push(m.if(m.i32.or(m.i32.lt_u(sg("ctx"), c32(spec.tstackLo)), m.i32.gt_u(sg("ctx"), sg("sp"))), sTail()));
          sb.push(m.i32.store(0, 4, c32(spec.tspAddr), sg("ctx")));
          sb.push(ss("ctx", m.i32.add(sg("ctx"), c32(TRAMP_BPF_STACK + 24))));
          sb.push(m.i64.store(0, 8, m.i32.sub(sg("ctx"), c32(16)), m.local.get(0, i64)));
          sb.push(m.i64.store(0, 8, m.i32.sub(sg("ctx"), c32(8)), c64(BigInt(n))));
          for (let i = 0; i < n; i++) sb.push(m.i64.store(i * 8, 8, sg("ctx"), m.local.get(i + 1, i64)));
        }
        const sRestore = (): number => (fr ? m.i32.store(0, 4, c32(spec.tspAddr), sg("sp")) : m.nop());
        sb.push(ss("cpu", m.i32.shl(ld32(c32(CPU_ID_ADDR)), c32(2))));
        let k = 0;
        for (; k < nF; k++) sb.push(run(k));
        if (nM + nX === 0) sb.push(sRestore(), sTail());
        else {
          const inner: number[] = [];
          if (nM > 0 && fr) inner.push(m.i64.store(n * 8, 8, sg("ctx"), c64(0n)));
          for (; k < nF + nM; k++) {
            inner.push(run(k));
            if (fr) inner.push(m.i64.store(n * 8, 8, sg("ctx"), sg("r")));
            inner.push(m.if(m.i64.ne(sg("r"), c64(0n)), m.block(null, [ss("ret", sg("r")), m.br("s_orig_done")], w.none)));
          }
          inner.push(origDispatch(false, () => sg("oi"), (v) => ss("ret", v)));
          if (fr) inner.push(m.i64.store(n * 8, 8, sg("ctx"), sg("ret")));
          sb.push(m.block("s_orig_done", inner, w.none));
          for (; k < total; k++) sb.push(run(k));
          sb.push(sRestore(), m.return(sg("ret")));
        }
        w.addFunction(key, sig, i64, sl, m.block(null, sb, w.none));
        w.exportFunction(key, key);
      }
    }

    return w.emitBinary();
  } finally {
    w.dispose();
  }
}
