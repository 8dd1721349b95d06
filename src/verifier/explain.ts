// Explanation mode (beyond the kernel): for a rejected program, the path the verifier was on
// when it refused (and the shortest path from the entry to the failing instruction), and the
// instructions the offending register's value came from along the failing path (a backward slice through registers and constant-offset stack slots),
// each with the state the verifier logged after it.
import type { Insn } from "../isa/insn.js";
import { kernelText } from "../asm/disassemble.js";
import { AluOp, Class, JmpOp, LD_IMM64, Mode, PseudoCall, Source, opAlu, opClass, opJmp, opMode, opSource } from "../isa/opcode.js";
import type { VerifyResult } from "./types.js";

export interface Explanation {
  /** the instruction the verifier refused */
  readonly pc: number;
  /** the register whose value it refused (null when the message names none) */
  readonly reg: number | null;
  /** the path the verifier was on when it refused (from its log), entry first */
  readonly path: readonly number[];
  /** the shortest instruction path from 0 to pc in the control-flow graph */
  readonly shortest: readonly number[];
  /** instructions on the path that produced the offending value, in program order */
  readonly slice: readonly number[];
  /** the explanation as text */
  readonly text: string;
}

/** Successors of pc in the control-flow graph (calls step into the callee and over it). */
function successors(insns: readonly Insn[], pc: number): number[] {
  const ins = insns[pc]!;
  const next = pc + (ins.code === LD_IMM64 ? 2 : 1);
  const cls = opClass(ins.code);
  if (cls !== Class.JMP && cls !== Class.JMP32) return [next];
  const op = opJmp(ins.code);
  if (op === JmpOp.EXIT) return [];
  if (op === JmpOp.CALL) return ins.src === PseudoCall.CALL ? [pc + 1 + ins.imm, next] : [next];
  const target = pc + 1 + (cls === Class.JMP32 && op === JmpOp.JA ? ins.imm : ins.off);
  return op === JmpOp.JA ? [target] : [next, target];
}

function shortestPath(insns: readonly Insn[], to: number): number[] {
  const prev = new Map<number, number>([[0, -1]]);
  const queue = [0];
  while (queue.length > 0) {
    const pc = queue.shift()!;
    if (pc === to) break;
    for (const s of successors(insns, pc)) {
      if (s < 0 || s >= insns.length || prev.has(s)) continue;
      prev.set(s, pc);
      queue.push(s);
    }
  }
  if (!prev.has(to)) return [to];
  const path: number[] = [];
  for (let pc = to; pc !== -1; pc = prev.get(pc)!) path.push(pc);
  return path.reverse();
}

/** What an instruction writes and reads: registers, and stack slots at constant r10 offsets. */
function effects(ins: Insn): { writes: string[]; reads: string[] } {
  const r = (n: number): string => `R${n}`;
  const slot = (off: number): string => `fp${off}`;
  const cls = opClass(ins.code);
  switch (cls) {
    case Class.ALU:
    case Class.ALU64: {
      const op = opAlu(ins.code);
      const src = opSource(ins.code) === Source.X && op !== AluOp.END && op !== AluOp.NEG ? [r(ins.src)] : [];
      return { writes: [r(ins.dst)], reads: op === AluOp.MOV ? src : [r(ins.dst), ...src] };
    }
    case Class.LD:
      return { writes: [r(ins.dst)], reads: [] };
    case Class.LDX:
      return { writes: [r(ins.dst)], reads: ins.src === 10 ? [slot(ins.off)] : [r(ins.src)] };
    case Class.ST:
      return { writes: ins.dst === 10 ? [slot(ins.off)] : [], reads: [r(ins.dst)] };
    case Class.STX:
      if (opMode(ins.code) === Mode.ATOMIC) return { writes: [r(ins.src)], reads: [r(ins.dst), r(ins.src)] };
      return { writes: ins.dst === 10 ? [slot(ins.off)] : [], reads: ins.dst === 10 ? [r(ins.src)] : [r(ins.dst), r(ins.src)] };
    default:
      if (opJmp(ins.code) === JmpOp.CALL) return { writes: ["R0", "R1", "R2", "R3", "R4", "R5"], reads: [] };
      return { writes: [], reads: [] };
  }
}

/** The register an access instruction uses as its base (for messages that name none). */
function baseReg(ins: Insn): number | null {
  const cls = opClass(ins.code);
  if (cls === Class.LDX) return ins.src;
  if (cls === Class.ST || cls === Class.STX) return ins.dst;
  return null;
}

/** Explain a rejection from its level-1 (or 2) log; null when the log names no instruction. */
export function explain(insns: readonly Insn[], result: VerifyResult): Explanation | null {
  if (result.accepted || result.log === "") return null;
  const lines = result.log.split("\n");
  let pc = -1;
  const stateAfter = new Map<number, string>();
  // a level-1 log holds exactly the failing path: its instruction lines in order
  const walked: number[] = [];
  for (const l of lines) {
    const m = /^(\d+): \([0-9a-f]{2}\) [^;]*?(?:\s+; (.*))?$/.exec(l);
    if (m === null) continue;
    pc = Number(m[1]);
    walked.push(pc);
    if (m[2] !== undefined) stateAfter.set(pc, m[2]);
  }
  if (pc < 0 || pc >= insns.length) return null;
  const named = /\bR(\d+)\b/.exec(result.error ?? "");
  const reg = named !== null ? Number(named[1]) : baseReg(insns[pc]!);
  const shortest = shortestPath(insns, pc);
  const path = walked[0] === 0 ? walked : shortest;
  const slice: number[] = [];
  const wanted = new Set<string>(reg !== null ? [`R${reg}`] : []);
  for (let k = path.length - 2; k >= 0 && wanted.size > 0; k--) {
    const p = path[k]!;
    const ins = insns[p]!;
    // a bpf-to-bpf call the path enters passes r1-r5 on; one it steps over returns r0
    const entered = opClass(ins.code) === Class.JMP && opJmp(ins.code) === JmpOp.CALL && ins.src === PseudoCall.CALL && path[k + 1] === p + 1 + ins.imm;
    const e = entered ? { writes: [], reads: [] } : effects(ins);
    if (!e.writes.some((w) => wanted.has(w))) continue;
    slice.push(p);
    for (const w of e.writes) wanted.delete(w);
    for (const x of e.reads) wanted.add(x);
  }
  slice.reverse();
  const out = [
    `explanation: ${result.error ?? "rejected"}`,
    `  at ${pc}: ${kernelText(insns, pc)}${reg !== null ? `  (the value in R${reg})` : ""}`,
    `  path the verifier took: ${path.join(" -> ")}`,
    ...(shortest.join() !== path.join() ? [`  shortest path from the entry: ${shortest.join(" -> ")}`] : []),
  ];
  if (reg !== null) {
    out.push(slice.length === 0 ? `  R${reg} holds what it held at the entry` : `  where R${reg} came from:`);
    for (const p of slice) out.push(`    ${String(p).padStart(4)}: ${kernelText(insns, p).padEnd(34)}${stateAfter.has(p) ? ` ; ${stateAfter.get(p)}` : ""}`);
  }
  return { pc, reg, path, shortest, slice, text: out.join("\n") };
}
