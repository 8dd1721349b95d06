// JIT vs interpreter vs the real kernel's JIT on the compute programs of bench/programs,
// plus compile time. Prints a table; writes bench/results/jit.{json,md,svg}.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readProgramFile } from "../dist/cli/program-file.js";
import { compileProgram } from "../dist/jit/index.js";
import { runInterp } from "../dist/interp/index.js";
import { GuestMemory } from "../dist/exec/guest-memory.js";
import { encodeProgram } from "../dist/isa/encode.js";
import { kbpfBatch, kernelUnavailable } from "./lib/kernel.js";
import { nsPerCall } from "./lib/measure.js";
import { barChartSvg, fmt, geomean, markdownTable, table, writeResults } from "./lib/report.js";
import { bigProgram } from "./lib/big-program.js";

const PROGRAMS = fileURLToPath(new URL("./programs/", import.meta.url));
const hex = (b) => Buffer.from(b).toString("hex");

export async function benchJit({ rounds = 5, quick = false, log = console.log } = {}) {
  const kernelWhy = kernelUnavailable();
  if (kernelWhy !== null) log(`[kernel column skipped] ${kernelWhy}`);
  const programs = readdirSync(PROGRAMS).filter((f) => f.endsWith(".data")).sort().map((f) => {
    const file = readProgramFile(join(PROGRAMS, f));
    return { name: basename(f, ".data"), ...file };
  });

  const rows = [];
  for (const p of programs) {
    const jit = await compileProgram(p.insns);
    const memJ = new GuestMemory();
    const runJ = jit.prepare({ input: p.input, mem: memJ });
    const first = runJ().r0;
    if (p.expected !== null && first !== p.expected) throw new Error(`${p.name}: JIT gave 0x${first.toString(16)}, expected 0x${p.expected.toString(16)}`);
    const memI = new GuestMemory();
    runInterp(p.insns, { input: p.input, mem: memI });
    const again = { input: p.input, mem: memI, preserveInput: true };
    // The code a verified program gets: no bounds checks, no fuel. wabpf's own verifier does
    // not exist yet, so this column is measured only for programs the real kernel's verifier
    // accepted in this run (which proves the same bounds and termination).
    let runU = null;
    if (kernelWhy === null) {
      const [v] = kbpfBatch([{ id: p.name, code: hex(encodeProgram(p.insns)), mem: hex(p.input) }]);
      if (v.ok) {
        const facts = { maxStackDepth: 512, insn: p.insns.map(() => ({ safeAccess: true })) };
        runU = (await compileProgram(p.insns, { verified: facts })).prepare({ input: p.input, mem: new GuestMemory() });
        if (runU().r0 !== first) throw new Error(`${p.name}: unchecked JIT disagrees`);
      }
    }
    const best = { jit: Infinity, unchecked: Infinity, interp: Infinity, kernel: Infinity };
    for (let r = 0; r < rounds; r++) {
      log(`  ${p.name}: round ${r + 1}/${rounds}`);
      best.jit = Math.min(best.jit, nsPerCall(`${p.name} jit`, runJ, quick ? 0.2 : 0.5));
      if (runU !== null) best.unchecked = Math.min(best.unchecked, nsPerCall(`${p.name} jit unchecked`, runU, quick ? 0.2 : 0.5));
      if (r < (quick ? 1 : 2)) best.interp = Math.min(best.interp, nsPerCall(`${p.name} interp`, () => runInterp(p.insns, again), quick ? 0.2 : 0.5));
      if (kernelWhy === null) {
        const [k] = kbpfBatch([{ id: p.name, code: hex(encodeProgram(p.insns)), mem: hex(p.input), repeat: quick ? 2000 : 20000 }]);
        if (!k.ok) throw new Error(`${p.name}: the kernel rejected it: ${k.error ?? k.exception}`);
        if (p.expected !== null && BigInt(k.r0) !== p.expected) throw new Error(`${p.name}: kernel r0 ${k.r0}`);
        best.kernel = Math.min(best.kernel, k.duration);
      }
    }
    rows.push({ name: p.name, insns: p.insns.length, jitNs: best.jit, uncheckedNs: runU === null ? null : best.unchecked, interpNs: best.interp, kernelNs: kernelWhy === null ? best.kernel : null });
  }

  // compile time of a 4,000-instruction program: cold (new process, binaryen start-up
  // included) and warm (fastest of several in this process)
  const big = bigProgram(4000);
  await compileProgram(big);
  let warm = Infinity;
  for (let i = 0; i < (quick ? 3 : 10); i++) {
    const t0 = performance.now();
    const p = await compileProgram(big);
    p.prepare({});
    warm = Math.min(warm, performance.now() - t0);
  }
  const cold = coldCompileMs(4000);

  const withKernel = rows.filter((r) => r.kernelNs !== null);
  const summary = {
    geomeanJitOverKernel: withKernel.length > 0 ? geomean(withKernel.map((r) => r.jitNs / r.kernelNs)) : null,
    geomeanUncheckedOverKernel: withKernel.some((r) => r.uncheckedNs !== null) ? geomean(withKernel.filter((r) => r.uncheckedNs !== null).map((r) => r.uncheckedNs / r.kernelNs)) : null,
    geomeanInterpOverJit: geomean(rows.map((r) => r.interpNs / r.jitNs)),
    compileWarmMsPer1000: warm / 4,
    compileColdMsPer1000: cold / 4,
    compileWarm4000Ms: warm,
    compileCold4000Ms: cold,
  };

  const dash = (x, f) => (x === null ? "-" : f(x));
  const headers = ["program", "insns", "jit ns/run", "jit unchecked", "kernel ns/run", "interp ns/run", "jit/kernel", "unchecked/kernel", "interp/jit"];
  const cells = rows.map((r) => [
    r.name,
    r.insns,
    fmt(r.jitNs),
    dash(r.uncheckedNs, fmt),
    dash(r.kernelNs, fmt),
    fmt(r.interpNs),
    dash(r.kernelNs, (k) => (r.jitNs / k).toFixed(2)),
    r.kernelNs === null || r.uncheckedNs === null ? "-" : (r.uncheckedNs / r.kernelNs).toFixed(2),
    (r.interpNs / r.jitNs).toFixed(0),
  ]);
  const geo = ["geomean", "", "", "", "", "", dash(summary.geomeanJitOverKernel, (x) => x.toFixed(2)), dash(summary.geomeanUncheckedOverKernel, (x) => x.toFixed(2)), summary.geomeanInterpOverJit.toFixed(0)];
  log(table(headers, [...cells, geo]));
  log(`compile, 4,000 insns: warm ${warm.toFixed(1)} ms (${summary.compileWarmMsPer1000.toFixed(2)} ms/1000), cold ${cold.toFixed(0)} ms incl. binaryen start-up`);

  const svg = barChartSvg(
    "ns per run: wabpf JIT vs the Linux kernel's JIT (lower is better)",
    rows.map((r) => ({
      label: r.name,
      bars: [
        { name: "wabpf JIT (checked)", value: r.jitNs },
        ...(r.uncheckedNs === null ? [] : [{ name: "wabpf JIT (unchecked)", value: r.uncheckedNs }]),
        ...(r.kernelNs === null ? [] : [{ name: "kernel JIT", value: r.kernelNs }]),
      ],
    })),
    "ns",
  );
  const md = [
    "# JIT benchmark",
    "",
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}); each side's fastest of ${rounds} interleaved rounds.`,
    "The kernel column is the real Linux JIT through `kbpf.py` (BPF_PROG_TEST_RUN over a map-backed buffer, its harness call included).",
    "\"jit\" is the code an unverified program gets: every memory access bounds-checked, one unit of fuel per loop iteration.",
    "\"jit unchecked\" drops both, as the verifier's facts will allow; until wabpf's verifier lands it is measured only for programs the real kernel's verifier accepted in the same run.",
    "",
    markdownTable(headers, [...cells, geo]),
    "",
    `Compile time of a 4,000-instruction program: warm ${warm.toFixed(1)} ms (${summary.compileWarmMsPer1000.toFixed(2)} ms per 1,000 instructions), cold ${cold.toFixed(0)} ms including binaryen's start-up.`,
    "",
    "![ns per run](jit.svg)",
  ].join("\n");
  writeResults("jit", { date: new Date().toISOString(), node: process.version, rounds, rows, summary }, md, svg);
  return { rows, summary };
}

function coldCompileMs(n) {
  const script = `const t0 = performance.now();
const { compileProgram } = await import(${JSON.stringify(new URL("../dist/jit/index.js", import.meta.url).href)});
const { bigProgram } = await import(${JSON.stringify(new URL("./lib/big-program.js", import.meta.url).href)});
(await compileProgram(bigProgram(${n}))).prepare({});
console.log(performance.now() - t0);`;
  const res = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`cold compile run failed: ${res.stderr}`);
  return Number(res.stdout.trim());
}
