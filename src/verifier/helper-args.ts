// check_func_arg: each argument of a helper call against its prototype, and the memory a
// helper reads or writes (check_helper_mem_access).
import * as S from "./scalar.js";
import * as T from "./tnum.js";
import { ERRNO } from "../errors.js";
import { HELPER } from "../isa/helpers.js";
import type { ArgType } from "./helpers.js";
import { cur, isPkt, regTypeStr, type Reg, type State } from "./state.js";
import { MAX_VAR_OFF, type VerifierEnv } from "./env.js";
import { checkPtrOffReg, checkMapAccessType, checkMapAccess, checkMemRegionAccess, checkPacketAccess, mapIsRdonly } from "./memory.js";
import { fail } from "./reject.js";
import { BTF_FLAG, btfStructAccess, structsAt } from "./btf-walk.js";
import type { KptrField } from "./types.js";
import { checkStackAccessWithinBounds, frameOf, setStackByte, constantMapKey } from "./stack.js";

/** What check_func_arg learned about a helper call (struct bpf_call_arg_meta). */
export interface CallMeta {
  mapIdx: number;
  /** the constant key of an array lookup, when known */
  constKey: bigint | null;
  allocSize: number;
  /** the reference a release helper gives back */
  releaseRef: number;
  /** first instruction of a callback argument */
  callback: number;
  /** the largest size a size argument allows (msize_max_value) */
  msizeMax: bigint;
  /** bpf_kptr_xchg: the kptr field its first argument points at */
  kptr: KptrField | null;
}

/** check_func_arg: one argument of a helper call; what it learns goes into `meta`. */
export function checkFuncArg(env: VerifierEnv, s: State, a: ArgType, regno: number, r: Reg, meta: CallMeta, prev: ArgType | undefined, id: number): void {
  const MEM = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";
  // a trusted BTF pointer is readable memory too, within its struct's fields
  const trustedBtf = (x: Reg): boolean => x.type === "btf_id" && (x.btfFlags & BTF_FLAG.TRUSTED) !== 0 && (x.btfFlags & BTF_FLAG.UNTRUSTED) === 0;
  const memOk = (x: Reg): boolean => !x.nullable && (x.type === "fp" || isPkt(x) || x.type === "map_value" || x.type === "map_key" || x.type === "ringbuf_mem" || trustedBtf(x));
  const isNull = (x: Reg): boolean => x.type === "scalar" && S.isConstScalar(x.v) && x.v.varOff.value === 0n;
  if (a.startsWith("btf:") || a.startsWith("btf_or_null:")) return checkBtfArg(env, a, regno, r, isNull(r));
  if (a === "kptr") {
    // process_kptr_func: a map value at exactly a referenced kptr field
    if (r.type !== "map_value" || r.nullable) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=map_value, ptr_`);
    const fields = env.maps[r.map]!.kptrs ?? [];
    if (fields.length === 0) fail(ERRNO.EINVAL, `R${regno} has no valid kptr`);
    if (!T.isConst(r.v.varOff)) fail(ERRNO.EINVAL, `R${regno} doesn't have constant offset. kptr has to be at the constant offset`);
    const at = Number(BigInt.asIntN(64, r.v.varOff.value)) + r.off;
    const k = fields.find((x) => x.off === at);
    if (k === undefined) return fail(ERRNO.EACCES, `off=${at} doesn't point to kptr`);
    if (!k.ref) fail(ERRNO.EACCES, `off=${at} kptr isn't referenced kptr`);
    meta.kptr = k;
    return;
  }
  if (a === "kptr_release") {
    if (isNull(r)) return;
    if (r.type !== "btf_id" || r.nullable) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=ptr_`);
    if (r.refObjId === 0) fail(ERRNO.EINVAL, `R${regno} must be referenced when passed to release function`);
    if (meta.kptr !== null && r.btfName !== meta.kptr.struct) fail(ERRNO.EACCES, `R${regno} is of type ${r.btfName} but ${meta.kptr.struct} is expected`);
    meta.releaseRef = r.refObjId;
    return;
  }
  if (a === "btf_sock_common") {
    const ok = (r.type === "btf_id" && !r.nullable && (r.btfFlags & BTF_FLAG.UNTRUSTED) === 0) || (r.type === "sock_common" && !r.nullable);
    if (!ok) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_`);
    if (r.type === "btf_id" && !startsWithSockCommon(env, r.btfId)) fail(ERRNO.EACCES, `R${regno} is of type ${r.btfName} but sock_common is expected`);
    return;
  }
  switch (a) {
    case "anything":
      return;
    case "map_ptr":
      if (r.type !== "map_ptr") fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=map_ptr`);
      if (id === HELPER.tail_call && env.maps[r.map]!.type !== "prog_array") fail(ERRNO.EINVAL, "expected prog array map for tail call");
      meta.mapIdx = r.map;
      return;
    case "ctx":
      if (r.type !== "ctx") fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=ctx`);
      checkPtrOffReg(r, regno);
      return;
    case "map_key":
    case "map_value":
    case "map_value_uninit": {
      if (!memOk(r)) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=${MEM}`);
      if (meta.mapIdx < 0) fail(ERRNO.EACCES, "invalid map_ptr to access map->key");
      const m = env.maps[meta.mapIdx]!;
      checkHelperMemAccess(env, s, r, regno, a === "map_key" ? m.keySize : m.valueSize, a === "map_value_uninit" ? "write" : "read", false);
      if (a === "map_key" && (m.type === "array" || m.type === "percpu_array")) meta.constKey = constantMapKey(s, r, m.keySize);
      return;
    }
    case "mem_ro":
    case "uninit_mem":
      if (!memOk(r)) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=${MEM}`);
      return;
    case "const_size":
    case "const_size_or_zero": {
      if (r.type !== "scalar") fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=scalar`);
      const zeroOk = a === "const_size_or_zero";
      if (r.v.smin < 0n) fail(ERRNO.EACCES, `R${regno} min value is negative, either use unsigned or 'var &= const'`);
      if (r.v.umin === 0n && !zeroOk) fail(ERRNO.EACCES, `R${regno} invalid zero-sized read: u64=[${r.v.umin},${r.v.umax}]`);
      if (r.v.umax >= MAX_VAR_OFF) fail(ERRNO.EACCES, `R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
      meta.msizeMax = r.v.umax;
      const memReg = cur(s).regs[regno - 1]!;
      checkHelperMemAccess(env, s, memReg, regno - 1, Number(r.v.umax), prev === "uninit_mem" || prev === "mem_or_null" ? "write" : "read", zeroOk);
      return;
    }
    case "alloc_size":
      if (r.type !== "scalar") fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=scalar`);
      if (!T.isConst(r.v.varOff)) fail(ERRNO.EACCES, `R${regno} is not a known constant'`);
      meta.allocSize = Number(BigInt.asUintN(32, r.v.varOff.value));
      return;
    case "ringbuf_release":
      if (r.type !== "ringbuf_mem" || r.nullable) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=ringbuf_mem`);
      if (r.off !== 0 || !T.isConst(r.v.varOff) || r.v.varOff.value !== 0n) fail(ERRNO.EINVAL, `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
      meta.releaseRef = r.refObjId;
      return;
    case "func":
      if (r.type !== "func") fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=func`);
      checkPtrOffReg(r, regno);
      meta.callback = r.callback;
      return;
    case "mem_or_null":
    case "mem_ro_or_null":
      if (!memOk(r) && !isNull(r)) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=${MEM}`);
      return;
    case "long_uninit": {
      // ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_ALIGNED of 8 bytes
      if (!memOk(r)) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=${MEM}`);
      checkHelperMemAccess(env, s, r, regno, 8, "write", false);
      return;
    }
    case "map_value_or_null":
      if (isNull(r)) return;
      if (!memOk(r)) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=${MEM}`);
      if (meta.mapIdx < 0) fail(ERRNO.EACCES, "invalid map_ptr to access map->value");
      checkHelperMemAccess(env, s, r, regno, env.maps[meta.mapIdx]!.valueSize, "read", false);
      return;
    case "stack_or_null":
      if (!(r.type === "fp" || isNull(r))) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=fp`);
      return;
    case "spin_lock": {
      // process_spin_lock
      if (r.type !== "map_value" || r.nullable) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=map_value, ptr_`);
      if (!T.isConst(r.v.varOff)) fail(ERRNO.EINVAL, `R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset`);
      const m = env.maps[r.map]!;
      if (m.spinLockOff === undefined) fail(ERRNO.EINVAL, `map '${m.name ?? ""}' has to have BTF in order to use bpf_spin_lock`);
      const at = BigInt.asIntN(64, r.v.varOff.value) + BigInt(r.off);
      if (at !== BigInt(m.spinLockOff!)) fail(ERRNO.EINVAL, `off ${at} doesn't point to 'struct bpf_spin_lock' that is at ${m.spinLockOff}`);
      if (id === HELPER.spin_lock) {
        if (s.lock !== null) fail(ERRNO.EINVAL, "Locking two bpf_spin_locks are not allowed");
        s.lock = { map: r.map, id: r.id };
      } else {
        if (s.lock === null) fail(ERRNO.EINVAL, "bpf_spin_unlock without taking a lock");
        if (s.lock!.map !== r.map || s.lock!.id !== r.id) fail(ERRNO.EINVAL, "bpf_spin_unlock of different lock");
        s.lock = null;
      }
      return;
    }
    case "const_str": {
      // check_reg_type (a map value only), then check_reg_const_str
      if (r.type !== "map_value" || r.nullable) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=map_value`);
      const m = env.maps[r.map]!;
      if (!mapIsRdonly(m)) fail(ERRNO.EACCES, `R${regno} does not point to a readonly map'`);
      if (!T.isConst(r.v.varOff)) fail(ERRNO.EACCES, `R${regno} is not a constant address'`);
      if (m.type !== "array") fail(ERRNO.EACCES, "no direct value access support for this map type");
      checkMapAccess(env, r, regno, r.off, m.valueSize - r.off, false);
      // map_direct_value_addr: a single-element array only
      if (m.maxEntries !== 1) fail(ERRNO.ENOTSUPP, "direct value access on string failed");
      const at = r.off + Number(BigInt.asIntN(64, r.v.varOff.value));
      let nul = at;
      while (nul < m.valueSize && (m.initial?.[nul] ?? 0) !== 0) nul++;
      if (nul === m.valueSize) fail(ERRNO.EINVAL, "string is not zero-terminated");
      return;
    }
  }
}

/** ARG_PTR_TO_BTF_ID(_OR_NULL): a plain, trusted or RCU pointer to the struct the prototype names, at offset 0. */
function checkBtfArg(env: VerifierEnv, a: string, regno: number, r: Reg, isNull: boolean): void {
  const [kind, want] = a.split(":") as [string, string];
  if (kind === "btf_or_null" && isNull) return;
  const ok = r.type === "btf_id" && !r.nullable && (r.btfFlags & ~(BTF_FLAG.TRUSTED | BTF_FLAG.RCU)) === 0;
  if (!ok) fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=ptr_, trusted_ptr_, rcu_ptr_`);
  if (!T.isConst(r.v.varOff) || r.v.varOff.value !== 0n) fail(ERRNO.EACCES, `R${regno} is of type ${r.btfName} but ${want} is expected`);
  // btf_struct_ids_match: the struct itself, or one nested at the pointer's offset (&file->f_path)
  if (env.opts.attachBtf === undefined || !structsAt(env.opts.attachBtf, r.btfId, r.off).includes(want)) fail(ERRNO.EACCES, `R${regno} is of type ${r.btfName} but ${want} is expected`);
}

/** Whether struct `id` is sock_common or begins with it (through its first members, as btf_struct_ids_match walks). */
function startsWithSockCommon(env: VerifierEnv, id: number): boolean {
  const btf = env.opts.attachBtf;
  if (btf === undefined) return false;
  let t = btf.skipModsAndTypedefs(id);
  for (let depth = 0; t !== undefined && depth < 8; depth++) {
    if (t.type.name === "sock_common") return true;
    if (t.type.kind !== "STRUCT" && t.type.kind !== "UNION") return false;
    const first = t.type.members[0];
    if (first === undefined || first.bitOffset !== 0) return false;
    t = btf.skipModsAndTypedefs(first.type);
  }
  return false;
}

/** check_helper_mem_access */
function checkHelperMemAccess(env: VerifierEnv, s: State, r: Reg, regno: number, size: number, t: "read" | "write", zeroOk: boolean): void {
  if (isPkt(r)) return checkPacketAccess(r, regno, r.off, size, zeroOk);
  if (r.type === "map_value") {
    checkMapAccessType(env, r, regno, r.off, size, t);
    return checkMapAccess(env, r, regno, r.off, size, zeroOk);
  }
  if (r.type === "ringbuf_mem") {
    const msg = (o: bigint): string => `invalid access to memory, mem_size=${r.memSize} off=${o} size=${size}`;
    return checkMemRegionAccess(r, regno, r.off, size, r.memSize, zeroOk, msg);
  }
  if (r.type === "btf_id") {
    // check_helper_mem_access → check_ptr_to_btf_access: a read of the struct's bytes
    if (t === "write") fail(ERRNO.EACCES, "only read is supported");
    const btf = env.opts.attachBtf;
    if (btf === undefined || size === 0) return;
    if (!T.isConst(r.v.varOff)) fail(ERRNO.EACCES, `R${regno} is ptr_${r.btfName} invalid variable offset: off=${r.off}, var_off=${T.tnumText(r.v.varOff)}`);
    btfStructAccess(btf, r.btfId, r.off, size);
    return;
  }
  if (r.type === "map_key") {
    if (t === "write") fail(ERRNO.EACCES, `R${regno} cannot write into map_key`);
    const m = env.maps[r.map]!;
    const msg = (o: bigint): string => `invalid access to map key, key_size=${m.keySize} off=${o} size=${size}`;
    return checkMemRegionAccess(r, regno, r.off, size, m.keySize, zeroOk, msg);
  }
  if (r.type === "fp") {
    if (size === 0 && !zeroOk) fail(ERRNO.EACCES, "invalid zero-sized read");
    // even an empty access must point into the stack (check_stack_range_initialized)
    checkStackAccessWithinBounds(env, s, r, regno, r.off, size, t === "read" ? " read from" : " write to");
    if (size === 0) return;
    const f = frameOf(s, r);
    const lo = r.off + Number(T.isConst(r.v.varOff) ? BigInt.asIntN(64, r.v.varOff.value) : r.v.smin);
    const hi = r.off + Number(T.isConst(r.v.varOff) ? BigInt.asIntN(64, r.v.varOff.value) : r.v.smax) + size;
    for (let a = lo; a < hi; a++) {
      const spi = (-a - 1) >> 3;
      const slot = f.stack[spi]!;
      if (t === "write") setStackByte(env, f, a, "m");
      else if (slot.spill !== null && slot.types[7] === "r" && slot.spill.type !== "scalar") {
        // privileged programs may pass spilled pointers to helpers as bytes
      }
    }
    return;
  }
  if (size === 0 && zeroOk && r.type === "scalar" && S.isConstScalar(r.v) && r.v.varOff.value === 0n) return;
  fail(ERRNO.EACCES, `R${regno} type=${regTypeStr(r)} expected=fp`);
}
