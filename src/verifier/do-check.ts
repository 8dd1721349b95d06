// do_check: the main loop over paths (push_stack / pop_stack), one instruction at a time,
// each handed to the concern of its class.
import { checkKfuncCall, kfuncName } from "./kfuncs.js";
import { ldImm64Value, type Insn } from "../isa/insn.js";
import { checkInsn } from "../isa/decode.js";
import { kernelText } from "../asm/disassemble.js";
import { AluOp, AtomicOp, CALL, Class, JmpOp, LD_IMM64, Mode, PseudoCall, PseudoLd, Size, Source, opAlu, opClass, opJmp, opMode, opSize, opSource, sizeBytes } from "../isa/opcode.js";
import { ERRNO } from "../errors.js";
import { HELPER } from "../isa/helpers.js";
import { refsText, NOT_INIT, constReg, cur, formatFrame, newFrame, ptrReg, unknownReg, type Reg, type State } from "./state.js";
import { checkAluOp } from "./alu.js";
import { checkCondJmpOp } from "./branches.js";
import { checkHelperCall, checkResourceLeak, checkFuncCall, checkExit } from "./calls.js";
import { COMPLEXITY_LIMIT, type Path, type VerifierEnv } from "./env.js";
import { checkMemAccess, checkPtrOffReg, checkAtomic } from "./memory.js";
import { settle, isStateVisited } from "./prune.js";
import { fail, unsupported } from "./reject.js";

/** The state at the program's first instruction: R1 is the context, R10 the frame pointer. */
function initialState(): State {
  const f = newFrame(-1, 0, 0);
  f.regs[1] = ptrReg("ctx");
  return { frames: [f], refs: [], lock: null, rcuLock: 0 };
}

/** do_check: explore every path from the first instruction, pruning at explored states. */
export function doCheck(env: VerifierEnv): void {
  const work: Path[] = [];
  let path: Path | null = { pc: 0, prevPc: -1, state: initialState(), checkpoint: null, logPos: 0 };
  let printState = true;
  let popped = false;
  while (path !== null) {
    const p: Path = path;
    if (++env.processed > COMPLEXITY_LIMIT) fail(ERRNO.E2BIG, `BPF program is too large. Processed ${env.processed} insn`);
    if (env.pruneAt[p.pc] === 1 && isStateVisited(env, p)) {
      if (env.logLevel > 0) env.verbose(popped && printState ? `\nfrom ${p.prevPc} to ${p.pc}: safe\n` : `${p.pc}: safe\n`);
      path = endPath(env, p, work);
      popped = true;
      printState = true;
      continue;
    }
    if (env.logLevel > 0 && printState) {
      const f = cur(p.state);
      const text = formatFrame(f, env.maps) + refsText(p.state);
      env.verbose(popped ? `\nfrom ${p.prevPc} to ${p.pc}:${text}\n` : `${p.pc}:${text}\n`);
    }
    printState = false;
    popped = false;
    const ins = env.insns[p.pc]!;
    env.curPc = p.pc;
    const invalid = checkInsnAsKernel(env, ins, p.pc);
    if (env.logLevel > 0) {
      // a kfunc call shows the kernel function's name from the target BTF
      const text = ins.code === CALL && ins.src === PseudoCall.KFUNC ? `call ${kfuncName(env.opts.attachBtf, ins.imm)}#${ins.imm}` : kernelText(env.insns, p.pc);
      env.verbose(`${p.pc}: (${ins.code.toString(16).padStart(2, "0")}) ${text}\n`);
    }
    env.insnLogPos = env.log.length;
    if (invalid !== null) {
      // check_cond_jmp_op reads the destination register before it checks the fields
      if (invalid === "BPF_JMP/JMP32 uses reserved fields") env.readReg(p.state, ins.dst);
      fail(ERRNO.EINVAL, invalid);
    }
    env.scratchRegs = new Set();
    env.scratchSlots = new Set();
    const cls = opClass(ins.code);
    if (cls === Class.JMP || cls === Class.JMP32) env.jumps++;
    const next = step(env, p, work);
    if (next === "exit") {
      path = endPath(env, p, work);
      popped = true;
      printState = true;
      continue;
    }
    if (next === "frame") {
      printState = true;
      continue;
    }
    env.printInsnState(p.state, next);
    p.prevPc = p.pc;
    p.pc = next;
  }
}

/** The decoder's reserved-field checks, adjusted where do_check differs. */
function checkInsnAsKernel(env: VerifierEnv, ins: Insn, pc: number): string | null {
  const invalid = checkInsn(env.insns, pc);
  if (invalid === null) return null;
  const cls = opClass(ins.code);
  // check_alu_op: BPF_ADDR_SPACE_CAST (mov with off 1) needs an arena
  if (cls === Class.ALU64 && opAlu(ins.code) === AluOp.MOV && opSource(ins.code) === Source.X && ins.off === 1) {
    return ins.imm !== 1 && ins.imm !== 1 << 16 ? "addr_space_cast insn can only convert between address space 1 and 0" : "addr_space_cast insn can only be used in a program that has an associated arena";
  }
  // check_atomic: read-modify-write atomics of 1 or 2 bytes are a size error
  if (cls === Class.STX && opMode(ins.code) === Mode.ATOMIC && (opSize(ins.code) === Size.B || opSize(ins.code) === Size.H)) {
    const rmw = [AtomicOp.ADD, AtomicOp.OR, AtomicOp.AND, AtomicOp.XOR, AtomicOp.ADD | AtomicOp.FETCH, AtomicOp.OR | AtomicOp.FETCH, AtomicOp.AND | AtomicOp.FETCH, AtomicOp.XOR | AtomicOp.FETCH, AtomicOp.XCHG, AtomicOp.CMPXCHG] as number[];
    if (rmw.includes(ins.imm)) return "invalid atomic operand size";
    return `BPF_ATOMIC uses invalid atomic opcode ${(ins.imm >>> 0).toString(16).padStart(2, "0")}`;
  }
  // check_ld_abs refuses the program type before it looks at the fields
  const mode = opMode(ins.code);
  if (opClass(ins.code) === Class.LD && (mode === Mode.ABS || mode === Mode.IND)) {
    const t = env.opts.progType;
    if (t !== "socket_filter" && t !== "sched_cls" && t !== "sched_act") return "BPF_LD_[ABS|IND] instructions not allowed for this program type";
  }
  return invalid;
}

/** A path ended (exit or pruned): settle checkpoint branch counts and pop the next path. */
function endPath(env: VerifierEnv, p: Path, work: Path[]): Path | null {
  settle(env, p.checkpoint);
  const next = work.pop() ?? null;
  if (next !== null && env.logLevel === 1) env.log.length = next.logPos;
  return next;
}

function step(env: VerifierEnv, p: Path, work: Path[]): number | "exit" | "frame" {
  const ins = env.insns[p.pc]!;
  const s = p.state;
  const cls = opClass(ins.code);
  const f = env.facts[p.pc]!;
  switch (cls) {
    case Class.ALU:
    case Class.ALU64:
      checkAluOp(env, ins, s, cls === Class.ALU64, f);
      return p.pc + 1;
    case Class.LD: {
      if (ins.code !== LD_IMM64) {
        checkLdAbs(env, ins, s);
        return p.pc + 1;
      }
      env.writeReg(s, ins.dst);
      if (ins.src === PseudoLd.NONE) {
        env.setReg(s, ins.dst, constReg(ldImm64Value(ins, env.insns[p.pc + 1]!)));
      } else if (ins.src === PseudoLd.MAP_FD || ins.src === PseudoLd.MAP_IDX) {
        env.setReg(s, ins.dst, ptrReg("map_ptr", { map: ins.imm }));
      } else if (ins.src === PseudoLd.MAP_VALUE || ins.src === PseudoLd.MAP_IDX_VALUE) {
        const m = env.maps[ins.imm]!;
        const off = env.insns[p.pc + 1]!.imm;
        if (m.type !== "array" || m.maxEntries < 1) return unsupported(`direct value access to a ${m.type} map`);
        if (off < 0 || off >= m.valueSize) fail(ERRNO.EINVAL, `invalid access to map value pointer, value_size=${m.valueSize} off=${off}`);
        env.setReg(s, ins.dst, ptrReg("map_value", { map: ins.imm, off }));
      } else if (ins.src === PseudoLd.FUNC) {
        // check_ld_imm: a callback reference needs BTF func_info (static functions)
        if (env.opts.funcInfo !== true) fail(ERRNO.EINVAL, "missing btf func_info");
        env.setReg(s, ins.dst, ptrReg("func", { callback: p.pc + 1 + ins.imm }));
      } else if (ins.src === PseudoLd.BTF_ID && env.opts.attachBtf?.type(ins.imm)?.kind === "FUNC") {
        // check_pseudo_btf_id: a kernel function's address (bpf_ksym_exists) is read-only memory of size 0
        env.setReg(s, ins.dst, ptrReg("rdonly_mem"));
      } else {
        return unsupported(`ld_imm64 with src_reg ${ins.src}`);
      }
      return p.pc + 2;
    }
    case Class.LDX: {
      env.readReg(s, ins.src);
      env.writeReg(s, ins.dst);
      const size = sizeBytes(opSize(ins.code));
      const v = checkMemAccess(env, s, ins.src, ins.off, size, "read", null, f, opMode(ins.code) === Mode.MEMSX);
      env.setReg(s, ins.dst, v!);
      return p.pc + 1;
    }
    case Class.ST:
    case Class.STX: {
      const size = sizeBytes(opSize(ins.code));
      if (opMode(ins.code) === Mode.ATOMIC) {
        checkAtomic(env, ins, s, size, f);
        return p.pc + 1;
      }
      let value: Reg | null = null;
      if (cls === Class.STX) {
        value = env.readReg(s, ins.src);
        env.readReg(s, ins.dst);
      } else {
        env.readReg(s, ins.dst);
      }
      checkMemAccess(env, s, ins.dst, ins.off, size, "write", value, f, false, cls === Class.ST ? ins.imm : undefined);
      return p.pc + 1;
    }
    default: {
      const op = opJmp(ins.code);
      if (op === JmpOp.EXIT) return checkExit(env, p);
      if (op === JmpOp.CALL) {
        if (ins.src === PseudoCall.CALL) return checkFuncCall(env, p);
        // only bpf_spin_unlock may be called while a lock is held
        if (s.lock !== null && (ins.src !== 0 || ins.imm !== HELPER.spin_unlock)) fail(ERRNO.EINVAL, "function calls are not allowed while holding a lock");
        if (ins.src === PseudoCall.KFUNC) {
          checkKfuncCall(env, p);
          return p.pc + 1;
        }
        if (ins.src !== 0) return unsupported(`calls with src_reg ${ins.src}`);
        checkHelperCall(env, ins.imm, p, work);
        return p.pc + 1;
      }
      if (op === JmpOp.JA) return p.pc + 1 + (cls === Class.JMP32 ? ins.imm : ins.off);
      return checkCondJmpOp(env, p, work, f);
    }
  }
}

/** check_ld_abs: legacy packet loads (BPF_LD_ABS / BPF_LD_IND) of __sk_buff programs. */
function checkLdAbs(env: VerifierEnv, ins: Insn, s: State): void {
  const t = env.opts.progType;
  if (t !== "socket_filter" && t !== "sched_cls" && t !== "sched_act") fail(ERRNO.EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
  const r6 = env.readReg(s, 6);
  // the load may end the program at run time: no references may be held
  checkResourceLeak(s, "BPF_LD_[ABS|IND]");
  if (r6.type !== "ctx") fail(ERRNO.EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
  if (opMode(ins.code) === Mode.IND) env.readReg(s, ins.src);
  checkPtrOffReg(r6, 6);
  for (let r = 1; r <= 5; r++) env.setReg(s, r, NOT_INIT);
  env.writeReg(s, 0);
  env.setReg(s, 0, unknownReg());
}
