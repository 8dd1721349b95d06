import { describe, expect, it } from "vitest";
import { inAllModes, neg, str } from "./helpers-support.js";

// bpf_get_current_pid_tgid (14), _uid_gid (15), _comm (16) on the machine's simulated
// current task (Machine.setCurrentTask), per CPU; interpreter, JIT through JS, JIT native.

const PROG = (commSize: number): string => `
  r6 = r1
  call 14
  *(u64 *)(r6 + 0) = r0
  call 15
  *(u64 *)(r6 + 8) = r0
  r1 = -1
  *(u64 *)(r6 + 16) = r1
  *(u64 *)(r6 + 24) = r1
  r1 = r6
  r1 += 16
  r2 = ${commSize}
  call 16
  *(u64 *)(r6 + 32) = r0
  r0 = 0
  exit`;

const u64At = (b: number[], off: number): bigint => new DataView(Uint8Array.from(b).buffer).getBigUint64(off, true);

describe("current task helpers", () => {
  it("read the task the host set: tgid << 32 | pid, gid << 32 | uid, comm NUL-padded", async () => {
    const r = await inAllModes(PROG(16), { init: (m) => m.setCurrentTask({ pid: 1234, tgid: 1200, uid: 1000, gid: 100, comm: "curl" }) });
    expect(u64At(r.ctx, 0)).toBe((1200n << 32n) | 1234n);
    expect(u64At(r.ctx, 8)).toBe((100n << 32n) | 1000n);
    expect(r.ctx.slice(16, 32)).toEqual([...new TextEncoder().encode("curl"), ...new Array(12).fill(0)]);
    expect(u64At(r.ctx, 32)).toBe(0n);
  });

  it("get_current_comm cuts to size - 1 bytes plus NUL; a 15-byte comm at most", async () => {
    const r = await inAllModes(PROG(3), { init: (m) => m.setCurrentTask({ pid: 5, comm: "systemd-journald" }) });
    expect(r.ctx.slice(16, 24)).toEqual([0x73, 0x79, 0, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const full = await inAllModes(PROG(16), { init: (m) => m.setCurrentTask({ pid: 5, comm: "systemd-journald" }) });
    expect(str(full.ctx.slice(16, 32))).toBe("systemd-journal");
  });

  it("each CPU has its own current task; CPUs start in their idle task (pid 0, swapper/N)", async () => {
    const setup = { init: (m: import("../../src/runtime/machine.js").Machine) => m.setCurrentTask({ pid: 77, comm: "on-cpu-2" }, 2) };
    const on2 = await inAllModes(PROG(16), { ...setup, cpu: 2 });
    expect(u64At(on2.ctx, 0)).toBe((77n << 32n) | 77n);
    const on1 = await inAllModes(PROG(16), { ...setup, cpu: 1 });
    expect(u64At(on1.ctx, 0)).toBe(0n);
    expect(str(on1.ctx.slice(16, 32))).toBe("swapper/1");
  });

  it("with no current task: -EINVAL from all three, comm zeroed", async () => {
    const r = await inAllModes(PROG(16), { init: (m) => m.setCurrentTask(null) });
    expect(u64At(r.ctx, 0).toString(16)).toBe(neg(22));
    expect(u64At(r.ctx, 8).toString(16)).toBe(neg(22));
    expect(r.ctx.slice(16, 32)).toEqual(new Array(16).fill(0));
    expect(u64At(r.ctx, 32).toString(16)).toBe(neg(22));
  });
});
