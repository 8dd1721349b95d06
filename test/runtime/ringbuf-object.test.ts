import { describe, expect, it } from "vitest";
import { BpfObject } from "../../src/object/bpf-object.js";
import { createMachine } from "../../src/runtime/machine.js";
import { formatMapDump, formatMapDumpJson } from "../../src/runtime/map-dump.js";
import { PerfBuffer, RingBuffer, positions } from "../../src/runtime/output.js";

// test/fixtures/ringbuf/events.o (clang-19, libbpf's bpf_helpers.h): a RINGBUF map used with
// bpf_ringbuf_reserve/submit/discard and bpf_ringbuf_output, a PERF_EVENT_ARRAY without
// max_entries (libbpf sizes it to the CPUs) fed by bpf_perf_event_output; loaded through
// BpfObject (verified, JIT-compiled with the verifier's facts, or interpreted) and read back.

const FIXTURE = new URL("../fixtures/ringbuf/events.o", import.meta.url).pathname;

interface Event {
  pid: number;
  seq: number;
  arg: bigint;
  comm: string;
}
const decode = (d: Uint8Array): Event => {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const comm = d.subarray(16, 32);
  return { pid: v.getUint32(0, true), seq: v.getUint32(4, true), arg: v.getBigUint64(8, true), comm: new TextDecoder().decode(comm.subarray(0, comm.indexOf(0))) };
};
const args = (id: bigint): Uint8Array => {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setBigUint64(8, id, true);
  return b;
};

describe("a clang-compiled ring buffer object", () => {
  for (const engine of ["jit", "interp"] as const) {
    it(`reserve/submit/discard and output reach RingBuffer and PerfBuffer (${engine})`, async () => {
      const machine = await createMachine({ ncpus: 2 });
      machine.setCurrentTask({ pid: 4242, tgid: 4200, comm: "writer" });
      const obj = await BpfObject.open(FIXTURE, { machine });
      await obj.load({ engine });
      const events = obj.map("events");
      const perf = obj.map("perf_events");
      expect(events.typeName).toBe("ringbuf");
      expect(events.maxEntries).toBe(65536);
      expect(perf.maxEntries).toBe(2);

      const got: Event[] = [];
      const rb = new RingBuffer(events, (d) => void got.push(decode(d)));
      const perfGot: [number, Event][] = [];
      const pb = new PerfBuffer(perf, { pageCount: 8, onSample: (cpu, d) => void perfGot.push([cpu, decode(d)]) });

      expect(obj.program("on_enter").run({ ctx: args(64n) }).r0).toBe(0n);
      expect(obj.program("on_enter").run({ ctx: args(0n) }).r0).toBe(0n); // discarded
      expect(obj.program("on_exit_copy").run({ ctx: args(1n), cpu: 1 }).r0).toBe(0n);
      expect(obj.program("on_enter").run({ ctx: args(3n), cpu: 1 }).r0).toBe(0n);

      expect(rb.consume()).toBe(3);
      expect(got).toEqual([
        { pid: 4200, seq: 1, arg: 64n, comm: "writer" },
        { pid: 4200, seq: 3, arg: 1n, comm: "writer" },
        { pid: 4200, seq: 4, arg: 3n, comm: "writer" },
      ]);
      // four 32-byte samples with their headers, the discarded one included
      expect(positions(events).consumerPos).toBe(4n * 40n);
      expect(pb.consume()).toBe(1);
      expect(perfGot).toEqual([[1, { pid: 4200, seq: 3, arg: 1n, comm: "writer" }]]);
      const bss = obj.mapList().find((m) => m.name.endsWith(".bss"))!;
      const v = new DataView(bss.lookup(new Uint8Array(4))!.buffer);
      // clang's .bss layout: dropped at 0, seq at 8, perf_errors at 16
      expect([v.getUint32(8, true), v.getBigUint64(0, true), v.getBigUint64(16, true)]).toEqual([4, 0n, 0n]);
    });
  }

  it("a full ring: the program counts its drops", async () => {
    const machine = await createMachine({ ncpus: 1 });
    const obj = await BpfObject.open(FIXTURE, { machine });
    await obj.load();
    // 65536 / 40 bytes per record: 1638 fit (65535 usable)
    for (let i = 0; i < 1700; i++) obj.program("on_enter").run({ ctx: args(BigInt(i + 1)) });
    const bss = obj.mapList().find((m) => m.name.endsWith(".bss"))!;
    expect(new DataView(bss.lookup(new Uint8Array(4))!.buffer).getBigUint64(0, true)).toBe(BigInt(1700 - 1638));
    let n = 0;
    for await (const r of new RingBuffer(obj.map("events")).records()) {
      expect(decode(r.data).arg).toBe(BigInt(n + 1));
      if (++n === 1638) break;
    }
  });

  it("map dump prints what bpftool 7.1 printed for these map types on Linux 6.18", async () => {
    const machine = await createMachine({ ncpus: 2 });
    const obj = await BpfObject.open(FIXTURE, { machine });
    await obj.load();
    expect(formatMapDump(obj.map("events"))).toBe("Found 0 elements\n");
    expect(formatMapDumpJson(obj.map("events"))).toBe("[]\n");
    expect(formatMapDump(obj.map("perf_events"))).toBe("key:\n00 00 00 00\nvalue:\nUnknown error 524\nkey:\n01 00 00 00\nvalue:\nUnknown error 524\nFound 0 elements\n");
    expect(formatMapDumpJson(obj.map("perf_events"))).toBe('[{"key":["0x00","0x00","0x00","0x00"],"value":{"error":"Unknown error 524"}},{"key":["0x01","0x00","0x00","0x00"],"value":{"error":"Unknown error 524"}}]\n');
  });
});
