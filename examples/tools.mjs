// The user-space halves of the example tools, written against wabpf's JS API: each creates a
// simulated kernel, loads its object, attaches the programs, drives a deterministic workload
// and prints what the original tool prints. Every function takes the API as its first
// argument (`api.mjs` gives the built package's; the tests pass the TypeScript sources'), and
// returns the output text.
//
// api: { createMachine, SimKernel, prepareWorkloads, runWorkload, RingBuffer, PerfBuffer }

const EXAMPLES = new URL("./", import.meta.url);
const objectPath = (name) => new URL(`${name}.bpf.o`, EXAMPLES).pathname;

const SYSCALL_NAMES = { 0: "read", 1: "write", 2: "open", 3: "close", 62: "kill", 121: "getpgid", 257: "openat" };
const ERRNO_NAMES = { 1: "EPERM", 2: "ENOENT", 3: "ESRCH", 9: "EBADF", 12: "ENOMEM", 13: "EACCES", 38: "ENOSYS" };

const u32key = (i) => {
  const k = new Uint8Array(4);
  new DataView(k.buffer).setUint32(0, i, true);
  return k;
};
const view = (b) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const cstr = (b) => {
  const end = b.indexOf(0);
  return new TextDecoder().decode(end < 0 ? b : b.subarray(0, end));
};
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const seconds = (ns) => `${ns / 1_000_000_000n}.${String((ns % 1_000_000_000n) / 1000n).padStart(6, "0")}`;

/** Every key/value of a map, in the map's walk order. */
function entries(map) {
  const out = [];
  let key = null;
  for (;;) {
    const next = map.nextKey(key);
    if (next === null) break;
    const v = map.lookup(next);
    if (v !== null) out.push([next, v]);
    key = next;
  }
  return out;
}

/** A kernel with `cpus` CPUs, the workload environment, and the tool's object opened on it. */
async function setup(api, name, cpus = 1) {
  const machine = await api.createMachine({ ncpus: cpus });
  const k = await api.SimKernel.create({ machine });
  api.prepareWorkloads(k); // defines the open path before the object is opened against the BTF
  const obj = await k.open(objectPath(name));
  return { k, obj, machine };
}

/** Load and attach programs by name (a multi program with the glob of its section). */
async function attach(k, obj, names) {
  const links = [];
  for (const n of names) {
    const p = await k.load(obj, n);
    // fentry.multi / kprobe.multi / …: one link over the section's glob
    links.push(/^[a-z_]+\.multi(\.s)?\//.test(p.section) ? k.attachMulti(p) : k.attach(p));
  }
  return links;
}

// ------------------------------------------------------------------ syscount
/**
 * syscount -P: syscalls by process, printed (and cleared) every `intervalMs` of simulated time,
 * then the totals by syscall.
 */
export async function syscount(api, { workload = "syscalls", iterations = 20, cpus = 1, intervalMs = 1 } = {}) {
  const { k, obj, machine } = await setup(api, "syscount", cpus);
  await attach(k, obj, ["sys_enter", "sys_exit"]);
  const data = obj.map("data");
  const byNr = obj.map("by_nr");
  let out = `Tracing syscalls, printing top 10 every ${intervalMs} ms of simulated time... Ctrl+C to quit.\n`;
  const print = () => {
    const rows = entries(data).map(([key, v]) => {
      const d = view(v);
      return { pid: view(key).getUint32(0, true), count: d.getBigUint64(0, true), errors: d.getBigUint64(8, true), comm: cstr(v.subarray(16, 32)) };
    });
    rows.sort((a, b) => (a.count === b.count ? a.pid - b.pid : a.count > b.count ? -1 : 1));
    out += `[${seconds(machine.clockNs)}]\n${pad("PID", 6)} ${pad("COMM", 16)} ${lpad("COUNT", 8)} ${lpad("ERRORS", 8)}\n`;
    for (const r of rows.slice(0, 10)) out += `${pad(r.pid, 6)} ${pad(r.comm, 16)} ${lpad(r.count, 8)} ${lpad(r.errors, 8)}\n`;
    out += "\n";
    for (const [key] of entries(data)) data.delete(key);
  };
  const step = BigInt(intervalMs) * 1_000_000n;
  let next = null;
  api.runWorkload(k, workload, {
    iterations,
    cpus,
    onRound: () => {
      next ??= machine.clockNs - (machine.clockNs % step) + step;
      if (machine.clockNs >= next) {
        print();
        next += step;
      }
    },
  });
  print();
  const nrs = entries(byNr).map(([key, v]) => ({ nr: view(key).getUint32(0, true), count: view(v).getBigUint64(0, true) }));
  nrs.sort((a, b) => (a.count === b.count ? a.nr - b.nr : a.count > b.count ? -1 : 1));
  out += `${pad("SYSCALL", 22)} ${lpad("COUNT", 8)}\n`;
  for (const r of nrs) out += `${pad(SYSCALL_NAMES[r.nr] ?? `[${r.nr}]`, 22)} ${lpad(r.count, 8)}\n`;
  return out;
}

// ------------------------------------------------------------------ funclatency
/** print_log2_hist of libbpf-tools' trace_helpers.c */
export function log2Hist(vals, valType) {
  let idxMax = -1;
  let valMax = 0;
  vals.forEach((v, i) => {
    if (v > 0) idxMax = i;
    if (v > valMax) valMax = v;
  });
  if (idxMax < 0) return "";
  const starsMax = idxMax <= 32 ? 40 : 20;
  const width = idxMax <= 32 ? 10 : 20;
  let out = `${" ".repeat(idxMax <= 32 ? 5 : 15)}${pad(valType, idxMax <= 32 ? 19 : 29)} : count    distribution\n`;
  for (let i = 0; i <= idxMax; i++) {
    let low = (1n << BigInt(i + 1)) >> 1n;
    const high = (1n << BigInt(i + 1)) - 1n;
    if (low === high) low -= 1n;
    const v = vals[i];
    const stars = Math.floor((Math.min(v, valMax) * starsMax) / valMax);
    out += `${lpad(low, width)} -> ${pad(high, width)} : ${pad(v, 8)} |${"*".repeat(stars)}${" ".repeat(starsMax - stars)}${v > valMax ? "+" : ""}|\n`;
  }
  return out;
}

/** funclatency do_sys_open: a log2 histogram of its latency in nsecs. */
export async function funclatency(api, { workload = "open", iterations = 20, cpus = 1 } = {}) {
  const { k, obj } = await setup(api, "funclatency", cpus);
  await attach(k, obj, ["func_entry", "func_exit"]);
  let out = "Tracing do_sys_open.  Hit Ctrl-C to exit\n";
  api.runWorkload(k, workload, { iterations, cpus });
  const hist = obj.map("hist");
  const totals = obj.map("totals");
  const vals = Array.from({ length: 32 }, (_, i) => Number(view(hist.lookup(u32key(i))).getBigUint64(0, true)));
  const count = view(totals.lookup(u32key(0))).getBigUint64(0, true);
  const total = view(totals.lookup(u32key(1))).getBigUint64(0, true);
  out += `\n${log2Hist(vals, "nsecs")}\n`;
  out += `avg = ${count === 0n ? 0n : total / count} nsecs, total: ${total} nsecs, count: ${count}\n\n`;
  out += "Exiting trace of do_sys_open\n";
  return out;
}

// ------------------------------------------------------------------ opensnoop
/** opensnoop: every open as it completes, from the ring buffer. */
export async function opensnoop(api, { workload = "open", iterations = 3, cpus = 1, timestamp = false } = {}) {
  const { k, obj } = await setup(api, "opensnoop", cpus);
  await attach(k, obj, ["open_entry", "open_exit"]);
  let out = `${timestamp ? `${pad("TIME(s)", 12)} ` : ""}${pad("PID", 6)} ${pad("COMM", 16)} ${lpad("FD", 3)} ${lpad("ERR", 3)} PATH\n`;
  let first = null;
  const rb = new api.RingBuffer(obj.map("events"), (data) => {
    const d = view(data);
    const ts = d.getBigUint64(0, true);
    const ret = d.getInt32(16, true);
    first ??= ts;
    const fd = ret >= 0 ? ret : -1;
    const err = ret >= 0 ? 0 : -ret;
    out += `${timestamp ? `${pad(seconds(ts - first), 12)} ` : ""}${pad(d.getUint32(8, true), 6)} ${pad(cstr(data.subarray(24, 40)), 16)} ${lpad(fd, 3)} ${lpad(err, 3)} ${cstr(data.subarray(40, 295))}\n`;
  });
  api.runWorkload(k, workload, { iterations, cpus, onOp: () => rb.consume() });
  rb.consume();
  return out;
}

// ------------------------------------------------------------------ funccount
/** funccount 'security_*': calls per function over the section's glob, one kprobe.multi link. */
export async function funccount(api, { workload = "mixed", iterations = 10, cpus = 1 } = {}) {
  const { k, obj } = await setup(api, "funccount", cpus);
  const [link] = await attach(k, obj, ["count_call"]);
  const glob = link.program.section.slice(link.program.section.indexOf("/") + 1);
  let out = `Tracing ${link.targets.length} functions for "${glob}"... Hit Ctrl-C to end.\n`;
  api.runWorkload(k, workload, { iterations, cpus });
  const rows = entries(obj.map("counts")).map(([key, v]) => ({ name: k.fnByIp(view(key).getBigUint64(0, true))?.name ?? "?", count: view(v).getBigUint64(0, true) }));
  rows.sort((a, b) => (a.count === b.count ? (a.name < b.name ? -1 : 1) : a.count < b.count ? -1 : 1));
  out += `\n${pad("FUNC", 36)} ${lpad("COUNT", 8)}\n`;
  for (const r of rows) out += `${pad(r.name, 36)} ${lpad(r.count, 8)}\n`;
  out += "Detaching...\n";
  link.detach();
  return out;
}

// ------------------------------------------------------------------ inject
/**
 * inject: fmod_ret error injection. Opens of process `tgid` fail with EACCES
 * (security_file_open), every `slabEvery`-th struct file allocation fails (should_failslab),
 * shown as the workload sees it (strace-like), with the trace_pipe lines and the counts.
 */
export async function inject(api, { workload = "open", iterations = 2, cpus = 1, tgid = 1002, slabEvery = 5 } = {}) {
  const { k, obj, machine } = await setup(api, "inject", cpus);
  await attach(k, obj, ["deny_open", "fail_slab"]);
  // the object's .data: __u32 targ_tgid; __u32 slab_every;
  const dataMap = obj.map(obj.spec.maps.find((m) => m.kind === "data").name);
  const v = dataMap.lookup(u32key(0));
  view(v).setUint32(0, tgid, true);
  view(v).setUint32(4, slabEvery, true);
  dataMap.update(u32key(0), v);
  let out = `Injecting: security_file_open -> -EACCES for tgid ${tgid}; should_failslab -> fail every ${slabEvery} calls\n`;
  const files = ["/etc/passwd", "/etc/ld.so.cache", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/proc/self/stat", "/var/log/syslog", "/home/user/.bashrc"];
  api.runWorkload(k, workload, {
    iterations,
    cpus,
    onOp: ({ task, op, ret }) => {
      if (op.op !== "open") return;
      const r = ret < 0n ? `-1 ${ERRNO_NAMES[Number(-ret)] ?? ""} (${Number(-ret)})` : String(ret);
      out += `${task.comm}(${task.pid}) open("${files[op.file]}") = ${r}\n`;
    },
  });
  out += "\ntrace_pipe:\n" + machine.readTracePipe();
  const inj = obj.map("injected");
  const n = (i) => view(inj.lookup(u32key(i))).getBigUint64(0, true);
  out += `\ninjected: security_file_open ${n(0)}, should_failslab ${n(1)}\n`;
  return out;
}

// ------------------------------------------------------------------ killsnoop
/** killsnoop: kill() calls from the perf buffer (one ring per CPU). */
export async function killsnoop(api, { workload = "mixed", iterations = 3, cpus = 2 } = {}) {
  const { k, obj } = await setup(api, "killsnoop", cpus);
  await attach(k, obj, ["kill_entry", "kill_exit"]);
  let out = `${pad("TIME(s)", 9)} ${pad("PID", 6)} ${pad("COMM", 16)} ${pad("SIG", 4)} ${pad("TPID", 6)} RESULT\n`;
  let lost = 0n;
  const pb = new api.PerfBuffer(obj.map("events"), {
    pageCount: 8,
    onSample: (cpu, data) => {
      const d = view(data);
      out += `${pad(seconds(d.getBigUint64(0, true)).slice(0, 8), 9)} ${pad(d.getUint32(8, true), 6)} ${pad(cstr(data.subarray(24, 40)), 16)} ${pad(d.getInt32(16, true), 4)} ${pad(d.getInt32(12, true), 6)} ${d.getInt32(20, true)}\n`;
    },
    onLost: (cpu, n) => {
      lost += BigInt(n);
    },
  });
  api.runWorkload(k, workload, { iterations, cpus, onOp: () => pb.consume() });
  pb.consume();
  pb.close();
  if (lost > 0n) out += `lost ${lost} events\n`;
  return out;
}

export const TOOLS = { syscount, funclatency, opensnoop, funccount, inject, killsnoop };
