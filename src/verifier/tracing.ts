// BPF_PROG_TYPE_TRACING and LSM: the attach target resolved in the target BTF (libbpf's
// name lookup, then bpf_check_attach_target / btf_distill_func_proto), the context typed
// by the target's prototype (btf_ctx_access in kernel/bpf/btf.c, after
// bpf_tracing_ctx_access's bounds), and the return values each attach type allows.
import { ERRNO } from "../errors.js";
import type { Btf, BtfParam, BtfType } from "../loader/btf.js";
import { btfKindStr, kindNumber } from "../loader/btf.js";
import { BTF_FLAG, skipMods } from "./btf-walk.js";
import { fail, Reject } from "./reject.js";

/** MAX_BPF_FUNC_ARGS */
const MAX_ARGS = 12;

export type TracingKind = "fentry" | "fexit" | "fmod_ret" | "tp_btf" | "iter" | "lsm";

/** The attach kind an expected attach type names ("trace_fentry", "trace_raw_tp", "lsm_mac", ...). */
export function tracingKind(expectedAttachType: string | null | undefined): TracingKind | null {
  switch (expectedAttachType) {
    case "trace_fentry":
    case "trace_fentry_multi":
      return "fentry";
    case "trace_fexit":
    case "trace_fexit_multi":
      return "fexit";
    case "modify_return":
    case "modify_return_multi":
      return "fmod_ret";
    case "trace_raw_tp":
      return "tp_btf";
    case "trace_iter":
      return "iter";
    case "lsm_mac":
      return "lsm";
    default:
      return null;
  }
}

/** What the verifier knows of a resolved target (prog->aux->attach_func_proto and friends). */
export interface AttachTarget {
  readonly kind: TracingKind;
  readonly btf: Btf;
  /** the name messages use: the function, the tracepoint (no btf_trace_ prefix), the iterator's function */
  readonly name: string;
  /** the arguments the program sees (tp_btf's leading `void *__data` dropped) */
  readonly args: readonly BtfParam[];
  /** every parameter of the prototype (tp_btf's `void *__data` included): slot offsets count them all */
  readonly params: readonly BtfParam[];
  /** the target's return type id (0: void) */
  readonly ret: number;
}

const EPERM_ITERATORS: ReadonlySet<string> = new Set(["bpf_map_elem", "bpf_sk_storage_map", "sockmap"]);

/** The BTF name libbpf looks up for a section's target (find_kernel_btf_id with the kind's prefix). */
function btfNameOf(kind: TracingKind, target: string): { name: string; kind: "TYPEDEF" | "FUNC" } {
  switch (kind) {
    case "tp_btf":
      return { name: `btf_trace_${target}`, kind: "TYPEDEF" };
    case "iter":
      return { name: `bpf_iter_${target}`, kind: "FUNC" };
    case "lsm":
      return { name: `bpf_lsm_${target}`, kind: "FUNC" };
    default:
      return { name: target, kind: "FUNC" };
  }
}

/**
 * The target of a tracing or LSM program: found by name as libbpf does (ESRCH when the
 * target BTF has no such type), then checked as bpf_check_attach_target does.
 */
export function resolveAttachTarget(btf: Btf | undefined, kind: TracingKind, target: string | undefined): AttachTarget {
  if (target === undefined || target === "") {
    return fail(ERRNO.EINVAL, "Tracing programs must provide btf_id");
  }
  if (btf === undefined) return fail(ERRNO.EINVAL, "Tracing programs must provide btf_id");
  const want = btfNameOf(kind, target);
  const id = btf.findByName(want.name, want.kind)[0];
  // libbpf's words: the target as the section names it, the errno as a number
  if (id === undefined) throw new Reject(ERRNO.ESRCH, [`failed to find kernel BTF type ID of '${target}': -${ERRNO.ESRCH}`]);
  const t = btf.types[id]!;
  if (kind === "tp_btf") {
    // btf_trace_<name> is a typedef of a pointer to the probe's prototype
    const ptr = skipMods(btf, (t as { type: number }).type);
    const proto = ptr.type.kind === "PTR" ? skipMods(btf, ptr.type.type).type : null;
    if (proto === null || proto.kind !== "FUNC_PROTO") return fail(ERRNO.EINVAL, `attach_btf_id ${id} doesn't point to typedef`);
    return { kind, btf, name: target, args: proto.params.slice(1), params: proto.params, ret: proto.type };
  }
  if (t.kind !== "FUNC") return fail(ERRNO.EINVAL, `attach_btf_id ${id} is not a function`);
  // observed on Linux 6.18: programs for the map-element iterators are refused with EPERM before
  // verification (a 2-instruction program on bpf_map_elem, bpf_sk_storage_map or sockmap)
  if (kind === "iter" && EPERM_ITERATORS.has(target)) throw new Reject(ERRNO.EPERM, [`iterator ${target}: Operation not permitted (Linux 6.18 refuses its programs before verification)`]);
  const proto = btf.types[t.type];
  if (proto === undefined || proto.kind !== "FUNC_PROTO") return fail(ERRNO.EINVAL, `attach_btf_id ${id} is not a function`);
  if (kind !== "iter") distillFuncProto(btf, want.name, proto.params, proto.type);
  return { kind, btf, name: want.name, args: proto.params, params: proto.params, ret: proto.type };
}

/** btf_distill_func_proto: what a trampoline can pass (at most 12 arguments, none wider than 16 bytes). */
function distillFuncProto(btf: Btf, name: string, params: readonly BtfParam[], ret: number): void {
  const retT = skipMods(btf, ret).type;
  if (ret !== 0 && !argTypeOk(btf, ret)) fail(ERRNO.EINVAL, `The function ${name} return type ${btfKindStr(kindNumber(retT))} is unsupported.`);
  if (params.length > MAX_ARGS) fail(ERRNO.EINVAL, `The function ${name} has ${params.length} arguments. Too many.`);
  params.forEach((p, i) => {
    if (p.type === 0 && i === params.length - 1) fail(ERRNO.EINVAL, `The function ${name} with variable args is unsupported.`);
    if (!argTypeOk(btf, p.type)) fail(ERRNO.EINVAL, `The function ${name} arg${i} type ${btfKindStr(kindNumber(skipMods(btf, p.type).type))} is unsupported.`);
  });
}


/** An argument a trampoline can save: a scalar or pointer of at most 8 bytes, or a struct of at most 16. */
function argTypeOk(btf: Btf, id: number): boolean {
  const t = skipMods(btf, id).type;
  const size = btf.resolveSize(id);
  if (t.kind === "STRUCT" || t.kind === "UNION") return size !== undefined && size <= 16;
  if (t.kind === "INT" || t.kind === "ENUM" || t.kind === "ENUM64" || t.kind === "PTR") return size !== undefined && size <= 8;
  return false;
}

/** Bytes of the context a parameter or return value takes: 8 for a pointer, its size rounded up to 8 otherwise. */
function slotBytes(btf: Btf, id: number): number {
  if (id === 0) return 0;
  const t = skipMods(btf, id).type;
  if (t.kind === "PTR") return 8;
  return Math.ceil((btf.resolveSize(id) ?? 8) / 8) * 8;
}

/**
 * get_ctx_arg_idx: the parameter whose slots hold `off`, counted over every parameter of the
 * prototype (tp_btf's `__data` too); past them the return value's slot (vlen), else vlen + 1.
 */
function ctxArgIdx(btf: Btf, params: readonly BtfParam[], ret: number, off: number): number {
  let end = 0;
  for (let i = 0; i < params.length; i++) {
    end += slotBytes(btf, params[i]!.type);
    if (off < end) return i;
  }
  end += slotBytes(btf, ret);
  return off < end ? params.length : params.length + 1;
}

/** What a context read yields: a scalar, or a BTF pointer with its flags. */
export type TracingCtxValue = { readonly kind: "scalar" } | { readonly kind: "ptr"; readonly btfId: number; readonly flags: number; readonly nullable: boolean };

/**
 * The pointer arguments of an iterator's context typed by its registration (bpf_iter_reg's
 * ctx_arg_info, by argument index): all may be NULL; the trusted ones are `true`.
 */
const ITER_NULLABLE: Record<string, Record<number, boolean>> = {
  task: { 1: true },
  task_file: { 1: false, 3: false },
  task_vma: { 1: false, 2: false },
  bpf_map: { 1: true },
  bpf_prog: { 1: false },
  bpf_link: { 1: false },
  tcp: { 1: false },
  udp: { 1: false },
  unix: { 1: false },
  netlink: { 1: false },
  ipv6_route: { 1: false },
  ksym: { 1: false },
  cgroup: { 1: false },
  bpf_sk_storage_map: { 2: false },
  sockmap: { 2: false },
};

const isSmallInt = (t: BtfType): boolean => t.kind === "INT" && t.size <= 8;

/** btf_ctx_access with bpf_tracing_ctx_access's bounds: a read of `size` bytes at `off` of the context. */
export function tracingCtxAccess(t: AttachTarget, off: number, size: number, write: boolean, log: (line: string) => void): TracingCtxValue | null {
  if (off < 0 || off >= 8 * MAX_ARGS || write || off % size !== 0) return null;
  const { btf, name } = t;
  if (off % 8 !== 0) {
    log(`func '${name}' offset ${off} is not multiple of 8`);
    return null;
  }
  const arg = ctxArgIdx(btf, t.params, t.ret, off);
  const nr = t.args.length;
  if (arg > nr) {
    log(`func '${name}' doesn't have ${arg + 1}-th argument`);
    return null;
  }
  let typeId: number;
  if (arg === nr) {
    // the return value's slot: fexit and LSM see it, fmod_ret when it is an int
    if (t.kind === "fexit" || t.kind === "lsm") {
      typeId = t.ret;
    } else if (t.kind === "fmod_ret") {
      const r = skipMods(btf, t.ret).type;
      if (!isSmallInt(r)) {
        log(`ret type ${btfKindStr(kindNumber(r))} not allowed for fmod_ret`);
        return null;
      }
      typeId = t.ret;
    } else {
      log(`func '${name}' doesn't have ${arg + 1}-th argument`);
      return null;
    }
  } else {
    typeId = t.args[arg]!.type;
  }
  const ty = skipMods(btf, typeId).type;
  if (typeId === 0 || isSmallInt(ty) || ty.kind === "ENUM" || ty.kind === "ENUM64" || ty.kind === "STRUCT" || ty.kind === "UNION") return { kind: "scalar" };
  if (ty.kind !== "PTR") {
    log(`func '${name}' arg${arg} '${ty.name}' has type ${btfKindStr(kindNumber(ty))}. Only pointer access is allowed`);
    return null;
  }
  if (size !== 8) {
    log(`func '${name}' size ${size} must be 8`);
    return null;
  }
  if (ty.type === 0) return { kind: "scalar" };
  // pointers to integers (char *, int *) read as plain numbers
  const pointee0 = skipMods(btf, ty.type).type;
  if (pointee0.kind === "INT") return { kind: "scalar" };
  let flags = 0;
  let nullable = false;
  const iterOr = t.kind === "iter" ? ITER_NULLABLE[t.name.replace(/^bpf_iter_/, "")]?.[arg] : undefined;
  if (iterOr !== undefined) {
    // the iterator's registration types it, and no "has btf_id" line is logged
    const p = skipMods(btf, ty.type);
    return { kind: "ptr", btfId: p.id, flags: iterOr ? BTF_FLAG.TRUSTED : 0, nullable: true };
  }
  // prog_args_trusted: tp_btf, iterators and LSM hooks get trusted arguments
  if (t.kind === "tp_btf" || t.kind === "iter" || t.kind === "lsm") flags |= BTF_FLAG.TRUSTED;
  if (arg < nr && t.args[arg]!.name.endsWith("__nullable")) nullable = true;
  const tag = btf.type(ty.type);
  if (tag !== undefined && tag.kind === "TYPE_TAG" && !tag.kflag) {
    if (tag.name === "user") flags |= BTF_FLAG.USER;
    if (tag.name === "percpu") flags |= BTF_FLAG.PERCPU;
  }
  const pointee = skipMods(btf, ty.type);
  if (pointee.type.kind !== "STRUCT" && pointee.type.kind !== "UNION") {
    log(`func '${name}' arg${arg} type ${btfKindStr(kindNumber(pointee.type))} is not a struct`);
    return null;
  }
  log(`func '${name}' arg${arg} has btf_id ${pointee.id} type ${btfKindStr(kindNumber(pointee.type))} '${pointee.type.name}'`);
  return { kind: "ptr", btfId: pointee.id, flags, nullable };
}

/** check_return_code's range for a tracing or LSM program, or null when any value is fine. */
export function tracingReturnRange(t: AttachTarget): [number, number] | null {
  switch (t.kind) {
    case "fentry":
    case "fexit":
      return [0, 0];
    case "iter":
      return [0, 1];
    case "lsm": {
      // void hooks: the value is ignored, only 0 is meaningful; int hooks: 0 or a negative errno
      if (t.ret === 0) return null;
      return [-4095, 0];
    }
    default:
      return null;
  }
}
