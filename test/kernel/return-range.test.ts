import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { verifyForKernel } from "../../src/kernel/program.js";
import { buildVmlinuxBtf } from "../../src/kernel/vmlinux-btf.js";

// a kernel BTF with one function for the programs to attach to
const { btf } = buildVmlinuxBtf([{ name: "do_work", ret: "int", params: [["x", "int"]] }]);
const at = (attachType: string) => ({ btf, attachType, target: "do_work" });

// Linux's check_return_code for BPF_PROG_TYPE_TRACING: fentry and fexit programs must return 0;
// fmod_ret may return anything (its value replaces the function's).
describe("tracing programs' return values", () => {
  it.each([
    ["trace_fentry", false],
    ["trace_fexit", false],
    ["modify_return", true],
  ] as const)("%s returning 1: accepted=%s", (attachType, accepted) => {
    const v = verifyForKernel(assemble("r0 = 1\nexit"), "tracing", null, at(attachType), 1);
    expect(v.accepted).toBe(accepted);
    if (!accepted) expect(v.error).toBe("At program exit the register R0 has smin=1 smax=1 should have been in [0, 0]");
  });

  it("fentry returning 0 is accepted", () => {
    expect(verifyForKernel(assemble("r0 = 0\nexit"), "tracing", null, at("trace_fentry"), 0).accepted).toBe(true);
  });
});
