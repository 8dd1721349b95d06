import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { runInterp } from "../../src/interp/index.js";
import { GuestMemory } from "../../src/exec/guest-memory.js";
import { helperRegistry, type Helper } from "../../src/exec/helpers.js";
import { CONFORMANCE_HELPERS, CONFORMANCE_REGISTRY } from "../../src/exec/test-helpers.js";
import { CTX_BASE } from "../../src/isa/layout.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";
import type { RunOptions } from "../../src/exec/run.js";
import type { Insn } from "../../src/isa/insn.js";

// Every way a run can stop abnormally, through both engines: the JIT must report the
// interpreter's TrapKind and pc (and leave memory as the interpreter left it).

type Outcome = { r0: bigint; input: string } | { kind: TrapKind; pc: number; input: string };

function outcome(run: (mem: GuestMemory) => bigint, len: number): Outcome {
  const mem = new GuestMemory();
  const input = (): string => Buffer.from(mem.read(CTX_BASE, len)).toString("hex");
  try {
    return { r0: run(mem), input: input() };
  } catch (e) {
    if (!(e instanceof RuntimeTrap)) throw e;
    return { kind: e.kind, pc: e.pc, input: input() };
  }
}

/** Both engines on the same program; uBPF's test helpers unless `opts` names others. */
async function both(insns: readonly Insn[], given: Omit<RunOptions, "mem"> = {}): Promise<Outcome> {
  const opts = { ...given, helpers: given.helpers ?? CONFORMANCE_REGISTRY };
  const len = opts.input?.length ?? 0;
  const want = outcome((mem) => runInterp(insns, { ...opts, mem }).r0, len);
  const jit = await compileProgram(insns, { helpers: opts.helpers });
  const got = outcome((mem) => jit.run({ ...opts, mem }).r0, len);
  expect(got).toEqual(want);
  return got;
}

const input = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);

describe("traps: the JIT reports the interpreter's kind and pc", () => {
  it.each([
    ["load from NULL", "r0 = 0\nr0 = *(u8 *)(r0 + 0)\nexit", TrapKind.OutOfBounds, 1],
    ["load past the input", "r0 = *(u32 *)(r1 + 14)\nexit", TrapKind.OutOfBounds, 0],
    ["store below the frame", "r2 = r10\n*(u64 *)(r2 - 520) = r1\nexit", TrapKind.OutOfBounds, 1],
    ["store through r10 below the frame", "*(u64 *)(r10 - 520) = r1\nexit", TrapKind.OutOfBounds, 0],
    ["atomic add past the input", "r2 = 1\nlock *(u64 *)(r1 + 12) += r2\nexit", TrapKind.OutOfBounds, 1],
    ["helper fault at the call's pc", "r1 = 16\nr2 = 4\ncall 1\nexit", TrapKind.OutOfBounds, 2],
    ["unknown helper", "r0 = 1\ncall 77\nexit", TrapKind.UnknownHelper, 1],
    ["callx to no helper", "r3 = 77\ncallx r3\nexit", TrapKind.BadCallTarget, 1],
    ["callx to a negative id", "r3 = -1\ncallx r3\nexit", TrapKind.BadCallTarget, 1],
    ["callx to a huge id", "r3 = 1000000\ncallx r3\nexit", TrapKind.BadCallTarget, 1],
    ["jump out of the program", "r0 = 0\nif r0 == 0 goto +5\nexit", TrapKind.BadJump, 7],
    ["fall off a subprogram into the next", "r0 = 0\ncall pc+1\nexit\nr0 += 1\nr1 = 0\nr1 = *(u8 *)(r1 + 0)\nexit", TrapKind.OutOfBounds, 5],
    ["unbounded recursion", "r0 = 0\ncall pc+1\nexit\nr0 += 1\ncall pc-2\nexit", TrapKind.CallDepth, 4],
  ] as const)("%s", async (_name, text, kind, pc) => {
    const got = await both(assemble(text), { input: input(16) });
    expect(got).toMatchObject({ kind, pc });
  });

  it("stops an endless loop with Budget at the interpreter's pc, for every budget", async () => {
    const insns = assemble("r0 = 0\nloop:\nr0 += 1\nlddw r2, 0x100000000\nr0 += r2\ngoto loop");
    const jit = await compileProgram(insns);
    for (let budget = 1; budget < 40; budget++) {
      const pcs = [() => runInterp(insns, { budget }), () => jit.run({ budget })].map((run) => {
        try {
          run();
          return null;
        } catch (e) {
          expect(e).toBeInstanceOf(RuntimeTrap);
          expect((e as RuntimeTrap).kind).toBe(TrapKind.Budget);
          return (e as RuntimeTrap).pc;
        }
      });
      expect([budget, pcs[1]]).toEqual([budget, pcs[0]]);
    }
  });

  it("runs out of budget exactly where the interpreter does, stores and calls included", async () => {
    // stores to the input between pure instructions, a subprogram and a helper call: memory
    // after the trap shows how far each engine got
    const insns = assemble(
      [
        "r6 = r1",
        "r7 = 0",
        "loop:",
        "r2 = r7",
        "r2 &= 15",
        "r3 = r6",
        "r3 += r2",
        "*(u8 *)(r3 + 0) = r7",
        "r7 += 1",
        "call pc+3",
        "call 2",
        "if r7 < 1000 goto loop",
        "exit",
        "r0 = r7",
        "*(u8 *)(r6 + 15) = r0",
        "exit",
      ].join("\n"),
    );
    for (let budget = 1; budget < 120; budget++) await both(insns, { input: input(16), budget });
  });

  it("continues past the end of a subprogram into the next one, like the interpreter", async () => {
    const insns = assemble("r6 = 3\ncall pc+2\nr0 += r6\nexit\nr6 = 100\nr0 = 1\ncall pc+0\nr0 += 10\nexit");
    expect(await both(insns)).toEqual({ r0: 24n, input: "" }); // 1, +10 in the call, +10 falling through, +3 (r6 restored);
  });

  it("runs a subprogram under the caller's budget", async () => {
    const insns = assemble("r0 = 0\ncall pc+2\ncall pc+1\nexit\nr1 = 20\nl:\nr0 += 1\nr1 -= 1\nif r1 != 0 goto l\nexit");
    for (const budget of [1, 2, 5, 30, 60, 62, 63, 64, 65, 66, 100, 130, 200]) await both(insns, { budget });
  });
});

describe("no implicit helper set", () => {
  it("a run given no helpers has none: call 1 traps as an unknown helper in both engines", async () => {
    const insns = assemble("r1 = 0\nr2 = 0\ncall 1\nexit");
    const jit = await compileProgram(insns);
    for (const run of [() => runInterp(insns), () => jit.run()]) {
      expect(() => run()).toThrow(expect.objectContaining({ kind: TrapKind.UnknownHelper, pc: 2 }) as Error);
    }
  });
});

describe("callx", () => {
  it("reaches helpers by id through the module's dispatch table", async () => {
    const got = await both(assemble("r1 = 49\nr3 = 3\ncallx r3\nr6 = r0\nr3 = 2\ncallx r3\nr0 += r6\nexit"));
    expect(got).toEqual({ r0: 7n, input: "" });
  });

  it("dispatches in wasm (a br_table over the registered ids), not through JS", async () => {
    const prog = await compileProgram(assemble("r3 = 2\ncallx r3\nexit"), { keepText: true, helpers: CONFORMANCE_REGISTRY });
    expect(prog.text).toMatch(/br_table/);
    expect(prog.text).toMatch(/\(import "helpers" "h5"/); // every registered id is reachable
  });

  it("stops when uBPF's unwind helper returns 0 through callx", async () => {
    const got = await both(assemble("r1 = 0\nr3 = 5\ncallx r3\nr0 = 2\nexit"));
    expect(got).toEqual({ r0: 0n, input: "" });
  });

  it("reaches a helper with an id beyond the dispatch table through JS", async () => {
    const big: Helper = { id: 100_000, name: "big", fn: (c) => c.r1 + 1n };
    const helpers = helperRegistry([...CONFORMANCE_HELPERS, big]);
    const got = await both(assemble("r1 = 41\nlddw r3, 100000\ncallx r3\nexit"), { helpers });
    expect(got).toEqual({ r0: 42n, input: "" });
  });
});
