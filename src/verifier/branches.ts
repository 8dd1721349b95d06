// check_cond_jmp_op: outcomes the bounds decide; otherwise both sides, each refined
// (reg_set_min_max, null checks, packet ranges).
import { BTF_FLAG } from "./btf-walk.js";
import * as S from "./scalar.js";
import * as T from "./tnum.js";
import type { Insn } from "../isa/insn.js";
import { Class, JmpOp, Source, opClass, opJmp, opSource } from "../isa/opcode.js";
import { ERRNO } from "../errors.js";
import { constReg, cloneState, cur, forEachReg, type Reg, type State } from "./state.js";
import { MAX_PACKET_OFF, JMP_SEQ_LIMIT, type Path, type Facts, type VerifierEnv } from "./env.js";
import { fail, unsupported } from "./reject.js";

const CMP_NAME: Record<number, S.CmpName> = {
  [JmpOp.JEQ]: "eq", [JmpOp.JNE]: "ne", [JmpOp.JGT]: "gt", [JmpOp.JGE]: "ge", [JmpOp.JLT]: "lt", [JmpOp.JLE]: "le",
  [JmpOp.JSGT]: "sgt", [JmpOp.JSGE]: "sge", [JmpOp.JSLT]: "slt", [JmpOp.JSLE]: "sle", [JmpOp.JSET]: "set",
};

/** check_cond_jmp_op: the next pc of this path; an undecided branch pushes the taken side onto `work`. */
export function checkCondJmpOp(env: VerifierEnv, p: Path, work: Path[], f: Facts): number {
  const ins = env.insns[p.pc]!;
  const s = p.state;
  const is32 = opClass(ins.code) === Class.JMP32;
  const op = opJmp(ins.code);
  const x = opSource(ins.code) === Source.X;
  if (op > JmpOp.JSLE || CMP_NAME[op] === undefined) return unsupported(`jump opcode 0x${ins.code.toString(16)}`);
  const cmp = CMP_NAME[op]!;
  const src: Reg = x ? env.readReg(s, ins.src) : constReg(is32 ? BigInt(ins.imm >>> 0) : BigInt(ins.imm));
  const dst = env.readReg(s, ins.dst);
  const target = p.pc + 1 + ins.off;
  const fall = p.pc + 1;
  let verdict: 1 | 0 | -1 = -1;
  if (dst.type === "scalar" && src.type === "scalar") {
    verdict = S.isBranchTaken(dst.v, src.v, cmp, is32);
  } else if (cmp === "eq" || cmp === "ne") {
    // is_branch_taken: a pointer that cannot be null against the constant 0
    const ptr = dst.type === "scalar" ? src : dst;
    const other = dst.type === "scalar" ? dst : src;
    const zero = other.type === "scalar" && (is32 ? S.isConstScalar(S.zext32(other.v)) && S.zext32(other.v).varOff.value === 0n : S.isConstScalar(other.v) && other.v.varOff.value === 0n);
    // reg_not_null: a trusted or referenced BTF pointer is never null
    const trustedBtf = ptr.type === "btf_id" && ((ptr.btfFlags & BTF_FLAG.TRUSTED) !== 0 || ptr.refObjId !== 0);
    if (zero && !ptr.nullable && (ptr.type === "map_value" || ptr.type === "map_key" || ptr.type === "sock_common" || ptr.type === "ringbuf_mem" || ptr.type === "rdonly_mem" || trustedBtf)) {
      verdict = cmp === "eq" ? 0 : 1;
    }
  }
  if (verdict === 1) {
    f.taken = true;
    return target;
  }
  if (verdict === 0) {
    f.fallen = true;
    return fall;
  }
  f.taken = true;
  f.fallen = true;
  const other = cloneState(s);
  refineBranch(env, ins, other, true, is32, cmp, x);
  refineBranch(env, ins, s, false, is32, cmp, x);
  if (p.checkpoint !== null) p.checkpoint.branches++;
  work.push({ pc: target, prevPc: p.pc, state: other, checkpoint: p.checkpoint, logPos: -1 });
  if (work.length > JMP_SEQ_LIMIT) fail(ERRNO.EFAULT, `The sequence of ${work.length} jumps is too complex.`);
  // the log position after this instruction's state line, restored when the branch is popped
  env.printInsnState(s, fall);
  env.scratchRegs = new Set();
  env.scratchSlots = new Set();
  work[work.length - 1]!.logPos = env.log.length;
  return fall;
}

/** What `dst OP src` (taken or not) teaches: scalar bounds, null checks, packet ranges. */
function refineBranch(env: VerifierEnv, ins: Insn, s: State, taken: boolean, is32: boolean, cmp: S.CmpName, x: boolean): void {
  const regs = cur(s).regs;
  const dst = regs[ins.dst]!;
  const src: Reg = x ? regs[ins.src]! : constReg(is32 ? BigInt(ins.imm >>> 0) : BigInt(ins.imm));
  if (dst.type === "scalar" && src.type === "scalar") {
    const [a, b] = S.refine(dst.v, src.v, cmp, is32, taken);
    const nd: Reg = { ...dst, v: a };
    const ns: Reg = { ...src, v: b };
    regs[ins.dst] = nd;
    if (x) regs[ins.src] = ns;
    syncScalar(s, nd);
    if (x) syncScalar(s, ns);
    return;
  }
  if (!is32 && !x && ins.imm === 0 && (cmp === "eq" || cmp === "ne")) {
    // only `if rX == 0` / `if rX != 0` with an immediate marks the pointer null or not
    if (dst.nullable && dst.id !== 0) {
      const isNull = (cmp === "eq") === taken;
      markPtrOrNullRegs(env, s, dst.id, isNull, dst.refObjId);
    }
    return;
  }
  if (cmp === "eq" || cmp === "ne") return;
  // try_match_pkt_pointers: pkt against pkt_end, pkt_meta against the packet's start
  const isEnd = (p: Reg, e: Reg): boolean => (p.type === "pkt" && e.type === "pkt_end") || (p.type === "pkt_meta" && e.type === "pkt" && e.off === 0 && T.isConst(e.v.varOff) && e.v.varOff.value === 0n);
  if (!is32 && (isEnd(dst, src) || isEnd(src, dst))) {
    const pktIsDst = isEnd(dst, src);
    const pkt = pktIsDst ? dst : src;
    // normalise to "pkt OP end" and decide whether this branch proves pkt <= end (or pkt < end)
    const flip: Record<string, S.CmpName> = { gt: "lt", ge: "le", lt: "gt", le: "ge" };
    const c = pktIsDst ? cmp : flip[cmp];
    let good: boolean | null = null; // right_open
    if (c === "gt" && !taken) good = false;
    else if (c === "ge" && !taken) good = true;
    else if (c === "lt" && taken) good = true;
    else if (c === "le" && taken) good = false;
    if (good !== null) findGoodPktPointers(s, pkt, good);
  }
}

function findGoodPktPointers(s: State, pkt: Reg, rightOpen: boolean): void {
  if (pkt.off < 0 || (pkt.off === 0 && rightOpen)) return;
  if (pkt.v.umax > BigInt(MAX_PACKET_OFF) || pkt.v.umax + BigInt(pkt.off) > BigInt(MAX_PACKET_OFF)) return;
  const range = pkt.off;
  forEachReg(s, (r) => (r.type === pkt.type && r.id === pkt.id && r.range < range ? { ...r, range } : r));
}

function markPtrOrNullRegs(env: VerifierEnv, s: State, id: number, isNull: boolean, refObjId: number): void {
  // the null branch of an acquired pointer has nothing to release
  if (isNull && refObjId !== 0 && refObjId === id) s.refs = s.refs.filter((r) => r.id !== id);
  forEachReg(s, (r) => {
    if (r.id !== id || !r.nullable) return r;
    if (isNull) return constReg(0n);
    // a map value keeps its id where it may point to a spin lock (the lock is named by it)
    // the id is not needed any more (references keep ref_obj_id), except on a map value that may hold the spin lock
    return { ...r, nullable: false, id: r.type === "map_value" && env.maps[r.map]?.spinLockOff !== undefined ? r.id : 0 };
  });
}

/** sync_linked_regs: scalars sharing an id learn `known`'s bounds (shifted by their delta). */
function syncScalar(s: State, known: Reg): void {
  if (known.id === 0) return;
  forEachReg(s, (r) => {
    if (r === known || r.type !== "scalar" || r.id !== known.id) return r;
    if ((!r.addConst && !known.addConst) || r.off === known.off) return known;
    const delta = S.scalarKnown(BigInt(r.off - known.off));
    return { ...known, off: r.off, v: S.alu64("add", known.v, delta) };
  });
}
