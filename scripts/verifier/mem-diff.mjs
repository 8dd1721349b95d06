#!/usr/bin/env node
// Exhaustive differential check of memory access rules against the running kernel: stack
// loads/stores at every offset in [-520, 8) and size, map values (array, constant key) at
// [-8, 32), packet reads at [-2, 18) after each proven range in [0, 16] (xdp), and ringbuf
// records at [-4, 16). Prints unsound cases (wabpf accepts, Linux rejects) first, then other
// verdict and message differences. Needs root and bpf().
//   node scripts/verifier/mem-diff.mjs [--record]
// --record writes test/verifier/golden/mem-access.json for test/verifier/mem-access.test.ts.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { memCases } from "./mem-cases.mjs";

const ROOT = process.cwd();
const RECORD = process.argv.includes("--record");
const tmp = mkdtempSync(join(tmpdir(), "wabpf-mem-"));
const entry = join(tmp, "entry.ts");
writeFileSync(entry, `export { verify } from "${ROOT}/src/verifier/index.ts";\nexport { decodeRaw } from "${ROOT}/src/isa/decode.ts";\n`);
const bundle = join(tmp, "v.mjs");
const rd = spawnSync(join(ROOT, "node_modules/.bin/rolldown"), [entry, "--format", "esm", "--file", bundle], { encoding: "utf8" });
if (rd.status !== 0) throw new Error(rd.stderr || rd.stdout);
const { verify, decodeRaw } = await import(bundle);

const cases = memCases();
const reqs = cases.map((c) => JSON.stringify({ id: c.name, hex: c.hex, prog_type: c.type, maps: c.maps.map((m) => ({ type: m.type, key_size: m.keySize, value_size: m.valueSize, max_entries: m.maxEntries, flags: 0 })), license: "GPL", prog_flags: 0, log_level: 1 }));
const res = spawnSync("python3", [join(ROOT, "scripts/verifier/kernel_verify.py")], { input: reqs.join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 30 });
if (res.status !== 0) throw new Error(res.stderr);
const outs = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
const firstError = (log) => {
  const lines = log.split("\n").filter((l) => l !== "" && !/^(verification time|stack depth|processed \d+ insns)/.test(l));
  let last = -1;
  lines.forEach((l, i) => { if (/^\d+: \([0-9a-f]{2}\) /.test(l) || /^\d+: (R|frame|safe)/.test(l) || /^from \d+ to \d+: /.test(l)) last = i; });
  return lines[last + 1] ?? "";
};
const unsound = [];
const other = [];
const golden = [];
cases.forEach((c, i) => {
  const o = outs[i];
  const k = o.accepted ? "A" : `${o.errno} ${firstError(o.log)}`;
  golden.push(k);
  const v = verify(decodeRaw(Buffer.from(c.hex, "hex")), { progType: c.type, maps: c.maps, logLevel: 0 });
  const w = v.accepted ? "A" : `${v.errno} ${v.error}`;
  if (w === "A" && k !== "A") unsound.push(`UNSOUND ${c.name}: kernel ${k}`);
  else if (k !== w) other.push(`${c.name}: kernel ${k} | wabpf ${w}`);
});
if (RECORD) {
  // each distinct outcome once; a verdict is its index
  const outcomes = [...new Set(golden)];
  const index = new Map(outcomes.map((o, i) => [o, i]));
  writeFileSync(join(ROOT, "test/verifier/golden/mem-access.json"), JSON.stringify({ kernel: release(), outcomes, verdicts: golden.map((g) => index.get(g)) }) + "\n");
}
for (const l of unsound) console.log(l);
for (const l of other.slice(0, 60)) console.log(l);
console.log(`${cases.length} accesses: ${unsound.length} unsound, ${other.length} other differences`);
