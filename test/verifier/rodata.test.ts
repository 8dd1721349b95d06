// Loads from frozen, program-read-only array maps (libbpf's .rodata and .kconfig) are read as
// constants, as Linux's bpf_map_direct_read does, so branches on `const volatile` settings are
// pruned at load. The verdicts were recorded against Linux 6.18 by scripts/verifier/rodata-diff.mjs
// (programs in scripts/verifier/rodata-cases.mjs; the maps written and frozen before the load).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/assemble.js";
import { verify, type MapDef } from "../../src/verifier/index.js";
// @ts-expect-error: a plain ES module shared with the recording script (no declarations)
import { rodataCases } from "../../scripts/verifier/rodata-cases.mjs";

interface CaseMap {
  type: string;
  key_size: number;
  value_size: number;
  max_entries: number;
  flags: number;
  init_hex: string;
  freeze: boolean;
}
interface Case {
  name: string;
  maps: CaseMap[];
  asm: string[];
}
const golden: { kernel: string; outcomes: Record<string, string> } = JSON.parse(readFileSync(new URL("./golden/rodata.json", import.meta.url), "utf8"));
const cases = (rodataCases as () => Case[])();
const mapDef = (m: CaseMap): MapDef => ({ type: m.type, keySize: m.key_size, valueSize: m.value_size, maxEntries: m.max_entries, flags: m.flags, frozen: m.freeze, initial: Buffer.from(m.init_hex, "hex") });
const run = (c: Case, logLevel: 0 | 1 | 2 = 0) => verify(assemble(c.asm.join("\n") + "\n"), { progType: "socket_filter", maps: c.maps.map(mapDef), logLevel });

describe(`read-only frozen maps vs Linux ${golden.kernel}`, () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const v = run(c);
    expect(v.accepted ? "A" : `${v.errno} ${v.error ?? ""}`).toBe(golden.outcomes[c.name]);
  });

  it("covers every recorded case", () => expect(cases.map((c) => c.name)).toEqual(Object.keys(golden.outcomes)));

  it("prints the loaded constant in the log, sign-extended for a signed load", () => {
    const c = cases.find((x) => x.name === "s8 sign-extended")!;
    // Linux 6.18: "2: (91) r2 = *(s8 *)(r1 +4)           ; R1=map_value(ks=4,vs=16) R2=-1"
    expect(run(c, 2).log).toMatch(/^2: \(91\) r2 = \*\(s8 \*\)\(r1 \+4\) +; R1=map_value\(ks=4,vs=16\) R2=-1$/m);
  });

  it("reads zeros where a frozen map has no initial bytes (an array map starts zeroed)", () => {
    const c = cases.find((x) => x.name === "u32 zero, frozen rdonly")!;
    const maps = c.maps.map(mapDef).map(({ initial: _, ...m }) => m);
    expect(verify(assemble(c.asm.join("\n") + "\n"), { progType: "socket_filter", maps, logLevel: 0 }).accepted).toBe(true);
  });
});
