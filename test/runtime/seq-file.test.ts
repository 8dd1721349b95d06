import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { createMachine, type Machine } from "../../src/runtime/machine.js";
import { SEQ_BUF_SIZE, SeqFile } from "../../src/runtime/seq-file.js";
import { neg, stackString } from "./helpers-support.js";

// bpf_seq_printf (126) and bpf_seq_write (127) into the seq_file of an iterator's meta, and
// the seq_file's read path (one show per object; an overflowing object is taken back).

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * The iterator program: ctx = { meta, obj }; meta read with bpf_probe_read_kernel (direct loads
 * through it are BTF pointer loads, which unverified runs do not allow); seq_printf(meta->seq, fmt, [obj, meta->seq_num]),
 * then seq_write(seq, "|", 1) when `write`. r0 = seq_printf's result, or seq_write's when it fails.
 */
const ITER = (fmt: string, write: boolean, dataLen = 16): string => `
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
  r5 = ${dataLen}
  call 126
  r8 = r0
  ${write ? "r1 = r6\n  r2 = r10\n  r2 += -72\n  r3 = 1\n  call 127\n  if r0 != 0 goto out\n  r0 = r8\nout:" : "r0 = r8"}
  exit`;

type Mode = "interp" | "jit";

/** Show objects `objs` through the program; returns the file's text, each show's r0, and how many objects fit. */
async function iterate(mode: Mode, src: string, objs: bigint[], size = SEQ_BUF_SIZE): Promise<{ text: string; r0: bigint[]; shown: number }> {
  const m: Machine = await createMachine();
  const seq = SeqFile.create(m, size, 5n);
  const opts = m.programOptions([]);
  const insns = assemble(src);
  const prog = mode === "jit" ? await compileProgram(insns, { helpers: opts.helpers, pseudo: opts.pseudo }) : null;
  const r0: bigint[] = [];
  let shown = 0;
  for (const [i, obj] of objs.entries()) {
    const ctx = new Uint8Array(16);
    const dv = new DataView(ctx.buffer);
    dv.setBigUint64(0, BigInt(seq.meta), true);
    dv.setBigUint64(8, obj, true);
    const ok = seq.show(BigInt(i), () => {
      const ro = { mem: m.mem, helpers: opts.helpers, pseudo: opts.pseudo, input: ctx };
      r0.push(prog === null ? runInterp(insns, ro).r0 : prog.run(ro).r0);
    });
    if (!ok) break;
    shown++;
  }
  const text = seq.text();
  seq.free();
  return { text, r0, shown };
}

async function both(src: string, objs: bigint[], size?: number): Promise<{ text: string; r0: bigint[]; shown: number }> {
  const a = await iterate("interp", src, objs, size);
  expect(await iterate("jit", src, objs, size)).toEqual(a);
  return a;
}

describe("bpf_seq_printf / bpf_seq_write", () => {
  it("append formatted text and raw bytes to the iterator's seq_file; meta carries seq_num", async () => {
    const r = await both(ITER("obj %lld #%llu\n", true), [100n, -7n, 3n]);
    expect(r.text).toBe("obj 100 #0\n|obj -7 #1\n|obj 3 #2\n|");
    expect(r.r0).toEqual([0n, 0n, 0n]);
    expect(r.shown).toBe(3);
  });

  it("-EOVERFLOW once the text does not fit with room for a NUL; the overflowing object's output is taken back", async () => {
    // "xx 1\n" is 5 bytes; a 15-byte buffer holds 2 objects (count + len must stay below size)
    const r = await both(ITER("xx %lld\n", false), [1n, 2n, 3n, 4n], 15);
    expect(r.r0).toEqual([0n, 0n, BigInt.asUintN(64, -75n)]);
    expect(r.shown).toBe(2);
    expect(r.text).toBe("xx 1\nxx 2\n");
    // seq_write: fills to size - 1 at most
    const w = await both(ITER("abcdefg", true), [1n, 2n], 16);
    expect([w.text, w.r0, w.shown]).toEqual(["abcdefg|", [0n, BigInt.asUintN(64, -75n)], 1]);
  });

  it("-EINVAL for data_len not a multiple of 8 or a format the kernel refuses; nothing is written", async () => {
    const r = await both(ITER("obj %lld", false, 12), [1n]);
    expect([r.r0, r.text]).toEqual([[BigInt(`0x${neg(22)}`)], ""]);
    const f = await both(ITER("obj %q", false), [1n]);
    expect([f.r0, f.text]).toEqual([[BigInt(`0x${neg(22)}`)], ""]);
  });
});
