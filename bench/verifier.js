// Verification time of large programs: wabpf's verify() against the kernel's own
// "verification time" (BPF_PROG_LOAD with log level BPF_LOG_STATS, socket_filter, as root),
// for the same bytes in the same run. Each side's fastest of N rounds.
import { insn } from "../dist/isa/insn.js";
import { encodeProgram } from "../dist/isa/encode.js";
import { verify } from "../dist/verifier/index.js";
import { kbpfBatch, kernelUnavailable } from "./lib/kernel.js";
import { fmt, geomean, markdownTable, table, writeResults } from "./lib/report.js";

/** 100,000 straight-line ALU instructions (no branches: one path, no states). */
function straightLine(n) {
  const out = [insn(0xb7, 0, 0, 0, 0)];
  for (let k = 0; out.length < n - 1; k++) out.push(insn(0x07, 0, 0, 0, k & 0xff));
  out.push(insn(0x95, 0, 0, 0, 0));
  return out;
}

/** Bounded loops nested three deep (8 × 8 × 8 iterations): exploration walks every iteration. */
function nestedLoops() {
  return [
    insn(0xb7, 0, 0, 0, 0), // r0 = 0
    insn(0xb7, 1, 0, 0, 0), // r1 = 0            outer
    insn(0xb7, 2, 0, 0, 0), // r2 = 0            middle
    insn(0xb7, 3, 0, 0, 0), // r3 = 0            inner
    insn(0x0f, 0, 3, 0, 0), //   r0 += r3
    insn(0x07, 3, 0, 0, 1), //   r3 += 1
    insn(0xa5, 3, 0, -3, 8), //  if r3 < 8 goto inner body
    insn(0x07, 2, 0, 0, 1), // r2 += 1
    insn(0xa5, 2, 0, -6, 8), // if r2 < 8 goto middle
    insn(0x07, 1, 0, 0, 1), // r1 += 1
    insn(0xa5, 1, 0, -9, 8), // if r1 < 8 goto outer
    insn(0x95, 0, 0, 0, 0),
  ];
}

/**
 * n diamonds: each loads an unknown value, branches on it, and joins again. Without pruning
 * this is 2^n paths; with the kernel's state equivalence (the branch-local registers are dead
 * at the join) it is linear.
 */
function diamonds(n) {
  const out = [insn(0xb7, 0, 0, 0, 0), insn(0xb7, 3, 0, 0, 0)];
  for (let k = 0; k < n; k++) {
    out.push(insn(0x61, 2, 1, 0, 0)); // r2 = *(u32 *)(r1 + 0): skb->len, unknown
    out.push(insn(0x25, 2, 0, 1, k & 0x3ff)); // if r2 > k goto +1
    out.push(insn(0xb7, 3, 0, 0, k)); //          r3 = k
    out.push(insn(0xb7, 0, 0, 0, 1)); //          r0 = 1 (join)
  }
  out.push(insn(0x95, 0, 0, 0, 0));
  return out;
}

/**
 * n diamonds that all refine the same register: every join keeps states that differ in r2's
 * bounds, so each prune point compares against a growing list (quadratic, as in the kernel).
 */
function refinedDiamonds(n) {
  const out = [insn(0x61, 2, 1, 0, 0), insn(0xb7, 0, 0, 0, 0), insn(0xb7, 3, 0, 0, 0)];
  for (let k = 0; k < n; k++) out.push(insn(0x25, 2, 0, 1, k), insn(0xb7, 3, 0, 0, k), insn(0xbf, 0, 3, 0, 0));
  out.push(insn(0x95, 0, 0, 0, 0));
  return out;
}

function time(fn, rounds) {
  let best = Infinity;
  let result;
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    result = fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3);
  }
  return { us: best, result };
}

export async function benchVerifier({ quick = false, rounds = 5 } = {}) {
  const progs = [
    { name: "straight_100k", insns: straightLine(100_000) },
    { name: "nested_loops_8x8x8", insns: nestedLoops() },
    { name: "diamonds_4000", insns: diamonds(4000) },
    { name: "refined_diamonds_300", insns: refinedDiamonds(300) },
  ];
  const kernelWhy = kernelUnavailable();
  if (kernelWhy !== null) console.log(`kernel column skipped: ${kernelWhy}`);
  const rows = [];
  for (const p of progs) {
    const ours = time(() => verify(p.insns, { progType: "socket_filter", logLevel: 0 }), quick ? 1 : rounds);
    if (!ours.result.accepted) throw new Error(`${p.name}: wabpf rejects it: ${ours.result.error}`);
    let kernelUs = null;
    let kernelProcessed = null;
    if (kernelWhy === null) {
      const code = Buffer.from(encodeProgram(p.insns)).toString("hex");
      const resp = kbpfBatch(Array.from({ length: quick ? 1 : rounds }, (_, i) => ({ id: i, code, type: "socket_filter", log_level: 4 })));
      for (const r of resp) {
        if (r.errno !== 0) throw new Error(`${p.name}: the kernel rejects it (errno ${r.errno}): ${r.error}`);
        const m = /verification time (\d+) usec/.exec(r.log ?? "");
        if (m !== null) kernelUs = Math.min(kernelUs ?? Infinity, Number(m[1]));
        kernelProcessed = r.processed;
      }
    }
    rows.push({ name: p.name, insns: p.insns.length, processed: ours.result.insnsProcessed, kernelProcessed, us: ours.us, kernelUs });
  }
  const headers = ["program", "insns", "processed (wabpf / kernel)", "wabpf µs", "kernel µs", "wabpf/kernel"];
  const cells = rows.map((r) => [r.name, r.insns, `${r.processed} / ${r.kernelProcessed ?? "-"}`, fmt(r.us), r.kernelUs === null ? "-" : fmt(r.kernelUs), r.kernelUs === null ? "-" : fmt(r.us / r.kernelUs)]);
  const withKernel = rows.filter((r) => r.kernelUs !== null);
  const gm = withKernel.length > 0 ? geomean(withKernel.map((r) => r.us / r.kernelUs)) : null;
  console.log(table(headers, cells));
  if (gm !== null) console.log(`geomean wabpf/kernel: ${fmt(gm)}`);
  const md = [
    "# Verifier benchmark",
    "",
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}); each side's fastest of ${quick ? 1 : rounds} rounds.`,
    "",
    "- **wabpf**: `verify()` (socket_filter, log level 0) in this process, warm.",
    "- **kernel**: the \"verification time\" Linux prints for BPF_PROG_LOAD of the same bytes (log level BPF_LOG_STATS, through `kbpf.py`).",
    "",
    markdownTable(headers, cells),
    "",
    gm === null ? "Kernel unavailable in this run." : `Geometric mean wabpf/kernel: **${fmt(gm)}** (target ≤ 2).`,
  ].join("\n");
  writeResults("verifier", { date: new Date().toISOString(), node: process.version, rows, geomean: gm }, md);
}
