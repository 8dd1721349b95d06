// Issue 16: the minimal reproducer of each class of bad input: corrupted sizes in objects,
// empty and endless files, wrong map arguments, unusable ports. Each must give a typed error
// (an EbpfError with Linux's errno where Linux has one) and the CLI's exit status 2 — never a
// RangeError, a TypeError or a hang.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { BpfObject } from "../../src/object/bpf-object.js";
import { createMachine } from "../../src/runtime/machine.js";
import { BpfError, EbpfError, LoaderError } from "../../src/errors.js";
import { main, reportError } from "../../src/cli/cli.js";
import { readInput } from "../../src/exec/read-input.js";
import * as fs from "node:fs";

const fixture = (p: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/${p}`, import.meta.url)));

interface Shdr { name: string; hdr: number; offset: number; size: number; type: number }
/** Section headers of a little-endian ELF64 object. */
function sections(b: Uint8Array): Shdr[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shnum = v.getUint16(0x3c, true);
  const strtab = Number(v.getBigUint64(shoff + v.getUint16(0x3e, true) * 64 + 0x18, true));
  const out: Shdr[] = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * 64;
    let name = "";
    for (let p = strtab + v.getUint32(h, true); b[p] !== 0; p++) name += String.fromCharCode(b[p]!);
    out.push({ name, hdr: h, type: v.getUint32(h + 4, true), offset: Number(v.getBigUint64(h + 0x18, true)), size: Number(v.getBigUint64(h + 0x20, true)) });
  }
  return out;
}
/** The symbol table entry named `name`: its file offset. */
function symbol(b: Uint8Array, name: string): number {
  const secs = sections(b);
  const symtab = secs.find((s) => s.type === 2)!;
  const strtab = secs.find((s) => s.name === ".strtab")!;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let e = symtab.offset; e < symtab.offset + symtab.size; e += 24) {
    let n = "";
    for (let p = strtab.offset + v.getUint32(e, true); b[p] !== 0; p++) n += String.fromCharCode(b[p]!);
    if (n === name) return e;
  }
  throw new Error(`no symbol ${name}`);
}
const set64 = (b: Uint8Array, at: number, x: bigint): void => new DataView(b.buffer, b.byteOffset).setBigUint64(at, x, true);

async function openFails(bytes: Uint8Array): Promise<EbpfError> {
  const e = await BpfObject.open(bytes, { name: "t" }).then((o) => o.load()).then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(EbpfError);
  return e as EbpfError;
}

describe("corrupted objects give typed errors before anything is allocated", () => {
  it("a .bss of 545,460,846,600 bytes: E2BIG naming the section", async () => {
    const b = fixture("object/counters.o");
    set64(b, sections(b).find((s) => s.name === ".bss")!.hdr + 0x20, 545460846600n);
    const e = await openFails(b);
    expect([e.code, e.message]).toEqual(["E2BIG", expect.stringMatching(/section \.bss: global data of 545460846600 bytes/)]);
  });

  it("a legacy map symbol past the end of the maps section", async () => {
    const b = fixture("object/legacy_maps.o");
    const at = symbol(b, "seen");
    set64(b, at + 8, 4096n);
    const e = await openFails(b);
    expect(e).toBeInstanceOf(LoaderError);
    expect(e.message).toMatch(/section maps, offset 4096: legacy map 'seen' at 4096 is past the end/);
  });

  it("a function symbol with a corrupted size", async () => {
    const b = fixture("object/counters.o");
    const at = symbol(b, "count_packets");
    set64(b, at + 16, 0xfffffff8n);
    const e = await openFails(b);
    expect(e).toBeInstanceOf(LoaderError);
    expect(e.message).toMatch(/program 'count_packets' .* is not whole instructions inside the section/);
  });
});

describe("maps: arguments Linux refuses are BpfError EINVAL", () => {
  it.each([
    [{ maxEntries: -1 }], [{ maxEntries: Number.NaN }], [{ maxEntries: 1.5 }], [{ keySize: 2 ** 32 }], [{ type: 1.5 }],
  ])("create %j", async (spec) => {
    const m = await createMachine();
    const e = (() => {
      try {
        m.createMap({ type: "hash", keySize: 4, valueSize: 8, maxEntries: 4, ...spec });
      } catch (x) {
        return x;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(BpfError);
    expect((e as BpfError).code).toBe("EINVAL");
  });

  it("keys and values of the wrong size", async () => {
    const m = await createMachine();
    const h = m.createMap({ type: "hash", keySize: 4, valueSize: 8, maxEntries: 4 });
    for (const f of [() => h.update(new Uint8Array(2), new Uint8Array(8)), () => h.update(new Uint8Array(4), new Uint8Array(9)), () => h.lookup(new Uint8Array(3)), () => h.delete(new Uint8Array(5))]) {
      expect(f).toThrow(BpfError);
    }
  });
});

describe("inputs are size-capped", () => {
  it("/dev/zero is E2BIG at the limit, not a hang", () => {
    expect(() => readInput(fs, "/dev/zero", { maxBytes: 1 << 16 })).toThrow(/larger than the 65536-byte limit/);
  });
  it("a regular file over the limit fails before it is read", () => {
    const dir = mkdtempSync(join(tmpdir(), "wabpf-in-"));
    writeFileSync(join(dir, "big"), new Uint8Array(4096));
    expect(() => readInput(fs, join(dir, "big"), { maxBytes: 4095 })).toThrow(EbpfError);
    expect(readInput(fs, join(dir, "big"), { maxBytes: 4096 }).length).toBe(4096);
  });
  it("a missing file keeps the system's errno", () => {
    try {
      readInput(fs, "/nonexistent/x.o");
      expect.unreachable();
    } catch (e) {
      expect((e as EbpfError).code).toBe("ENOENT");
    }
  });
});

describe("the command line: bad input is exit 2 with a one-line message", () => {
  let err = "";
  beforeEach(() => {
    err = "";
    vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());
  const dir = mkdtempSync(join(tmpdir(), "wabpf-cli-"));
  const empty = join(dir, "e.o");
  writeFileSync(empty, "");
  mkdirSync(join(dir, "novectors"));

  it.each([
    [["verify", empty], /empty input/],
    [["run", empty], /empty input/],
    [["disasm", empty], /empty input/],
    [["asm", empty], /no instructions/],
    [["show", empty], /not an ELF file/],
    [["trace", empty], /not an ELF file/],
    [["conformance", join(dir, "novectors")], /no \.data test vectors/],
    [["serve", "--port", "99999"], /a TCP port is 1\.\.65535/],
    [["run", "/dev/zero", "--max-input-size", "4096"], /larger than the 4096-byte limit/],
    [["verify", "/dev/zero", "--max-input-size", "4096"], /larger than the 4096-byte limit/],
    [["show", "/dev/zero", "--max-input-size", "4096"], /larger than the 4096-byte limit/],
    [["run", empty, "--max-input-size", "-1"], /takes a positive number of bytes/],
  ])("wabpf %j", async (argv, message) => {
    expect(await main(argv)).toBe(2);
    expect(err).toMatch(message);
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).not.toMatch(/TypeError|RangeError|    at /);
  });

  it("a busy port", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      expect(await main(["serve", "--port", String(port)])).toBe(2);
      expect(err).toMatch(/cannot listen on 127\.0\.0\.1:\d+: the port is in use/);
    } finally {
      blocker.close();
    }
  });

  it("anything untyped is an internal error: exit 3, said to be a bug in wabpf", () => {
    expect(reportError("run", ["prog.o"], new TypeError("Cannot read properties of undefined (reading 'code')"))).toBe(3);
    expect(err).toMatch(/^wabpf run: internal error \(a bug in wabpf.*\) while handling prog\.o: TypeError: Cannot read properties/);
  });
});

describe("a map type wabpf lacks fails only the programs that use it", () => {
  const obj = fileURLToPathSafe("../fixtures/object/unsupported_map.o");
  it("BpfObject: the program using the map is NotSupportedError naming the map; the other loads", async () => {
    const o = await BpfObject.open(obj);
    o.createMaps();
    expect([...o.unsupportedMaps.keys()]).toEqual(["stacks"]);
    await expect(o.program("with_stack").load()).rejects.toThrow(/program 'with_stack' uses map 'stacks': map type stack_trace is not implemented yet/);
    await o.program("count").load();
    expect(o.mapList().map((m) => m.name)).toEqual(["calls"]);
  });

  it("wabpf trace attaches the rest and dumps the maps that exist (it crashed with a TypeError)", async () => {
    const out: string[] = [];
    const { trace } = await import("../../src/api/trace.js");
    expect(await trace(obj, { workload: "mixed", iterations: 2, cpus: 1, json: false, write: (s) => out.push(s) })).toBe(0);
    const text = out.join("");
    expect(text).toMatch(/not attached: with_stack .*uses map 'stacks'/);
    expect(text).toMatch(/attached count \(kprobe\/vfs_read\) to vfs_read/);
    expect(text).toMatch(/name calls/);
  });
});

function fileURLToPathSafe(rel: string): string {
  return new URL(rel, import.meta.url).pathname;
}

describe("library entry points let only typed errors out", () => {
  it("verify(): a malformed instruction array is an InternalError (EFAULT) naming verify, not a TypeError", async () => {
    const { verify } = await import("../../src/verifier/index.js");
    const { InternalError } = await import("../../src/errors.js");
    const bad = [null] as unknown as Parameters<typeof verify>[0];
    expect(() => verify(bad, { progType: "socket_filter" })).toThrow(InternalError);
    expect(() => verify(bad, { progType: "socket_filter" })).toThrow(/internal error in verify \(a bug in wabpf/);
  });
  it("compileProgram(): the same, asynchronously", async () => {
    const { compileProgram } = await import("../../src/jit/index.js");
    const { InternalError } = await import("../../src/errors.js");
    await expect(compileProgram([null] as unknown as Parameters<typeof compileProgram>[0])).rejects.toBeInstanceOf(InternalError);
  });
  it("the CLI reports an InternalError as exit 3", () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(reportError("verify", ["x.o"], new (class extends Error {})("boom"))).toBe(3);
    vi.restoreAllMocks();
  });
});
