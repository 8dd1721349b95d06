import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HELPER, HELPER_COUNT, HELPER_NAMES, helperId, helperName } from "../../src/isa/helpers.js";

const UAPI = "/usr/include/linux/bpf.h";

/** Names of __BPF_FUNC_MAPPER in order; handles both FN(name) and FN(name, id, ##ctx) forms. */
function uapiNames(text: string): { name: string; id: number }[] {
  const start = text.indexOf("#define __BPF_FUNC_MAPPER");
  const body = text.slice(start, text.indexOf("\n\n", start));
  return [...body.matchAll(/FN\((\w+)(?:,\s*(\d+))?/g)].map((m, i) => ({ name: m[1]!, id: m[2] === undefined ? i : Number(m[2]) }));
}

describe("helper registry", () => {
  it("matches the committed enum bpf_func_id (Linux 6.18)", () => {
    const recorded = readFileSync(new URL("./bpf_func_id.txt", import.meta.url), "utf8")
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("#"))
      .map((l) => l.split(" "));
    expect(recorded.length).toBe(212);
    expect(HELPER_COUNT).toBe(recorded.length);
    for (const [id, name] of recorded) expect([name, HELPER[name as keyof typeof HELPER]]).toEqual([name, Number(id)]);
  });

  it("agrees with the installed uapi header on every id both define", () => {
    if (!existsSync(UAPI)) {
      console.log(`skipped: ${UAPI} not installed (package linux-libc-dev)`);
      return;
    }
    const fromHeader = uapiNames(readFileSync(UAPI, "utf8"));
    expect(fromHeader.length).toBeGreaterThan(100);
    // an older header lists a prefix of the enum; a newer one must not add ids we lack
    expect(fromHeader.length).toBeLessThanOrEqual(HELPER_COUNT);
    for (const { name, id } of fromHeader) expect([name, id]).toEqual([HELPER_NAMES[id], id]);
  });

  it("maps ids and names both ways as the disassembler prints them", () => {
    expect(helperName(HELPER.map_lookup_elem)).toBe("bpf_map_lookup_elem");
    expect(helperName(0)).toBeNull();
    expect(helperName(HELPER_COUNT)).toBeNull();
    expect(helperId("bpf_loop")).toBe(181);
    expect(helperId("ringbuf_output")).toBe(130);
    expect(helperId("unspec")).toBeNull();
    expect(helperId("constructor")).toBeNull();
  });
});
