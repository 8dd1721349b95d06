// The program analyses the trampolines rely on: which arguments a multi-link program reads
// (consistency across targets) and what of the frame a program can observe.
import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { accessedArgs, ctxNeeds } from "../../src/kernel/index.js";

describe("ctxNeeds", () => {
  it.each([
    ["r0 = 0\nexit", { ctx: true, ip: false, cookie: false, stack: false }], // exit first: conservative
    ["call 8\nr0 = 0\nexit", { ctx: false, ip: false, cookie: false, stack: false }],
    ["r1 = 5\nr0 = r1\nexit", { ctx: false, ip: false, cookie: false, stack: false }],
    ["r0 = *(u64 *)(r1 + 0)\nexit", { ctx: true, ip: false, cookie: false, stack: false }],
    ["r6 = r1\nr1 = 0\nexit", { ctx: true, ip: false, cookie: false, stack: false }],
    ["call 173\nexit", { ctx: true, ip: true, cookie: false, stack: false }],
    ["call 174\nexit", { ctx: true, ip: false, cookie: true, stack: false }],
    ["call 8\n*(u64 *)(r10 - 8) = r0\nr0 = 0\nexit", { ctx: false, ip: false, cookie: false, stack: true }],
  ])("%s", (src, want) => {
    expect(ctxNeeds(assemble(src))).toEqual(want);
  });
});

describe("accessedArgs", () => {
  it("records direct ctx loads (through copies of r1) and constant bpf_get_func_arg numbers", () => {
    const a = accessedArgs(assemble("r6 = r1\nr2 = *(u64 *)(r6 + 16)\nr1 = r6\nr2 = 1\nr3 = r10\nr3 += -8\ncall 183\ncall 184\nr0 = 0\nexit"), "fexit");
    expect([...a.slots]).toEqual([2]);
    expect([...a.funcArgs]).toEqual([1]);
    expect(a.funcRet).toBe(true);
  });
  it("forgets ctx in a register once it is overwritten", () => {
    const a = accessedArgs(assemble("r1 = 0\nr0 = *(u64 *)(r1 + 8)\nexit"), "fentry");
    expect(a.slots.size).toBe(0);
  });
});
