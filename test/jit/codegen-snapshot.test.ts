import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { compileProgram } from "../../src/jit/index.js";

// The generated WebAssembly of small programs, reviewed once and kept as snapshots
// (`vitest -u` rewrites them): a codegen change shows up as a readable diff.
const PROGRAMS: Array<[string, string]> = [
  ["counted loop", "r0 = 0\nr1 = 10\nloop:\nr0 += r1\nr1 -= 1\nif r1 != 0 goto loop\nexit"],
  ["checked input load", "r0 = *(u8 *)(r1 + 2)\nexit"],
  ["signed division", "r0 = r1\nr0 s/= r2\nexit"],
];

describe("JIT output", () => {
  it.each(PROGRAMS)("%s", async (_name, text) => {
    const prog = await compileProgram(assemble(text), { keepText: true });
    const fn = prog.text!.slice(prog.text!.indexOf("(func $f0 ("));
    expect(fn).toMatchSnapshot();
  });
  it("drops the checks an intact r10 makes unnecessary", async () => {
    const prog = await compileProgram(assemble("*(u64 *)(r10 - 8) = 1\nr0 = *(u64 *)(r10 - 8)\nexit"), { keepText: true });
    expect(prog.text).not.toMatch(/call \$check/);
  });
});
