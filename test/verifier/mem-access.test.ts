// Memory access rules against Linux 6.18 on every offset and size: stack (directly and through
// a moved copy of r10), array map values, ringbuf records and packet reads after each proven
// range; recorded by scripts/verifier/mem-diff.mjs --record (the programs are built by
// scripts/verifier/mem-cases.mjs for both).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { verify } from "../../src/verifier/index.js";
import type { MapDef, ProgType } from "../../src/verifier/index.js";
import { decodeRaw } from "../../src/isa/decode.js";
// @ts-expect-error: a plain ES module shared with the recording script (no declarations)
import { memCases } from "../../scripts/verifier/mem-cases.mjs";

interface Case {
  name: string;
  type: ProgType;
  maps: MapDef[];
  hex: string;
}
const golden: { kernel: string; outcomes: string[]; verdicts: number[] } = JSON.parse(readFileSync(new URL("./golden/mem-access.json", import.meta.url), "utf8"));
const cases = (memCases as () => Case[])();

describe(`memory access vs Linux ${golden.kernel}`, () => {
  const families = [...new Set(cases.map((c) => c.name.split(" ")[0]!))];
  it.each(families)("%s", (family) => {
    const got: string[] = [];
    const want: string[] = [];
    cases.forEach((c, i) => {
      if (c.name.split(" ")[0] !== family) return;
      const v = verify(decodeRaw(Buffer.from(c.hex, "hex")), { progType: c.type, maps: c.maps, logLevel: 0 });
      got.push(`${c.name}: ${v.accepted ? "A" : `${v.errno} ${v.error}`}`);
      want.push(`${c.name}: ${golden.outcomes[golden.verdicts[i]!]}`);
    });
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(want);
  });
  it("covers every recorded case", () => expect(cases.length).toBe(golden.verdicts.length));
});
