#!/usr/bin/env node
// Records what the running kernel's verifier says about every program of
// test/verifier/corpus/*.s into test/verifier/golden/corpus/ (layout in corpus-golden.mjs):
// verdict, errno, the first line of the error, all error lines, the processed-instruction
// count in index.jsonl, and the level-1 log verbatim in <name>.log.
// Needs root and bpf() (the loading is done by scripts/verifier/kernel_verify.py with
// ../shared/tools/kbpf.py; nothing is attached or pinned). Run from the repository root:
//   node scripts/verifier/record-golden.mjs
// Corpus format: programs separated by "=== name" lines; comment lines "; type: T",
// "; map: TYPE:KEYSZ:VALSZ:MAXENT[:FLAGS[:lock=OFF]]", "; license: L", "; flags: N" set the load
// (lock=OFF gives the map BTF: a value struct with a struct bpf_spin_lock at OFF);
// "; btf: func_info" loads it with a minimal BTF and func_info (one static FUNC per
// subprogram), which callbacks need.
// A map reference is written `rX = map[id:I]` (I indexes the program's maps).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir, release } from "node:os";
import { join } from "node:path";
import { CORPUS_GOLDEN_DIR, writeCorpusGolden } from "./corpus-golden.mjs";

const ROOT = process.cwd();
const CORPUS = join(ROOT, "test/verifier/corpus");

// the assembler is TypeScript: bundle it once with rolldown (a vite dependency)
const tmp = mkdtempSync(join(tmpdir(), "wabpf-golden-"));
const bundle = join(tmp, "asm.mjs");
const rd = spawnSync(join(ROOT, "node_modules/.bin/rolldown"), ["src/asm/index.ts", "--format", "esm", "--file", bundle], { encoding: "utf8" });
if (rd.status !== 0) throw new Error(rd.stderr || rd.stdout);
const { assemble } = await import(bundle);

export function parseCorpus(text) {
  const progs = [];
  let p = null;
  for (const line of text.split("\n")) {
    const m = /^===\s+(\S+)/.exec(line);
    if (m) {
      p = { name: m[1], prog_type: "socket_filter", maps: [], license: "GPL", prog_flags: 0, func_info: false, text: "" };
      progs.push(p);
      continue;
    }
    if (p === null) continue;
    const d = /^;\s*(type|map|license|flags|btf):\s*(.*?)\s*$/.exec(line);
    if (d) {
      if (d[1] === "type") p.prog_type = d[2];
      else if (d[1] === "license") p.license = d[2];
      else if (d[1] === "flags") p.prog_flags = Number(d[2]);
      else if (d[1] === "btf") p.func_info = d[2] === "func_info";
      else {
        const [type, ks, vs, me, fl, extra] = d[2].split(":");
        const m = { type, key_size: Number(ks), value_size: Number(vs), max_entries: Number(me), flags: Number(fl ?? 0) };
        // "lock=N": the value is a BTF struct with a struct bpf_spin_lock at offset N
        const lock = /^lock=(\d+)$/.exec(extra ?? "");
        p.maps.push(lock ? { ...m, spin_lock_off: Number(lock[1]) } : m);
      }
      continue;
    }
    p.text += line + "\n";
  }
  return progs;
}

// `.insn CODE DST SRC OFF IMM` writes one raw instruction (for encodings the assembler has no
// syntax for, such as BPF_LD_ABS): assembled as a placeholder and patched afterwards.
export function assembleCorpus(text) {
  const raw = [];
  const src = text.replace(/^\s*\.insn\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$/gm, (_m, ...f) => {
    raw.push(f.slice(0, 5).map(Number));
    return `r9 = ${0x7ead0000 + raw.length - 1}`;
  });
  const insns = assemble(src);
  return insns.map((x) => {
    if (x.code !== 0xb7 || x.dst !== 9 || (x.imm & 0xffff0000) !== 0x7ead0000) return x;
    const [code, dst, srcReg, off, imm] = raw[x.imm & 0xffff];
    return { code, dst, src: srcReg, off, imm };
  });
}

const hex = (insns) => {
  const b = Buffer.alloc(insns.length * 8);
  insns.forEach((x, i) => {
    b[i * 8] = x.code;
    b[i * 8 + 1] = x.dst | (x.src << 4);
    b.writeInt16LE(x.off, i * 8 + 2);
    b.writeInt32LE(x.imm, i * 8 + 4);
  });
  return b.toString("hex");
};

const progs = [];
for (const file of readdirSync(CORPUS).filter((f) => f.endsWith(".s")).sort()) {
  for (const p of parseCorpus(readFileSync(join(CORPUS, file), "utf8"))) {
    try {
      progs.push({ ...p, file, hex: hex(assembleCorpus(p.text)) });
    } catch (e) {
      console.error(`${file} ${p.name}: cannot assemble: ${e.message}`);
    }
  }
}
const reqs = progs.map((p) => JSON.stringify({ id: p.name, hex: p.hex, prog_type: p.prog_type, maps: p.maps, license: p.license, prog_flags: p.prog_flags, func_info: p.func_info, log_level: 1 }));
const res = spawnSync("python3", [join(ROOT, "scripts/verifier/kernel_verify.py")], { input: reqs.join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 30 });
if (res.status !== 0) throw new Error(res.stderr);
const outs = res.stdout.trim().split("\n").map((l) => JSON.parse(l));

/** The error lines of a level-1 log: everything after the last instruction or state line. */
export function errorLines(log) {
  // a message printed without its newline runs into the stats line: cut it there
  const lines = log.replace(/(.)(verification time \d+ usec)/g, "$1\n$2").split("\n").filter((l) => l !== "" && !/^(verification time|stack depth|processed \d+ insns)/.test(l));
  let last = -1;
  lines.forEach((l, i) => {
    if (/^\d+: \([0-9a-f]{2}\) /.test(l) || /^\d+: (R|frame|safe)/.test(l) || /^from \d+ to \d+: /.test(l)) last = i;
  });
  return lines.slice(last + 1);
}

const rows = [];
progs.forEach((p, i) => {
  const o = outs[i];
  if (o.accepted === null || o.accepted === undefined) {
    console.error(`${p.name}: ${o.exception}`);
    return;
  }
  const err = o.accepted ? [] : errorLines(o.log);
  rows.push({
    name: p.name, file: p.file, prog_type: p.prog_type, maps: p.maps, license: p.license, prog_flags: p.prog_flags, ...(p.func_info ? { func_info: true } : {}), hex: p.hex,
    accepted: o.accepted, errno: o.errno, error: o.accepted ? null : err[0] ?? "", error_lines: err, processed: o.processed,
    log: o.log.length > 4000 ? o.log.slice(0, 4000) + "…\n" : o.log,
  });
});
writeCorpusGolden(join(ROOT, CORPUS_GOLDEN_DIR), { kernel: release(), rows });
console.log(`recorded ${rows.length} programs (${rows.filter((r) => r.accepted).length} accepted)`);
