// Programs loaded into the simulated kernel: verified, JIT-compiled with the kernel's helpers
// (tracing helpers included) and given a per-program state block (per-CPU recursion guard,
// recursion_misses, run_cnt, run_time_ns) that trampolines update.
//
// Verification of tracing programs: fentry/fexit/fmod_ret and tp_btf programs are
// BPF_PROG_TYPE_TRACING, typed by the kernel's BTF (the target's prototype, BTF pointers to its
// structs), as Linux verifies them.
import { EbpfError } from "../errors.js";
import type { Insn } from "../isa/insn.js";
import { CALL } from "../isa/opcode.js";
import { HELPER } from "../isa/helpers.js";
import type { RunResult } from "../exec/run.js";
import type { Helper } from "../exec/helpers.js";
import type { KfuncRegistry } from "../exec/kfuncs.js";
import type { JitProgram } from "../jit/index.js";
import { verify, PROG_TYPES, VerifierError, type ProgType, type VerifyResult } from "../verifier/index.js";
import type { Machine } from "../runtime/machine.js";
import type { ObjectSpec } from "../loader/object.js";
import type { Btf } from "../loader/btf.js";
import type { BpfObject } from "../object/bpf-object.js";
import { firstFuncMatching, loadObjectProgram, objectVerifyOptions } from "../object/program-load.js";
import { parseProbeSection, parseTracingSection, type ProbeKind, type ProbeSection, type TracingKind } from "../loader/sections.js";
import { PROG_STATE_SIZE, PS_MISSES, PS_RUN_CNT, PS_RUN_TIME } from "./trampoline.js";
import { ctxNeeds, type CtxNeeds } from "./ctx-needs.js";
import { archRegs, type ArchRegs } from "./arch.js";

export { parseProbeSection, parseTracingSection, type ProbeKind, type ProbeSection, type TracingKind };

/** bpf_override_return */
export const OVERRIDE_RETURN = HELPER.override_return;

const LDX_MEM = 0x61 & 0xe7; // class LDX, mode MEM (size bits masked)
const SIZE_BYTES: Record<number, number> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };

/** A direct load from ctx found by a linear scan (registers copied from r1 until overwritten). */
export interface CtxLoad {
  readonly pc: number;
  readonly reg: number;
  readonly off: number;
  readonly size: number;
}

/**
 * Direct ctx loads: r1 at entry and its copies, tracked on the straight-line order of the code
 * (a register written by anything else stops holding ctx; helper calls clobber r1-r5). Loads
 * through ctx spilled to the stack or passed to subprograms are not seen.
 */
export function ctxLoads(insns: readonly Insn[]): CtxLoad[] {
  const ctxRegs = new Set<number>([1]);
  const out: CtxLoad[] = [];
  for (let pc = 0; pc < insns.length; pc++) {
    const i = insns[pc]!;
    const cls = i.code & 0x07;
    if ((i.code & 0xe7) === LDX_MEM && ctxRegs.has(i.src)) out.push({ pc, reg: i.src, off: i.off, size: SIZE_BYTES[i.code & 0x18]! });
    if (i.code === CALL) {
      for (let r = 0; r <= 5; r++) ctxRegs.delete(r);
      continue;
    }
    if (i.code === 0x18) {
      ctxRegs.delete(i.dst);
      pc++;
      continue;
    }
    const writes = cls === 0x07 || cls === 0x04 || cls === 0x01;
    if (!writes) continue;
    if (i.code === 0xbf && i.off === 0 && ctxRegs.has(i.src)) ctxRegs.add(i.dst);
    else ctxRegs.delete(i.dst);
  }
  return out;
}

/** The end of the furthest direct ctx read (the kernel's prog->aux->max_ctx_offset). */
export function maxCtxOffset(insns: readonly Insn[]): number {
  return ctxLoads(insns).reduce((a, l) => Math.max(a, l.off + l.size), 0);
}

/**
 * kprobe.multi / kretprobe.multi: the context is converted from an fprobe's sparse ftrace_regs,
 * which holds only the argument registers, the return value, sp, ip and the frame pointer. A
 * direct read of any other register would see nothing the probe saved, so such programs are
 * refused here at load (the check proposed upstream for the verifier; wabpf does it in the
 * kprobe loading path). Returns the error message, or null.
 */
export function sparseRegsViolation(insns: readonly Insn[], regs: ArchRegs, section: string): string | null {
  for (const l of ctxLoads(insns)) {
    const first = Math.floor(l.off / 8);
    const last = Math.floor((l.off + l.size - 1) / 8);
    for (let s = first; s <= last; s++) {
      if (s < 0 || s * 8 >= regs.size || regs.sparse.has(s)) continue;
      const ok = [...regs.sparse].sort((a, b) => a - b).map((x) => regs.names[x]).join(", ");
      return `R${l.reg} invalid bpf_context access off=${l.off} size=${l.size} (insn ${l.pc}): ${section} programs run on an fprobe's sparse register set; pt_regs field '${regs.names[s]}' is not populated (${regs.arch}: only ${ok})`;
    }
  }
  return null;
}

/** What a tracing program is verified against: the kernel's BTF, its attach type and target. */
export interface TracingVerifyTarget {
  readonly btf: Btf;
  /** "trace_fentry", "trace_fexit", "modify_return", "trace_raw_tp" (tp_btf) */
  readonly attachType: string;
  /** the function or tracepoint (a multi program: the first function its glob matches) */
  readonly target: string;
}

/** Verify a program for the kernel: tracing programs as BPF_PROG_TYPE_TRACING typed by the kernel's BTF, others as themselves. */
export function verifyForKernel(insns: readonly Insn[], progType: string, obj: { readonly spec: ObjectSpec } | null, tracing: TracingVerifyTarget | null, logLevel: 0 | 1 | 2 = 0, regs: ArchRegs = archRegs("x86"), btf?: Btf): VerifyResult {
  const type = tracing !== null ? "tracing" : progType;
  if (!(PROG_TYPES as readonly string[]).includes(type)) {
    throw new EbpfError("EOPNOTSUPP", `program type ${progType} is not supported by wabpf's verifier yet`);
  }
  let adapted = insns;
  if (type === "kprobe") {
    // bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE) is not in the verifier's kprobe table:
    // shown as a no-argument helper; SimKernel.attach allows it only on error-injectable functions
    adapted = adapted.map((i) => (i.code === CALL && i.src === 0 && i.imm === OVERRIDE_RETURN ? { ...i, imm: HELPER.get_prandom_u32 } : i));
    // the verifier models x86-64's 168-byte pt_regs; arm64's user_pt_regs is 272 bytes: reads
    // past 168 are checked here (bounds, alignment) and shown to the verifier inside slot 0
    if (regs.size !== 168) {
      const loads = ctxLoads(adapted);
      const moved = new Map<number, number>();
      for (const l of loads) {
        if (l.off < 0 || l.off + l.size > regs.size || l.off % l.size !== 0) {
          throw new EbpfError("EACCES", `invalid bpf_context access off=${l.off} size=${l.size} (insn ${l.pc}; arm64 user_pt_regs is ${regs.size} bytes)`);
        }
        if (l.off + l.size > 168) moved.set(l.pc, l.off % 8);
      }
      adapted = adapted.map((i, pc) => (moved.has(pc) ? { ...i, off: moved.get(pc)! } : i));
    }
  }
  return verify(adapted, {
    progType: type as ProgType,
    logLevel,
    ...(obj === null ? { maps: [], license: "GPL", funcInfo: false } : objectVerifyOptions(obj.spec)),
    ...(tracing !== null ? { expectedAttachType: tracing.attachType, attachBtf: tracing.btf, attachTarget: tracing.target } : btf !== undefined ? { attachBtf: btf } : {}),
  });
}

/**
 * What a loaded program needs of its kernel: the machine it lives in (its state block, the
 * table holding its code) and the CPU runs default to.
 */
export interface ProgramHost {
  readonly machine: Pick<Machine, "mem" | "rt" | "holdProgram" | "releaseProgram" | "onProgramFree">;
  readonly cpu: number;
}

/** What loading a program needs of a kernel: its register file and its helpers. */
export interface LoadHost extends ProgramHost {
  readonly regs: ArchRegs;
  readonly helpers: readonly Helper[];
  readonly kfuncs: KfuncRegistry;
  /** the kernel's BTF: tracing programs are typed by it */
  readonly btf: Btf;
}

export interface KernelProgramInit {
  readonly name: string;
  readonly section: string;
  readonly progType: string;
  readonly insns: readonly Insn[];
  readonly verdict: VerifyResult;
  readonly jit: JitProgram;
  /** its id in the machine (Machine.registerProgram): links hold it through this */
  readonly progId: number;
}

/** A program loaded into a SimKernel. Tracing programs attach with SimKernel.attach/attachMulti. */
export class KernelProgram {
  readonly name: string;
  readonly section: string;
  readonly progType: string;
  readonly insns: readonly Insn[];
  readonly verdict: VerifyResult;
  readonly jit: JitProgram;
  /** fentry / fexit / fmod_ret, or null for other program types */
  readonly kind: TracingKind | null;
  readonly multi: boolean;
  /** the target named by the section (a function name or a glob for multi programs) */
  readonly sectionTarget: string | null;
  /** guest address of the state block (recursion guard and stats) */
  readonly state: number;
  /** the program's entry in the shared table, as a wasm function */
  // `Function`: a wasm function object has no narrower static type
  readonly fn: Function;
  readonly tableIndex: number;
  /** what of the trampoline frame the program can observe */
  readonly needs: CtxNeeds;
  /** kprobe / kretprobe / raw_tp / tp_btf / tp section, or null */
  readonly probe: ProbeSection | null;
  /** it calls bpf_override_return */
  readonly overrides: boolean;
  /** the end of its furthest direct ctx read (checked against a tracepoint's size at attach) */
  readonly maxCtxOffset: number;
  readonly progId: number;
  private closedFlag = false;

  constructor(
    private readonly kernel: ProgramHost,
    init: KernelProgramInit,
  ) {
    this.name = init.name;
    this.section = init.section;
    this.progType = init.progType;
    this.insns = init.insns;
    this.verdict = init.verdict;
    this.jit = init.jit;
    const t = parseTracingSection(init.section);
    this.kind = t?.kind ?? null;
    // fentry/fexit/fmod_ret.multi and kprobe/kretprobe.multi: attach with attachMulti
    this.multi = (t?.multi ?? false) || (parseProbeSection(init.section)?.multi ?? false);
    this.sectionTarget = t?.target ?? null;
    const mem = kernel.machine.mem;
    this.progId = init.progId;
    const rt = kernel.machine.rt;
    const state = rt.alloc(PROG_STATE_SIZE);
    this.state = state;
    kernel.machine.onProgramFree(init.progId, () => rt.free(state));
    this.tableIndex = init.jit.tableIndex(mem);
    this.fn = mem.table.get(this.tableIndex) as Function;
    this.needs = ctxNeeds(init.insns);
    this.probe = parseProbeSection(init.section);
    this.overrides = init.insns.some((i) => i.code === CALL && i.src === 0 && i.imm === OVERRIDE_RETURN);
    this.maxCtxOffset = maxCtxOffset(init.insns);
  }

  /** Nested runs skipped by the per-CPU recursion guard (bpf_prog_info.recursion_misses). */
  get recursionMisses(): bigint {
    return this.kernel.machine.mem.view.getBigUint64(this.state + PS_MISSES, true);
  }
  /** Runs counted while stats were enabled (bpf_prog_info.run_cnt). */
  get runCnt(): bigint {
    return this.kernel.machine.mem.view.getBigUint64(this.state + PS_RUN_CNT, true);
  }
  /** Time spent in the program while stats were enabled (bpf_prog_info.run_time_ns). */
  get runTimeNs(): bigint {
    return this.kernel.machine.mem.view.getBigUint64(this.state + PS_RUN_TIME, true);
  }

  // ---------------------------------------------------------------- lifetime
  /**
   * close(prog_fd): the handle is gone (run, prepare and attach are EBADF after it). Links keep
   * the program until they are detached; with its last reference its maps, state block and
   * table slots are freed (bpf_prog_put).
   */
  close(): void {
    this.live("close");
    this.closedFlag = true;
    this.kernel.machine.releaseProgram(this.progId);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** EBADF once the handle is closed. */
  live(op: string): void {
    if (this.closedFlag) throw new EbpfError("EBADF", `${op}: program '${this.name}' is closed`);
  }

  /** @internal a link takes a reference */
  hold(): void {
    this.kernel.machine.holdProgram(this.progId);
  }

  /** @internal a link lets go of its reference */
  release(): void {
    this.kernel.machine.releaseProgram(this.progId);
  }

  /** Set up a run (BPF_PROG_TEST_RUN-like; non-tracing programs such as raw_tp drivers). */
  prepare(opts: { ctx?: Uint8Array; cpu?: number } = {}): () => RunResult {
    this.live("run");
    return this.jit.prepare({ mem: this.kernel.machine.mem, cpu: opts.cpu ?? this.kernel.cpu, ...(opts.ctx !== undefined ? { input: opts.ctx } : {}) });
  }
  run(opts: { ctx?: Uint8Array; cpu?: number } = {}): RunResult {
    return this.prepare(opts)();
  }
}

/**
 * Load one program of an object into the kernel through the object layer's pipeline (CO-RE,
 * source lines, registration); what differs is the verification context (see above), the
 * attach-type checks before it, and the kernel's helpers.
 */
export async function loadKernelProgram(kernel: LoadHost, obj: BpfObject, name: string, logLevel: 0 | 1 | 2 = 0): Promise<KernelProgram> {
  const p = obj.program(name);
  const t = parseTracingSection(p.section);
  const probe = parseProbeSection(p.section);
  // tp_btf programs are BPF_PROG_TYPE_TRACING with the raw tracepoint's arguments; iter/<target>
  // ones with the iterator's (bpf_iter_<target> in the BTF; SimKernel.openTaskIter runs them)
  const iter = /^iter(\.s)?\//.test(p.section) ? p.section.slice(p.section.indexOf("/") + 1) : null;
  const tracing = t !== null || probe?.kind === "tp_btf" || iter !== null;
  const attachType = iter !== null ? "trace_iter" : t === null ? "trace_raw_tp" : t.kind === "fentry" ? "trace_fentry" : t.kind === "fexit" ? "trace_fexit" : "modify_return";
  const target = !tracing ? null : { btf: kernel.btf, attachType, target: iter ?? (t === null ? probe!.target : t.multi ? (firstFuncMatching(kernel.btf, t.target) ?? t.target) : t.target) };
  const check = (insns: readonly Insn[]): void => {
    if (probe !== null && probe.multi) {
      const why = sparseRegsViolation(insns, kernel.regs, p.section.slice(0, p.section.indexOf("/")));
      if (why !== null) throw new EbpfError("EACCES", `program '${name}': ${why}`);
    }
  };
  const loaded = await loadObjectProgram(obj, p, {
    logLevel,
    check,
    verifier: (insns, level) => verifyForKernel(insns, p.progType, obj, target, level, kernel.regs, kernel.btf),
    // an fentry program has no return value: Linux patches bpf_get_func_ret to return -EOPNOTSUPP
    ...(t?.kind === "fentry" ? { fixup: (insns: readonly Insn[]) => insns.map((i) => (i.code === CALL && i.src === 0 && i.imm === HELPER.get_func_ret ? { code: 0xb7, dst: 0, src: 0, off: 0, imm: -95 } : i)) } : {}),
    helpers: kernel.helpers,
    kfuncs: kernel.kfuncs,
    inlineArrayLookup: true,
  });
  if (!loaded.verdict.accepted || loaded.jit === null || loaded.progId === null) throw new VerifierError(loaded.verdict, { program: name });
  return new KernelProgram(kernel, { name, section: p.section, progType: tracing ? "tracing" : p.progType, insns: loaded.insns, verdict: loaded.verdict, jit: loaded.jit, progId: loaded.progId });
}
