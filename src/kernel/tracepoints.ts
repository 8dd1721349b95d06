// The simulated kernel's tracepoints: call sites in the AssemblyScript kernel (ids in the TP_*
// order of assembly/kernel/funcs.ts) with their TP_PROTO (raw_tp / tp_btf arguments), and the
// classic trace events served from them, each with the record layout its `format` file
// describes (tracefs: events/<system>/<name>/format) and where each field's value comes from.
//
// - raw_syscalls:sys_enter / sys_exit and syscalls:sys_enter_<name> / sys_exit_<name>: the
//   sys_enter / sys_exit call sites in do_syscall_64 (as in Linux, the per-syscall events are
//   filtered from them by syscall number);
// - sched:sched_wakeup_new in wake_up_new_task;
// - bpf_test_run:bpf_trigger_tp fired by helper 42 right after the bench trigger
//   (bpf_get_numa_node_id) returns, so the trigger's body stays a leaf.
// Host-defined tracepoints (SimKernel.defineTracepoint) have no call site in kernel code: the
// host fires them (SimKernel.fireTracepoint).
import type { Param } from "./functions.js";
import type { FieldSource } from "./probe-tramp.js";

/** A field of an event record after the common ones. */
export interface EventField {
  /** the C declaration's type part ("const char *", "char", "unsigned long") */
  readonly type: string;
  readonly name: string;
  /** array suffix, e.g. "[16]" */
  readonly array?: string;
  readonly off: number;
  readonly size: number;
  readonly signed: boolean;
  /** where the value comes from (omitted: left 0) */
  readonly src?: SourceSpec;
}

export type SourceSpec =
  | { readonly kind: "arg"; readonly arg: number }
  | { readonly kind: "load"; readonly arg: number; readonly at: number }
  | { readonly kind: "copy"; readonly arg: number; readonly at: number }
  | { readonly kind: "const"; readonly value: bigint };

export interface TraceEventSpec {
  readonly system: string;
  readonly name: string;
  readonly id: number;
  readonly fields: readonly EventField[];
  readonly printFmt: string;
  /** the record's size (trace_event offsets: what a program may read) */
  readonly size: number;
  /** served from call site `site`, filtered on an argument (syscall events) */
  readonly site: string;
  readonly filter: { readonly arg: number; readonly at?: number; readonly value: bigint } | null;
}

export interface TracepointSite {
  /** the raw tracepoint's name (raw_tp/<name>, tp_btf/<name>) */
  readonly name: string;
  /** the AssemblyScript call site id, or null for host-fired tracepoints */
  readonly id: number | null;
  readonly params: readonly Param[];
}

/** The common fields every record starts with (not readable by programs). */
export const COMMON_FIELDS: readonly EventField[] = [
  { type: "unsigned short", name: "common_type", off: 0, size: 2, signed: false },
  { type: "unsigned char", name: "common_flags", off: 2, size: 1, signed: false },
  { type: "unsigned char", name: "common_preempt_count", off: 3, size: 1, signed: false },
  { type: "int", name: "common_pid", off: 4, size: 4, signed: true },
];

export const BUILTIN_TRACEPOINTS: readonly TracepointSite[] = [
  { name: "sys_enter", id: 0, params: [["regs", "struct pt_regs *"], ["id", "long"]] },
  { name: "sys_exit", id: 1, params: [["regs", "struct pt_regs *"], ["ret", "long"]] },
  { name: "sched_wakeup_new", id: 2, params: [["p", "struct task_struct *"]] },
  { name: "bpf_trigger_tp", id: 3, params: [["nonce", "int"]] },
];

/** x86-64 struct pt_regs offsets the syscall path keeps arguments at (di, si, dx, r10, r8, r9; orig_ax). */
const SYSCALL_ARG_OFF = [14 * 8, 13 * 8, 12 * 8, 7 * 8, 9 * 8, 8 * 8];
const ORIG_AX = 15 * 8;

interface SyscallSpec {
  readonly nr: number;
  readonly name: string;
  readonly args: ReadonlyArray<readonly [type: string, name: string]>;
}
export const SYSCALLS: readonly SyscallSpec[] = [
  { nr: 0, name: "read", args: [["unsigned int", "fd"], ["char *", "buf"], ["size_t", "count"]] },
  { nr: 62, name: "kill", args: [["pid_t", "pid"], ["int", "sig"]] },
  { nr: 121, name: "getpgid", args: [["pid_t", "pid"]] },
  { nr: 257, name: "openat", args: [["int", "dfd"], ["const char *", "filename"], ["int", "flags"], ["umode_t", "mode"]] },
];

function recordSize(fields: readonly EventField[]): number {
  const end = Math.max(8, ...fields.map((f) => f.off + f.size));
  return end;
}

function builtinEvents(): TraceEventSpec[] {
  const out: TraceEventSpec[] = [];
  let id = 600;
  const ev = (e: Omit<TraceEventSpec, "id" | "size">): void => void out.push({ ...e, id: id++, size: recordSize(e.fields) });
  ev({
    system: "raw_syscalls", name: "sys_enter", site: "sys_enter", filter: null,
    fields: [
      { type: "long", name: "id", off: 8, size: 8, signed: true, src: { kind: "arg", arg: 1 } },
      ...SYSCALL_ARG_OFF.map((at, i): EventField => ({ type: "unsigned long", name: `args[6]#${i}`, off: 16 + 8 * i, size: 8, signed: false, src: { kind: "load", arg: 0, at } })),
    ],
    printFmt: `"NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)", REC->id, REC->args[0], REC->args[1], REC->args[2], REC->args[3], REC->args[4], REC->args[5]`,
  });
  ev({
    system: "raw_syscalls", name: "sys_exit", site: "sys_exit", filter: null,
    fields: [
      { type: "long", name: "id", off: 8, size: 8, signed: true, src: { kind: "load", arg: 0, at: ORIG_AX } },
      { type: "long", name: "ret", off: 16, size: 8, signed: true, src: { kind: "arg", arg: 1 } },
    ],
    printFmt: `"NR %ld = %ld", REC->id, REC->ret`,
  });
  for (const s of SYSCALLS) {
    ev({
      system: "syscalls", name: `sys_enter_${s.name}`, site: "sys_enter", filter: { arg: 1, value: BigInt(s.nr) },
      fields: [
        { type: "int", name: "__syscall_nr", off: 8, size: 4, signed: true, src: { kind: "arg", arg: 1 } },
        ...s.args.map(([type, name], i): EventField => ({ type, name, off: 16 + 8 * i, size: 8, signed: false, src: { kind: "load", arg: 0, at: SYSCALL_ARG_OFF[i]! } })),
      ],
      printFmt: `"${s.args.map(([, n]) => `${n}: 0x%08lx`).join(", ")}", ${s.args.map(([, n]) => `((unsigned long)(REC->${n}))`).join(", ")}`,
    });
    ev({
      system: "syscalls", name: `sys_exit_${s.name}`, site: "sys_exit", filter: { arg: 0, at: ORIG_AX, value: BigInt(s.nr) },
      fields: [
        { type: "int", name: "__syscall_nr", off: 8, size: 4, signed: true, src: { kind: "load", arg: 0, at: ORIG_AX } },
        { type: "long", name: "ret", off: 16, size: 8, signed: true, src: { kind: "arg", arg: 1 } },
      ],
      printFmt: `"0x%lx", REC->ret`,
    });
  }
  ev({
    system: "sched", name: "sched_wakeup_new", site: "sched_wakeup_new", filter: null,
    fields: [
      // struct task_struct here: pid @0, comm @8 (src/kernel/vmlinux-btf.ts)
      { type: "char", name: "comm", array: "[16]", off: 8, size: 16, signed: false, src: { kind: "copy", arg: 0, at: 8 } },
      { type: "pid_t", name: "pid", off: 24, size: 4, signed: true, src: { kind: "load", arg: 0, at: 0 } },
      { type: "int", name: "prio", off: 28, size: 4, signed: true, src: { kind: "const", value: 120n } },
      { type: "int", name: "target_cpu", off: 32, size: 4, signed: true, src: { kind: "const", value: 0n } },
    ],
    printFmt: `"comm=%s pid=%d prio=%d target_cpu=%03d", REC->comm, REC->pid, REC->prio, REC->target_cpu`,
  });
  ev({
    system: "bpf_test_run", name: "bpf_trigger_tp", site: "bpf_trigger_tp", filter: null,
    fields: [{ type: "int", name: "nonce", off: 8, size: 4, signed: true, src: { kind: "arg", arg: 0 } }],
    printFmt: `"nonce %d", REC->nonce`,
  });
  return out;
}

export const BUILTIN_EVENTS: readonly TraceEventSpec[] = builtinEvents();

/** tracefs' format file of an event. */
export function formatEvent(e: TraceEventSpec): string {
  const line = (f: EventField): string => {
    const name = f.name.includes("#") ? f.name.slice(0, f.name.indexOf("#")) : f.name;
    return `\tfield:${f.type} ${name}${f.array ?? ""};\toffset:${f.off};\tsize:${f.size};\tsigned:${f.signed ? 1 : 0};\n`;
  };
  // fields of one array (args[6]) print once with the array's whole size
  const own: EventField[] = [];
  for (const f of e.fields) {
    const base = f.name.includes("#") ? f.name.slice(0, f.name.indexOf("#")) : null;
    if (base !== null) {
      const prev = own.find((x) => x.name === base);
      if (prev !== undefined) continue;
      const all = e.fields.filter((x) => x.name.startsWith(`${base}#`));
      own.push({ type: f.type, name: base, off: f.off, size: all.reduce((a, x) => a + x.size, 0), signed: f.signed });
    } else own.push(f);
  }
  return `name: ${e.name}\nID: ${e.id}\nformat:\n${COMMON_FIELDS.map(line).join("")}\n${own.map(line).join("")}\nprint fmt: ${e.printFmt}\n`;
}

/** The field sources of an event's record, for the tracepoint hook. */
export function eventSources(e: TraceEventSpec): FieldSource[] {
  const out: FieldSource[] = [];
  for (const f of e.fields) {
    const s = f.src;
    if (s === undefined) continue;
    if (s.kind === "arg") out.push({ kind: "arg", off: f.off, size: f.size, arg: s.arg });
    else if (s.kind === "load") out.push({ kind: "load", off: f.off, size: f.size, arg: s.arg, at: s.at });
    else if (s.kind === "copy") out.push({ kind: "copy", off: f.off, size: f.size, arg: s.arg, at: s.at });
    else out.push({ kind: "const", off: f.off, size: f.size, value: s.value });
  }
  return out;
}
