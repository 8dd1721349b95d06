// The tracing multi-link: one program on many functions, per-function cookies, the kfunc_md
// hash table (growth and shrinking with thousands of functions), the global trampolines, and
// cooperation with regular links (or the series' -EEXIST behind multiExclusive).
import { describe, expect, it } from "vitest";
import { SimKernel, type KernelOptions } from "../../src/kernel/index.js";
import { BpfError } from "../../src/errors.js";
import { FIXTURES, hashGet, setSlot } from "./support.js";
import { defaultTriggerObject, triggerHits } from "../../src/kernel/bench-trigger.js";

async function setup(opts: KernelOptions = {}) {
  const k = await SimKernel.create({ generated: 50, ...opts });
  const obj = await k.open(FIXTURES + "multi.o");
  obj.createMaps();
  return { k, obj, load: (n: string) => k.load(obj, n) };
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

describe("tracing multi-link", () => {
  it("attaches one program to a glob with one cookie per function", async () => {
    const { k, obj, load } = await setup();
    const p = await load("multi_entry");
    const link = k.attachMulti(p, undefined, { cookies: [11n, 22n, 33n] });
    expect(link.targets.map((f) => f.name)).toEqual(["bpf_fentry_test1", "bpf_fentry_test2", "bpf_fentry_test3"]);
    expect(k.call("bpf_fentry_test1", 1n)).toBe(2n);
    expect(k.call("bpf_fentry_test2", 1n, 2n)).toBe(3n);
    expect(k.call("bpf_fentry_test3", 1n, 2n, 3n)).toBe(6n);
    k.call("bpf_fentry_test3", 1n, 2n, 3n);
    const ip = (n: string): bigint => k.fn(n).ip;
    expect(hashGet(obj.map("cookies"), ip("bpf_fentry_test1"))).toBe(11n);
    expect(hashGet(obj.map("cookies"), ip("bpf_fentry_test2"))).toBe(22n);
    expect(hashGet(obj.map("cookies"), ip("bpf_fentry_test3"))).toBe(33n);
    expect(hashGet(obj.map("hits"), ip("bpf_fentry_test3"))).toBe(2n);
    expect(k.kfuncMdStats().count).toBe(3);
    link.detach();
    k.call("bpf_fentry_test1", 1n);
    expect(hashGet(obj.map("hits"), ip("bpf_fentry_test1"))).toBe(1n);
    expect(k.kfuncMdStats().count).toBe(0);
  });

  it("cookies by name; fexit.multi sees each function's return value", async () => {
    const { k, obj, load } = await setup();
    k.attachMulti(await load("multi_entry"), ["bpf_fentry_test2", "bpf_fentry_test1"], { cookies: new Map([["bpf_fentry_test1", 7n]]) });
    k.attachMulti(await load("multi_exit"));
    k.call("bpf_fentry_test1", 9n);
    k.call("bpf_fentry_test2", 4n, 5n);
    expect(hashGet(obj.map("cookies"), k.fn("bpf_fentry_test1").ip)).toBe(7n);
    expect(hashGet(obj.map("cookies"), k.fn("bpf_fentry_test2").ip)).toBe(0n);
    expect(hashGet(obj.map("rets"), k.fn("bpf_fentry_test1").ip)).toBe(10n);
    expect(hashGet(obj.map("rets"), k.fn("bpf_fentry_test2").ip)).toBe(9n);
  });

  it("fmod_ret.multi: nonzero skips the original; only on allowed targets", async () => {
    const { k, obj, load } = await setup();
    const p = await load("multi_modret");
    expect(errnoOf(() => k.attachMulti(p, ["should_failslab", "bpf_fentry_test1"]))).toBe("EINVAL");
    k.attachMulti(p, ["should_failslab", "security_file_open"]);
    expect(k.call("should_failslab", 0n, 0n)).toBe(0n);
    setSlot(obj.map("ctl"), 0, BigInt.asUintN(64, -12n));
    expect(BigInt.asIntN(32, k.call("should_failslab", 0n, 0n))).toBe(-12n);
    expect(BigInt.asIntN(32, k.call("security_file_open", 0n))).toBe(-12n);
    expect(hashGet(obj.map("hits"), k.fn("should_failslab").ip)).toBe(2n);
  });

  it("checks the arguments the program reads against every target (-EINVAL on a mismatch)", async () => {
    const { k, load } = await setup();
    const p = await load("multi_arg0"); // reads argument 0 as int
    expect(errnoOf(() => k.attachMulti(p, ["bpf_fentry_test1", "security_file_open"]))).toBe("EINVAL"); // struct file *
    expect(errnoOf(() => k.attachMulti(p, ["bpf_fentry_test1", "sim_mm_fn_00000"]))).toBe("EINVAL"); // no arguments
    const l = k.attachMulti(p, ["bpf_fentry_test1", "bpf_fentry_test2", "bpf_fentry_test3"].slice(0, 2));
    expect(l.targets.length).toBe(2);
    // the program never reads arguments: any target goes
    k.attachMulti(await load("multi_count"), ["bpf_fentry_test1", "sim_mm_fn_00000", "vfs_read"]);
  });

  it("-EBUSY when the program is already on one of the functions", async () => {
    const { k, load } = await setup();
    const p = await load("multi_count");
    k.attachMulti(p, ["bpf_fentry_test1", "bpf_fentry_test2"]);
    expect(errnoOf(() => k.attachMulti(p, ["bpf_fentry_test3", "bpf_fentry_test2"]))).toBe("EBUSY");
    expect(k.attached("bpf_fentry_test3")).toEqual([]); // nothing half-attached
  });

  it("cooperates with a regular fentry on the same function: both run, merged by kind and attach order", async () => {
    const { k, obj, load } = await setup();
    const reg = await load("regular_entry");
    const multi = await load("multi_entry");
    const r = k.attach(reg);
    const m = k.attachMulti(multi, ["bpf_fentry_test1", "bpf_fentry_test2"], { cookies: [5n, 6n] });
    expect(k.attached("bpf_fentry_test1").map((a) => [a.program.name, a.multi])).toEqual([["multi_entry", true], ["regular_entry", false]]);
    k.call("bpf_fentry_test1", 1n);
    expect(hashGet(obj.map("cookies"), 1n)).toBe(1n); // the regular program ran
    expect(hashGet(obj.map("cookies"), k.fn("bpf_fentry_test1").ip)).toBe(5n); // and the multi one, with its cookie
    r.detach(); // back to the global trampoline
    k.call("bpf_fentry_test1", 1n);
    expect(hashGet(obj.map("hits"), k.fn("bpf_fentry_test1").ip)).toBe(2n);
    expect(hashGet(obj.map("cookies"), 1n)).toBe(1n);
    m.detach();
  });

  it("multiExclusive: the series' -EEXIST for a multi-link on a function with a regular fentry", async () => {
    const { k, load } = await setup({ multiExclusive: true });
    k.attach(await load("regular_entry"));
    const m = await load("multi_entry");
    expect(errnoOf(() => k.attachMulti(m))).toBe("EEXIST"); // bpf_fentry_test1 has the regular fentry
    expect(k.attached("bpf_fentry_test2")).toEqual([]);
    k.attachMulti(m, ["bpf_fentry_test2", "bpf_fentry_test3"]); // elsewhere it attaches
  });

  it("detach during a run through the global trampoline: the call finishes with the list it started with", async () => {
    const { k, obj, load } = await setup();
    const links: Array<{ detach(): void }> = [];
    k.defineFunction({ name: "host_multi", params: [["n", "int"]], ret: "int" }, (n) => {
      for (const l of links) l.detach();
      return n * 3n;
    });
    links.push(k.attachMulti(await load("multi_entry"), ["host_multi"]), k.attachMulti(await load("multi_exit"), ["host_multi"]));
    expect(k.call("host_multi", 5n)).toBe(15n);
    const ip = k.fn("host_multi").ip;
    expect(hashGet(obj.map("rets"), ip)).toBe(15n); // fexit ran from the retired list
    expect(k.call("host_multi", 2n)).toBe(6n);
    expect(hashGet(obj.map("hits"), ip)).toBe(1n);
    expect(k.kfuncMdStats().count).toBe(0);
  });
});

describe("the generic global trampoline (more than two programs of a kind)", () => {
  it("runs longer lists in order, fmod_ret's nonzero return skipping the rest, and survives detach during a run", async () => {
    const { k, obj, load } = await setup();
    const links: Array<{ detach(): void }> = [];
    k.defineFunction({ name: "host_long", params: [["n", "int"]], ret: "int" }, (n) => {
      for (const l of links.splice(0)) l.detach();
      return n + 100n;
    });
    const entries = [await load("multi_entry"), await load("multi_entry"), await load("multi_entry")];
    entries.forEach((p, i) => links.push(k.attachMulti(p, ["host_long"], { cookies: [BigInt(i + 1)] })));
    for (let i = 0; i < 3; i++) links.push(k.attachMulti(await load("multi_exit"), ["host_long"]));
    expect(k.attached("host_long").map((a) => a.cookie).slice(0, 3)).toEqual([3n, 2n, 1n]); // newest first
    const ip = k.fn("host_long").ip;
    expect(k.call("host_long", 1n)).toBe(101n);
    expect(hashGet(obj.map("hits"), ip)).toBe(3n);
    expect(hashGet(obj.map("cookies"), ip)).toBe(1n); // the oldest ran last
    expect(hashGet(obj.map("rets"), ip)).toBe(101n); // fexit ran from the list the call started with
    expect(k.call("host_long", 2n)).toBe(102n);
    expect(hashGet(obj.map("hits"), ip)).toBe(3n);

    const mr = [await load("multi_modret"), await load("multi_modret"), await load("multi_modret")];
    for (const p of mr) k.attachMulti(p, ["should_failslab"]);
    setSlot(obj.map("ctl"), 0, 7n);
    expect(k.call("should_failslab", 0n, 0n)).toBe(7n);
    expect(hashGet(obj.map("hits"), k.fn("should_failslab").ip)).toBe(1n); // the first nonzero return stopped the list
  });
});

describe("kfunc_md with thousands of functions", () => {
  it("grows at 90% bucket use and shrinks below 30%, lookups stay exact", async () => {
    const k = await SimKernel.create({ generated: 4000 });
    const obj = await k.open(FIXTURES + "multi.o");
    obj.createMaps();
    const all = k.functions.filter((f) => f.nargs <= 6).map((f) => f.name);
    const p = await k.load(obj, "multi_count");
    expect(k.kfuncMdStats().buckets).toBe(16);
    // attach in chunks: after every insert, entries < 90% of buckets
    const links = [];
    for (let i = 0; i < all.length; i += 500) {
      const chunk = all.slice(i, i + 500);
      const progI = await k.load(obj, "multi_count");
      links.push(k.attachMulti(progI, chunk));
      const s = k.kfuncMdStats();
      expect(s.count).toBe(Math.min(i + 500, all.length));
      expect(s.count * 10).toBeLessThan(s.buckets * 9);
      expect(s.count * 10).toBeGreaterThanOrEqual((s.buckets / 2) * 9 - 10);
    }
    const big = k.kfuncMdStats();
    expect(big.buckets).toBe(8192); // 4016 entries: 4096 buckets would be 98% used
    // every function's calls are counted under its own address
    const sample = ["bpf_fentry_test1", "vfs_read", "sim_net_fn_00001", k.functions.at(-1)!.name, k.functions.at(-2)!.name, "wabpf_recurse"];
    for (const n of sample) {
      const f = k.fn(n);
      k.call(n, ...Array<bigint>(f.nargs).fill(0n));
      expect(hashGet(obj.map("hits"), f.ip)).toBeGreaterThanOrEqual(1n);
    }
    // a second program on everything: the same entries, longer lists
    const everything = k.attachMulti(p, "*");
    expect(k.kfuncMdStats().count).toBe(all.length);
    everything.detach();
    // detach chunk by chunk: shrinks below 30%, never under 16 buckets
    for (const l of links) {
      l.detach();
      const s = k.kfuncMdStats();
      if (s.buckets > 16) expect(s.count * 10).toBeGreaterThanOrEqual(s.buckets * 3);
    }
    expect(k.kfuncMdStats()).toMatchObject({ count: 0, buckets: 16, usedBuckets: 0 });
  }, 60_000);
});

describe("programs that never look at the frame", () => {
  it("run without a tracing-stack frame on both trampolines, with the same semantics", async () => {
    const k = await SimKernel.create({ generated: 20 });
    const obj = await k.open(defaultTriggerObject());
    obj.createMaps();
    const bss = obj.map("trigger.bss");
    const hits = (): bigint => triggerHits(bss);
    const driver = await k.load(obj, "trigger_driver");
    const names = ["bench_trigger_fentry", "bench_trigger_fexit", "bench_trigger_fmodret", "bench_trigger_fentry_multi", "bench_trigger_fexit_multi", "bench_trigger_fmodret_multi"];
    let expected = 0n;
    for (const n of names) {
      const p = await k.load(obj, n);
      expect(p.needs).toEqual({ ctx: false, ip: false, cookie: false, stack: false });
      if (p.multi) k.attachMulti(p);
      else k.attach(p);
      expected += 100n * BigInt(names.indexOf(n) + 1);
      driver.run();
      expect(hits()).toBe(expected); // every attached program counted every call
    }
    expect(k.call("bpf_get_numa_node_id", 1n, 2n, 3n, 4n, 5n)).toBe(0n); // the original ran (fmod_ret returned 0)
    const tsp = k.machine.mem.view.getUint32(k.machine.rt.exports.wabpf_kernel_tsp_addr(), true);
    const lo = k.machine.rt.exports.wabpf_kernel_tstack_lo();
    expect(tsp - lo).toBe(64 * (4096 + 128)); // the tracing stack is balanced
  });

  it("programs detached and closed leave the global trampolines: the next new program reindexes the others, which keep their cookies", async () => {
    const { k, obj, load } = await setup();
    const ip = (n: string): bigint => k.fn(n).ip;
    const keep = k.attachMulti(await load("multi_entry"), ["bpf_fentry_test1", "bpf_fentry_test2"], { cookies: [41n, 42n] });
    const heap = (): number => k.machine.rt.exports.wabpf_allocated_bytes();
    let before = 0;
    for (let i = 0; i < 12; i++) {
      // each program is new: it joins the global trampolines, and the freed ones before it leave
      const p = await load("multi_exit");
      const l = k.attachMulti(p, ["bpf_fentry_test2"]);
      expect(k.call("bpf_fentry_test2", BigInt(i), 1n)).toBe(BigInt(i + 1));
      expect(hashGet(obj.map("rets"), ip("bpf_fentry_test2"))).toBe(BigInt(i + 1));
      l.detach();
      p.close();
      if (i === 1) before = heap();
    }
    expect(heap()).toBe(before);
    // multi_entry and the last multi_exit (it leaves when the next new program joins)
    expect(k.kfuncMdStats().programs).toBe(2);
    k.call("bpf_fentry_test1", 5n);
    k.call("bpf_fentry_test2", 5n, 5n);
    expect(hashGet(obj.map("cookies"), ip("bpf_fentry_test1"))).toBe(41n);
    expect(hashGet(obj.map("cookies"), ip("bpf_fentry_test2"))).toBe(42n);
    keep.detach();
    expect(k.kfuncMdStats().count).toBe(0);
  });
});
