#!/usr/bin/env node
// Differential check of wabpf's verifier against the running kernel on mutants of the corpus:
// every program of test/verifier/golden/corpus/ is mutated (an immediate, an offset, a
// size, a register or a jump changed; seeded), the kernel's verdict is taken with
// scripts/verifier/kernel_verify.py and compared with wabpf's. Prints the unsound cases first
// (wabpf accepts what Linux rejects), then verdict and message differences. Needs root and
// bpf(). Run from the repository root:
//   node scripts/verifier/mutate-diff.mjs [MUTANTS_PER_PROGRAM] [SEED]
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORPUS_GOLDEN_DIR, readCorpusGolden } from "./corpus-golden.mjs";

const ROOT = process.cwd();
const PER = Number(process.argv[2] ?? 3);
let seed = Number(process.argv[3] ?? 1) >>> 0;
const rnd = (n) => {
  seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
  return seed % n;
};
const tmp = mkdtempSync(join(tmpdir(), "wabpf-mut-"));
const entry = join(tmp, "entry.ts");
writeFileSync(entry, `export { verify } from "${ROOT}/src/verifier/index.ts";\nexport { decodeRaw } from "${ROOT}/src/isa/decode.ts";\n`);
const bundle = join(tmp, "v.mjs");
const rd = spawnSync(join(ROOT, "node_modules/.bin/rolldown"), [entry, "--format", "esm", "--file", bundle], { encoding: "utf8" });
if (rd.status !== 0) throw new Error(rd.stderr || rd.stdout);
const { verify, decodeRaw } = await import(bundle);
const g = readCorpusGolden(join(ROOT, CORPUS_GOLDEN_DIR));

const HELPERS = [1, 2, 3, 5, 6, 7, 8, 12, 14, 16, 26, 44, 87, 88, 93, 94, 113, 130, 131, 132, 133, 164, 181];
const TYPES = ["socket_filter", "sched_cls", "xdp", "kprobe", "tracepoint", "cgroup_skb", "raw_tracepoint", "perf_event", "syscall"];

function mutate(hex) {
  let out = hex;
  const n = 1 + rnd(3);
  for (let k = 0; k < n; k++) out = mutateOnce(out) ?? out;
  return out === hex ? null : out;
}

function mutateOnce(hex) {
  const b = Buffer.from(hex, "hex");
  const n = b.length / 8;
  const i = rnd(n);
  const at = i * 8;
  const code = b[at];
  if (code === 0 && i > 0 && b[at - 8] === 0x18) return null; // second slot of ld_imm64
  switch (rnd(8)) {
    case 0: b.writeInt32LE([0, 1, -1, 4, 8, 16, 255, 1 << 20, -8][rnd(9)], at + 4); break;
    case 1: b.writeInt16LE(b.readInt16LE(at + 2) + [-8, -4, -1, 1, 4, 8][rnd(6)], at + 2); break;
    case 2: if ((code & 0x07) <= 3 && code !== 0x18) b[at] = (code & ~0x18) | [0x00, 0x08, 0x10, 0x18][rnd(4)]; break;
    case 3: b[at + 1] = (b[at + 1] & 0xf0) | rnd(10); break;
    case 4: b[at + 1] = (b[at + 1] & 0x0f) | (rnd(11) << 4); break;
    case 5: if ((code & 0x07) === 5 || (code & 0x07) === 6) b[at] = (code & 0x0f) | ([0x10, 0x20, 0x30, 0xa0, 0xb0, 0x50, 0x60][rnd(7)]); break;
    case 6: if (code === 0x85 && (b[at + 1] >> 4) === 0) b.writeInt32LE(HELPERS[rnd(HELPERS.length)], at + 4); break;
    default: {
      // swap with the next instruction (both single-slot)
      const j = at + 8;
      if (j + 8 <= b.length && code !== 0x18 && b[j] !== 0x18 && !(i > 0 && b[at - 8] === 0x18)) {
        const t = Buffer.from(b.subarray(at, at + 8));
        b.copy(b, at, j, j + 8);
        t.copy(b, j);
      }
    }
  }
  const out = b.toString("hex");
  return out === hex ? null : out;
}

const cases = [];
for (const row of g.rows) {
  if (row.processed !== null && row.processed > 20000) continue;
  for (let k = 0; k < PER; k++) {
    const hex = mutate(row.hex);
    const type = rnd(8) === 0 ? TYPES[rnd(TYPES.length)] : row.prog_type;
    if (hex !== null || type !== row.prog_type) cases.push({ ...row, name: `${row.name}~${k}`, hex: hex ?? row.hex, prog_type: type });
  }
}
const reqs = cases.map((c) => JSON.stringify({ id: c.name, hex: c.hex, prog_type: c.prog_type, maps: c.maps, license: c.license, prog_flags: c.prog_flags, func_info: c.func_info === true, log_level: 1 }));
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
const verdicts = [];
const messages = [];
cases.forEach((c, i) => {
  const o = outs[i];
  if (o.accepted === null || o.accepted === undefined) return;
  const maps = c.maps.map((m) => ({ type: m.type, keySize: m.key_size, valueSize: m.value_size, maxEntries: m.max_entries, flags: m.flags, ...(m.spin_lock_off !== undefined ? { spinLockOff: m.spin_lock_off } : {}) }));
  let v;
  try {
    v = verify(decodeRaw(Buffer.from(c.hex, "hex")), { progType: c.prog_type, maps, license: c.license, progFlags: c.prog_flags, funcInfo: c.func_info === true, logLevel: 1 });
  } catch (e) {
    unsound.push(`CRASH ${c.name} ${c.hex}: ${e.message}`);
    return;
  }
  const k = o.accepted ? "accepted" : `${o.errno} ${firstError(o.log)}`;
  const w = v.accepted ? "accepted" : `${v.errno} ${v.error}`;
  const line = `${c.name} [${c.prog_type}] ${c.hex}\n   kernel: ${k}\n   wabpf:  ${w}`;
  if (v.accepted && !o.accepted) unsound.push(line);
  else if (v.accepted !== o.accepted) verdicts.push(line);
  else if (!o.accepted && k !== w) messages.push(line);
});
for (const l of unsound) console.log(`UNSOUND ${l}`);
for (const l of verdicts) console.log(`VERDICT ${l}`);
for (const l of messages) console.log(`MSG ${l}`);
console.log(`${cases.length} mutants: ${unsound.length} unsound, ${verdicts.length} other verdict differences, ${messages.length} message differences`);
