// The verifier's first passes, in the kernel's order, with its messages (kernel/bpf/verifier.c):
//   add_subprog          "call to invalid destination"
//   check_subprogs       "jump out of range from insn %d to %d", "last insn is not an exit or jmp"
//   resolve_pseudo_ldimm64  "unknown opcode %02x", "BPF_LDX uses reserved fields",
//                        "invalid bpf_ld_imm64 insn", "unrecognized bpf_ld_imm64 insn",
//                        "fd %d is not pointing to valid bpf_map", "fd_idx without fd_array is invalid"
//   check_cfg            "jump into the middle of ldimm64 insn %d", "unreachable insn %d"
// Everything these passes accept still has to go through path exploration (do_check),
// which is not part of this module: a program that passes here is not yet verified.
import type { Insn } from "../isa/insn.js";
import { Class, JmpOp, LD_IMM64, Mode, PseudoCall, PseudoLd, Size, opClass, opJmp, opMode, opSize } from "../isa/opcode.js";
import { ERRNO } from "../errors.js";

export interface StructureResult {
  /** null when every structural check passed */
  readonly error: string | null;
  readonly errno: number | null;
  /** subprogram start slots, ascending (the entry is 0) */
  readonly subprogs: number[];
}

export interface StructureOptions {
  /** how many maps the program may reference (ld_imm64 map fd / map idx imm < count) */
  readonly mapCount?: number;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, "0");
const fail = (error: string, subprogs: number[] = []): StructureResult => ({ error, errno: ERRNO.EINVAL, subprogs });

export function checkStructure(insns: readonly Insn[], opts: StructureOptions = {}): StructureResult {
  const n = insns.length;
  // add_subprog: the entry, every bpf-to-bpf call target and every callback (ld_imm64 func)
  const starts = new Set<number>([0]);
  for (let i = 0; i < n; i++) {
    const ins = insns[i]!;
    const isPseudoCall = ins.code === (Class.JMP | JmpOp.CALL) && ins.src === PseudoCall.CALL;
    const isFunc = ins.code === LD_IMM64 && ins.src === PseudoLd.FUNC;
    if (!isPseudoCall && !isFunc) continue;
    const t = i + 1 + ins.imm;
    if (t < 0 || t >= n) return fail("call to invalid destination");
    starts.add(t);
  }
  const subprogs = [...starts].sort((a, b) => a - b);

  // check_subprogs: jumps stay inside their subprogram, and each ends in exit or jump
  for (let k = 0; k < subprogs.length; k++) {
    const start = subprogs[k]!;
    const end = subprogs[k + 1] ?? n;
    for (let i = start; i < end; i++) {
      const ins = insns[i]!;
      const cls = opClass(ins.code);
      if ((cls === Class.JMP || cls === Class.JMP32) && opJmp(ins.code) !== JmpOp.CALL && opJmp(ins.code) !== JmpOp.EXIT) {
        const t = i + 1 + (ins.code === (Class.JMP32 | JmpOp.JA) ? ins.imm : ins.off);
        if (t < start || t >= end) return fail(`jump out of range from insn ${i} to ${t}`, subprogs);
      }
      if (i === end - 1) {
        const c = ins.code;
        if (c !== (Class.JMP | JmpOp.EXIT) && c !== (Class.JMP | JmpOp.JA) && c !== (Class.JMP32 | JmpOp.JA)) {
          return fail("last insn is not an exit or jmp", subprogs);
        }
      }
    }
  }

  // resolve_pseudo_ldimm64
  for (let i = 0; i < n; i++) {
    const ins = insns[i]!;
    if (!inKernelOpcodeTable(ins.code)) return fail(`unknown opcode ${hex2(ins.code)}`, subprogs);
    if (opClass(ins.code) === Class.LDX && ins.imm !== 0) return fail("BPF_LDX uses reserved fields", subprogs);
    if (ins.code !== LD_IMM64) continue;
    const next = insns[i + 1];
    if (next === undefined || next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
      return fail("invalid bpf_ld_imm64 insn", subprogs);
    }
    i++;
    if (ins.src === PseudoLd.NONE || ins.src === PseudoLd.BTF_ID || ins.src === PseudoLd.FUNC) continue;
    const isMap = ins.src === PseudoLd.MAP_FD || ins.src === PseudoLd.MAP_IDX;
    const isValue = ins.src === PseudoLd.MAP_VALUE || ins.src === PseudoLd.MAP_IDX_VALUE;
    if (!isValue && !(isMap && next.imm === 0)) return fail("unrecognized bpf_ld_imm64 insn", subprogs);
    const mapCount = opts.mapCount ?? 0;
    const byIndex = ins.src === PseudoLd.MAP_IDX || ins.src === PseudoLd.MAP_IDX_VALUE;
    // map references index the program's map list, the way a loader's fd_array does
    if (byIndex && mapCount === 0) return { error: "fd_idx without fd_array is invalid", errno: ERRNO.EPROTO, subprogs };
    if (ins.imm < 0 || ins.imm >= mapCount) return { error: `fd ${ins.imm} is not pointing to valid bpf_map`, errno: ERRNO.EBADF, subprogs };
  }

  // check_cfg: depth-first walk from the entry over every edge (calls enter their
  // subprogram), then one pass in index order: the first unvisited instruction is
  // unreachable, and a visited second half of an ld_imm64 means a jump into its middle
  const seen = new Uint8Array(n);
  const stack = [0];
  seen[0] = 1;
  const push = (to: number): void => {
    if (seen[to] === 0) {
      seen[to] = 1;
      stack.push(to);
    }
  };
  while (stack.length > 0) {
    const i = stack.pop()!;
    const ins = insns[i]!;
    const cls = opClass(ins.code);
    if (cls === Class.JMP || cls === Class.JMP32) {
      const op = opJmp(ins.code);
      if (op === JmpOp.EXIT) continue;
      if (op === JmpOp.CALL) {
        if (ins.src === PseudoCall.CALL) push(i + 1 + ins.imm);
        if (i + 1 < n) push(i + 1);
      } else if (op === JmpOp.JA) {
        push(i + 1 + (cls === Class.JMP32 ? ins.imm : ins.off));
      } else {
        push(i + 1);
        push(i + 1 + ins.off);
      }
      continue;
    }
    if (ins.code === LD_IMM64 && ins.src === PseudoLd.FUNC) push(i + 1 + ins.imm);
    const width = ins.code === LD_IMM64 ? 2 : 1;
    if (i + width < n) push(i + width);
  }
  for (let i = 0; i < n; i++) {
    if (seen[i] === 0) return fail(`unreachable insn ${i}`, subprogs);
    if (insns[i]!.code === LD_IMM64) {
      if (seen[i + 1] === 1) return fail(`jump into the middle of ldimm64 insn ${i}`, subprogs);
      i++;
    }
  }
  return { error: null, errno: null, subprogs };
}

/** The kernel's table of known opcodes (bpf_opcode_in_insntable). Unlike RFC 9669, it has no callx. */
export function inKernelOpcodeTable(code: number): boolean {
  const cls = opClass(code);
  const op = code & 0xf0;
  const x = (code & 0x08) !== 0;
  switch (cls) {
    case Class.ALU:
      if (op === 0x80) return !x; // neg
      return op <= 0xd0;
    case Class.ALU64:
      if (op === 0x80 || op === 0xd0) return !x; // neg, bswap
      return op <= 0xc0;
    case Class.JMP:
      if (op === JmpOp.JA || op === JmpOp.CALL || op === JmpOp.EXIT) return !x;
      return op <= 0xd0;
    case Class.JMP32:
      if (op === JmpOp.JA) return !x;
      if (op === JmpOp.CALL || op === JmpOp.EXIT) return false;
      return op <= 0xd0;
    case Class.LD:
      if (code === LD_IMM64) return true;
      return (opMode(code) === Mode.ABS || opMode(code) === Mode.IND) && opSize(code) !== Size.DW;
    case Class.LDX:
      return opMode(code) === Mode.MEM || (opMode(code) === Mode.MEMSX && opSize(code) !== Size.DW);
    case Class.ST:
      return opMode(code) === Mode.MEM;
    default: // STX
      return opMode(code) === Mode.MEM || opMode(code) === Mode.ATOMIC;
  }
}

