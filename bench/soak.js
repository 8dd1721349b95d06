// `npm run soak`: the simulated kernel under a long load, as issue 16 asks: N trampoline
// events (fentry on the bench trigger, driven by the trigger loop) with the program's counter
// exact at the end, then M attach/detach cycles, printing RSS and the runtime heap (bytes
// allocated, heap top) at the start, the middle and the end. Counts: SOAK_EVENTS (default
// 1e9), SOAK_CYCLES (default 1e6). Machines differ ~3x in speed; the figures that matter are
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
const mem = () => ({ rssMB: +(process.memoryUsage().rss / 2 ** 20).toFixed(1), heapAllocated: rt.wabpf_allocated_bytes(), heapTop: rt.wabpf_heap_top() });
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
let mid = null;
for (let i = 0; i < CYCLES; i++) {
  link = k.attach(fentry);
  link.detach();
  if (i === 1000) console.log("cycles warm (1e3)", JSON.stringify(mem()));
  if (i === CYCLES >> 1) console.log("cycles half", JSON.stringify((mid = mem())));
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
