// `npm run soak`: the simulated kernel under a long load, as issue 16 asks: N trampoline
// events (fentry on the bench trigger, driven by the trigger loop) with the program's counter
// exact at the end, then M attach/detach cycles, printing RSS and the runtime heap (bytes
// allocated, heap top) at the start, every tenth of the cycles and the end. Counts: SOAK_EVENTS (default
// 1e9), SOAK_CYCLES (default 1e6), SOAK_OBJECTS (object lifetimes, default 2000). Machines differ ~3x in speed; the figures that matter are
// "exact" and "flat", not the rates.
import { SimKernel } from "../dist/index.js";
import { defaultTriggerObject, triggerHits } from "../dist/kernel/bench-trigger.js";

const EVENTS = Number(process.env.SOAK_EVENTS ?? 1e9);
const CYCLES = Number(process.env.SOAK_CYCLES ?? 1e6);
const BATCH = 100; // trigger calls per run of trigger_driver (src/assets/bpf/trigger.c)

const k = await SimKernel.create();
const obj = await k.open(defaultTriggerObject(), "trigger");
obj.createMaps();
const bss = obj.map("trigger.bss");
const hits = () => triggerHits(bss);
const rt = k.machine.rt.exports;
// with --expose-gc (npm run soak) a checkpoint collects first, so RSS shows what is live, not garbage not yet collected
const mem = () => (globalThis.gc?.(), { rssMB: +(process.memoryUsage().rss / 2 ** 20).toFixed(1), jsHeapMB: +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1), heapAllocated: rt.wabpf_allocated_bytes(), heapTop: rt.wabpf_heap_top() });
const driver = (await k.load(obj, "trigger_driver")).prepare();
const fentry = await k.load(obj, "bench_trigger_fentry");

console.log(`soak: ${EVENTS.toExponential()} fentry events, ${CYCLES.toExponential()} attach/detach cycles`);
console.log("start", JSON.stringify(mem()));
let link = k.attach(fentry);
const h0 = hits();
const runs = Math.ceil(EVENTS / BATCH);
let t = performance.now();
for (let i = 0; i < runs; i++) {
  driver();
  if (i === (runs >> 1)) console.log("events half", JSON.stringify(mem()));
}
let s = (performance.now() - t) / 1000;
const counted = hits() - h0;
console.log(`events: ${runs * BATCH} driven, ${counted} counted (${counted === BigInt(runs * BATCH) ? "exact" : "MISMATCH"}), ${(runs * BATCH / s / 1e6).toFixed(1)} M/s`);
console.log("events end", JSON.stringify(mem()));
link.detach();

t = performance.now();
for (let i = 0; i < CYCLES; i++) {
  link = k.attach(fentry);
  link.detach();
  if (i === 1000) console.log("cycles warm (1e3)", JSON.stringify(mem()));
  if (i > 0 && i % Math.max(1, Math.floor(CYCLES / 10)) === 0) console.log(`cycles ${i}`, JSON.stringify(mem()));
}
s = (performance.now() - t) / 1000;
const end = mem();
console.log(`cycles: ${CYCLES} in ${s.toFixed(1)} s (${(CYCLES / s).toFixed(0)}/s)`);
console.log("cycles end", JSON.stringify(end));
// after the cycles, one more event batch still counts exactly
link = k.attach(fentry);
const h1 = hits();
driver();
console.log(`after cycles: ${hits() - h1} of ${BATCH} events counted`);
link.detach();

// whole lifetimes: open → load → attach → run → close every handle → detach; what the object
// made (maps, programs, state blocks, table slots) goes with the last reference.
const OBJECTS = Number(process.env.SOAK_OBJECTS ?? 2000);
const lifetime = async () => {
  const o = await k.open(defaultTriggerObject(), "trigger");
  o.createMaps();
  const d = await k.load(o, "trigger_driver");
  const f = await k.load(o, "bench_trigger_fentry");
  const l = k.attach(f);
  d.run();
  f.close();
  d.close();
  o.close();
  l.detach();
};
await lifetime();
const before = { ...mem(), maps: k.machine.maps.length, table: k.machine.mem.table.length };
t = performance.now();
for (let i = 0; i < OBJECTS; i++) await lifetime();
s = (performance.now() - t) / 1000;
console.log(`object lifetimes: ${OBJECTS} in ${s.toFixed(1)} s`);
console.log("lifetimes start", JSON.stringify(before));
console.log("lifetimes end", JSON.stringify({ ...mem(), maps: k.machine.maps.length, table: k.machine.mem.table.length }));
