// Kernel function calls (check_kfunc_call): `call` with src_reg BPF_PSEUDO_KFUNC_CALL and imm
// the kfunc's FUNC id in the target BTF. The prototype comes from that BTF; what the kernel
// registers with BTF_ID_FLAGS (acquire, release, may return NULL, RCU or trusted arguments)
// and for which program types is the table below: the kfuncs tracing tools use.
import { ERRNO } from "../errors.js";
import type { Btf } from "../loader/btf.js";
import { btfKindStr } from "../loader/btf.js";
import { BTF_FLAG, skipMods } from "./btf-walk.js";
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
  proto.params.forEach((param, i) => {
    const regno = i + 1;
    const r = env.readReg(s, regno);
    const t = skipMods(btf, param.type).type;
    if (t.kind !== "PTR") {
      if (r.type !== "scalar") fail(ERRNO.EINVAL, `R${regno} is not a scalar`);
      return;
    }
    const target = skipMods(btf, t.type);
    const isNull = r.type === "scalar" && r.v.umin === 0n && r.v.umax === 0n;
    const strict = flags.trusted === true || flags.rcu === true || flags.release === true;
    if (strict && (isNull || r.nullable) && !param.name.endsWith("__nullable")) fail(ERRNO.EACCES, `Possibly NULL pointer passed to trusted arg${i}`);
    if (r.type !== "btf_id") {
      fail(ERRNO.EINVAL, `arg#${i} pointer type ${btfKindStr(kindNum(target.type.kind))} ${target.type.name} must point to scalar, or struct with scalar`);
    }
    if (flags.release === true && r.refObjId !== 0) releaseRef = r.refObjId;
    if (flags.rcu === true && !isTrustedLike(r) && !isRcu(r)) fail(ERRNO.EINVAL, `R${regno} must be a rcu pointer`);
    if ((flags.trusted === true || flags.release === true) && !isTrustedLike(r) && flags.rcu !== true && r.refObjId === 0 && flags.release !== true) {
      fail(ERRNO.EINVAL, `R${regno} must be referenced or trusted`);
    }
    if (r.btfName !== target.type.name || r.off !== 0) {
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

  const ret = skipMods(btf, proto.type);
  if (ret.type.kind === "PTR") {
    const pointee = skipMods(btf, ret.type.type);
    if (pointee.type.kind === "STRUCT" || pointee.type.kind === "UNION") {
      let reg = btfPtrReg(env, pointee.id, 0, flags.retNull === true);
      if (flags.acquire === true) {
        const ref = reg.nullable ? reg.id : ++env.idGen;
        s.refs = [...s.refs, { id: ref, insn: p.pc }];
        reg = { ...reg, refObjId: ref };
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

const KIND_NUM: Record<string, number> = { INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, FUNC_PROTO: 13, FLOAT: 16, ENUM64: 19 };
const kindNum = (k: string): number => KIND_NUM[k] ?? 0;

/** check_resource_leak's RCU part: no open RCU read section at `what`. */
export function checkRcuLeak(s: State, what: string): void {
  if (s.rcuLock > 0) fail(ERRNO.EINVAL, `${what} cannot be used inside bpf_rcu_read_lock-ed region`);
}
