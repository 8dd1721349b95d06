// The stack of a frame: bounds (check_stack_access_within_bounds), spills and fills
// (save_register_state, check_stack_read / check_stack_write), constant map keys.
import * as S from "./scalar.js";
import * as T from "./tnum.js";
import { ERRNO } from "../errors.js";
import { MAX_BPF_STACK } from "../isa/limits.js";
import { EMPTY_SLOT, constReg, isPointer, scalarReg, unknownReg, type ByteKind, type Frame, type Reg, type State } from "./state.js";
import { MAX_VAR_OFF, type VerifierEnv } from "./env.js";
import { fail } from "./reject.js";

/** check_stack_access_within_bounds */
export function checkStackAccessWithinBounds(env: VerifierEnv, s: State, reg: Reg, regno: number, off: number, size: number, extra: string): void {
  let minOff: bigint;
  let maxOff: bigint;
  const constOff = T.isConst(reg.v.varOff);
  if (constOff) {
    minOff = BigInt.asIntN(64, reg.v.varOff.value) + BigInt(off);
    maxOff = minOff + BigInt(size);
  } else {
    if (reg.v.smax >= MAX_VAR_OFF || reg.v.smin <= -MAX_VAR_OFF) fail(ERRNO.EACCES, `invalid unbounded variable-offset${extra} stack R${regno}`);
    minOff = reg.v.smin + BigInt(off);
    maxOff = reg.v.smax + BigInt(off) + BigInt(size);
  }
  let errno = 0;
  if (minOff < -BigInt(MAX_BPF_STACK) || minOff > -1n) errno = ERRNO.EACCES;
  else if (maxOff > 0n) errno = ERRNO.EINVAL;
  if (errno !== 0) {
    if (constOff) fail(errno, `invalid${extra} stack R${regno} off=${off} size=${size}`);
    fail(errno, `invalid variable-offset${extra} stack R${regno} var_off=${T.tnumText(reg.v.varOff)} off=${off} size=${size}`);
  }
  const depth = Number(-minOff);
  const f = frameOf(s, reg);
  const sp = f.subprog;
  env.stackDepth[sp] = Math.max(env.stackDepth[sp]!, depth);
  while (f.stack.length * 8 < depth) f.stack.push(EMPTY_SLOT);
}

/** The frame a stack pointer points into. */
export function frameOf(s: State, reg: Reg): Frame {
  return s.frames[reg.frameno]!;
}

/** check_stack_write: a store of `value` (or the immediate `imm`) to the stack. */
export function checkStackWrite(env: VerifierEnv, s: State, reg: Reg, off: number, size: number, value: Reg | null, imm: number | undefined): void {
  const f = frameOf(s, reg);
  if (!T.isConst(reg.v.varOff)) {
    // check_stack_write_var_off: every byte the access may touch becomes data
    const lo = Number(reg.v.smin) + off;
    const hi = Number(reg.v.smax) + off + size;
    const zero = (value !== null && value.type === "scalar" && S.isConstScalar(value.v) && value.v.varOff.value === 0n) || imm === 0;
    for (let a = lo; a < hi; a++) setStackByte(env, f, a, zero ? "keep0" : "m");
    return;
  }
  const at = off + Number(BigInt.asIntN(64, reg.v.varOff.value));
  const spi = (-at - 1) >> 3;
  env.scratchSlots.add(spi);
  const old = f.stack[spi]!;
  const types = old.types.slice() as ByteKind[];
  const start = at + (spi + 1) * 8; // byte index from the slot's low end
  const fullSlot = at % 8 === 0;
  if (value !== null && value.type === "scalar" && fullSlot) {
    saveRegisterState(f, spi, value, size);
    return;
  }
  if (value === null && imm !== undefined && imm !== 0 && fullSlot) {
    saveRegisterState(f, spi, constReg(BigInt(imm)), size);
    return;
  }
  if (value !== null && isPointer(value)) {
    if (size !== 8) fail(ERRNO.EACCES, "invalid size of register spill");
    saveRegisterState(f, spi, value, size);
    return;
  }
  // plain data: a partially overwritten spill becomes data too
  if (old.spill !== null) for (let j = 0; j < 8; j++) if (types[j] === "r") types[j] = "m";
  const zero = (value !== null && value.type === "scalar" && S.isConstScalar(value.v) && value.v.varOff.value === 0n) || imm === 0;
  for (let i = 0; i < size; i++) types[7 - (start + i)] = zero ? "0" : "m";
  f.stack[spi] = { types, spill: null };
}

/** save_register_state: a spill of `size` bytes at the start of slot `spi`. */
function saveRegisterState(f: Frame, spi: number, reg: Reg, size: number): void {
  const old = f.stack[spi]!;
  const types = old.types.slice() as ByteKind[];
  for (let j = 7; j > 7 - size; j--) types[j] = "r";
  for (let j = 7 - size; j >= 0; j--) if (types[j] === "r") types[j] = "m";
  let spilled = reg;
  if (size !== 8 && reg.type === "scalar") {
    const v = S.coerceToSize(reg.v, size as 1 | 2 | 4);
    // the narrow spill stays linked only when it keeps the whole value
    spilled = v.umax === reg.v.umax && reg.v.umax < 1n << BigInt(size * 8) ? { ...reg, v } : scalarReg(v);
  }
  f.stack[spi] = { types, spill: spilled };
}

/** One stack byte becomes data ("m"), or stays zero with "keep0" when it was zero. */
export function setStackByte(env: VerifierEnv, f: Frame, addr: number, kind: "m" | "keep0"): void {
  const spi = (-addr - 1) >> 3;
  const j = 7 - (addr + (spi + 1) * 8);
  env.scratchSlots.add(spi);
  const old = f.stack[spi]!;
  const types = old.types.slice() as ByteKind[];
  const hadSpill = old.spill !== null;
  if (hadSpill) for (let k = 0; k < 8; k++) if (types[k] === "r") types[k] = "m";
  types[j] = kind === "keep0" && types[j] === "0" ? "0" : "m";
  f.stack[spi] = { types, spill: null };
}

/** check_stack_read: a load from the stack, the spilled register when the slot holds one. */
export function checkStackRead(env: VerifierEnv, s: State, reg: Reg, off: number, size: number): Reg {
  const f = frameOf(s, reg);
  if (!T.isConst(reg.v.varOff)) return unknownReg();
  const at = off + Number(BigInt.asIntN(64, reg.v.varOff.value));
  const spi = (-at - 1) >> 3;
  env.scratchSlots.add(spi);
  const slot = f.stack[spi]!;
  const start = at + (spi + 1) * 8;
  if (slot.types[7] === "r" && slot.spill !== null) {
    let spillSize = 1;
    for (let i = 7; i > 0 && slot.types[i - 1] === "r"; i--) spillSize++;
    if (size === 8 && spillSize === 8) return slot.spill;
    if (slot.spill.type !== "scalar") fail(ERRNO.EACCES, "invalid size of register fill");
    if (size <= spillSize && start === 0) return scalarReg(S.coerceToSize(slot.spill.v, size as 1 | 2 | 4 | 8));
    return unknownReg();
  }
  let zeros = 0;
  for (let i = 0; i < size; i++) if (slot.types[7 - (start + i)] === "0") zeros++;
  return zeros === size ? constReg(0n) : unknownReg();
}

/** get_constant_map_key: a stack key whose bytes are known (STACK_ZERO or a spilled constant). */
export function constantMapKey(s: State, key: Reg, keySize: number): bigint | null {
  if (key.type !== "fp" || !T.isConst(key.v.varOff)) return null;
  const at = key.off + Number(BigInt.asIntN(64, key.v.varOff.value));
  const slot = -at - 1;
  const spi = slot >> 3;
  const off = slot % 8;
  const st = frameOf(s, key).stack[spi];
  if (st === undefined) return null;
  let zero = 0;
  for (let i = off; i >= 0 && st.types[i] === "0"; i--) zero++;
  if (zero >= keySize) return 0n;
  if (st.spill === null || st.types[7] !== "r" || st.spill.type !== "scalar") return null;
  let spill = 0;
  for (let i = off; i >= 0 && st.types[i] === "r"; i--) spill++;
  if (spill !== keySize || !T.isConst(st.spill.v.varOff)) return null;
  return st.spill.v.varOff.value;
}
