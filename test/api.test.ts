import { describe, expect, it } from "vitest";
import { assemble, compileProgram, disassemble, GuestMemory, runInterp, RuntimeTrap, TrapKind, CTX_BASE } from "../src/index.js";

// The README's API example, kept working.
describe("public API", () => {
  it("assembles, runs in both engines, and shares memory with the host", async () => {
    const insns = assemble(`
      r0 = *(u32 *)(r1 + 0)    # read the first word of the input
      r0 *= 2
      *(u32 *)(r1 + 4) = r0    # write the result after it
      exit`);
    expect(disassemble(insns)[1]).toBe("1: (27) r0 *= 2");
    const input = Uint8Array.of(21, 0, 0, 0, 0, 0, 0, 0);
    expect(runInterp(insns, { input }).r0).toBe(42n);

    const prog = await compileProgram(insns);
    const mem = new GuestMemory();
    expect(prog.run({ input, mem }).r0).toBe(42n);
    expect(mem.read(CTX_BASE + 4, 4)).toEqual(Uint8Array.of(42, 0, 0, 0));
  });

  it("reports a bad access as a RuntimeTrap with pc, address and size", async () => {
    const prog = await compileProgram(assemble("r0 = *(u64 *)(r1 + 64)\nexit"));
    try {
      prog.run({ input: new Uint8Array(8) });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuntimeTrap);
      expect([(e as RuntimeTrap).kind, (e as RuntimeTrap).pc, (e as RuntimeTrap).address]).toEqual([TrapKind.OutOfBounds, 0, BigInt(CTX_BASE + 64)]);
    }
  });
});
