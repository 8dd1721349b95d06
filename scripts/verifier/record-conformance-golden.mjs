#!/usr/bin/env node
// Records what the running kernel's verifier says about every bpf_conformance vector under
// kbpf.py's map harness (r1 = a map value of the vector's memory length, r2 = that length;
// privileged load) into test/verifier/golden/conformance-raw.json. `wabpf conformance --verify`
// must reject exactly these. Needs root and bpf(); nothing is attached or pinned.
// Run from the repository root after `npm install` (it uses dist/):
//   node scripts/verifier/record-conformance-golden.mjs [CONFORMANCE_DIR]
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { join, resolve } from "node:path";
import { assemble, parseDataFile } from "../../dist/asm/index.js";
import { encodeProgram } from "../../dist/isa/encode.js";

const dir = resolve(process.argv[2] ?? "../shared/conformance");
const kbpf = resolve("../shared/tools/kbpf.py");
const vectors = readdirSync(dir)
  .filter((f) => f.endsWith(".data"))
  .sort()
  .map((f) => {
    const data = parseDataFile(readFileSync(join(dir, f), "utf8"), f);
    return { name: f.replace(/\.data$/, ""), code: Buffer.from(encodeProgram(assemble(data.asm))).toString("hex"), mem: Buffer.from(data.mem).toString("hex") };
  });
const res = spawnSync("python3", [kbpf, "batch"], {
  input: vectors.map((v) => JSON.stringify({ id: v.name, code: v.code, mem: v.mem, log_level: 1 })).join("\n") + "\n",
  encoding: "utf8",
  maxBuffer: 256 << 20,
});
if (res.status !== 0) throw new Error(`kbpf.py batch failed: ${res.stderr}`);
const out = res.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
// the first line after the last instruction/state line of the log is the kernel's error
const firstError = (log) => {
  const lines = (log ?? "").split("\n").filter((l) => l !== "" && !/^(processed \d+ insns|verification time|stack depth)/.test(l));
  let last = -1;
  lines.forEach((l, i) => {
    if (/^\d+: \([0-9a-f]{2}\) /.test(l) || /^\d+: (R|frame|safe)/.test(l) || /^from \d+ to \d+: /.test(l)) last = i;
  });
  return lines[last + 1] ?? null;
};
const rows = vectors.map((v, i) => {
  const k = out[i];
  if (k.id !== v.name) throw new Error(`kbpf answered ${k.id} for ${v.name}`);
  // a load failure has a nonzero errno; a run failure (ok false, errno 0) still loaded
  const loaded = (k.errno ?? 0) === 0;
  return { name: v.name, mem_len: v.mem.length / 2, accepted: loaded, errno: loaded ? null : k.errno, error: loaded ? null : firstError(k.log) ?? k.error };
});
writeFileSync("test/verifier/golden/conformance-raw.json", JSON.stringify({ kernel: release(), rows }, null, 1) + "\n");
console.log(`${rows.length} vectors, ${rows.filter((r) => r.accepted).length} accepted by Linux ${release()}`);
