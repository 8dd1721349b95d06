import { RuntimeTrap, TrapKind, EbpfError, atBoundary } from "../errors.js";
import { callbackTargets, MAX_TAIL_CALL_CNT, pseudoFuncTarget } from "../exec/callbacks.js";
import { MAX_CALL_FRAMES } from "../isa/limits.js";
import { HELPER } from "../isa/helpers.js";
import { STACK_FRAME_SIZE } from "../isa/layout.js";
import { splitFunctions } from "./cfg.js";
import type { Insn } from "../isa/insn.js";
import { LD_IMM64 } from "../isa/opcode.js";
import { CPU_ID_ADDR, CTX_BASE, CTX_SIZE, framePointer, MAX_CPUS, STACK_BASE, STACK_END } from "../isa/layout.js";
import { GuestMemory, type Region } from "../exec/guest-memory.js";
import { type Helper, type HelperCall, type HelperRegistry } from "../exec/helpers.js";
import { DEFAULT_BUDGET, stackWindow, type InlineArrayLookup, type PseudoResolver, type RunOptions, type RunResult, type TailCallTarget } from "../exec/run.js";
import { loadBinaryen } from "./binaryen-loader.js";
import { generate } from "./codegen.js";
import type { VerifierFacts } from "../exec/facts.js";

// no implicit helper set: a run given none has none (a call traps as an unknown helper)
const NO_HELPERS: HelperRegistry = new Map();
const STACK_BASE_N = BigInt(STACK_BASE);
const STACK_END_N = BigInt(STACK_END);
const TWO_64 = 1n << 64n;

export interface CompileOptions {
  /** helpers the program may call; none when omitted */
  readonly helpers?: HelperRegistry;
  /** what the verifier proved; null (default) keeps every guard (unverified program) */
  readonly verified?: VerifierFacts | null;
  /** keep the generated wasm text (for snapshot tests) */
  readonly keepText?: boolean;
  /**
   * Run binaryen's optimiser (-O2) on the module. Off by default: under TurboFan it gave no
   * steady-state gain on the bench programs and costs compile time (docs/architecture.md).
   */
  readonly optimize?: boolean;
  /**
   * Resolves map references (pseudo ld_imm64) at compile time: the program is then bound to
   * those maps, as a loaded kernel program is. Without it they trap when reached.
   */
  readonly pseudo?: PseudoResolver;
  /**
   * Array maps whose bpf_map_lookup_elem (helper 1, when the registry's helper 1 is that
   * helper) verified code may do inline: the map address r1 holds at the call, from a
   * resolved ld_imm64 in the same basic block.
   */
  readonly inlineArrayLookup?: (mapAddr: bigint) => InlineArrayLookup | null;
}

/** Thrown by uBPF's unwind helper returning 0: the program stops with r0 = 0. */
class Unwind extends Error {}

/** A program compiled to one WebAssembly module. */
export class JitProgram {
  readonly compileTimeMs: number;
  readonly wasm: Uint8Array;
  readonly text: string | null;
  readonly modes: ReadonlyArray<"structured" | "dispatch">;
  private readonly module: WebAssembly.Module;
  private readonly helpers: HelperRegistry;
  private readonly helperIds: readonly number[];
  private readonly instances = new WeakMap<GuestMemory, Bound>();
  private readonly insns: readonly Insn[];
  /** unverified code: instructions are metered against the run's budget */
  private readonly metered: boolean;
  /** wasm function index by first slot, for callbacks (ld_imm64 src 4 targets only) */
  private readonly callbackFns: ReadonlyMap<number, number>;

  constructor(insns: readonly Insn[], metered: boolean, module: WebAssembly.Module, wasm: Uint8Array, text: string | null, helperIds: number[], helpers: HelperRegistry, modes: Array<"structured" | "dispatch">, compileTimeMs: number) {
    this.insns = insns;
    this.metered = metered;
    this.module = module;
    this.wasm = wasm;
    this.text = text;
    this.helperIds = helperIds;
    this.helpers = helpers;
    this.modes = modes;
    this.compileTimeMs = compileTimeMs;
    const cbs = callbackTargets(insns);
    this.callbackFns = new Map(splitFunctions(insns).flatMap((f, k) => (cbs.has(f.start) ? [[f.start, k] as [number, number]] : [])));
  }

  /** Wasm functions: the entry and one per bpf-to-bpf subprogram. */
  get functionCount(): number {
    return this.modes.length;
  }

  /**
   * The shared-table slot of the program's entry in `mem` (instantiating it there if needed).
   * Its signature is (r1..r5, r10, r0, r6..r9) -> r0, with the globals set by `prepare`.
   */
  tableIndex(mem: GuestMemory): number {
    return this.bind(mem).tableBase;
  }

  /** Drop the program's instance in `mem` and give its table slots back (it must no longer be reachable there). */
  unbind(mem: GuestMemory): void {
    const b = this.instances.get(mem);
    if (b === undefined) return;
    this.instances.delete(mem);
    mem.freeTableSlots(b.tableBase, this.functionCount);
  }

  /** Run once, with the same register and memory setup as the interpreter. */
  run(opts: RunOptions = {}): RunResult {
    return this.prepare(opts)();
  }

  /**
   * Set up memory, registers and regions once and return a function that runs the program
   * with no per-call allocation (the benchmark path). With input, later calls see what
   * earlier ones left in it, as BPF_PROG_TEST_RUN's repeat does.
   */
  prepare(opts: RunOptions = {}): () => RunResult {
    const mem = opts.mem ?? new GuestMemory();
    const cpu = opts.cpu ?? 0;
    if (cpu < 0 || cpu >= MAX_CPUS) throw new EbpfError("EINVAL", `cpu ${cpu} outside 0..${MAX_CPUS - 1}`);
    const args = [0n, 0n, 0n, 0n, 0n];
    const input = opts.input;
    const others = mem.getRegions().filter((r) => r.name !== "input" && r.name !== "stack");
    let ctxEnd = CTX_BASE;
    if (input !== undefined && input.length > 0) {
      if (input.length > CTX_SIZE) throw new EbpfError("EINVAL", `input of ${input.length} bytes exceeds the ${CTX_SIZE}-byte context area`);
      if (opts.preserveInput !== true) mem.write(CTX_BASE, input);
      args[0] = BigInt(CTX_BASE);
      args[1] = BigInt(input.length);
      ctxEnd = CTX_BASE + input.length;
    }
    opts.args?.forEach((v, i) => {
      if (i < 5) args[i] = BigInt.asUintN(64, v);
    });
    const fp0 = framePointer(cpu, 0);
    const regions: Region[] = [{ ...stackWindow(fp0, 7), writable: true, name: "stack" }, ...others];
    if (ctxEnd > CTX_BASE) regions.push({ start: CTX_BASE, end: ctxEnd, writable: true, name: "input" });
    const budget = Math.min(opts.budget ?? DEFAULT_BUDGET, 0x7fffffff);
    const bound = this.bind(mem);
    const { g, run } = bound;
    // globals and regions are set when this set-up was not the last one used on the
    // instance; a repeated run only refills the fuel
    const token = {};
    const setUp = (): void => {
      mem.setRegions(regions);
      mem.view.setUint32(CPU_ID_ADDR, cpu, true); // per-CPU map slots and helpers read it
      g.fp0.value = BigInt(fp0);
      g.ctxLo.value = BigInt(CTX_BASE);
      g.ctxEnd.value = BigInt(ctxEnd);
      args.forEach((v, i) => (g.args[i]!.value = v));
      bound.owner = token;
    };
    const failed = (e: unknown): RunResult => {
      g.depth.value = 0;
      g.tail.value = 0;
      bound.pending = null;
      if (e instanceof Unwind) return { r0: 0n };
      throw e;
    };
    // verified code has no fuel to refill
    if (!this.metered) {
      return () => {
        if (bound.owner !== token || mem.getRegions() !== regions) setUp();
        bound.tailCalls = 0;
        try {
          const r0 = run();
          return { r0: r0 < 0n ? r0 + TWO_64 : r0 };
        } catch (e) {
          return failed(e);
        }
      };
    }
    return () => {
      if (bound.owner !== token || mem.getRegions() !== regions) setUp();
      bound.tailCalls = 0;
      g.fuel.value = budget;
      bound.budget = budget;
      try {
        const r0 = run();
        return { r0: r0 < 0n ? r0 + TWO_64 : r0 };
      } catch (e) {
        return failed(e);
      }
    };
  }

  /**
   * Continue a run in this program after a tail call from `from` (a JIT program's instance in
   * the same memory): the caller's frame, bounds, call depth, fuel and tail-call count carry
   * over; this instance's own globals are restored afterwards.
   */
  private enterTail(mem: GuestMemory, from: Bound, callerMetered: boolean, regs: readonly bigint[]): bigint {
    const b = this.bind(mem);
    const t = b.g;
    const f = from.g;
    const saved = [t.fp0.value, t.ctxLo.value, t.ctxEnd.value, t.fuel.value, t.depth.value] as const;
    const savedState = [b.tailCalls, b.budget] as const;
    t.fp0.value = f.fp0.value;
    t.ctxLo.value = f.ctxLo.value;
    t.ctxEnd.value = f.ctxEnd.value;
    t.depth.value = f.depth.value;
    // a verified caller has no budget: the target gets a full one
    t.fuel.value = callerMetered ? f.fuel.value : Math.min(DEFAULT_BUDGET, 0x7fffffff);
    b.tailCalls = from.tailCalls;
    b.budget = from.budget;
    const entry = mem.table.get(b.tableBase) as (...a: bigint[]) => bigint;
    try {
      const r0 = entry(...regs);
      if (callerMetered && this.metered) f.fuel.value = t.fuel.value;
      return r0;
    } finally {
      [t.fp0.value, t.ctxLo.value, t.ctxEnd.value, t.fuel.value, t.depth.value] = saved;
      [b.tailCalls, b.budget] = savedState;
    }
  }

  private bind(mem: GuestMemory): Bound {
    const cached = this.instances.get(mem);
    if (cached !== undefined) return cached;
    const g = {
      fp0: new WebAssembly.Global({ value: "i64", mutable: true }, 0n),
      ctxLo: new WebAssembly.Global({ value: "i64", mutable: true }, 0n),
      ctxEnd: new WebAssembly.Global({ value: "i64", mutable: true }, 0n),
      fuel: new WebAssembly.Global({ value: "i32", mutable: true }, 0),
      depth: new WebAssembly.Global({ value: "i32", mutable: true }, 0),
      hpc: new WebAssembly.Global({ value: "i32", mutable: true }, 0),
      hfp: new WebAssembly.Global({ value: "i64", mutable: true }, 0n),
      tail: new WebAssembly.Global({ value: "i32", mutable: true }, 0),
      args: [0, 1, 2, 3, 4].map(() => new WebAssembly.Global({ value: "i64", mutable: true }, 0n)),
    };
    // helpers that run BPF code: callbacks in the next frame down from the caller's r10
    // (captured at the call: a nested helper call changes the global), tail calls through
    // the "tail" global and the "tailcall" import below
    const hooks = (helper: Helper, pc: number): Pick<HelperCall, "callback" | "tailCall"> => {
      if (helper.reenters === undefined) return {};
      const fp = g.hfp.value as bigint;
      return {
        callback: (fn, args) => {
          const target = pseudoFuncTarget(fn);
          const k = target === null ? undefined : this.callbackFns.get(target);
          if (k === undefined) throw new RuntimeTrap(TrapKind.BadCallTarget, pc, `callback 0x${BigInt.asUintN(64, fn).toString(16)} is not a subprogram of the running program`);
          const depth = (g.depth.value as number) + 1;
          if (depth >= MAX_CALL_FRAMES) throw new RuntimeTrap(TrapKind.CallDepth, pc, `the call stack of ${MAX_CALL_FRAMES} frames is too deep`);
          const f = mem.table.get(bound.tableBase + k) as (...a: bigint[]) => bigint;
          const a = [0, 1, 2, 3, 4].map((i) => BigInt.asIntN(64, args[i] ?? 0n));
          g.depth.value = depth;
          try {
            return BigInt.asUintN(64, f(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, fp - BigInt(STACK_FRAME_SIZE), 0n, 0n, 0n, 0n, 0n));
          } finally {
            g.depth.value = depth - 1;
          }
        },
        tailCall: (target) => {
          // (a tail call in a callback replaces the callback; Linux's verifier refuses those programs)
          if (bound.tailCalls >= MAX_TAIL_CALL_CNT) return false;
          // as x86-64's JIT: an empty slot does not count against the limit
          if (target === null) return false;
          bound.tailCalls++;
          bound.pending = target;
          g.tail.value = 1;
          return true;
        },
      };
    };
    const callHelper = (helper: Helper, pc: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint => {
      const r0 = BigInt.asUintN(64, helper.fn({ r1: BigInt.asUintN(64, r1), r2: BigInt.asUintN(64, r2), r3: BigInt.asUintN(64, r3), r4: BigInt.asUintN(64, r4), r5: BigInt.asUintN(64, r5), mem, pc, ...hooks(helper, pc) }));
      if (helper.stopsWhenZero === true && r0 === 0n) throw new Unwind();
      return r0;
    };
    const helperImports: Record<string, WebAssembly.ImportValue> = {};
    for (const id of this.helperIds) {
      const h = this.helpers.get(id)!; // codegen imports only registered helpers
      // unverified code calls helpers through `fn`, which checks their pointer arguments
      // like every other access; the native form trusts them, as the kernel trusts verified code
      helperImports[`h${id}`] =
        h.native !== undefined && h.stopsWhenZero !== true && !this.metered
          ? (h.native as WebAssembly.ImportValue)
          : (r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => callHelper(h, g.hpc.value as number, r1, r2, r3, r4, r5);
    }
    const env = {
      memory: mem.memory,
      fp0: g.fp0,
      ctxLo: g.ctxLo,
      ctxEnd: g.ctxEnd,
      fuel: g.fuel,
      depth: g.depth,
      hpc: g.hpc,
      hfp: g.hfp,
      tail: g.tail,
      // the tail call a helper scheduled: run the target in this frame; its r0 is ours
      tailcall: (...regs: bigint[]): bigint => {
        g.tail.value = 0;
        const t = bound.pending;
        bound.pending = null;
        const pc = g.hpc.value as number;
        if (t === null) throw new RuntimeTrap(TrapKind.HelperFault, pc, "tail call without a target");
        if (!(t.compiled instanceof JitProgram)) throw new RuntimeTrap(TrapKind.Unsupported, pc, `tail call target '${t.name}' has no compiled code (compile it with compileProgram for JIT callers)`);
        return t.compiled.enterTail(mem, bound, this.metered, regs);
      },
      a1: g.args[0]!,
      a2: g.args[1]!,
      a3: g.args[2]!,
      a4: g.args[3]!,
      a5: g.args[4]!,
      trap: (kind: number, pc: number): never => {
        throw new RuntimeTrap(kind as TrapKind, pc, TRAP_TEXT[kind as TrapKind] ?? `trap ${kind}`);
      },
      // the fuel ran out `fuel` instructions into the metered segment starting at `start`
      budget: (start: number, fuel: number): never => {
        let pc = start;
        for (let i = 0; i < fuel; i++) pc += this.insns[pc]!.code === LD_IMM64 ? 2 : 1;
        throw new RuntimeTrap(TrapKind.Budget, pc, `instruction budget of ${bound.budget} exhausted`);
      },
      // the inline check already accepted the active stack frames and the input: any other
      // stack address is outside the window, as the interpreter judges it
      check: (addr: bigint, size: number, write: number, pc: number): number =>
        addr >= STACK_BASE_N && addr < STACK_END_N ? mem.checkOutside(addr, size, write !== 0, pc) : mem.check(addr, size, write !== 0, pc),
      // where a probe load reads (0: it faults); of the stack area only the active frames are
      // readable (the regions hold all eight), as for the interpreter
      probe: (lo: number, hi: number, size: number): number => {
        const at = lo >>> 0;
        if (hi === 0 && at >= STACK_BASE && at < STACK_END) {
          const fp0 = Number(g.fp0.value as bigint);
          if (at < fp0 - ((g.depth.value as number) + 1) * STACK_FRAME_SIZE || at + size > fp0) return 0;
        }
        return mem.probeAddress(lo, hi, size);
      },
      callx: (id: bigint, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint, pc: number): bigint => {
        const h = this.helpers.get(Number(BigInt.asIntN(32, id)));
        if (h === undefined) throw new RuntimeTrap(TrapKind.BadCallTarget, pc, `no helper with id ${BigInt.asIntN(32, id)}`);
        return callHelper(h, pc, r1, r2, r3, r4, r5);
      },
    };
    const instance = new WebAssembly.Instance(this.module, { env, helpers: helperImports });
    const tableBase = mem.allocTableSlots(this.functionCount);
    for (let k = 0; k < this.functionCount; k++) mem.table.set(tableBase + k, instance.exports[`f${k}`]);
    const run = instance.exports["run"] as () => bigint;
    const bound: Bound = { g, run, tableBase, owner: null, budget: 0, tailCalls: 0, pending: null };
    this.instances.set(mem, bound);
    return bound;
  }
}

interface Bound {
  readonly g: {
    fp0: WebAssembly.Global;
    ctxLo: WebAssembly.Global;
    ctxEnd: WebAssembly.Global;
    fuel: WebAssembly.Global;
    depth: WebAssembly.Global;
    hpc: WebAssembly.Global;
    hfp: WebAssembly.Global;
    tail: WebAssembly.Global;
    args: WebAssembly.Global[];
  };
  readonly run: () => bigint;
  readonly tableBase: number;
  /** the set-up whose globals are in place */
  owner: object | null;
  /** the instruction budget of the run in progress (for the trap message) */
  budget: number;
  /** tail calls made so far in the run in progress */
  tailCalls: number;
  /** the target of the tail call a helper scheduled */
  pending: TailCallTarget | null;
}

const TRAP_TEXT: Partial<Record<TrapKind, string>> = {
  [TrapKind.CallDepth]: "the call stack of 8 frames is too deep",
  [TrapKind.UnknownHelper]: "call of a helper id that no registry entry implements",
  [TrapKind.Budget]: "instruction budget exhausted",
  [TrapKind.BadJump]: "execution left the program",
  [TrapKind.Unsupported]: "instruction not supported in this context (kfunc, legacy packet access or an unresolved pseudo ld_imm64)",
};

/** Compile a program (and its bpf-to-bpf subprograms) to one WebAssembly module. */
export function compileProgram(insns: readonly Insn[], opts: CompileOptions = {}): Promise<JitProgram> {
  return atBoundary("compileProgram", () => compile(insns, opts));
}

async function compile(insns: readonly Insn[], opts: CompileOptions): Promise<JitProgram> {
  const b = await loadBinaryen();
  const helpers = opts.helpers ?? NO_HELPERS;
  const t0 = performance.now();
  const reentrant = new Map([...helpers.values()].flatMap((h) => (h.reenters !== undefined ? [[h.id, h.reenters] as const] : [])));
  const { module, helperIds, modes } = generate(b, insns, opts.verified ?? null, new Set(helpers.keys()), opts.pseudo ?? null,
    helpers.get(HELPER.map_lookup_elem)?.name === "bpf_map_lookup_elem" ? opts.inlineArrayLookup ?? null : null, reentrant, helpers.get(HELPER.loop)?.name === "bpf_loop",
    // the machine's helper 8 returns the CPU id the engines write at CPU_ID_ADDR
    helpers.get(HELPER.get_smp_processor_id)?.name === "bpf_get_smp_processor_id" && helpers.get(HELPER.get_smp_processor_id)?.native !== undefined);
  try {
    if (opts.optimize === true) {
      module.optimize(2);
    }
    const text = opts.keepText === true ? module.emitText() : null;
    const wasm = module.emitBinary();
    // compile time includes V8's compilation of the module, not only code generation
    const compiled = new WebAssembly.Module(wasm);
    return new JitProgram(insns, (opts.verified ?? null) === null, compiled, wasm, text, helperIds, helpers, modes, performance.now() - t0);
  } finally {
    module.dispose();
  }
}
