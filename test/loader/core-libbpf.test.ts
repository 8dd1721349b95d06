// CO-RE against libbpf itself: the system's libbpf opens the fixture object with each target
// BTF as its btf_custom_path, and its debug log (candidates, specs, every patched or poisoned
// instruction) must equal the log wabpf writes while relocating the same object. Needs a C
// compiler and libbpf-dev; skips with a printed reason otherwise.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { applyCoreRelos, type CoreCandidate } from "../../src/loader/core.js";
import { BtfBuilder, toSpec, writeBtf } from "../../src/loader/btf-builder.js";
import { BTF_INT_SIGNED, parseBtf, type Btf, type BtfType, type BtfTypeSpec } from "../../src/loader/btf.js";
import { LoaderError } from "../../src/errors.js";
import { FIXTURES, kernelB, kernelC, loadFixture, type Fixture } from "./core-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "wabpf-libbpf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function buildHarness(): string | string[] {
  if (!existsSync("/usr/include/bpf/libbpf.h")) return "libbpf-dev headers are not installed";
  const src = fileURLToPath(new URL("./libbpf-core-harness.c", import.meta.url));
  const out = join(dir, "harness");
  for (const cc of ["cc", "gcc", "clang", "clang-19"]) {
    const r = spawnSync(cc, ["-O1", "-o", out, src, "-lbpf"], { encoding: "utf8" });
    if (r.status === 0) return [out];
  }
  return "no C compiler could build the libbpf harness";
}
const harness = buildHarness();

const OBJ = "core_reads";
const fx = loadFixture(OBJ);

/** libbpf's CO-RE lines for the object relocated against `target` (a Btf, or a BTF file's path). */
function libbpfLog(target: Btf | string, tag: string, obj: string = OBJ): string[] {
  let file = target;
  if (typeof file !== "string") {
    file = join(dir, `${tag}.btf`);
    writeFileSync(file, writeBtf(target as Btf));
  }
  const out = execFileSync((harness as string[])[0]!, [fileURLToPath(new URL(`${obj}.o`, FIXTURES)), file], { encoding: "utf8", timeout: 20_000, maxBuffer: 64 << 20 });
  return out
    .split("\n")
    .map((l) => l.replace(/^libbpf: /, ""))
    .filter((l) => /^prog '[^']+': relo #\d+: /.test(l) || l.startsWith("CO-RE relocating"));
}

/** wabpf's log for the same relocations, in libbpf's order (one candidate cache for the object). */
function wabpfLog(target: Btf, f: Fixture = fx): { log: string[]; error: LoaderError | undefined } {
  const fx = f;
  const log: string[] = [];
  const cache = new Map<number, CoreCandidate[]>();
  try {
    for (const sec of fx.ext.coreRelos.sections) {
      const fn = fx.ext.funcInfo.sections.find((s) => s.section === sec.section)!.records[0]!;
      applyCoreRelos(fx.progs.get(sec.section)!, sec.records, fx.btf, target, { section: sec.section, progName: fx.btf.name(fn.typeId), log, cache });
    }
  } catch (e) {
    if (e instanceof LoaderError) return { log, error: e };
    throw e;
  }
  return { log, error: undefined };
}

function ambiguous(): Btf {
  const b = new BtfBuilder();
  const int = b.int("int", 4, BTF_INT_SIGNED);
  b.struct("task", 8, [{ name: "parent", type: b.ptr(0), bitOffset: 0 }]);
  b.struct("task___other", 16, [{ name: "parent", type: b.ptr(0), bitOffset: 64 }, { name: "pid", type: int, bitOffset: 0 }]);
  return b.build();
}

const targets: [string, () => Btf][] = [
  ["the object's own BTF", () => fx.btf],
  ["kernel B (every field moved)", () => kernelB().btf],
  ["kernel C (fields, types and enumerators missing)", () => kernelC().btf],
  ["two flavors that disagree", ambiguous],
];

describe("CO-RE relocation log equals libbpf's", () => {
  it.each(targets)("%s", (tag, make) => {
    if (typeof harness === "string") {
      console.log(`skipped: ${harness}`);
      return;
    }
    const target = make();
    const theirs = libbpfLog(target, tag.replace(/\W+/g, "_"));
    const ours = wabpfLog(target);
    expect(theirs.length).toBeGreaterThan(0);
    if (ours.error !== undefined) {
      // libbpf stops at the same relocation with the same complaint
      expect(theirs).toContain(ours.error.message.replace(/^section [^:]+, offset \d+: /, ""));
      expect(ours.log).toEqual(theirs.slice(0, ours.log.length));
    } else {
      expect(ours.log).toEqual(theirs);
    }
  });
});

/** A target derived from `base` by a few random edits that keep type ids stable. */
function mutate(base: Btf, rnd: (n: number) => number): Btf {
  const types: BtfType[] = base.types.slice(1).map((t) => structuredClone(t));
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
  const ints = types.filter((t) => t.kind === "INT").map((t) => t.id);
  const any = types.filter((t) => ["INT", "STRUCT", "UNION", "PTR", "ARRAY", "TYPEDEF"].includes(t.kind)).map((t) => t.id);
  const edits = 2 + rnd(5);
  const extra: BtfTypeSpec[] = [];
  const hot = types.map((t, i) => [t, i] as const).filter(([t]) => /^(task|inner|inner_t|state|wide_state|missing_type)(___|$)/.test(t.name) || t.name === "" || t.kind === "INT").map(([, i]) => i);
  for (let e = 0; e < edits; e++) {
    const i = rnd(3) === 0 ? rnd(types.length) : pick(hot);
    const t = types[i]! as BtfType & Record<string, unknown>;
    const op = rnd(8);
    if ((t.kind === "STRUCT" || t.kind === "UNION") && t.members.length > 0) {
      const members = [...t.members];
      const m = rnd(members.length);
      const mem = members[m]!;
      if (op === 0) members.splice(m, 1);
      else if (op === 1) members[m] = { ...mem, name: mem.name === "" ? "" : `${mem.name}_x` };
      else if (op === 2) members[m] = { ...mem, type: pick(any) };
      else if (op === 3) members[m] = { ...mem, bitOffset: mem.bitOffset + pick([8, 32, 64, -8]) >= 0 ? mem.bitOffset + 32 : 0 };
      else if (op === 4 && t.kind === "STRUCT" && rnd(2) === 0) {
        extra.push({ kind: "STRUCT", name: `${t.name === "" ? "anon" : t.name}___dup`, size: t.size, members: members.map((x) => ({ ...x, bitOffset: x.bitOffset + (rnd(2) === 0 ? 0 : 64) })) });
      } else if (op === 5) members[m] = { ...mem, bitfieldSize: mem.bitfieldSize === 0 ? 0 : 1 + rnd(12) };
      else members.reverse();
      types[i] = { ...t, members } as BtfType;
    } else if (t.kind === "INT" && op < 4) {
      const size = pick([1, 2, 4, 8]);
      types[i] = { ...t, size, nrBits: size * 8, encoding: rnd(2) === 0 ? BTF_INT_SIGNED : 0 };
    } else if ((t.kind === "ENUM" || t.kind === "ENUM64") && t.values.length > 0) {
      const values = [...t.values];
      const v = rnd(values.length);
      if (op < 3) values.splice(v, 1);
      else if (op < 6) values[v] = { ...values[v]!, value: BigInt(rnd(100)) };
      else values[v] = { ...values[v]!, name: `${values[v]!.name}___f` };
      types[i] = { ...t, values } as BtfType;
    } else if (t.name !== "" && op < 3) {
      types[i] = { ...t, name: op === 0 ? `${t.name}___flavor` : op === 1 ? `${t.name}_renamed` : `${t.name}___x___y` } as BtfType;
    } else if (t.kind === "ARRAY") {
      types[i] = { ...t, nelems: rnd(6) };
    } else if (t.kind === "PTR") {
      types[i] = { ...t, type: pick(any) };
    } else if (t.kind === "TYPEDEF") {
      // never a typedef cycle: libbpf's modifier/typedef walk has no depth limit and spins
      types[i] = { ...t, type: pick(ints) };
    }
  }
  const b = new BtfBuilder();
  for (const t of types) b.add(toSpec(t));
  for (const t of extra) b.add(t);
  return b.build();
}

describe("CO-RE against the running kernel's BTF", () => {
  it("core_kernel.o (task_struct, mm_struct, files, dentries; renamed-field flavors; kernel enums): same log as libbpf", () => {
    const vmlinux = "/sys/kernel/btf/vmlinux";
    if (typeof harness === "string" || !existsSync(vmlinux)) {
      console.log(`skipped: ${typeof harness === "string" ? harness : `${vmlinux} does not exist`}`);
      return;
    }
    const target = parseBtf(new Uint8Array(readFileSync(vmlinux)));
    const theirs = libbpfLog(vmlinux, "vmlinux", "core_kernel");
    const ours = wabpfLog(target, loadFixture("core_kernel"));
    expect(ours.error).toBeUndefined();
    expect(theirs.length).toBeGreaterThan(100);
    expect(ours.log).toEqual(theirs);
  });
});

describe("the kernel's verdict on poisoned programs", () => {
  it("a poisoned instruction on a dead path loads; a reachable one is rejected", () => {
    if (typeof harness === "string") {
      console.log(`skipped: ${harness}`);
      return;
    }
    const file = join(dir, "verdict.btf");
    writeFileSync(file, writeBtf(kernelC().btf));
    const verdict = (prog: string): number => {
      const out = execFileSync((harness as string[])[0]!, [fileURLToPath(new URL(`${OBJ}.o`, FIXTURES)), file, prog], { encoding: "utf8", timeout: 20_000 });
      return Number(/HARNESS: load (-?\d+)/.exec(out)?.[1]);
    };
    const guarded = verdict("guarded");
    if (guarded === -1 || guarded === -38) {
      console.log(`skipped: the kernel refuses BPF_PROG_LOAD here (${guarded})`);
      return;
    }
    // field_exists is 0, so the verifier never reaches the poisoned loads
    expect(guarded).toBe(0);
    expect(verdict("exists_checks")).toBe(0);
    // unguarded reads of what kernel C lacks: the verifier reaches the poison call
    expect(verdict("bitfields")).toBe(-22);
    expect(verdict("enum_values")).toBe(-22);
  });
});

describe("CO-RE relocation log equals libbpf's on mutated targets", () => {
  let seed = 20261129;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const cases = Array.from({ length: 80 }, (_, i) => i);
  it.each(cases)("mutant %i", (i) => {
    if (typeof harness === "string") {
      console.log(`skipped: ${harness}`);
      return;
    }
    const target = mutate(i % 2 === 0 ? kernelB().btf : kernelC().btf, rnd);
    const theirs = libbpfLog(target, `mutant${i}`);
    const ours = wabpfLog(target);
    const failed = theirs.findIndex((l) => /: relo #\d+: failed to (relocate|patch insn)/.test(l));
    if (failed >= 0) {
      expect(ours.error, `libbpf failed: ${theirs[failed]}`).toBeDefined();
      expect(theirs.slice(0, ours.log.length)).toEqual(ours.log);
      // the same relocation is the one that failed
      expect(theirs[failed]!.match(/^prog '[^']+': relo #\d+/)![0]).toBe(ours.error!.message.replace(/^section [^:]+, offset \d+: /, "").match(/^prog '[^']+': relo #\d+/)![0]);
    } else {
      expect(ours.error?.message).toBeUndefined();
      expect(ours.log).toEqual(theirs);
    }
  });
});
