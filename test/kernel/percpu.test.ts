import { describe, expect, it } from "vitest";
import { SimKernel } from "../../src/kernel/kernel.js";
import { PERCPU_SYM_BASE } from "../../src/kernel/percpu.js";
import { inKernelModes, u64At } from "./helpers-support.js";

// Per-CPU variables of the simulated kernel with bpf_per_cpu_ptr (153) / bpf_this_cpu_ptr (154).

/** Define `a` (8 bytes) and `stats` (16 bytes) and set stats.b on CPU n to 100 + n. */
function perCpuVars(k: SimKernel): void {
  k.definePerCpu("a", 8);
  k.definePerCpu("stats", 16);
  for (let cpu = 0; cpu < 64; cpu++) k.machine.mem.view.setBigUint64(k.perCpuAddress("stats", cpu) + 8, BigInt(100 + cpu), true);
}

describe("bpf_per_cpu_ptr / bpf_this_cpu_ptr", () => {
  it("per_cpu_ptr gives CPU n's copy (loads through it read that CPU's value), NULL for cpu >= nr_cpus", async () => {
    const stats = PERCPU_SYM_BASE + 8n; // after `a`
    const r = await inKernelModes(
      `
  r6 = r1
  r1 = 0x${stats.toString(16)} ll
  r2 = 2
  call 153
  *(u64 *)(r6 + 0) = r0
  r1 = *(u64 *)(r0 + 8)
  *(u64 *)(r6 + 8) = r1
  r1 = 0x${(stats + 8n).toString(16)} ll
  r2 = 3
  call 153
  r1 = *(u64 *)(r0 + 0)
  *(u64 *)(r6 + 16) = r1
  r1 = 0x${stats.toString(16)} ll
  r2 = 4
  call 153
  *(u64 *)(r6 + 24) = r0
  r1 = 0x${stats.toString(16)} ll
  r2 = 0xffffffff
  call 153
  *(u64 *)(r6 + 32) = r0
  r0 = 0
  exit`,
      { ncpus: 4, init: perCpuVars, after: (k) => BigInt(k.perCpuAddress("stats", 2)) },
    );
    expect(r.r0).toBe("0");
    expect([u64At(r.ctx, 0), u64At(r.ctx, 8), u64At(r.ctx, 16), u64At(r.ctx, 24), u64At(r.ctx, 32)]).toEqual([r.after, 102n, 103n, 0n, 0n]);
  });

  it("this_cpu_ptr gives the copy of the CPU the program runs on", async () => {
    const r = await inKernelModes(
      `
  r1 = 0x${(PERCPU_SYM_BASE + 8n).toString(16)} ll
  call 154
  r0 = *(u64 *)(r0 + 8)
  exit`,
      {
        ncpus: 8,
        init: (k) => {
          perCpuVars(k);
          k.cpu = 5;
        },
      },
    );
    expect(r.r0).toBe((105).toString(16));
  });

  it("per-CPU variables are __ksym symbols of the kernel; copies are kernel memory laid out one unit per CPU", async () => {
    const k = await SimKernel.create({ generated: 0 });
    const a = k.definePerCpu("runqueues", 24);
    expect(a.addr).toBe(PERCPU_SYM_BASE);
    expect(k.definePerCpu("next", 4).addr).toBe(PERCPU_SYM_BASE + 24n);
    expect(() => k.definePerCpu("runqueues", 8)).toThrow(expect.objectContaining({ code: "EEXIST" }));
    expect(() => k.definePerCpu("huge", 8192)).toThrow(expect.objectContaining({ code: "ENOSPC" }));
    expect(k.perCpuAddress("runqueues", 1) - k.perCpuAddress("runqueues", 0)).toBe(4096);
    k.machine.mem.view.setUint32(k.perCpuAddress("next", 0), 0xabcd, true);
    expect(k.machine.addressSpaces.read("kernel", BigInt(k.perCpuAddress("next", 0)), 4)).toEqual(new Uint8Array([0xcd, 0xab, 0, 0]));
  });
});
