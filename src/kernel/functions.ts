// The simulated kernel's function list: built-in functions (bodies in assembly/kernel/funcs.ts,
// in the order of the KFN_* ids there), a few thousand generated functions for scale, and the
// C-like type strings their BTF prototypes are built from (src/kernel/vmlinux-btf.ts).

/** A parameter: [name, C type], e.g. ["file", "struct file *"]. */
export type Param = readonly [name: string, type: string];

export interface KernelFunctionSpec {
  readonly name: string;
  readonly params: readonly Param[];
  /** the C return type ("void" for none) */
  readonly ret: string;
  /** on the error-injection list (ALLOW_ERROR_INJECTION): an fmod_ret target */
  readonly errorInjection?: boolean;
}

export interface BuiltinFunction extends KernelFunctionSpec {
  /** the AssemblyScript export with the body */
  readonly body: string;
}

const u64x5: Param[] = [["r1", "u64"], ["r2", "u64"], ["r3", "u64"], ["r4", "u64"], ["r5", "u64"]];

/** In KFN_* id order (assembly/kernel/funcs.ts). */
export const BUILTIN_FUNCTIONS: readonly BuiltinFunction[] = [
  // the bench trigger: a BPF_CALL_0 helper whose BTF has the five u64 registers. On the
  // error-injection list here (not in Linux) so that the fmodret bench variants can use the
  // same trigger as the others (bench_trigger uses an error-injectable function for them).
  { name: "bpf_get_numa_node_id", params: u64x5, ret: "u64", body: "kfn_bpf_get_numa_node_id", errorInjection: true },
  { name: "do_syscall_64", params: [["regs", "struct pt_regs *"], ["nr", "int"]], ret: "long", body: "kfn_do_syscall_64" },
  { name: "__x64_sys_getpgid", params: [["regs", "const struct pt_regs *"]], ret: "long", body: "kfn_sys_getpgid", errorInjection: true },
  { name: "__x64_sys_read", params: [["regs", "const struct pt_regs *"]], ret: "long", body: "kfn_sys_read", errorInjection: true },
  { name: "vfs_read", params: [["file", "struct file *"], ["buf", "char *"], ["count", "size_t"], ["pos", "loff_t *"]], ret: "ssize_t", body: "kfn_vfs_read" },
  { name: "security_file_permission", params: [["file", "struct file *"], ["mask", "int"]], ret: "int", body: "kfn_security_file_permission" },
  { name: "__x64_sys_kill", params: [["regs", "const struct pt_regs *"]], ret: "long", body: "kfn_sys_kill", errorInjection: true },
  { name: "security_task_kill", params: [["p", "struct task_struct *"], ["sig", "int"]], ret: "int", body: "kfn_security_task_kill" },
  { name: "security_file_open", params: [["file", "struct file *"]], ret: "int", body: "kfn_security_file_open" },
  { name: "should_failslab", params: [["s", "struct kmem_cache *"], ["gfpflags", "unsigned int"]], ret: "int", body: "kfn_should_failslab", errorInjection: true },
  { name: "bpf_modify_return_test", params: [["a", "int"], ["b", "int *"]], ret: "int", body: "kfn_bpf_modify_return_test", errorInjection: true },
  { name: "bpf_fentry_test1", params: [["a", "int"]], ret: "int", body: "kfn_bpf_fentry_test1" },
  { name: "bpf_fentry_test2", params: [["a", "int"], ["b", "u64"]], ret: "int", body: "kfn_bpf_fentry_test2" },
  { name: "bpf_fentry_test3", params: [["a", "char"], ["b", "int"], ["c", "u64"]], ret: "int", body: "kfn_bpf_fentry_test3" },
  { name: "wake_up_new_task", params: [["p", "struct task_struct *"]], ret: "void", body: "kfn_wake_up_new_task" },
  { name: "wabpf_recurse", params: [["n", "int"]], ret: "int", body: "kfn_wabpf_recurse" },
  { name: "__x64_sys_openat", params: [["regs", "const struct pt_regs *"]], ret: "long", body: "kfn_sys_openat", errorInjection: true },
];

export const TRIGGER_FUNCTION = "bpf_get_numa_node_id";

const GEN_TYPES = ["u64", "int", "unsigned long", "struct file *", "long", "struct task_struct *"] as const;
const GEN_SUBSYS = ["mm", "net", "fs", "sched", "block", "irq", "tty", "crypto"] as const;

/**
 * `n` generated functions (`sim_<subsys>_fn_<i>`), 0..6 arguments, deterministic, sharing
 * one body per arity (kfn_generic0..6, which return the sum of their arguments).
 */
export function generatedFunctions(n: number): Array<KernelFunctionSpec & { readonly body: string }> {
  const out: Array<KernelFunctionSpec & { readonly body: string }> = [];
  for (let i = 0; i < n; i++) {
    const nargs = i % 7;
    const params: Param[] = [];
    for (let k = 0; k < nargs; k++) params.push([`a${k}`, GEN_TYPES[(i + k) % GEN_TYPES.length]!]);
    out.push({ name: `sim_${GEN_SUBSYS[i % GEN_SUBSYS.length]}_fn_${String(i).padStart(5, "0")}`, params, ret: i % 3 === 0 ? "int" : "long", body: `kfn_generic${nargs}` });
  }
  return out;
}

/** fmod_ret may attach here: the error-injection list, or a security_* hook returning int. */
export function modifyReturnAllowed(f: KernelFunctionSpec): boolean {
  return f.errorInjection === true || (f.name.startsWith("security_") && f.ret === "int");
}
