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
import type { TracingKind } from "../loader/sections.js";
import type { KernelFunction } from "./functions-table.js";

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
      if (i.imm === HELPER.get_func_arg) funcArgs.add(consts.get(2) ?? -1);
      if (i.imm === HELPER.get_func_ret) funcRet = true;
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
