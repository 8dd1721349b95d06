// compute_live_registers: the registers the rest of the program may read, so that pruning
// ignores dead ones.
import type { Insn } from "../isa/insn.js";
import { AluOp, AtomicOp, Class, JmpOp, LD_IMM64, Mode, PseudoCall, Source, opAlu, opClass, opJmp, opMode, opSource } from "../isa/opcode.js";

/** Registers r0-r9 live before each instruction (compute_live_registers), as a bit set. */
export function computeLiveRegs(insns: readonly Insn[]): Uint16Array {
  const n = insns.length;
  const use = new Uint16Array(n);
  const def = new Uint16Array(n);
  const succ: number[][] = [];
  const ALL = 0x3ff;
  for (let i = 0; i < n; i++) {
    const ins = insns[i]!;
    const cls = opClass(ins.code);
    const b = (r: number): number => (r < 10 ? 1 << r : 0);
    let u = 0;
    let d = 0;
    let next: number[] = [i + 1];
    switch (cls) {
      case Class.ALU:
      case Class.ALU64: {
        const op = opAlu(ins.code);
        const x = opSource(ins.code) === Source.X;
        if (op === AluOp.MOV) u = x ? b(ins.src) : 0;
        else u = b(ins.dst) | (x && op !== AluOp.END && op !== AluOp.NEG ? b(ins.src) : 0);
        d = b(ins.dst);
        break;
      }
      case Class.LD:
        if (ins.code === LD_IMM64) {
          d = b(ins.dst);
          next = [i + 2];
        } else {
          u = ALL;
        }
        break;
      case Class.LDX:
        u = b(ins.src);
        d = b(ins.dst);
        break;
      case Class.ST:
        u = b(ins.dst);
        break;
      case Class.STX:
        u = b(ins.dst) | b(ins.src);
        if (opMode(ins.code) === Mode.ATOMIC) {
          if (ins.imm === AtomicOp.CMPXCHG) {
            u |= 1;
            d = 1;
          } else if ((ins.imm & AtomicOp.FETCH) !== 0) {
            d = b(ins.src);
          }
        }
        break;
      default: {
        const op = opJmp(ins.code);
        if (op === JmpOp.EXIT) {
          u = 1;
          next = [];
        } else if (op === JmpOp.CALL) {
          u = 0x3e; // r1-r5 (conservative: every argument register)
          d = 0x3f;
          if (ins.src === PseudoCall.CALL) u = ALL; // the callee may read r1-r5 and returns into r0
        } else if (op === JmpOp.JA) {
          next = [i + 1 + (cls === Class.JMP32 ? ins.imm : ins.off)];
        } else {
          u = b(ins.dst) | (opSource(ins.code) === Source.X ? b(ins.src) : 0);
          next = [i + 1, i + 1 + ins.off];
        }
      }
    }
    use[i] = u;
    def[i] = d;
    succ.push(next.filter((t) => t >= 0 && t < n));
  }
  const liveIn = new Uint16Array(n);
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      let out = 0;
      for (const t of succ[i]!) out |= liveIn[t]!;
      const v = use[i]! | (out & ~def[i]! & ALL);
      if (v !== liveIn[i]) {
        liveIn[i] = v;
        changed = true;
      }
    }
  }
  // inside subprograms, registers of callers stay live (a conservative whole-program view)
  return liveIn;
}
