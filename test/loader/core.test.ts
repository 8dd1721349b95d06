import { describe, expect, it } from "vitest";
import {
  applyCoreRelos,
  BPF_CORE_POISON_HELPER_ID,
  CoreReloKind,
  findCoreCandidates,
  fixupCoreReloVerifierLog,
  formatCoreSpec,
  parseCoreSpec,
  resolveCoreRelo,
  type CoreCandidate,
  type CoreRelo,
} from "../../src/loader/core.js";
import { extRecordsFor } from "../../src/loader/btf-ext.js";
import { BtfBuilder } from "../../src/loader/btf-builder.js";
import { BTF_INT_SIGNED, essentialName, type Btf } from "../../src/loader/btf.js";
import { LoaderError } from "../../src/errors.js";
import { insn, type Insn } from "../../src/isa/insn.js";
import { kernelB, kernelC, loadFixture } from "./core-fixture.js";

const fx = loadFixture("core_reads");

/** Expected change of one instruction: new fields, or "poison"; unlisted instructions must stay as compiled. */
type Expect = Partial<Insn> | "poison";

function run(section: string, target: Btf, log?: string[]) {
  const insns = fx.progs.get(section)!;
  const relos = extRecordsFor(fx.ext.coreRelos, section);
  const opts = log === undefined ? { section, progName: section } : { section, progName: section, log };
  return { before: insns, ...applyCoreRelos(insns, relos, fx.btf, target, opts) };
}

const POISON: Insn = insn(0x85, 0, 0, 0, BPF_CORE_POISON_HELPER_ID);

function check(section: string, target: Btf, expected: Record<number, Expect>): void {
  const { before, insns } = run(section, target);
  expect(insns).toHaveLength(before.length);
  const want = before.map((ins, i) => {
    const e = expected[i];
    if (e === undefined) {
      const lo = expected[i - 1];
      // the second slot of a poisoned ld_imm64 is poisoned too
      if (lo === "poison" && before[i - 1]!.code === 0x18) return POISON;
      return ins;
    }
    return e === "poison" ? POISON : { ...ins, ...e };
  });
  expect(insns).toEqual(want);
}

/** the ld_imm64 pair loading `v` into the register of slot `lo` */
function imm64(lo: Insn, v: bigint): Record<string, Partial<Insn>> {
  return { lo: { imm: Number(BigInt.asIntN(32, v)) }, hi: { ...lo, code: 0, dst: 0, imm: Number(BigInt.asIntN(32, v >> 32n)) } };
}

describe("CO-RE relocation records of the fixture", () => {
  it("parses every record's access string as libbpf prints it", () => {
    const specs = fx.ext.coreRelos.sections.flatMap((s) => s.records.map((r) => `${s.section}#${r.insnOff / 8} ${formatCoreSpec(parseCoreSpec(fx.btf, r))}`));
    expect(specs).toContain("kprobe/do_read#1 <byte_off> [2] struct task.parent (0:3 @ offset 24)");
    expect(specs).toContain("kprobe/do_read#23 <byte_off> [2] struct task.comm[3] (0:4:3 @ offset 35)");
    expect(specs).toContain("tp_btf/direct#3 <byte_off> [2] struct task.u_wide (0:8:1 @ offset 56)");
    expect(specs).toContain("kprobe/bitfields#19 <byte_off> [2] struct task.prio (0:6 @ offset 48.3)");
    expect(specs).toContain("kprobe/exists#23 <type_matches> [24] typedef inner_t");
    expect(specs).toContain("kprobe/enums#9 <enumval_value> [29] enum64 wide_state::W_BIG = 4294967296");
    const kinds = new Set(fx.ext.coreRelos.sections.flatMap((s) => s.records.map((r) => r.kind)));
    expect([...kinds].sort((a, b) => a - b)).toEqual(Object.values(CoreReloKind).sort((a, b) => a - b));
  });

  it("leaves every instruction as compiled when the target is the program's own BTF", () => {
    for (const section of fx.ext.coreRelos.sections.map((s) => s.section)) {
      const { before, insns, applied } = run(section, fx.btf);
      expect(applied.every((a) => a.action === "patched")).toBe(true);
      // except bitfield load sizes: clang reads these 3- and 5-bit fields with 8 bytes, libbpf
      // recomputes the smallest load from the declared type (4 bytes) and, as for every
      // bitfield value but the signedness and right shift, does not insist on clang's value
      const bitfieldSizes = new Set(applied.filter((a) => a.relo.kind === CoreReloKind.FIELD_BYTE_SIZE && a.result.origVal === 4n).map((a) => a.insnIdx));
      if (section === "kprobe/bitfields") expect([...bitfieldSizes]).toEqual([8, 24, 35]);
      expect(insns, section).toEqual(before.map((ins, i) => (bitfieldSizes.has(i) ? { ...ins, imm: 4 } : ins)));
    }
  });
});

describe("CO-RE against a kernel where every field moved (kernel B)", () => {
  const B = kernelB();

  it("probe reads: offsets in ALU immediates, through nested structs and arrays", () => {
    check("kprobe/do_read", B.btf, { 1: { imm: 16 }, 8: { imm: 12 }, 15: { imm: 88 }, 23: { imm: 59 } });
  });

  it("direct loads: LDX offsets, anonymous members found by name, element size narrowed for unsigned ints", () => {
    check("tp_btf/direct", B.btf, {
      0: { off: 8 },
      1: { off: 96 },
      3: { off: 104 },
      5: { off: 32, code: 0x61 }, // u64 counters[2] -> u32 counters[2]: DW load becomes W
    });
  });

  it("existence, sizes, offsets, type ids; a ___flavor local struct finds the plain target struct", () => {
    const p = fx.progs.get("kprobe/exists")!;
    const tid = imm64(p[29]!, BigInt(B.task));
    check("kprobe/exists", B.btf, {
      2: { imm: 1 }, // task___v2.start_time exists
      4: { imm: 120 }, // its offset
      11: { imm: 1 },
      14: { imm: 32 }, // sizeof comm
      16: { imm: 16 }, // offsetof parent
      18: { imm: 1 }, // missing_type exists as missing_type___not_really
      21: { imm: 128 }, // sizeof(struct task)
      23: { imm: 1 }, // inner_t matches (members by name, order ignored)
      29: tid.lo!,
    });
  });

  it("enum values, ENUM64 included", () => {
    const p = fx.progs.get("kprobe/enums")!;
    const w = imm64(p[9]!, 0x500000000n);
    check("kprobe/enums", B.btf, { 1: { imm: 1 }, 4: { imm: 16 }, 6: { imm: 2 }, 9: w.lo!, 10: w.hi! });
  });

  it("bitfields: byte offset, load size, shifts and signedness recomputed", () => {
    const flags = { byteOff: 112, size: 4, lshift: 38, rshift: 61 };
    const prio = { byteOff: 112, size: 4, lshift: 33, rshift: 59 };
    check("kprobe/bitfields", B.btf, {
      3: { imm: flags.byteOff },
      8: { imm: flags.size },
      11: { imm: flags.lshift },
      12: { imm: 0 },
      14: { imm: flags.rshift },
      16: { imm: flags.rshift },
      19: { imm: prio.byteOff },
      24: { imm: prio.size },
      27: { imm: prio.lshift },
      28: { imm: 1 },
      30: { imm: prio.rshift },
      32: { imm: prio.rshift },
      33: { imm: prio.byteOff },
      35: { imm: prio.size },
      50: { imm: prio.lshift },
      51: { imm: 1 },
      53: { imm: prio.rshift },
      55: { imm: prio.rshift },
    });
  });

  it("guarded field: present, so the load is relocated", () => {
    check("kprobe/guarded", B.btf, { 1: { imm: 1 }, 3: { off: 120 } });
  });
});

describe("CO-RE against a kernel with fields, types and enumerators missing (kernel C)", () => {
  const C = kernelC();

  it("unchanged layout keeps the compiled values", () => {
    check("kprobe/do_read", C.btf, {});
  });

  it("a load that would change the value read is poisoned; a field now in a named union is missing", () => {
    check("tp_btf/direct", C.btf, { 0: "poison", 3: "poison", 5: { off: 72 } });
  });

  it("missing field / type: exists = 0, their offsets poisoned, type_matches = 0", () => {
    const p = fx.progs.get("kprobe/exists")!;
    check("kprobe/exists", C.btf, {
      2: { imm: 0 },
      4: "poison",
      18: { imm: 0 },
      23: { imm: 0 },
      29: imm64(p[29]!, BigInt(C.task)).lo!,
    });
  });

  it("missing enumerators and enum: exists = 0, values poisoned in both ld_imm64 slots", () => {
    check("kprobe/enums", C.btf, { 1: { imm: 0 }, 4: "poison", 9: "poison" });
  });

  it("bitfields that do not exist: every relocated instruction poisoned", () => {
    const relos = extRecordsFor(fx.ext.coreRelos, "kprobe/bitfields");
    const expected: Record<number, Expect> = {};
    for (const r of relos) expected[r.insnOff / 8] = "poison";
    check("kprobe/bitfields", C.btf, expected);
  });

  it("guarded field: exists = 0 and the dead load becomes the poison call", () => {
    const log: string[] = [];
    const { insns } = run("kprobe/guarded", C.btf, log);
    expect(insns[3]).toEqual(POISON);
    expect(POISON.imm).toBe(195896080);
    expect(log).toContain("prog 'kprobe/guarded': relo #1: no matching targets found");
    expect(log).toContain("prog 'kprobe/guarded': relo #1: substituting insn #3 w/ invalid insn");
  });
});

describe("CO-RE candidate rules and errors", () => {
  const relo = (typeId: number, accessStr: string, kind: number, insnOff = 0): CoreRelo => ({ typeId, accessStr, kind, insnOff });

  it("essential names drop the last ___flavor suffix only when it is a real separator", () => {
    expect(essentialName("task___v2")).toBe("task");
    expect(essentialName("a___b___c")).toBe("a___b");
    expect(essentialName("task____x")).toBe("task____x");
    expect(essentialName("___x")).toBe("___x");
    expect(essentialName("plain")).toBe("plain");
  });

  it("candidates: same essential name, compatible kind, any flavor on either side", () => {
    const b = new BtfBuilder();
    const int = b.int("int", 4, BTF_INT_SIGNED);
    const s1 = b.struct("task", 4, [{ name: "pid", type: int, bitOffset: 0 }]);
    b.union("task___u", 4, [{ name: "pid", type: int, bitOffset: 0 }]);
    const s3 = b.struct("task___old", 4, [{ name: "pid", type: int, bitOffset: 0 }]);
    b.struct("task_struct", 4, []);
    const t = b.build();
    const ids = (c: CoreCandidate[]) => c.map((x) => x.id);
    expect(ids(findCoreCandidates(fx.btf, 22, t))).toEqual([s1, s3]); // local task___v2
    expect(ids(findCoreCandidates(fx.btf, 2, t))).toEqual([s1, s3]);
  });

  it("several candidates must agree on the offset", () => {
    const b = new BtfBuilder();
    const int = b.int("int", 4, BTF_INT_SIGNED);
    b.struct("task", 8, [{ name: "pid", type: int, bitOffset: 0 }]);
    b.struct("task___other", 8, [{ name: "pid", type: int, bitOffset: 32 }]);
    const t = b.build();
    expect(() => resolveCoreRelo(relo(2, "0:0", CoreReloKind.FIELD_BYTE_OFFSET, 64), fx.btf, t, { section: "kprobe/x" })).toThrow(
      /section kprobe\/x, offset 64: field offset ambiguity: 32 != 0/,
    );
    // agreeing candidates are fine
    const b2 = new BtfBuilder();
    const i2 = b2.int("int", 4, BTF_INT_SIGNED);
    b2.struct("task", 8, [{ name: "pid", type: i2, bitOffset: 32 }]);
    b2.struct("task___same", 8, [{ name: "pid", type: i2, bitOffset: 32 }]);
    expect(resolveCoreRelo(relo(2, "0:0", CoreReloKind.FIELD_BYTE_OFFSET), fx.btf, b2.build()).newVal).toBe(4n);
  });

  it("incompatible field types do not match (struct where an int was)", () => {
    const b = new BtfBuilder();
    const int = b.int("int", 4, BTF_INT_SIGNED);
    const s = b.struct("x", 4, [{ name: "v", type: int, bitOffset: 0 }]);
    b.struct("task", 8, [{ name: "pid", type: s, bitOffset: 0 }]);
    const r = resolveCoreRelo(relo(2, "0:0", CoreReloKind.FIELD_EXISTS), fx.btf, b.build());
    expect(r.newVal).toBe(0n);
  });

  it("rejects a compiled value that differs from the local BTF's, naming section and offset", () => {
    const insns = [...fx.progs.get("kprobe/do_read")!];
    insns[1] = { ...insns[1]!, imm: 25 };
    const relos = extRecordsFor(fx.ext.coreRelos, "kprobe/do_read");
    const err = (() => {
      try {
        applyCoreRelos(insns, relos, fx.btf, kernelB().btf, { section: "kprobe/do_read", progName: "read_chain" });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(LoaderError);
    expect((err as LoaderError).section).toBe("kprobe/do_read");
    expect((err as LoaderError).offset).toBe(8);
    expect((err as LoaderError).message).toContain("prog 'read_chain': relo #0: unexpected insn #1 (ALU/ALU64) value: got 25, exp 24 -> 16");
  });

  it("rejects bad access strings, unknown kinds, anonymous roots and dangling type ids with LoaderError", () => {
    const t = kernelB().btf;
    const cases: CoreRelo[] = [
      relo(2, "", 0),
      relo(2, ":0", 0),
      relo(2, "0:x", 0),
      relo(2, "0:99", 0),
      relo(2, "1", CoreReloKind.TYPE_SIZE),
      relo(2, "0", 42),
      relo(9999, "0:0", 0),
      relo(11, "0:0", 0), // anonymous union
      relo(28, "0:1", CoreReloKind.ENUMVAL_VALUE),
      relo(2, Array.from({ length: 70 }, () => "0").join(":"), 0),
    ];
    for (const r of cases) expect(() => resolveCoreRelo(r, fx.btf, t, { section: "s" }), JSON.stringify(r)).toThrow(LoaderError);
  });

  it("refuses to relocate instructions of the wrong form", () => {
    const t = kernelB().btf;
    const r = relo(2, "0:1", CoreReloKind.FIELD_BYTE_OFFSET);
    const bad: Insn[][] = [
      [insn(0x0f, 1, 2, 0, 4)], // ALU with a register source
      [insn(0x18, 1, 1, 0, 4), insn(0, 0, 0, 0, 0)], // ld_imm64 with a pseudo source
      [insn(0x18, 1, 0, 0, 4)], // ld_imm64 without its second slot
      [insn(0x05, 0, 0, 4, 0)], // a jump
    ];
    for (const insns of bad) expect(() => applyCoreRelos(insns, [r], fx.btf, t, { section: "s" })).toThrow(LoaderError);
    expect(() => applyCoreRelos([insn(0xb7, 1, 0, 0, 4)], [{ ...r, insnOff: 8 }], fx.btf, t, { section: "s" })).toThrow(/outside the program/);
    expect(() => applyCoreRelos([insn(0xb7, 1, 0, 0, 4)], [{ ...r, insnOff: 3 }], fx.btf, t, { section: "s" })).toThrow(/not a multiple of 8/);
  });

  it("a store offset past 32767 is ERANGE", () => {
    const b = new BtfBuilder();
    const int = b.int("int", 4, BTF_INT_SIGNED);
    b.struct("task", 0x10000, [{ name: "tgid", type: int, bitOffset: 0x9000 * 8 }]);
    const r = relo(2, "0:1", CoreReloKind.FIELD_BYTE_OFFSET);
    expect(() => applyCoreRelos([insn(0x61, 0, 1, 4, 0)], [r], fx.btf, b.build(), { section: "s" })).toThrow(
      expect.objectContaining({ code: "ERANGE" }) as unknown as Error,
    );
  });

  it("the candidate cache narrows later relocations of the same root type as libbpf's does", () => {
    const b = new BtfBuilder();
    const int = b.int("int", 4, BTF_INT_SIGNED);
    const a = b.struct("task", 8, [{ name: "pid", type: int, bitOffset: 0 }]);
    b.struct("task___b", 8, [{ name: "tgid", type: int, bitOffset: 32 }]);
    const t = b.build();
    const cache = new Map<number, CoreCandidate[]>();
    resolveCoreRelo(relo(2, "0:0", CoreReloKind.FIELD_BYTE_OFFSET), fx.btf, t, { cache });
    expect(cache.get(2)!.map((c) => c.id)).toEqual([a]);
    // task___b had tgid, but the cache now only holds `task`, which has none
    expect(resolveCoreRelo(relo(2, "0:1", CoreReloKind.FIELD_EXISTS), fx.btf, t, { cache }).newVal).toBe(0n);
    expect(resolveCoreRelo(relo(2, "0:1", CoreReloKind.FIELD_EXISTS), fx.btf, t).newVal).toBe(1n);
  });
});

describe("verifier log fix-up", () => {
  it("names the failed relocation where the verifier rejects a reachable poison call, as libbpf does", () => {
    const { applied } = run("kprobe/bitfields", kernelC().btf);
    const log = ["0: R1=ctx() R10=fp0", "2: (7b) *(u64 *)(r10 -8) = r1", "3: (85) call unknown#195896080", "invalid func unknown#195896080", "processed 4 insns"].join("\n");
    expect(fixupCoreReloVerifierLog(log, applied)).toBe(
      [
        "0: R1=ctx() R10=fp0",
        "2: (7b) *(u64 *)(r10 -8) = r1",
        "3: <invalid CO-RE relocation>",
        "failed to resolve CO-RE relocation <byte_off> [2] struct task.flags (0:5 @ offset 48)",
        "processed 4 insns",
      ].join("\n"),
    );
  });
});

describe("sections with several programs", () => {
  it("relocates only the records inside the program, numbering them in the section", () => {
    const section = "kprobe/exists";
    const all = fx.progs.get(section)!;
    const relos = extRecordsFor(fx.ext.coreRelos, section);
    const log: string[] = [];
    // pretend instructions 14..22 are a program of their own
    const { insns, applied } = applyCoreRelos(all.slice(14, 23), relos, fx.btf, kernelB().btf, { section, progName: "part", sectionInsnOff: 14 * 8, log });
    expect(applied.map((a) => a.insnIdx)).toEqual([0, 2, 4, 7]);
    expect(insns.map((x) => x.imm)).toEqual([32, 0, 16, 0, 1, 0, 0, 128, 0].map((v, i) => ([1, 3, 5, 6, 8].includes(i) ? all[14 + i]!.imm : v)));
    expect(log.some((l) => l.startsWith("prog 'part': relo #3: "))).toBe(true);
  });

  it("BtfBuilder.from keeps ids, and edits through get/set", () => {
    const b = BtfBuilder.from(fx.btf);
    expect(b.build().formatRaw()).toBe(fx.btf.formatRaw());
    const t = b.get(2);
    if (t.kind !== "STRUCT") throw new Error("type 2 is struct task");
    b.set(2, { ...t, members: t.members.filter((m) => m.name !== "tgid") });
    const edited = b.build();
    expect(edited.findMember(2, "tgid")).toBeUndefined();
    expect(resolveCoreRelo({ insnOff: 0, typeId: 2, accessStr: "0:1", kind: CoreReloKind.FIELD_EXISTS }, fx.btf, edited).newVal).toBe(0n);
  });
});

describe("CO-RE robustness", () => {
  it("random records against random targets: a result or a LoaderError, never a crash", () => {
    let seed = 77;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const targets = [kernelB().btf, kernelC().btf, fx.btf];
    const prog = fx.progs.get("kprobe/bitfields")!;
    let ok = 0;
    for (let i = 0; i < 3000; i++) {
      const steps = Array.from({ length: 1 + rnd(5) }, () => String(rnd(12)));
      const relo: CoreRelo = {
        insnOff: rnd(prog.length) * 8,
        typeId: rnd(fx.btf.typeCount + 2),
        accessStr: rnd(20) === 0 ? ":" + steps.join(":") : steps.join(":"),
        kind: rnd(14),
      };
      try {
        applyCoreRelos(prog, [relo], fx.btf, targets[rnd(3)]!, { section: "s" });
        ok++;
      } catch (e) {
        expect(e).toBeInstanceOf(LoaderError);
        expect((e as LoaderError).offset).toBe(relo.insnOff);
      }
    }
    expect(ok).toBeGreaterThan(10); // most random records meet an instruction that does not hold their value
  });
});

describe("module BTFs", () => {
  it("are searched only when vmlinux has no candidate, and named in the log", () => {
    const C = kernelC().btf;
    const b = new BtfBuilder({ base: C, name: "wabpf_mod" });
    const s = b.struct("missing_type", 4, [{ name: "x", type: C.findByName("int")[0]!, bitOffset: 0 }]);
    const mod = b.build();
    const log: string[] = [];
    const relo = { insnOff: 0, typeId: 23, accessStr: "0", kind: CoreReloKind.TYPE_EXISTS };
    expect(resolveCoreRelo(relo, fx.btf, C).newVal).toBe(0n);
    expect(resolveCoreRelo(relo, fx.btf, C, { modules: [mod], log }).newVal).toBe(1n);
    expect(log[0]).toBe(`CO-RE relocating [23] struct missing_type: found target candidate [${s}] struct missing_type in [wabpf_mod]`);
    // task is in vmlinux: the module's own task is not looked at
    const b2 = new BtfBuilder({ base: C, name: "m2" });
    b2.struct("task", 4, [{ name: "pid", type: C.findByName("int")[0]!, bitOffset: 0 }]);
    const r = resolveCoreRelo({ insnOff: 0, typeId: 2, accessStr: "0", kind: CoreReloKind.TYPE_ID_TARGET }, fx.btf, C, { modules: [b2.build()] });
    expect(r.newVal).toBe(BigInt(kernelC().task));
  });
});
