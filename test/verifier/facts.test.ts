// Per-instruction facts the verifier hands the JIT: set only where every explored path agrees.
import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { verify } from "../../src/verifier/index.js";
import type { MapDef } from "../../src/verifier/index.js";
import { fnRefs } from "../runtime/fn-refs.js";

const ARRAY: MapDef = { type: "array", keySize: 4, valueSize: 8, maxEntries: 4 };

/** r1 = map a or map b depending on the context, then a lookup in a later basic block. */
const lookup = (a: number, b: number): string => `
      r6 = *(u64 *)(r1 + 0)
      r1 = map[id:${a}]
      if r6 != 0 goto +2
      r1 = map[id:${b}]
      r2 = 0
      *(u32 *)(r10 - 4) = r2
      r2 = r10
      r2 += -4
      call 1
      r0 = 0
      exit`;

describe("verifier facts for the JIT", () => {
  it("names the map in r1 at a helper call when every path has the same one", () => {
    const same = verify(assemble(lookup(1, 1)), { progType: "kprobe", maps: [ARRAY, ARRAY] });
    expect(same.accepted).toBe(true);
    expect(same.facts.insn[10]?.mapInR1).toBe(1);
    const differ = verify(assemble(lookup(0, 1)), { progType: "kprobe", maps: [ARRAY, ARRAY] });
    expect(differ.accepted).toBe(true);
    expect(differ.facts.insn[10]).toEqual({});
  });

  it("names the callback in r2 at a bpf_loop call, and nothing for a rejected program", () => {
    const src = `
      r1 = 4
      r2 = 0x7ff00000007 ll
      r3 = 0
      r4 = 0
      call 181
      exit
      r0 = R0
      exit`;
    const ok = verify(fnRefs(assemble(src.replace("R0", "0"))), { progType: "kprobe", funcInfo: true });
    expect(ok.accepted).toBe(true);
    expect(ok.facts.insn[5]?.callbackInR2).toBe(7);
    // the callback's return value must be 0 or 1
    const bad = verify(fnRefs(assemble(src.replace("R0", "2"))), { progType: "kprobe", funcInfo: true });
    expect(bad.accepted).toBe(false);
    expect(bad.facts.insn[5]).toBeUndefined();
  });
});
