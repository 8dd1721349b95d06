import type { Insn } from "../isa/insn.js";
import { ldImm64Value } from "../isa/insn.js";
import {
  AluOp,
  AtomicOp,
  Class,
  JmpOp,
  LD_IMM64,
  Mode,
  PseudoCall,
  PseudoLd,
  Source,
  opAlu,
  opClass,
  opJmp,
  opMode,
  opSize,
  opSource,
  sizeBytes,
} from "../isa/opcode.js";
import { helperName } from "./helper-names.js";

export type Syntax = "kernel" | "conformance";

export interface DisasmOptions {
  /** "kernel" (default): as the verifier log and `bpftool prog dump xlated`; "conformance": uBPF text */
  readonly syntax?: Syntax;
  /** prefix kernel-syntax lines with `N: (op) ` as the verifier log does (default true for kernel) */
  readonly index?: boolean;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, "0");
const signed = (n: number): string => (n < 0 ? `${n}` : `+${n}`);
const ALU_SYM: Record<number, string> = {
  [AluOp.ADD]: "+=",
  [AluOp.SUB]: "-=",
  [AluOp.MUL]: "*=",
  [AluOp.DIV]: "/=",
  [AluOp.OR]: "|=",
  [AluOp.AND]: "&=",
  [AluOp.LSH]: "<<=",
  [AluOp.RSH]: ">>=",
  [AluOp.MOD]: "%=",
  [AluOp.XOR]: "^=",
  [AluOp.MOV]: "=",
  [AluOp.ARSH]: "s>>=",
};
const JMP_SYM: Record<number, string> = {
  [JmpOp.JEQ]: "==",
  [JmpOp.JGT]: ">",
  [JmpOp.JGE]: ">=",
  [JmpOp.JSET]: "&",
  [JmpOp.JNE]: "!=",
  [JmpOp.JSGT]: "s>",
  [JmpOp.JSGE]: "s>=",
  [JmpOp.JLT]: "<",
  [JmpOp.JLE]: "<=",
  [JmpOp.JSLT]: "s<",
  [JmpOp.JSLE]: "s<=",
};
const FETCH_NAME: Record<number, string> = {
  [AtomicOp.ADD]: "add",
  [AtomicOp.OR]: "or",
  [AtomicOp.AND]: "and",
  [AtomicOp.XOR]: "xor",
};
const uN = (code: number): string => `u${sizeBytes(opSize(code)) * 8}`;
const mem = (reg: number, off: number): string => `(r${reg} ${signed(off)})`;

/** The kernel's text for one instruction (without the `N: (op) ` prefix). */
export function kernelText(insns: readonly Insn[], pc: number): string {
  const ins = insns[pc]!;
  const { code, dst, src, off, imm } = ins;
  const cls = opClass(code);
  switch (cls) {
    case Class.ALU:
    case Class.ALU64: {
      const r = cls === Class.ALU64 ? "r" : "w";
      const op = opAlu(code);
      if (op === AluOp.END) {
        const kind = cls === Class.ALU64 ? "bswap" : opSource(code) === Source.X ? "be" : "le";
        return `r${dst} = ${kind}${imm} r${dst}`;
      }
      if (op === AluOp.NEG) return `${r}${dst} = -${r}${dst}`;
      let sym = ALU_SYM[op] ?? "?=";
      if ((op === AluOp.DIV || op === AluOp.MOD) && off === 1) sym = `s${sym}`;
      if (opSource(code) === Source.X) {
        if (op === AluOp.MOV && off !== 0) return `${r}${dst} = (s${off})${r}${src}`;
        return `${r}${dst} ${sym} ${r}${src}`;
      }
      return `${r}${dst} ${sym} ${imm}`;
    }
    case Class.JMP:
    case Class.JMP32: {
      const op = opJmp(code);
      if (op === JmpOp.JA) return cls === Class.JMP32 ? `gotol pc${signed(imm)}` : `goto pc${signed(off)}`;
      if (op === JmpOp.EXIT) return "exit";
      if (op === JmpOp.CALL) {
        if (opSource(code) === Source.X) return `callx r${dst}`;
        if (src === PseudoCall.CALL) return `call pc${signed(imm)}`;
        if (src === PseudoCall.KFUNC) return `call kernel-function#${imm}`;
        return `call ${helperName(imm) ?? "unknown"}#${imm}`;
      }
      const r = cls === Class.JMP32 ? "w" : "r";
      const rhs = opSource(code) === Source.X ? `${r}${src}` : `0x${(imm >>> 0).toString(16)}`;
      return `if ${r}${dst} ${JMP_SYM[op] ?? "?"} ${rhs} goto pc${signed(off)}`;
    }
    case Class.LD: {
      if (code === LD_IMM64) {
        const next = insns[pc + 1];
        const hi = next?.imm ?? 0;
        const value = next !== undefined ? ldImm64Value(ins, next) : BigInt(imm >>> 0);
        switch (src) {
          case PseudoLd.MAP_FD:
          case PseudoLd.MAP_IDX:
            return `r${dst} = map[id:${imm}]`;
          case PseudoLd.MAP_VALUE:
          case PseudoLd.MAP_IDX_VALUE:
            return `r${dst} = map[id:${imm}][0]+${hi >>> 0}`;
          case PseudoLd.FUNC:
            return `r${dst} = func[pc${signed(imm)}]`;
          case PseudoLd.BTF_ID:
            return `r${dst} = btf_id[${imm}]`;
          default:
            return `r${dst} = 0x${value.toString(16)}`;
        }
      }
      const size = uN(code);
      if (opMode(code) === Mode.ABS) return `r0 = *(${size} *)skb[${imm}]`;
      return `r0 = *(${size} *)skb[r${src} + ${imm}]`;
    }
    case Class.LDX:
      return opMode(code) === Mode.MEMSX
        ? `r${dst} = *(s${sizeBytes(opSize(code)) * 8} *)${mem(src, off)}`
        : `r${dst} = *(${uN(code)} *)${mem(src, off)}`;
    case Class.ST:
      return `*(${uN(code)} *)${mem(dst, off)} = ${imm}`;
    case Class.STX: {
      if (opMode(code) === Mode.MEM) return `*(${uN(code)} *)${mem(dst, off)} = r${src}`;
      const size = uN(code);
      const p = `(${size} *)${mem(dst, off)}`;
      const a64 = size === "u64" ? "atomic64" : "atomic";
      switch (imm) {
        case AtomicOp.LOAD_ACQ: // the address is in src
          return `r${dst} = load_acquire((${size} *)${mem(src, off)})`;
        case AtomicOp.STORE_REL:
          return `store_release(${p}, r${src})`;
        case AtomicOp.XCHG:
          return `r${src} = ${a64}_xchg(${p}, r${src})`;
        case AtomicOp.CMPXCHG:
          return `r0 = ${a64}_cmpxchg(${p}, r0, r${src})`;
      }
      const name = FETCH_NAME[imm & ~AtomicOp.FETCH];
      if (name === undefined) return `BUG_${hex2(code)}`;
      if ((imm & AtomicOp.FETCH) !== 0) return `r${src} = ${a64}_fetch_${name}(${p}, r${src})`;
      return `lock *${p} ${ALU_SYM[imm]} r${src}`;
    }
  }
  return `BUG_${hex2(code)}`;
}

const U_ALU: Record<number, string> = {
  [AluOp.ADD]: "add",
  [AluOp.SUB]: "sub",
  [AluOp.MUL]: "mul",
  [AluOp.DIV]: "div",
  [AluOp.OR]: "or",
  [AluOp.AND]: "and",
  [AluOp.LSH]: "lsh",
  [AluOp.RSH]: "rsh",
  [AluOp.NEG]: "neg",
  [AluOp.MOD]: "mod",
  [AluOp.XOR]: "xor",
  [AluOp.MOV]: "mov",
  [AluOp.ARSH]: "arsh",
};
const U_JMP: Record<number, string> = {
  [JmpOp.JEQ]: "jeq",
  [JmpOp.JGT]: "jgt",
  [JmpOp.JGE]: "jge",
  [JmpOp.JSET]: "jset",
  [JmpOp.JNE]: "jne",
  [JmpOp.JSGT]: "jsgt",
  [JmpOp.JSGE]: "jsge",
  [JmpOp.JLT]: "jlt",
  [JmpOp.JLE]: "jle",
  [JmpOp.JSLT]: "jslt",
  [JmpOp.JSLE]: "jsle",
};
const U_SIZE: Record<number, string> = { 1: "b", 2: "h", 4: "w", 8: "dw" };
const umem = (reg: number, off: number): string => `[%r${reg}${off < 0 ? off : `+${off}`}]`;

/** The bpf_conformance / uBPF text for one instruction, which `assemble` reads back. */
export function conformanceText(insns: readonly Insn[], pc: number): string {
  const ins = insns[pc]!;
  const { code, dst, src, off, imm } = ins;
  const cls = opClass(code);
  const x = opSource(code) === Source.X;
  switch (cls) {
    case Class.ALU:
    case Class.ALU64: {
      const sfx = cls === Class.ALU ? "32" : "";
      const op = opAlu(code);
      if (op === AluOp.END) {
        if (cls === Class.ALU64) return `bswap${imm} %r${dst}`;
        return `${x ? "be" : "le"}${imm} %r${dst}`;
      }
      if (op === AluOp.NEG) return `neg${sfx} %r${dst}`;
      if (op === AluOp.MOV && x && off !== 0) return `movsx${off}${cls === Class.ALU ? "32" : "64"} %r${dst}, %r${src}`;
      const name = (op === AluOp.DIV || op === AluOp.MOD) && off === 1 ? `s${U_ALU[op]}` : U_ALU[op];
      return `${name}${sfx} %r${dst}, ${x ? `%r${src}` : imm}`;
    }
    case Class.JMP:
    case Class.JMP32: {
      const op = opJmp(code);
      if (op === JmpOp.JA) return cls === Class.JMP32 ? `ja32 ${signed(imm)}` : `ja ${signed(off)}`;
      if (op === JmpOp.EXIT) return "exit";
      if (op === JmpOp.CALL) {
        if (x) return `call %r${dst}`;
        if (src === PseudoCall.CALL) return `call local ${signed(imm)}`;
        return `call ${imm}`;
      }
      return `${U_JMP[op]}${cls === Class.JMP32 ? "32" : ""} %r${dst}, ${x ? `%r${src}` : imm}, ${signed(off)}`;
    }
    case Class.LD:
      if (code === LD_IMM64) {
        const next = insns[pc + 1];
        const v = next !== undefined ? ldImm64Value(ins, next) : BigInt(imm >>> 0);
        return `lddw %r${dst}, 0x${v.toString(16)}`;
      }
      return kernelText(insns, pc);
    case Class.LDX:
      return `ldx${opMode(code) === Mode.MEMSX ? "s" : ""}${U_SIZE[sizeBytes(opSize(code))]} %r${dst}, ${umem(src, off)}`;
    case Class.ST:
      return `st${U_SIZE[sizeBytes(opSize(code))]} ${umem(dst, off)}, ${imm}`;
    case Class.STX: {
      if (opMode(code) === Mode.MEM) return `stx${U_SIZE[sizeBytes(opSize(code))]} ${umem(dst, off)}, %r${src}`;
      const sfx = sizeBytes(opSize(code)) === 4 ? "32" : "";
      if (imm === AtomicOp.XCHG) return `lock xchg${sfx} ${umem(dst, off)}, %r${src}`;
      if (imm === AtomicOp.CMPXCHG) return `lock cmpxchg${sfx} ${umem(dst, off)}, %r${src}`;
      const name = FETCH_NAME[imm & ~AtomicOp.FETCH];
      if (name === undefined) return kernelText(insns, pc);
      return `lock ${(imm & AtomicOp.FETCH) !== 0 ? "fetch " : ""}${name}${sfx} ${umem(dst, off)}, %r${src}`;
    }
  }
  return kernelText(insns, pc);
}

/** One line per instruction (an lddw is one line; its second slot is skipped). */
export function disassemble(insns: readonly Insn[], opts: DisasmOptions = {}): string[] {
  const syntax = opts.syntax ?? "kernel";
  const index = opts.index ?? syntax === "kernel";
  const out: string[] = [];
  for (let pc = 0; pc < insns.length; pc++) {
    out.push(formatInsn(insns, pc, { syntax, index }));
    if (insns[pc]!.code === LD_IMM64) pc++;
  }
  return out;
}

/** One instruction; with `index`, prefixed `N: (op) ` as the verifier log prints it. */
export function formatInsn(insns: readonly Insn[], pc: number, opts: DisasmOptions = {}): string {
  const syntax = opts.syntax ?? "kernel";
  const text = syntax === "kernel" ? kernelText(insns, pc) : conformanceText(insns, pc);
  if (!(opts.index ?? syntax === "kernel")) return text;
  return syntax === "kernel" ? `${pc}: (${hex2(insns[pc]!.code)}) ${text}` : `${pc}: ${text}`;
}
