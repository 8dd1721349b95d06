import { describe, expect, it } from "vitest";
import * as layout from "../../src/isa/layout.js";
import { GuestMemory } from "../../src/exec/guest-memory.js";
import { loadRuntime } from "../../src/runtime/as-runtime.js";

describe("AssemblyScript runtime", () => {
  it("exports the same memory layout as src/isa/layout.ts", async () => {
    const rt = await loadRuntime(new GuestMemory());
    const names = ["NULL_GUARD_END", "STACK_FRAME_SIZE", "STACK_FRAMES", "STACK_PER_CPU", "MAX_CPUS", "STACK_BASE", "CTX_BASE", "CTX_SIZE", "HEAP_BASE", "CPU_ID_ADDR"] as const;
    for (const n of names) expect([n, rt.exports[n].value >>> 0]).toEqual([n, layout[n]]);
  });

  it("allocates zeroed, aligned blocks above the heap base and reuses freed ones", async () => {
    const mem = new GuestMemory();
    const rt = await loadRuntime(mem);
    const a = rt.alloc(24);
    expect(a % 8).toBe(0);
    expect(a).toBeGreaterThanOrEqual(layout.HEAP_BASE);
    mem.bytes.fill(0xab, a, a + 24);
    const b = rt.alloc(24);
    expect(b).not.toBe(a);
    rt.free(a);
    const c = rt.alloc(20); // same size class as 24
    expect(c).toBe(a);
    expect([...mem.bytes.subarray(c, c + 24)].every((x) => x === 0)).toBe(true);
    expect(rt.exports.wabpf_block_size(c)).toBeGreaterThanOrEqual(20);
  });

  it("grows the shared memory for large blocks and keeps host views valid", async () => {
    const mem = new GuestMemory();
    const rt = await loadRuntime(mem);
    const before = mem.memory.buffer.byteLength;
    const big = rt.alloc(8 << 20);
    expect(mem.memory.buffer.byteLength).toBeGreaterThan(before);
    mem.bytes[big + (8 << 20) - 1] = 7;
    expect(mem.read(big + (8 << 20) - 1, 1)[0]).toBe(7);
    expect(() => rt.alloc(0x7ffffff8)).toThrow(/ENOMEM|cannot allocate/);
  });
});
