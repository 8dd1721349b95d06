import { DecodeError } from "../errors.js";
import { insn, type Insn } from "./insn.js";
import { MAX_BPF_REG, INSN_SIZE } from "./limits.js";
import {
  AluOp,
  AtomicOp,
  Class,
  JmpOp,
  LD_IMM64,
  Mode,
  PseudoCall,
  Size,
  Source,
  opAlu,
  opClass,
  opJmp,
  opMode,
  opSize,
  opSource,
} from "./opcode.js";

/**
 * Read little-endian bytecode into slots without judging it (the kernel's view before
 * any check). Throws only when the length is not a whole number of slots.
 */
export function decodeRaw(bytes: Uint8Array): Insn[] {
  if (bytes.length % INSN_SIZE !== 0) {
    throw new DecodeError(Math.floor(bytes.length / INSN_SIZE), `program length ${bytes.length} is not a multiple of ${INSN_SIZE} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = new Array(bytes.length / INSN_SIZE);
  for (let i = 0; i < out.length; i++) {
    const at = i * INSN_SIZE;
    const regs = view.getUint8(at + 1);
    out[i] = insn(view.getUint8(at), regs & 0xf, regs >> 4, view.getInt16(at + 2, true), view.getInt32(at + 4, true));
  }
  return out;
}

/** Decode and validate: every slot must be a valid RFC 9669 instruction (see {@link checkInsn}). */
export function decodeProgram(bytes: Uint8Array): Insn[] {
  const insns = decodeRaw(bytes);
  validateProgram(insns);
  return insns;
}

/** Throw a {@link DecodeError} for the first invalid instruction, if any. */
export function validateProgram(insns: readonly Insn[]): void {
  for (let i = 0; i < insns.length; i++) {
    const reason = checkInsn(insns, i);
    if (reason !== null) throw new DecodeError(i, reason);
    if (insns[i]!.code === LD_IMM64) i++;
  }
}

const ATOMIC_RMW: ReadonlySet<number> = new Set([
  AtomicOp.ADD,
  AtomicOp.OR,
  AtomicOp.AND,
  AtomicOp.XOR,
  AtomicOp.ADD | AtomicOp.FETCH,
  AtomicOp.OR | AtomicOp.FETCH,
  AtomicOp.AND | AtomicOp.FETCH,
  AtomicOp.XOR | AtomicOp.FETCH,
  AtomicOp.XCHG,
  AtomicOp.CMPXCHG,
]);

const hex2 = (n: number): string => n.toString(16).padStart(2, "0");

/**
 * Why slot `i` is not a valid instruction, or null when it is. Reasons use the kernel's
 * wording ("unknown opcode 8c", "BPF_ALU uses reserved fields", "invalid bpf_ld_imm64 insn")
 * so that a message found here can be searched in the kernel's sources and logs.
 *
 * This is the ISA-level check: opcode, reserved fields and register numbers. Whether an
 * instruction is allowed in a given program (callx, legacy packet loads, kfuncs) is the
 * verifier's question.
 */
export function checkInsn(insns: readonly Insn[], i: number): string | null {
  const ins = insns[i]!;
  const { code, dst, src, off, imm } = ins;
  const cls = opClass(code);
  const unknown = `unknown opcode ${hex2(code)}`;
  if (dst >= MAX_BPF_REG) return `R${dst} is invalid`;

  switch (cls) {
    case Class.ALU:
    case Class.ALU64: {
      const op = opAlu(code);
      const is64 = cls === Class.ALU64;
      const x = opSource(code) === Source.X;
      if (op > AluOp.END) return unknown;
      if (op === AluOp.END) {
        if (is64 && x) return unknown;
        if (src !== 0 || off !== 0 || (imm !== 16 && imm !== 32 && imm !== 64)) return "BPF_END uses reserved fields";
        return null;
      }
      if (op === AluOp.NEG) {
        if (x) return unknown;
        if (src !== 0 || off !== 0 || imm !== 0) return "BPF_NEG uses reserved fields";
        return null;
      }
      if (op === AluOp.MOV) {
        if (x) {
          const offOk = off === 0 || off === 8 || off === 16 || (is64 && off === 32);
          if (imm !== 0 || !offOk) return "BPF_MOV uses reserved fields";
          return src >= MAX_BPF_REG ? `R${src} is invalid` : null;
        }
        if (src !== 0 || off !== 0) return "BPF_MOV uses reserved fields";
        return null;
      }
      const offOk = off === 0 || ((op === AluOp.DIV || op === AluOp.MOD) && off === 1);
      if (!offOk || (x ? imm !== 0 : src !== 0)) return "BPF_ALU uses reserved fields";
      return x && src >= MAX_BPF_REG ? `R${src} is invalid` : null;
    }

    case Class.JMP:
    case Class.JMP32: {
      const op = opJmp(code);
      const is32 = cls === Class.JMP32;
      const x = opSource(code) === Source.X;
      if (op > JmpOp.JSLE) return unknown;
      switch (op) {
        case JmpOp.JA:
          if (x) return unknown;
          // JMP | JA uses the 16-bit offset; JMP32 | JA ("gotol") the 32-bit imm.
          if (src !== 0 || dst !== 0 || (is32 ? off !== 0 : imm !== 0)) return "BPF_JA uses reserved fields";
          return null;
        case JmpOp.CALL:
          if (is32) return unknown;
          if (x) {
            // callx: target in dst_reg
            if (src !== 0 || off !== 0 || imm !== 0) return "BPF_CALL uses reserved fields";
            return null;
          }
          if (dst !== 0 || (src !== PseudoCall.HELPER && src !== PseudoCall.CALL && src !== PseudoCall.KFUNC)) {
            return "BPF_CALL uses reserved fields";
          }
          // kfunc calls may carry a module BTF fd index in off
          if (off !== 0 && src !== PseudoCall.KFUNC) return "BPF_CALL uses reserved fields";
          return null;
        case JmpOp.EXIT:
          if (is32 || x) return unknown;
          // Linux's do_check does not look at exit's offset field
          if (src !== 0 || dst !== 0 || imm !== 0) return "BPF_EXIT uses reserved fields";
          return null;
        default:
          if (x ? imm !== 0 : src !== 0) return "BPF_JMP/JMP32 uses reserved fields";
          return x && src >= MAX_BPF_REG ? `R${src} is invalid` : null;
      }
    }

    case Class.LD: {
      const mode = opMode(code);
      if (code === LD_IMM64) {
        const next = insns[i + 1];
        if (next === undefined) return "invalid bpf_ld_imm64 insn (truncated: second slot missing)";
        if (next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) return "invalid bpf_ld_imm64 insn";
        if (src > 6) return "unrecognized bpf_ld_imm64 insn";
        if (off !== 0) return "BPF_LD_IMM64 uses reserved fields";
        return null;
      }
      if ((mode === Mode.ABS || mode === Mode.IND) && opSize(code) !== Size.DW) {
        // legacy packet access: result in r0, dst must be 0, IND reads src
        if (dst !== 0 || off !== 0 || (mode === Mode.ABS && src !== 0)) return "BPF_LD_[ABS|IND] uses reserved fields";
        return mode === Mode.IND && src >= MAX_BPF_REG ? `R${src} is invalid` : null;
      }
      return unknown;
    }

    case Class.LDX: {
      const mode = opMode(code);
      if (mode !== Mode.MEM && !(mode === Mode.MEMSX && opSize(code) !== Size.DW)) return unknown;
      if (imm !== 0) return "BPF_LDX uses reserved fields";
      return src >= MAX_BPF_REG ? `R${src} is invalid` : null;
    }

    case Class.ST: {
      if (opMode(code) !== Mode.MEM) return unknown;
      if (src !== 0) return "BPF_ST uses reserved fields";
      return null;
    }

    case Class.STX: {
      const mode = opMode(code);
      if (src >= MAX_BPF_REG) return `R${src} is invalid`;
      if (mode === Mode.MEM) return imm !== 0 ? "BPF_STX uses reserved fields" : null;
      if (mode !== Mode.ATOMIC) return unknown;
      const size = opSize(code);
      if (imm === AtomicOp.LOAD_ACQ || imm === AtomicOp.STORE_REL) return null;
      if (size !== Size.W && size !== Size.DW) return unknown;
      if (!ATOMIC_RMW.has(imm)) return `BPF_ATOMIC uses invalid atomic opcode ${hex2(imm >>> 0)}`;
      return null;
    }
  }
  return unknown;
}
