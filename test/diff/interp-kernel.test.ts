import { describe, expect, it } from "vitest";
import { runInterp } from "../../src/interp/index.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { GuestMemory } from "../../src/exec/guest-memory.js";
import { CTX_BASE } from "../../src/isa/layout.js";
import { kbpfBatch, kernelUnavailableReason } from "../support/kbpf.js";
import { generateKernelProgram } from "../support/gen-kernel-programs.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const reason = kernelUnavailableReason();
const SEED = Number(process.env["WABPF_SEED"] ?? 20261124);
const COUNT = Number(process.env["WABPF_KERNEL_DIFF_COUNT"] ?? 60);

describe.skipIf(reason !== null)("interpreter vs the Linux kernel (kbpf.py)", () => {
  it(`gives the same r0 and memory on ${COUNT} generated programs (seed ${SEED})`, () => {
    const progs = Array.from({ length: COUNT }, (_, i) => generateKernelProgram(SEED + i, 30 + (i % 5) * 20));
    const resp = kbpfBatch(progs.map((p, i) => ({ id: i, code: hex(encodeProgram(p.insns)), mem: hex(p.mem) })));
    let compared = 0;
    progs.forEach((p, i) => {
      const k = resp[i]!;
      const where = `seed ${SEED + i}: ${hex(encodeProgram(p.insns))}`;
      expect(k.ok, `${where} rejected by the kernel: ${k.error ?? k.exception}`).toBe(true);
      const mem = new GuestMemory();
      const r0 = runInterp(p.insns, { input: p.mem, mem }).r0;
      expect([where, r0.toString()]).toEqual([where, String(k.r0)]);
      expect([where, hex(mem.read(CTX_BASE, p.mem.length))]).toEqual([where, k.mem_out]);
      compared++;
    });
    expect(compared).toBe(COUNT);
  });
});
