import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BpfError } from "../../src/errors.js";
import { SimKernel } from "../../src/kernel/kernel.js";
import { MAP_FLAGS } from "../../src/runtime/map-types.js";
import type { MapSpec } from "../../src/runtime/maps.js";
import { inKernelModes, u64At } from "./helpers-support.js";

// BPF_MAP_TYPE_TASK_STORAGE with bpf_task_storage_get (156) / bpf_task_storage_delete (157):
// storage per task, created on demand by programs; user space names a task by its pid.

const SPEC: MapSpec = { type: "task_storage", keySize: 4, valueSize: 16, maxEntries: 0, flags: MAP_FLAGS.NO_PREALLOC };
const pidKey = (pid: number): Uint8Array => new Uint8Array(new Int32Array([pid]).buffer);
const u64s = (...v: bigint[]): Uint8Array => new Uint8Array(new BigUint64Array(v).buffer);

/** get(current, flags, value?) then count += 1 through the pointer; ctx[0] = the pointer, ctx[8] = the count (or r0 = 1 for NULL). */
const COUNT = (flags: number, withValue = false): string => `
  r6 = r1
  call 158
  r7 = r0
  r1 = 7
  *(u64 *)(r10 - 16) = r1
  r1 = 9
  *(u64 *)(r10 - 8) = r1
  r1 = map[id:0]
  r2 = r7
  ${withValue ? "r3 = r10\n  r3 += -16" : "r3 = 0"}
  r4 = ${flags}
  call 156
  if r0 == 0 goto none
  *(u64 *)(r6 + 0) = r0
  r1 = *(u64 *)(r0 + 0)
  r1 += 1
  *(u64 *)(r0 + 0) = r1
  *(u64 *)(r6 + 8) = r1
  r1 = *(u64 *)(r0 + 8)
  *(u64 *)(r6 + 16) = r1
  r0 = 0
  exit
none:
  r0 = 1
  exit`;

describe("task storage", () => {
  it("get with F_CREATE makes zeroed storage for the task; later gets find it; user space reads it by pid", async () => {
    const r = await inKernelModes(COUNT(1), {
      maps: [SPEC],
      init: (k) => k.setCurrent(k.createTask({ pid: 42 })),
      after: (k, [m]) => [m!.lookup(pidKey(42)), m!.lookup(pidKey(1))], // pid 1: init, no storage
    });
    expect(r.r0).toBe("0");
    expect([u64At(r.ctx, 8), u64At(r.ctx, 16)]).toEqual([1n, 0n]);
    expect(r.after).toEqual([u64s(1n, 0n), null]);
  });

  it("F_CREATE takes the initial value from `value`; without F_CREATE a missing storage is NULL; bad flags are NULL", async () => {
    const init = await inKernelModes(COUNT(1, true), { maps: [SPEC], init: (k) => k.setCurrent(k.createTask({ pid: 42 })) });
    expect([u64At(init.ctx, 8), u64At(init.ctx, 16)]).toEqual([8n, 9n]);
    expect((await inKernelModes(COUNT(0), { maps: [SPEC] })).r0).toBe("1");
    expect((await inKernelModes(COUNT(3), { maps: [SPEC] })).r0).toBe("1");
  });

  it("programs see what user space stored for a task's pid, and user space sees what programs did", async () => {
    const r = await inKernelModes(COUNT(0), {
      maps: [SPEC],
      init: (k, [m]) => {
        k.setCurrent(k.createTask({ pid: 77 }));
        m!.update(pidKey(77), u64s(41n, 5n));
      },
      after: (_k, [m]) => m!.lookup(pidKey(77)),
    });
    expect([r.r0, u64At(r.ctx, 8), u64At(r.ctx, 16)]).toEqual(["0", 42n, 5n]);
    expect(r.after).toEqual(u64s(42n, 5n));
  });

  it("delete: 0, then -ENOENT; storage of one task is not another's", async () => {
    const r = await inKernelModes(
      `
  r6 = r1
  call 158
  r7 = r0
  r1 = map[id:0]
  r2 = r7
  call 157
  *(u64 *)(r6 + 0) = r0
  r1 = map[id:0]
  r2 = r7
  call 157
  *(u64 *)(r6 + 8) = r0
  r1 = map[id:0]
  r2 = 0
  call 157
  *(u64 *)(r6 + 16) = r0
  r0 = 0
  exit`,
      {
        maps: [SPEC],
        init: (k, [m]) => {
          k.createTask({ pid: 10 });
          k.setCurrent(k.createTask({ pid: 11 }));
          m!.update(pidKey(10), u64s(1n, 1n));
          m!.update(pidKey(11), u64s(2n, 2n));
        },
        after: (_k, [m]) => [m!.lookup(pidKey(10)), m!.lookup(pidKey(11))],
      },
    );
    expect([u64At(r.ctx, 0), u64At(r.ctx, 8), u64At(r.ctx, 16)]).toEqual([0n, BigInt.asUintN(64, -2n), BigInt.asUintN(64, -22n)]);
    expect(r.after).toEqual([u64s(1n, 1n), null]);
  });

  it("a libbpf object's task storage map (BTF-defined, no max_entries) is created and keyed by pid", async () => {
    const k = await SimKernel.create({ generated: 0 });
    const obj = await k.open(fileURLToPath(new URL("../fixtures/object/task_storage.o", import.meta.url)));
    obj.createMaps();
    const m = obj.map("counts");
    expect([m.typeName, m.keySize, m.valueSize, m.maxEntries, m.flags]).toEqual(["task_storage", 4, 16, 0, MAP_FLAGS.NO_PREALLOC]);
    k.createTask({ pid: 9 });
    m.update(pidKey(9), u64s(3n, 4n));
    expect(m.lookup(pidKey(9))).toEqual(u64s(3n, 4n));
  });

  it("a clang-built tp_btf program (verified as Linux does) keeps per-task storage and prints with bpf_printk's vprintk form", async () => {
    // test/fixtures/kernel/task_helpers.c; Linux 6.18 accepts it too (kbpf.py elf)
    const k = await SimKernel.create({ generated: 0 });
    const obj = await k.open(fileURLToPath(new URL("../fixtures/kernel/task_helpers.o", import.meta.url)));
    const prog = await k.load(obj, "on_wakeup_new");
    k.attach(prog);
    const parent = k.createTask({ pid: 100, comm: "bash" });
    const child = k.createTask({ pid: 101, comm: "ls" });
    k.setCurrent(parent);
    k.call("wake_up_new_task", BigInt(child));
    k.call("wake_up_new_task", BigInt(k.createTask({ pid: 102 })));
    const m = obj.map("by_parent");
    expect(m.lookup(pidKey(100))).toEqual(u64s(2n, 102n));
    expect(m.lookup(pidKey(101))).toBeNull();
    expect(k.machine.readTracePipe().split("\n").map((l) => l.replace(/^.*bpf_trace_printk: /, ""))).toEqual(["new 101 by 100 (bash) #1", "new 102 by 100 (bash) #2", ""]);
  });

  it("creation and user-space calls follow Linux: NO_PREALLOC required, max_entries 0, int keys; no get_next_key; unknown pids are EBADF", async () => {
    const k = await SimKernel.create({ generated: 0 });
    const m = k.machine;
    const bad = (spec: Partial<MapSpec>): string => {
      try {
        m.createMap({ ...SPEC, ...spec });
        return "created";
      } catch (e) {
        return (e as BpfError).code;
      }
    };
    expect(bad({ flags: 0 })).toBe("EINVAL");
    expect(bad({ maxEntries: 1 })).toBe("EINVAL");
    expect(bad({ keySize: 8 })).toBe("EINVAL");
    expect(bad({ valueSize: 0 })).toBe("EINVAL");
    expect(bad({ flags: MAP_FLAGS.NO_PREALLOC | MAP_FLAGS.ZERO_SEED })).toBe("EINVAL");
    expect(bad({ valueSize: 0xffff - 127 })).toBe("E2BIG");
    expect(bad({ valueSize: 0xffff - 128 })).toBe("created");
    const map = m.createMap(SPEC);
    expect(map.maxEntries).toBe(0);
    k.createTask({ pid: 5 });
    expect(() => map.nextKey(null)).toThrow(expect.objectContaining({ code: "ENOTSUPP" }));
    expect(() => map.update(pidKey(999), u64s(1n, 2n))).toThrow(expect.objectContaining({ code: "EBADF" }));
    expect(() => map.delete(pidKey(5))).toThrow(expect.objectContaining({ code: "ENOENT" }));
    map.update(pidKey(5), u64s(1n, 2n));
    expect(() => map.update(pidKey(5), u64s(1n, 2n), 1)).toThrow(expect.objectContaining({ code: "EEXIST" }));
    map.delete(pidKey(5));
    expect(map.lookup(pidKey(5))).toBeNull();
  });
});
