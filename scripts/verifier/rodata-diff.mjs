#!/usr/bin/env node
// Loads from frozen, program-read-only maps (libbpf's .rodata) as constants: the programs of
// scripts/verifier/rodata-cases.mjs verified by the running kernel (scripts/verifier/kernel_verify.py,
// maps written and frozen before the load) and by wabpf; differences are printed. The const_str
// cases pass a format string to bpf_snprintf (ARG_PTR_TO_CONST_STR).
// Needs root and bpf(). Run from the repository root:
//   node scripts/verifier/rodata-diff.mjs [--record]
// --record writes the kernel's verdicts to test/verifier/golden/rodata.json ("A" accepted, else
// "errno first error line"), which test/verifier/rodata.test.ts checks without a kernel.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { constStrCases, rodataCases } from "./rodata-cases.mjs";

const ROOT = process.cwd();
const tmp = mkdtempSync(join(tmpdir(), "wabpf-rodata-"));
const entry = join(tmp, "entry.ts");
writeFileSync(entry, `export { verify } from "${ROOT}/src/verifier/index.ts";\nexport { assemble } from "${ROOT}/src/asm/assemble.ts";\nexport { encodeProgram } from "${ROOT}/src/isa/encode.ts";\n`);
const bundle = join(tmp, "v.mjs");
const rd = spawnSync(join(ROOT, "node_modules/.bin/rolldown"), [entry, "--format", "esm", "--file", bundle], { encoding: "utf8" });
if (rd.status !== 0) throw new Error(rd.stderr || rd.stdout);
const { verify, assemble, encodeProgram } = await import(bundle);

const constStr = new Set(constStrCases().map((c) => c.name));
const cases = [...rodataCases(), ...constStrCases()].map((c) => ({ ...c, insns: assemble(c.asm.join("\n") + "\n") }));
const reqs = cases.map((c) => JSON.stringify({ id: c.name, hex: Buffer.from(encodeProgram(c.insns)).toString("hex"), prog_type: "socket_filter", maps: c.maps, license: "GPL", prog_flags: 0, log_level: 1 }));
const res = spawnSync("python3", [join(ROOT, "scripts/verifier/kernel_verify.py")], { input: reqs.join("\n") + "\n", encoding: "utf8" });
if (res.status !== 0) throw new Error(res.stderr);
const outs = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
const firstError = (log) => {
  const lines = log.split("\n").filter((l) => l !== "" && !/^(verification time|stack depth|processed \d+ insns)/.test(l));
  let last = -1;
  lines.forEach((l, i) => { if (/^\d+: \([0-9a-f]{2}\) /.test(l) || /^\d+: (R|frame|safe)/.test(l) || /^from \d+ to \d+: /.test(l)) last = i; });
  return lines[last + 1] ?? "";
};
const mapDef = (m) => ({ type: m.type, keySize: m.key_size, valueSize: m.value_size, maxEntries: m.max_entries, flags: m.flags, frozen: m.freeze, initial: Buffer.from(m.init_hex, "hex") });
const outcomes = {};
const constStrOutcomes = {};
let diffs = 0;
cases.forEach((c, i) => {
  const o = outs[i];
  if (o.exception !== undefined) throw new Error(`${c.name}: ${o.exception}`);
  const k = o.accepted ? "A" : `${o.errno} ${firstError(o.log)}`;
  const v = verify(c.insns, { progType: "socket_filter", maps: c.maps.map(mapDef), logLevel: 1 });
  const w = v.accepted ? "A" : `${v.errno} ${v.error ?? ""}`;
  (constStr.has(c.name) ? constStrOutcomes : outcomes)[c.name] = k;
  if (k !== w) {
    diffs++;
    console.log(`${c.name}: kernel ${k} | wabpf ${w}`);
  }
});
console.log(`${cases.length} cases, ${diffs} differences`);
if (process.argv.includes("--record")) {
  writeFileSync(join(ROOT, "test/verifier/golden/rodata.json"), JSON.stringify({ kernel: release(), outcomes, constStr: constStrOutcomes }, null, 1) + "\n");
  console.log("wrote test/verifier/golden/rodata.json");
}
