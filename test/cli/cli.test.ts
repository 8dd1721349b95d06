import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/cli.js";

const CONFORMANCE = fileURLToPath(new URL("../../../shared/conformance", import.meta.url));
const BIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../../examples/sum-bytes.s", import.meta.url));

if (!existsSync(CONFORMANCE)) console.warn(`[skip] conformance CLI tests: ${CONFORMANCE} is missing`);
if (!existsSync(BIN)) console.warn(`[skip] plugin executable tests: ${BIN} is not built (npm run build)`);

let out = "";
let err = "";
beforeEach(() => {
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

const tmp = mkdtempSync(join(tmpdir(), "wabpf-cli-"));
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe("wabpf run", () => {
  it.each(["interp", "jit"])("runs the README example with --engine %s", async (engine) => {
    expect(await main(["run", EXAMPLE, "--mem-hex", "01 02 03 04", "--engine", engine])).toBe(0);
    expect(out).toBe("0xa\n");
  });

  it.each(["interp", "jit"])("--json --repeat reports runs and ns_per_run (%s)", async (engine) => {
    // r0 = *(u64*)r1 + 1, written back: with --repeat the buffer is not reset between runs
    const prog = file("inc.s", "r0 = *(u64 *)(r1 + 0)\nr0 += 1\n*(u64 *)(r1 + 0) = r0\nexit\n");
    expect(await main(["run", prog, "--mem-hex", "0000000000000000", "--repeat", "5", "--json", "--engine", engine])).toBe(0);
    const j = JSON.parse(out) as { r0: string; runs: number; ns_per_run: number };
    expect(j.r0).toBe("0x5");
    expect(j.runs).toBe(5);
    expect(j.ns_per_run).toBeGreaterThan(0);
  });

  it("exits 2 with a located message for bad assembler text", async () => {
    const bad = file("bad.s", "r0 = 1\nr11 = 2\nexit\n");
    expect(await main(["run", bad])).toBe(2);
    expect(err).toMatch(/2:\d+/);
  });

  it("exits 1 with pc and address when the program faults", async () => {
    const bad = file("fault.s", "r1 = 16\nr0 = *(u64 *)(r1 + 0)\nexit\n");
    expect(await main(["run", bad, "--engine", "interp"])).toBe(1);
    expect(err).toMatch(/pc 1: invalid read from address 0x10 size 8/);
  });

  it("exits 2 for a missing file and for unknown options", async () => {
    expect(await main(["run", join(tmp, "nope.s")])).toBe(2);
    expect(await main(["run", EXAMPLE, "--bogus"])).toBe(2);
  });
});

describe("wabpf asm / disasm", () => {
  it("assembles to hex slots and disassembles in the kernel's syntax", async () => {
    const src = file("two.s", "mov %r0, 1\nexit\n");
    expect(await main(["asm", src])).toBe(0);
    expect(out).toBe("b700000001000000\n9500000000000000\n");
    const hex = file("two.hex", out);
    out = "";
    expect(await main(["disasm", hex])).toBe(0);
    expect(out).toBe("0: (b7) r0 = 1\n1: (95) exit\n");
  });
});

describe.skipIf(!existsSync(CONFORMANCE))("wabpf conformance", () => {
  it("passes every vector in the interpreter", async () => {
    expect(await main(["conformance", CONFORMANCE, "--engine", "interp"])).toBe(0);
    expect(out.trim().split("\n").at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    expect(out).not.toMatch(/^FAIL/m);
  });

  it("reports failures as FAIL name: expected X got Y", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wabpf-vec-"));
    writeFileSync(join(dir, "wrong.data"), "-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n");
    expect(await main(["conformance", dir, "--engine", "interp"])).toBe(1);
    expect(out).toBe("FAIL wrong: expected 0x2 got 0x1\n0 passed, 1 failed\n");
  });
});

describe.skipIf(!existsSync(BIN))("wabpf plugin (the built executable)", () => {
  it("reads the program as hex on stdin and the memory as hex in the first argument", () => {
    // ldxb r0, [r1+2]; exit
    const res = spawnSync(process.execPath, [BIN, "plugin", "aa bb 11 cc", "--engine", "interp"], {
      input: "71 10 02 00 00 00 00 00 95 00 00 00 00 00 00 00",
      encoding: "utf8",
    });
    expect([res.status, res.stdout, res.stderr]).toEqual([0, "0x11\n", ""]);
  });

  it("--elf takes the program from the first executable section of an ELF object", () => {
    const elf = readFileSync(fileURLToPath(new URL("../fixtures/elf/mem_sum.o", import.meta.url)));
    const res = spawnSync(process.execPath, [BIN, "plugin", "01 02 03 04 05", "--elf", "--engine", "interp"], {
      input: elf.toString("hex"),
      encoding: "utf8",
    });
    expect([res.status, res.stdout, res.stderr]).toEqual([0, "0xa\n", ""]);
  });

  it("fails with a message and a nonzero status on an invalid program", () => {
    const res = spawnSync(process.execPath, [BIN, "plugin"], { input: "ff 00 00 00 00 00 00 00", encoding: "utf8" });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/unknown opcode ff/);
  });
});
