import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import type { Insn } from "../../src/isa/insn.js";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { createMachine, type Machine } from "../../src/runtime/machine.js";
import { BpfIterReader, SeqFile } from "../../src/runtime/seq-file.js";
import { stackString } from "./helpers-support.js";

// bpf_seq_printf (126) and bpf_seq_write (127) into the seq_file of an iterator's meta, and
// BpfIterReader, the read path of an iterator fd (bpf_seq_read).

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * An iterator program: ctx = { meta, obj }; meta is read with bpf_probe_read_kernel (direct loads
 * through it are BTF pointer loads, which unverified runs do not allow);
 * seq_printf(meta->seq, fmt, [obj, meta->seq_num], dataLen), then seq_write(meta->seq, "|", 1)
 * when `write`. Stores (through r8: stackString uses r9) seq_printf's result at ctx[16] and seq_write's at ctx[24]; returns `ret`.
 */
const ITER = (fmt: string, opts: { write?: boolean; dataLen?: number; ret?: number } = {}): string => `
  r8 = r1
  r6 = *(u64 *)(r1 + 0)
  r7 = *(u64 *)(r1 + 8)
  r1 = r10
  r1 += -96
  r2 = 24
  r3 = r6
  call 113
  r6 = *(u64 *)(r10 - 96)
  r1 = *(u64 *)(r10 - 80)
  *(u64 *)(r10 - 8) = r1
  *(u64 *)(r10 - 16) = r7
  ${stackString(fmt, 64)}
  r1 = 0x7c
  *(u64 *)(r10 - 72) = r1
  r1 = r6
  r2 = r10
  r2 += -64
  r3 = ${enc(fmt).length + 1}
  r4 = r10
  r4 += -16
  r5 = ${opts.dataLen ?? 16}
  call 126
  *(u64 *)(r8 + 16) = r0
  ${opts.write === true ? "r1 = r6\n  r2 = r10\n  r2 += -72\n  r3 = 1\n  call 127\n  *(u64 *)(r8 + 24) = r0" : ""}
  r0 = ${opts.ret ?? 0}
  exit`;

type Mode = "interp" | "jit";

/** A runner of `src` in `mode` on `m`: run(meta, obj) -> { r0, printf result, write result }. */
async function runner(m: Machine, mode: Mode, src: string): Promise<(meta: number, obj: number) => { r0: bigint; printf: bigint; write: bigint }> {
  const opts = m.programOptions([]);
  const insns: Insn[] = assemble(src);
  const prog = mode === "jit" ? await compileProgram(insns, { helpers: opts.helpers, pseudo: opts.pseudo }) : null;
  return (meta, obj) => {
    const ctx = new Uint8Array(32);
    const dv = new DataView(ctx.buffer);
    dv.setBigUint64(0, BigInt(meta), true);
    dv.setBigUint64(8, BigInt(obj), true);
    const ro = { mem: m.mem, helpers: opts.helpers, pseudo: opts.pseudo, input: ctx };
    const r0 = prog === null ? runInterp(insns, ro).r0 : prog.run(ro).r0;
    const out = new DataView(m.mem.read(0x100000, 32).buffer);
    return { r0, printf: out.getBigInt64(16, true), write: out.getBigInt64(24, true) };
  };
}

/** Read the iterator over `objs` to the end (reads of `size` bytes); the text, or the error code. */
async function readIter(mode: Mode, src: string, objs: number[], bufSize?: number, size?: number): Promise<string> {
  const m = await createMachine();
  const run = await runner(m, mode, src);
  const reader = new BpfIterReader(m, { object: (pos) => objs[pos] ?? null, run: (meta, obj) => run(meta, obj).r0 }, bufSize !== undefined ? { bufSize } : {});
  try {
    return new TextDecoder().decode(reader.readAll(size));
  } catch (e) {
    return `error ${(e as { code: string }).code}`;
  } finally {
    reader.close();
  }
}

async function bothModes(src: string, objs: number[], bufSize?: number, size?: number): Promise<string> {
  const a = await readIter("interp", src, objs, bufSize, size);
  expect(await readIter("jit", src, objs, bufSize, size)).toBe(a);
  return a;
}

/** One run on a fresh seq_file of `bufSize` bytes after `before` runs; the helpers' results and what the file holds. */
async function once(mode: Mode, src: string, bufSize: number, before = 0): Promise<{ printf: bigint; write: bigint; count: number; overflowed: boolean }> {
  const m = await createMachine();
  const run = await runner(m, mode, src);
  const seq = SeqFile.create(m, bufSize);
  for (let i = 0; i < before; i++) run(seq.meta, 1);
  const r = run(seq.meta, 1);
  const out = { printf: r.printf, write: r.write, count: seq.count, overflowed: seq.overflowed };
  seq.free();
  return out;
}

describe("bpf_seq_printf / bpf_seq_write", () => {
  it("append formatted text and raw bytes to the iterator's seq_file, one run per object, seq_num counting them, then the stop run with no object", async () => {
    expect(await bothModes(ITER("obj %lld #%llu\n", { write: true }), [100, 200, 300])).toBe("obj 100 #0\n|obj 200 #1\n|obj 300 #2\n|obj 0 #2\n|");
    expect(await bothModes(ITER("obj %lld #%llu\n"), [])).toBe("obj 0 #0\n");
  });

  it("return 0, or -EOVERFLOW once the output does not fit with room for a NUL (the file then stays overflowed)", async () => {
    // "obj 1 #0\n" is 9 bytes: fits in 10, not in 9
    expect(await once("interp", ITER("obj %lld #%llu\n"), 10)).toEqual({ printf: 0n, write: 0n, count: 9, overflowed: false });
    expect(await once("jit", ITER("obj %lld #%llu\n"), 9)).toEqual({ printf: -75n, write: 0n, count: 9, overflowed: true });
    // seq_write after a fitting seq_printf: 9 + 1 < 10 fails
    expect(await once("interp", ITER("obj %lld #%llu\n", { write: true }), 10)).toEqual({ printf: 0n, write: -75n, count: 10, overflowed: true });
    expect(await once("jit", ITER("obj %lld #%llu\n", { write: true }), 11)).toEqual({ printf: 0n, write: 0n, count: 10, overflowed: false });
  });

  it("-EINVAL for data_len not a multiple of 8 or a format the kernel refuses; nothing is written", async () => {
    expect(await once("interp", ITER("obj %lld", { dataLen: 12 }), 64)).toEqual({ printf: -22n, write: 0n, count: 0, overflowed: false });
    expect((await once("jit", ITER("obj %q"), 64)).printf).toBe(-22n);
  });
});

describe("BpfIterReader (bpf_seq_read)", () => {
  const FMT = ITER("%lld.%llu\n"); // "1.0\n": 4 bytes per object

  it("an object whose output overflows the buffer is taken back and shown again by the next read", async () => {
    // 16 bytes hold three objects (count + len must stay below the size)
    expect(await bothModes(FMT, [1, 2, 3, 4], 16)).toBe("1.0\n2.1\n3.2\n4.3\n0.3\n");
  });

  it("reads smaller than the buffered text return it in pieces", async () => {
    expect(await bothModes(FMT, [1, 2, 3, 4], 16, 6)).toBe("1.0\n2.1\n3.2\n4.3\n0.3\n");
    expect(await bothModes(FMT, [1, 2, 3], undefined, 1)).toBe("1.0\n2.1\n3.2\n0.2\n");
  });

  it("E2BIG when one object's output alone does not fit; EAGAIN when the program returns 1", async () => {
    expect(await bothModes(FMT, [1, 2], 4)).toBe("error E2BIG");
    expect(await bothModes(ITER("%lld.%llu\n", { ret: 1 }), [1, 2])).toBe("error EAGAIN");
  });
});
