// The one load pipeline of an object's program (libbpf's bpf_object__load_progs step):
// CO-RE → the maps it uses exist → verify (C source lines in the log) → compile → register
// for tail calls and callbacks. BpfProgram.load and SimKernel.load both go through it; what
// differs for the kernel is how the program is verified (its attach context) and its helpers.
import type { Insn } from "../isa/insn.js";
import { isMapReference } from "../isa/opcode.js";
import type { Helper } from "../exec/helpers.js";
import { checkKfuncCalls, type KfuncRegistry } from "../exec/kfuncs.js";
import type { JitProgram } from "../jit/index.js";
import { prepareProgram, type EngineName, type EngineProgram } from "../runtime/engine.js";
import { verify, BPF_F_SLEEPABLE, PROG_TYPES, type KptrField, type MapDef, type ProgType, type VerifyOptions, type VerifyResult } from "../verifier/index.js";
import { refusedResult } from "../verifier/types.js";
import type { Machine } from "../runtime/machine.js";
import type { BpfMap } from "../runtime/maps.js";
import { mapTypeName } from "../runtime/map-types.js";
import type { ObjectSpec, ProgramSpecOfObject } from "../loader/object.js";
import { sourceLineAt, withSourceLines, type SourceLine } from "./source-lines.js";
import type { Btf } from "../loader/btf.js";
import { globToRegExp } from "../loader/sections.js";

/** What the pipeline needs of an object (BpfObject), with P its program type. */
export interface LoadableObject<P> {
  readonly spec: ObjectSpec;
  readonly machine: Machine;
  createMaps(): void;
  coreApply(p: P): Insn[];
  checkMapsOf(p: P, insns: readonly Insn[]): void;
  mapSlots(): ReadonlyArray<BpfMap | undefined>;
  lineInfo(p: P): SourceLine[];
  /** the kernel BTF tracing programs attach to and type their pointers with (null: none given) */
  readonly attachBtf?: Btf | null;
}

/** What the pipeline needs of a program. */
export interface LoadableProgram {
  readonly name: string;
  readonly spec: ProgramSpecOfObject;
}

/** Verifies the relocated instructions: as their own program type, or in a kernel's attach context. */
export type ProgramVerifier = (insns: readonly Insn[], logLevel: 0 | 1 | 2) => VerifyResult;

export interface ProgramLoadOptions {
  readonly logLevel?: 0 | 1 | 2;
  /** "jit" (default) compiles with the verifier's facts; "interp" leaves the program uncompiled */
  readonly engine?: EngineName;
  /** default: the program's own type against the object's maps (verifyAsObjectProgram) */
  readonly verifier?: ProgramVerifier;
  /** checks of the relocated instructions before verification (a kernel's attach-type rules); throw to refuse */
  readonly check?: (insns: readonly Insn[]) => void;
  /** rewrites of the verified instructions before compilation (the kernel's do_misc_fixups); same length */
  readonly fixup?: (insns: readonly Insn[]) => Insn[];
  /** helpers beyond the machine's (a kernel's tracing helpers) */
  readonly helpers?: readonly Helper[];
  /** the kfuncs kfunc calls reach, by BTF id (default: none; a call of one is then refused at prepare) */
  readonly kfuncs?: KfuncRegistry;
  /** compile array-map lookups inline (the kernel's map_gen_lookup) */
  readonly inlineArrayLookup?: boolean;
}

/** A program through the pipeline; prepared, jit and progId are null when refused (jit also on the interpreter). */
export interface LoadedProgram {
  readonly insns: readonly Insn[];
  readonly verdict: VerifyResult;
  /** the program on its engine, bound to the machine's helpers and the object's maps */
  readonly prepared: EngineProgram | null;
  readonly jit: JitProgram | null;
  /** the id PROG_ARRAY slots name */
  readonly progId: number | null;
}

/** BTF_FIELDS_MAX: the special fields a map value's record keeps (further kptrs are not kptrs to the verifier) */
const BTF_FIELDS_MAX = 11;

/**
 * The kptr fields of a map's value (btf_parse_fields: `T __kptr *` and `T __kptr_untrusted *`,
 * in nested structs and arrays too): from its value type, or for global data from its DATASEC's
 * variables.
 */
function kptrsOf(btf: Btf | null, m: { readonly valueTypeId: number; readonly kind: string; readonly section: string }): { kptrs?: KptrField[] } {
  if (btf === null) return {};
  const out: KptrField[] = [];
  const walk = (id: number, base: number, depth: number): void => {
    const t = btf.skipModsAndTypedefs(id)?.type;
    if (t === undefined || depth > 8 || out.length >= BTF_FIELDS_MAX) return;
    if (t.kind === "PTR") {
      const tag = btf.type(t.type);
      if (tag?.kind === "TYPE_TAG" && (tag.name === "kptr" || tag.name === "kptr_untrusted")) {
        if (out.length < BTF_FIELDS_MAX) out.push({ off: base, struct: btf.skipModsAndTypedefs(tag.type)?.type.name ?? "", ref: tag.name === "kptr" });
      }
    } else if (t.kind === "ARRAY") {
      const size = btf.resolveSize(t.type) ?? 0;
      for (let i = 0; i < Math.min(t.nelems, 64) && size > 0; i++) walk(t.type, base + i * size, depth + 1);
    } else if (t.kind === "STRUCT" || t.kind === "UNION") {
      for (const mem of t.members) if (mem.bitfieldSize === 0) walk(mem.type, base + mem.bitOffset / 8, depth + 1);
    }
  };
  if (m.valueTypeId !== 0) walk(m.valueTypeId, 0, 0);
  else if (m.kind === "data" || m.kind === "bss" || m.kind === "rodata") {
    const ds = btf.types.find((t) => t.kind === "DATASEC" && t.name === m.section);
    if (ds?.kind === "DATASEC") {
      for (const v of ds.vars) {
        const vt = btf.type(v.type);
        walk(vt?.kind === "VAR" ? vt.type : v.type, v.offset, 0);
      }
    }
  }
  return out.length === 0 ? {} : { kptrs: out };
}

/**
 * The verifier's view of an object: its maps, license and whether it has func_info. The maps
 * libbpf freezes before loading programs (.rodata, .kconfig) come with their bytes, which the
 * verifier reads as constants.
 */
export function objectVerifyOptions(spec: ObjectSpec): Pick<VerifyOptions, "maps" | "license" | "funcInfo"> {
  const maps: MapDef[] = spec.maps.map((m) => ({
    type: mapTypeName(m.type), keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, name: m.name,
    ...(m.frozen ? { frozen: true, initial: m.initial ?? new Uint8Array(m.valueSize) } : {}),
    ...kptrsOf(spec.btf, m),
  }));
  return { maps, license: spec.license, funcInfo: spec.btfExt !== null && spec.btfExt.funcInfo.sections.length > 0 };
}

/**
 * What the verifier needs of a tracing or LSM program's section: the target's name (the part
 * after the first `/`; for a multi program the first function of `btf` its glob matches, as
 * the series verifies against the first target) and BPF_F_SLEEPABLE.
 */
export function attachVerifyOptions(spec: ProgramSpecOfObject, btf: Btf | undefined): Pick<VerifyOptions, "attachBtf" | "attachTarget" | "progFlags"> {
  const section = spec.section.replace(/^\?/, "");
  const slash = section.indexOf("/");
  let target = slash < 0 ? undefined : section.slice(slash + 1);
  if (target !== undefined && btf !== undefined && /\.multi/.test(section.slice(0, slash))) target = firstFuncMatching(btf, target) ?? target;
  return { ...(btf !== undefined ? { attachBtf: btf } : {}), ...(target !== undefined ? { attachTarget: target } : {}), progFlags: spec.sleepable ? BPF_F_SLEEPABLE : 0 };
}

/** The first FUNC of `btf` a multi program's glob matches (the series verifies against the first target). */
export function firstFuncMatching(btf: Btf, glob: string): string | undefined {
  const re = globToRegExp(glob);
  return btf.types.find((t) => t.kind === "FUNC" && re.test(t.name))?.name;
}

/** The program verified as its own program type (what `bpf_prog_load` sees from libbpf). */
export function verifyAsObjectProgram(obj: { readonly spec: ObjectSpec; readonly attachBtf?: Btf | null }, p: LoadableProgram): ProgramVerifier {
  return (insns, logLevel) => {
    if (!(PROG_TYPES as readonly string[]).includes(p.spec.progType)) {
      return refusedResult(95, `program type ${p.spec.progType} is not supported by wabpf's verifier yet`, logLevel > 0);
    }
    const tracing = p.spec.progType === "tracing" || p.spec.progType === "lsm";
    const btf = obj.attachBtf ?? undefined;
    return verify(insns, {
      progType: p.spec.progType as ProgType,
      logLevel,
      expectedAttachType: p.spec.expectedAttachType,
      ...objectVerifyOptions(obj.spec),
      // every program type reads BTF pointers through the kernel's BTF (bpf_get_current_task_btf, kfuncs)
      ...(tracing ? attachVerifyOptions(p.spec, btf) : btf !== undefined ? { attachBtf: btf } : {}),
    });
  };
}

/** Verify already-relocated instructions; a non-empty log gets the program's C source lines. */
export function verifyWithSourceLines<P extends LoadableProgram>(obj: LoadableObject<P>, p: P, insns: readonly Insn[], logLevel: 0 | 1 | 2, verifier: ProgramVerifier = verifyAsObjectProgram(obj, p)): VerifyResult {
  const raw = verifier(insns, logLevel);
  const linfo = obj.lineInfo(p);
  const source = raw.errorInsn === undefined ? undefined : sourceLineAt(linfo, raw.errorInsn);
  return { ...raw, ...(raw.log === "" ? {} : { log: withSourceLines(raw.log, linfo) }), ...(source !== undefined ? { errorSource: source } : {}) };
}

/** The maps a program's ld_imm64 map references name (each once): what a loaded program holds, as the kernel's used_maps. */
export function usedMaps(insns: readonly Insn[], slots: ReadonlyArray<BpfMap | undefined>): BpfMap[] {
  const used = new Set<BpfMap>();
  for (const ins of insns) {
    if (!isMapReference(ins)) continue;
    const m = slots[ins.imm];
    if (m !== undefined) used.add(m);
  }
  return [...used];
}

/** CO-RE, the maps check, verification, compilation and registration of one program. */
export async function loadObjectProgram<P extends LoadableProgram>(obj: LoadableObject<P>, p: P, opts: ProgramLoadOptions = {}): Promise<LoadedProgram> {
  obj.createMaps();
  const insns = obj.coreApply(p);
  obj.checkMapsOf(p, insns);
  opts.check?.(insns);
  const verdict = verifyWithSourceLines(obj, p, insns, opts.logLevel ?? 0, opts.verifier);
  if (!verdict.accepted) return { insns, verdict, prepared: null, jit: null, progId: null };
  // a kfunc the machine lacks is refused by name (the calls' names are the object's)
  const kfuncNames = new Map(p.spec.kfuncCalls.map((c) => [insns[c.slot]?.imm, c.name]));
  checkKfuncCalls(insns, opts.kfuncs, (id) => kfuncNames.get(id));
  const m = obj.machine;
  const pseudo = m.resolver(obj.mapSlots());
  const prepared = await prepareProgram(opts.fixup?.(insns) ?? insns, opts.engine ?? "jit", {
    helpers: m.helperRegistry(opts.helpers),
    ...(opts.kfuncs !== undefined ? { kfuncs: opts.kfuncs } : {}),
    pseudo,
    verified: verdict.facts,
    ...(opts.inlineArrayLookup === true ? { inlineArrayLookup: (a: bigint) => m.inlineArrayLookup(a) } : {}),
  });
  const jit = prepared.compiled;
  // a tail-call and callback target: PROG_ARRAY slots hold this id
  const progId = m.registerProgram(
    p.name,
    jit?.tableIndex(m.mem) ?? null,
    { name: p.name, insns, pseudo, verified: verdict.facts, ...(jit !== null ? { compiled: jit } : {}) },
    usedMaps(insns, obj.mapSlots()),
  );
  if (jit !== null) m.onProgramFree(progId, () => jit.unbind(m.mem));
  return { insns, verdict, prepared, jit, progId };
}
