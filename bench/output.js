// Event output throughput: events/s and bytes/s for 64 B and 1 KiB records through
//   ringbuf reserve+submit   (the record is written in place),
//   ringbuf output (copy)    (built in a per-CPU array scratch value, copied by bpf_ringbuf_output),
//   perf_event_output        (the same scratch, copied into the CPU's perf buffer),
// the trade-off argued in the DTrace thread. Each program emits EVENTS records in a bounded
// loop (writing two u64 fields of each: its first and last 8 bytes), so the per-run call
// overhead is spread over them. wabpf: JIT code with the verifier's facts when wabpf's verifier
// accepts the program (else unverified, said in the table), native AssemblyScript helpers,
// producer timed in batches, the consumer (RingBuffer / PerfBuffer with an empty callback)
// timed separately between batches. Linux: the same bytes as XDP programs with
// BPF_PROG_TEST_RUN repeat on CPU 0 (scripts/runtime/koutput_driver.py), rings large enough
// that nothing is dropped, no consumer running. Writes bench/results/output.{json,md}.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { assemble } from "../dist/asm/index.js";
import { compileProgram } from "../dist/jit/index.js";
import { encodeProgram } from "../dist/isa/encode.js";
import { createMachine, PerfBuffer, RingBuffer } from "../dist/runtime/index.js";
import { verify } from "../dist/verifier/index.js";
import { fmt, markdownTable, table, writeResults } from "./lib/report.js";

const DRIVER = fileURLToPath(new URL("../scripts/runtime/koutput_driver.py", import.meta.url));
const EVENTS = 64;
const SIZES = [64, 1024];
const hex = (b) => Buffer.from(b).toString("hex");

const loop = (body) => `
  r9 = r1
  r6 = 0
loop:
${body}
next:
  r6 += 1
  if r6 < ${EVENTS} goto loop
  r0 = 2
  exit`;

const scratch = `
  r1 = 0
  *(u32 *)(r10 - 4) = r1
  r2 = r10
  r2 += -4
  r1 = map[id:2]
  call 1
  if r0 == 0 goto next`;

const PROGRAMS = {
  "ringbuf reserve+submit": (size) => loop(`
  r1 = map[id:0]
  r2 = ${size}
  r3 = 0
  call 131
  if r0 == 0 goto next
  *(u64 *)(r0 + 0) = r6
  *(u64 *)(r0 + ${size - 8}) = r6
  r1 = r0
  r2 = 0
  call 132`),
  "ringbuf output (copy)": (size) => loop(`${scratch}
  *(u64 *)(r0 + 0) = r6
  *(u64 *)(r0 + ${size - 8}) = r6
  r1 = map[id:0]
  r2 = r0
  r3 = ${size}
  r4 = 0
  call 130`),
  "percpu scratch + perf_event_output": (size) => loop(`${scratch}
  *(u64 *)(r0 + 0) = r6
  *(u64 *)(r0 + ${size - 8}) = r6
  r1 = r9
  r2 = map[id:0]
  r3 = 0xffffffff ll
  r4 = r0
  r5 = ${size}
  call 25`),
};

const isPerf = (name) => name.startsWith("percpu");

function kernelBench(name, size, code, repeat, wakeupEvents = 1) {
  const rec = isPerf(name) ? 8 + Math.ceil((size + 4) / 8) * 8 : Math.ceil((size + 8) / 8) * 8;
  const bytes = rec * EVENTS * repeat;
  const ring = 2 ** Math.ceil(Math.log2(bytes + 4096));
  const req = { kind: "bench", target: isPerf(name) ? "perf" : "ringbuf", size: ring, pages: ring / 4096, code, repeat, scratch: size, wakeup_events: wakeupEvents };
  const r = spawnSync("python3", [DRIVER], { input: JSON.stringify(req), encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr.trim().split("\n").pop());
  const out = JSON.parse(r.stdout);
  if (out.errno !== 0) throw new Error(`Linux refused the program (errno ${out.errno}): ${out.log}`);
  if (out.records !== EVENTS * repeat) throw new Error(`Linux kept ${out.records} of ${EVENTS * repeat} records`);
  return out.ns / EVENTS;
}

function kernelReason() {
  const r = spawnSync("python3", [DRIVER, "--check"], { encoding: "utf8" });
  return r.status === 0 ? null : (r.stderr || r.stdout).trim().split("\n").pop() || `exit ${r.status}`;
}

async function wabpfBench(name, size, src, { quick }) {
  const m = await createMachine({ ncpus: 1 });
  const target = isPerf(name)
    ? m.createMap({ type: "perf_event_array", keySize: 4, valueSize: 4, maxEntries: 1 })
    : m.createMap({ type: "ringbuf", keySize: 0, valueSize: 0, maxEntries: 1 << 24 });
  const maps = [target, m.createMap({ type: "array", keySize: 4, valueSize: 256, maxEntries: 1 }), m.createMap({ type: "percpu_array", keySize: 4, valueSize: size, maxEntries: 1 })];
  const insns = assemble(src);
  const v = verify(insns, { progType: "xdp", maps: maps.map((x) => x.mapDef()) });
  const opts = m.programOptions(maps);
  const prog = await compileProgram(insns, { helpers: opts.helpers, pseudo: opts.pseudo, ...(v.accepted ? { verified: v.facts } : {}) });
  let consumed = 0;
  const sink = () => {
    consumed++;
  };
  const consumer = isPerf(name) ? new PerfBuffer(target, { pageCount: 4096, onSample: sink }) : new RingBuffer(target, sink);
  const ro = { mem: m.mem, helpers: opts.helpers, pseudo: opts.pseudo, input: new Uint8Array(64), cpu: 0 };
  // a batch fills at most half the ring
  const rec = isPerf(name) ? 8 + Math.ceil((size + 4) / 8) * 8 : Math.ceil((size + 8) / 8) * 8;
  const batch = Math.max(1, Math.floor((1 << 23) / (rec * EVENTS)));
  const seconds = quick ? 0.3 : 1.5;
  let prodNs = 0;
  let consNs = 0;
  let runs = 0;
  const end = performance.now() + seconds * 1000;
  let warm = true;
  while (performance.now() < end || warm) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) prog.run(ro);
    const t1 = performance.now();
    consumer.consume();
    const t2 = performance.now();
    if (warm) {
      warm = false;
      consumed = 0;
      continue;
    }
    prodNs += (t1 - t0) * 1e6;
    consNs += (t2 - t1) * 1e6;
    runs += batch;
  }
  if (consumed !== runs * EVENTS) throw new Error(`${name}: consumed ${consumed} of ${runs * EVENTS} events`);
  return { verified: v.accepted, why: v.accepted ? null : v.error, produceNs: prodNs / (runs * EVENTS), consumeNs: consNs / (runs * EVENTS) };
}

export async function benchOutput({ quick = false } = {}) {
  const reason = kernelReason();
  if (reason !== null) console.log(`Linux: not measured (${reason})`);
  const rows = [];
  for (const size of SIZES) {
    for (const [name, gen] of Object.entries(PROGRAMS)) {
      const src = gen(size);
      const w = await wabpfBench(name, size, src, { quick });
      let k = null;
      let kq = null;
      let kerr = null;
      if (reason === null) {
        try {
          const repeat = quick ? 200 : size > 64 ? 400 : 2000;
          k = kernelBench(name, size, hex(encodeProgram(assemble(src))), repeat);
          // the same events with wakeup_events 10^6: no wakeup during the run
          if (isPerf(name)) kq = kernelBench(name, size, hex(encodeProgram(assemble(src))), repeat, 1e6);
        } catch (e) {
          kerr = e.message;
        }
      }
      const row = { name, size, ...w, kernelNs: k, kernelNsNoWakeup: kq, kernelError: kerr };
      rows.push(row);
      console.log(`${String(size).padStart(4)} B ${name.padEnd(36)} wabpf ${w.produceNs.toFixed(1)} ns/event produce + ${w.consumeNs.toFixed(1)} consume${w.verified ? "" : " (unverified)"}; Linux ${k === null ? kerr ?? reason : `${k.toFixed(1)} ns/event`}`);
    }
  }
  const mev = (ns) => (ns === null ? "—" : fmt(1e3 / ns));
  const mbs = (ns, size) => (ns === null ? "—" : fmt((size * 1e3) / ns));
  const headers = ["record", "program", "wabpf Mev/s (produce)", "wabpf MB/s", "wabpf Mev/s (produce+consume)", "Linux Mev/s", "Linux MB/s", "wabpf / Linux time", "Linux Mev/s, wakeup_events 10^6"];
  const body = rows.map((r) => [
    `${r.size} B`,
    r.name + (r.verified ? "" : " †"),
    mev(r.produceNs),
    mbs(r.produceNs, r.size),
    mev(r.produceNs + r.consumeNs),
    mev(r.kernelNs),
    mbs(r.kernelNs, r.size),
    r.kernelNs === null ? "—" : `${(r.produceNs / r.kernelNs).toFixed(2)}×`,
    r.kernelNsNoWakeup === null ? "" : mev(r.kernelNsNoWakeup),
  ]);
  const unverified = rows.filter((r) => !r.verified);
  const md = [
    "# Event output throughput",
    "",
    "`npm run bench -- --only=output`. Each program emits 64 records per run in a bounded loop,",
    "writing the first and last 8 bytes of each record: in place for reserve+submit, into a",
    "per-CPU array scratch value that bpf_ringbuf_output / bpf_perf_event_output then copy for",
    "the other two (records above 512 bytes cannot come from the stack). MB/s counts record",
    "payload bytes.",
    "",
    "wabpf: JIT code compiled with wabpf's verifier's facts, helpers in AssemblyScript called",
    "directly from wasm; the producer is timed in batches, the consumer (RingBuffer / PerfBuffer,",
    "empty callback) between batches, and \"produce+consume\" adds both per event. Linux 6.18: the",
    "same instructions as XDP programs run with BPF_PROG_TEST_RUN repeat on CPU 0 through",
    "`scripts/runtime/koutput_driver.py`, the ring large enough that no record is dropped (checked),",
    "no consumer running (libbpf's would run on another CPU) — compare with the produce column.",
    "",
    markdownTable(headers, body),
    "",
    "Linux's perf_event_output figures include a wakeup per sample: the events are opened as",
    "libbpf's perf_buffer opens them (wakeup_events = 1), so every record queues the perf irq_work;",
    "the last column is the same run with wakeup_events = 10^6 (no wakeup), which isolates that",
    "cost. The ring buffer wakes only when the consumer has caught up (once per run here). wabpf",
    "counts the wakeups (what poll() waits for) but has no interrupt to send. The consumer side in wabpf is JavaScript reading the shared memory (one subarray per",
    "sample), hence the produce+consume column.",
    "",
    unverified.length === 0 ? "" : `† run unverified (guards and metering kept) because wabpf's verifier refused it: ${[...new Set(unverified.map((r) => r.why))].join("; ")}`,
    reason === null ? "" : `Linux not measured: ${reason}.`,
    ...rows.filter((r) => r.kernelError !== null).map((r) => `Linux ${r.size} B ${r.name}: ${r.kernelError}`),
    "",
    `Node ${process.version}, ${quick ? "quick run" : "full run"}, ${new Date().toISOString().slice(0, 10)}; the machine is shared with other work.`,
  ].join("\n");
  writeResults("output", { events: EVENTS, rows }, md);
  console.log(`\n${table(headers, body)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchOutput({ quick: process.argv.includes("--quick") });
