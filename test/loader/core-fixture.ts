// Shared by the loader tests: the CO-RE fixture object split into BTF, .BTF.ext and programs,
// and the target BTFs (simulated kernels) the relocations are resolved against.
import { readFileSync } from "node:fs";
import { readElf, type ElfFile } from "../../src/loader/elf.js";
import { BTF_INT_SIGNED, parseBtf, type Btf } from "../../src/loader/btf.js";
import { BtfBuilder } from "../../src/loader/btf-builder.js";
import { parseBtfExt, type BtfExt } from "../../src/loader/btf-ext.js";
import { decodeRaw } from "../../src/isa/decode.js";
import type { Insn } from "../../src/isa/insn.js";

export const FIXTURES = new URL("../fixtures/core/", import.meta.url);

export interface Fixture {
  readonly bytes: Uint8Array;
  readonly elf: ElfFile;
  readonly btfBytes: Uint8Array;
  readonly extBytes: Uint8Array;
  readonly btf: Btf;
  readonly ext: BtfExt;
  /** instructions of every program section */
  readonly progs: ReadonlyMap<string, readonly Insn[]>;
}

export function loadFixture(name: string): Fixture {
  const bytes = new Uint8Array(readFileSync(new URL(`${name}.o`, FIXTURES)));
  const elf = readElf(bytes);
  const sec = (n: string): Uint8Array => {
    const s = elf.sections.find((x) => x.name === n);
    if (s === undefined) throw new Error(`${name}.o has no ${n}`);
    return s.data;
  };
  const btf = parseBtf(sec(".BTF"));
  const ext = parseBtfExt(sec(".BTF.ext"), btf);
  const progs = new Map<string, Insn[]>();
  for (const s of elf.sections) if (s.type === 1 && (s.flags & 4n) !== 0n && s.size > 0) progs.set(s.name, decodeRaw(s.data));
  return { bytes, elf, btfBytes: sec(".BTF"), extBytes: sec(".BTF.ext"), btf, ext, progs };
}

/** Ids of the types the tests look at in a target. */
export interface Kernel {
  readonly btf: Btf;
  readonly task: number;
}

function base(b: BtfBuilder) {
  const int = b.int("int", 4, BTF_INT_SIGNED);
  const uint = b.int("unsigned int", 4);
  const long = b.int("long", 8, BTF_INT_SIGNED);
  const char = b.int("char", 1, BTF_INT_SIGNED);
  const u16 = b.int("unsigned short", 2);
  const u32 = b.typedef("__u32", uint);
  const u64 = b.typedef("__u64", b.int("unsigned long long", 8));
  const short = b.int("short", 2, BTF_INT_SIGNED);
  return { int, uint, long, char, u16, u32, u64, short };
}

/**
 * Kernel B: everything exists, every field moved. `struct task` (also the target of the
 * local `task___v2` flavor) is 128 bytes:
 *   pad0 long @0, tgid int @8, pid int @12, parent @16, counters unsigned int[8] @24,
 *   comm char[32] @56, in @88 (inner: b long @0, a int @8), anonymous struct { anonymous
 *   union { u_val, u_wide } } @104, bf_u16 @112, pad_bits:7 @bit 912, flags:3 @919,
 *   prio:5 @922, start_time long @120.
 */
export function kernelB(): Kernel {
  const b = new BtfBuilder();
  const t = base(b);
  b.struct("unrelated", 4, [{ name: "pid", type: t.int, bitOffset: 0 }]);
  b.typedef("task___weird_typedef", t.int); // same essential name, wrong kind: not a candidate
  const inner = b.struct("inner", 16, [
    { name: "b", type: t.long, bitOffset: 0 },
    { name: "a", type: t.int, bitOffset: 64 },
  ]);
  b.typedef("inner_t", inner);
  const task = b.reserve();
  const ptr = b.ptr(task);
  const counters = b.array(t.uint, 8, t.int);
  const comm = b.array(t.char, 32, t.int);
  const un = b.union("", 8, [
    { name: "u_val", type: t.u32, bitOffset: 0 },
    { name: "u_wide", type: t.u64, bitOffset: 0 },
  ]);
  const anon = b.struct("", 8, [{ name: "", type: un, bitOffset: 0 }]);
  b.set(task, {
    kind: "STRUCT",
    name: "task",
    size: 128,
    members: [
      { name: "pad0", type: t.long, bitOffset: 0, bitfieldSize: 0 },
      { name: "tgid", type: t.int, bitOffset: 64, bitfieldSize: 0 },
      { name: "pid", type: t.int, bitOffset: 96, bitfieldSize: 0 },
      { name: "parent", type: ptr, bitOffset: 128, bitfieldSize: 0 },
      { name: "counters", type: counters, bitOffset: 192, bitfieldSize: 0 },
      { name: "comm", type: comm, bitOffset: 448, bitfieldSize: 0 },
      { name: "in", type: inner, bitOffset: 704, bitfieldSize: 0 },
      { name: "", type: anon, bitOffset: 832, bitfieldSize: 0 },
      { name: "bf_u16", type: t.u16, bitOffset: 896, bitfieldSize: 0 },
      { name: "pad_bits", type: t.uint, bitOffset: 912, bitfieldSize: 7 },
      { name: "flags", type: t.uint, bitOffset: 919, bitfieldSize: 3 },
      { name: "prio", type: t.int, bitOffset: 922, bitfieldSize: 5 },
      { name: "start_time", type: t.long, bitOffset: 960, bitfieldSize: 0 },
    ],
  });
  b.struct("missing_type___not_really", 8, [{ name: "x", type: t.long, bitOffset: 0 }]);
  b.enum("state", [
    ["S_RUNNING", 0],
    ["S_SLEEPING", 2],
    ["S_ZOMBIE", 16],
  ]);
  b.enum("wide_state", [["W_BIG", 0x500000000n]], { size: 8 });
  return { btf: b.build(), task };
}

/**
 * Kernel C: things missing or changed incompatibly. `struct task` has no start_time and no
 * bitfields, tgid is a signed short (a 4-byte load of it cannot be narrowed), `inner.a` is
 * unsigned (so `inner_t` no longer matches), `missing_type` does not exist, enum state has
 * no S_ZOMBIE and there is no wide_state.
 */
export function kernelC(): Kernel {
  const b = new BtfBuilder();
  const t = base(b);
  const inner = b.struct("inner", 16, [
    { name: "a", type: t.uint, bitOffset: 0 },
    { name: "b", type: t.long, bitOffset: 64 },
  ]);
  b.typedef("inner_t", inner);
  const task = b.reserve();
  const ptr = b.ptr(task);
  const comm = b.array(t.char, 16, t.int);
  const counters = b.array(b.typedef("u64", t.u64), 4, t.int);
  const un = b.union("", 8, [
    { name: "u_val", type: t.u32, bitOffset: 0 },
    { name: "u_wide", type: t.u64, bitOffset: 0 },
  ]);
  b.set(task, {
    kind: "STRUCT",
    name: "task",
    size: 96,
    members: [
      { name: "pid", type: t.int, bitOffset: 0, bitfieldSize: 0 },
      { name: "tgid", type: t.short, bitOffset: 32, bitfieldSize: 0 },
      { name: "in", type: inner, bitOffset: 64, bitfieldSize: 0 },
      { name: "parent", type: ptr, bitOffset: 192, bitfieldSize: 0 },
      { name: "comm", type: comm, bitOffset: 256, bitfieldSize: 0 },
      { name: "u", type: un, bitOffset: 384, bitfieldSize: 0 },
      { name: "counters", type: counters, bitOffset: 448, bitfieldSize: 0 },
    ],
  });
  b.enum("state", [
    ["S_RUNNING", 0],
    ["S_SLEEPING", 1],
  ]);
  return { btf: b.build(), task };
}
