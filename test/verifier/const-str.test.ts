// ARG_PTR_TO_CONST_STR (check_reg_const_str) and bpf_snprintf's load-time format check
// (check_bpf_snprintf_call) against Linux 6.18: the const_str programs of
// scripts/verifier/rodata-cases.mjs pass a format to bpf_snprintf; verdicts recorded by
// scripts/verifier/rodata-diff.mjs.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/assemble.js";
import { HELPER } from "../../src/isa/helpers.js";
import { verify, type MapDef } from "../../src/verifier/index.js";
import { bprintfFormatOk } from "../../src/verifier/snprintf-check.js";
// @ts-expect-error: a plain ES module shared with the recording script (no declarations)
import { constStrCases } from "../../scripts/verifier/rodata-cases.mjs";

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
const golden: { kernel: string; constStr: Record<string, string> } = JSON.parse(readFileSync(new URL("./golden/rodata.json", import.meta.url), "utf8"));
const cases = (constStrCases as () => Case[])();
const mapDef = (m: CaseMap): MapDef => ({ type: m.type, keySize: m.key_size, valueSize: m.value_size, maxEntries: m.max_entries, flags: m.flags, frozen: m.freeze, initial: Buffer.from(m.init_hex, "hex") });

describe(`constant strings vs Linux ${golden.kernel}`, () => {
  it("bpf_snprintf is helper 165", () => expect(HELPER.snprintf).toBe(165));

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const v = verify(assemble(c.asm.join("\n") + "\n"), { progType: "socket_filter", maps: c.maps.map(mapDef), logLevel: 0 });
    expect(v.accepted ? "A" : `${v.errno} ${v.error ?? ""}`).toBe(golden.constStr[c.name]);
  });

  it("covers every recorded case", () => expect(cases.map((c) => c.name)).toEqual(Object.keys(golden.constStr)));
});

describe("bpf_bprintf_prepare's format check", () => {
  const ok = (s: string, n = 12): boolean => bprintfFormatOk(Buffer.from(`${s}\0`, "latin1"), n);
  it.each([
    ["plain text", "hello world\n", 0],
    ["%% needs no argument", "100%%", 0],
    ["integers with flags, width and length", "%-08d %+5lli %llx %lu %X", 5],
    ["strings and characters", "%s, %pks %pus %c", 4],
    ["pointers", "%p %pK %px %ps %pS %pB %pi4 %pI6", 8],
  ])("takes %s", (_n, fmt, n) => expect(ok(fmt, n)).toBe(true));
  it.each([
    ["more conversions than arguments", "%d %d", 1],
    ["an unknown conversion", "%z", 1],
    ["%s followed by a letter", "%sx", 1],
    ["an unknown %p extension", "%pD", 1],
    ["%pi5", "%pi5", 1],
    ["a control character", "a\x01b", 0],
    ["a non-ASCII byte", "caf\xe9", 0],
    ["a trailing %", "50%", 1],
  ])("refuses %s", (_n, fmt, n) => expect(ok(fmt, n)).toBe(false));
});
