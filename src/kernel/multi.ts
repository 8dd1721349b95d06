// "Record and check the accessed args" of the tracing multi-link: the program is verified for
// its first target; every other target must give the arguments the program reads the same
// types. The record here is a linear scan (no CFG): registers holding ctx (r1 at entry, copied
// with mov) and the constant argument numbers of bpf_get_func_arg; loads from ctx at offset
// 8*i read argument i. fexit/fmod_ret programs reading the slot after the last argument (the
// return value) need the same argument count and return type; calling bpf_get_func_ret (which
// finds the slot through ctx[-1]) needs the same return type only.
import { BpfError } from "../errors.js";
import type { Insn } from "../isa/insn.js";
import { CALL } from "../isa/opcode.js";
import { HELPER } from "../isa/helpers.js";
import type { KernelFunction } from "./kernel.js";
import type { TracingKind } from "./program.js";

const MOV64_X = 0xbf;
const MOV64_K = 0xb7;

export interface AccessedArgs {
  /** ctx slots read directly (slot index) */
  readonly slots: ReadonlySet<number>;
  /** argument numbers given to bpf_get_func_arg as constants; -1: a variable one */
  readonly funcArgs: ReadonlySet<number>;
  /** bpf_get_func_ret called */
  readonly funcRet: boolean;
}

export function accessedArgs(insns: readonly Insn[], _kind: TracingKind): AccessedArgs {
  const ctxRegs = new Set<number>([1]);
  const consts = new Map<number, number>();
  const slots = new Set<number>();
  const funcArgs = new Set<number>();
  let funcRet = false;
  for (const i of insns) {
    // LDX | MEM of any size from a register holding ctx
    if ((i.code & 0x07) === 0x01 && (i.code & 0xe0) === 0x60 && ctxRegs.has(i.src)) slots.add(Math.floor(i.off / 8));
    if (i.code === CALL && i.src === 0) {
      if (i.imm === 183) funcArgs.add(consts.get(2) ?? -1);
      if (i.imm === 184) funcRet = true;
      for (let r = 0; r <= 5; r++) {
        ctxRegs.delete(r);
        consts.delete(r);
      }
      continue;
    }
    const writes = (i.code & 0x07) === 0x07 || (i.code & 0x07) === 0x04 || (i.code & 0x07) === 0x01 || i.code === 0x18;
    if (!writes) continue;
    if (i.code === MOV64_X && ctxRegs.has(i.src)) ctxRegs.add(i.dst);
    else ctxRegs.delete(i.dst);
    if (i.code === MOV64_K || i.code === 0xb4) consts.set(i.dst, i.imm);
    else consts.delete(i.dst);
  }
  return { slots, funcArgs, funcRet };
}

const SIZES: Record<string, number> = {
  char: 1, "unsigned char": 1, u8: 1, bool: 1, _Bool: 1, short: 2, "unsigned short": 2, u16: 2,
  int: 4, "unsigned int": 4, u32: 4, s32: 4, pid_t: 4, gfp_t: 4,
};

/** A comparable form of a C type: pointers by pointee, integers by size. */
function typeClass(t: string): string {
  const c = t.replace(/\bconst\b/g, "").replace(/\s+/g, " ").trim();
  if (c.endsWith("*")) return `ptr:${c.replace(/\s*\*$/, "").trim()}`;
  return `int:${SIZES[c] ?? 8}`;
}

/** Throw -EINVAL when `f` does not give the program's accessed arguments the types `first` gives them. */
export function checkMultiTarget(first: KernelFunction, f: KernelFunction, used: AccessedArgs, kind: TracingKind): void {
  if (f === first) return;
  const fail = (why: string): never => {
    throw new BpfError("EINVAL", "link_create", `${f.name} does not match ${first.name}, the program's first target: ${why}`);
  };
  const args = new Set<number>([...used.funcArgs].filter((n) => n >= 0 && n < first.nargs));
  // bpf_get_func_ret finds the slot through ctx[-1]: only the type must agree; a direct read
  // of ctx[nr_args] needs the same argument count too
  const retType = used.funcRet && kind !== "fentry";
  let retSlot = false;
  for (const s of used.slots) {
    if (s < first.nargs) args.add(s);
    else if (s === first.nargs && kind !== "fentry") retSlot = true;
  }
  for (const i of args) {
    if (i >= f.nargs) fail(`argument ${i} is read but ${f.name} has ${f.nargs}`);
    const a = typeClass(first.params[i]![1]);
    const b = typeClass(f.params[i]![1]);
    if (a !== b) fail(`argument ${i} is ${first.params[i]![1]} there, ${f.params[i]![1]} here`);
  }
  if (retSlot && f.nargs !== first.nargs) fail(`the return value is read at ctx[${first.nargs}] but ${f.name} has ${f.nargs} arguments`);
  if ((retSlot || retType) && typeClass(first.ret) !== typeClass(f.ret)) fail(`returns ${f.ret}, not ${first.ret}`);
}

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
