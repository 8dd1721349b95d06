#!/usr/bin/env node
// Records what the running kernel says about every program of test/fixtures/tracing/*.o (tp_btf
// and iter programs: BPF_PROG_TYPE_TRACING with full BTF verification) into
// test/verifier/golden/tracing.json, each program's level-1 and level-2 logs verbatim beside it
// in test/verifier/golden/tracing/<object>.<program>.{1,2}.log.
// Each program is loaded alone with libbpf (../shared/tools/kbpf.py: open, CO-RE against
// /sys/kernel/btf/vmlinux, the other programs' autoload off; nothing attached). A failure before
// the verifier (an unknown attach target) is recorded with stage "libbpf" and libbpf's message.
// Needs root and bpf(). Rebuild the objects first (scripts/build-fixtures.sh), then, from the
// repository root: node scripts/verifier/record-tracing-golden.mjs
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";

const ROOT = process.cwd();
const FIXTURES = "test/fixtures/tracing";
const GOLDEN = "test/verifier/golden/tracing.json";
const LOG_DIR = "test/verifier/golden/tracing";
const KBPF_DIR = process.env.KBPF_DIR ?? join(ROOT, "../shared/tools");
// a level-2 log of a looping program can run to megabytes: keep the golden reviewable
const MAX_LOG = 64 * 1024;

// verify_elf per program at both log levels; one JSON line per (program, level)
const PY = `
import json, sys
sys.path.insert(0, sys.argv[1])
import kbpf
for path in sys.argv[2:]:
    for level in (1, 2):
        for r in kbpf.verify_elf(path, log_level=level):
            print(json.dumps(dict(object=path, level=level, name=r["name"], section=r["section"], ok=r["ok"],
                                  err=r.get("err"), processed=r["processed"], log=r["log"], libbpf=r["libbpf"])))
`;

/** The error lines of a level-1 log: everything after the last instruction or state line (as record-golden.mjs). */
export function errorLines(log) {
  // a message printed without its newline runs into the stats line: cut it there
  const lines = log.replace(/(.)(verification time \d+ usec)/g, "$1\n$2").split("\n").filter((l) => l !== "" && !/^(verification time|stack depth|processed \d+ insns)/.test(l));
  let last = -1;
  lines.forEach((l, i) => {
    if (/^\d+: \([0-9a-f]{2}\) /.test(l) || /^\d+: (R|frame|safe)/.test(l) || /^from \d+ to \d+: /.test(l)) last = i;
  });
  return lines.slice(last + 1);
}

/** libbpf's own complaint about a program it did not hand to the kernel, without its "libbpf: prog 'X': " prefix. */
export function libbpfError(text, name) {
  const prefix = `libbpf: prog '${name}': `;
  const line = text.split("\n").find((l) => l.startsWith(prefix) && !l.endsWith("skipped loading"));
  return line === undefined ? null : line.slice(prefix.length);
}

/** The attach type and target libbpf derives from a tracing section name. */
export function attachOf(section) {
  const m = /^(tp_btf|iter)\/(.+)$/.exec(section);
  if (m === null) throw new Error(`${section}: not a tp_btf or iter section`);
  return { expected_attach_type: m[1] === "tp_btf" ? "trace_raw_tp" : "trace_iter", attach_target: m[2] };
}

const objects = readdirSync(join(ROOT, FIXTURES)).filter((f) => f.endsWith(".o")).sort();
const res = spawnSync("python3", ["-c", PY, KBPF_DIR, ...objects.map((o) => join(FIXTURES, o))], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 30 });
if (res.status !== 0) throw new Error(res.stderr);
const outs = res.stdout.trim().split("\n").map((l) => JSON.parse(l));

const cut = (log) => (log.length > MAX_LOG ? log.slice(0, MAX_LOG) + "…\n" : log);
const rows = [];
const logs = new Map();
for (const o of outs.filter((x) => x.level === 1)) {
  const object = o.object.slice(FIXTURES.length + 1, -2);
  const name = `${object}.${o.name}`;
  const l2 = outs.find((x) => x.level === 2 && x.object === o.object && x.name === o.name);
  if (l2 === undefined) throw new Error(`${name}: no level-2 load`);
  if (l2.ok !== o.ok) throw new Error(`${name}: the verdict differs between log levels`);
  // no verifier log and a libbpf complaint: libbpf stopped before BPF_PROG_LOAD
  const byLibbpf = !o.ok && o.log === "" ? libbpfError(o.libbpf, o.name) : null;
  const err = o.ok || byLibbpf !== null ? [] : errorLines(o.log);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`${name}: not usable as a file name`);
  rows.push({
    name, object: `${object}.o`, program: o.name, section: o.section, ...attachOf(o.section),
    accepted: o.ok, errno: o.ok ? null : -o.err, stage: o.ok ? null : byLibbpf !== null ? "libbpf" : "verifier",
    error: o.ok ? null : byLibbpf ?? err[0] ?? "", error_lines: byLibbpf !== null ? [byLibbpf] : err, processed: o.processed,
    log1: `tracing/${name}.1.log`, log2: `tracing/${name}.2.log`,
  });
  logs.set(`${name}.1.log`, cut(o.log));
  logs.set(`${name}.2.log`, cut(l2.log));
}

mkdirSync(join(ROOT, LOG_DIR), { recursive: true });
// logs of programs dropped from the fixtures must not linger
for (const f of readdirSync(join(ROOT, LOG_DIR))) if (f.endsWith(".log")) rmSync(join(ROOT, LOG_DIR, f));
for (const [f, text] of logs) writeFileSync(join(ROOT, LOG_DIR, f), text);
writeFileSync(join(ROOT, GOLDEN), JSON.stringify({ kernel: release(), rows }, null, 1) + "\n");
console.log(`recorded ${rows.length} programs (${rows.filter((r) => r.accepted).length} accepted) on ${release()}`);
