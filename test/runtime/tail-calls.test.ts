import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";
import type { RunOptions, TailCallTarget } from "../../src/exec/run.js";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { createMachine } from "../../src/runtime/machine.js";
import { fnRefs } from "./fn-refs.js";

// bpf_tail_call (12): PROG_ARRAY slots name program ids (Machine.registerProgram with a
// target); the target replaces the running program in the same frame, r1 kept; an empty
// slot or an index past max_entries falls through; 33 tail calls per run at most.

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
type Engine = "interp" | "jit";

/** Run `entry` with PROG_ARRAY slot i holding programs[i] (null: empty); r0 or the trap. */
async function run(engine: Engine, entry: string, programs: Record<number, string>, input: Uint8Array = new Uint8Array(16), slots = 4, budget?: number): Promise<{ r0: string; ctx: string }> {
  const m = await createMachine();
  const pa = m.createMap({ type: "prog_array", keySize: 4, valueSize: 4, maxEntries: slots });
  const opts = m.programOptions([pa]);
  const jit = engine !== "interp";
  for (const [slot, src] of Object.entries(programs)) {
    const insns = assemble(src);
    const target: TailCallTarget = { name: `p${slot}`, insns, pseudo: opts.pseudo, ...(jit ? { compiled: await compileProgram(insns, opts) } : {}) };
    pa.update(u32(Number(slot)), u32(m.registerProgram(target.name, null, target)));
  }
  const insns = fnRefs(assemble(entry));
  const ro: RunOptions = { mem: m.mem, helpers: opts.helpers, pseudo: opts.pseudo, input, ...(budget !== undefined ? { budget } : {}) };
  let r0: string;
  try {
    r0 = (jit ? (await compileProgram(insns, opts)).run(ro) : runInterp(insns, ro)).r0.toString();
  } catch (e) {
    if (!(e instanceof RuntimeTrap)) throw e;
    r0 = `trap ${TrapKind[e.kind]} at ${e.pc}`;
  }
  return { r0, ctx: [...m.mem.read(0x100000, input.length)].join(",") };
}

async function both(entry: string, programs: Record<number, string>, input?: Uint8Array, slots?: number, budget?: number): Promise<{ r0: string; ctx: string }> {
  const a = await run("interp", entry, programs, input, slots, budget);
  const b = await run("jit", entry, programs, input, slots, budget);
  expect(b).toEqual(a);
  return a;
}

const CALLER = (index: number): string => `
  r6 = r1
  r2 = map[id:0]
  r3 = ${index}
  call 12
  r0 = 99
  exit`;

const TARGET = `
  r0 = *(u32 *)(r1 + 0)
  r0 += 1000
  exit`;

describe("bpf_tail_call", () => {
  it("jumps to the program in the slot, with r1 (the context) kept", async () => {
    expect((await both(CALLER(1), { 1: TARGET }, Uint8Array.of(7, 0, 0, 0))).r0).toBe("1007");
  });

  it("falls through on an empty slot or an index past max_entries", async () => {
    expect((await both(CALLER(2), { 1: TARGET })).r0).toBe("99");
    expect((await both(CALLER(4), { 1: TARGET })).r0).toBe("99");
    expect((await both(CALLER(-1), { 1: TARGET })).r0).toBe("99");
  });

  it("allows 33 tail calls per run (34 executions), then falls through", async () => {
    const self = `
      r6 = r1
      r2 = *(u64 *)(r6 + 0)
      r2 += 1
      *(u64 *)(r6 + 0) = r2
      r1 = r6
      r2 = map[id:0]
      r3 = 0
      call 12
      r0 = *(u64 *)(r6 + 0)
      exit`;
    const r = await both(self, { 0: self });
    expect(r.r0).toBe("34");
    // the instruction budget runs on across tail calls: the same trap, pc and context
    const b = await both(self, { 0: self }, undefined, undefined, 100);
    expect(b.r0).toMatch(/^trap Budget at \d$/);
    expect(Number(b.ctx.split(",")[0])).toBeGreaterThan(3); // several executions happened first
    // an empty slot does not count against the limit (Linux's x86-64 JIT; helpers-kernel.test.ts)
    const countEmpty = `
      r6 = r1
      r7 = 0
      r1 = r6
      r2 = map[id:0]
      r3 = 3
      call 12
      r7 += 1
      if r7 < 40 goto -6
      r1 = r6
      r2 = map[id:0]
      r3 = 0
      call 12
      r0 = 77
      exit`;
    expect((await both(countEmpty, { 0: TARGET })).r0).toBe("1000");
  });

  it("from a subprogram: the target replaces the subprogram and returns to its caller", async () => {
    const main = `
      r6 = r1
      call pc+2
      r0 += 1
      exit
      r2 = map[id:0]
      r3 = 1
      call 12
      r0 = 5
      exit`;
    expect((await both(main, { 1: TARGET }, Uint8Array.of(3, 0, 0, 0))).r0).toBe("1004");
  });

  it("keeps the stack frame: the target sees what the caller stored below r10", async () => {
    const caller = `
      r2 = 0x55
      *(u64 *)(r10 - 8) = r2
      r2 = map[id:0]
      r3 = 0
      call 12
      exit`;
    const target = `
      r0 = *(u64 *)(r10 - 8)
      exit`;
    expect((await both(caller, { 0: target })).r0).toBe("85");
  });

  it("inside a callback a tail call replaces the callback (Linux refuses such programs): both engines agree", async () => {
    const caller = `
      *(u64 *)(r10 - 8) = r1
      r1 = 2
      r2 = 0x7ff00000009 ll
      r3 = r10
      r3 += -8
      r4 = 0
      call 181
      exit
      r1 = *(u64 *)(r2 + 0)
      r2 = map[id:0]
      r3 = 0
      call 12
      r0 = 0
      exit`;
    // the target returns ctx[0] + 1000 (non-zero): bpf_loop stops after one iteration
    expect((await both(caller, { 0: TARGET }, Uint8Array.of(9, 0, 0, 0))).r0).toBe("1");
    const stay = TARGET.replace("r0 += 1000", "r0 = 0");
    expect((await both(caller, { 0: stay }, Uint8Array.of(9, 0, 0, 0))).r0).toBe("2");
  });

  it("a JIT caller whose target has no compiled code traps Unsupported", async () => {
    const m = await createMachine();
    const pa = m.createMap({ type: "prog_array", keySize: 4, valueSize: 4, maxEntries: 2 });
    const opts = m.programOptions([pa]);
    pa.update(u32(0), u32(m.registerProgram("t", null, { name: "t", insns: assemble(TARGET) })));
    const prog = await compileProgram(assemble(CALLER(0)), opts);
    expect(() => prog.run({ mem: m.mem, helpers: opts.helpers, pseudo: opts.pseudo, input: new Uint8Array(8) })).toThrow(/no compiled code/);
  });
});
