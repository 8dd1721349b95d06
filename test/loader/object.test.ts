// BpfObject on a clang-compiled object (test/fixtures/object/counters.c): maps of every
// definition style, global data, subprograms and a callback, verified and run; verdicts and
// instruction counts compared with what libbpf + the running kernel make of the same file.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BpfObject } from "../../src/object/bpf-object.js";
import { VerifierError } from "../../src/verifier/error.js";
import { openObject } from "../../src/loader/object.js";
import { matchSection } from "../../src/loader/sections.js";
import { KBPF, kernelUnavailableReason } from "../support/kbpf.js";
import { LoaderError } from "../../src/errors.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/object/counters.o", import.meta.url));
const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const u64 = (b: Uint8Array | null): bigint => new DataView(b!.buffer, b!.byteOffset).getBigUint64(0, true);

describe("section names (libbpf's table)", () => {
  it.each([
    ["xdp", "xdp", "xdp", ""],
    ["kprobe/do_nanosleep", "kprobe", null, "do_nanosleep"],
    ["kretprobe.multi/vfs_*", "kprobe", "trace_kprobe_multi", "vfs_*"],
    ["fentry/security_file_open", "tracing", "trace_fentry", "security_file_open"],
    ["fmod_ret.multi/security_*", "tracing", "modify_return_multi", "security_*"],
    ["tp/syscalls/sys_enter_openat", "tracepoint", null, "syscalls/sys_enter_openat"],
    ["raw_tp/sched_switch", "raw_tracepoint", null, "sched_switch"],
    ["socket", "socket_filter", null, ""],
    ["tc", "sched_cls", null, ""],
    ["syscall", "syscall", null, ""],
  ])("%s", (name, progType, attach, target) => {
    const m = matchSection(name);
    expect([m?.def.progType, m?.def.attachType, m?.target]).toEqual([progType, attach, target]);
  });

  it("claims no unknown name, and no prefix without a slash", () => {
    expect(matchSection("kprobe_foo")).toBeNull();
    expect(matchSection("mystery")).toBeNull();
  });
});

describe("BpfObject", () => {
  it("opens maps, global data and programs as libbpf does", () => {
    const spec = openObject(readFileSync(FIXTURE), { name: "counters" });
    expect(spec.license).toBe("GPL");
    expect(spec.maps.map((m) => [m.name, m.kind, m.type, m.keySize, m.valueSize, m.maxEntries])).toEqual([
      ["inner_a", "btf", 2, 4, 4, 1],
      ["outer", "btf", 12, 4, 4, 2],
      ["counts", "btf", 1, 4, 8, 64],
      ["totals", "btf", 2, 4, 8, 4],
      ["counters.rodata", "rodata", 2, 4, 4, 1],
      ["counters.data", "data", 2, 4, 8, 1],
      ["counters.bss", "bss", 2, 4, 8, 1],
    ]);
    expect(spec.maps[1]!.inner?.valueSize).toBe(4);
    expect(spec.maps[1]!.initSlots).toEqual([{ index: 1, target: "inner_a" }]);
    // .text subprograms are appended only where used: count_packets needs add_step only
    expect(spec.programs.map((p) => [p.name, p.section, p.progType, p.insns.length])).toEqual([
      ["count_packets", "xdp", "xdp", 32],
      ["sum_loop", "xdp", "xdp", 40],
      ["on_sleep", "kprobe/do_nanosleep", "kprobe", 2],
    ]);
  });

  it("loads, runs and shares maps and global data between programs", async () => {
    const obj = await BpfObject.open(FIXTURE);
    await obj.load();
    const count = obj.program("count_packets");
    expect(count.run({ ctx: new Uint8Array(24) }).r0).toBe(2n); // XDP_PASS
    count.run({ ctx: new Uint8Array(24) });
    expect(u64(obj.map("counts").lookup(u32(0)))).toBe(2n); // BPF_ANY insert, then an atomic add
    expect(u64(obj.map("counters.data").lookup(u32(0)))).toBe(13n); // runs = 7, += step (3) twice
    expect(new DataView(obj.map("outer").lookup(u32(1))!.buffer).getUint32(0, true)).toBe(obj.map("inner_a").id);
    // .rodata is frozen: user space can no longer write it (EPERM as the kernel's frozen maps)
    expect(() => obj.map("counters.rodata").update(u32(0), u32(9))).toThrow(/EPERM/);
  });

  it("runs the same in the interpreter", async () => {
    const obj = await BpfObject.open(FIXTURE);
    await obj.load({ engine: "interp" });
    const count = obj.program("count_packets");
    for (let i = 0; i < 3; i++) count.run({ ctx: new Uint8Array(24) });
    expect(u64(obj.map("counts").lookup(u32(0)))).toBe(3n);
    expect(u64(obj.map("counters.data").lookup(u32(0)))).toBe(16n);
  });

  it("links a bpf_loop callback as a BPF_PSEUDO_FUNC reference to its appended subprogram", async () => {
    const obj = await BpfObject.open(FIXTURE);
    await obj.load();
    const p = obj.program("sum_loop");
    const at = p.insns.findIndex((x) => x.code === 0x18 && x.src === 4);
    expect(at).toBe(7);
    // the callback (loop_cb, at .text byte 0x28) is appended right after the 28-slot body
    const target = at + 1 + p.insns[at]!.imm;
    expect([target, p.spec.origin[target]]).toEqual([28, { section: ".text", offset: 0x28 }]);
  });

  it("reports a refused program with the kernel's errno and message", async () => {
    const obj = await BpfObject.open(FIXTURE);
    obj.createMaps();
    const p = obj.program("count_packets");
    (p.spec as unknown as { insns: unknown[] }).insns = p.spec.insns.slice(0, 10); // cut short: falls off the end
    await expect(p.load()).rejects.toBeInstanceOf(VerifierError);
  });

  it("turns malformed objects into LoaderErrors", () => {
    const bytes = new Uint8Array(readFileSync(FIXTURE));
    expect(() => openObject(bytes.subarray(0, 100))).toThrow(LoaderError);
    const bad = bytes.slice();
    bad[18] = 62; // EM_X86_64
    expect(() => openObject(bad)).toThrow(/EM_BPF/);
  });

  const why = kernelUnavailableReason();
  it.skipIf(why !== null)("agrees with libbpf + Linux on every program's verdict and size (kbpf.py elf)", async () => {
    const res = spawnSync("python3", [KBPF, "elf", FIXTURE], { encoding: "utf8" });
    const kernel = [...res.stdout.matchAll(/^(ACCEPT|REJECT)\s+(\S+) \(SEC ([^)]+)\) insns=(\d+)/gm)].map((m) => [m[2], m[3], m[1] === "ACCEPT", Number(m[4])]);
    const obj = await BpfObject.open(FIXTURE);
    obj.createMaps();
    const ours = [];
    for (const p of obj.programs) {
      const v = await p.load().catch((e: VerifierError) => e.result);
      ours.push([p.name, p.section, v.accepted, p.insns.length]);
    }
    expect(ours).toEqual(kernel);
  });
});

describe("__kconfig externs", () => {
  const KC = fileURLToPath(new URL("../fixtures/object/kconfig.o", import.meta.url));

  it("are read from the .kconfig map, laid out as libbpf lays them out", async () => {
    const obj = await BpfObject.open(KC, { kconfig: { CONFIG_HZ: 250 } });
    const kc = obj.spec.maps.find((m) => m.kind === "kconfig")!;
    expect([kc.name, kc.valueSize, kc.frozen]).toEqual(["kconfig.kconfig", 16, true]);
    await obj.load();
    // LINUX_KERNEL_VERSION (6.18.0) + LINUX_HAS_BPF_COOKIE (1) + CONFIG_HZ; the weak unknown one reads 0
    expect(obj.program("kc").run({ ctx: new Uint8Array(8) }).r0).toBe(BigInt(((6 << 16) | (18 << 8)) + 1 + 250));
  });

  it("a weak extern with no value reads 0 (CONFIG_HZ has one); a strong one with no value is a load error", async () => {
    const obj = await BpfObject.open(KC);
    await obj.load();
    // LINUX_KERNEL_VERSION + LINUX_HAS_BPF_COOKIE + CONFIG_HZ (the machine's 250)
    expect(obj.program("kc").run({ ctx: new Uint8Array(8) }).r0).toBe(BigInt(((6 << 16) | (18 << 8)) + 1 + 250));
    await expect(BpfObject.open(KC, { kconfig: { LINUX_KERNEL_VERSION: undefined as unknown as number } })).rejects.toThrow(/'LINUX_KERNEL_VERSION': no value/);
    const withMissing = await BpfObject.open(KC, { kconfig: { CONFIG_MISSING_THING: "y" } });
    await withMissing.load();
    expect(withMissing.program("kc").run({ ctx: new Uint8Array(8) }).r0).toBe(1n);
  });
});

describe("corrupted objects", () => {
  it("never crash the loader: every failure is a typed error naming where (2,000 mutations)", async () => {
    const { EbpfError } = await import("../../src/errors.js");
    const good = new Uint8Array(readFileSync(FIXTURE));
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    let failed = 0;
    for (let i = 0; i < 2000; i++) {
      const bad = good.slice();
      for (let k = 0; k < 1 + rnd(4); k++) bad[rnd(bad.length)] = rnd(256);
      try {
        const spec = openObject(bad, { name: "fuzz" });
        expect(spec.programs.length).toBeGreaterThanOrEqual(0);
      } catch (e) {
        failed++;
        if (!(e instanceof EbpfError)) throw new Error(`mutation ${i}: ${(e as Error).stack}`);
      }
    }
    expect(failed).toBeGreaterThan(0);
  });
});

describe("verifier logs of objects", () => {
  const NC = fileURLToPath(new URL("../fixtures/object/null_check.o", import.meta.url));
  // map addresses differ (the kernel prints where it allocated the map) and the kernel adds timing lines
  const normalize = (log: string): string[] =>
    log
      .split("\n")
      .filter((l) => l !== "" && !/^(verification time|stack depth|processed \d+ insns)/.test(l))
      .map((l) => l.replace(/^(\d+: \(18\) r\d+ = )\S+\s+;/, "$1MAP ;"));

  it("show the C source lines as the kernel's do (line_info from .BTF.ext)", async () => {
    const obj = await BpfObject.open(NC);
    obj.createMaps();
    const r = await obj.program("no_null_check").load({ logLevel: 1 }).catch((e: VerifierError) => e.result);
    expect([r.accepted, r.errno, r.error]).toEqual([false, 13, "R0 invalid mem access 'map_value_or_null'"]);
    expect(r.log).toContain("; __u64 *v = bpf_map_lookup_elem(&vals, &key); @ null_check.c:15\n4: (18) r1 = ");
  });

  it.skipIf(kernelUnavailableReason() !== null)("match Linux's log line for line (kbpf.py elf -l 1)", async () => {
    const res = spawnSync("python3", [KBPF, "elf", NC, "-l", "1"], { encoding: "utf8" });
    const kernel = res.stdout.split("\n").filter((l) => l.startsWith("  | ")).map((l) => l.slice(4)).join("\n");
    const obj = await BpfObject.open(NC);
    obj.createMaps();
    const r = await obj.program("no_null_check").load({ logLevel: 1 }).catch((e: VerifierError) => e.result);
    expect(normalize(r.log)).toEqual(normalize(kernel));
  });
});

describe("legacy maps", () => {
  const LEGACY = fileURLToPath(new URL("../fixtures/object/legacy_maps.o", import.meta.url));

  it("reads struct bpf_map_def definitions from the `maps` section and runs against them", async () => {
    const obj = await BpfObject.open(LEGACY);
    expect(obj.spec.license).toBe("Dual BSD/GPL");
    expect(obj.spec.maps.map((m) => [m.name, m.kind, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags])).toEqual([
      ["hits", "legacy", 2, 4, 8, 2, 0],
      ["seen", "legacy", 1, 8, 4, 16, 1],
    ]);
    await obj.load();
    obj.program("count").run({ ctx: new Uint8Array(192) });
    expect(u64(obj.map("hits").lookup(u32(1)))).toBe(1n);
  });
});

describe("tail calls through a PROG_ARRAY filled from .values", () => {
  const TC = fileURLToPath(new URL("../fixtures/object/tailcall.o", import.meta.url));

  it.each(["jit", "interp"] as const)("run the target in place of the caller (%s)", async (engine) => {
    const obj = await BpfObject.open(TC);
    await obj.load({ engine });
    const hops = (): bigint => u64(obj.map("tailcall.bss").lookup(u32(0)));
    expect(obj.program("first").run({ ctx: new Uint8Array(24) }).r0).toBe(1n); // XDP_DROP from `second`
    expect(hops()).toBe(11n);
    expect(obj.program("empty_slot").run({ ctx: new Uint8Array(24) }).r0).toBe(2n); // falls through: XDP_PASS
    expect(new DataView(obj.map("jump").lookup(u32(2))!.buffer).getUint32(0, true)).toBe(obj.program("second").progId);
  });
});

describe("callbacks", () => {
  it.each(["jit", "interp"] as const)("bpf_loop runs the appended callback subprogram (%s)", async (engine) => {
    const obj = await BpfObject.open(FIXTURE);
    await obj.load({ engine });
    obj.program("sum_loop").run({ ctx: new Uint8Array(24) });
    expect(u64(obj.map("counters.bss").lookup(u32(0)))).toBe(45n + 104n); // 0+1+…+9, plus 'h'
    expect(u64(obj.map("totals").lookup(u32(1)))).toBe(48n); // add_step(45)
  });
});

describe("__ksym externs", () => {
  const KS = fileURLToPath(new URL("../fixtures/object/ksyms.o", import.meta.url));
  const kallsyms = new Map([["bpf_prog_active", 0xffffffff82a0b000n], ["init_task", 0xffffffff82c0a940n]]);

  it("untyped ones load the symbol's address; a weak missing one is 0", async () => {
    const obj = await BpfObject.open(KS, { ksyms: (n) => kallsyms.get(n) });
    await obj.load();
    // (bpf_prog_active >> 32) + (no_such_symbol == 0) + (init_task != 0)
    expect(obj.program("ks").run({ ctx: new Uint8Array(8) }).r0).toBe(0xffffffffn + 1n + 1n);
  });

  it("a strong one the kernel lacks is a load error naming it", async () => {
    await expect(BpfObject.open(KS, { ksyms: () => undefined })).rejects.toThrow(/extern \(ksym\) 'bpf_prog_active': not found/);
  });
});

describe(".text calls clang resolved itself", () => {
  const TC = fileURLToPath(new URL("../fixtures/object/text_calls.o", import.meta.url));

  it("are followed pc-relative when the reached functions are appended (libbpf's size: 16 instructions)", async () => {
    const obj = await BpfObject.open(TC);
    expect(obj.program("entry").spec.insns.length).toBe(16);
    await obj.load();
    expect(obj.program("entry").run({ ctx: new Uint8Array(8) }).r0).toBe(14n);
  });
});
