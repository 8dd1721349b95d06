// Issue 16: programs at the kernel's size limits must get a verdict (or compile), never a
// JS stack overflow or a TypeError. Each case is the minimal reproducer of a crash.
import { describe, expect, it } from "vitest";
import { verify } from "../../src/verifier/index.js";
import { insn, type Insn } from "../../src/isa/insn.js";
import { Class, JmpOp, AluOp, Source, PseudoCall } from "../../src/isa/opcode.js";
import { compileProgram } from "../../src/jit/index.js";
import { runInterp } from "../../src/interp/index.js";

const MOV64_K = (dst: number, imm: number): Insn => insn(Class.ALU64 | AluOp.MOV | Source.K, dst, 0, 0, imm);
const ADD64_K = (dst: number, imm: number): Insn => insn(Class.ALU64 | AluOp.ADD | Source.K, dst, 0, 0, imm);
const JEQ_K = (dst: number, imm: number, off: number): Insn => insn(Class.JMP | JmpOp.JEQ | Source.K, dst, 0, off, imm);
const EXIT: Insn = insn(Class.JMP | JmpOp.EXIT, 0, 0, 0, 0);
const CALL_REL = (rel: number): Insn => insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.CALL, 0, rel);

describe("verifier robustness", () => {
  it("refuses a program with no instructions as bpf_prog_load does (E2BIG, no log)", () => {
    const r = verify([], { progType: "socket_filter", logLevel: 2 });
    expect(r.accepted).toBe(false);
    expect(r.errno).toBe(7);
    expect(r.log).toBe("");
  });

  it("refuses a program over 1,000,000 instructions (E2BIG) without exploring it", () => {
    const insns = Array.from({ length: 1_000_001 }, () => MOV64_K(0, 0));
    const r = verify(insns, { progType: "socket_filter" });
    expect([r.accepted, r.errno]).toEqual([false, 7]);
  });

  it("verifies a 1,000,000-instruction straight-line program without a JS stack overflow", () => {
    const insns = [MOV64_K(0, 0), ...Array.from({ length: 999_998 }, () => ADD64_K(0, 1)), EXIT];
    const r = verify(insns, { progType: "socket_filter" });
    // Linux: the last instruction takes processed past the limit
    expect(r.errno === null || r.errno === 7).toBe(true);
  }, 120_000);

  it("refuses a chain of 20,000 nested bpf-to-bpf calls at the 8th frame", () => {
    // subprogram i: call i+1; exit  (the last one: r0 = 0; exit)
    const n = 20_000;
    const insns: Insn[] = [];
    for (let i = 0; i < n; i++) insns.push(CALL_REL(1), EXIT);
    insns.push(MOV64_K(0, 0), EXIT);
    const r = verify(insns, { progType: "socket_filter", logLevel: 1 });
    expect(r.accepted).toBe(false);
    expect(r.error).toMatch(/^the call stack of 9 frames is too deep/);
  });

  it("refuses a recursive subprogram without a JS stack overflow", () => {
    // main: call f; exit.  f: call f; exit
    const insns = [CALL_REL(1), EXIT, CALL_REL(-1), EXIT];
    const r = verify(insns, { progType: "socket_filter", logLevel: 1 });
    expect(r.accepted).toBe(false);
    expect(r.errno).not.toBeNull();
  });
});

describe("JIT robustness", () => {
  it("compiles and runs a 1,000,000-instruction straight-line block", async () => {
    const insns = [MOV64_K(0, 0), ...Array.from({ length: 999_998 }, () => ADD64_K(0, 1)), EXIT];
    const prog = await compileProgram(insns);
    expect(prog.run().r0).toBe(999_998n);
  }, 120_000);

  it("compiles and runs a verified 1,000,000-instruction straight-line block (no metering)", async () => {
    const insns = [MOV64_K(0, 0), ...Array.from({ length: 999_997 }, () => ADD64_K(0, 1)), EXIT];
    const v = verify(insns, { progType: "socket_filter" });
    expect(v.accepted).toBe(true);
    const prog = await compileProgram(insns, { verified: v.facts });
    expect(prog.run().r0).toBe(999_997n);
  }, 120_000);

  // n loops nested inside each other: n heads, then n back-edges innermost first (each
  // `r1 -= 1; if r1 == 2 goto head`): the innermost back-edge is taken once, the others fall
  // through. The wasm nests n loops; past MAX_NESTING the JIT uses its dispatch loop.
  it.each([[2_000], [60_000]])("%i nested loops give the interpreter's r0", async (n) => {
    const insns: Insn[] = [MOV64_K(0, 0), MOV64_K(1, 3)];
    for (let i = 0; i < n; i++) insns.push(ADD64_K(0, 1));
    for (let i = n - 1; i >= 0; i--) {
      const at = insns.length;
      insns.push(ADD64_K(1, -1), JEQ_K(1, 2, 2 + i - (at + 2)));
    }
    insns.push(EXIT);
    const prog = await compileProgram(insns);
    expect(prog.modes).toEqual([n > 20_000 ? "dispatch" : "structured"]);
    expect(prog.run().r0).toBe(runInterp(insns).r0);
  }, 120_000);

  // a forward branch over one add, n times: each target opens a wasm block at the function
  // scope, so a structured lowering nests n blocks; past what binaryen can walk, the JIT
  // uses its two-level dispatch
  it.each([[3_000, 1_234], [60_000, 37]])("%i forward branches give the interpreter's r0", async (n, skipped) => {
    const insns: Insn[] = [MOV64_K(0, 0), MOV64_K(2, skipped)];
    for (let i = 0; i < n; i++) insns.push(JEQ_K(2, i, 1), ADD64_K(0, 1));
    insns.push(EXIT);
    const prog = await compileProgram(insns);
    expect(prog.modes).toEqual([n > 20_000 ? "dispatch" : "structured"]);
    expect(prog.run().r0).toBe(runInterp(insns).r0);
    expect(prog.run().r0).toBe(BigInt(n - 1));
  }, 120_000);
});
