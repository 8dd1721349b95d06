// What of a trampoline frame a program can observe (ctx, ip, cookie, its stack), found by a
// linear scan of its code: trampolines, kprobe layers and tracepoint hooks skip the stores
// nothing reads.
import type { Insn } from "../isa/insn.js";
import { CALL } from "../isa/opcode.js";
import { HELPER } from "../isa/helpers.js";

/** What of the trampoline's frame a program can observe (stores of the rest are skipped). */
export interface CtxNeeds {
  /** the program may read ctx (arguments, nr_args, the return slot) */
  readonly ctx: boolean;
  /** it calls bpf_get_func_ip */
  readonly ip: boolean;
  /** it calls bpf_get_attach_cookie */
  readonly cookie: boolean;
  /** it uses its stack (r10) or calls subprograms */
  readonly stack: boolean;
}

/** A trampoline frame is needed at all (ctx, ip, cookie or a BPF stack). */
export const needsFrame = (n: CtxNeeds): boolean => n.ctx || n.ip || n.cookie || n.stack;

/**
 * Sound but simple: ctx is unused when, on the straight-line code from the entry (before any
 * jump, exit or bpf-to-bpf call), r1 is overwritten before anything reads it; r1 is the only
 * register holding ctx at entry.
 */
export function ctxNeeds(insns: readonly Insn[]): CtxNeeds {
  const helpers = new Set(insns.filter((i) => i.code === CALL && i.src === 0).map((i) => i.imm));
  let ctx = true;
  for (let pc = 0; pc < insns.length; pc++) {
    const i = insns[pc]!;
    const cls = i.code & 0x07;
    if (i.code === CALL) {
      // a helper without arguments clobbers r1 unread; anything else may read it
      if (i.src === 0 && NO_ARG_HELPERS.has(i.imm)) ctx = false;
      break;
    }
    if (cls === 0x05 || cls === 0x06) break; // other jumps and exit: stop (conservative)
    let reads = false;
    if (cls === 0x04 || cls === 0x07) reads = ((i.code & 0x08) !== 0 && i.src === 1) || (i.dst === 1 && (i.code & 0xf0) !== 0xb0);
    else if (cls === 0x01) reads = i.src === 1;
    else if (cls === 0x02) reads = i.dst === 1;
    else if (cls === 0x03) reads = i.dst === 1 || i.src === 1;
    else if (i.code !== 0x18) reads = true; // legacy packet loads: give up
    if (reads) break;
    if (i.dst === 1 && cls !== 0x02 && cls !== 0x03) {
      ctx = false;
      break;
    }
    if (i.code === 0x18) pc++;
  }
  const stack = insns.some((i) => i.code !== 0 && (i.src === 10 || i.dst === 10 || (i.code === CALL && i.src === 1)));
  return { ctx, ip: helpers.has(HELPER.get_func_ip), cookie: helpers.has(HELPER.get_attach_cookie), stack };
}

// helpers with no arguments (r1 not read): the common ones programs start with
const NO_ARG_HELPERS = new Set<number>([
  HELPER.ktime_get_ns, HELPER.get_prandom_u32, HELPER.get_smp_processor_id, HELPER.get_current_pid_tgid,
  HELPER.get_current_uid_gid, HELPER.get_current_task, HELPER.get_numa_node_id, HELPER.get_current_cgroup_id,
  HELPER.jiffies64, HELPER.ktime_get_boot_ns, HELPER.ktime_get_coarse_ns,
]);
