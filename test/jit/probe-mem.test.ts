import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { runInterp } from "../../src/interp/index.js";
import { prepareProgram } from "../../src/runtime/engine.js";
import { createMachine } from "../../src/runtime/machine.js";
import { GuestMemory } from "../../src/exec/guest-memory.js";
import type { VerifierFacts } from "../../src/exec/facts.js";
import { CTX_BASE, HEAP_BASE, PROBE_STAGE_ADDR, STACK_FRAME_SIZE, framePointer } from "../../src/isa/layout.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";
import type { RunOptions, TailCallTarget } from "../../src/exec/run.js";
import type { Insn } from "../../src/isa/insn.js";

// Loads the verifier marks probeMem (Linux's BPF_PROBE_MEM / PROBE_MEMSX, through a BTF-typed
// kernel pointer) never trap: a readable address loads, any other gives 0. Both engines agree.

const INPUT = Uint8Array.from([0x80, 0xff, 0x7f, 0x90, 0x01, 0x02, 0x83, 0xf4, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
/** a readable region outside the input and the stack, as a map value is */
const VALUE = HEAP_BASE + 0x10000;
const VALUE_BYTES = Uint8Array.from([0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10]);

type Outcome = { r0: bigint } | { kind: TrapKind; pc: number };

function outcome(run: (mem: GuestMemory) => bigint): Outcome {
  const mem = new GuestMemory();
  mem.write(VALUE, VALUE_BYTES);
  mem.addRegion({ start: VALUE, end: VALUE + VALUE_BYTES.length, writable: false, name: "map value" });
  try {
    return { r0: run(mem) };
  } catch (e) {
    if (!(e instanceof RuntimeTrap)) throw e;
    return { kind: e.kind, pc: e.pc };
  }
}

/** The facts a verifier gives `insns` when the slots in `probe` are probe loads (nothing else proven). */
function factsWith(insns: readonly Insn[], probe: readonly number[]): VerifierFacts {
  return { maxStackDepth: STACK_FRAME_SIZE, insn: insns.map((_, pc) => (probe.includes(pc) ? { probeMem: true } : undefined)) };
}

/** Both engines on `insns` with `facts`; returns their common outcome. */
async function both(insns: readonly Insn[], facts: VerifierFacts | null, opts: RunOptions = { input: INPUT }): Promise<Outcome> {
  const want = outcome((mem) => runInterp(insns, { ...opts, verified: facts, mem }).r0);
  const jit = await compileProgram(insns, { verified: facts });
  const got = outcome((mem) => jit.run({ ...opts, mem }).r0);
  expect(got).toEqual(want);
  return got;
}

const SIZES = { 1: "u8", 2: "u16", 4: "u32", 8: "u64" } as const;
const SIGNED = { 1: "s8", 2: "s16", 4: "s32" } as const;

/** `r0 = *(ty *)(addr + off)` with the address loaded by lddw: the load is slot 2. */
const probeAt = (addr: bigint, ty: string, off = 0): Insn[] =>
  assemble(`lddw r1, 0x${BigInt.asUintN(64, addr).toString(16)}\nr0 = *(${ty} *)(r1 ${off < 0 ? "-" : "+"} ${Math.abs(off)})\nexit`);

const le = (bytes: Uint8Array, at: number, size: number): bigint => {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
  return v;
};

// addresses no probe load may read: r0 is 0
const FAULTING: ReadonlyArray<readonly [string, bigint]> = [
  ["address 0", 0n],
  ["a small unmapped address", 0x100n],
  ["a kernel address whose low half is the input", 0xffff8880_00000000n + BigInt(CTX_BASE)],
  ["a kernel-looking address (0xffff888000001000)", 0xffff8880_00001000n],
  ["an address above 4 GiB whose low half is the input", 0x1_00000000n + BigInt(CTX_BASE)],
  ["an address whose low half is the map value", 0xffffffff_00000000n + BigInt(VALUE)],
  ["the byte past the input", BigInt(CTX_BASE + INPUT.length)],
  ["past the end of memory", 0xfffffff0n],
  ["the machine state (never a region)", 0x50000n],
  ["where bytes mapped at kernel addresses are staged", BigInt(PROBE_STAGE_ADDR)],
  ["-1", -1n],
];

describe("probe loads (probeMem): a faulting address reads 0", () => {
  for (const [size, ty] of Object.entries(SIZES)) {
    const n = Number(size);
    it(`reads the input, size ${n}`, async () => {
      const insns = probeAt(BigInt(CTX_BASE + 4), ty);
      expect(await both(insns, factsWith(insns, [2]))).toEqual({ r0: le(INPUT, 4, n) });
    });

    it(`reads a registered region (a map value), size ${n}`, async () => {
      const insns = probeAt(BigInt(VALUE), ty);
      expect(await both(insns, factsWith(insns, [2]))).toEqual({ r0: le(VALUE_BYTES, 0, n) });
    });

    it.each(FAULTING)(`gives 0 from %s, size ${n}`, async (_name, addr) => {
      const insns = probeAt(addr, ty);
      expect(await both(insns, factsWith(insns, [2]))).toEqual({ r0: 0n });
    });

    it(`gives 0 for a load straddling the end of the input, size ${n}`, async () => {
      const insns = probeAt(BigInt(CTX_BASE + INPUT.length - n + 1), ty);
      expect(await both(insns, factsWith(insns, [2]))).toEqual({ r0: 0n });
    });
  }

  for (const [size, ty] of Object.entries(SIGNED)) {
    const n = Number(size);
    it(`sign-extends a readable value (LDX MEMSX), size ${n}`, async () => {
      const insns = probeAt(BigInt(CTX_BASE), ty);
      expect(await both(insns, factsWith(insns, [2]))).toEqual({ r0: BigInt.asUintN(64, BigInt.asIntN(n * 8, le(INPUT, 0, n))) });
    });

    it(`gives 0 on a faulting sign-extending load, size ${n}`, async () => {
      for (const [, addr] of FAULTING) {
        const insns = probeAt(addr, ty);
        expect(await both(insns, factsWith(insns, [2]))).toEqual({ r0: 0n });
      }
    });
  }

  it("tests base plus offset, not the base: a negative offset into the input reads, one below address 0 gives 0", async () => {
    const into = probeAt(BigInt(CTX_BASE + 8), "u32", -8);
    expect(await both(into, factsWith(into, [2]))).toEqual({ r0: le(INPUT, 0, 4) });
    const below = probeAt(4n, "u32", -8);
    expect(await both(below, factsWith(below, [2]))).toEqual({ r0: 0n });
    // carries past 2^64: the address is 0x100, in the null guard
    const carry = probeAt(-0x100n, "u64", 0x200);
    expect(await both(carry, factsWith(carry, [2]))).toEqual({ r0: 0n });
  });

  it("reads the active stack frame and gives 0 below it", async () => {
    const insns = assemble(`lddw r1, 0x1122334455667788\n*(u64 *)(r10 - 8) = r1\nr2 = r10\nr0 = *(u64 *)(r2 - 8)\nr3 = *(u64 *)(r2 - ${STACK_FRAME_SIZE + 8})\nr0 += r3\nexit`);
    expect(await both(insns, factsWith(insns, [4, 5]))).toEqual({ r0: 0x1122334455667788n });
  });

  it("reads the caller's frame from a subprogram", async () => {
    const insns = assemble("r1 = 0x1234\n*(u64 *)(r10 - 8) = r1\nr1 = r10\ncall pc+1\nexit\nr0 = *(u64 *)(r1 - 8)\nr2 = *(u64 *)(r1 - 520)\nr0 += r2\nexit");
    expect(await both(insns, factsWith(insns, [5, 6]))).toEqual({ r0: 0x1234n });
  });

  it("gives 0 from another CPU's stack", async () => {
    const insns = probeAt(BigInt(framePointer(1, 0) - 8), "u64");
    expect(await both(insns, factsWith(insns, [2]), { input: INPUT, cpu: 0 })).toEqual({ r0: 0n });
  });

  it("goes on after a faulting load: later instructions run", async () => {
    const insns = assemble("r1 = 0\nr0 = *(u64 *)(r1 + 16)\nr0 += 7\nr1 = *(u8 *)(r1 + 0)\nr0 += r1\nexit");
    expect(await both(insns, factsWith(insns, [1, 3]))).toEqual({ r0: 7n });
  });
});

describe("loads without probeMem still trap", () => {
  const cases: ReadonlyArray<readonly [string, bigint]> = [
    ["address 0", 0n],
    ["a kernel address whose low half is the input", 0xffff8880_00000000n + BigInt(CTX_BASE)],
    ["past the end of memory", 0xfffffff0n],
  ];
  it.each(cases)("from %s, verified and unverified", async (_name, addr) => {
    const insns = probeAt(addr, "u32");
    // verified facts that mark another slot: the load itself is not a probe load
    for (const facts of [null, factsWith(insns, [0])]) {
      expect(await both(insns, facts)).toEqual({ kind: TrapKind.OutOfBounds, pc: 2 });
    }
  });
});

describe("the engines a caller prepares honour probeMem", () => {
  it.each(["interp", "jit"] as const)("%s", async (engine) => {
    const insns = probeAt(0xffff8880_00001000n, "u64");
    const prog = await prepareProgram(insns, engine, { verified: factsWith(insns, [2]) });
    expect(prog.run({ input: INPUT }).r0).toBe(0n);
    const plain = await prepareProgram(insns, engine, { verified: factsWith(insns, []) });
    expect(() => plain.run({ input: INPUT })).toThrow(RuntimeTrap);
  });
});

describe("a tail call keeps the target's probe loads", () => {
  /** an unverified caller tail-calls a verified target that probe-loads `addr`; r0 or the trap */
  async function viaTailCall(engine: "interp" | "jit", probe: boolean): Promise<string> {
    const m = await createMachine();
    const pa = m.createMap({ type: "prog_array", keySize: 4, valueSize: 4, maxEntries: 1 });
    const opts = m.programOptions([pa]);
    const insns = assemble("r2 = r1\nlddw r1, 0xffff888000100000\nr0 = *(u64 *)(r1 + 0)\nr0 += 5\nexit");
    const verified = factsWith(insns, probe ? [3] : []);
    const target: TailCallTarget = { name: "t", insns, pseudo: opts.pseudo, verified, ...(engine === "jit" ? { compiled: await compileProgram(insns, { ...opts, verified }) } : {}) };
    pa.update(new Uint8Array(4), new Uint8Array(new Uint32Array([m.registerProgram("t", null, target)]).buffer));
    const caller = assemble("r2 = map[id:0]\nr3 = 0\ncall 12\nr0 = 99\nexit");
    const ro: RunOptions = { mem: m.mem, helpers: opts.helpers, pseudo: opts.pseudo, input: INPUT };
    try {
      return (engine === "jit" ? (await compileProgram(caller, opts)).run(ro) : runInterp(caller, ro)).r0.toString();
    } catch (e) {
      if (!(e instanceof RuntimeTrap)) throw e;
      return `trap ${TrapKind[e.kind]} at ${e.pc}`;
    }
  }

  it.each([
    [true, "5"],
    [false, "trap OutOfBounds at 3"],
  ] as const)("probeMem %s: %s on both engines", async (probe, want) => {
    expect(await viaTailCall("interp", probe)).toBe(want);
    expect(await viaTailCall("jit", probe)).toBe(want);
  });
});

describe("probe loads read the simulated kernel's memory (GuestMemory.kernelMemory)", () => {
  const KOBJ_BYTES = Uint8Array.from([0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8]);
  const HIGH = 0xffff8880_00001000n;
  const HIGH_BYTES = Uint8Array.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]);
  const USER = 0x400000n;

  /** Both engines on `insns` (probe loads at `probe`) in a machine with a task-like object, a high kernel mapping and a user mapping. */
  async function inMachine(insns: readonly Insn[], probe: readonly number[]): Promise<Outcome> {
    const facts = factsWith(insns, probe);
    const jit = await compileProgram(insns, { verified: facts });
    const results: Outcome[] = [];
    for (const engine of ["interp", "jit"] as const) {
      const m = await createMachine();
      const kobj = m.rt.alloc(KOBJ_BYTES.length);
      m.mem.write(kobj, KOBJ_BYTES);
      m.mapKernelGuestMemory(kobj, KOBJ_BYTES.length);
      m.mapKernelMemory(HIGH, HIGH_BYTES);
      m.mapUserMemory(USER, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
      const opts: RunOptions = { mem: m.mem, input: INPUT, args: [BigInt(kobj)] };
      results.push(outcome(() => (engine === "jit" ? jit.run(opts) : runInterp(insns, { ...opts, verified: facts })).r0));
    }
    expect(results[1]).toEqual(results[0]);
    return results[0]!;
  }

  for (const [size, ty] of Object.entries(SIZES)) {
    const n = Number(size);
    it(`reads a kernel object in guest memory (not a region), size ${n}`, async () => {
      const insns = assemble(`r0 = *(${ty} *)(r1 + 0)\nexit`);
      expect(await inMachine(insns, [0])).toEqual({ r0: le(KOBJ_BYTES, 0, n) });
    });

    it(`reads bytes mapped at a kernel address whose low half is guest memory, size ${n}`, async () => {
      const insns = probeAt(HIGH + 2n, ty);
      expect(await inMachine(insns, [2])).toEqual({ r0: n <= 6 ? le(HIGH_BYTES, 2, n) : 0n });
    });
  }

  it.each(Object.entries(SIGNED))("sign-extends what it reads in JS, size %s", async (size, ty) => {
    const n = Number(size);
    const insns = assemble(`r0 = *(${ty} *)(r1 + 0)\nexit`);
    expect(await inMachine(insns, [0])).toEqual({ r0: BigInt.asUintN(64, BigInt.asIntN(n * 8, le(KOBJ_BYTES, 0, n))) });
  });

  it("gives 0 past the kernel object, from user memory and from an unmapped kernel address", async () => {
    for (const addr of [USER, HIGH + 0x1000n, HIGH - 8n]) {
      const insns = probeAt(addr, "u64");
      expect(await inMachine(insns, [2])).toEqual({ r0: 0n });
    }
    const past = assemble(`r0 = *(u64 *)(r1 + 4)\nexit`);
    expect(await inMachine(past, [0])).toEqual({ r0: 0n });
    // the staging area holds what a high kernel load read, but is not readable itself
    const staged = assemble(`lddw r1, 0x${HIGH.toString(16)}\nr0 = *(u64 *)(r1 + 0)\nlddw r1, 0x${PROBE_STAGE_ADDR.toString(16)}\nr2 = *(u64 *)(r1 + 0)\nr0 += r2\nexit`);
    expect(await inMachine(staged, [2, 5])).toEqual({ r0: le(HIGH_BYTES, 0, 8) });
  });

  it("without probeMem, a kernel object is not a region: the load traps", async () => {
    const insns = assemble(`r0 = *(u64 *)(r1 + 0)\nexit`);
    expect(await inMachine(insns, [])).toEqual({ kind: TrapKind.OutOfBounds, pc: 0 });
  });
});

describe("a probe load in a program run from its table slot (as trampolines run it: no set-up)", () => {
  it("tests the full address with no input or frame bounds in place", async () => {
    const kernelAt = 0xffff8880_00000000n;
    const mem = new GuestMemory();
    mem.write(VALUE, VALUE_BYTES);
    mem.addRegion({ start: VALUE, end: VALUE + VALUE_BYTES.length, writable: false, name: "map value" });
    const kobj = HEAP_BASE + 0x20000;
    mem.write(kobj, Uint8Array.from([7, 0, 0, 0, 0, 0, 0, 0]));
    mem.kernelMemory = { isKernelGuest: (addr, size) => addr >= kobj && addr + size <= kobj + 8, kernelBytes: () => null };
    // r0 = probe(r1) + probe(r2) + probe(r3)
    const insns = assemble("r0 = *(u64 *)(r1 + 0)\nr4 = *(u64 *)(r2 + 0)\nr0 += r4\nr4 = *(u8 *)(r3 + 0)\nr0 += r4\nexit");
    const jit = await compileProgram(insns, { verified: factsWith(insns, [0, 1, 3]) });
    const entry = mem.table.get(jit.tableIndex(mem)) as (...regs: bigint[]) => bigint;
    const fp = BigInt(framePointer(0, 0));
    // a kernel address whose low half is the map value, one whose low half is past the memory, the kernel object
    expect(entry(kernelAt + BigInt(VALUE), kernelAt + 0xfffff000n, BigInt(kobj), 0n, 0n, fp, 0n, 0n, 0n, 0n, 0n)).toBe(7n);
    expect(entry(BigInt(VALUE), 0n, BigInt(kobj), 0n, 0n, fp, 0n, 0n, 0n, 0n, 0n)).toBe(le(VALUE_BYTES, 0, 8) + 7n);
  });
});

describe("probe loads from random addresses", () => {
  it("give the same r0 on both engines (mixing readable, unmapped and kernel-looking addresses)", async () => {
    let seed = 0x9e3779b97f4a7c15n;
    const next = (): bigint => {
      seed = BigInt.asUintN(64, seed * 6364136223846793005n + 1442695040888963407n);
      return seed >> 11n;
    };
    const pick = (): bigint => {
      const low = BigInt(CTX_BASE) + (next() % 24n) - 4n; // around the input, straddling both ends
      switch (Number(next() % 6n)) {
        case 0: return low;
        case 1: return BigInt(VALUE) + (next() % 12n) - 2n;
        case 2: return (0xffffn << 48n) | ((next() % 0x10000n) << 32n) | low; // high bits set, low half readable
        case 3: return next() % 0x20000n; // null guard and stacks
        case 4: return BigInt.asUintN(64, next() << 11n);
        default: return 0x1_00000000n + low;
      }
    };
    const types = ["u8", "u16", "u32", "u64", "s8", "s16", "s32"];
    const lines = ["r0 = 0"];
    const probe: number[] = [];
    let slot = 1;
    for (let i = 0; i < 200; i++) {
      const off = Number(next() % 17n) - 8;
      lines.push(`lddw r1, 0x${pick().toString(16)}`, `r2 = *(${types[Number(next() % 7n)]} *)(r1 ${off < 0 ? "-" : "+"} ${Math.abs(off)})`, "r0 *= 31", "r0 += r2");
      probe.push(slot + 2);
      slot += 5;
    }
    lines.push("exit");
    const insns = assemble(lines.join("\n"));
    const got = await both(insns, factsWith(insns, probe));
    expect(got).toHaveProperty("r0");
    expect((got as { r0: bigint }).r0).not.toBe(0n);
  });
});
