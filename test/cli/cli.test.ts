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

describe("wabpf --version and --help", () => {
  it("prints the package's version", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(await main(["--version"])).toBe(0);
    expect(out).toBe(`wabpf ${pkg.version}\n`);
  });
  it("COMMAND --help prints that command's usage and exits 0", async () => {
    expect(await main(["trace", "--help"])).toBe(0);
    expect(out).toMatch(/^usage: wabpf trace OBJECT\.o/);
  });
});

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

  it("exits 1 with pc and address when an unverified program faults", async () => {
    const bad = file("fault.s", "r1 = 16\nr0 = *(u64 *)(r1 + 0)\nexit\n");
    expect(await main(["run", bad, "--engine", "interp", "--no-verify"])).toBe(1);
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

  it("--verify refuses exactly the vectors Linux refuses (golden from the kernel) and runs the rest verified", async () => {
    const golden = JSON.parse(readFileSync(new URL("../verifier/golden/conformance-raw.json", import.meta.url), "utf8")) as { rows: Array<{ name: string; accepted: boolean }> };
    expect(await main(["conformance", CONFORMANCE, "--verify"])).toBe(0);
    const rejected = [...out.matchAll(/^REJECTED ([^:]+):/gm)].map((m) => m[1]);
    expect(rejected).toEqual(golden.rows.filter((r) => !r.accepted).map((r) => r.name));
    expect(out.trim().split("\n").at(-1)).toBe(`${golden.rows.length - rejected.length} passed, 0 failed, ${rejected.length} rejected by the verifier`);
  });
});

describe("verification before running", () => {
  it("wabpf run refuses what the verifier refuses, with the kernel's message; --no-verify runs it unverified", async () => {
    const bad = file("oob.s", "r0 = *(u64 *)(r1 + 8)\nexit\n");
    expect(await main(["run", bad, "--mem-hex", "01 02 03 04"])).toBe(1);
    expect(err).toMatch(/: rejected by the verifier: invalid access to map value, value_size=4 off=8 size=8 at insn \d+ \(EACCES\)/);
    err = "";
    expect(await main(["run", bad, "--mem-hex", "01 02 03 04", "--no-verify", "--engine", "interp"])).toBe(1);
    expect(err).toMatch(/: pc 0: invalid read.* \(EFAULT\)/);
  });

  it("wabpf verify refuses an invalid encoding as Linux does (exit 1), rather than calling the file unreadable", async () => {
    const p = join(tmp, "bad-opcode.bin");
    writeFileSync(p, Buffer.from("b700000000000000d1000000000000009500000000000000", "hex"));
    expect(await main(["verify", p, "--prog-type", "raw", "--json"])).toBe(1);
    expect((JSON.parse(out) as Record<string, unknown>)["error"]).toBe("unknown opcode d1");
  });

  it("wabpf verify --prog-type raw prints the kernel-format log and exits 1 on rejection", async () => {
    const bad = file("oob2.s", "r0 = *(u64 *)(r1 + 8)\nexit\n");
    expect(await main(["verify", bad, "--prog-type", "raw", "--mem-size", "4", "--json"])).toBe(1);
    const j = JSON.parse(out) as Record<string, unknown>;
    expect([j["accepted"], j["errno"], j["error"]]).toEqual([false, 13, "invalid access to map value, value_size=4 off=8 size=8"]);
    expect(j["log"]).toMatch(/^8: \(79\) r0 = \*\(u64 \*\)\(r1 \+8\)$/m);
    expect(j["log"]).toMatch(/^processed 4 insns \(limit 1000000\)/m);
    out = "";
    expect(await main(["verify", EXAMPLE, "--prog-type", "raw", "--mem-size", "4"])).toBe(0);
    expect(out.trim().split("\n").at(-1)).toBe("accepted");
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

  it("--verify refuses a program Linux refuses (exit 1), and runs one it accepts", () => {
    // r0 = *(u64 *)(r1 + 0) with 4 bytes of memory: out of the map value
    const bad = spawnSync(process.execPath, [BIN, "plugin", "01 02 03 04", "--verify"], { input: "79 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00", encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/invalid access to map value, value_size=4 off=0 size=8/);
    const ok = spawnSync(process.execPath, [BIN, "plugin", "aa bb 11 cc", "--verify"], { input: "71 10 02 00 00 00 00 00 95 00 00 00 00 00 00 00", encoding: "utf8" });
    expect([ok.status, ok.stdout]).toEqual([0, "0x11\n"]);
  });
});

describe("objects on the command line", () => {
  const OBJ = fileURLToPath(new URL("../fixtures/object/counters.o", import.meta.url));

  it("wabpf verify prog.o --json prints one line per program", async () => {
    expect(await main(["verify", OBJ, "--json"])).toBe(0);
    const lines = out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l["section"], l["name"], l["prog_type"], l["accepted"], l["errno"], l["error"]])).toEqual([
      ["xdp", "count_packets", "xdp", true, null, null],
      ["xdp", "sum_loop", "xdp", true, null, null],
      ["kprobe/do_nanosleep", "on_sleep", "kprobe", true, null, null],
    ]);
  });

  it("wabpf verify prog.o --section picks programs; an unknown one is a usage error", async () => {
    expect(await main(["verify", OBJ, "--section", "kprobe/do_nanosleep", "--json"])).toBe(0);
    expect(out.trim().split("\n")).toHaveLength(1);
    expect(await main(["verify", OBJ, "--section", "nope"])).toBe(2);
  });

  it("wabpf run prog.o --section runs one program with the object's maps", async () => {
    expect(await main(["run", OBJ, "--section", "count_packets", "--mem-hex", "00 00 00 00"])).toBe(0);
    expect(out).toBe("0x2\n");
    expect(await main(["run", OBJ, "--section", "xdp"])).toBe(2); // two programs in xdp: choose by name
  });

  it("wabpf show prog.o lists programs, maps and BTF", async () => {
    expect(await main(["show", OBJ, "--json"])).toBe(0);
    const info = JSON.parse(out) as { programs: Array<{ name: string }>; maps: Array<{ name: string; type: string }>; btf: { types: number } };
    expect(info.programs.map((p) => p.name)).toEqual(["count_packets", "sum_loop", "on_sleep"]);
    expect(info.maps.find((m) => m.name === "outer")?.type).toBe("array_of_maps");
    expect(info.btf.types).toBeGreaterThan(10);
  });
});

describe("wabpf map dump", () => {
  const OBJ = fileURLToPath(new URL("../fixtures/object/counters.o", import.meta.url));

  it("runs programs, then prints maps as bpftool's plain dump", async () => {
    expect(await main(["map", "dump", OBJ, "--run", "count_packets:00000000", "--repeat", "3", "--map", "counts", "--map", "counters.data"])).toBe(0);
    expect(out).toMatch(/^\d+: hash  name counts  flags 0x0\nkey: 00 00 00 00  value: 03 00 00 00 00 00 00 00\nFound 1 element\n/);
    expect(out).toMatch(/name counters.data  flags 0x400\nkey: 00 00 00 00  value: 10 00 00 00 00 00 00 00\nFound 1 element\n$/);
  });

  it("--json gives bpftool -j's key/value byte arrays", async () => {
    expect(await main(["map", "dump", OBJ, "--map", "totals", "--json"])).toBe(0);
    const j = JSON.parse(out) as Record<string, Array<{ key: string[] }>>;
    expect(j["totals"]!.map((e) => e.key[0])).toEqual(["0x00", "0x01", "0x02", "0x03"]);
  });
});

describe("wabpf verify on objects the runtime cannot fully create", () => {
  it("verifies from the maps' definitions (a CGROUP_ARRAY filter, as libbpf-tools use), as Linux does", async () => {
    const obj = fileURLToPath(new URL("../fixtures/object/cgroup_filter.o", import.meta.url));
    expect(await main(["verify", obj, "--json"])).toBe(0);
    expect(JSON.parse(out)).toEqual({ section: "tracepoint/raw_syscalls/sys_enter", name: "on_enter", prog_type: "tracepoint", accepted: true, errno: null, error: null });
  });
});
