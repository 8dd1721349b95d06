// Deterministic simulated workloads for the simulated kernel (`wabpf trace`, examples/).
//
// A workload is a fixed cast of tasks (pid, tgid, comm), each pinned to a CPU (task i runs on
// CPU i % ncpus), and a script of operations each task performs once per iteration: syscalls
// through the kernel's syscall path (read, getpgid, kill), and opens through `do_sys_open`,
// a host-defined function (the built-in kernel has no open path) that calls the traceable
// `should_failslab` (allocation of the struct file) and `security_file_open`, so fentry/fexit on
// it and fmod_ret on those two see and change what happens. The simulated clock is frozen
// between explicit advances: every operation advances it by a fixed, operation-dependent
// amount, and do_sys_open takes a deterministic, path-dependent time *inside* the function
// (so fentry/fexit latency measurements are exact). Same workload + same options = same
// events, same maps, same clock.
import { EbpfError } from "../errors.js";
import type { SimKernel } from "./kernel.js";

/** Syscall numbers (x86-64) the workloads issue through SimKernel.syscall. */
export const SYS_READ = 0;
export const SYS_KILL = 62;
export const SYS_GETPGID = 121;

/** A task of a workload: what `current` is while it runs. */
export interface WorkloadTask {
  readonly pid: number;
  readonly tgid: number;
  readonly comm: string;
}

/** The files the workloads open (path, size), installed at fd 3 + index. */
export const WORKLOAD_FILES: ReadonlyArray<{ readonly path: string; readonly size: bigint }> = [
  { path: "/etc/passwd", size: 2048n },
  { path: "/etc/ld.so.cache", size: 65536n },
  { path: "/usr/lib/x86_64-linux-gnu/libc.so.6", size: 2_000_000n },
  { path: "/proc/self/stat", size: 256n },
  { path: "/var/log/syslog", size: 1_000_000n },
  { path: "/home/user/.bashrc", size: 4096n },
];

/** The cast (the same for every workload). */
export const WORKLOAD_TASKS: readonly WorkloadTask[] = [
  { pid: 1001, tgid: 1001, comm: "bash" },
  { pid: 1002, tgid: 1002, comm: "cat" },
  { pid: 1003, tgid: 1003, comm: "sshd" },
  { pid: 1005, tgid: 1004, comm: "nginx" },
];

/** Where the file names live in simulated user memory (one page per name). */
export const WORKLOAD_USER_BASE = 0x7f0000001000n;
/** The simulated clock when a workload starts on a fresh kernel (1 s after boot). */
export const WORKLOAD_START_NS = 1_000_000_000n;

/** One operation of a workload (what a task does). */
export type WorkloadOp =
  | { readonly op: "read"; readonly file: number; readonly count: number }
  | { readonly op: "getpgid" }
  | { readonly op: "kill"; readonly target: "self" | "other"; readonly sig: number }
  | { readonly op: "open"; readonly file: number; readonly flags: number };

/** A named workload: per task (by index in WORKLOAD_TASKS), the operations of one iteration. */
export interface WorkloadDef {
  readonly name: string;
  readonly about: string;
  readonly script: ReadonlyArray<readonly WorkloadOp[]>;
}

const O_RDONLY = 0;
const O_WRONLY = 1;
const O_CLOEXEC = 0o2000000;

export const WORKLOADS: Readonly<Record<string, WorkloadDef>> = {
  syscalls: {
    name: "syscalls",
    about: "read / getpgid / kill syscalls by four tasks",
    script: [
      [{ op: "read", file: 0, count: 512 }, { op: "getpgid" }, { op: "read", file: 0, count: 4096 }],
      [{ op: "read", file: 1, count: 4096 }, { op: "read", file: 1, count: 4096 }, { op: "read", file: 4, count: 100 }, { op: "getpgid" }],
      [{ op: "getpgid" }, { op: "kill", target: "self", sig: 0 }],
      [{ op: "kill", target: "other", sig: 15 }, { op: "getpgid" }, { op: "getpgid" }],
    ],
  },
  open: {
    name: "open",
    about: "files opened by four tasks",
    script: [
      [{ op: "open", file: 5, flags: O_RDONLY }, { op: "open", file: 0, flags: O_RDONLY | O_CLOEXEC }],
      [{ op: "open", file: 1, flags: O_RDONLY | O_CLOEXEC }, { op: "open", file: 2, flags: O_RDONLY | O_CLOEXEC }],
      [{ op: "open", file: 3, flags: O_RDONLY }],
      [{ op: "open", file: 4, flags: O_WRONLY }],
    ],
  },
  mixed: {
    name: "mixed",
    about: "opens followed by reads, getpgid and kill",
    script: [
      [{ op: "open", file: 5, flags: O_RDONLY }, { op: "read", file: 5, count: 4096 }, { op: "getpgid" }],
      [{ op: "open", file: 1, flags: O_RDONLY | O_CLOEXEC }, { op: "read", file: 1, count: 4096 }, { op: "read", file: 1, count: 4096 }],
      [{ op: "open", file: 3, flags: O_RDONLY }, { op: "read", file: 3, count: 256 }, { op: "kill", target: "self", sig: 0 }],
      [{ op: "getpgid" }, { op: "kill", target: "other", sig: 15 }, { op: "open", file: 4, flags: O_WRONLY }],
    ],
  },
};

export interface WorkloadOptions {
  /** rounds of the script (each task does its operations once per round); default 10 */
  readonly iterations?: number;
  /** run rounds until this much simulated time has passed instead (ms) */
  readonly durationMs?: number;
  /** CPUs to spread the tasks over (default: all of the machine's, at most 4) */
  readonly cpus?: number;
  /** called after every operation (consume ring buffers, read trace_pipe, …) */
  readonly onOp?: (ev: WorkloadOpResult) => void;
  /** called after every round */
  readonly onRound?: (round: number) => void;
}

/** What one operation did. */
export interface WorkloadOpResult {
  readonly task: WorkloadTask;
  readonly cpu: number;
  readonly op: WorkloadOp;
  /** the syscall's (or do_sys_open's) return value, signed */
  readonly ret: bigint;
}

export interface WorkloadResult {
  readonly rounds: number;
  readonly ops: number;
  /** operations by kind */
  readonly counts: Readonly<Record<WorkloadOp["op"], number>>;
  /** operations that returned a negative value */
  readonly errors: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
}

/** Time an operation takes outside traced functions (ns). */
const OP_NS: Readonly<Record<WorkloadOp["op"], bigint>> = { read: 2_000n, getpgid: 500n, kill: 1_000n, open: 1_500n };
/** Time between two rounds (ns). */
const ROUND_GAP_NS = 100_000n;

/** Per-kernel state of the workload environment (files, tasks, host functions). */
interface Env {
  readonly taskAddr: number[];
  readonly files: number[];
  /** how many opens so far (drives the open latency) */
  opens: number;
  /** the clock has been set to WORKLOAD_START_NS */
  clockSet: boolean;
}
const ENVS = new WeakMap<SimKernel, Env>();

/** The open path's latency inside do_sys_open for file `i` on the n-th open (ns): 1 µs .. ~100 µs. */
export function openLatencyNs(file: number, n: number): bigint {
  return BigInt(1000 * (1 + ((file * 7 + n * 3) % 9)) * (file === 2 ? 40 : file === 4 ? 8 : 1));
}

/**
 * Set up what workloads need on `k` (once per kernel): the files at fd 3.., their names in user
 * memory, the tasks, and the host-defined open path `long do_sys_open(int dfd, const char
 * *filename, int flags, unsigned short mode)` (the kernel's before 5.6; filename is a user
 * pointer: its bytes are mapped with Machine.mapUserMemory).
 * Call before loading objects that trace do_sys_open (defining a function rebuilds the BTF).
 */
export function prepareWorkloads(k: SimKernel): void {
  if (ENVS.has(k)) return;
  const m = k.machine;
  const files = WORKLOAD_FILES.map((f, i) => k.openFile(3 + i, f.size, BigInt(100 + i), f.path));
  WORKLOAD_FILES.forEach((f, i) => {
    const bytes = new Uint8Array(4096);
    bytes.set(new TextEncoder().encode(f.path));
    m.mapUserMemory(WORKLOAD_USER_BASE + BigInt(i) * 0x1000n, bytes);
  });
  const taskAddr = WORKLOAD_TASKS.map((t) => k.createTask({ pid: t.pid, tgid: t.tgid, comm: t.comm }));
  const env: Env = { taskAddr, files, opens: 0, clockSet: false };
  ENVS.set(k, env);
  const cache = m.rt.alloc(8); // struct kmem_cache "filp": object_size and size are sizeof(struct file), 40
  m.mem.view.setUint32(cache, 40, true);
  m.mem.view.setUint32(cache + 4, 40, true);
  const ENOMEM = 12n;
  const ENOENT = 2n;
  try {
    k.fn("do_sys_open");
  } catch {
    k.defineFunction(
      { name: "do_sys_open", params: [["dfd", "int"], ["filename", "const char *"], ["flags", "int"], ["mode", "unsigned short"]], ret: "long" },
      (_dfd, filename) => {
        const i = Number((filename - WORKLOAD_USER_BASE) / 0x1000n);
        const file = env.files[i];
        if (filename < WORKLOAD_USER_BASE || file === undefined) return -ENOENT;
        m.advanceClock(openLatencyNs(i, env.opens++));
        if (k.call("should_failslab", BigInt(cache), 0xcc0n /* GFP_KERNEL */) !== 0n) return -ENOMEM;
        const err = BigInt.asIntN(32, k.call("security_file_open", BigInt(file)));
        if (err !== 0n) return err;
        return BigInt(3 + i);
      },
    );
  }
}

/** Names of the workloads, for usage messages. */
export const WORKLOAD_NAMES = Object.keys(WORKLOADS);

/**
 * Run a named workload on `k`. Deterministic: tasks take turns in a fixed order, each on its
 * CPU, and the clock advances by fixed amounts. On a kernel that has not run a workload
 * before, the clock is first set to WORKLOAD_START_NS (frozen between advances).
 */
export function runWorkload(k: SimKernel, name: string, opts: WorkloadOptions = {}): WorkloadResult {
  const def = WORKLOADS[name];
  if (def === undefined) throw new EbpfError("EINVAL", `no workload '${name}' (${WORKLOAD_NAMES.join(", ")})`);
  prepareWorkloads(k);
  const env = ENVS.get(k)!;
  const m = k.machine;
  if (!env.clockSet) {
    env.clockSet = true;
    if (m.clockNs < WORKLOAD_START_NS) m.setClock({ ns: WORKLOAD_START_NS, stepNs: 0n });
  }
  const ncpus = Math.max(1, Math.min(opts.cpus ?? Math.min(m.ncpus, 4), m.ncpus));
  const startNs = m.clockNs;
  const until = opts.durationMs !== undefined ? startNs + BigInt(Math.round(opts.durationMs * 1e6)) : null;
  const rounds = until === null ? (opts.iterations ?? 10) : Number.MAX_SAFE_INTEGER;
  const counts = { read: 0, getpgid: 0, kill: 0, open: 0 };
  let ops = 0;
  let errors = 0;
  let round = 0;
  const prevCpu = k.cpu;
  try {
    for (; round < rounds; round++) {
      if (until !== null && m.clockNs >= until) break;
      const longest = Math.max(...def.script.map((s) => s.length));
      // tasks interleave: step j of every task, then step j + 1
      for (let j = 0; j < longest; j++) {
        def.script.forEach((steps, ti) => {
          const op = steps[j];
          if (op === undefined) return;
          const task = WORKLOAD_TASKS[ti]!;
          const cpu = ti % ncpus;
          k.cpu = cpu;
          k.setCurrent(env.taskAddr[ti]!, cpu); // also the machine's task on that CPU (task helpers, trace_pipe)
          const ret = BigInt.asIntN(64, doOp(k, op, task, round));
          m.advanceClock(OP_NS[op.op]);
          counts[op.op]++;
          ops++;
          if (ret < 0n) errors++;
          opts.onOp?.({ task, cpu, op, ret });
        });
      }
      m.advanceClock(ROUND_GAP_NS);
      opts.onRound?.(round);
    }
  } finally {
    k.cpu = prevCpu;
  }
  return { rounds: round, ops, counts, errors, startNs, endNs: m.clockNs };
}

function doOp(k: SimKernel, op: WorkloadOp, task: WorkloadTask, round: number): bigint {
  switch (op.op) {
    case "read":
      return k.syscall(SYS_READ, BigInt(3 + op.file), 0x7ffd00000000n, BigInt(op.count));
    case "getpgid":
      return k.syscall(SYS_GETPGID, 0n);
    case "kill": {
      const pid = op.target === "self" ? task.pid : 4000 + (round % 3);
      return k.syscall(SYS_KILL, BigInt(pid), BigInt(op.sig));
    }
    case "open":
      return k.call("do_sys_open", -100n /* AT_FDCWD */, WORKLOAD_USER_BASE + BigInt(op.file) * 0x1000n, BigInt(op.flags), 0n);
  }
}
