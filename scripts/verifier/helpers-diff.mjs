#!/usr/bin/env node
// Which helper each program type may call, and which are GPL-only: `call N; r0 = 0; exit`
// for every helper id 1..211, every program type wabpf models and a GPL and a proprietary
// license, verified by the running kernel (scripts/verifier/kernel_verify.py) and by wabpf.
// Prints unsound cases (wabpf accepts, Linux rejects) and differences; helpers wabpf does not
// model are counted apart (rejected as not supported). Needs root and bpf().
//   node scripts/verifier/helpers-diff.mjs [--record]
// --record writes test/verifier/golden/helper-calls.json for test/verifier/helper-calls.test.ts.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = process.cwd();
const RECORD = process.argv.includes("--record");
const tmp = mkdtempSync(join(tmpdir(), "wabpf-helpers-"));
const entry = join(tmp, "entry.ts");
writeFileSync(entry, `export { verify } from "${ROOT}/src/verifier/index.ts";\nexport { decodeRaw } from "${ROOT}/src/isa/decode.ts";\n`);
const bundle = join(tmp, "v.mjs");
const rd = spawnSync(join(ROOT, "node_modules/.bin/rolldown"), [entry, "--format", "esm", "--file", bundle], { encoding: "utf8" });
if (rd.status !== 0) throw new Error(rd.stderr || rd.stdout);
const { verify, decodeRaw } = await import(bundle);

const TYPES = ["socket_filter", "sched_cls", "sched_act", "cgroup_skb", "xdp", "kprobe", "tracepoint", "raw_tracepoint", "perf_event", "syscall"];
const LICENSES = ["GPL", "Proprietary"];
const ins = (code, dst, src, off, imm) => {
  const b = Buffer.alloc(8);
  b[0] = code;
  b[1] = dst | (src << 4);
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
};
export const helperCallHex = (id) => Buffer.concat([ins(0x85, 0, 0, 0, id), ins(0xb7, 0, 0, 0, 0), ins(0x95, 0, 0, 0, 0)]).toString("hex");
const cases = [];
for (const type of TYPES) for (let id = 1; id < 212; id++) for (const lic of LICENSES) cases.push({ type, id, lic, hex: helperCallHex(id) });
const reqs = cases.map((c) => JSON.stringify({ id: `${c.type}/${c.id}/${c.lic}`, hex: c.hex, prog_type: c.type, maps: [], license: c.lic, prog_flags: 0, log_level: 1 }));
const res = spawnSync("python3", [join(ROOT, "scripts/verifier/kernel_verify.py")], { input: reqs.join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 30 });
if (res.status !== 0) throw new Error(res.stderr);
const outs = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
const firstError = (log) => {
  const lines = log.split("\n").filter((l) => l !== "" && !/^(verification time|stack depth|processed \d+ insns)/.test(l));
  let last = -1;
  lines.forEach((l, i) => { if (/^\d+: \([0-9a-f]{2}\) /.test(l) || /^\d+: (R|frame|safe)/.test(l) || /^from \d+ to \d+: /.test(l)) last = i; });
  return lines[last + 1] ?? "";
};
let unsound = 0;
let diff = 0;
let unsupported = 0;
const golden = {};
cases.forEach((c, i) => {
  const o = outs[i];
  const k = o.accepted ? "accepted" : `${o.errno} ${firstError(o.log)}`;
  // compact: A accepted, U "program of this type cannot use helper", G GPL-only, else the text
  const code = o.accepted ? "A" : /^22 program of this type cannot use helper \S+#\d+$/.test(k) ? "U" : k === "22 cannot call GPL-restricted function from non-GPL compatible program" ? "G" : k;
  ((golden[c.type] ??= {})[c.lic] ??= []).push(code);
  const v = verify(decodeRaw(Buffer.from(c.hex, "hex")), { progType: c.type, maps: [], license: c.lic, logLevel: 0 });
  const w = v.accepted ? "accepted" : `${v.errno} ${v.error}`;
  if (v.accepted && !o.accepted) {
    unsound++;
    console.log(`UNSOUND ${c.type} #${c.id} ${c.lic}: kernel ${k}`);
  } else if (v.errno === 95) {
    unsupported++;
  } else if (k !== w) {
    diff++;
    console.log(`DIFF ${c.type} #${c.id} ${c.lic}: kernel ${k} | wabpf ${w}`);
  }
});
if (RECORD) {
  writeFileSync(join(ROOT, "test/verifier/golden/helper-calls.json"), JSON.stringify({ kernel: release(), ids: [1, 212], verdicts: golden }) + "\n");
  // the availability table the verifier uses for helpers it does not model
  const avail = {};
  const gpl = new Set();
  for (const [type, byLic] of Object.entries(golden)) {
    avail[type] = byLic.GPL.map((c, k) => (c === "U" ? "" : String(k + 1))).filter((x) => x !== "").join(" ");
    byLic.Proprietary.forEach((c, k) => c === "G" && gpl.add(k + 1));
  }
  const lines = Object.entries(avail).map(([t, ids]) => `  ${t}: "${ids}",`);
  // rewrite only this script's part: the file also holds the tracing rows of record-tracing-helpers.mjs
  const file = join(ROOT, "src/verifier/helper-table.ts");
  const parts = [
    [/(helpers-diff\.mjs --record from Linux )\S+(:)/, `$1${release()}$2`],
    [/const AVAILABLE: Record<ProgType, string> = \{\n[\s\S]*?\n\};/, `const AVAILABLE: Record<ProgType, string> = {\n${lines.join("\n")}\n};`],
    [/export const GPL_ONLY_HELPERS: ReadonlySet<number> = new Set\(\[[^\]]*\]\);/, `export const GPL_ONLY_HELPERS: ReadonlySet<number> = new Set([${[...gpl].sort((a, b) => a - b).join(", ")}]);`],
  ];
  let text = readFileSync(file, "utf8");
  for (const [re, by] of parts) {
    if (!re.test(text)) throw new Error(`helper-table.ts: ${re} not found`);
    text = text.replace(re, by);
  }
  writeFileSync(file, text);
}
console.log(`${cases.length} calls: ${unsound} unsound, ${diff} differences, ${unsupported} not supported by wabpf`);
