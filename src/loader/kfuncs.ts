// Kernel function calls (kfuncs) of an object. A tool declares `extern T f(...) __ksym;` and
// calls it; clang leaves a call (src_reg 1, imm -1) with a relocation against an undefined
// symbol whose BTF FUNC (linkage extern) sits in the object's `.ksyms` DATASEC. At load, libbpf
// (bpf_object__resolve_ksym_func_btf_id) finds a FUNC of that name in the kernel's BTF, checks
// that the prototypes are compatible and makes the call BPF_PSEUDO_KFUNC_CALL with imm = the
// kernel's BTF id and off = 0 (vmlinux). This module does the same against a target BTF.
import { LoaderError } from "../errors.js";
import type { Insn } from "../isa/insn.js";
import { Class, JmpOp, LD_IMM64, PseudoCall, PseudoLd } from "../isa/opcode.js";
import { essentialName, type Btf } from "./btf.js";
import { coreTypesAreCompat } from "./core.js";

/** Where extern errors point, as for `__ksym` variables. */
const KSYMS = { section: ".ksyms" };

/** A kfunc the object declares. */
export interface KfuncExtern {
  /** the name as the object spells it; a `___flavor` suffix is dropped to look it up (bpf_task_acquire___v2) */
  readonly name: string;
  /** the FUNC_PROTO of its declaration in the object's BTF */
  readonly protoId: number;
  readonly weak: boolean;
}

/** A kfunc call of a program: its slot, and the extern it calls. */
export interface KfuncCall {
  readonly slot: number;
  readonly name: string;
}

/** The kfunc externs of an object's BTF: the FUNCs of its `.ksyms` DATASEC. */
export function kfuncExterns(btf: Btf | null, isWeak: (name: string) => boolean): Map<string, KfuncExtern> {
  const out = new Map<string, KfuncExtern>();
  const ds = btf?.types.find((t) => t.kind === "DATASEC" && t.name === ".ksyms");
  if (btf === null || btf === undefined || ds === undefined || ds.kind !== "DATASEC") return out;
  for (const v of ds.vars) {
    const f = btf.typeById(v.type);
    if (f.kind === "FUNC") out.set(f.name, { name: f.name, protoId: f.type, weak: isWeak(f.name) });
  }
  return out;
}

/**
 * `insns` with every kfunc call resolved against `target` (the kernel's BTF): src_reg 2,
 * imm = the kernel FUNC's id, off 0. A weak kfunc the kernel lacks (or declares with an
 * incompatible prototype) stays src_reg 2 with imm 0, as libbpf leaves it ("not resolved,
 * defaulting to zero"): Linux's verifier then refuses the program unless the call is dead
 * code ("invalid kernel function call not eliminated in verifier pass").
 * Errors (LoaderError) carry libbpf's messages and errnos: ESRCH when not found, EINVAL on a
 * prototype mismatch; with no target BTF nothing resolves (ESRCH naming the kfunc).
 */
export function resolveKfuncCalls(
  insns: readonly Insn[],
  calls: readonly KfuncCall[],
  externs: ReadonlyMap<string, KfuncExtern>,
  local: Btf,
  target: Btf | null,
): Insn[] {
  const out = [...insns];
  const resolved = new Map<string, number | null>();
  for (const c of calls) {
    const ext = externs.get(c.name);
    const ins = out[c.slot];
    const ld = ins !== undefined && ins.code === LD_IMM64;
    if (ext === undefined || ins === undefined || (ins.code !== (Class.JMP | JmpOp.CALL) && !ld)) {
      throw new LoaderError(`kfunc call of '${c.name}' at slot ${c.slot} is not a call of a .ksyms function`, KSYMS);
    }
    let id = resolved.get(ext.name);
    if (id === undefined) {
      id = resolveOne(ext, local, target);
      resolved.set(ext.name, id);
    }
    // an ld_imm64 of the kfunc: its BTF id (BPF_PSEUDO_BTF_ID), or the constant 0 for a weak one left unresolved
    if (ld) out[c.slot] = id === null ? { ...ins, src: PseudoLd.NONE, imm: 0 } : { ...ins, src: PseudoLd.BTF_ID, imm: id };
    else out[c.slot] = { ...ins, src: PseudoCall.KFUNC, off: 0, imm: id ?? 0 };
  }
  return out;
}

/** The kernel BTF id of `ext`'s FUNC, or null for a weak extern left unresolved. */
function resolveOne(ext: KfuncExtern, local: Btf, target: Btf | null): number | null {
  if (target === null) {
    if (ext.weak) return null;
    throw new LoaderError(`extern (func ksym) '${ext.name}': no kernel BTF to resolve it in (give the target kernel's BTF, e.g. --btf)`, KSYMS, "ESRCH");
  }
  const id = target.findByName(essentialName(ext.name), "FUNC")[0];
  if (id === undefined) {
    if (ext.weak) return null;
    throw new LoaderError(`extern (func ksym) '${ext.name}': not found in kernel or module BTFs`, KSYMS, "ESRCH");
  }
  const kfunc = target.typeById(id);
  const protoId = kfunc.kind === "FUNC" ? kfunc.type : 0;
  if (!coreTypesAreCompat(local, ext.protoId, target, protoId)) {
    if (ext.weak) return null;
    throw new LoaderError(`extern (func ksym) '${ext.name}': func_proto [${ext.protoId}] incompatible with vmlinux [${protoId}]`, KSYMS);
  }
  return id;
}
