// The one engine chooser: the interpreter and the JIT behind PreparedProgram give the same
// results with the same bound helpers; engine names parse as the CLI takes them.
import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/assemble.js";
import { CONFORMANCE_REGISTRY } from "../../src/exec/test-helpers.js";
import { defaultEngine, interpProgram, parseEngine, prepareProgram } from "../../src/runtime/engine.js";
import { NotSupportedError } from "../../src/errors.js";

// helper 2 of the conformance set is no_op (returns 0); r0 = 7 + its result
const PROG = assemble("call 2\nr0 += 7\nexit\n");

describe("engine", () => {
  it("parses engine names, with a fallback when none is given", () => {
    expect(parseEngine(undefined, "interp")).toBe("interp");
    expect(parseEngine("jit", "interp")).toBe("jit");
    expect(() => parseEngine("wasm", "jit")).toThrow(NotSupportedError);
  });

  it("prepares the same program on both engines with the same helpers and results", async () => {
    expect(await defaultEngine()).toBe("jit");
    for (const engine of ["interp", "jit"] as const) {
      const p = await prepareProgram(PROG, engine, { helpers: CONFORMANCE_REGISTRY });
      expect([p.engine, p.compiled === null]).toEqual([engine, engine === "interp"]);
      expect(p.run().r0).toBe(7n);
      expect(p.prepare({})().r0).toBe(7n);
    }
  });

  it("binds the interpreter's helpers: without them the call traps", () => {
    expect(() => interpProgram(PROG).run()).toThrow(/helper/);
    expect(interpProgram(PROG, { helpers: CONFORMANCE_REGISTRY }).run().r0).toBe(7n);
  });
});
