import { describe, expect, it } from "vitest";
import { inKernelModes, u64At } from "./helpers-support.js";

// Task helpers of the simulated kernel: bpf_get_current_task_btf (158), bpf_task_pt_regs (175).

describe("bpf_get_current_task_btf", () => {
  it("returns the current task's address, as bpf_get_current_task does", async () => {
    const r = await inKernelModes(
      `
  r6 = r1
  call 158
  *(u64 *)(r6 + 0) = r0
  call 35
  *(u64 *)(r6 + 8) = r0
  r1 = r10
  r1 += -8
  r2 = 4
  r3 = *(u64 *)(r6 + 0)
  call 113
  r0 = *(u32 *)(r10 - 8)
  exit`,
      {
        init: (k) => k.setCurrent(k.createTask({ pid: 321, comm: "cat" })),
        after: (k) => BigInt(k.current),
      },
    );
    expect(u64At(r.ctx, 0)).toBe(r.after);
    expect(u64At(r.ctx, 8)).toBe(r.after);
    expect(r.r0).toBe((321).toString(16)); // task->pid, read through the pointer
  });
});

describe("bpf_task_pt_regs", () => {
  it("returns the task's saved user registers: a pt_regs block per task, zeroed until the host fills it", async () => {
    const r = await inKernelModes(
      `
  r6 = r1
  call 158
  r1 = r0
  call 175
  *(u64 *)(r6 + 0) = r0
  r1 = r6
  r1 += 8
  r2 = 8
  r3 = r0
  r3 += 128
  call 113
  r1 = r6
  r1 += 16
  r2 = 8
  r3 = *(u64 *)(r6 + 0)
  r3 += 112
  call 113
  exit`,
      {
        init: (k) => {
          const t = k.createTask({ pid: 5 });
          k.createTask({ pid: 6 });
          k.setCurrent(t);
          // x86 pt_regs: ip at 128, di at 112 (read as a program reads PT_REGS_IP / _PARM1 of it)
          k.machine.mem.view.setBigUint64(k.taskPtRegs(t) + 128, 0x401000n, true);
        },
        after: (k) => BigInt(k.taskPtRegs(k.current)),
      },
    );
    const regs = r.after as bigint;
    expect(regs).not.toBe(0n);
    expect([u64At(r.ctx, 0), u64At(r.ctx, 8), u64At(r.ctx, 16)]).toEqual([regs, 0x401000n, 0n]);
  });
});
