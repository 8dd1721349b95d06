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
import { verifyRawHarness as verifyRaw } from "../dist/verifier/raw-harness.js";
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
    // The code a verified program gets: wabpf's verifier (raw test type: r1 = the input, r2 =
    // its length) proves accesses in bounds and termination; its facts drop the guards and
    // the fuel. Programs it does not accept get no verified column.
    let runU = null;
    const v = verifyRaw(p.insns, { memSize: p.input.length });
    if (v.accepted) {
      runU = (await compileProgram(p.insns, { verified: v.facts })).prepare({ input: p.input, mem: new GuestMemory() });
      if (runU().r0 !== first) throw new Error(`${p.name}: verified JIT disagrees`);
    } else log(`  ${p.name}: wabpf's verifier rejects it (${v.error}); no verified column`);
    const best = { jit: Infinity, verified: Infinity, interp: Infinity, kernel: Infinity };
    for (let r = 0; r < rounds; r++) {
      log(`  ${p.name}: round ${r + 1}/${rounds}`);
      best.jit = Math.min(best.jit, nsPerCall(`${p.name} jit`, runJ, quick ? 0.2 : 0.5));
      if (runU !== null) best.verified = Math.min(best.verified, nsPerCall(`${p.name} jit verified`, runU, quick ? 0.2 : 0.5));
      if (r < (quick ? 1 : 2)) best.interp = Math.min(best.interp, nsPerCall(`${p.name} interp`, () => runInterp(p.insns, again), quick ? 0.2 : 0.5));
      if (kernelWhy === null) {
        const [k] = kbpfBatch([{ id: p.name, code: hex(encodeProgram(p.insns)), mem: hex(p.input), repeat: quick ? 2000 : 20000 }]);
        if (!k.ok) throw new Error(`${p.name}: the kernel rejected it: ${k.error ?? k.exception}`);
        if (p.expected !== null && BigInt(k.r0) !== p.expected) throw new Error(`${p.name}: kernel r0 ${k.r0}`);
        best.kernel = Math.min(best.kernel, k.duration);
      }
    }
    rows.push({ name: p.name, insns: p.insns.length, jitNs: best.jit, verifiedNs: runU === null ? null : best.verified, interpNs: best.interp, kernelNs: kernelWhy === null ? best.kernel : null });
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
  const verified = rows.filter((r) => r.verifiedNs !== null);
  const verifiedWithKernel = withKernel.filter((r) => r.verifiedNs !== null);
  const summary = {
    geomeanVerifiedOverKernel: verifiedWithKernel.length > 0 ? geomean(verifiedWithKernel.map((r) => r.verifiedNs / r.kernelNs)) : null,
    geomeanUnverifiedOverKernel: withKernel.length > 0 ? geomean(withKernel.map((r) => r.jitNs / r.kernelNs)) : null,
    geomeanInterpOverVerified: verified.length > 0 ? geomean(verified.map((r) => r.interpNs / r.verifiedNs)) : null,
    geomeanInterpOverUnverified: geomean(rows.map((r) => r.interpNs / r.jitNs)),
    compileWarmMsPer1000: warm / 4,
    compileColdMsPer1000: cold / 4,
    compileWarm4000Ms: warm,
    compileCold4000Ms: cold,
  };

  const dash = (x, f) => (x === null || x === undefined ? "-" : f(x));
  const ratio = (a, b) => (a === null || b === null ? "-" : (a / b).toFixed(2));
  const headers = ["program", "insns", "jit verified", "jit unverified", "kernel", "interp", "verified/kernel", "unverified/kernel", "interp/verified", "interp/unverified"];
  const cells = rows.map((r) => [
    r.name,
    r.insns,
    dash(r.verifiedNs, fmt),
    fmt(r.jitNs),
    dash(r.kernelNs, fmt),
    fmt(r.interpNs),
    ratio(r.verifiedNs, r.kernelNs),
    ratio(r.jitNs, r.kernelNs),
    r.verifiedNs === null ? "-" : (r.interpNs / r.verifiedNs).toFixed(0),
    (r.interpNs / r.jitNs).toFixed(0),
  ]);
  const f2 = (x) => x.toFixed(2);
  const f0 = (x) => x.toFixed(0);
  const geo = ["geomean", "", "", "", "", "", dash(summary.geomeanVerifiedOverKernel, f2), dash(summary.geomeanUnverifiedOverKernel, f2), dash(summary.geomeanInterpOverVerified, f0), f0(summary.geomeanInterpOverUnverified)];
  log("ns per run (fastest of each side)");
  log(table(headers, [...cells, geo]));
  log(`compile, 4,000 insns: warm ${warm.toFixed(1)} ms (${summary.compileWarmMsPer1000.toFixed(2)} ms/1000), cold ${cold.toFixed(0)} ms incl. binaryen start-up (${summary.compileColdMsPer1000.toFixed(0)} ms/1000)`);

  const svg = barChartSvg(
    "ns per run: wabpf JIT vs the Linux kernel's JIT (lower is better)",
    rows.map((r) => ({
      label: r.name,
      bars: [
        ...(r.verifiedNs === null ? [] : [{ name: "wabpf JIT (verified)", value: r.verifiedNs }]),
        ...(r.kernelNs === null ? [] : [{ name: "kernel JIT", value: r.kernelNs }]),
        { name: "wabpf JIT (unverified)", value: r.jitNs },
      ],
    })),
    "ns",
  );
  const md = [
    "# JIT benchmark",
    "",
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}); ns per run, each side's fastest of ${rounds} interleaved rounds.`,
    "",
    "- **kernel**: the real Linux JIT through `kbpf.py` (BPF_PROG_TEST_RUN over a map-backed buffer, its harness call included).",
    "- **jit verified**: the code a program gets once wabpf's verifier (raw test type) accepted it: its facts drop the bounds checks and the fuel.",
    "- **jit unverified**: no facts: every access outside the intact frame is bounds-checked and instructions are metered exactly (`TrapKind.Budget` at the interpreter's pc).",
    "- **interp**: the reference interpreter (bigint registers, every access checked).",
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
