// check_mem_access and the checks of each kind of memory: context, map values and keys,
// packet, ring buffer memory, socket pointers; atomics.
import * as S from "./scalar.js";
import * as T from "./tnum.js";
import type { Insn } from "../isa/insn.js";
import { AtomicOp } from "../isa/opcode.js";
import { ERRNO } from "../errors.js";
import type { Scalar } from "./scalar.js";
import type { MapDef } from "./types.js";
import { ctxAccess, sockCommonAccess } from "./prog-types.js";
import { tracingCtxAccess } from "./tracing.js";
import { BTF_FLAG, btfStructAccess, loadedPtrFlags } from "./btf-walk.js";
import { GPL_LICENSES } from "./helpers.js";
import { constReg, cur, isPkt, ptrReg, regTypeStr, scalarReg, unknownReg, type Reg, type State } from "./state.js";
import { MAX_VAR_OFF, MAX_PACKET_OFF, S64_MIN, type Facts, type VerifierEnv } from "./env.js";
import { fail, unsupported } from "./reject.js";
import { checkStackAccessWithinBounds, checkStackWrite, checkStackRead } from "./stack.js";

function signExtendLoad(v: Scalar, size: number): Scalar {
  return S.coerceToSizeSx(v, size as 1 | 2 | 4);
}

const BPF_F_RDONLY_PROG = 1 << 7;

const BPF_F_WRONLY_PROG = 1 << 8;

function varOffText(r: Reg): string {
  return T.isConst(r.v.varOff) ? BigInt.asIntN(64, r.v.varOff.value).toString() : T.tnumText(r.v.varOff);
}

/** check_ptr_alignment */
function checkPtrAlignment(env: VerifierEnv, r: Reg, off: number, size: number, strictOnce = false): void {
  if (isPkt(r)) {
    if (!(env.strict || strictOnce) || size === 1) return;
    const t = T.add(r.v.varOff, T.tnumConst(BigInt(2 + r.off + off)));
    if (!T.isAligned(t, size)) fail(ERRNO.EACCES, `misaligned packet access off 2+${varOffText(r)}+${r.off}+${off} size ${size}`);
    return;
  }
  const desc = r.type === "map_value" ? "value " : r.type === "ctx" ? "context " : r.type === "fp" ? "stack " : "";
  // atomics are always checked strictly (the kernel's strict_alignment_once)
  const strict = env.strict || strictOnce || r.type === "fp";
  if (!strict || size === 1) return;
  const t = T.add(r.v.varOff, T.tnumConst(BigInt(r.off + off)));
  if (!T.isAligned(t, size)) fail(ERRNO.EACCES, `misaligned ${desc}access off ${varOffText(r)}+${r.off}+${off} size ${size}`);
}

/**
 * check_mem_access for a load ("read", returns the loaded value) or a store ("write" of
 * `value`, or of the immediate `imm` for BPF_ST).
 */
export function checkMemAccess(env: VerifierEnv, s: State, regno: number, insnOff: number, size: number, t: "read" | "write", value: Reg | null, f: Facts, signExt: boolean, imm?: number, strictOnce = false): Reg | null {
  const reg = cur(s).regs[regno]!;
  checkPtrAlignment(env, reg, insnOff, size, strictOnce);
  const off = insnOff + reg.off;
  let out: Reg | null = null;
  if (reg.type === "map_value" && !reg.nullable) {
    checkMapAccessType(env, reg, regno, off, size, t);
    checkMapAccess(env, reg, regno, off, size, false);
    const kptr = kptrAccess(env, s, reg, off, size, t, value);
    if (kptr !== undefined) out = kptr;
    else if (t === "read") out = frozenMapRead(env, reg, off, size, signExt) ?? unknownReg();
  } else if (reg.type === "ctx" && env.attach !== null) {
    checkPtrOffReg(reg, regno);
    // btf_ctx_access's own lines come first: on a refusal they are its first error lines
    const said: string[] = [];
    const v = tracingCtxAccess(env.attach, off, size, t === "write", (l) => said.push(l));
    if (v === null) return fail(ERRNO.EACCES, ...said, `invalid bpf_context access off=${off} size=${size}`);
    for (const l of said) env.verbose(`${l}\n`);
    if (t === "read") out = v.kind === "scalar" ? unknownReg() : btfPtrReg(env, v.btfId, v.flags, v.nullable);
  } else if (reg.type === "btf_id" && !reg.nullable) {
    out = checkPtrToBtfAccess(env, s, reg, regno, off, size, t);
    f.probeMem = true;
  } else if (reg.type === "untrusted_mem" && !reg.nullable) {
    // read-only memory of unknown size (a `char *` field): any offset, read as a probe load
    if (t === "write") fail(ERRNO.EACCES, `R${regno} cannot write into ${regTypeStr(reg)}`);
    out = unknownReg();
    f.probeMem = true;
  } else if (reg.type === "ctx") {
    checkPtrOffReg(reg, regno);
    const a = ctxAccess(env.opts.progType, off, size, t === "write");
    if (!a.ok) return fail(ERRNO.EACCES, `invalid bpf_context access off=${off} size=${size}`);
    if (t === "read") {
      if (a.value === "scalar") out = unknownReg();
      else if (a.value === "sock_common_or_null") out = ptrReg("sock_common", { nullable: true, id: ++env.idGen });
      else out = ptrReg(a.value);
    }
  } else if (reg.type === "fp") {
    checkStackAccessWithinBounds(env, s, reg, regno, off, size, t === "read" ? " read from" : " write to");
    out = t === "read" ? checkStackRead(env, s, reg, off, size) : (checkStackWrite(env, s, reg, off, size, value, imm), null);
  } else if (isPkt(reg) && !reg.nullable) {
    if (t === "write" && env.opts.progType !== "xdp" && env.opts.progType !== "sched_cls" && env.opts.progType !== "sched_act") {
      fail(ERRNO.EACCES, "cannot write into packet");
    }
    checkPacketAccess(reg, regno, off, size, false);
    if (t === "read") out = unknownReg();
  } else if (reg.type === "ringbuf_mem" && !reg.nullable) {
    const msg = (o: bigint): string => `invalid access to memory, mem_size=${reg.memSize} off=${o} size=${size}`;
    checkMemRegionAccess(reg, regno, off, size, reg.memSize, false, msg);
    if (t === "read") out = unknownReg();
  } else if (reg.type === "rdonly_mem" && !reg.nullable) {
    if (t === "write") fail(ERRNO.EACCES, `R${regno} cannot write into ${regTypeStr(reg)}`);
    const msg = (o: bigint): string => `invalid access to memory, mem_size=${reg.memSize} off=${o} size=${size}`;
    checkMemRegionAccess(reg, regno, off, size, reg.memSize, false, msg);
    out = unknownReg();
  } else if (reg.type === "map_key") {
    if (t === "write") fail(ERRNO.EACCES, `write to change key R${regno} not allowed`);
    const m = env.maps[reg.map]!;
    const msg = (o: bigint): string => `invalid access to map key, key_size=${m.keySize} off=${o} size=${size}`;
    checkMemRegionAccess(reg, regno, off, size, m.keySize, false, msg);
    out = unknownReg();
  } else if (reg.type === "sock_common" && !reg.nullable) {
    if (t === "write") fail(ERRNO.EACCES, `R${regno} cannot write into ${regTypeStr(reg)}`);
    checkPtrOffReg(reg, regno);
    if (!sockCommonAccess(off, size)) fail(ERRNO.EACCES, `R${regno} invalid ${regTypeStr(reg)} access off=${off} size=${size}`);
    out = unknownReg();
  } else if (reg.type === "map_ptr") {
    return unsupported(`access through a ${regTypeStr(reg)} pointer`);
  } else {
    return fail(ERRNO.EACCES, `R${regno} invalid mem access '${regTypeStr(reg)}'`);
  }
  f.safeAccess = true;
  if (out !== null && out.type === "scalar" && size < 8) {
    out = scalarReg(signExt ? signExtendLoad(out.v, size) : S.coerceToSize(out.v, size as 1 | 2 | 4));
  } else if (out !== null && out.type === "scalar" && signExt) {
    out = unknownReg();
  }
  return out;
}

/** bpf_map_is_rdonly: programs cannot write the map (BPF_F_RDONLY_PROG) and user space no longer may (frozen). */
export const mapIsRdonly = (m: MapDef): boolean => m.frozen === true && ((m.flags ?? 0) & BPF_F_RDONLY_PROG) !== 0;

/**
 * A load at a constant offset from a map that is frozen and read-only to programs
 * (bpf_map_is_rdonly) reads the map's bytes (bpf_map_direct_read): the value is a known
 * constant, so branches on `.rodata` settings are decided at load. Null: the load is unknown.
 */
function frozenMapRead(env: VerifierEnv, reg: Reg, off: number, size: number, signExt: boolean): Reg | null {
  const m = env.maps[reg.map]!;
  if (!T.isConst(reg.v.varOff) || !mapIsRdonly(m)) return null;
  // only plain arrays have map_direct_value_addr; it works on a single-element array only
  // (the kernel's -ENOTSUPP comes back from the load without a log line)
  if (m.type !== "array") return null;
  if (m.maxEntries !== 1) fail(ERRNO.ENOTSUPP);
  const at = off + Number(BigInt.asIntN(64, reg.v.varOff.value));
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(m.initial?.[at + i] ?? 0);
  return constReg(signExt && size < 8 ? BigInt.asUintN(64, BigInt.asIntN(size * 8, v)) : v);
}

/** Kernel objects freed only after an RCU grace period: a kptr to one loads as an RCU pointer (rcu_protected_object). */
const RCU_PROTECTED: ReadonlySet<string> = new Set(["cgroup", "bpf_cpumask", "task_struct", "bpf_crypto_ctx"]);

/**
 * check_map_kptr_access: a load or store touching a kptr field of a map value. A load is an
 * 8-byte read of the whole field and gives a maybe-null BTF pointer (RCU-protected for a
 * referenced kptr to an RCU-freed kernel object inside the RCU section, else untrusted); a
 * referenced kptr is written only by bpf_kptr_xchg. Undefined when no kptr is touched.
 */
function kptrAccess(env: VerifierEnv, s: State, reg: Reg, off: number, size: number, t: "read" | "write", value: Reg | null): Reg | null | undefined {
  const fields = env.maps[reg.map]!.kptrs ?? [];
  const lo = reg.v.smin + BigInt(off);
  const hi = reg.v.umax + BigInt(off + size);
  const k = fields.find((x) => lo < BigInt(x.off + 8) && BigInt(x.off) < hi);
  if (k === undefined) return undefined;
  if (!T.isConst(reg.v.varOff)) fail(ERRNO.EACCES, "kptr access cannot have variable offset");
  const at = Number(BigInt.asIntN(64, reg.v.varOff.value)) + off;
  if (at !== k.off) fail(ERRNO.EACCES, `kptr access misaligned expected=${k.off} off=${at}`);
  if (size !== 8) fail(ERRNO.EACCES, "kptr access size must be BPF_DW");
  const btf = env.opts.attachBtf;
  const id = btf?.findByName(k.struct, "STRUCT")[0];
  if (t === "write") {
    if (k.ref) fail(ERRNO.EACCES, "store to referenced kptr disallowed");
    const ok = value === null || (value.type === "scalar" && value.v.umax === 0n) || (value.type === "btf_id" && value.btfName === k.struct && value.off === 0);
    if (!ok) fail(ERRNO.EACCES, `invalid kptr access, R${0} type=${value === null ? "scalar" : regTypeStr(value)} expected=ptr_${k.struct}`);
    return null;
  }
  if (btf === undefined || id === undefined) return unsupported(`kptr to struct ${k.struct} without the kernel's BTF`);
  const rcu = k.ref && RCU_PROTECTED.has(k.struct) && inRcu(env, s);
  return btfPtrReg(env, id, rcu ? BTF_FLAG.RCU : BTF_FLAG.UNTRUSTED, true);
}

/** A BTF pointer to struct `btfId` of the target BTF; one that may be null gets an id for its null check. */
export function btfPtrReg(env: VerifierEnv, btfId: number, flags: number, nullable: boolean, extra: Partial<Reg> = {}): Reg {
  const btf = env.opts.attachBtf!;
  return ptrReg("btf_id", { btfId, btfName: btf.name(btfId), btfFlags: flags, nullable, ...(nullable ? { id: ++env.idGen } : {}), ...extra });
}

/** check_ptr_to_btf_access: a load through a BTF pointer, by btf_struct_access; stores are refused. */
function checkPtrToBtfAccess(env: VerifierEnv, s: State, reg: Reg, regno: number, off: number, size: number, t: "read" | "write"): Reg | null {
  const btf = env.opts.attachBtf;
  if (btf === undefined) return fail(ERRNO.EACCES, `R${regno} invalid mem access '${regTypeStr(reg)}'`);
  const tname = reg.btfName;
  if (!GPL_LICENSES.has(env.opts.license ?? "GPL")) fail(ERRNO.EINVAL, `Cannot access kernel 'struct ${tname}' from non-GPL compatible program`);
  if (off < 0) fail(ERRNO.EACCES, `R${regno} is ptr_${tname} invalid negative access: off=${off}`);
  if (!T.isConst(reg.v.varOff) || reg.v.varOff.value !== 0n) fail(ERRNO.EACCES, `R${regno} is ptr_${tname} invalid variable offset: off=${off}, var_off=${T.tnumText(reg.v.varOff)}`);
  if ((reg.btfFlags & BTF_FLAG.USER) !== 0) fail(ERRNO.EACCES, `R${regno} is ptr_${tname} access user memory: off=${off}`);
  if ((reg.btfFlags & BTF_FLAG.PERCPU) !== 0) fail(ERRNO.EACCES, `R${regno} is ptr_${tname} access percpu memory: off=${off}`);
  if (t === "write") fail(ERRNO.EACCES, "only read is supported");
  const r = btfStructAccess(btf, reg.btfId, off, size);
  if (r.kind === "scalar") return unknownReg();
  if (r.kind === "untrusted_mem") return ptrReg("untrusted_mem");
  const fl = loadedPtrFlags(btf, { btfId: reg.btfId, flags: reg.btfFlags, nullable: reg.nullable }, r, inRcu(env, s));
  return btfPtrReg(env, r.btfId, fl.flags, fl.nullable);
}

/** in_rcu_cs: non-sleepable programs run inside an RCU read section; sleepable ones between bpf_rcu_read_lock/unlock. */
function inRcu(env: VerifierEnv, s: State): boolean {
  return !env.sleepable || s.rcuLock > 0 || s.lock !== null;
}

/** __check_ptr_off_reg for ctx */
export function checkPtrOffReg(reg: Reg, regno: number): void {
  const t = regTypeStr(reg);
  if (reg.off < 0) fail(ERRNO.EACCES, `negative offset ${t} ptr R${regno} off=${reg.off} disallowed`);
  if (reg.off !== 0) fail(ERRNO.EACCES, `dereference of modified ${t} ptr R${regno} off=${reg.off} disallowed`);
  if (!T.isConst(reg.v.varOff) || reg.v.varOff.value !== 0n) fail(ERRNO.EACCES, `variable ${t} access var_off=${T.tnumText(reg.v.varOff)} disallowed`);
}

/** check_map_access_type: BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG maps. */
export function checkMapAccessType(env: VerifierEnv, reg: Reg, regno: number, off: number, size: number, t: "read" | "write"): void {
  const m = env.maps[reg.map]!;
  const flags = m.flags ?? 0;
  if (t === "write" && (flags & BPF_F_RDONLY_PROG) !== 0) fail(ERRNO.EACCES, `write into map forbidden, value_size=${m.valueSize} off=${off} size=${size}`);
  if (t === "read" && (flags & BPF_F_WRONLY_PROG) !== 0) fail(ERRNO.EACCES, `read from map forbidden, value_size=${m.valueSize} off=${off} size=${size}`);
  void regno;
}

/** check_map_access → check_mem_region_access */
export function checkMapAccess(env: VerifierEnv, reg: Reg, regno: number, off: number, size: number, zeroOk: boolean): void {
  const m = env.maps[reg.map]!;
  const msg = (o: bigint): string => `invalid access to map value, value_size=${m.valueSize} off=${o} size=${size}`;
  checkMemRegionAccess(reg, regno, off, size, m.valueSize, zeroOk, msg);
  // the lock word is touched by the lock helpers only
  const p = m.spinLockOff;
  if (p !== undefined && reg.v.smin + BigInt(off) < BigInt(p + 4) && BigInt(p) < reg.v.umax + BigInt(off + size)) fail(ERRNO.EACCES, "bpf_spin_lock cannot be accessed directly by load/store");
}

/** check_mem_region_access: [off, off + size) plus the variable offset inside [0, memSize). */
export function checkMemRegionAccess(reg: Reg, regno: number, off: number, size: number, memSize: number, zeroOk: boolean, msg: (off: bigint) => string): void {
  const v = reg.v;
  const o = BigInt(off);
  const inside = (at: bigint): boolean => (size > 0 || (size === 0 && zeroOk)) && at >= 0n && at + BigInt(size) <= BigInt(memSize);
  if (v.smin < 0n && (v.smin === S64_MIN || BigInt.asIntN(32, o + v.smin) !== o + v.smin || v.smin + o < 0n)) {
    fail(ERRNO.EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  }
  if (!inside(v.smin + o)) fail(ERRNO.EACCES, msg(v.smin + o), `R${regno} min value is outside of the allowed memory range`);
  if (v.umax >= MAX_VAR_OFF) fail(ERRNO.EACCES, `R${regno} unbounded memory access, make sure to bounds check any such access`);
  if (!inside(v.umax + o)) fail(ERRNO.EACCES, msg(v.umax + o), `R${regno} max value is outside of the allowed memory range`);
}

/** check_packet_access */
export function checkPacketAccess(reg: Reg, regno: number, off: number, size: number, zeroOk: boolean): void {
  if (reg.v.smin < 0n) fail(ERRNO.EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  const ok = (size > 0 || (size === 0 && zeroOk)) && off >= 0 && off + size <= reg.range;
  if (!ok) {
    fail(ERRNO.EACCES, `invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${off},r=${reg.range})`, `R${regno} offset is outside of the packet`);
  }
  if (!T.isConst(reg.v.varOff) || reg.v.varOff.value !== 0n) {
    // the range was proven for this pointer (same id) including its variable part
    if (reg.v.umax > BigInt(MAX_PACKET_OFF)) fail(ERRNO.EACCES, `R${regno} unbounded memory access, make sure to bounds check any such access`);
  }
}

/** check_atomic: a read-modify-write of `size` bytes, checked as a load and a store. */
export function checkAtomic(env: VerifierEnv, ins: Insn, s: State, size: number, f: Facts): void {
  const op = ins.imm;
  const known = [AtomicOp.ADD, AtomicOp.OR, AtomicOp.AND, AtomicOp.XOR, AtomicOp.ADD | AtomicOp.FETCH, AtomicOp.OR | AtomicOp.FETCH, AtomicOp.AND | AtomicOp.FETCH, AtomicOp.XOR | AtomicOp.FETCH, AtomicOp.XCHG, AtomicOp.CMPXCHG] as number[];
  if (!known.includes(op)) return unsupported(`atomic operation 0x${(op >>> 0).toString(16)}`);
  if (size !== 4 && size !== 8) fail(ERRNO.EINVAL, "invalid atomic operand size");
  // check_atomic_rmw reads src, then dst, then (cmpxchg) R0
  env.readReg(s, ins.src);
  const d = env.readReg(s, ins.dst);
  if (op === AtomicOp.CMPXCHG) env.readReg(s, 0);
  if (d.type === "ctx" || isPkt(d) || d.type === "sock_common") fail(ERRNO.EACCES, `BPF_ATOMIC stores into R${ins.dst} ${regTypeStr(d)} is not allowed`);
  const fetch = (op & AtomicOp.FETCH) !== 0;
  const loadReg = op === AtomicOp.CMPXCHG ? 0 : ins.src;
  checkMemAccess(env, s, ins.dst, ins.off, size, "read", null, f, false, undefined, true);
  checkMemAccess(env, s, ins.dst, ins.off, size, "write", unknownReg(), f, false, undefined, true);
  if (fetch) {
    env.writeReg(s, loadReg);
    env.setReg(s, loadReg, scalarReg(size === 8 ? S.scalarUnknown() : S.coerceToSize(S.scalarUnknown(), 4)));
  }
}
