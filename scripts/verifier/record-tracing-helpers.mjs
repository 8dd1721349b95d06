#!/usr/bin/env node
// Which helper ids BPF_PROG_TYPE_TRACING programs may call, and which are GPL-only for them,
// recorded from the running kernel. For every helper id 1..211 and each recordable attach type
// (tp_btf/sched_switch = BPF_TRACE_RAW_TP, iter/task = BPF_TRACE_ITER; iter/tcp and iter/unix
// for what those iterator targets add) a program
// `call N; r0 = 0; exit` is compiled with clang-19 under a GPL and a proprietary license and
// loaded through libbpf (../shared/tools/kbpf.py, verify_elf). The verifier's first complaint
// after the call classifies the id: "program of this type cannot use helper" (not available),
// "cannot call GPL-restricted function ..." (GPL-only), anything else (available: it passed
// get_func_proto; argument errors are expected since no arguments are set up). Helpers refused
// next with "might sleep in a non-sleepable prog" are kept as the might-sleep set; the other
// messages past get_func_proto are printed for the reader.
// fentry/fexit/fmod_ret/lsm programs fail with EPERM before verification on this machine, so
// their rows in src/verifier/helper-table.ts are derived from the kernel source by hand.
// Needs root, clang-19 and libbpf.
//   node scripts/verifier/record-tracing-helpers.mjs [--write] [--kbpf PATH]
// --write replaces the generated block of src/verifier/helper-table.ts (between the
// "tracing-recorded" markers); without it the block is printed.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";

const ROOT = process.cwd();
const argv = process.argv.slice(2);
const WRITE = argv.includes("--write");
const KBPF = argv.includes("--kbpf") ? argv[argv.indexOf("--kbpf") + 1] : join(ROOT, "../shared/tools/kbpf.py");
const SCRATCH = process.env.SCRATCH ?? "/tmp/wabpf-tracing-helpers";
const MAX_ID = 211; // __BPF_FUNC_MAX_ID - 1 in Linux 6.18 (src/isa/helpers.ts)
const ITER_TARGETS = ["tcp", "unix"];
const ATTACH = [
  { key: "trace_raw_tp", section: "tp_btf/sched_switch" },
  { key: "trace_iter", section: "iter/task" },
  // iterator targets with a get_func_proto of their own (tcp, unix: bpf_setsockopt/getsockopt);
  // udp, ipv6_route and task_vma add nothing (checked by hand; bpf_map_elem and
  // bpf_sk_storage_map fail with EPERM before verification here)
  ...ITER_TARGETS.map((t) => ({ key: `trace_iter_${t}`, section: `iter/${t}` })),
];
const LICENSES = ["GPL", "Proprietary"];

mkdirSync(SCRATCH, { recursive: true });
const objects = [];
for (const { key, section } of ATTACH) {
  for (const lic of LICENSES) {
    const lines = [`char LICENSE[] __attribute__((section("license"), used)) = "${lic}";`];
    for (let id = 1; id <= MAX_ID; id++) {
      lines.push(`__attribute__((section("${section}"), used)) int h${id}(void *ctx) { ((long (*)(void))${id})(); return 0; }`);
    }
    const base = join(SCRATCH, `${key}-${lic}`);
    writeFileSync(`${base}.c`, lines.join("\n") + "\n");
    const cc = spawnSync("clang-19", ["-O2", "-g", "-target", "bpf", "-c", `${base}.c`, "-o", `${base}.o`], { encoding: "utf8" });
    if (cc.status !== 0) throw new Error(cc.stderr);
    objects.push({ key, lic, obj: `${base}.o` });
  }
}

// One python process loads every program of every object (verify_elf loads them one by one).
const py = `
import json, os, sys
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import kbpf
for path in sys.argv[2:]:
    for r in kbpf.verify_elf(path, log_level=1):
        print(json.dumps({"obj": path, "name": r["name"], "ok": r["ok"], "err": r.get("err"), "log": r["log"]}), flush=True)
`;
const res = spawnSync("python3", ["-c", py, KBPF, ...objects.map((o) => o.obj)], { encoding: "utf8", maxBuffer: 1 << 30 });
if (res.status !== 0) throw new Error(res.stderr);
const rows = res.stdout.trim().split("\n").map((l) => JSON.parse(l));

// the verifier's message right after the call instruction (the program is `call N` first)
const afterCall = (log) => {
  const lines = log.split("\n");
  const i = lines.findIndex((l) => /^0: \(85\) call /.test(l));
  return i < 0 ? (lines.find((l) => l !== "") ?? "") : (lines[i + 1] ?? "");
};
const verdict = {}; // key -> lic -> id -> code
for (const r of rows) {
  const o = objects.find((x) => x.obj === r.obj);
  const id = Number(r.name.slice(1));
  const msg = r.ok ? "" : afterCall(r.log);
  const code = r.ok ? "A" : /^program of this type cannot use helper /.test(msg) ? "U" : /^cannot call GPL-restricted function from non-GPL compatible program$/.test(msg) ? "G" : msg;
  ((verdict[o.key] ??= {})[o.lic] ??= [])[id] = code;
}

const avail = {};
const gpl = new Set();
const other = new Map(); // messages other than argument checks, for the reader
const mightSleep = new Set(); // past get_func_proto, refused because the program does not sleep
for (const { key } of ATTACH) {
  const ids = [];
  for (let id = 1; id <= MAX_ID; id++) {
    const g = verdict[key].GPL[id];
    if (g === undefined) throw new Error(`${key} #${id}: no result`);
    if (g !== "U") ids.push(id);
    if (g !== "U" && verdict[key].Proprietary[id] === "G") gpl.add(id);
    if (g === "helper call might sleep in a non-sleepable prog") mightSleep.add(id);
    if (g !== "U" && g !== "A" && !/^R\d !read_ok$|^R\d type=|^arg#/.test(g)) other.set(`${key} #${id}`, g);
  }
  avail[key] = ids.join(" ");
}
for (const [k, m] of other) console.error(`${k}: ${m}`);

// an iterator target's row differs from iter/task only by what the target adds; keep that
const iterIds = new Set(avail.trace_iter.split(" "));
const iterExtra = ITER_TARGETS.map((t) => {
  const ids = avail[`trace_iter_${t}`].split(" ");
  if ([...iterIds].some((id) => !ids.includes(id))) throw new Error(`iter/${t} lacks a helper iter/task has`);
  return `  ${t}: "${ids.filter((id) => !iterIds.has(id)).join(" ")}",`;
});
const block = `// tracing-recorded: begin (generated by scripts/verifier/record-tracing-helpers.mjs --write
// from Linux ${release()}; do not edit by hand)
const TRACING_RECORDED = {
  trace_raw_tp: "${avail.trace_raw_tp}",
  trace_iter: "${avail.trace_iter}",
};
/** What an iterator target's own get_func_proto adds to trace_iter (recorded with iter/<target>). */
const ITER_TARGET_EXTRA: Readonly<Record<string, string>> = {
${iterExtra.join("\n")}
};
/** Helpers a non-GPL tracing program may not call (recorded with tp_btf and iter programs). */
export const TRACING_GPL_ONLY_HELPERS: ReadonlySet<number> = new Set([${[...gpl].sort((a, b) => a - b).join(", ")}]);
/** Helpers a tracing program gets but may call only when sleepable (fn->might_sleep; recorded). */
const TRACING_MIGHT_SLEEP_RECORDED = "${[...mightSleep].sort((a, b) => a - b).join(" ")}";
// tracing-recorded: end`;
if (WRITE) {
  const file = join(ROOT, "src/verifier/helper-table.ts");
  const src = readFileSync(file, "utf8");
  const re = /\/\/ tracing-recorded: begin[\s\S]*?\/\/ tracing-recorded: end/;
  if (!re.test(src)) throw new Error("helper-table.ts has no tracing-recorded block");
  writeFileSync(file, src.replace(re, block));
} else {
  console.log(block);
}
console.error(`${rows.length} loads`);
