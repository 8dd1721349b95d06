// check_alu_op: scalar ALU with bounds (scalar.ts), pointer arithmetic
// (adjust_ptr_min_max_vals), and the register links of mov and add-const.
import * as S from "./scalar.js";
import * as T from "./tnum.js";
import type { Insn } from "../isa/insn.js";
import { AluOp, Source, opAlu, opSource } from "../isa/opcode.js";
import { ERRNO } from "../errors.js";
import type { Scalar } from "./scalar.js";
import { constReg, cur, isPkt, regTypeStr, scalarReg, unknownReg, type Reg, type State } from "./state.js";
import { MAX_VAR_OFF, S64_MIN, type Facts, type VerifierEnv } from "./env.js";
import { fail } from "./reject.js";

const ALU_STR: Record<number, string> = {
  [AluOp.ADD]: "+=", [AluOp.SUB]: "-=", [AluOp.MUL]: "*=", [AluOp.DIV]: "/=", [AluOp.OR]: "|=", [AluOp.AND]: "&=",
  [AluOp.LSH]: "<<=", [AluOp.RSH]: ">>=", [AluOp.NEG]: "neg", [AluOp.MOD]: "%=", [AluOp.XOR]: "^=", [AluOp.MOV]: "=",
  [AluOp.ARSH]: "s>>=", [AluOp.END]: "endian",
};

const ALU_NAME: Record<number, S.AluName> = {
  [AluOp.ADD]: "add", [AluOp.SUB]: "sub", [AluOp.MUL]: "mul", [AluOp.OR]: "or", [AluOp.AND]: "and", [AluOp.LSH]: "lsh",
  [AluOp.RSH]: "rsh", [AluOp.ARSH]: "arsh", [AluOp.XOR]: "xor", [AluOp.MOV]: "mov", [AluOp.NEG]: "neg",
};

/** check_alu_op: one ALU or ALU64 instruction (div/mod also note what the JIT may drop in `f`). */
export function checkAluOp(env: VerifierEnv, ins: Insn, s: State, is64: boolean, f: Facts): void {
  const op = opAlu(ins.code);
  const x = opSource(ins.code) === Source.X;
  const regs = cur(s).regs;
  if (op === AluOp.END || op === AluOp.NEG) {
    const d = env.readReg(s, ins.dst);
    env.writeReg(s, ins.dst);
    if (d.type !== "scalar") {
      env.setReg(s, ins.dst, is64 ? unknownReg() : scalarReg(S.zext32(S.scalarUnknown())));
      return;
    }
    if (op === AluOp.NEG) {
      env.setReg(s, ins.dst, scalarReg(is64 ? S.alu64("neg", d.v, d.v) : S.alu32("neg", d.v, d.v)));
      return;
    }
    const le = !is64 && !x;
    const bits = BigInt(ins.imm);
    let v: Scalar;
    // to little-endian on this (little-endian) host truncates; be and bswap swap the bytes
    if (le) v = bits === 64n ? d.v : S.coerceToSize(d.v, Number(bits / 8n) as 2 | 4);
    else v = S.byteSwap(d.v, Number(bits / 8n) as 2 | 4 | 8);
    env.setReg(s, ins.dst, scalarReg(v));
    return;
  }
  if (op === AluOp.MOV) {
    const src = x ? env.readReg(s, ins.src) : null;
    env.writeReg(s, ins.dst);
    if (src === null) {
      env.setReg(s, ins.dst, constReg(is64 ? BigInt(ins.imm) : BigInt(ins.imm >>> 0)));
      return;
    }
    if (src.type !== "scalar") {
      env.setReg(s, ins.dst, is64 && ins.off === 0 ? src : is64 ? unknownReg() : scalarReg(S.zext32(S.scalarUnknown())));
      return;
    }
    if (ins.off !== 0) {
      // movsx: sign extension from 8, 16 or 32 bits (of the subregister for ALU32)
      const from = ins.off / 8 as 1 | 2 | 4;
      const v = is64 ? S.coerceToSizeSx(src.v, from) : S.zext32(S.coerceToSizeSx(S.zext32(src.v), from));
      env.setReg(s, ins.dst, scalarReg(v));
      return;
    }
    // assign_scalar_id_before_mov: a register already linked with a delta is unlinked first
    const base: Reg = src.addConst ? { ...src, id: 0, off: 0, addConst: false } : src;
    if (is64) {
      let id = base.id;
      if (id === 0 && !T.isConst(base.v.varOff)) id = ++env.idGen;
      if (base !== src || id !== src.id) regs[ins.src] = { ...base, id };
      env.setReg(s, ins.dst, { ...base, id });
    } else {
      const fits = src.v.umax <= 0xffffffffn;
      let id = 0;
      if (fits) {
        id = base.id;
        if (id === 0 && !T.isConst(base.v.varOff)) id = ++env.idGen;
        if (base !== src || id !== src.id) regs[ins.src] = { ...base, id };
      }
      env.setReg(s, ins.dst, scalarReg(S.zext32(src.v), id));
    }
    return;
  }
  const src: Reg = x ? env.readReg(s, ins.src) : constReg(BigInt(ins.imm));
  const dst = env.readReg(s, ins.dst);
  if ((op === AluOp.DIV || op === AluOp.MOD) && !x && ins.imm === 0) fail(ERRNO.EINVAL, "div by zero");
  if ((op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH) && !x && (ins.imm < 0 || ins.imm >= (is64 ? 64 : 32))) {
    fail(ERRNO.EINVAL, `invalid shift ${ins.imm}`);
  }
  env.writeReg(s, ins.dst);
  if (op === AluOp.DIV || op === AluOp.MOD) {
    f.divSeen = true;
    if (src.type !== "scalar" || (is64 ? src.v.umin === 0n : src.v.u32min === 0n)) f.zeroSeen = true;
    if (ins.off === 1 && (src.type !== "scalar" || (is64 ? src.v.smin <= -1n && src.v.smax >= -1n : src.v.s32min <= -1n && src.v.s32max >= -1n))) f.zeroSeen = true;
  }
  if (src.type !== "scalar") {
    if (dst.type !== "scalar") {
      if (op === AluOp.SUB) {
        env.setReg(s, ins.dst, unknownReg());
        return;
      }
      fail(ERRNO.EACCES, `R${ins.dst} pointer ${ALU_STR[op]} pointer prohibited`);
    }
    env.setReg(s, ins.dst, adjustPtrMinMaxVals(env, ins, is64, op, src, dst, true));
    return;
  }
  if (dst.type !== "scalar") {
    env.setReg(s, ins.dst, adjustPtrMinMaxVals(env, ins, is64, op, dst, src, false));
    return;
  }
  const v = adjustScalar(op, dst.v, src.v, is64);
  // BPF_ADD_CONST: `rX += const` keeps rX linked to the registers sharing its id, with a delta
  if (is64 && (op === AluOp.ADD || op === AluOp.SUB) && dst.id !== 0 && !dst.addConst && S.isConstScalar(src.v)) {
    const val = BigInt.asIntN(64, src.v.varOff.value);
    if (val >= -(1n << 31n) && val < 1n << 31n && !(op === AluOp.SUB && val === -(1n << 31n))) {
      const delta = Number(op === AluOp.SUB ? -val : val);
      env.setReg(s, ins.dst, { ...scalarReg(v, dst.id), off: delta, addConst: true });
      return;
    }
  }
  env.setReg(s, ins.dst, scalarReg(v));
}

function adjustScalar(op: number, d: Scalar, sv: Scalar, is64: boolean): Scalar {
  const name = ALU_NAME[op] ?? "other";
  // is_safe_to_compute_dst_reg_range: add/sub/neg/and/or/xor/mul always; shifts only by a
  // constant below the width (the 32-bit form checks the subregister for constness, the
  // 64-bit umax for the range); anything else (div, mod, other shifts) leaves the WHOLE
  // register unknown, even for a 32-bit operation (Linux returns before zero-extending)
  if (name === "lsh" || name === "rsh" || name === "arsh" || name === "other") {
    const width = is64 ? 64n : 32n;
    const srcConst = is64
      ? S.isConstScalar(sv) && sv.smin === sv.smax && sv.umin === sv.umax
      : T.isConst(T.subreg(sv.varOff)) && sv.s32min === sv.s32max && sv.u32min === sv.u32max;
    if (name === "other" || !srcConst || sv.umax >= width) return S.scalarUnknown();
  }
  return is64 ? S.alu64(name, d, sv) : S.alu32(name, d, sv);
}

/** adjust_ptr_min_max_vals: pointer +/- scalar; `swapped` for scalar += pointer. */
function adjustPtrMinMaxVals(env: VerifierEnv, ins: Insn, is64: boolean, op: number, ptr: Reg, off: Reg, swapped: boolean): Reg {
  const dst = ins.dst;
  if (!is64) {
    if (op === AluOp.SUB) return unknownReg();
    fail(ERRNO.EACCES, `R${dst} 32-bit pointer arithmetic prohibited`);
  }
  if (ptr.nullable) fail(ERRNO.EACCES, `R${dst} pointer arithmetic on ${regTypeStr(ptr)} prohibited, null-check it first`);
  const known = S.isConstScalar(off.v);
  const val = BigInt.asIntN(64, off.v.varOff.value);
  const allowed = ptr.type === "ctx" || ptr.type === "map_value" || ptr.type === "map_key" || ptr.type === "fp" || ptr.type === "pkt" || ptr.type === "pkt_meta" || ptr.type === "ringbuf_mem" || ptr.type === "btf_id" || ptr.type === "untrusted_mem" || (ptr.type === "func" && known);
  if (!allowed && !(ptr.type === "map_ptr" && known && val === 0n && op === AluOp.ADD)) {
    fail(ERRNO.EACCES, `R${dst} pointer arithmetic on ${regTypeStr(ptr)} prohibited`);
  }
  checkRegSaneOffset(off, ptr);
  checkRegSaneOffset(ptr, ptr);
  let r: Reg;
  if (op === AluOp.ADD) {
    if (known) {
      r = { ...ptr, off: ptr.off + Number(val) };
    } else {
      r = { ...ptr, v: S.alu64("add", ptr.v, off.v) };
      if (isPkt(ptr)) r = { ...r, id: ++env.idGen, range: 0 };
    }
  } else if (op === AluOp.SUB) {
    if (swapped) fail(ERRNO.EACCES, `R${dst} tried to subtract pointer from scalar`);
    if (ptr.type === "fp") fail(ERRNO.EACCES, `R${dst} subtraction from stack pointer prohibited`);
    if (known && val !== S64_MIN) {
      r = { ...ptr, off: ptr.off - Number(val) };
    } else {
      r = { ...ptr, v: S.alu64("sub", ptr.v, off.v) };
      if (isPkt(ptr)) r = { ...r, id: ++env.idGen, range: 0 };
    }
  } else if (op === AluOp.AND || op === AluOp.OR || op === AluOp.XOR) {
    return fail(ERRNO.EACCES, `R${dst} bitwise operator ${ALU_STR[op]} on pointer prohibited`);
  } else {
    return fail(ERRNO.EACCES, `R${dst} pointer arithmetic with ${ALU_STR[op]} operator prohibited`);
  }
  if (Math.abs(r.off) >= Number(MAX_VAR_OFF)) fail(ERRNO.EINVAL, `${regTypeStr(ptr)} pointer offset ${r.off} is not allowed`);
  checkRegSaneOffset(r, ptr);
  return r;
}

/** check_reg_sane_offset */
function checkRegSaneOffset(reg: Reg, ptr: Reg): void {
  const t = regTypeStr(ptr);
  const known = S.isConstScalar(reg.v);
  const val = BigInt.asIntN(64, reg.v.varOff.value);
  if (known && (val >= MAX_VAR_OFF || val <= -MAX_VAR_OFF)) fail(ERRNO.EINVAL, `math between ${t} pointer and ${val} is not allowed`);
  if (reg.off >= Number(MAX_VAR_OFF) || reg.off <= -Number(MAX_VAR_OFF)) fail(ERRNO.EINVAL, `${t} pointer offset ${reg.off} is not allowed`);
  if (reg.v.smin === S64_MIN) fail(ERRNO.EINVAL, `math between ${t} pointer and register with unbounded min value is not allowed`);
  if (reg.v.smin >= MAX_VAR_OFF || reg.v.smin <= -MAX_VAR_OFF) fail(ERRNO.EINVAL, `value ${reg.v.smin} makes ${t} pointer be out of bounds`);
}
