import { AsmError } from "../errors.js";
import { insn, ldImm64, type Insn } from "../isa/insn.js";
import { MAX_BPF_REG } from "../isa/limits.js";
import { AluOp, AtomicOp, Class, JmpOp, LD_IMM64, Mode, PseudoCall, PseudoLd, Size, Source } from "../isa/opcode.js";
import { helperId } from "./helper-names.js";
import { parseNumber, toImm32, toImm64, toOff16 } from "./numbers.js";

/**
 * Assemble eBPF text. Each line may use either syntax:
 *  - bpf_conformance / uBPF: `mov32 %r0, 0`, `ldxdw %r0, [%r1+8]`, `jeq %r1, 0x10, label`,
 *    `lock fetch add [%r10-8], %r1`, `call local fn`;
 *  - LLVM / kernel: `r0 = 1`, `if r1 > 0x2 goto +3`, `*(u64 *)(r10 - 8) = r1`,
 *    `lock *(u64 *)(r1 + 0) += r2`, `call bpf_map_lookup_elem#1`; lines pasted from a
 *    verifier log (`3: (b7) r0 = 0  ; R0_w=0`) are accepted too.
 * Labels are `name:`; comments start with `#` (at a word boundary), `//` or `;`.
 */
export function assemble(text: string): Insn[] {
  const stmts: Stmt[] = [];
  const labels = new Map<string, number>();
  let pc = 0;
  let firstExit: number | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const lineNo = i + 1;
    let line = stripComment(raw);
    for (;;) {
      const m = /^\s*([A-Za-z_.$][\w.$]*)\s*:(?!\S*\))/.exec(line);
      if (m === null) break;
      if (labels.has(m[1]!)) throw new AsmError(lineNo, col(raw, m[1]!), `label "${m[1]}" defined twice`);
      labels.set(m[1]!, pc);
      line = line.slice(m[0].length);
    }
    // a verifier log / bpftool line: `12: (b7) r0 = 0`; its opcode is checked against the text
    const prefix = /^\s*\d+:\s*\(([0-9a-f]{2})\)\s*/i.exec(line);
    if (prefix !== null) line = line.slice(prefix[0].length);
    if (line.trim() === "") return;
    const ctx = new Ctx(raw, lineNo);
    const opcode = prefix === null ? null : parseInt(prefix[1]!, 16);
    const s = parseStatement(line.trim(), ctx, opcode === LD_IMM64);
    if (opcode !== null && s.insns[0]!.code !== opcode) {
      ctx.fail(prefix![1]!, `opcode (${prefix![1]}) does not match the instruction text, which encodes (${s.insns[0]!.code.toString(16).padStart(2, "0")})`);
    }
    s.pc = pc;
    // The conformance assembler's implicit label: `exit` names the first exit instruction.
    if (firstExit === null && s.insns.length === 1 && s.insns[0]!.code === (Class.JMP | JmpOp.EXIT)) firstExit = pc;
    pc += s.insns.length;
    stmts.push(s);
  });
  if (firstExit !== null && !labels.has("exit")) labels.set("exit", firstExit);
  const out: Insn[] = [];
  for (const s of stmts) {
    if (s.ref !== undefined) resolve(s, labels);
    for (const i of s.insns) out.push(i);
  }
  return out;
}

interface Ref {
  /** a label, or a numeric offset already known */
  readonly label: string | null;
  readonly offset: number;
  readonly field: "off" | "imm";
  readonly column: number;
  /** `call name`: a helper name when no label has that name */
  readonly helperOrLabel?: boolean;
}

interface Stmt {
  insns: Insn[];
  ref?: Ref;
  pc: number;
  line: number;
}

class Ctx {
  constructor(
    readonly raw: string,
    readonly line: number,
  ) {}
  fail(token: string, reason: string): never {
    throw new AsmError(this.line, col(this.raw, token), reason);
  }
}

function col(raw: string, token: string): number {
  const i = token === "" ? -1 : raw.indexOf(token);
  return i < 0 ? raw.search(/\S/) + 1 || 1 : i + 1;
}

function stripComment(line: string): string {
  let s = line;
  const slash = s.indexOf("//");
  if (slash >= 0) s = s.slice(0, slash);
  const semi = s.indexOf(";");
  if (semi >= 0) s = s.slice(0, semi);
  const hash = s.search(/(^|\s)#/);
  if (hash >= 0) s = s.slice(0, hash);
  return s;
}

function resolve(s: Stmt, labels: Map<string, number>): void {
  const ref = s.ref!;
  let rel = ref.offset;
  const first = s.insns[0]!;
  if (ref.label !== null) {
    const target = labels.get(ref.label);
    if (target === undefined) {
      const id = ref.helperOrLabel === true ? helperId(ref.label) : null;
      if (id !== null) {
        s.insns[0] = insn(first.code, 0, PseudoCall.HELPER, 0, id);
        return;
      }
      throw new AsmError(s.line, ref.column, `undefined label "${ref.label}"`);
    }
    rel = target - (s.pc + 1);
    if (ref.helperOrLabel === true) {
      s.insns[0] = insn(first.code, 0, PseudoCall.CALL, 0, rel);
      return;
    }
  }
  if (ref.field === "off") {
    if (rel < -32768 || rel > 32767) throw new AsmError(s.line, ref.column, `jump offset ${rel} does not fit in 16 bits (use gotol)`);
    s.insns[0] = insn(first.code, first.dst, first.src, rel, first.imm);
  } else {
    s.insns[0] = insn(first.code, first.dst, first.src, first.off, rel);
  }
}

// ---------------------------------------------------------------- operands

function reg(tok: string, c: Ctx): number {
  const m = /^%?[rw](\d+)$/i.exec(tok.trim());
  if (m === null) c.fail(tok, `expected a register, got "${tok}"`);
  const n = Number(m[1]);
  if (n >= MAX_BPF_REG) c.fail(tok, `invalid register ${tok.trim()} (r0-r10)`);
  return n;
}

function imm32(tok: string, c: Ctx): number {
  const v = parseNumber(tok.trim());
  if (v === null) c.fail(tok, `expected an immediate, got "${tok}"`);
  const n = toImm32(v);
  if (n === null) c.fail(tok, `immediate ${tok.trim()} does not fit in 32 bits`);
  return n;
}

function off16(tok: string, c: Ctx): number {
  const v = parseNumber(tok.replace(/\s+/g, ""));
  if (v === null) c.fail(tok, `expected an offset, got "${tok}"`);
  const n = toOff16(v);
  if (n === null) c.fail(tok, `offset ${tok.trim()} does not fit in 16 bits`);
  return n;
}

/** `+3`, `-2`, `pc+3`, `3` (offsets) or a label name. */
function target(tok: string, field: "off" | "imm", c: Ctx, helperOrLabel = false): Ref {
  const t = tok.trim().replace(/^pc(?=[+-])/, "");
  const v = parseNumber(t);
  const column = col(c.raw, tok.trim());
  if (v !== null) {
    const n = field === "off" ? toOff16(v) : toImm32(v);
    if (n === null) c.fail(tok, `jump offset ${t} out of range`);
    return { label: null, offset: n, field, column };
  }
  if (!/^[A-Za-z_.$][\w.$]*$/.test(t)) c.fail(tok, `expected a jump target, got "${tok.trim()}"`);
  return { label: t, offset: 0, field, column, helperOrLabel };
}

/** `[%r1+8]`, `[r10-8]`, `[%r1]` */
function memOperand(tok: string, c: Ctx): { reg: number; off: number } {
  const m = /^\[\s*(%?r\d+)\s*(?:([+-])\s*(\w+))?\s*\]$/i.exec(tok.trim());
  if (m === null) c.fail(tok, `expected a memory operand like [%r1+8], got "${tok.trim()}"`);
  return { reg: reg(m[1]!, c), off: m[2] === undefined ? 0 : off16(`${m[2]}${m[3]}`, c) };
}

function splitOperands(rest: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of rest) {
    if (ch === "[" || ch === "(") depth++;
    if (ch === "]" || ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

// ---------------------------------------------------------------- statements

const UBPF_ALU: Record<string, number> = {
  add: AluOp.ADD,
  sub: AluOp.SUB,
  mul: AluOp.MUL,
  div: AluOp.DIV,
  sdiv: AluOp.DIV,
  or: AluOp.OR,
  and: AluOp.AND,
  lsh: AluOp.LSH,
  rsh: AluOp.RSH,
  neg: AluOp.NEG,
  mod: AluOp.MOD,
  smod: AluOp.MOD,
  xor: AluOp.XOR,
  mov: AluOp.MOV,
  arsh: AluOp.ARSH,
};
const UBPF_JMP: Record<string, number> = {
  jeq: JmpOp.JEQ,
  jgt: JmpOp.JGT,
  jge: JmpOp.JGE,
  jset: JmpOp.JSET,
  jne: JmpOp.JNE,
  jsgt: JmpOp.JSGT,
  jsge: JmpOp.JSGE,
  jlt: JmpOp.JLT,
  jle: JmpOp.JLE,
  jslt: JmpOp.JSLT,
  jsle: JmpOp.JSLE,
};
const UBPF_SIZE: Record<string, number> = { b: Size.B, h: Size.H, w: Size.W, dw: Size.DW };
const ATOMIC_NAMES: Record<string, number> = { add: AtomicOp.ADD, or: AtomicOp.OR, and: AtomicOp.AND, xor: AtomicOp.XOR };

function parseStatement(line: string, c: Ctx, wide: boolean): Stmt {
  const word = /^[a-z_][\w]*/i.exec(line)?.[0]?.toLowerCase() ?? "";
  const stmt = isUbpfMnemonic(word, line) ? parseUbpf(word, line, c) : parseLlvm(line, c, wide);
  return { ...stmt, pc: 0, line: c.line };
}

function isUbpfMnemonic(word: string, line: string): boolean {
  if (word === "lock") return line.includes("[");
  if (word === "exit" || word === "call" || word === "lddw" || word === "ja" || word === "ja32" || word === "gotol") return true;
  const base = word.replace(/(32|64)$/, "");
  return (
    base in UBPF_ALU ||
    base in UBPF_JMP ||
    /^(le|be|bswap|swap)(16|32|64)$/.test(word) ||
    /^movsx(8|16|32)(32|64)$/.test(word) ||
    /^(ldx|ldxs|st|stx)(b|h|w|dw)$/.test(word) ||
    /^ldx(b|h|w)sx$/.test(word)
  );
}

type Partial = { insns: Insn[]; ref?: Ref };

function parseUbpf(word: string, line: string, c: Ctx): Partial {
  const rest = line.slice(word.length).trim();
  const ops = splitOperands(rest);
  const want = (n: number): void => {
    if (ops.length !== n) c.fail(word, `${word} takes ${n} operand${n === 1 ? "" : "s"}, got ${ops.length}`);
  };

  if (word === "exit") {
    want(0);
    return { insns: [insn(Class.JMP | JmpOp.EXIT, 0, 0, 0, 0)] };
  }
  if (word === "ja") {
    want(1);
    return { insns: [insn(Class.JMP | JmpOp.JA, 0, 0, 0, 0)], ref: target(ops[0]!, "off", c) };
  }
  if (word === "ja32" || word === "gotol") {
    want(1);
    return { insns: [insn(Class.JMP32 | JmpOp.JA, 0, 0, 0, 0)], ref: target(ops[0]!, "imm", c) };
  }
  if (word === "call") {
    const callWords = rest.split(/\s+/);
    if (callWords[0] === "helper" || callWords[0] === "runtime") {
      const kind = callWords[0] === "helper" ? PseudoCall.HELPER : PseudoCall.KFUNC;
      return { insns: [insn(Class.JMP | JmpOp.CALL, 0, kind, 0, imm32(callWords.slice(1).join(" "), c))] };
    }
    if (callWords[0] === "local") return { insns: [insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.CALL, 0, 0)], ref: target(callWords.slice(1).join(" "), "imm", c) };
    want(1);
    if (/^%?r\d+$/i.test(ops[0]!)) return { insns: [insn(Class.JMP | JmpOp.CALL | Source.X, reg(ops[0]!, c), 0, 0, 0)] };
    if (parseNumber(ops[0]!) !== null) return { insns: [insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.HELPER, 0, imm32(ops[0]!, c))] };
    return parseLlvm(line, c);
  }
  if (word === "lddw") {
    want(2);
    const v = parseNumber(ops[1]!);
    const k = v === null ? null : toImm64(v);
    if (k === null) c.fail(ops[1]!, `expected a 64-bit immediate, got "${ops[1]}"`);
    return { insns: ldImm64(reg(ops[0]!, c), k) };
  }
  if (word === "lock") {
    // lock [fetch] op[32] [reg+off], reg
    const m = /^lock\s+(fetch\s+)?(add|or|and|xor|xchg|cmpxchg)(32|64)?\s+(.*)$/i.exec(line);
    if (m === null) c.fail(word, `unknown atomic operation "${line}"`);
    const aops = splitOperands(m[4]!);
    if (aops.length !== 2) c.fail(m[4]!, "an atomic operation takes [dst+off], src");
    const { reg: dst, off } = memOperand(aops[0]!, c);
    const src = reg(aops[1]!, c);
    const size = m[3] === "32" ? Size.W : Size.DW;
    const name = m[2]!.toLowerCase();
    let op: number;
    if (name === "xchg") op = AtomicOp.XCHG;
    else if (name === "cmpxchg") op = AtomicOp.CMPXCHG;
    else op = ATOMIC_NAMES[name]! | (m[1] !== undefined ? AtomicOp.FETCH : 0);
    return { insns: [insn(Class.STX | Mode.ATOMIC | size, dst, src, off, op)] };
  }
  let m = /^(le|be|bswap|swap)(16|32|64)$/.exec(word);
  if (m !== null) {
    want(1);
    const code = m[1] === "le" ? Class.ALU | AluOp.END : m[1] === "be" ? Class.ALU | AluOp.END | Source.X : Class.ALU64 | AluOp.END;
    return { insns: [insn(code, reg(ops[0]!, c), 0, 0, Number(m[2]))] };
  }
  m = /^movsx(8|16|32)(32|64)$/.exec(word);
  if (m !== null) {
    want(2);
    const cls = m[2] === "32" ? Class.ALU : Class.ALU64;
    if (cls === Class.ALU && m[1] === "32") c.fail(word, "movsx of 32 bits into a 32-bit register does not exist");
    return { insns: [insn(cls | AluOp.MOV | Source.X, reg(ops[0]!, c), reg(ops[1]!, c), Number(m[1]), 0)] };
  }
  // uBPF also spells the sign-extending loads ldxbsx / ldxhsx / ldxwsx
  const sx = /^ldx(b|h|w)sx$/.exec(word);
  m = sx !== null ? ["", "ldxs", sx[1]!] as unknown as RegExpExecArray : /^(ldx|ldxs|st|stx)(b|h|w|dw)$/.exec(word);
  if (m !== null) {
    want(2);
    const size = UBPF_SIZE[m[2]!]!;
    if (m[1] === "ldx" || m[1] === "ldxs") {
      if (m[1] === "ldxs" && size === Size.DW) c.fail(word, "there is no sign-extending 64-bit load");
      const { reg: src, off } = memOperand(ops[1]!, c);
      return { insns: [insn(Class.LDX | (m[1] === "ldxs" ? Mode.MEMSX : Mode.MEM) | size, reg(ops[0]!, c), src, off, 0)] };
    }
    const { reg: dst, off } = memOperand(ops[0]!, c);
    if (m[1] === "st") return { insns: [insn(Class.ST | Mode.MEM | size, dst, 0, off, imm32(ops[1]!, c))] };
    return { insns: [insn(Class.STX | Mode.MEM | size, dst, reg(ops[1]!, c), off, 0)] };
  }
  const is32 = word.endsWith("32");
  const base = word.replace(/(32|64)$/, "");
  if (base in UBPF_JMP) {
    want(3);
    const cls = is32 ? Class.JMP32 : Class.JMP;
    const x = /^%?r\d+$/i.test(ops[1]!);
    const first = insn(cls | UBPF_JMP[base]! | (x ? Source.X : Source.K), reg(ops[0]!, c), x ? reg(ops[1]!, c) : 0, 0, x ? 0 : imm32(ops[1]!, c));
    return { insns: [first], ref: target(ops[2]!, "off", c) };
  }
  // ALU
  const op = UBPF_ALU[base]!;
  const cls = is32 ? Class.ALU : Class.ALU64;
  const signedOff = base === "sdiv" || base === "smod" ? 1 : 0;
  if (op === AluOp.NEG) {
    want(1);
    return { insns: [insn(cls | op, reg(ops[0]!, c), 0, 0, 0)] };
  }
  want(2);
  const dst = reg(ops[0]!, c);
  if (/^%?r\d+$/i.test(ops[1]!)) return { insns: [insn(cls | op | Source.X, dst, reg(ops[1]!, c), signedOff, 0)] };
  return { insns: [insn(cls | op, dst, 0, signedOff, imm32(ops[1]!, c))] };
}

// ---------------------------------------------------------------- LLVM / kernel syntax

const NUM = String.raw`[+-]?(?:0x[0-9a-f]+|\d+)`;
const REG = String.raw`[rw]\d+`;
const MEMX = String.raw`\((r\d+)(?:([+-])(0x[0-9a-f]+|\d+))?\)`;
const LLVM_ALU: Record<string, [number, number]> = {
  "+=": [AluOp.ADD, 0],
  "-=": [AluOp.SUB, 0],
  "*=": [AluOp.MUL, 0],
  "/=": [AluOp.DIV, 0],
  "s/=": [AluOp.DIV, 1],
  "%=": [AluOp.MOD, 0],
  "s%=": [AluOp.MOD, 1],
  "|=": [AluOp.OR, 0],
  "&=": [AluOp.AND, 0],
  "^=": [AluOp.XOR, 0],
  "<<=": [AluOp.LSH, 0],
  ">>=": [AluOp.RSH, 0],
  "s>>=": [AluOp.ARSH, 0],
  "=": [AluOp.MOV, 0],
};
const LLVM_JMP: Record<string, number> = {
  "==": JmpOp.JEQ,
  "!=": JmpOp.JNE,
  ">": JmpOp.JGT,
  ">=": JmpOp.JGE,
  "<": JmpOp.JLT,
  "<=": JmpOp.JLE,
  "s>": JmpOp.JSGT,
  "s>=": JmpOp.JSGE,
  "s<": JmpOp.JSLT,
  "s<=": JmpOp.JSLE,
  "&": JmpOp.JSET,
};
const SIZES: Record<string, number> = { 8: Size.B, 16: Size.H, 32: Size.W, 64: Size.DW };
const FETCH: Record<string, number> = { add: AtomicOp.ADD, or: AtomicOp.OR, and: AtomicOp.AND, xor: AtomicOp.XOR };

const memOff = (sign: string | undefined, n: string | undefined, c: Ctx): number =>
  sign === undefined ? 0 : off16(`${sign}${n}`, c);

/** `wide`: the line is known to be an lddw (kernel logs print `r1 = 0x5` for one, without `ll`). */
function parseLlvm(line: string, c: Ctx, wide = false): Partial {
  // objdump appends `<sym+0x10>` to jump targets; spaces carry no meaning in this syntax
  const s = line.replace(/<[^>]*>\s*$/, "").replace(/\s+/g, "").toLowerCase();
  const fail = (reason: string): never => c.fail(line.trim(), reason);
  let m: RegExpExecArray | null;

  if (s === "exit") return { insns: [insn(Class.JMP | JmpOp.EXIT, 0, 0, 0, 0)] };
  if ((m = new RegExp(`^callx(${REG})$`).exec(s))) return { insns: [insn(Class.JMP | JmpOp.CALL | Source.X, reg(m[1]!, c), 0, 0, 0)] };
  if ((m = /^call(.+)$/.exec(s))) {
    const t = m[1]!;
    const hash = /^([a-z_][\w-]*)?#(-?\d+)$/.exec(t);
    if (hash?.[1] === "kernel-function") return { insns: [insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.KFUNC, 0, imm32(hash[2]!, c))] };
    if (hash) return { insns: [insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.HELPER, 0, imm32(hash[2]!, c))] };
    if (/^pc[+-]/.test(t)) return { insns: [insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.CALL, 0, 0)], ref: target(t, "imm", c) };
    if (parseNumber(t) !== null) return { insns: [insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.HELPER, 0, imm32(t, c))] };
    return { insns: [insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.CALL, 0, 0)], ref: target(line.trim().slice(4).trim(), "imm", c, true) };
  }
  if ((m = /^goto(.+)$/.exec(s))) return { insns: [insn(Class.JMP | JmpOp.JA, 0, 0, 0, 0)], ref: target(m[1]!, "off", c) };
  if ((m = /^gotol(.+)$/.exec(s))) return { insns: [insn(Class.JMP32 | JmpOp.JA, 0, 0, 0, 0)], ref: target(m[1]!, "imm", c) };
  if ((m = new RegExp(`^if(${REG})(==|!=|s>=|s<=|s>|s<|>=|<=|>|<|&)(${REG}|${NUM})goto(.+)$`).exec(s))) {
    const is32 = m[1]!.startsWith("w");
    const x = /^[rw]/.test(m[3]!);
    if (x && m[3]![0] !== m[1]![0]) fail("both operands of a comparison must be r (64-bit) or w (32-bit) registers");
    const code = (is32 ? Class.JMP32 : Class.JMP) | LLVM_JMP[m[2]!]! | (x ? Source.X : Source.K);
    return { insns: [insn(code, reg(m[1]!, c), x ? reg(m[3]!, c) : 0, 0, x ? 0 : imm32(m[3]!, c))], ref: target(m[4]!, "off", c) };
  }
  // lock *(u64 *)(r1 + 0) += r2
  if ((m = new RegExp(`^lock\\*\\(u(32|64)\\*\\)${MEMX}(\\+=|\\|=|&=|\\^=)(${REG})$`).exec(s))) {
    const op = { "+=": AtomicOp.ADD, "|=": AtomicOp.OR, "&=": AtomicOp.AND, "^=": AtomicOp.XOR }[m[5]!]!;
    return { insns: [insn(Class.STX | Mode.ATOMIC | SIZES[m[1]!]!, reg(m[2]!, c), reg(m[6]!, c), memOff(m[3], m[4], c), op)] };
  }
  // store_release((u64 *)(r1 + 0), r2)
  if ((m = new RegExp(`^store_release\\(\\(u(8|16|32|64)\\*\\)${MEMX},(${REG})\\)$`).exec(s))) {
    return { insns: [insn(Class.STX | Mode.ATOMIC | SIZES[m[1]!]!, reg(m[2]!, c), reg(m[5]!, c), memOff(m[3], m[4], c), AtomicOp.STORE_REL)] };
  }
  // *(u32 *)(r10 - 8) = r1 | imm
  if ((m = new RegExp(`^\\*\\(u(8|16|32|64)\\*\\)${MEMX}=(${REG}|${NUM})$`).exec(s))) {
    const size = SIZES[m[1]!]!;
    const off = memOff(m[3], m[4], c);
    const dst = reg(m[2]!, c);
    if (/^[rw]/.test(m[5]!)) return { insns: [insn(Class.STX | Mode.MEM | size, dst, reg(m[5]!, c), off, 0)] };
    return { insns: [insn(Class.ST | Mode.MEM | size, dst, 0, off, imm32(m[5]!, c))] };
  }
  const assign = new RegExp(`^(${REG})(s>>=|s/=|s%=|<<=|>>=|\\+=|-=|\\*=|/=|%=|\\|=|&=|\\^=|=)(.+)$`).exec(s);
  if (assign === null) fail(`cannot parse "${line.trim()}"`);
  const [, d, opText, rhs] = assign as unknown as [string, string, string, string];
  const is32 = d.startsWith("w");
  const dst = reg(d, c);
  const cls = is32 ? Class.ALU : Class.ALU64;
  if (opText === "=") {
    // loads: r0 = *(u64 *)(r1 + 8), r0 = *(s32 *)(r1 + 0)
    if ((m = new RegExp(`^\\*\\(([us])(8|16|32|64)\\*\\)${MEMX}$`).exec(rhs))) {
      if (m[1] === "s" && m[2] === "64") fail("there is no sign-extending 64-bit load");
      return { insns: [insn(Class.LDX | (m[1] === "s" ? Mode.MEMSX : Mode.MEM) | SIZES[m[2]!]!, dst, reg(m[3]!, c), memOff(m[4], m[5], c), 0)] };
    }
    if ((m = new RegExp(`^(${NUM})ll$`).exec(rhs)) || (wide && (m = new RegExp(`^(${NUM})$`).exec(rhs)))) {
      const v = toImm64(parseNumber(m[1]!)!);
      if (v === null) fail(`${m[1]} does not fit in 64 bits`);
      return { insns: ldImm64(dst, v!) };
    }
    // pseudo loads as bpftool and wabpf's disassembler print them
    if ((m = /^map\[id:(\d+)\](?:\[0\]\+(\d+))?$/.exec(rhs))) {
      const [lo, hi] = ldImm64(dst, (BigInt(m[2] ?? 0) << 32n) | BigInt(m[1]!), m[2] === undefined ? PseudoLd.MAP_FD : PseudoLd.MAP_VALUE);
      return { insns: [lo, hi] };
    }
    if ((m = /^func\[pc([+-]\d+)\]$/.exec(rhs))) return { insns: ldImm64(dst, BigInt.asUintN(32, BigInt(m[1]!)), PseudoLd.FUNC) };
    if ((m = /^btf_id\[(\d+)\]$/.exec(rhs))) return { insns: ldImm64(dst, BigInt(m[1]!), PseudoLd.BTF_ID) };
    if ((m = new RegExp(`^(be|le|bswap)(16|32|64)(${REG})$`).exec(rhs))) {
      if (reg(m[3]!, c) !== dst) fail("a byte swap works in place: both registers must be the same");
      const code = m[1] === "le" ? Class.ALU | AluOp.END : m[1] === "be" ? Class.ALU | AluOp.END | Source.X : Class.ALU64 | AluOp.END;
      return { insns: [insn(code, dst, 0, 0, Number(m[2]))] };
    }
    if ((m = new RegExp(`^-(${REG})$`).exec(rhs))) {
      if (reg(m[1]!, c) !== dst) fail("negation works in place: both registers must be the same");
      return { insns: [insn(cls | AluOp.NEG, dst, 0, 0, 0)] };
    }
    if ((m = new RegExp(`^\\(s(8|16|32)\\)(${REG})$`).exec(rhs))) {
      return { insns: [insn(cls | AluOp.MOV | Source.X, dst, reg(m[2]!, c), Number(m[1]), 0)] };
    }
    // atomics written as calls
    if ((m = new RegExp(`^(?:atomic64|atomic)_fetch_(add|or|and|xor)\\(\\(u(32|64)\\*\\)${MEMX},(${REG})\\)$`).exec(rhs))) {
      return { insns: [insn(Class.STX | Mode.ATOMIC | SIZES[m[2]!]!, reg(m[3]!, c), reg(m[6]!, c), memOff(m[4], m[5], c), FETCH[m[1]!]! | AtomicOp.FETCH)] };
    }
    if ((m = new RegExp(`^(?:atomic64|atomic)_xchg\\(\\(u(32|64)\\*\\)${MEMX},(${REG})\\)$`).exec(rhs))) {
      return { insns: [insn(Class.STX | Mode.ATOMIC | SIZES[m[1]!]!, reg(m[2]!, c), reg(m[5]!, c), memOff(m[3], m[4], c), AtomicOp.XCHG)] };
    }
    if ((m = new RegExp(`^(?:atomic64|atomic)_cmpxchg\\(\\(u(32|64)\\*\\)${MEMX},[rw]0,(${REG})\\)$`).exec(rhs))) {
      return { insns: [insn(Class.STX | Mode.ATOMIC | SIZES[m[1]!]!, reg(m[2]!, c), reg(m[5]!, c), memOff(m[3], m[4], c), AtomicOp.CMPXCHG)] };
    }
    // LLVM's spellings: xchg_64(r1 + 0, r2), xchg32_32(...), cmpxchg_64(r1 + 0, r0, r2)
    if ((m = new RegExp(`^xchg(_64|32_32)\\((r\\d+)(?:([+-])(0x[0-9a-f]+|\\d+))?,(${REG})\\)$`).exec(rhs))) {
      return { insns: [insn(Class.STX | Mode.ATOMIC | (m[1] === "_64" ? Size.DW : Size.W), reg(m[2]!, c), reg(m[5]!, c), memOff(m[3], m[4], c), AtomicOp.XCHG)] };
    }
    if ((m = new RegExp(`^cmpxchg(_64|32_32)\\((r\\d+)(?:([+-])(0x[0-9a-f]+|\\d+))?,[rw]0,(${REG})\\)$`).exec(rhs))) {
      return { insns: [insn(Class.STX | Mode.ATOMIC | (m[1] === "_64" ? Size.DW : Size.W), reg(m[2]!, c), reg(m[5]!, c), memOff(m[3], m[4], c), AtomicOp.CMPXCHG)] };
    }
    if ((m = new RegExp(`^load_acquire\\(\\(u(8|16|32|64)\\*\\)${MEMX}\\)$`).exec(rhs))) {
      return { insns: [insn(Class.STX | Mode.ATOMIC | SIZES[m[1]!]!, dst, reg(m[2]!, c), memOff(m[3], m[4], c), AtomicOp.LOAD_ACQ)] }; // dst = *(src + off)
    }
  }
  const alu = LLVM_ALU[opText]!;
  if (new RegExp(`^${REG}$`).test(rhs)) {
    if (rhs[0] !== d[0]) fail("both operands must be r (64-bit) or w (32-bit) registers");
    return { insns: [insn(cls | alu[0] | Source.X, dst, reg(rhs, c), alu[1], 0)] };
  }
  if (parseNumber(rhs) === null) fail(`cannot parse the operand "${rhs}"`);
  return { insns: [insn(cls | alu[0], dst, 0, alu[1], imm32(rhs, c))] };
}

