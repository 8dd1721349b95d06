import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { BPF_RB_AVAIL_DATA, BPF_RB_CONS_POS, BPF_RB_NO_WAKEUP, BPF_RB_PROD_POS, BPF_RB_RING_SIZE, RingBuffer, positions, ringData } from "../../src/runtime/output.js";
import { MODES, engine, hex, kernelRun, kernelUnavailable, opsProgram, type Op } from "./output-support.js";

// The same ring buffer programs in Linux (XDP programs test-run on CPU 0 through
// scripts/runtime/koutput_driver.py, the ring read through its mmap'ed pages as libbpf does)
// and in every wabpf engine: same helper results, positions, ring bytes (headers with their
// busy/discard bits and page offsets, stale bytes included) and consumed samples.

type Step = { readonly ops: readonly Op[] } | { readonly consume: true };
interface KStep {
  errno?: number;
  results?: string;
  records?: { len: number; discard: boolean; pg_off: number; data: string }[];
  cons: number;
  prod: number;
  ring: string;
}

const skip = kernelUnavailable();
if (skip !== null) console.log(`ringbuf-kernel: skipped (${skip})`);

const SCENARIOS: Record<string, { size: number; steps: Step[] }> = {
  "reserve, fill, submit, discard, output, queries": {
    size: 4096,
    steps: [
      {
        ops: [
          { op: "reserve", slot: 0, size: 24 },
          { op: "fill", slot: 0, len: 24, byte: 0x30 },
          { op: "submit", slot: 0 },
          { op: "reserve", slot: 1, size: 5 },
          { op: "discard", slot: 1 },
          { op: "output", size: 13, byte: 0x40 },
          { op: "output", size: 8, flags: BPF_RB_NO_WAKEUP, byte: 0x50 },
          { op: "query", flags: BPF_RB_AVAIL_DATA },
          { op: "query", flags: BPF_RB_RING_SIZE },
          { op: "query", flags: BPF_RB_CONS_POS },
          { op: "query", flags: BPF_RB_PROD_POS },
          { op: "query", flags: 9 },
          { op: "reserve", slot: 0, size: 8, flags: 2 },
          { op: "submit", slot: 0 },
          { op: "output", size: 8, flags: 4, byte: 1 },
        ],
      },
      { consume: true },
      { ops: [{ op: "query", flags: BPF_RB_CONS_POS }, { op: "query", flags: BPF_RB_AVAIL_DATA }] },
    ],
  },
  "full ring: NULL reservations and -EAGAIN": {
    size: 4096,
    steps: [
      {
        ops: [
          { op: "reserve", slot: 0, size: 4081 },
          { op: "submit", slot: 0 },
          { op: "reserve", slot: 0, size: 2000 },
          { op: "reserve", slot: 1, size: 2088 },
          { op: "submit", slot: 1 },
          { op: "reserve", slot: 1, size: 2080 },
          { op: "submit", slot: 1 },
          { op: "reserve", slot: 1, size: 2072 },
          { op: "output", size: 8, byte: 1 },
          { op: "submit", slot: 1 },
          { op: "submit", slot: 0 },
          { op: "query", flags: BPF_RB_AVAIL_DATA },
        ],
      },
      { consume: true },
      { ops: [{ op: "output", size: 8, byte: 2 }, { op: "query", flags: BPF_RB_PROD_POS }] },
    ],
  },
  "out-of-order commit and wrap-around": {
    size: 4096,
    steps: [
      { ops: [{ op: "output", size: 160, byte: 0x10 }, { op: "reserve", slot: 0, size: 3800 }, { op: "fill", slot: 0, len: 64, byte: 0x20 }, { op: "submit", slot: 0 }] },
      { consume: true },
      {
        ops: [
          { op: "reserve", slot: 0, size: 96 },
          { op: "reserve", slot: 1, size: 200 },
          { op: "fill", slot: 1, len: 200, byte: 0x60 },
          { op: "submit", slot: 1 },
          { op: "query", flags: BPF_RB_AVAIL_DATA },
          { op: "fill", slot: 0, len: 96, byte: 0x70 },
          { op: "submit", slot: 0 },
          { op: "output", size: 40, byte: 0x90 },
        ],
      },
      { consume: true },
      { ops: Array.from({ length: 12 }, (_, k): Op => ({ op: "output", size: 300, byte: k })) },
      { consume: true },
    ],
  },
};

describe.skipIf(skip !== null)("RINGBUF against Linux", () => {
  for (const [name, sc] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const code = (ops: readonly Op[]): string => hex(encodeProgram(assemble(opsProgram(ops, { resultMap: true }))));
      const k = kernelRun<{ steps: KStep[] }>({ kind: "ringbuf", size: sc.size, steps: sc.steps.map((s) => ("ops" in s ? { code: code(s.ops) } : { consume: true })) }).steps;
      for (const mode of MODES) {
        const e = await engine(mode, [{ type: "ringbuf", keySize: 0, valueSize: 0, maxEntries: sc.size }, { type: "array", keySize: 4, valueSize: 256, maxEntries: 1 }]);
        const [map, res] = e.maps as [NonNullable<(typeof e.maps)[0]>, NonNullable<(typeof e.maps)[0]>];
        for (const [i, s] of sc.steps.entries()) {
          const ks = k[i]!;
          const where = `${mode} step ${i}`;
          if ("ops" in s) {
            expect(ks.errno, `${where}: Linux refused the program`).toBe(0);
            res.update(new Uint8Array(4), new Uint8Array(256));
            const r = await e.run(opsProgram(s.ops, { resultMap: true }), { ctxLen: 64 });
            expect(r.r0, where).toBe("0");
            expect(hex(res.lookup(new Uint8Array(4))!), where).toBe(ks.results);
          } else {
            const got: string[] = [];
            new RingBuffer(map, (d) => void got.push(hex(d))).consume();
            expect(got, where).toEqual(ks.records!.filter((r) => !r.discard).map((r) => r.data));
          }
          const p = positions(map);
          expect([p.consumerPos, p.producerPos], where).toEqual([BigInt(ks.cons), BigInt(ks.prod)]);
          expect(hex(ringData(map)), where).toBe(ks.ring);
        }
      }
    });
  }
});
