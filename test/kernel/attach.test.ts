// fentry / fexit / fmod_ret through per-target trampolines: clang-compiled programs
// (test/fixtures/kernel/tracing.c) on the simulated kernel, results read back from maps.
import { beforeEach, describe, expect, it } from "vitest";
import { MAX_TRAMP_LINKS, SimKernel, type KernelProgram } from "../../src/kernel/index.js";
import type { BpfObject } from "../../src/object/bpf-object.js";
import { BpfError } from "../../src/errors.js";
import type { BpfMap } from "../../src/runtime/maps.js";
import { clearLog, FIXTURES, runLog, setSlot, slot } from "./support.js";

const neg = (x: bigint): bigint => BigInt.asUintN(64, -x);

async function setup(): Promise<{ k: SimKernel; obj: BpfObject; out: BpfMap; seq: BpfMap; load: (n: string) => Promise<KernelProgram> }> {
  const k = await SimKernel.create({ generated: 50 });
  const obj = await k.open(FIXTURES + "tracing.o");
  obj.createMaps();
  return { k, obj, out: obj.map("out"), seq: obj.map("seq"), load: (n) => k.load(obj, n) };
}

function errnoOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof BpfError) return e.code;
    throw e;
  }
  return "no error";
}

describe("fentry / fexit / fmod_ret", () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it("gives fentry the arguments and fexit the arguments and the return value (BPF_PROG)", async () => {
    const { k, out, load } = t;
    k.attach(await load("test1_entry"));
    k.attach(await load("test1_exit"));
    expect(k.call("bpf_fentry_test1", 41n)).toBe(42n);
    expect([0, 1, 2, 3].map((i) => slot(out, i))).toEqual([41n, 1n, 42n, 41n]);
  });

  it("implements bpf_get_func_arg / _arg_cnt / _ip / _ret and bpf_get_attach_cookie", async () => {
    const { k, out, load } = t;
    k.attach(await load("test3_args"), undefined, { cookie: 0xc0ffee123n });
    k.attach(await load("test3_ret"));
    expect(k.call("bpf_fentry_test3", 1n, 2n, 3n)).toBe(6n);
    expect(slot(out, 4)).toBe(3n); // nr_args
    expect(slot(out, 5)).toBe(3n); // arg 2
    expect(slot(out, 6)).toBe(neg(22n)); // n >= nr_args: -EINVAL
    expect(slot(out, 7)).toBe(k.fn("bpf_fentry_test3").ip);
    expect(slot(out, 8)).toBe(0xc0ffee123n);
    expect(slot(out, 9)).toBe(6n);
  });

  it("fmod_ret: the return slot starts at 0; a nonzero return skips the original and becomes the return value, fexit sees it", async () => {
    const { k, out, load } = t;
    k.attach(await load("modret"));
    k.attach(await load("modret_exit"));
    const b = k.machine.rt.alloc(8);
    const v = (): number => k.machine.mem.view.getInt32(b, true);
    expect(k.call("bpf_modify_return_test", 1n, BigInt(b))).toBe(2n); // original: *b = 1, 1 + 1
    expect(v()).toBe(1);
    expect(slot(out, 10)).toBe(0n);
    expect(slot(out, 13)).toBe(2n);
    setSlot(out, 12, 42n);
    expect(k.call("bpf_modify_return_test", 1n, BigInt(b))).toBe(42n);
    expect(v()).toBe(1); // the original did not run
    expect(slot(out, 13)).toBe(42n);
    expect(slot(out, 11)).toBe(2n);
  });

  it("fmod_ret only on the error-injection list and int security_ hooks (-EINVAL)", async () => {
    const { k, load } = t;
    const bad0 = await load("test1_entry");
    expect(errnoOf(() => k.attach(bad0, "no_such_function"))).toBe("ENOENT");
    const bad = await load("modret_bad");
    expect(errnoOf(() => k.attach(bad))).toBe("EINVAL");
    expect(k.attach(bad, "should_failslab").attached).toBe(true); // allowed there
    expect(k.call("should_failslab", 0n, 0n)).toBe(1n); // and it overrides the return value
  });

  it("runs fentry → fmod_ret → original → fexit, most recently attached first within a kind", async () => {
    const { k, out, seq, load } = t;
    for (const n of ["order_fentry_1", "order_fexit_3", "order_fentry_2", "order_fexit_4"]) k.attach(await load(n));
    k.call("bpf_fentry_test2", 1n, 2n);
    expect(runLog(seq)).toEqual([2, 1, 4, 3]);
    clearLog(seq);
    for (const n of ["order_exit_9", "order_modret_5", "order_modret_6", "order_entry_8", "order_modret_7"]) k.attach(await load(n));
    const b = k.machine.rt.alloc(8);
    expect(k.call("bpf_modify_return_test", 1n, BigInt(b))).toBe(2n);
    expect(runLog(seq)).toEqual([8, 7, 6, 5, 9]);
    clearLog(seq);
    setSlot(out, 20, 5n); // order_modret_7 (the newest) returns 5: 6, 5 and the original are skipped
    expect(k.call("bpf_modify_return_test", 1n, BigInt(b))).toBe(5n);
    expect(runLog(seq)).toEqual([8, 7, 9]);
    expect(k.machine.mem.view.getInt32(b, true)).toBe(1);
  });

  it(`allows ${MAX_TRAMP_LINKS} programs per function (-E2BIG after) and each program once (-EBUSY)`, async () => {
    const { k, out, load } = t;
    const progs: KernelProgram[] = [];
    for (let i = 0; i <= MAX_TRAMP_LINKS; i++) progs.push(await load("count_test1"));
    const links = progs.slice(0, MAX_TRAMP_LINKS).map((p) => k.attach(p));
    expect(errnoOf(() => k.attach(progs[MAX_TRAMP_LINKS]!))).toBe("E2BIG");
    expect(errnoOf(() => k.attach(progs[0]!))).toBe("EBUSY");
    k.call("bpf_fentry_test1", 0n);
    expect(slot(out, 21)).toBe(BigInt(MAX_TRAMP_LINKS));
    links[0]!.detach();
    k.attach(progs[MAX_TRAMP_LINKS]!); // room again
    expect(errnoOf(() => k.attach(progs[1]!))).toBe("EBUSY");
  });

  it("skips a program entered again on the same CPU and counts recursion_misses", async () => {
    const { k, out, load } = t;
    const p = await load("recurse"); // calls bpf_get_numa_node_id, which it is attached to
    k.attach(p);
    k.call("bpf_get_numa_node_id", 0n, 0n, 0n, 0n, 0n);
    expect(slot(out, 19)).toBe(1n);
    expect(p.recursionMisses).toBe(1n);
    k.cpu = 3; // the guard is per CPU and released after each run
    k.call("bpf_get_numa_node_id", 0n, 0n, 0n, 0n, 0n);
    expect(slot(out, 19)).toBe(2n);
    expect(p.recursionMisses).toBe(2n);
  });

  it("detach during a run: the call in flight finishes on the old image (its fexit still runs); later calls see no program", async () => {
    const { k, seq, load } = t;
    const links: Array<{ detach(): void }> = [];
    k.defineFunction({ name: "host_op", params: [["n", "int"]], ret: "int" }, (n) => {
      for (const l of links) l.detach();
      return n + 1n;
    });
    links.push(k.attach(await load("rec_entry"), "host_op"), k.attach(await load("rec_exit"), "host_op"));
    expect(k.call("host_op", 1n)).toBe(2n);
    expect(runLog(seq)).toEqual([10, 11]);
    expect(k.call("host_op", 1n)).toBe(2n);
    expect(runLog(seq)).toEqual([10, 11]);
    expect(k.attached("host_op")).toEqual([]);
  });

  it("nests trampolines when a traced function calls itself (each level runs the programs)", async () => {
    const { k, seq, load } = t;
    k.attach(await load("rec_entry"));
    k.attach(await load("rec_exit"));
    expect(k.call("wabpf_recurse", 2n)).toBe(2n);
    expect(runLog(seq)).toEqual([10, 10, 10, 11, 11, 11]);
  });

  it("counts run_cnt and run_time_ns when stats are enabled", async () => {
    const { k, load } = t;
    const p = await load("count_test1");
    k.attach(p);
    k.call("bpf_fentry_test1", 0n);
    expect(p.runCnt).toBe(0n);
    k.setStats(true);
    for (let i = 0; i < 10; i++) k.call("bpf_fentry_test1", 0n);
    expect(p.runCnt).toBe(10n);
    expect(p.runTimeNs).toBeGreaterThanOrEqual(0n);
    k.setStats(false);
    k.call("bpf_fentry_test1", 0n);
    expect(p.runCnt).toBe(10n);
  });

  it("traces the syscall path: struct pointers read with CO-RE, the current task, fmod_ret on a security hook", async () => {
    const { k, out, load } = t;
    k.setCurrent(k.createTask({ pid: 77, tgid: 70, comm: "reader" }));
    k.openFile(3, 1000n);
    k.attach(await load("read_entry"));
    k.attach(await load("deny_read"));
    expect(k.syscall(0, 3n, 0x300000n, 10n)).toBe(10n);
    expect(slot(out, 14)).toBe(10n);
    expect(slot(out, 15)).toBe(1000n);
    expect(slot(out, 16)).toBe((70n << 32n) | 77n);
    expect(Buffer.from(new BigUint64Array([slot(out, 17)]).buffer).toString("latin1")).toBe("reader\0\0");
    setSlot(out, 18, 1n); // EPERM
    expect(BigInt.asIntN(32, k.syscall(0, 3n, 0x300000n, 10n))).toBe(-1n);
  });

  it("restores the function when the last program goes", async () => {
    const { k, out, load } = t;
    const l = k.attach(await load("test1_entry"));
    k.call("bpf_fentry_test1", 1n);
    l.detach();
    expect(l.attached).toBe(false);
    k.call("bpf_fentry_test1", 2n);
    expect(slot(out, 0)).toBe(1n);
    expect(k.machine.mem.table.get(k.fn("bpf_fentry_test1").entrySlot)).toBe(k.machine.mem.table.get(k.fn("bpf_fentry_test1").origSlot));
  });

  it("kernel memory reads through bad pointers fault to 0 (bpf_probe_read_kernel of a user address: -ERANGE as on x86-64, zeroed)", async () => {
    const { k, out, load } = t;
    k.attach(await load("open_entry"));
    setSlot(out, 22, 99n);
    k.call("security_file_open", 0x18n); // a pointer into the null guard
    expect(slot(out, 22)).toBe(0n);
    expect(slot(out, 23)).toBe(neg(34n)); // the machine's helper: copy_from_kernel_nofault refuses user addresses
    expect(slot(out, 24)).toBe(0n);
    const file = k.openFile(4, 4242n);
    k.call("security_file_open", BigInt(file));
    expect(slot(out, 22)).toBe(4242n);
  });

  it("runs programs without a frame once the tracing stack is exhausted (deep recursion), and stays balanced", async () => {
    const { k, seq, load } = t;
    k.attach(await load("rec_entry"));
    k.attach(await load("rec_exit")); // with fexit, each level keeps its frame across the nested call
    expect(k.call("wabpf_recurse", 100n)).toBe(100n);
    const runs = Number(slot(seq, 0));
    expect(runs).toBeGreaterThan(100);
    expect(runs).toBeLessThan(202); // levels past the stack's end ran without programs
    expect(runs % 2).toBe(0); // each level ran both or neither
    clearLog(seq);
    k.call("wabpf_recurse", 3n);
    expect(Number(slot(seq, 0))).toBe(8); // the stack pointer came back: all levels run again
  });

  it("counts run_cnt through the global trampoline too", async () => {
    const { k } = t;
    const obj = await k.open(FIXTURES + "multi.o");
    obj.createMaps();
    const p = await k.load(obj, "multi_entry");
    k.attachMulti(p);
    k.setStats(true);
    for (let i = 0; i < 5; i++) k.call("bpf_fentry_test2", 1n, 2n);
    expect(p.runCnt).toBe(5n);
  });

  it("lets an fentry program call bpf_get_func_ret, which returns -EOPNOTSUPP (Linux patches the call)", async () => {
    const p = await t.load("entry_reads_ret");
    expect(p.verdict.accepted).toBe(true);
  });
});
