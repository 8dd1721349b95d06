// Kernel function calls (check_kfunc_call): `call` with src_reg BPF_PSEUDO_KFUNC_CALL and imm
// the kfunc's FUNC id in the target BTF. The prototype comes from that BTF; what the kernel
// registers with BTF_ID_FLAGS (acquire, release, may return NULL, RCU or trusted arguments)
// and for which program types is the table below: the kfuncs tracing tools use.
import { ERRNO } from "../errors.js";
import type { Btf } from "../loader/btf.js";
import { btfKindStr, kindNumber } from "../loader/btf.js";
import { BTF_FLAG, skipMods, structsAt } from "./btf-walk.js";
import * as T from "./tnum.js";
import { btfPtrReg } from "./memory.js";
import { NOT_INIT, forEachReg, unknownReg, type Reg, type State } from "./state.js";
import type { Path, VerifierEnv } from "./env.js";
import { fail, unsupported } from "./reject.js";
import type { ProgType } from "./types.js";

interface KfuncFlags {
  /** KF_ACQUIRE: the result holds a reference that must be released */
  readonly acquire?: boolean;
  /** KF_RELEASE: the (referenced) pointer argument is given back */
  readonly release?: boolean;
  /** KF_RET_NULL */
  readonly retNull?: boolean;
  /** KF_RCU: pointer arguments trusted or RCU-protected */
  readonly rcu?: boolean;
  /** KF_TRUSTED_ARGS: pointer arguments trusted or referenced */
  readonly trusted?: boolean;
  /** registered for every program type (common_kfunc_set), not only the generic set's */
  readonly common?: boolean;
}

/** Program types the generic kfunc set is registered for (kernel/bpf/helpers.c). */
const GENERIC_TYPES: ReadonlySet<ProgType> = new Set(["tracing", "lsm", "sched_cls", "sched_act", "xdp", "syscall", "cgroup_skb"]);

const KFUNCS: Record<string, KfuncFlags> = {
  bpf_rcu_read_lock: { common: true },
  bpf_rcu_read_unlock: { common: true },
  bpf_task_acquire: { acquire: true, rcu: true, retNull: true },
  bpf_task_release: { release: true },
  bpf_task_from_pid: { acquire: true, retNull: true },
  bpf_task_from_vpid: { acquire: true, retNull: true },
  bpf_cgroup_acquire: { acquire: true, rcu: true, retNull: true },
  bpf_cgroup_release: { release: true },
  bpf_cgroup_ancestor: { acquire: true, rcu: true, retNull: true },
  bpf_cgroup_from_id: { acquire: true, retNull: true },
  bpf_task_under_cgroup: { rcu: true },
  bpf_rdonly_cast: { common: true },
  // kernel/bpf/cpumask.c (registered for tracing, LSM, struct_ops and syscall programs)
  bpf_cpumask_create: { acquire: true, retNull: true },
  bpf_cpumask_release: { release: true },
  bpf_cpumask_acquire: { acquire: true, trusted: true },
  ...Object.fromEntries(
    ["first", "first_zero", "first_and", "set_cpu", "clear_cpu", "test_cpu", "test_and_set_cpu", "test_and_clear_cpu", "setall", "clear", "and", "or", "xor", "equal", "intersects", "subset", "empty", "full", "copy", "any_distribute", "any_and_distribute", "weight", "populate"].map((n) => [`bpf_cpumask_${n}`, { rcu: true }]),
  ),
};

/** The name the log shows for a kfunc call (`call bpf_task_acquire#65329`). */
export function kfuncName(btf: Btf | undefined, id: number): string {
  const t = btf?.type(id);
  return t !== undefined && t.kind === "FUNC" ? t.name : "unknown";
}

/** Whether vmlinux marks FUNC `id` as a kfunc (its `bpf_kfunc` decl tag). */
function taggedKfunc(btf: Btf, id: number): boolean {
  return btf.types.some((t) => t.kind === "DECL_TAG" && t.type === id && t.name === "bpf_kfunc");
}

const isTrustedLike = (r: Reg): boolean => r.refObjId !== 0 || ((r.btfFlags & BTF_FLAG.TRUSTED) !== 0 && (r.btfFlags & BTF_FLAG.UNTRUSTED) === 0);
const isRcu = (r: Reg): boolean => (r.btfFlags & BTF_FLAG.RCU) !== 0;

/** check_kfunc_call for the modelled kfuncs; others are refused as the kernel would or as not supported. */
export function checkKfuncCall(env: VerifierEnv, p: Path): void {
  const s = p.state;
  const ins = env.insns[p.pc]!;
  // a weak kfunc the kernel lacks (imm 0): nothing happens here; reaching it fails the load after the walk
  if (ins.imm === 0) {
    env.unresolvedKfuncCall = true;
    return;
  }
  const btf = env.opts.attachBtf;
  if (btf === undefined) return unsupported("kfunc calls without the kernel's BTF");
  if (ins.off !== 0) return unsupported("kfuncs of module BTF");
  const fn = btf.type(ins.imm);
  if (fn === undefined || fn.kind !== "FUNC") return fail(ERRNO.EINVAL, `kernel btf_id ${ins.imm} is not a function`);
  const name = fn.name;
  const flags = KFUNCS[name];
  if (flags === undefined) {
    if (taggedKfunc(btf, ins.imm)) return unsupported(`kernel function ${name}`);
    return fail(ERRNO.EACCES, `calling kernel function ${name} is not allowed`);
  }
  if (flags.common !== true && !GENERIC_TYPES.has(env.opts.progType)) fail(ERRNO.EACCES, `calling kernel function ${name} is not allowed`);
  const proto = btf.type(fn.type);
  if (proto === undefined || proto.kind !== "FUNC_PROTO") return fail(ERRNO.EINVAL, `kernel btf_id ${ins.imm} is not a function`);

  // check_kfunc_args
  let releaseRef = 0;
  const constants: bigint[] = [];
  proto.params.forEach((param, i) => {
    const regno = i + 1;
    const r = env.readReg(s, regno);
    // `__ign` arguments are not checked
    if (param.name.endsWith("__ign")) return;
    const t = skipMods(btf, param.type).type;
    if (t.kind !== "PTR") {
      if (r.type !== "scalar") fail(ERRNO.EINVAL, `R${regno} is not a scalar`);
      // `__k`: a known constant (a BTF id, a size)
      if (param.name.endsWith("__k")) {
        if (!T.isConst(r.v.varOff)) fail(ERRNO.EINVAL, `R${regno} must be a known constant`);
        constants.push(r.v.varOff.value);
      }
      return;
    }
    const target = skipMods(btf, t.type);
    const isNull = r.type === "scalar" && r.v.umin === 0n && r.v.umax === 0n;
    const strict = flags.trusted === true || flags.rcu === true || flags.release === true;
    if (strict && (isNull || r.nullable) && !param.name.endsWith("__nullable")) fail(ERRNO.EACCES, `Possibly NULL pointer passed to trusted arg${i}`);
    if (r.type !== "btf_id") {
      fail(ERRNO.EINVAL, `arg#${i} pointer type ${btfKindStr(kindNumber(target.type))} ${target.type.name} must point to scalar, or struct with scalar`);
    }
    if (flags.release === true && r.refObjId !== 0) releaseRef = r.refObjId;
    if (flags.rcu === true && !isTrustedLike(r) && !isRcu(r)) fail(ERRNO.EINVAL, `R${regno} must be a rcu pointer`);
    if (flags.trusted === true && flags.rcu !== true && !isTrustedLike(r)) {
      fail(ERRNO.EINVAL, `R${regno} must be referenced or trusted`);
    }
    // btf_struct_ids_match: a releasing call with a reference matches the type exactly; others may pass a struct that begins with it
    const exact = flags.release === true && r.refObjId !== 0;
    const matches = r.off === 0 && r.btfName === target.type.name ? true : !exact && structsAt(btf, r.btfId, r.off).includes(target.type.name);
    if (!matches) {
      fail(ERRNO.EINVAL, `kernel function ${name} args#${i} expected pointer to STRUCT ${target.type.name} but R${regno} has a pointer to STRUCT ${r.btfName}`);
    }
  });
  if (flags.release === true && releaseRef === 0) fail(ERRNO.EINVAL, `release kernel function ${name} expects refcounted PTR_TO_BTF_ID`);

  // the RCU read section
  if (name === "bpf_rcu_read_lock") {
    if (s.rcuLock > 0) fail(ERRNO.EINVAL, `nested rcu read lock (kernel function ${name})`);
    s.rcuLock++;
  } else if (name === "bpf_rcu_read_unlock") {
    if (s.rcuLock === 0) fail(ERRNO.EINVAL, `unmatched rcu read unlock (kernel function ${name})`);
    s.rcuLock--;
    // RCU-protected pointers are no longer safe once the section ends
    forEachReg(s, (r) => (r.type === "btf_id" && isRcu(r) ? { ...r, btfFlags: (r.btfFlags & ~BTF_FLAG.RCU) | BTF_FLAG.UNTRUSTED, nullable: false } : r));
  }
  if (releaseRef !== 0) {
    s.refs = s.refs.filter((r) => r.id !== releaseRef);
    forEachReg(s, (r) => (r.refObjId === releaseRef && r.type !== "scalar" ? unknownReg() : r));
  }
  for (let r = 1; r <= 5; r++) env.setReg(s, r, NOT_INIT);

  if (name === "bpf_rdonly_cast") {
    // an untrusted pointer to the struct whose BTF id is the constant argument
    const id = Number(constants[0] ?? 0n);
    const t = btf.type(id);
    if (t === undefined || (t.kind !== "STRUCT" && t.kind !== "UNION")) fail(ERRNO.EINVAL, "kfunc bpf_rdonly_cast type ID argument must be of a struct");
    env.setReg(s, 0, btfPtrReg(env, id, BTF_FLAG.UNTRUSTED, false));
    return;
  }
  const ret = skipMods(btf, proto.type);
  if (ret.type.kind === "PTR") {
    const pointee = skipMods(btf, ret.type.type);
    if (pointee.type.kind === "STRUCT" || pointee.type.kind === "UNION") {
      let reg = btfPtrReg(env, pointee.id, 0, flags.retNull === true);
      if (flags.acquire === true) {
        // acquire_reference takes the next id; a result that may be NULL is null-checked by it
        const ref = ++env.idGen;
        s.refs = [...s.refs, { id: ref, insn: p.pc }];
        reg = { ...reg, refObjId: ref, ...(reg.nullable ? { id: ref } : {}) };
      }
      env.setReg(s, 0, reg);
      return;
    }
    if (flags.acquire === true) fail(ERRNO.EINVAL, "acquire kernel function does not return PTR_TO_BTF_ID");
    env.setReg(s, 0, unknownReg());
    return;
  }
  env.setReg(s, 0, proto.type === 0 ? NOT_INIT : unknownReg());
}

/** check_resource_leak's RCU part: no open RCU read section at `what`. */
export function checkRcuLeak(s: State, what: string): void {
  if (s.rcuLock > 0) fail(ERRNO.EINVAL, `${what} cannot be used inside bpf_rcu_read_lock-ed region`);
}
