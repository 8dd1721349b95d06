// bench_trigger, ported: how many trigger events per second each attach kind sustains on the
// simulated kernel, measured like the kernel's selftest (bench/trigger.js and
// `wabpf bench trigger` drive it).
//
// - usermode-count: a host loop counting (the loop itself).
// - kernel-count: a JIT'd BPF program whose loop increments a per-CPU counter 100 times per run.
// - syscall-count: the host enters the simulated syscall path (getpgid) once per count.
// - trigger-only: the driver program, whose loop calls the trigger (bpf_get_numa_node_id, a
//   traceable simulated kernel function reached through helper 42) 100 times, nothing attached.
// - fentry / fexit / fmodret: the driver with one counting program attached to the trigger
//   through a per-target trampoline; *-multi through the multi-link's global trampoline;
//   fentry-multi-all with the program attached to every simulated function (a large kfunc_md).
// - rawtp / tp: the driver with a counting program on the trigger's tracepoint
//   (bpf_test_run:bpf_trigger_tp, fired by helper 42 after the trigger function): raw_tp / classic tp.
// - kprobe / kretprobe / kprobe-multi / kretprobe-multi: a counting program on the trigger
//   function's kprobe layer (assets/bpf/probe-trigger.o).
// Warm-up, then 1-second samples; mean ± stddev M/s over the samples.
import { EbpfError } from "../errors.js";
import { SimKernel } from "./kernel.js";
import type { KernelProgram } from "./program.js";
import type { BpfMap } from "../runtime/maps.js";

export const TRIGGER_VARIANTS = [
  "usermode-count", "kernel-count", "syscall-count", "trigger-only", "fentry", "fexit", "fmodret",
  "fentry-multi", "fentry-multi-all", "fexit-multi", "fmodret-multi",
  "rawtp", "tp", "kprobe", "kprobe-multi", "kretprobe", "kretprobe-multi",
] as const;
export type TriggerVariant = (typeof TRIGGER_VARIANTS)[number];

/** The series' figures (bench_trigger, x86-64, mitigations=off), M/s. */
export const SERIES_MPS: Partial<Record<TriggerVariant, number>> = {
  "usermode-count": 746.9, "kernel-count": 313.4, "syscall-count": 18.2, fentry: 107.1, fexit: 56.6, fmodret: 59.5,
  "fentry-multi": 99.1, "fentry-multi-all": 97.9, "fexit-multi": 55.4, "fmodret-multi": 56.6,
  rawtp: 166.8, tp: 61.9, kprobe: 43.7, "kprobe-multi": 47.5, kretprobe: 18.4, "kretprobe-multi": 24.5,
};

export interface TriggerResult {
  readonly name: TriggerVariant;
  readonly mean_mps: number;
  readonly stddev_mps: number;
  readonly samples: readonly number[];
  /** the fastest sample (least disturbed by other load on the machine) */
  readonly best_mps: number;
  /** events the counting programs saw / events triggered (1 where a program counts) */
  readonly counted?: number;
}

export interface TriggerBenchOptions {
  readonly warmupSec?: number;
  readonly samples?: number;
  readonly sampleSec?: number;
  readonly only?: readonly TriggerVariant[];
  /** the compiled bench object, a path or its bytes (default: the package's assets/bpf/trigger.o) */
  readonly object?: string | Uint8Array;
  /** the probe variants' programs, a path or bytes (default: the package's assets/bpf/probe-trigger.o) */
  readonly probeObject?: string | Uint8Array;
  readonly onResult?: (r: TriggerResult) => void;
}

const BATCH = 100;

// The bench objects are package assets beside this module's directory: src/assets/bpf (sources
// and the committed objects), dist/assets/bpf (copied by build:ts), web/assets/bpf for the
// browser bundle in web/dist (copied by build:web). No node:url import: the module also runs in
// browsers, where the objects are fetched.
const TRIGGER_URL = new URL("../assets/bpf/trigger.o", import.meta.url);
const PROBE_TRIGGER_URL = new URL("../assets/bpf/probe-trigger.o", import.meta.url);

export function defaultTriggerObject(): string {
  return decodeURIComponent(TRIGGER_URL.pathname);
}

export function defaultProbeTriggerObject(): string {
  return decodeURIComponent(PROBE_TRIGGER_URL.pathname);
}

/** A bench object's bytes: a path under Node, a URL fetched elsewhere. */
async function objectBytes(src: string | Uint8Array | undefined, url: URL): Promise<Uint8Array> {
  if (src instanceof Uint8Array) return src;
  if (src === undefined && url.protocol !== "file:") {
    const res = await fetch(url);
    if (!res.ok) throw new EbpfError("ENOENT", `bench object ${url.href}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  const path = src ?? decodeURIComponent(url.pathname);
  const { readFile } = await import("node:fs/promises");
  try {
    return await readFile(path);
  } catch {
    throw new EbpfError("ENOENT", `bench object ${path} not found (npm run build copies it from src/assets/bpf)`);
  }
}

function measure(step: () => void, perStep: number, o: Required<Pick<TriggerBenchOptions, "warmupSec" | "samples" | "sampleSec">>): number[] {
  const run = (sec: number): number => {
    const end = performance.now() + sec * 1000;
    let steps = 0;
    let chunk = 16;
    const t0 = performance.now();
    for (;;) {
      for (let i = 0; i < chunk; i++) step();
      steps += chunk;
      const t = performance.now();
      if (t >= end) return (steps * perStep) / ((t - t0) * 1000); // M/s
      if (t - t0 < 20) chunk *= 2;
    }
  };
  run(o.warmupSec);
  return Array.from({ length: o.samples }, () => run(o.sampleSec));
}

/** The trigger objects' event count: the per-CPU `hits` counters (128 bytes apart) in their `.bss`, summed. */
export function triggerHits(bss: BpfMap): bigint {
  const v = bss.lookup(new Uint8Array(4))!;
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  let s = 0n;
  for (let off = 0; off + 8 <= v.byteLength; off += 128) s += dv.getBigInt64(off, true);
  return s;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
const stddev = (xs: readonly number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
};

export async function runTriggerBench(opts: TriggerBenchOptions = {}): Promise<TriggerResult[]> {
  const o = { warmupSec: opts.warmupSec ?? 2, samples: opts.samples ?? 5, sampleSec: opts.sampleSec ?? 1 };
  const bytes = await objectBytes(opts.object, TRIGGER_URL);
  const want = new Set<TriggerVariant>(opts.only ?? TRIGGER_VARIANTS);
  const results: TriggerResult[] = [];
  const push = (name: TriggerVariant, samples: number[], counted?: number): void => {
    const r: TriggerResult = { name, mean_mps: mean(samples), stddev_mps: stddev(samples), samples, best_mps: Math.max(...samples), ...(counted !== undefined ? { counted } : {}) };
    results.push(r);
    opts.onResult?.(r);
  };

  // each variant on a fresh machine and kernel, as each bench_trigger variant is a fresh run
  let probeBytes: Uint8Array | null = null;
  const fresh = async (probes = false) => {
    const k = await SimKernel.create();
    const obj = await k.open(bytes, "trigger");
    obj.createMaps();
    if (probes) probeBytes ??= await objectBytes(opts.probeObject, PROBE_TRIGGER_URL);
    const pobj = probes ? await k.open(probeBytes!, "trigger") : null;
    pobj?.createMaps();
    const hitsMap = (pobj ?? obj).map("trigger.bss");
    const hits = (): bigint => triggerHits(hitsMap);
    const load = (n: string): Promise<KernelProgram> => k.load(obj, n);
    const loadProbe = (n: string): Promise<KernelProgram> => k.load(pobj ?? obj, n);
    return { k, hits, load, loadProbe };
  };

  if (want.has("usermode-count")) {
    let counter = 0;
    const step = (): void => {
      for (let i = 0; i < BATCH; i++) counter++;
    };
    push("usermode-count", measure(step, BATCH, o));
    if (counter < 0) throw new Error("unreachable");
  }
  if (want.has("kernel-count")) {
    const { load } = await fresh();
    const run = (await load("trigger_kernel_count")).prepare();
    push("kernel-count", measure(() => void run(), BATCH, o));
  }
  if (want.has("syscall-count")) {
    const { k } = await fresh();
    const sys = k.rawSyscall;
    const step = (): void => {
      for (let i = 0; i < BATCH; i++) sys(121, 0n, 0n, 0n);
    };
    push("syscall-count", measure(step, BATCH, o));
  }
  if (want.has("trigger-only")) {
    const { load } = await fresh();
    const driver = (await load("trigger_driver")).prepare();
    push("trigger-only", measure(() => void driver(), BATCH, o));
  }

  const traced = async (name: TriggerVariant, prog: string, attach: (k: SimKernel, p: KernelProgram) => { detach(): void }, probes = false): Promise<void> => {
    if (!want.has(name)) return;
    const { k, hits, load, loadProbe } = await fresh(probes);
    const driver = (await load("trigger_driver")).prepare();
    const link = attach(k, await loadProbe(prog));
    const h0 = hits();
    let events = 0;
    const counting = (): void => {
      driver();
      events += BATCH;
    };
    const samples = measure(counting, BATCH, o);
    const counted = Number(hits() - h0) / events;
    link.detach();
    push(name, samples, counted);
  };
  await traced("fentry", "bench_trigger_fentry", (k, p) => k.attach(p));
  await traced("fexit", "bench_trigger_fexit", (k, p) => k.attach(p));
  await traced("fmodret", "bench_trigger_fmodret", (k, p) => k.attach(p));
  await traced("fentry-multi", "bench_trigger_fentry_multi", (k, p) => k.attachMulti(p));
  await traced("fentry-multi-all", "bench_trigger_fentry_multi", (k, p) =>
    k.attachMulti(p, ["bpf_get_numa_node_id", ...k.functions.filter((f) => f.nargs <= 6 && f.name !== "bpf_get_numa_node_id").map((f) => f.name)]));
  await traced("fexit-multi", "bench_trigger_fexit_multi", (k, p) => k.attachMulti(p));
  await traced("fmodret-multi", "bench_trigger_fmodret_multi", (k, p) => k.attachMulti(p));
  await traced("rawtp", "bench_trigger_rawtp", (k, p) => k.attach(p), true);
  await traced("tp", "bench_trigger_tp", (k, p) => k.attach(p), true);
  await traced("kprobe", "bench_trigger_kprobe", (k, p) => k.attach(p), true);
  await traced("kprobe-multi", "bench_trigger_kprobe_multi", (k, p) => k.attachMulti(p), true);
  await traced("kretprobe", "bench_trigger_kretprobe", (k, p) => k.attach(p), true);
  await traced("kretprobe-multi", "bench_trigger_kretprobe_multi", (k, p) => k.attachMulti(p), true);
  return results;
}

/** Per-event cost in ns: 1/rate(variant) − 1/rate(kernel-count). */
export function perEventNs(mps: number, kernelCountMps: number): number {
  return 1000 / mps - 1000 / kernelCountMps;
}

/** The series' per-event costs (ns), from its figures. */
export function seriesPerEventNs(v: TriggerVariant): number | null {
  const x = SERIES_MPS[v];
  const kc = SERIES_MPS["kernel-count"]!;
  return x === undefined || v === "kernel-count" || v === "usermode-count" || v === "syscall-count" ? null : perEventNs(x, kc);
}

const f1 = (x: number): string => (x >= 100 ? x.toFixed(1) : x >= 10 ? x.toFixed(2) : x.toFixed(3));

/**
 * The table in the series' layout plus per-event costs against kernel-count, from the means and
 * from the best samples (on a shared machine the best sample is the least disturbed one).
 */
export function formatTriggerTable(results: readonly TriggerResult[]): string {
  const kcr = results.find((r) => r.name === "kernel-count");
  const rows = results.map((r) => {
    const traced = kcr !== undefined && !["usermode-count", "kernel-count", "syscall-count"].includes(r.name);
    const mean = traced ? `${perEventNs(r.mean_mps, kcr.mean_mps).toFixed(1)} ns` : "";
    const best = traced ? `${perEventNs(r.best_mps, kcr.best_mps).toFixed(1)} ns` : "";
    const theirs = seriesPerEventNs(r.name);
    const series = SERIES_MPS[r.name];
    return `| ${r.name} | ${f1(r.mean_mps)} ± ${f1(r.stddev_mps)} M/s | ${f1(r.best_mps)} M/s | ${mean} | ${best} | ${series === undefined ? "" : `${series} M/s`} | ${theirs === null ? "" : `${theirs.toFixed(1)} ns`} |`;
  });
  return [
    "| variant | wabpf mean ± stddev | wabpf best sample | per-event cost (means) | per-event cost (best) | series (kernel) | series per-event cost |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
}

/** Ratios the issue asks for (fentry-multi / fentry, fentry-multi-all / fentry-multi), from means or best samples. */
export function triggerRatios(results: readonly TriggerResult[], of: "mean" | "best" = "mean"): { multiVsFentry: number | null; allVsMulti: number | null } {
  const get = (n: TriggerVariant): number | undefined => {
    const r = results.find((x) => x.name === n);
    return r === undefined ? undefined : of === "mean" ? r.mean_mps : r.best_mps;
  };
  const fe = get("fentry");
  const fm = get("fentry-multi");
  const fa = get("fentry-multi-all");
  return { multiVsFentry: fe !== undefined && fm !== undefined ? fm / fe : null, allVsMulti: fm !== undefined && fa !== undefined ? fa / fm : null };
}
