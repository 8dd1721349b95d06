import { describe, expect, it } from "vitest";
import { BpfError } from "../../src/errors.js";
import { createMachine } from "../../src/runtime/machine.js";
import {
  BPF_RB_AVAIL_DATA, BPF_RB_CONS_POS, BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP, BPF_RB_PROD_POS, BPF_RB_RING_SIZE, RingBuffer, positions, ringData,
  setConsumerPos,
} from "../../src/runtime/output.js";
import { MODES, engine, hex, negErr, opsProgram, u64s, type Engine, type Op } from "./output-support.js";

// BPF_MAP_TYPE_RINGBUF (kernel/bpf/ringbuf.c): creation rules, the record header, 8-byte
// alignment, positions, reserve/submit/discard/output/query with their flags and failures,
// reservation-order visibility, wrap-around; the libbpf-shaped consumer. Every behaviour in
// the interpreter, the JIT through the helpers' JS entries and the JIT calling them natively.

const RB = (size = 4096) => ({ type: "ringbuf" as const, keySize: 0, valueSize: 0, maxEntries: size });

const errno = (f: () => unknown): string => {
  try {
    f();
    return "ok";
  } catch (e) {
    if (e instanceof BpfError) return e.code;
    throw e;
  }
};

describe("RINGBUF creation (errnos recorded from Linux 6.18)", () => {
  it("power-of-2, page-aligned max_entries; no key, no value; only BPF_F_NUMA_NODE", async () => {
    const m = await createMachine();
    const cases: [number, number, number, number, bigint, string][] = [
      [0, 0, 4096, 0, 0n, "ok"],
      [0, 0, 8192, 0, 0n, "ok"],
      [0, 0, 12288, 0, 0n, "EINVAL"],
      [0, 0, 2048, 0, 0n, "EINVAL"],
      [4, 0, 4096, 0, 0n, "EINVAL"],
      [0, 4, 4096, 0, 0n, "EINVAL"],
      [0, 0, 0, 0, 0n, "EINVAL"],
      [0, 0, 4096, 4, 0n, "ok"], // BPF_F_NUMA_NODE
      [0, 0, 4096, 1 << 19, 0n, "EINVAL"],
      [0, 0, 4096, 8, 0n, "EINVAL"], // BPF_F_RDONLY
      [0, 0, 4096, 128, 0n, "EINVAL"], // BPF_F_RDONLY_PROG
      [0, 0, 4096, 1024, 0n, "EINVAL"], // BPF_F_MMAPABLE
      [0, 0, 4096, 0, 1n, "EINVAL"], // map_extra
    ];
    for (const [ks, vs, max, flags, extra, want] of cases) {
      expect(errno(() => m.createMap({ type: "ringbuf", keySize: ks, valueSize: vs, maxEntries: max, flags, mapExtra: extra })), `${ks}/${vs}/${max}/${flags}`).toBe(want);
    }
    // Linux accepts 2^31 bytes; wabpf stops at 512 MiB (twice that must fit the wasm32 memory)
    expect(errno(() => m.createMap(RB(2 ** 31)))).toBe("ENOMEM");
  });

  it("the syscall's element commands: ENOTSUPP without a key, EINVAL with one (key_size 0)", async () => {
    const m = await createMachine();
    const rb = m.createMap(RB());
    expect(errno(() => rb.lookup(null))).toBe("ENOTSUPP");
    expect(errno(() => rb.update(null, new Uint8Array(0)))).toBe("ENOTSUPP");
    expect(errno(() => rb.delete(null))).toBe("ENOTSUPP");
    expect(errno(() => rb.nextKey(null))).toBe("ENOTSUPP");
    expect(errno(() => rb.lookupAndDelete(null))).toBe("ENOTSUPP");
    expect(errno(() => rb.lookup(new Uint8Array(4)))).toBe("EINVAL");
    expect(errno(() => rb.delete(new Uint8Array(4)))).toBe("EINVAL");
  });
});

/** Run ops in every engine on a fresh ring; per engine: op results, positions, data, consumed samples. */
async function inEngines(ops: readonly Op[], size = 4096, after?: (e: Engine) => Promise<unknown> | unknown) {
  const outs: unknown[] = [];
  for (const mode of MODES) {
    const e = await engine(mode, [RB(size)]);
    const r = await e.run(opsProgram(ops));
    const res = u64s(r.ctx, ops.length);
    const pos = positions(e.maps[0]!);
    const data = ringData(e.maps[0]!);
    const samples: string[] = [];
    const n = new RingBuffer(e.maps[0]!, (d) => void samples.push(hex(d))).consume();
    const consumed = positions(e.maps[0]!).consumerPos;
    const extra = after === undefined ? null : await after(e);
    outs.push({ r0: r.r0, res, pos, consumed, data: hex(data), samples, n, extra });
  }
  expect(outs[1]).toEqual(outs[0]);
  expect(outs[2]).toEqual(outs[0]);
  return outs[0] as { r0: string; res: bigint[]; pos: ReturnType<typeof positions>; consumed: bigint; data: string; samples: string[]; n: number; extra: unknown };
}

const hdrAt = (dataHex: string, off: number): [number, number] => {
  const b = Buffer.from(dataHex, "hex");
  return [b.readUInt32LE(off), b.readUInt32LE(off + 4)];
};

describe("RINGBUF helpers", () => {
  it("reserve + submit: the 8-byte header (len, page offset 3 + page), sample, positions, query", async () => {
    const r = await inEngines([
      { op: "reserve", slot: 0, size: 16 },
      { op: "query", flags: BPF_RB_PROD_POS },
      { op: "fill", slot: 0, len: 16, byte: 0x10 },
      { op: "submit", slot: 0 },
      { op: "query", flags: BPF_RB_AVAIL_DATA },
      { op: "query", flags: BPF_RB_RING_SIZE },
      { op: "query", flags: BPF_RB_CONS_POS },
      { op: "query", flags: 4 },
    ]);
    expect(r.r0).toBe("0");
    expect(r.res).toEqual([1n, 24n, 0n, 0n, 24n, 4096n, 0n, 0n]);
    expect(hdrAt(r.data, 0)).toEqual([16, 3]);
    expect(r.samples).toEqual(["1010101010101010" + "1111111111111111"]);
    expect(r.pos.producerPos).toBe(24n);
    expect(r.pos.consumerPos).toBe(0n);
    expect(r.consumed).toBe(24n);
    expect(r.n).toBe(1);
  });

  it("records are 8-byte aligned: positions advance by round_up(size + 8, 8); size 0 is a record", async () => {
    const sizes = [1, 7, 8, 9, 0, 15];
    const ops: Op[] = sizes.flatMap((size): Op[] => [{ op: "reserve", slot: 0, size }, { op: "submit", slot: 0 }, { op: "query", flags: BPF_RB_PROD_POS }]);
    const r = await inEngines(ops);
    const want: bigint[] = [];
    let pos = 0n;
    for (const s of sizes) {
      pos += BigInt(Math.ceil((s + 8) / 8) * 8);
      want.push(1n, 0n, pos);
    }
    expect(r.res).toEqual(want);
    expect(r.samples.map((s) => s.length / 2)).toEqual(sizes);
    expect(r.n).toBe(sizes.length);
  });

  it("discard: the record keeps its place with the discard bit; consumers skip it", async () => {
    const r = await inEngines([
      { op: "reserve", slot: 0, size: 8 },
      { op: "fill", slot: 0, len: 8, byte: 0xa0 },
      { op: "discard", slot: 0 },
      { op: "reserve", slot: 1, size: 8 },
      { op: "fill", slot: 1, len: 8, byte: 0xb0 },
      { op: "submit", slot: 1 },
    ]);
    expect(hdrAt(r.data, 0)).toEqual([0x40000008, 3]);
    expect(hdrAt(r.data, 16)).toEqual([8, 3]);
    expect(r.samples).toEqual(["b0b0b0b0b0b0b0b0"]);
    expect(r.n).toBe(1);
    expect(r.consumed).toBe(32n);
  });

  it("full: reserve gives NULL and output -EAGAIN once nothing fits; at most size - 8 bytes of records", async () => {
    // 4096-byte ring: a 4080-byte sample takes 4088 bytes, the most the ring holds
    const r = await inEngines([
      { op: "reserve", slot: 0, size: 4081 },
      { op: "reserve", slot: 0, size: 4080 },
      { op: "reserve", slot: 1, size: 0 },
      { op: "output", size: 8, byte: 1 },
      { op: "submit", slot: 0 },
      { op: "query", flags: BPF_RB_AVAIL_DATA },
      { op: "reserve", slot: 1, size: 8 },
    ]);
    expect(r.res).toEqual([0n, 1n, 0n, negErr(11), 0n, 4088n, 0n]);
    expect(r.n).toBe(1);
  });

  it("flags: reserve with any flag gives NULL; output with unknown flags -EINVAL; sizes above UINT_MAX/4 fail", async () => {
    const r = await inEngines([
      { op: "reserve", slot: 0, size: 8, flags: 1 },
      { op: "output", size: 8, flags: 4, byte: 1 },
      { op: "output", size: 8, flags: BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP, byte: 1 },
      { op: "query", flags: BPF_RB_PROD_POS },
    ]);
    expect(r.res).toEqual([0n, negErr(22), 0n, 16n]);
  });

  it("wrap-around: a record crossing the end is contiguous for the consumer and lands at the start of the ring", async () => {
    for (const mode of MODES) {
      const e = await engine(mode, [RB(4096)]);
      const map = e.maps[0]!;
      const got: string[] = [];
      const rb = new RingBuffer(map, (d) => void got.push(hex(d)));
      // 4000 + 8 → 4008 bytes; consumed; then 200 bytes of sample from 4008 to 4216
      await e.run(opsProgram([{ op: "reserve", slot: 0, size: 4000 }, { op: "submit", slot: 0 }]));
      expect(rb.consume()).toBe(1);
      const r = await e.run(opsProgram([{ op: "reserve", slot: 0, size: 200 }, { op: "fill", slot: 0, len: 200, byte: 0x20 }, { op: "submit", slot: 0 }, { op: "output", size: 24, byte: 0x80 }]));
      expect(u64s(r.ctx, 4)).toEqual([1n, 0n, 0n, 0n]);
      const p = positions(map);
      expect(p.producerPos).toBe(4008n + 208n + 32n);
      const data = ringData(map);
      // the record's header at 4008, its last 120 bytes at the start of the ring, then the output record
      expect(Buffer.from(data).readUInt32LE(4008)).toBe(200);
      const sample = Buffer.concat([Buffer.from(data.subarray(4016, 4096)), Buffer.from(data.subarray(0, 120))]);
      expect(sample.subarray(0, 8).toString("hex")).toBe("2020202020202020");
      expect(sample.subarray(192, 200).toString("hex")).toBe("3838383838383838");
      expect(Buffer.from(data).readUInt32LE(120)).toBe(24);
      expect(rb.consume()).toBe(2);
      expect(got[1]).toBe(sample.toString("hex"));
      expect(got[2]).toBe("808080808080808081818181818181818282828282828282");
      expect(positions(map).consumerPos).toBe(p.producerPos);
    }
  });

  it("out-of-order commit: a committed record waits behind an earlier busy one", async () => {
    // the program keeps its first reservation (unverified: the kernel would insist on a release), stores it in ctx
    const keep = `
      r6 = r1
      r1 = map[id:0]
      r2 = 8
      r3 = 0
      call 131
      *(u64 *)(r6 + 0) = r0
      r1 = 0x1111111111111111 ll
      *(u64 *)(r0 + 0) = r1
      r1 = map[id:0]
      r2 = 8
      r3 = 0
      call 131
      r1 = 0x2222222222222222 ll
      *(u64 *)(r0 + 0) = r1
      r1 = r0
      r2 = 0
      call 132
      r0 = 0
      exit`;
    const release = `
      r1 = *(u64 *)(r1 + 0)
      r2 = 0
      call 132
      r0 = 0
      exit`;
    for (const mode of MODES) {
      const e = await engine(mode, [RB(4096)]);
      const got: string[] = [];
      const rb = new RingBuffer(e.maps[0]!, (d) => void got.push(hex(d)));
      const r = await e.run(keep);
      expect(rb.consume()).toBe(0);
      expect(positions(e.maps[0]!).consumerPos).toBe(0n);
      await e.run(release, { ctx: r.ctx.slice(0, 8) });
      expect(rb.consume()).toBe(2);
      expect(got).toEqual(["1111111111111111", "2222222222222222"]);
    }
  });

  it("a busy record holds the producer back even when user space moves the consumer past it (pending_pos)", async () => {
    for (const mode of MODES) {
      const e = await engine(mode, [RB(4096)]);
      const map = e.maps[0]!;
      // reserve 8 bytes at 0 and keep it busy
      const keep = `r6 = r1\nr1 = map[id:0]\nr2 = 8\nr3 = 0\ncall 131\n*(u64 *)(r6 + 0) = r0\nr0 = 0\nexit`;
      await e.run(keep);
      setConsumerPos(map, 16n);
      // 16 + 4072 + 8 = 4096 bytes past the busy record at 0 would overwrite it
      const r = await e.run(opsProgram([{ op: "reserve", slot: 0, size: 4072 }, { op: "reserve", slot: 1, size: 4064 }, { op: "submit", slot: 0 }, { op: "submit", slot: 1 }]));
      expect(u64s(r.ctx, 2)).toEqual([0n, 1n]);
      expect(positions(map).pendingPos).toBe(0n);
    }
  });

  it("wakeups: on commit when the consumer is at the record, never with NO_WAKEUP, always with FORCE_WAKEUP", async () => {
    for (const mode of MODES) {
      const e = await engine(mode, [RB(4096)]);
      const map = e.maps[0]!;
      const w = (): bigint => positions(map).wakeups;
      await e.run(opsProgram([{ op: "output", size: 8, byte: 1 }, { op: "output", size: 8, byte: 2 }]));
      expect(w()).toBe(1n); // only the first found the consumer at its record
      await e.run(opsProgram([{ op: "output", size: 8, flags: BPF_RB_FORCE_WAKEUP, byte: 3 }]));
      expect(w()).toBe(2n);
      new RingBuffer(map).consume();
      await e.run(opsProgram([{ op: "output", size: 8, flags: BPF_RB_NO_WAKEUP, byte: 4 }, { op: "reserve", slot: 0, size: 8 }, { op: "submit", slot: 0, flags: BPF_RB_NO_WAKEUP }]));
      expect(w()).toBe(2n);
      await e.run(opsProgram([{ op: "reserve", slot: 0, size: 8 }, { op: "discard", slot: 0, flags: BPF_RB_FORCE_WAKEUP }]));
      expect(w()).toBe(3n);
    }
  });

  it("the sample is writable only while reserved (interpreter and unverified JIT check every access)", async () => {
    const prog = `
      r6 = r1
      r1 = map[id:0]
      r2 = 8
      r3 = 0
      call 131
      r7 = r0
      r1 = 5
      *(u64 *)(r7 + 0) = r1
      r1 = r7
      r2 = 0
      call 132
      r1 = 6
      *(u64 *)(r7 + ${8 * 0}) = r1
      r0 = 0
      exit`;
    for (const mode of ["interp", "jit"] as const) {
      const e = await engine(mode, [RB(4096)]);
      expect((await e.run(prog)).r0).toMatch(/^trap OutOfBounds at 13/);
      const e2 = await engine(mode, [RB(4096)]);
      // 9 bytes into an 8-byte sample
      expect((await e2.run(prog.replace("*(u64 *)(r7 + 0) = r1", "*(u8 *)(r7 + 8) = r1"))).r0).toMatch(/^trap OutOfBounds at 8/);
      const e3 = await engine(mode, [RB(4096)]);
      // submitting something that is not a reservation
      expect((await e3.run("r1 = r10\nr1 += -8\nr2 = 0\ncall 132\nexit")).r0).toMatch(/^trap HelperFault at 3/);
    }
  });
});

describe("RINGBUF consumer (libbpf's ring_buffer)", () => {
  it("consume_n, a callback stopping with a negative value, several rings, non-ringbuf maps refused", async () => {
    const e = await engine("native", [RB(4096), RB(8192), { type: "array", keySize: 4, valueSize: 8, maxEntries: 1 }]);
    const [a, b, arr] = e.maps as [typeof e.maps[0] & object, typeof e.maps[0] & object, typeof e.maps[0] & object];
    const outs = [1, 2, 3, 4, 5].map((k): Op => ({ op: "output", size: 8, byte: k }));
    await e.run(opsProgram(outs));
    const seen: string[] = [];
    const rb = new RingBuffer(a, (d, m) => void seen.push(`${m.id}:${d[0]}`));
    expect(rb.consumeN(2)).toBe(2);
    const stop = new RingBuffer(a, (d) => (d[0] === 4 ? -7 : 0));
    expect(stop.consume()).toBe(-7);
    expect(positions(a).consumerPos).toBe(4n * 16n); // the failing record is consumed
    expect(rb.consume()).toBe(1);
    expect(seen).toEqual([`${a.id}:1`, `${a.id}:2`, `${a.id}:5`]);
    // a second ring added to the same consumer
    const prog2 = opsProgram([{ op: "output", size: 8, byte: 9 }]).replace("map[id:0]", "map[id:1]");
    await e.run(prog2);
    rb.add(b, (d, m) => void seen.push(`${m.id}:${d[0]}`));
    expect(rb.ringCount).toBe(2);
    expect(rb.consume()).toBe(1);
    expect(seen.at(-1)).toBe(`${b.id}:9`);
    expect(() => new RingBuffer(arr)).toThrow(BpfError);
  });

  it("poll waits for a wakeup; NO_WAKEUP records wait for the next one; the async iterator yields copies in order", async () => {
    const e = await engine("native", [RB(4096)]);
    const map = e.maps[0]!;
    const seen: number[] = [];
    const rb = new RingBuffer(map, (d) => void seen.push(d[0]!));
    expect(await rb.poll(5)).toBe(0);
    await e.run(opsProgram([{ op: "output", size: 8, flags: BPF_RB_NO_WAKEUP, byte: 1 }]));
    expect(await rb.poll(5)).toBe(0);
    setTimeout(() => void e.run(opsProgram([{ op: "output", size: 8, flags: BPF_RB_FORCE_WAKEUP, byte: 2 }])), 3);
    expect(await rb.poll(1000)).toBe(2);
    expect(seen).toEqual([1, 2]);

    const ac = new AbortController();
    const it = rb.records({ signal: ac.signal });
    setTimeout(() => void e.run(opsProgram([3, 4, 5].map((k): Op => ({ op: "output", size: 8, byte: k })))), 2);
    const got: number[] = [];
    for await (const r of it) {
      got.push(r.data[0]!);
      if (got.length === 3) ac.abort();
    }
    expect(got).toEqual([3, 4, 5]);
  });
});
