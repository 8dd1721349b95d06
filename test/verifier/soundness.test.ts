import { describe, expect, it } from "vitest";
import { verifyRawHarness as verifyRaw } from "../../src/verifier/raw-harness.js";
import { runInterp } from "../../src/interp/index.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { insn, type Insn } from "../../src/isa/insn.js";
import { decodeRaw } from "../../src/isa/decode.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";
import { generateKernelProgram } from "../support/gen-kernel-programs.js";
import { kbpfBatch, kernelUnavailableReason } from "../support/kbpf.js";
import { Rng } from "../support/rng.js";

// Some mutations make loops unbounded: the verifier then explores up to its 1,000,000-instruction
// limit (~2 s each, as Linux also walks them), so the suite's default stays small.
const COUNT = Number(process.env["WABPF_FUZZ_ITERATIONS"] ?? 150);

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

interface Judged {
  readonly seed: number;
  readonly insns: Insn[];
  readonly input: Uint8Array;
  readonly accepted: boolean;
  readonly error: string | null;
}
let judged: Judged[] | null = null;
/** The mutated programs with wabpf's verdicts, computed once for both tests. */
function judge(): Judged[] {
  judged ??= Array.from({ length: COUNT }, (_, i) => {
    const { insns, input } = mutated(9000 + i);
    const v = verifyRaw(insns, { memSize: input.length });
    return { seed: 9000 + i, insns, input, accepted: v.accepted, error: v.error };
  });
  return judged;
}

describe("verifier soundness on mutated programs", () => {
  it(`no accepted program faults in the checked interpreter (${COUNT} programs)`, () => {
    let accepted = 0;
    for (const { seed, insns, input } of judge().filter((j) => j.accepted)) {
      accepted++;
      try {
        runInterp(insns, { input, budget: 5_000_000 });
      } catch (e) {
        if (e instanceof RuntimeTrap && e.kind !== TrapKind.Budget) {
          throw new Error(`seed ${seed}: accepted, but ${e.message}\n${Buffer.from(encodeProgram(insns)).toString("hex")}`);
        }
        throw e;
      }
    }
    expect(accepted).toBeGreaterThan(COUNT / 10);
  }, 600_000);

  const why = kernelUnavailableReason();
  // Safety first: nothing the kernel rejects may be accepted. Then fidelity: the verdicts and
  // first error lines agree with Linux's on (nearly) every program.
  it.skipIf(why !== null)("gives the kernel's verdicts: nothing it rejects is accepted (kbpf.py map harness)", () => {
    const progs = judge();
    const resp = kbpfBatch(progs.map((p) => ({ id: p.seed, code: Buffer.from(encodeProgram(p.insns)).toString("hex"), mem: Buffer.from(p.input).toString("hex") })));
    let same = 0;
    const differ: string[] = [];
    resp.forEach((r, i) => {
      const p = progs[i]!;
      const kernelAccepts = (r.errno ?? 0) === 0;
      const hex = Buffer.from(encodeProgram(p.insns)).toString("hex");
      if (p.accepted) expect([p.seed, kernelAccepts, r.error, hex]).toEqual([p.seed, true, r.error, hex]);
      if (p.accepted === kernelAccepts) same++;
      else differ.push(`seed ${p.seed}: wabpf ${p.accepted ? "accepts" : `rejects (${p.error})`}, Linux ${kernelAccepts ? "accepts" : `rejects (${r.error})`}`);
    });
    console.info(`verdicts equal to Linux's on ${same} of ${progs.length} mutated programs${differ.length > 0 ? `; differing:\n${differ.join("\n")}` : ""}`);
    expect(same / progs.length).toBeGreaterThan(0.97);
  }, 600_000);
});

describe("random bytecode", () => {
  const why = kernelUnavailableReason();
  // bytes with no structure at all: the structural passes must refuse them as Linux does, in its words
  it.skipIf(why !== null)("gets Linux's verdict and errno (300 programs of 1–12 random instructions, raw test type)", () => {
    const rng = new Rng(424242);
    const progs = Array.from({ length: 300 }, (_, i) => Uint8Array.from({ length: 8 * (1 + (i % 12)) }, () => rng.int(256)));
    const resp = kbpfBatch(progs.map((p, i) => ({ id: i, code: Buffer.from(p).toString("hex"), mem: "0001020304050607" })));
    let compared = 0;
    progs.forEach((p, i) => {
      const k = resp[i]!;
      // kbpf.py refuses to patch a map reference to a map it does not have: Linux never saw those
      if (k.exception !== undefined) return;
      compared++;
      const v = verifyRaw(decodeRaw(p), { memSize: 8 });
      expect([i, v.accepted, v.errno ?? 0]).toEqual([i, (k.errno ?? 0) === 0, k.errno ?? 0]);
    });
    expect(compared).toBeGreaterThan(250);
  });
});
