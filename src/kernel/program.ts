// Programs loaded into the simulated kernel: verified, JIT-compiled with the kernel's helpers
// (tracing helpers included) and given a per-program state block (per-CPU recursion guard,
// recursion_misses, run_cnt, run_time_ns) that trampolines update.
//
// Verification of tracing programs: wabpf's verifier does not model BPF_PROG_TYPE_TRACING yet.
// Until it does, fentry/fexit/fmod_ret programs are verified as raw_tracepoint programs (the
// same u64-argument-array ctx, reads of up to 12 slots), with the tracing-only helpers
// (bpf_get_func_ip/_arg/_ret/_arg_cnt, bpf_get_attach_cookie) presented to the verifier as
// bpf_get_prandom_u32 (no arguments, an unknown scalar result). What this does not check: the
// PTR_TO_BTF_ID typing of arguments, the [0, 0] return range of fentry/fexit, and that the
// stack slot bpf_get_func_arg/_ret write is initialised (privileged programs may read
// uninitialised stack anyway). The JIT still gets the verifier's facts for every instruction.
import { EbpfError } from "../errors.js";
import type { Insn } from "../isa/insn.js";
import type { RunResult } from "../exec/run.js";
import { compileProgram, type JitProgram } from "../jit/index.js";
import { verify, PROG_TYPES, VerifierError, type MapDef, type ProgType, type VerifyResult } from "../verifier/index.js";
import { mapTypeName } from "../runtime/map-types.js";
import type { BpfObject } from "../api/object.js";
import type { SimKernel } from "./kernel.js";
import { PROG_STATE_SIZE, PS_MISSES, PS_RUN_CNT, PS_RUN_TIME } from "./trampoline.js";
import { ctxNeeds, type CtxNeeds } from "./multi.js";

export type TracingKind = "fentry" | "fexit" | "fmod_ret";

/** Helpers only tracing programs may call: their numbers in enum bpf_func_id. */
export const TRACING_HELPER_IDS = { get_func_ip: 173, get_attach_cookie: 174, get_func_arg: 183, get_func_ret: 184, get_func_arg_cnt: 185 } as const;
const TRACING_ONLY = new Set<number>(Object.values(TRACING_HELPER_IDS));
const CALL = 0x85;
const STAND_IN_HELPER = 7; // bpf_get_prandom_u32

/** What a section name says about a program: its tracing kind, multi or not, and its target. */
export function parseTracingSection(section: string): { kind: TracingKind; multi: boolean; target: string } | null {
  const m = /^(fentry|fexit|fmod_ret)(\.multi)?(\.s)?\/(.*)$/.exec(section);
  if (m === null) return null;
  return { kind: m[1] as TracingKind, multi: m[2] !== undefined, target: m[4]! };
}

/** Verify as raw_tracepoint (see the top of this file); other program types as themselves. */
export function verifyForKernel(insns: readonly Insn[], progType: string, obj: BpfObject | null, tracing: boolean, logLevel: 0 | 1 | 2 = 0): VerifyResult {
  const type = tracing ? "raw_tracepoint" : progType;
  if (!(PROG_TYPES as readonly string[]).includes(type)) {
    throw new EbpfError("EOPNOTSUPP", `program type ${progType} is not supported by wabpf's verifier yet`);
  }
  const adapted = tracing ? insns.map((i) => (i.code === CALL && i.src === 0 && TRACING_ONLY.has(i.imm) ? { ...i, imm: STAND_IN_HELPER } : i)) : insns;
  const maps: MapDef[] = obj === null ? [] : obj.spec.maps.map((m) => ({ type: mapTypeName(m.type), keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, name: m.name }));
  return verify(adapted, {
    progType: type as ProgType,
    maps,
    logLevel,
    license: obj?.spec.license ?? "GPL",
    funcInfo: obj !== null && obj.spec.btfExt !== null && obj.spec.btfExt.funcInfo.sections.length > 0,
  });
}

export interface KernelProgramInit {
  readonly name: string;
  readonly section: string;
  readonly progType: string;
  readonly insns: readonly Insn[];
  readonly verdict: VerifyResult;
  readonly jit: JitProgram;
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

  constructor(
    private readonly kernel: SimKernel,
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
    this.multi = t?.multi ?? false;
    this.sectionTarget = t?.target ?? null;
    const mem = kernel.machine.mem;
    this.state = kernel.machine.rt.alloc(PROG_STATE_SIZE);
    this.tableIndex = init.jit.tableIndex(mem);
    this.fn = mem.table.get(this.tableIndex) as Function;
    this.needs = ctxNeeds(init.insns);
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

  /** Set up a run (BPF_PROG_TEST_RUN-like; non-tracing programs such as raw_tp drivers). */
  prepare(opts: { ctx?: Uint8Array; cpu?: number } = {}): () => RunResult {
    return this.jit.prepare({ mem: this.kernel.machine.mem, cpu: opts.cpu ?? this.kernel.cpu, ...(opts.ctx !== undefined ? { input: opts.ctx } : {}) });
  }
  run(opts: { ctx?: Uint8Array; cpu?: number } = {}): RunResult {
    return this.prepare(opts)();
  }
}

/** Load one program of an object into the kernel: CO-RE, verification (see above), JIT. */
export async function loadKernelProgram(kernel: SimKernel, obj: BpfObject, name: string, logLevel: 0 | 1 | 2 = 0): Promise<KernelProgram> {
  obj.createMaps();
  const p = obj.program(name);
  const insns = obj.coreApply(p);
  const t = parseTracingSection(p.section);
  const tracing = t !== null;
  // bpf_get_func_ret exists only for fexit and fmod_ret programs (bpf_tracing_func_proto)
  if (t?.kind === "fentry") {
    const pc = insns.findIndex((i) => i.code === CALL && i.src === 0 && i.imm === TRACING_HELPER_IDS.get_func_ret);
    if (pc >= 0) throw new EbpfError("EINVAL", `program '${name}': unknown func bpf_get_func_ret#184 (insn ${pc}): fentry programs have no return value`);
  }
  const verdict = verifyForKernel(insns, p.progType, obj, tracing, logLevel);
  if (!verdict.accepted) throw new VerifierError(verdict);
  const m = kernel.machine;
  const jit = await compileProgram(insns, {
    helpers: m.helperRegistry(kernel.helpers),
    pseudo: m.resolver(obj.mapList()),
    verified: verdict.facts,
    inlineArrayLookup: (a) => m.inlineArrayLookup(a),
  });
  return new KernelProgram(kernel, { name, section: p.section, progType: tracing ? "tracing" : p.progType, insns, verdict, jit });
}
