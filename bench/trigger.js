// bench_trigger, ported to the simulated kernel (src/kernel/bench-trigger.ts): events per
// second for each attach kind, mean ± stddev over 1-second samples after a warm-up, next to the
// tracing multi-link series' figures and per-event costs (1/rate − 1/rate(kernel-count)).
// Writes bench/results/trigger.{json,md}.
import { formatTriggerTable, runTriggerBench, triggerRatios } from "../dist/kernel/bench-trigger.js";
import { writeResults } from "./lib/report.js";

export async function benchTrigger({ quick = false } = {}) {
  const results = await runTriggerBench({
    warmupSec: quick ? 0.3 : 2,
    samples: quick ? 3 : 5,
    sampleSec: quick ? 0.3 : 1,
    onResult: (r) => console.log(`${r.name.padEnd(17)}: ${r.mean_mps.toFixed(3).padStart(9)} ± ${r.stddev_mps.toFixed(3)} M/s${r.counted !== undefined ? `  (counted ${r.counted.toFixed(3)} per event)` : ""}`),
  });
  const q = triggerRatios(results);
  const qb = triggerRatios(results, "best");
  const pct = (x) => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`);
  const md = [
    "# bench_trigger on the simulated kernel",
    "",
    "`npm run bench -- --only=trigger` or `npx wabpf bench trigger` (`--json`: one object per line).",
    "The methodology of the kernel's bench_trigger: a driver BPF program calls the trigger",
    "(`bpf_get_numa_node_id`, a traceable simulated kernel function reached through helper 42) 100",
    "times per run; each traced variant attaches one counting program (per-CPU counter increment) to",
    "it. `kernel-count` is a BPF loop doing only the counter increments; `syscall-count` enters the",
    "simulated syscall path (getpgid) from the host once per count; `trigger-only` is the driver with",
    "nothing attached. `rawtp` / `tp` attach a raw_tp / classic tp program to the trigger's tracepoint",
    "(`bpf_test_run:bpf_trigger_tp`, fired by helper 42 after the trigger function); `kprobe`, `kretprobe`,",
    "`kprobe-multi`, `kretprobe-multi` a kprobe-family program to the trigger function",
    "(src/assets/bpf/probe-trigger.o). Warm-up, then 1-second samples, mean ± stddev; the machine is shared with",
    "other work, so the fastest sample is given too and per-event costs are computed from both.",
    "",
    "Per-event cost = 1/rate(variant) − 1/rate(kernel-count). The series' figures are from its",
    "cover letter (x86-64, mitigations=off), measured on other hardware: compare per-event costs.",
    "",
    formatTriggerTable(results),
    "",
    `fentry-multi / fentry: ${pct(q.multiVsFentry)} (best samples: ${pct(qb.multiVsFentry)}; kernel: 92.5%); fentry-multi-all / fentry-multi: ${pct(q.allVsMulti)} (best samples: ${pct(qb.allVsMulti)}; kernel: 98.8%).`,
    "",
    `Node ${process.version}, ${quick ? "quick run" : "full run"}, ${new Date().toISOString().slice(0, 10)}.`,
  ].join("\n");
  writeResults("trigger", { results, ratios: q, ratiosBest: qb }, md);
  console.log(`\n${formatTriggerTable(results)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchTrigger({ quick: process.argv.includes("--quick") });
