#!/usr/bin/env node
// Exhaustive differential check of context access rules: for every program type wabpf models,
// every offset in [-8, 200) and every size, a load, a register store and an immediate store
// through r1 (the context) are verified by the running kernel (scripts/verifier/kernel_verify.py)
// and by wabpf; differences are printed, unsound ones (wabpf accepts, Linux rejects) first.
// Needs root and bpf(). Run from the repository root:
//   node scripts/verifier/ctx-diff.mjs [--record] [TYPES...]
// --record writes the kernel's verdicts to test/verifier/golden/ctx-access.json (one letter per
// access: "A" accepted, "C" rejected with EACCES "invalid bpf_context access off=.. size=..",
// else "errno message"), which test/verifier/ctx-access.test.ts checks without a kernel.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = process.cwd();
const tmp = mkdtempSync(join(tmpdir(), "wabpf-ctx-"));
const entry = join(tmp, "entry.ts");
writeFileSync(entry, `export { verify } from "${ROOT}/src/verifier/index.ts";\nexport { decodeRaw } from "${ROOT}/src/isa/decode.ts";\n`);
const bundle = join(tmp, "v.mjs");
const rd = spawnSync(join(ROOT, "node_modules/.bin/rolldown"), [entry, "--format", "esm", "--file", bundle], { encoding: "utf8" });
if (rd.status !== 0) throw new Error(rd.stderr || rd.stdout);
const { verify, decodeRaw } = await import(bundle);

const RECORD = process.argv.includes("--record");
const ARGS = process.argv.slice(2).filter((a) => a !== "--record");
const TYPES = ARGS.length > 0 ? ARGS : ["socket_filter", "sched_cls", "sched_act", "cgroup_skb", "xdp", "kprobe", "tracepoint", "raw_tracepoint", "perf_event", "syscall"];
const SIZE = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 };
const ins = (code, dst, src, off, imm) => {
  const b = Buffer.alloc(8);
  b[0] = code;
  b[1] = dst | (src << 4);
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
};
const cases = [];
for (const type of TYPES) {
  for (let off = -8; off < 200; off++) {
    for (const size of [1, 2, 4, 8]) {
      const tail = [ins(0xb7, 0, 0, 0, type === "xdp" ? 2 : 0), ins(0x95, 0, 0, 0, 0)];
      const progs = {
        ld: [ins(0x61 | SIZE[size], 0, 1, off, 0), ...tail],
        stx: [ins(0xb7, 2, 0, 0, 1), ins(0x63 | SIZE[size], 1, 2, off, 0), ...tail],
        st: [ins(0x62 | SIZE[size], 1, 0, off, 1), ...tail],
      };
      for (const [kind, p] of Object.entries(progs)) cases.push({ name: `${type} ${kind} off=${off} size=${size}`, type, hex: Buffer.concat(p).toString("hex") });
    }
  }
}
const reqs = cases.map((c) => JSON.stringify({ id: c.name, hex: c.hex, prog_type: c.type, maps: [], license: "GPL", prog_flags: 0, log_level: 1 }));
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
let msgs = 0;
cases.forEach((c, i) => {
  const o = outs[i];
  const v = verify(decodeRaw(Buffer.from(c.hex, "hex")), { progType: c.type, maps: [], logLevel: 1 });
  const k = o.accepted ? "accepted" : `${o.errno} ${firstError(o.log)}`;
  const w = v.accepted ? "accepted" : `${v.errno} ${v.error}`;
  if (v.accepted && !o.accepted) unsound.push(`${c.name}: kernel ${k}`);
  else if (v.accepted !== o.accepted) other.push(`${c.name}: kernel accepts, wabpf ${w}`);
  else if (k !== w) {
    msgs++;
    if (msgs <= 20) other.push(`MSG ${c.name}: kernel ${k} | wabpf ${w}`);
  }
});
if (RECORD) {
  const { release } = await import("node:os");
  const verdicts = {};
  cases.forEach((c, i) => {
    const o = outs[i];
    const [, kind, off, size] = /^\S+ (\S+) off=(-?\d+) size=(\d+)$/.exec(c.name);
    const e = firstError(o.log);
    const code = o.accepted ? "A" : o.errno === 13 && e === `invalid bpf_context access off=${off} size=${size}` ? "C" : `${o.errno} ${e}`;
    ((verdicts[c.type] ??= {})[kind] ??= []).push(code);
  });
  writeFileSync(join(ROOT, "test/verifier/golden/ctx-access.json"), JSON.stringify({ kernel: release(), offsets: [-8, 200], sizes: [1, 2, 4, 8], verdicts }) + "\n");
}
for (const l of unsound) console.log(`UNSOUND ${l}`);
for (const l of other) console.log(l);
console.log(`${cases.length} accesses: ${unsound.length} unsound, ${other.length - Math.min(msgs, 20)} other verdict differences, ${msgs} message differences`);
