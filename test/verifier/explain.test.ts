import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { verify } from "../../src/verifier/index.js";
import { explain } from "../../src/verifier/explain.js";

describe("explanation mode", () => {
  it("names the failing instruction, the shortest path to it and where the bad value came from (through a stack slot)", () => {
    const insns = assemble(`
      r2 = *(u8 *)(r1 + 0)
      r3 = r1
      r5 = 7
      if r2 > 3 goto skip
      r5 = 8
    skip:
      r2 <<= 2
      *(u64 *)(r10 - 8) = r2
      r4 = *(u64 *)(r10 - 8)
      r3 += r4
      r0 = *(u8 *)(r3 + 0)
      exit`);
    const v = verify(insns, { progType: "socket_filter", logLevel: 1 });
    // a context access at a variable offset: refused at insn 9 on the fall-through path (Linux says the same)
    expect([v.accepted, v.error]).toEqual([false, "variable ctx access var_off=(0x0; 0xc) disallowed"]);
    const ex = explain(insns, v)!;
    expect(ex.pc).toBe(9);
    expect(ex.reg).toBe(3);
    expect(ex.path).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // the fall-through is explored first
    expect(ex.shortest).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]); // the taken branch skips insn 4
    expect(ex.slice).toEqual([0, 1, 5, 6, 7, 8]); // r5 plays no part; r4 came through fp-8
    expect(ex.text).toMatch(/where R3 came from:\n\s+0: r2 = \*\(u8 \*\)\(r1 \+0\)/);
  });

  it("gives nothing for an accepted program", () => {
    const insns = assemble("r0 = 0\nexit");
    expect(explain(insns, verify(insns, { progType: "socket_filter", logLevel: 1 }))).toBeNull();
  });
});
