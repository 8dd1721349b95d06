import { describe, expect, it } from "vitest";
import { compileProgram } from "../../src/jit/index.js";
import { runInterp } from "../../src/interp/index.js";
import { insn, type Insn } from "../../src/isa/insn.js";

/** n instructions: ALU work, a forward branch every 8, a counted loop every 64. */
function bigProgram(n: number): Insn[] {
  const out: Insn[] = [insn(0xb7, 0, 0, 0, 0), insn(0xb7, 1, 0, 0, 1)];
  while (out.length < n - 2) {
    const k = out.length;
    if (k % 64 === 0) {
      out.push(insn(0xb7, 9, 0, 0, 3), insn(0x07, 0, 0, 0, 1), insn(0x07, 9, 0, 0, -1), insn(0x55, 9, 0, -3, 0));
    } else if (k % 8 === 0) {
      out.push(insn(0x25, 0, 0, 2, 1000), insn(0x0f, 0, 1, 0, 0), insn(0xaf, 0, 1, 0, 0));
    } else out.push(insn(0x07, 1, 0, 0, k & 0xff));
  }
  out.push(insn(0x95, 0, 0, 0, 0));
  return out;
}

describe("JIT compile time scales linearly", () => {
  it("compiles 100,000 instructions in about 10× the time of 10,000", async () => {
    await compileProgram(bigProgram(2_000)); // binaryen start-up and warm-up
    const time = async (n: number): Promise<number> => {
      let best = Infinity;
      for (let i = 0; i < 2; i++) best = Math.min(best, (await compileProgram(bigProgram(n))).compileTimeMs);
      return best;
    };
    const small = await time(10_000);
    const large = await time(100_000);
    console.info(`compile: 10k insns ${small.toFixed(1)} ms, 100k insns ${large.toFixed(1)} ms (${(large / small).toFixed(1)}×)`);
    expect(large / small).toBeLessThan(30); // quadratic would be ~100×
  });

  it("runs a 100,000-instruction program with the interpreter's result", async () => {
    const prog = bigProgram(100_000);
    const jit = await compileProgram(prog);
    expect(jit.run().r0).toBe(runInterp(prog).r0);
    expect(jit.modes).toEqual(["structured"]);
  });
});
