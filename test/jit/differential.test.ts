import { describe, expect, it } from "vitest";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { GuestMemory } from "../../src/exec/guest-memory.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { CTX_BASE } from "../../src/isa/layout.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";
import { generateProgram } from "../support/gen-programs.js";

const SEED = Number(process.env["WABPF_SEED"] ?? 4242);
const COUNT = Number(process.env["WABPF_FUZZ_ITERATIONS"] ?? 1500);

type Outcome = { r0: string; mem: string } | { trap: TrapKind; pc: number; mem: string };

function outcome(run: () => bigint, mem: GuestMemory, len: number, where: string): Outcome {
  try {
    const r0 = run();
    return { r0: r0.toString(16), mem: Buffer.from(mem.read(CTX_BASE, len)).toString("hex") };
  } catch (e) {
    if (!(e instanceof RuntimeTrap)) throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
    // memory too: both engines have done exactly the same stores before a trap
    return { trap: e.kind, pc: e.pc, mem: Buffer.from(mem.read(CTX_BASE, len)).toString("hex") };
  }
}

describe("JIT vs interpreter on generated programs", () => {
  it(`agree on r0, memory and traps for ${COUNT} programs (seed ${SEED})`, async () => {
    let traps = 0;
    let budgetTraps = 0;
    for (let i = 0; i < COUNT; i++) {
      const seed = SEED + i;
      const { insns, input } = generateProgram(seed);
      const memI = new GuestMemory();
      const memJ = new GuestMemory();
      // every fourth program runs out of a small budget somewhere in its run (exact metering)
      const budget = i % 4 === 3 ? 1 + (seed % 150) : 100_000;
      const where = `seed ${seed}: program ${Buffer.from(encodeProgram(insns)).toString("hex")}`;
      const want = outcome(() => runInterp(insns, { input, mem: memI, budget }).r0, memI, input.length, where);
      const jit = await compileProgram(insns);
      const got = outcome(() => jit.run({ input, mem: memJ, budget }).r0, memJ, input.length, where);
      if ("trap" in want) traps++;
      if ("trap" in want && want.trap === TrapKind.Budget) budgetTraps++;
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        throw new Error(`seed ${seed}: interpreter ${JSON.stringify(want)} but JIT ${JSON.stringify(got)}\nprogram ${Buffer.from(encodeProgram(insns)).toString("hex")}`);
      }
    }
    expect(traps).toBeGreaterThan(budgetTraps); // the generator does reach the trap paths
    expect(budgetTraps).toBeGreaterThan(COUNT / 20);
  });
});

describe("JIT guards", () => {
  it("traps like the interpreter for addresses that wrap around 2^64", async () => {
    // r1 = -8 (0xffff_ffff_ffff_fff8): r1 + 8 wraps to 0 in a naive bounds check
    const insns = [
      ...[{ code: 0x18, dst: 1, src: 0, off: 0, imm: -8 }, { code: 0, dst: 0, src: 0, off: 0, imm: -1 }],
      { code: 0x79, dst: 0, src: 1, off: 0, imm: 0 },
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ];
    const input = new Uint8Array(16);
    const jit = await compileProgram(insns);
    for (const run of [() => runInterp(insns, { input }), () => jit.run({ input })]) {
      expect(run).toThrow(RuntimeTrap);
      try {
        run();
      } catch (e) {
        expect([(e as RuntimeTrap).kind, (e as RuntimeTrap).pc]).toEqual([TrapKind.OutOfBounds, 2]);
      }
    }
  });
});

describe("JIT with verifier facts", () => {
  it("gives the interpreter's results on safe programs with every guard dropped", async () => {
    const { generateKernelProgram } = await import("../support/gen-kernel-programs.js");
    for (let i = 0; i < 300; i++) {
      const { insns, mem: input } = generateKernelProgram(777 + i, 30 + (i % 7) * 10);
      const facts = { maxStackDepth: 512, insn: insns.map(() => ({ safeAccess: true })) };
      const memI = new GuestMemory();
      const memJ = new GuestMemory();
      const want = runInterp(insns, { input, mem: memI }).r0;
      const got = (await compileProgram(insns, { verified: facts })).run({ input, mem: memJ }).r0;
      expect([i, got.toString(16)]).toEqual([i, want.toString(16)]);
      expect(Buffer.from(memJ.read(CTX_BASE, input.length))).toEqual(Buffer.from(memI.read(CTX_BASE, input.length)));
    }
  });
});

describe("JIT helper calls", () => {
  it("traps on an unregistered helper at the call's pc, like the interpreter", async () => {
    const insns = [
      { code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 },
      { code: 0x85, dst: 0, src: 0, off: 0, imm: 999 },
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ];
    const jit = await compileProgram(insns);
    for (const run of [() => runInterp(insns), () => jit.run()]) {
      try {
        run();
        expect.unreachable();
      } catch (e) {
        expect([(e as RuntimeTrap).kind, (e as RuntimeTrap).pc]).toEqual([TrapKind.UnknownHelper, 1]);
      }
    }
  });
});
