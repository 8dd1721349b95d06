// check_max_stack_depth: the combined stack of every call chain.
import { Class, JmpOp, LD_IMM64, PseudoCall, PseudoLd } from "../isa/opcode.js";
import { ERRNO } from "../errors.js";
import { MAX_BPF_STACK } from "../isa/limits.js";
import { HELPER } from "../isa/helpers.js";
import type { VerifierEnv } from "./env.js";
import { fail } from "./reject.js";

/** check_max_stack_depth: the frames of a call chain share 512 bytes. */
export function checkMaxStackDepth(env: VerifierEnv): void {
  const round = (d: number): number => Math.ceil(d / 16) * 16;
  const calls: number[][] = env.subprogs.map(() => []);
  env.insns.forEach((ins, pc) => {
    // bpf-to-bpf calls, and callback references (the kernel counts them as calls too)
    if ((ins.code === (Class.JMP | JmpOp.CALL) && ins.src === PseudoCall.CALL) || (ins.code === LD_IMM64 && ins.src === PseudoLd.FUNC)) {
      const from = subprogOf(env, pc);
      calls[from]!.push(env.subprogs.indexOf(pc + 1 + ins.imm));
    }
  });
  // bpf_enable_priv_stack: on x86-64 the JIT gives tracing programs' frames of 64 bytes or
  // more a private stack, outside the combined 512 bytes (not assumed with tail calls)
  const t = env.opts.progType;
  const hasTail = env.insns.some((ins) => ins.code === (Class.JMP | JmpOp.CALL) && ins.src === 0 && ins.imm === HELPER.tail_call);
  const priv = !hasTail && (t === "kprobe" || t === "tracepoint" || t === "perf_event" || t === "raw_tracepoint");
  const walk = (sp: number, depth: number, frames: number): void => {
    const own = round(env.stackDepth[sp]!);
    let d = depth + own;
    if (priv && own >= 64) {
      if (own > MAX_BPF_STACK) fail(ERRNO.EACCES, `stack size of subprog ${sp} is ${own}. Too large`);
      d = depth;
    } else if (d > MAX_BPF_STACK) {
      fail(ERRNO.EACCES, `combined stack size of ${frames} calls is ${d}. Too large`);
    }
    for (const c of calls[sp]!) walk(c, d, frames + 1);
  };
  walk(0, 0, 1);
}

function subprogOf(env: VerifierEnv, pc: number): number {
  let k = 0;
  while (k + 1 < env.subprogs.length && env.subprogs[k + 1]! <= pc) k++;
  return k;
}
