import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BTF_INT_SIGNED, parseBtf, type Btf } from "../../src/loader/btf.js";
import { BtfBuilder, writeBtf } from "../../src/loader/btf-builder.js";
import { parseBtfExt } from "../../src/loader/btf-ext.js";
import { LoaderError } from "../../src/errors.js";
import { FIXTURES, kernelB, kernelC, loadFixture } from "./core-fixture.js";

const names = ["btf_kinds", "core_reads", "core_kernel"] as const;
const fixtures = new Map(names.map((n) => [n, loadFixture(n)]));
const fx = (n: (typeof names)[number]) => fixtures.get(n)!;

function bpftool(): string | undefined {
  for (const p of ["/usr/sbin/bpftool", "/usr/bin/bpftool", "/usr/local/sbin/bpftool", "/usr/local/bin/bpftool"]) if (existsSync(p)) return p;
  return undefined;
}

function bpftoolDump(path: string): string | undefined {
  const tool = bpftool();
  if (tool === undefined) {
    console.log("skipped: bpftool is not installed (the committed golden text is still compared)");
    return undefined;
  }
  return execFileSync(tool, ["btf", "dump", "file", path, "format", "raw"], { encoding: "utf8", maxBuffer: 256 << 20 });
}

describe("BTF reader", () => {
  it.each(names)("%s: raw dump equals the committed bpftool golden", (name) => {
    const golden = readFileSync(new URL(`${name}.btf.txt`, FIXTURES), "utf8");
    expect(fx(name).btf.formatRaw()).toBe(golden);
  });

  it.each(names)("%s: raw dump equals bpftool's output on the object now", (name) => {
    const out = bpftoolDump(fileURLToPath(new URL(`${name}.o`, FIXTURES)));
    if (out !== undefined) expect(fx(name).btf.formatRaw()).toBe(out);
  });

  it("reads every kind clang emits", () => {
    const kinds = new Set(fx("btf_kinds").btf.types.map((t) => t.kind));
    for (const k of ["INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64"]) {
      expect(kinds, k).toContain(k);
    }
  });

  it("helpers: names, sizes through typedefs/arrays/modifiers, members through anonymous unions", () => {
    const btf = fx("btf_kinds").btf;
    const [kinds] = btf.findByName("kinds", "STRUCT");
    expect(kinds).toBe(6);
    expect(btf.resolveSize(kinds!)).toBe(152);
    const arr = btf.findMember(kinds!, "arr")!;
    expect(arr.bitOffset).toBe(704);
    expect(btf.resolveSize(arr.member.type)).toBe(48);
    expect(btf.typeString(arr.member.type)).toBe("int[4][3]");
    const cv = btf.findMember(kinds!, "cv")!;
    expect(btf.typeString(cv.member.type)).toBe("const volatile int");
    expect(btf.skipModsAndTypedefs(cv.member.type)?.type.name).toBe("int");
    expect(btf.resolveSize(cv.member.type)).toBe(4);
    const t = btf.findMember(kinds!, "t")!;
    expect(btf.skipModifiers(t.member.type)?.type.kind).toBe("TYPEDEF");
    expect(btf.skipModsAndTypedefs(t.member.type)?.type.name).toBe("unsigned long long");
    expect(btf.findMember(kinds!, "bytes")).toBeUndefined(); // inside the named union u
    expect(btf.findMember(btf.findMember(kinds!, "u")!.member.type, "bytes")).toMatchObject({ bitOffset: 0, path: [1] });
    const core = fx("core_reads").btf;
    expect(core.findMember(2, "u_wide")).toMatchObject({ bitOffset: 448, path: [8, 1] }); // through the anonymous union
    expect(btf.findMember(kinds!, "bf2")?.member).toMatchObject({ bitOffset: 1091, bitfieldSize: 5 });
    expect(btf.findMember(kinds!, "nope")).toBeUndefined();
    expect(btf.typeString(btf.findMember(kinds!, "up")!.member.type)).toBe('int __attribute__((btf_type_tag("user"))) *');
    expect(btf.typeString(btf.findMember(kinds!, "ou")!.member.type)).toBe("union opaque_u *");
    expect(btf.resolveSize(btf.findByName("opaque", "FWD")[0]!)).toBeUndefined();
    expect(btf.resolveSize(btf.findByName("helper_fn")[0]!)).toBeUndefined();
    expect(btf.resolveSize(btf.findByName("rodata_val", "VAR")[0]!)).toBe(4);
    expect(btf.name(btf.findByName("global_kinds")[0]!)).toBe("global_kinds");
    const big = btf.type(btf.findByName("big")[0]!);
    expect(big?.kind === "ENUM64" && big.values.map((v) => v.value)).toEqual([0x100000000n, 0xffffffffffffffffn]);
    const small = btf.type(btf.findByName("small")[0]!);
    expect(small?.kind === "ENUM" && small.values.map((v) => v.value)).toEqual([1n, -2n]);
  });
});

describe("BTF writer and builder", () => {
  it.each(names)("%s: writing the parsed BTF gives back clang's bytes", (name) => {
    expect(writeBtf(fx(name).btf)).toEqual(fx(name).btfBytes);
  });

  it("builder output parses back and bpftool reads it the same way", () => {
    for (const k of [kernelB(), kernelC()]) {
      const bytes = writeBtf(k.btf);
      expect(parseBtf(bytes).formatRaw()).toBe(k.btf.formatRaw());
      const dir = mkdtempSync(join(tmpdir(), "wabpf-btf-"));
      try {
        const file = join(dir, "vmlinux.btf");
        writeFileSync(file, bytes);
        const out = bpftoolDump(file);
        if (out !== undefined) expect(k.btf.formatRaw()).toBe(out);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it("builds every kind", () => {
    const b = new BtfBuilder();
    const int = b.int("int", 4, BTF_INT_SIGNED);
    const s = b.reserve();
    const p = b.ptr(s);
    b.set(s, { kind: "STRUCT", name: "node", size: 16, members: [{ name: "next", type: p, bitOffset: 0, bitfieldSize: 0 }, { name: "v", type: int, bitOffset: 64, bitfieldSize: 4 }] });
    const proto = b.funcProto(int, [["n", p], ["", 0]]);
    const f = b.func("walk", proto, 1);
    b.declTag("hot", f, -1);
    const v = b.var("head", p, 1);
    b.datasec(".bss", 8, [{ type: v, offset: 0, size: 8 }]);
    b.union("u", 4, [{ name: "i", type: b.volatile(b.const(int)), bitOffset: 0 }]);
    b.enum("e", [["NEG", -1], ["POS", 1]]);
    b.enum("e64", [["BIG", 1n << 40n]], { size: 8 });
    b.fwd("later", true);
    b.typedef("node_t", b.restrict(b.typeTag("rcu", p)));
    b.float("double", 8);
    b.array(int, 3, int);
    const btf = b.build();
    expect(btf.formatRaw()).toBe(
      [
        "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED",
        "[2] STRUCT 'node' size=16 vlen=2\n\t'next' type_id=3 bits_offset=0\n\t'v' type_id=1 bits_offset=64 bitfield_size=4",
        "[3] PTR '(anon)' type_id=2",
        "[4] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2\n\t'n' type_id=3\n\t'(anon)' type_id=0",
        "[5] FUNC 'walk' type_id=4 linkage=global",
        "[6] DECL_TAG 'hot' type_id=5 component_idx=-1",
        "[7] VAR 'head' type_id=3, linkage=global",
        "[8] DATASEC '.bss' size=8 vlen=1\n\ttype_id=7 offset=0 size=8 (VAR 'head')",
        "[9] CONST '(anon)' type_id=1",
        "[10] VOLATILE '(anon)' type_id=9",
        "[11] UNION 'u' size=4 vlen=1\n\t'i' type_id=10 bits_offset=0",
        "[12] ENUM 'e' encoding=SIGNED size=4 vlen=2\n\t'NEG' val=-1\n\t'POS' val=1",
        "[13] ENUM64 'e64' encoding=UNSIGNED size=8 vlen=1\n\t'BIG' val=1099511627776ULL",
        "[14] FWD 'later' fwd_kind=union",
        "[15] TYPE_TAG 'rcu' type_id=3",
        "[16] RESTRICT '(anon)' type_id=15",
        "[17] TYPEDEF 'node_t' type_id=16",
        "[18] FLOAT 'double' size=8",
        "[19] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=3",
        "",
      ].join("\n"),
    );
    expect(() => new BtfBuilder().reserve() && new BtfBuilder().bytes()).not.toThrow();
    const r = new BtfBuilder();
    r.reserve();
    expect(() => r.bytes()).toThrow(/reserved but never set/);
  });
});

describe(".BTF.ext", () => {
  it("func_info, line_info and core_relo records per section, names resolved", () => {
    const { ext, btf } = fx("core_reads");
    expect(ext.funcInfo.recordSize).toBe(8);
    expect(ext.lineInfo.recordSize).toBe(16);
    expect(ext.coreRelos.recordSize).toBe(16);
    expect(ext.funcInfo.sections.map((s) => [s.section, s.records.map((r) => btf.name(r.typeId))])).toEqual([
      ["kprobe/do_read", ["read_chain"]],
      ["tp_btf/direct", ["direct_loads"]],
      ["kprobe/exists", ["exists_checks"]],
      ["kprobe/enums", ["enum_values"]],
      ["kprobe/bitfields", ["bitfields"]],
      ["kprobe/guarded", ["guarded"]],
    ]);
    const li = ext.lineInfo.sections.find((s) => s.section === "kprobe/do_read")!.records;
    expect(li[0]).toMatchObject({ insnOff: 0, line: "int read_chain(struct task *t)", lineNum: 46, col: 0 });
    expect(li[0]!.fileName.endsWith("test/fixtures/core/core_reads.c")).toBe(true);
    expect(li[1]).toMatchObject({ insnOff: 48, line: "\tint ppid = BPF_CORE_READ(t, parent, pid);", lineNum: 49, col: 13 });
    const relos = ext.coreRelos.sections.find((s) => s.section === "tp_btf/direct")!.records;
    expect(relos.map((r) => [r.insnOff, r.typeId, r.accessStr, r.kind])).toEqual([
      [0, 2, "0:1", 0],
      [8, 2, "0:2:0", 0],
      [24, 2, "0:8:1", 0],
      [40, 2, "0:9:2", 0],
    ]);
  });

  it("the btf_kinds object has func_info for its subprogram and no CO-RE records", () => {
    const { ext, btf } = fx("btf_kinds");
    expect(ext.funcInfo.sections.map((s) => [s.section, s.records.map((r) => `${r.insnOff}:${btf.name(r.typeId)}`)])).toEqual([
      ["socket", ["0:prog_kinds"]],
      [".text", ["0:helper_fn"]],
    ]);
    expect(ext.coreRelos.sections).toEqual([]);
  });
});

describe("bad BTF and BTF.ext: LoaderError with section and offset, never a crash", () => {
  const base = fx("core_reads").btfBytes;
  const put32 = (b: Uint8Array, at: number, v: number): Uint8Array => {
    const c = b.slice();
    new DataView(c.buffer).setUint32(at, v, true);
    return c;
  };
  const typeStart = 24;

  it.each<[string, (b: Uint8Array) => Uint8Array, RegExp]>([
    ["empty", () => new Uint8Array(0), /section \.BTF, offset 0: BTF header truncated/],
    ["bad magic", (b) => Object.assign(b.slice(), { 0: 0 }), /offset 0: bad BTF magic/],
    ["big-endian", (b) => Object.assign(b.slice(), { 0: 0xeb, 1: 0x9f }), /offset 0: big-endian BTF/],
    ["version", (b) => Object.assign(b.slice(), { 2: 2 }), /offset 2: unsupported BTF version 2/],
    ["header length", (b) => put32(b, 4, 8), /offset 4: BTF header length 8/],
    ["type section past the end", (b) => put32(b, 12, 0x10000000), /offset 8: type section .* past the end/],
    ["unaligned types", (b) => put32(b, 8, 2), /offset 8: type section offset 2 is not 4-byte aligned/],
    ["strings not terminated", (b) => Object.assign(b.slice(), { [b.length - 1]: 0x41 }), /string section is not NUL-terminated/],
    ["name offset out of range", (b) => put32(b, typeStart, 0xffffff), /section \.BTF, offset 24: name offset 16777215 outside the string section/],
    ["unknown kind", (b) => put32(b, typeStart + 4, 25 << 24), /offset 28: type \[1\]: unknown BTF kind 25/],
    ["dangling type id", (b) => put32(b, typeStart + 8, 5000), /offset 24: type \[1\] type refers to type id 5000/],
    ["truncated members", (b) => put32(b, typeStart + 12 + 4, (4 << 24) | 0xfff0), /type \[2\]: reserved bits|STRUCT \[2\] members truncated/],
  ])("%s", (_n, corrupt, msg) => {
    const bad = corrupt(base);
    expect(() => parseBtf(bad)).toThrow(LoaderError);
    expect(() => parseBtf(bad)).toThrow(msg);
  });

  it("BTF.ext: bad magic, bad record size, records past the end, names outside .BTF", () => {
    const { extBytes, btf } = fx("core_reads");
    const bad = (b: Uint8Array, msg: RegExp) => {
      expect(() => parseBtfExt(b, btf)).toThrow(LoaderError);
      expect(() => parseBtfExt(b, btf)).toThrow(msg);
    };
    bad(Object.assign(extBytes.slice(), { 0: 1 }), /section \.BTF\.ext, offset 0: bad BTF.ext magic/);
    const hdrLen = new DataView(extBytes.buffer, extBytes.byteOffset).getUint32(4, true);
    const funcOff = new DataView(extBytes.buffer, extBytes.byteOffset).getUint32(8, true);
    bad(put32(extBytes, hdrLen + funcOff, 6), /func_info has an invalid record size 6/);
    bad(put32(extBytes, hdrLen + funcOff + 8, 1000), /func_info section needs 1000 records/);
    bad(put32(extBytes, hdrLen + funcOff + 4, 0xfffff), /func_info section name offset 1048575 is outside the \.BTF string section/);
    bad(put32(extBytes, 12, 0x7fffffff), /offset 8: func_info .* past the end/);
  });

  it("thousands of random corruptions of .BTF and .BTF.ext never throw anything but LoaderError", () => {
    let seed = 0x5eed;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const { btfBytes, extBytes, btf } = fx("core_reads");
    const kinds = fx("btf_kinds").btfBytes;
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const src = i % 3 === 0 ? kinds : i % 3 === 1 ? btfBytes : extBytes;
      const bad = src.slice(0, rnd(8) === 0 ? rnd(src.length) : src.length);
      for (let k = 1 + rnd(4); k > 0 && bad.length > 0; k--) bad[rnd(bad.length)] = rnd(256);
      try {
        if (src === extBytes) parseBtfExt(bad, btf);
        else parseBtf(bad).formatRaw();
      } catch (e) {
        if (!(e instanceof LoaderError)) throw e;
        expect(e.offset).toBeTypeOf("number");
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(300);
  });
});

export type { Btf };

describe("the running kernel's BTF", () => {
  it("parses /sys/kernel/btf/vmlinux and dumps it exactly as bpftool does; writing it back gives the same bytes", () => {
    const path = "/sys/kernel/btf/vmlinux";
    if (!existsSync(path)) {
      console.log(`skipped: ${path} does not exist`);
      return;
    }
    const bytes = new Uint8Array(readFileSync(path));
    const btf = parseBtf(bytes);
    expect(btf.typeCount).toBeGreaterThan(1000);
    const [task] = btf.findByName("task_struct", "STRUCT");
    expect(btf.findMember(task!, "pid")?.member.name).toBe("pid");
    expect(Buffer.compare(writeBtf(btf), bytes)).toBe(0);
    const out = bpftoolDump(path);
    if (out === undefined) return;
    const ours = btf.formatRaw();
    if (ours !== out) {
      const a = ours.split("\n");
      const b = out.split("\n");
      const i = a.findIndex((l, k) => l !== b[k]);
      expect(a[i], `first difference at line ${i + 1}`).toBe(b[i]);
    }
    expect(ours === out).toBe(true);
  });
});

describe("split BTF (a module over vmlinux)", () => {
  it("builds, parses and dumps a module BTF over a base as bpftool does with --base-btf", () => {
    const base = kernelC().btf;
    const b = new BtfBuilder({ base, name: "wabpf_mod" });
    const [int] = base.findByName("int");
    const u8 = b.int("u8", 1);
    const s = b.struct("missing_type", 8, [{ name: "x", type: int!, bitOffset: 0 }, { name: "mod_only_field", type: u8, bitOffset: 32 }]);
    b.ptr(s);
    const mod = b.build();
    expect(mod.startId).toBe(base.typeCount);
    expect(mod.typeById(s).name).toBe("missing_type");
    expect(mod.typeById(int!).name).toBe("int");
    expect(mod.str(mod.typeById(int!).nameOff)).toBe("int");
    expect(mod.btfName).toBe("wabpf_mod");
    // "x" is new, "int" is shared with the base's strings
    expect(mod.typeById(s).kind === "STRUCT" && mod.typeById(s).nameOff).toBeGreaterThanOrEqual(mod.stringBase);
    expect(mod.formatRaw().split("\n").slice(0, 2)).toEqual([`[${u8}] INT 'u8' size=1 bits_offset=0 nr_bits=8 encoding=(none)`, `[${s}] STRUCT 'missing_type' size=8 vlen=2`]);
    const bytes = writeBtf(mod);
    expect(parseBtf(bytes, { base }).formatRaw()).toBe(mod.formatRaw());
    expect(BtfBuilder.from(mod).build().formatRaw()).toBe(mod.formatRaw());
    expect(() => parseBtf(bytes)).toThrow(LoaderError); // without its base the ids and names dangle
    const dir = mkdtempSync(join(tmpdir(), "wabpf-split-"));
    try {
      writeFileSync(join(dir, "base.btf"), writeBtf(base));
      writeFileSync(join(dir, "mod.btf"), bytes);
      const tool = bpftool();
      if (tool === undefined) {
        console.log("skipped: bpftool is not installed");
        return;
      }
      const out = execFileSync(tool, ["btf", "dump", "file", join(dir, "mod.btf"), "--base-btf", join(dir, "base.btf"), "format", "raw"], { encoding: "utf8" });
      expect(mod.formatRaw()).toBe(out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
