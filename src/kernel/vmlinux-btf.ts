// The simulated kernel's vmlinux-like BTF: base integer types and typedefs as the kernel
// spells them, the structs its functions take pointers to (laid out as the AssemblyScript
// side keeps them in memory), and one FUNC + FUNC_PROTO per kernel function.
import { EbpfError } from "../errors.js";
import { BtfBuilder } from "../loader/btf-builder.js";
import type { Btf } from "../loader/btf.js";
import type { KernelFunctionSpec } from "./functions.js";
import { KFUNC_PROTOS } from "./kfuncs.js";
import type { TraceEventSpec } from "./tracepoints.js";

/** The record struct vmlinux's BTF names for an event (events sharing a template use the template's). */
export function traceEventStructName(e: TraceEventSpec): string | null {
  if (e.system === "syscalls") return null; // served as struct trace_event_raw_sys_enter / _exit
  return `trace_event_raw_${TEMPLATES[e.name] ?? e.name}`;
}
const TEMPLATES: Record<string, string> = { sched_wakeup_new: "sched_wakeup_template" };

const SIGNED = 1;
const CHAR = 2;
const BOOL = 4;

/** Resolves C type strings to BTF ids inside one builder, creating pointers/consts on demand. */
export class TypeResolver {
  private readonly named = new Map<string, number>();
  private readonly derived = new Map<string, number>();

  constructor(readonly b: BtfBuilder) {
    const int = (name: string, size: number, enc: number): void => void this.named.set(name, b.int(name, size, enc));
    int("char", 1, SIGNED | CHAR);
    int("unsigned char", 1, 0);
    int("short", 2, SIGNED);
    int("unsigned short", 2, 0);
    int("int", 4, SIGNED);
    int("unsigned int", 4, 0);
    int("long", 8, SIGNED);
    int("unsigned long", 8, 0);
    int("long long", 8, SIGNED);
    int("unsigned long long", 8, 0);
    int("_Bool", 1, BOOL);
    const td = (name: string, of: string): void => void this.named.set(name, b.typedef(name, this.named.get(of)!));
    td("__u8", "unsigned char");
    td("u8", "__u8");
    td("__u16", "unsigned short");
    td("u16", "__u16");
    td("__u32", "unsigned int");
    td("u32", "__u32");
    td("__s32", "int");
    td("s32", "__s32");
    td("__u64", "unsigned long long");
    td("u64", "__u64");
    td("__s64", "long long");
    td("s64", "__s64");
    td("bool", "_Bool");
    td("__kernel_size_t", "unsigned long");
    td("size_t", "__kernel_size_t");
    td("__kernel_ssize_t", "long");
    td("ssize_t", "__kernel_ssize_t");
    td("__kernel_loff_t", "long long");
    td("loff_t", "__kernel_loff_t");
    td("__kernel_pid_t", "int");
    td("pid_t", "__kernel_pid_t");
    td("gfp_t", "unsigned int");
    this.structs();
  }

  private structs(): void {
    const b = this.b;
    const m = (name: string, type: string, byteOff: number): { name: string; type: number; bitOffset: number; bitfieldSize: number } => ({ name, type: this.resolve(type), bitOffset: byteOff * 8, bitfieldSize: 0 });
    // struct task_struct: what assembly/kernel/state.ts keeps (pid, tgid, comm, state, parent)
    const task = b.reserve();
    this.named.set("struct task_struct", task);
    const comm = b.array(this.resolve("char"), 16, this.resolve("int"));
    b.set(task, {
      kind: "STRUCT", name: "task_struct", size: 40,
      members: [m("pid", "pid_t", 0), m("tgid", "pid_t", 4), { name: "comm", type: comm, bitOffset: 64, bitfieldSize: 0 }, m("__state", "long", 24), m("parent", "struct task_struct *", 32)],
    });
    const inode = b.struct("inode", 16, [m("i_ino", "unsigned long", 0), m("i_size", "loff_t", 8)]);
    this.named.set("struct inode", inode);
    // struct path: what bpf_d_path (147) takes, as &file->f_path
    const path = b.struct("path", 16, [m("mnt", "struct vfsmount *", 0), m("dentry", "struct dentry *", 8)]);
    this.named.set("struct path", path);
    const file = b.struct("file", 40, [m("f_flags", "unsigned int", 0), m("f_mode", "unsigned int", 4), m("f_pos", "loff_t", 8), m("f_inode", "struct inode *", 16), m("f_path", "struct path", 24)]);
    this.named.set("struct file", file);
    const regs = ["r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax", "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss"];
    this.named.set("struct pt_regs", b.struct("pt_regs", regs.length * 8, regs.map((r, i) => m(r, "unsigned long", i * 8))));
    this.named.set("struct kmem_cache", b.struct("kmem_cache", 8, [m("object_size", "unsigned int", 0), m("size", "unsigned int", 4)]));
    // what the cgroup kfuncs take; the kernel has no cgroup objects yet
    this.named.set("struct cgroup", b.struct("cgroup", 8, [m("level", "int", 0)]));
    // iterators (src/runtime/seq-file.ts keeps these in guest memory): the seq_file's first
    // fields, bpf_iter_meta, and the task iterator's ctx with Linux's __bpf_md_ptr unions
    this.named.set("struct seq_file", b.struct("seq_file", 32, [m("buf", "char *", 0), m("size", "size_t", 8), m("from", "size_t", 16), m("count", "size_t", 24)]));
    this.named.set("struct bpf_iter_meta", b.struct("bpf_iter_meta", 24, [m("seq", "struct seq_file *", 0), m("session_id", "u64", 8), m("seq_num", "u64", 16)]));
    // BTF_TYPE_SAFE_TRUSTED(struct bpf_iter_meta) { seq }: meta->seq stays trusted (the verifier reads the list from the BTF)
    b.struct("bpf_iter_meta__safe_trusted", 8, [m("seq", "struct seq_file *", 0)]);
    const mdPtr = (name: string, type: string): number => b.union("", 8, [m(name, type, 0)]);
    this.named.set("struct bpf_iter__task", b.struct("bpf_iter__task", 16, [
      { name: "", type: mdPtr("meta", "struct bpf_iter_meta *"), bitOffset: 0, bitfieldSize: 0 },
      { name: "", type: mdPtr("task", "struct task_struct *"), bitOffset: 64, bitfieldSize: 0 },
    ]));
  }

  /** The BTF id of a C type string ("int", "const struct pt_regs *", "char *", "void"). */
  resolve(type: string): number {
    const t = type.trim().replace(/\s+/g, " ");
    if (t === "void") return 0;
    const hit = this.named.get(t) ?? this.derived.get(t);
    if (hit !== undefined) return hit;
    let id: number;
    if (t.endsWith("*")) id = this.b.ptr(this.resolve(t.slice(0, -1)));
    else if (t.startsWith("const ")) id = this.b.const(this.resolve(t.slice(6)));
    else if (t.startsWith("struct ")) {
      id = this.b.fwd(t.slice(7));
      this.named.set(t, id);
      return id;
    } else throw new EbpfError("EINVAL", `kernel BTF: unknown type '${type}'`);
    this.derived.set(t, id);
    return id;
  }
}

/** The simulated kernel's iterator targets and their bpf_iter_<target> arguments. */
const ITER_TARGETS: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, string]>]> = [["task", [["meta", "struct bpf_iter_meta *"], ["task", "struct task_struct *"]]]];

type VmlinuxBtf = { btf: Btf; bytes: Uint8Array; funcIds: Map<string, number> };
const built = new Map<string, VmlinuxBtf>();
const BUILT_MAX = 4;

/**
 * buildVmlinuxBtf, remembered by content: every SimKernel of the same shape (the default one,
 * above all) shares one parsed BTF instead of building and parsing ~1 MB again (tens of ms).
 * The Btf is read-only to its users.
 */
export function vmlinuxBtf(
  functions: readonly KernelFunctionSpec[],
  tracepoints: ReadonlyArray<{ readonly name: string; readonly params: KernelFunctionSpec["params"] }> = [],
  events: readonly TraceEventSpec[] = [],
): VmlinuxBtf {
  const key = JSON.stringify([
    functions.map((f) => [f.name, f.ret, f.params]),
    tracepoints.map((t) => [t.name, t.params]),
    events.map((e) => [e.system, e.name, e.size, e.fields.map((f) => [f.name, f.type, f.off, f.array ?? null])]),
  ]);
  let hit = built.get(key);
  if (hit === undefined) {
    hit = buildVmlinuxBtf(functions, tracepoints, events);
    if (built.size >= BUILT_MAX) built.delete(built.keys().next().value!);
  } else built.delete(key);
  built.set(key, hit);
  return hit;
}

/** Build the BTF for these functions; returns the parsed BTF, its bytes and each function's FUNC id. */
export function buildVmlinuxBtf(
  functions: readonly KernelFunctionSpec[],
  tracepoints: ReadonlyArray<{ readonly name: string; readonly params: KernelFunctionSpec["params"] }> = [],
  events: readonly TraceEventSpec[] = [],
): { btf: Btf; bytes: Uint8Array; funcIds: Map<string, number> } {
  const b = new BtfBuilder();
  const r = new TypeResolver(b);
  const funcIds = new Map<string, number>();
  // the kfuncs (src/kernel/kfuncs.ts): FUNCs like any function's, what `__ksym` calls resolve
  // to, tagged `bpf_kfunc` as vmlinux tags them (__bpf_kfunc). First, so that their ids stay
  // the same when defineFunction adds functions (a program keeps the ids it was loaded with)
  for (const k of KFUNC_PROTOS) b.declTag("bpf_kfunc", b.func(k.name, b.funcProto(r.resolve(k.ret), k.params.map(([n, t]) => [n, r.resolve(t)] as const)), 1));
  for (const f of functions) {
    const proto = b.funcProto(r.resolve(f.ret), f.params.map(([n, t]) => [n, r.resolve(t)] as const));
    funcIds.set(f.name, b.func(f.name, proto, 1));
  }
  // iterator targets: the FUNC an iter/<target> program attaches to (DEFINE_BPF_ITER_FUNC)
  for (const [target, params] of ITER_TARGETS) {
    const proto = b.funcProto(r.resolve("int"), params.map(([n, t]) => [n, r.resolve(t)] as const));
    funcIds.set(`bpf_iter_${target}`, b.func(`bpf_iter_${target}`, proto, 1));
  }
  // what tp_btf programs are typed from: typedef void (*btf_trace_<tp>)(void *__data, TP_PROTO…)
  for (const t of tracepoints) {
    const proto = b.funcProto(0, [["__data", r.resolve("void *")], ...t.params.map(([n, ty]) => [n, r.resolve(ty)] as const)]);
    b.typedef(`btf_trace_${t.name}`, b.ptr(proto));
  }
  // what CO-RE programs type a classic tracepoint's ctx with: struct trace_entry and
  // struct trace_event_raw_<event or template> { struct trace_entry ent; fields…; char __data[]; }
  if (events.length > 0) {
    const m = (name: string, type: number, off: number) => ({ name, type, bitOffset: off * 8, bitfieldSize: 0 });
    const entry = b.struct("trace_entry", 8, [
      m("type", r.resolve("unsigned short"), 0), m("flags", r.resolve("unsigned char"), 2), m("preempt_count", r.resolve("unsigned char"), 3), m("pid", r.resolve("int"), 4),
    ]);
    const int = r.resolve("int");
    const done = new Set<string>();
    for (const e of events) {
      const name = traceEventStructName(e);
      if (name === null || done.has(name)) continue;
      done.add(name);
      const members = [m("ent", entry, 0)];
      for (const f of e.fields) {
        const hash = f.name.indexOf("#");
        if (hash >= 0) {
          const full = f.name.slice(0, hash); // "args[6]"
          const base = full.replace(/\[.*$/, "");
          if (members.some((x) => x.name === base)) continue;
          const n = e.fields.filter((x) => x.name.startsWith(`${full}#`)).length;
          members.push(m(base, b.array(r.resolve(f.type), n, int), f.off));
        } else if (f.array !== undefined) {
          members.push(m(f.name, b.array(r.resolve(f.type), Number(/\d+/.exec(f.array)![0]), int), f.off));
        } else members.push(m(f.name, r.resolve(f.type), f.off));
      }
      const size = Math.ceil(e.size / 4) * 4;
      members.push(m("__data", b.array(r.resolve("char"), 0, int), size));
      b.struct(name, size, members);
    }
  }
  const bytes = b.bytes();
  return { btf: b.build(), bytes, funcIds };
}
