import { describe, expect, it } from "vitest";
import { verifyRawHarness as verifyRaw } from "../../src/verifier/raw-harness.js";
import { runInterp } from "../../src/interp/index.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { insn, type Insn } from "../../src/isa/insn.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";
import { generateKernelProgram } from "../support/gen-kernel-programs.js";
import { kbpfBatch, kernelUnavailableReason } from "../support/kbpf.js";
import { Rng } from "../support/rng.js";

const COUNT = Number(process.env["WABPF_FUZZ_ITERATIONS"] ?? 400);

/** A kernel-accepted program with a few random changes: many become unsafe. */
function mutated(seed: number): { insns: Insn[]; input: Uint8Array } {
  const rng = new Rng(seed);
  const { insns, mem } = generateKernelProgram(seed, 25 + rng.int(40));
  const out = insns.slice();
  for (let k = 0; k < 1 + rng.int(3); k++) {
    const i = rng.int(out.length - 1);
    const x = out[i]!;
    if (x.code === 0x18 || (i > 0 && out[i - 1]!.code === 0x18)) continue;
    switch (rng.int(4)) {
      case 0:
        out[i] = insn(x.code, x.dst, x.src, x.off + rng.pick([-64, -8, -1, 1, 8, 64, 4096]), x.imm);
        break;
      case 1:
        out[i] = insn(x.code, x.dst, x.src, x.off, rng.imm());
        break;
      case 2:
        out[i] = insn(x.code, rng.int(11), x.src, x.off, x.imm);
        break;
      default:
        out[i] = insn(x.code, x.dst, rng.int(11), x.off, x.imm);
    }
  }
  return { insns: out, input: mem };
}

describe("verifier soundness on mutated programs", () => {
  it(`no accepted program faults in the checked interpreter (${COUNT} programs)`, () => {
    let accepted = 0;
    for (let i = 0; i < COUNT; i++) {
      const { insns, input } = mutated(9000 + i);
      const v = verifyRaw(insns, { memSize: input.length });
      if (!v.accepted) continue;
      accepted++;
      try {
        runInterp(insns, { input, budget: 5_000_000 });
      } catch (e) {
        if (e instanceof RuntimeTrap && e.kind !== TrapKind.Budget) {
          throw new Error(`seed ${9000 + i}: accepted, but ${e.message}\n${Buffer.from(encodeProgram(insns)).toString("hex")}`);
        }
        throw e;
      }
    }
    expect(accepted).toBeGreaterThan(COUNT / 10);
  });

  const why = kernelUnavailableReason();
  // Safety verdicts must agree: nothing the kernel rejects for safety (EACCES) may be accepted.
  // (Malformed-encoding checks the kernel makes beyond the ISA's are a known gap: EINVAL.)
  it.skipIf(why !== null)("accepts nothing the kernel rejects for safety (kbpf.py map harness)", () => {
    const progs = Array.from({ length: Math.min(COUNT, 300) }, (_, i) => mutated(9000 + i)).filter((p) => verifyRaw(p.insns, { memSize: p.input.length }).accepted);
    const resp = kbpfBatch(progs.map((p, i) => ({ id: i, code: Buffer.from(encodeProgram(p.insns)).toString("hex"), mem: Buffer.from(p.input).toString("hex") })));
    resp.forEach((r, i) => {
      const hex = Buffer.from(encodeProgram(progs[i]!.insns)).toString("hex");
      if (!r.ok) expect([i, r.errno, r.error, hex]).toEqual([i, 22, r.error, hex]);
    });
  });
});
