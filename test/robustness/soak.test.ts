// Issue 16, the short form of `npm run soak` (bench/soak.js runs 1e9 events and 1e6 cycles):
// counters exact under a long trampoline load, and attach/detach cycles leave the runtime
// heap where it was.
import { describe, expect, it } from "vitest";
import { SimKernel } from "../../src/kernel/kernel.js";
import { defaultTriggerObject, triggerHits } from "../../src/kernel/bench-trigger.js";

const BATCH = 100; // trigger calls per run of trigger_driver (src/assets/bpf/trigger.c)

describe("soak (short)", () => {
  it("10^6 fentry events counted exactly; 5,000 attach/detach cycles keep the runtime heap flat", async () => {
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
    for (let i = 0; i < 5_000; i++) {
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

  it("objects opened, loaded, attached, detached and closed 30 times leave the heap, the maps and the function table as they were", async () => {
    const k = await SimKernel.create();
    const m = k.machine;
    const rt = m.rt.exports;
    const cycle = async (): Promise<void> => {
      const obj = await k.open(defaultTriggerObject(), "trigger");
      obj.createMaps();
      const driver = await k.load(obj, "trigger_driver");
      const fentry = await k.load(obj, "bench_trigger_fentry");
      const link = k.attach(fentry);
      // the link holds the program, and the program its maps: closing every handle keeps it running
      fentry.close();
      obj.close();
      const bss = obj.map("trigger.bss");
      expect(bss.closed && !bss.freed).toBe(true);
      driver.run();
      link.detach();
      driver.close();
      expect(bss.freed).toBe(true);
      expect(() => k.attach(fentry)).toThrow(/EBADF|closed/);
    };
    await cycle();
    const before = { heap: rt.wabpf_allocated_bytes(), top: rt.wabpf_heap_top(), table: m.mem.table.length, maps: m.maps.length };
    for (let i = 0; i < 30; i++) await cycle();
    expect({ heap: rt.wabpf_allocated_bytes(), top: rt.wabpf_heap_top(), table: m.mem.table.length, maps: m.maps.length }).toEqual(before);
  }, 120_000);
});
