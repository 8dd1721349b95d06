// Issue 16, the short form of `npm run soak` (bench/soak.js runs 1e9 events and 1e6 cycles):
// counters exact under a long trampoline load, and attach/detach cycles leave the runtime
// heap where it was.
import { describe, expect, it } from "vitest";
import { SimKernel } from "../../src/kernel/kernel.js";
import { defaultTriggerObject, triggerHits } from "../../src/kernel/bench-trigger.js";

const BATCH = 100; // trigger calls per run of trigger_driver (src/assets/bpf/trigger.c)

describe("soak (short)", () => {
  it("10^6 fentry events counted exactly; 500 attach/detach cycles keep the runtime heap flat", async () => {
    const k = await SimKernel.create();
    const obj = await k.open(defaultTriggerObject(), "trigger");
    obj.createMaps();
    const bss = obj.map("trigger.bss");
    const hits = (): bigint => triggerHits(bss);
    const driver = (await k.load(obj, "trigger_driver")).prepare();
    const fentry = await k.load(obj, "bench_trigger_fentry");
    let link = k.attach(fentry);
    const h0 = hits();
    for (let i = 0; i < 10_000; i++) driver();
    expect(hits() - h0).toBe(BigInt(10_000 * BATCH));
    link.detach();

    const rt = k.machine.rt.exports;
    link = k.attach(fentry);
    link.detach();
    const heap = [rt.wabpf_allocated_bytes(), rt.wabpf_heap_top()];
    for (let i = 0; i < 500; i++) {
      link = k.attach(fentry);
      link.detach();
    }
    expect([rt.wabpf_allocated_bytes(), rt.wabpf_heap_top()]).toEqual(heap);
    link = k.attach(fentry);
    const h1 = hits();
    driver();
    expect(hits() - h1).toBe(BigInt(BATCH));
    link.detach();
  }, 120_000);
});
