import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { BpfError } from "../../src/errors.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { createMachine } from "../../src/runtime/machine.js";
import { BPF_F_CURRENT_CPU, PerfBuffer, type PerfEventRecord } from "../../src/runtime/output.js";
import { MODES, engine, hex, kernelRun, kernelUnavailable, negErr, opsProgram, u64s, type Op } from "./output-support.js";

// BPF_MAP_TYPE_PERF_EVENT_ARRAY and bpf_perf_event_output (25) into BPF_OUTPUT perf events
// opened by a libbpf-shaped PerfBuffer: per-CPU buffers, BPF_F_CURRENT_CPU and indices, the
// kernel's errnos, PERF_RECORD_SAMPLE layout and padding, PERF_RECORD_LOST when full; in the
// interpreter, the JIT through the helpers' JS entries and the JIT calling them natively.

const PEA = (max = 2) => ({ type: "perf_event_array" as const, keySize: 4, valueSize: 4, maxEntries: max });
const k32 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);

const errno = (f: () => unknown): string => {
  try {
    f();
    return "ok";
  } catch (e) {
    if (e instanceof BpfError) return e.code;
    throw e;
  }
};

describe("PERF_EVENT_ARRAY maps (errnos recorded from Linux 6.18)", () => {
  it("creation: key 4, value 4 (a perf event fd), max_entries > 0; BPF_F_PRESERVE_ELEMS allowed", async () => {
    const m = await createMachine();
    const cases: [number, number, number, number, string][] = [
      [4, 4, 4, 0, "ok"],
      [4, 8, 4, 0, "EINVAL"],
      [8, 4, 4, 0, "EINVAL"],
      [4, 4, 0, 0, "EINVAL"],
      [4, 4, 4, 1 << 11, "ok"],
      [4, 4, 4, 1 << 7, "EINVAL"],
      [4, 4, 4, 1 << 10, "EINVAL"],
    ];
    for (const [ks, vs, max, flags, want] of cases) {
      expect(errno(() => m.createMap({ type: "perf_event_array", keySize: ks, valueSize: vs, maxEntries: max, flags })), `${ks}/${vs}/${max}/${flags}`).toBe(want);
    }
  });

  it("user space: only open perf events go in (EBADF), BPF_ANY only, E2BIG past the end, no lookups", async () => {
    const m = await createMachine({ ncpus: 2 });
    const map = m.createMap(PEA());
    expect(errno(() => map.update(k32(0), k32(77)))).toBe("EBADF");
    const pb = new PerfBuffer(map, { pageCount: 1 });
    expect(errno(() => map.lookup(k32(0)))).toBe("ENOTSUPP");
    const id = 1;
    expect(errno(() => map.update(k32(0), k32(id), 1))).toBe("EINVAL");
    expect(errno(() => map.update(k32(2), k32(id)))).toBe("E2BIG");
    expect(errno(() => map.delete(k32(1)))).toBe("ok");
    expect(errno(() => map.delete(k32(1)))).toBe("ENOENT");
    pb.close();
    expect(errno(() => map.delete(k32(0)))).toBe("ENOENT");
  });

  it("perf_buffer__new: a power-of-2 page count, a perf event array", async () => {
    const m = await createMachine({ ncpus: 2 });
    expect(errno(() => new PerfBuffer(m.createMap(PEA()), { pageCount: 3 }))).toBe("EINVAL");
    expect(errno(() => new PerfBuffer(m.createMap({ type: "array", keySize: 4, valueSize: 4, maxEntries: 2 }), { pageCount: 1 }))).toBe("EINVAL");
    const pb = new PerfBuffer(m.createMap(PEA(8)), { pageCount: 2 });
    expect(pb.bufferCount).toBe(2); // min(CPUs, max_entries)
    expect([pb.bufferCpu(0), pb.bufferCpu(1)]).toEqual([0, 1]);
  });
});

async function withPerf(mode: (typeof MODES)[number], pages = 1, max = 2) {
  const e = await engine(mode, [PEA(max)]);
  const got: string[] = [];
  const pb = new PerfBuffer(e.maps[0]!, { pageCount: pages, onSample: (cpu, d) => void got.push(`${cpu}:${hex(d)}`), onLost: (cpu, n) => void got.push(`${cpu}:lost ${n}`) });
  return { e, pb, got };
}

describe("bpf_perf_event_output", () => {
  it("BPF_F_CURRENT_CPU writes to the running CPU's buffer: u32 size padded so the record is 8-byte aligned, zero padding", async () => {
    for (const mode of MODES) {
      const { e, pb, got } = await withPerf(mode);
      const r0 = await e.run(opsProgram([{ op: "perf", size: 5, flags: BPF_F_CURRENT_CPU, byte: 0x10 }]), { cpu: 0 });
      const r1 = await e.run(opsProgram([{ op: "perf", size: 8, flags: BPF_F_CURRENT_CPU, byte: 0x20 }, { op: "perf", size: 4, flags: 1n, byte: 0x30 }]), { cpu: 1 });
      expect(u64s(r0.ctx, 1)).toEqual([0n]);
      expect(u64s(r1.ctx, 2)).toEqual([0n, 0n]);
      expect(pb.positions(0)).toEqual({ head: 24n, tail: 0n, size: 4096 });
      expect(pb.positions(1).head).toBe(24n + 16n);
      expect(pb.consume()).toBe(3);
      expect(got).toEqual(["0:101010101000000000000000", "1:202020202020202000000000", "1:30303030"]);
      expect(pb.positions(0).tail).toBe(24n);
    }
  });

  it("errnos: -EINVAL for flags above the index, -E2BIG past max_entries, -ENOENT for an empty slot, -EOPNOTSUPP for another CPU's event", async () => {
    for (const mode of MODES) {
      const { e, pb } = await withPerf(mode, 1, 4);
      const r = await e.run(
        opsProgram([
          { op: "perf", size: 8, flags: 1n << 32n, byte: 1 },
          { op: "perf", size: 8, flags: 4n, byte: 1 },
          { op: "perf", size: 8, flags: 3n, byte: 1 },
          { op: "perf", size: 8, flags: 1n, byte: 1 },
          { op: "perf", size: 8, flags: 0n, byte: 1 },
        ]),
        { cpu: 0 },
      );
      expect(u64s(r.ctx, 5)).toEqual([negErr(22), negErr(7), negErr(2), negErr(95), 0n]);
      pb.close();
      const after = await e.run(opsProgram([{ op: "perf", size: 8, flags: BPF_F_CURRENT_CPU, byte: 1 }]));
      expect(u64s(after.ctx, 1)).toEqual([negErr(2)]);
    }
  });

  it("a full buffer drops samples (-ENOSPC) and reports them in a PERF_RECORD_LOST before the next sample", async () => {
    for (const mode of MODES) {
      const { e, pb, got } = await withPerf(mode, 1);
      // 256-byte samples take 272 bytes: 15 fit in 4095 (one byte always stays free)
      const ops = Array.from({ length: 18 }, (_, k): Op => ({ op: "perf", size: 256, flags: BPF_F_CURRENT_CPU, byte: k }));
      const r = await e.run(opsProgram(ops));
      expect(u64s(r.ctx, 18)).toEqual([...new Array(15).fill(0n), negErr(28), negErr(28), negErr(28)]);
      expect(pb.lostSamples(0)).toBe(3n);
      expect(pb.consume()).toBe(15);
      const r2 = await e.run(opsProgram([{ op: "perf", size: 4, flags: BPF_F_CURRENT_CPU, byte: 0x77 }]));
      expect(u64s(r2.ctx, 1)).toEqual([0n]);
      expect(pb.consume()).toBe(2);
      expect(got.slice(-2)).toEqual(["0:lost 3", "0:77777777"]);
      // the lost record and the sample crossed the end of the ring: 15·272 = 4080
      expect(pb.positions(0).head).toBe(4080n + 24n + 16n);
    }
  });

  it("poll wakes on samples (wakeup_events 1) and returns the buffers woken; the async iterator yields samples and losses", async () => {
    const { e, pb } = await withPerf("native", 1);
    expect(await pb.poll(5)).toBe(0);
    setTimeout(() => void e.run(opsProgram([{ op: "perf", size: 8, flags: BPF_F_CURRENT_CPU, byte: 1 }]), { cpu: 1 }), 3);
    expect(await pb.poll(1000)).toBe(1);
    const ac = new AbortController();
    const out: PerfEventRecord[] = [];
    setTimeout(() => void e.run(opsProgram(Array.from({ length: 17 }, (_, k): Op => ({ op: "perf", size: 256, flags: BPF_F_CURRENT_CPU, byte: k })))), 2);
    setTimeout(() => void e.run(opsProgram([{ op: "perf", size: 8, flags: BPF_F_CURRENT_CPU, byte: 9 }])), 30);
    for await (const r of pb.records({ signal: ac.signal })) {
      out.push(r);
      if (out.length === 17) ac.abort();
    }
    expect(out.filter((r) => r.type === "sample").length).toBe(16);
    expect(out[15]).toEqual({ type: "lost", cpu: 0, lost: 2n });
  });
});

const skip = kernelUnavailable();
if (skip !== null) console.log(`perfbuf against Linux: skipped (${skip})`);

describe.skipIf(skip !== null)("bpf_perf_event_output against Linux", () => {
  it("same results, records (sizes, padding, lost counts) and head/tail", async () => {
    const steps: ({ ops: Op[] } | { consume: true })[] = [
      {
        ops: [
          { op: "perf", size: 5, flags: BPF_F_CURRENT_CPU, byte: 0x10 },
          { op: "perf", size: 0, flags: BPF_F_CURRENT_CPU, byte: 0 },
          { op: "perf", size: 12, flags: 0n, byte: 0x20 },
          { op: "perf", size: 8, flags: 1n, byte: 1 },
          { op: "perf", size: 8, flags: 1000n, byte: 1 },
          ...Array.from({ length: 16 }, (_, k): Op => ({ op: "perf", size: 250, flags: BPF_F_CURRENT_CPU, byte: k })),
        ],
      },
      { consume: true },
      { ops: [{ op: "perf", size: 100, flags: BPF_F_CURRENT_CPU, byte: 0x55 }, { op: "perf", size: 3, flags: BPF_F_CURRENT_CPU, byte: 0x66 }] },
      { consume: true },
    ];
    const code = (ops: readonly Op[]): string => hex(encodeProgram(assemble(opsProgram(ops, { resultMap: true }))));
    type K = { errno?: number; results?: string; records?: ({ type: "sample"; size: number; data: string } | { type: "lost"; lost: number })[]; head: number; tail: number };
    const k = kernelRun<{ steps: K[] }>({ kind: "perf", pages: 1, steps: steps.map((s) => ("ops" in s ? { code: code(s.ops) } : { consume: true })) }).steps;
    for (const mode of MODES) {
      const e = await engine(mode, [PEA(2), { type: "array", keySize: 4, valueSize: 256, maxEntries: 1 }]);
      const [map, res] = e.maps as [NonNullable<(typeof e.maps)[0]>, NonNullable<(typeof e.maps)[0]>];
      const recs: unknown[] = [];
      const pb = new PerfBuffer(map, { pageCount: 1, onSample: (_cpu, d) => void recs.push({ type: "sample", size: d.length, data: hex(d) }), onLost: (_cpu, n) => void recs.push({ type: "lost", lost: Number(n) }) });
      for (const [i, s] of steps.entries()) {
        const ks = k[i]!;
        const where = `${mode} step ${i}`;
        if ("ops" in s) {
          expect(ks.errno, where).toBe(0);
          res.update(new Uint8Array(4), new Uint8Array(256));
          await e.run(opsProgram(s.ops, { resultMap: true }), { ctxLen: 64 });
          expect(hex(res.lookup(new Uint8Array(4))!), where).toBe(ks.results);
        } else {
          recs.length = 0;
          pb.consumeBuffer(0);
          expect(recs, where).toEqual(ks.records!.map((r) => (r.type === "sample" ? { type: r.type, size: r.size, data: r.data } : r)));
        }
        const p = pb.positions(0);
        expect([p.head, p.tail], where).toEqual([BigInt(ks.head), BigInt(ks.tail)]);
      }
    }
  });
});
