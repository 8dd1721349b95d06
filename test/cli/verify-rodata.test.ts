// `wabpf verify X.o --rodata NAME=VALUE`: the object's .rodata read as constants, with a
// `const volatile` global set first (test/fixtures/object/rodata_knob.c; Linux 6.18 accepts it with
// targ_pid = 0 and refuses it, "R0 invalid mem access 'scalar'", with any other value).
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/cli.js";

const KNOB = fileURLToPath(new URL("../fixtures/object/rodata_knob.o", import.meta.url));
let out = "";
let err = "";
beforeEach(() => {
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe("wabpf verify --rodata", () => {
  it("without it, the default value prunes the guarded path: accepted", async () => {
    expect(await main(["verify", KNOB, "--json"])).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ name: "knob", accepted: true });
  });

  it("a value set with --rodata is what the verifier reads", async () => {
    expect(await main(["verify", KNOB, "--json", "--rodata", "targ_pid=0x2a"])).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ name: "knob", accepted: false, errno: 13, error: "R0 invalid mem access 'scalar'" });
    out = "";
    expect(await main(["verify", KNOB, "--json", "--rodata", "targ_pid=-1", "--rodata", "targ_pid=0"])).toBe(0);
  });

  it("a bad or unknown setting is unreadable input (exit 2)", async () => {
    expect(await main(["verify", KNOB, "--rodata", "targ_pid"])).toBe(2);
    expect(err).toMatch(/bad --rodata "targ_pid": expected NAME=VALUE/);
    expect(await main(["verify", KNOB, "--rodata", "targ_pid=abc"])).toBe(2);
    expect(await main(["verify", KNOB, "--rodata", "nope=1"])).toBe(2);
    expect(err).toMatch(/no \.rodata variable 'nope'/);
  });
});

describe("wabpf trace --rodata", () => {
  it("sets the global before the programs load: the simulated kernel's verifier reads it", async () => {
    expect(await main(["trace", KNOB, "--iterations", "1", "--json"])).toBe(0);
    const attach = (): Record<string, unknown> => JSON.parse(out.split("\n").find((l) => l.includes('"attach"'))!) as Record<string, unknown>;
    expect(String(attach()["error"] ?? "")).not.toMatch(/invalid mem access/);
    out = "";
    expect(await main(["trace", KNOB, "--iterations", "1", "--json", "--rodata", "targ_pid=5"])).toBe(0);
    expect(attach()["error"]).toMatch(/R0 invalid mem access 'scalar'/);
  });
});
