// Tracing programs reading kernel objects through BTF-typed pointers in the simulated kernel:
// verified as BPF_PROG_TYPE_TRACING against the kernel's BTF, the loads run as probe loads.
import { describe, expect, it } from "vitest";
import { SimKernel } from "../../src/kernel/index.js";
import { slot } from "./support.js";

const FIXTURE = new URL("../fixtures/kernel/btf_reads.o", import.meta.url).pathname;

describe("direct loads through BTF pointers", () => {
  it("reads tp_btf arguments' fields, reads 0 through a NULL field, and reads the current task", async () => {
    const k = await SimKernel.create();
    const obj = await k.open(FIXTURE);
    obj.createMaps();
    const a = await k.load(obj, "new_task");
    const b = await k.load(obj, "current_task");
    // the verifier typed the argument and marked the loads through it
    expect(a.verdict.accepted).toBe(true);
    expect(a.verdict.facts.insn.some((f) => f?.probeMem === true)).toBe(true);
    k.attach(a);
    k.attach(b);
    k.setCurrent(k.createTask({ pid: 77, tgid: 70, comm: "parent" }));
    const child = k.createTask({ pid: 321, comm: "c\xe9ild" });
    k.call("wake_up_new_task", BigInt(child));
    const out = obj.map("out");
    expect(slot(out, 0)).toBe(321n);
    // comm is UTF-8: comm[1] is é's first byte 0xc3, read as a signed char
    expect(slot(out, 1)).toBe(BigInt.asUintN(64, -61n));
    expect(slot(out, 2)).toBe(0n);
    expect([slot(out, 3), slot(out, 4)]).toEqual([77n, 70n]);
  });
});
