// raw_tp, tp_btf and classic tp programs on the simulated kernel's tracepoints: the syscall
// path (sys_enter / sys_exit, syscalls:sys_{enter,exit}_<name>), sched_wakeup_new, the bench
// trigger's tracepoint, host-defined ones; tracefs-style format files.
import { beforeEach, describe, expect, it } from "vitest";
import { slot } from "./support.js";
import { errnoOf, loadError, setupProbes, type ProbeSetup } from "./probes-support.js";
import { defaultProbeTriggerObject } from "../../src/kernel/bench-trigger.js";

const neg = (x: bigint): bigint => BigInt.asUintN(64, -x);
const le64 = (s: string): bigint => {
  const b = new Uint8Array(8);
  b.set(new TextEncoder().encode(s).subarray(0, 8));
  return new DataView(b.buffer).getBigUint64(0, true);
};

describe("tracepoints", () => {
  let t: ProbeSetup;
  beforeEach(async () => {
    t = await setupProbes();
  });

  it("raw_tp/sys_enter and raw_tracepoint/sys_exit get the u64 argument array (pt_regs pointer, id / ret)", async () => {
    const { k, out, load } = t;
    k.attach(await load("rtp_enter"));
    k.attach(await load("rtp_exit"));
    k.setCurrent(k.createTask({ pid: 50, comm: "x" }));
    expect(k.syscall(121, 9n)).toBe(50n);
    expect([14, 15, 16].map((i) => slot(out, i))).toEqual([121n, 9n, 50n]);
    expect(k.syscall(257, 0xffffff9cn, 0x1000n, 0o101n)).toBe(neg(2n)); // openat: -ENOENT here
    expect([14, 15, 16].map((i) => slot(out, i))).toEqual([257n, 0xffffff9cn, neg(2n)]);
  });

  it("tp/syscalls/sys_enter_openat and sys_exit_openat: the record's fields; only that syscall; the cookie; the current task", async () => {
    const { k, out, load } = t;
    k.attach(await load("tp_openat"), undefined, { cookie: 0x77n });
    k.attach(await load("tp_exit_openat"));
    k.setCurrent(k.createTask({ pid: 1234, tgid: 1200, comm: "opener" }));
    k.syscall(121);
    expect(slot(out, 17)).toBe(0n);
    k.syscall(257, BigInt.asUintN(64, -100n), 0x7ffd0000n, 0o2101n);
    expect(slot(out, 17)).toBe(257n);
    expect(slot(out, 18)).toBe(BigInt.asUintN(64, -100n));
    expect(slot(out, 19)).toBe(0o2101n);
    expect(slot(out, 20)).toBe(0x77n);
    expect(slot(out, 21)).toBe(neg(2n));
    expect(slot(out, 32)).toBe((1200n << 32n) | 1234n);
    expect(slot(out, 33)).toBe(le64("opener"));
  });

  it("CO-RE against the kernel's struct trace_event_raw_sys_enter (vmlinux-style record structs in k.btf)", async () => {
    const { k, out, load } = t;
    k.attach(await load("core_openat"));
    k.syscall(257, 1n, 2n, 0o644n);
    expect(slot(out, 43)).toBe(0o644n);
    for (const n of ["trace_entry", "trace_event_raw_sys_enter", "trace_event_raw_sys_exit", "trace_event_raw_sched_wakeup_template", "trace_event_raw_bpf_trigger_tp"]) {
      expect(k.btf.findByName(n, "STRUCT").length).toBe(1);
    }
  });

  it("tp/raw_syscalls/sys_enter sees every syscall: id and args[]", async () => {
    const { k, out, load } = t;
    k.attach(await load("tp_raw_enter"));
    k.syscall(62, 42n, 9n);
    expect([22, 23].map((i) => slot(out, i))).toEqual([62n, 42n]);
  });

  it("sched_wakeup_new: the classic record (comm, pid, prio) and tp_btf's typed task pointer", async () => {
    const { k, out, load } = t;
    k.attach(await load("tp_wakeup"));
    k.attach(await load("btf_wakeup"));
    const task = k.createTask({ pid: 321, comm: "child" });
    k.call("wake_up_new_task", BigInt(task));
    expect(slot(out, 24)).toBe(321n);
    expect(slot(out, 25)).toBe(le64("child"));
    expect(slot(out, 26)).toBe(120n);
    expect(slot(out, 27)).toBe(BigInt(task));
    expect(slot(out, 28)).toBe(321n);
    // tp_btf's types: typedef void (*btf_trace_sched_wakeup_new)(void *, struct task_struct *)
    const [td] = k.btf.findByName("btf_trace_sched_wakeup_new", "TYPEDEF");
    expect(td).toBeDefined();
    const proto = k.btf.skipModsAndTypedefs(td!);
    expect(proto?.type.kind).toBe("PTR");
  });

  it("the first 8 bytes (common fields) are not readable; reads past the record or the arguments are refused at attach", async () => {
    const { k, load } = t;
    const e = await loadError(load("tp_common"));
    expect(e.message).toMatch(/invalid bpf_context access off=4/);
    expect(errnoOf(() => k.attach(tp_past))).toBe("EACCES");
    expect(errnoOf(() => k.attach(rtp_past))).toBe("EINVAL");
    expect(errnoOf(() => k.attach(tp_past, "sched/no_such_event"))).toBe("ENOENT");
  });
  let tp_past: Awaited<ReturnType<ProbeSetup["load"]>>;
  let rtp_past: Awaited<ReturnType<ProbeSetup["load"]>>;
  beforeEach(async () => {
    tp_past = await t.load("tp_past");
    rtp_past = await t.load("rtp_past");
  });

  it("classic tp programs run under bpf_prog_active (skipped inside a kprobe program), raw_tp ones under their own guard", async () => {
    const { k, out, load } = t;
    const tp = await load("tp_trigger");
    const rtp = await load("rtp_trigger");
    k.attach(tp);
    k.attach(rtp);
    k.attach(await load("kp_nest"));
    k.triggerLoop(1); // helper 42: the trigger function, then bpf_trigger_tp
    expect([30, 31].map((i) => slot(out, i))).toEqual([1n, 1n]);
    k.call("bpf_fentry_test1", 1n); // kp_nest -> the trigger -> its tracepoint
    expect([30, 31].map((i) => slot(out, i))).toEqual([1n, 2n]);
    expect(tp.recursionMisses).toBe(1n);
    expect(rtp.recursionMisses).toBe(0n);
  });

  it("host-defined tracepoints: defineTracepoint, fireTracepoint, and a classic event with a format", async () => {
    const { k, out, load } = t;
    k.defineTracepoint("wabpf_host_event", [["a", "u64"], ["b", "u64"]], { system: "wabpf" });
    k.fireTracepoint("wabpf_host_event", 1n, 2n); // nothing attached: nothing happens
    const l = k.attach(await load("rtp_host"));
    k.fireTracepoint("wabpf_host_event", 40n, 2n);
    expect(slot(out, 38)).toBe(42n);
    l.detach();
    k.fireTracepoint("wabpf_host_event", 1n, 2n);
    expect(slot(out, 38)).toBe(42n);
    expect(k.tracepointFormat("wabpf/wabpf_host_event")).toContain("\tfield:u64 a;\toffset:8;\tsize:8;\tsigned:0;\n");
    expect(() => k.fireTracepoint("wabpf_host_event", 1n)).toThrow(/takes 2 arguments/);
  });

  it("detaching the last program restores the call site; raw and classic programs on one tracepoint", async () => {
    const { k, out, load } = t;
    const a = k.attach(await load("rtp_enter"));
    const b = k.attach(await load("tp_raw_enter"));
    k.syscall(62, 1n, 0n);
    expect([14, 22].map((i) => slot(out, i))).toEqual([62n, 62n]);
    a.detach();
    k.syscall(121, 1n);
    expect([14, 22].map((i) => slot(out, i))).toEqual([62n, 121n]);
    b.detach();
    k.syscall(0, 1n);
    expect([14, 22].map((i) => slot(out, i))).toEqual([62n, 121n]);
    expect(a.target).toEqual({ name: "sys_enter", tracepoint: true });
  });

  it("a lone raw_tp program that reads no ctx runs straight from the call site (the bench's rawtp), and stops when detached", async () => {
    const { k } = t;
    const obj = await k.open(defaultProbeTriggerObject(), "trigger");
    obj.createMaps();
    const hits = (): bigint => new DataView(obj.map("trigger.bss").lookup(new Uint8Array(4))!.buffer).getBigUint64(0, true);
    const l = k.attach(await k.load(obj, "bench_trigger_rawtp"));
    for (let i = 0; i < 3; i++) k.triggerLoop(1); // helper 42: the trigger function, then bpf_trigger_tp
    expect(hits()).toBe(3n);
    l.detach();
    k.triggerLoop(1); // helper 42: the trigger function, then bpf_trigger_tp
    expect(hits()).toBe(3n);
    k.attach(await k.load(obj, "bench_trigger_tp"));
    k.triggerLoop(1); // helper 42: the trigger function, then bpf_trigger_tp
    expect(hits()).toBe(4n);
  });

  it("format files as tracefs prints them", () => {
    const { k } = t;
    expect(k.tracepointFormat("syscalls/sys_enter_openat")).toBe(
      [
        "name: sys_enter_openat",
        `ID: ${k.events.find((e) => e.name === "sys_enter_openat")!.id}`,
        "format:",
        "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;",
        "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;",
        "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;",
        "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;",
        "",
        "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;",
        "\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;",
        "\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;",
        "\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;",
        "\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;",
        "",
        `print fmt: "dfd: 0x%08lx, filename: 0x%08lx, flags: 0x%08lx, mode: 0x%08lx", ((unsigned long)(REC->dfd)), ((unsigned long)(REC->filename)), ((unsigned long)(REC->flags)), ((unsigned long)(REC->mode))`,
        "",
      ].join("\n"),
    );
    expect(k.tracepointFormat("raw_syscalls:sys_enter")).toContain("\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;\n");
    expect(k.tracepointFormat("sched/sched_wakeup_new")).toContain("\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n");
    expect(errnoOf(() => k.tracepointFormat("sched/nope"))).toBe("ENOENT");
    expect(k.tracepoints.map((x) => x.name)).toEqual(["sys_enter", "sys_exit", "sched_wakeup_new", "bpf_trigger_tp"]);
  });
});
