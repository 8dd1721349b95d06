// The simulated kernel's kfuncs: their prototypes (FUNCs of its vmlinux BTF, the ids libbpf
// resolves `__ksym` calls to) and the implementations of the task and cgroup ones. The
// machine's own (bpf_rcu_read_lock/unlock) are declared here too: the BTF is the kernel's.
import type { KfuncImpl } from "../exec/kfuncs.js";
import type { KernelFunctionSpec } from "./functions.js";
import type { Tasks } from "./tasks.js";

/** The kfuncs' prototypes, as the kernel declares them (C type strings, as KernelFunctionSpec). */
export const KFUNC_PROTOS: readonly KernelFunctionSpec[] = [
  { name: "bpf_rcu_read_lock", params: [], ret: "void" },
  { name: "bpf_rcu_read_unlock", params: [], ret: "void" },
  { name: "bpf_task_acquire", params: [["p", "struct task_struct *"]], ret: "struct task_struct *" },
  { name: "bpf_task_release", params: [["p", "struct task_struct *"]], ret: "void" },
  { name: "bpf_task_from_pid", params: [["pid", "s32"]], ret: "struct task_struct *" },
  { name: "bpf_task_from_vpid", params: [["vpid", "s32"]], ret: "struct task_struct *" },
  { name: "bpf_cgroup_acquire", params: [["cgrp", "struct cgroup *"]], ret: "struct cgroup *" },
  { name: "bpf_cgroup_release", params: [["cgrp", "struct cgroup *"]], ret: "void" },
];

/** The task with pid `pid` (an s32), with a reference taken; 0 when there is none. */
function fromPid(tasks: Tasks, pid: bigint): bigint {
  const task = tasks.byPid(Number(BigInt.asIntN(32, pid)));
  if (task === 0) return 0n;
  tasks.get(task);
  return BigInt(task);
}

/**
 * Task kfuncs over the kernel's tasks. A task's reference count is what programs hold through
 * these (Tasks.refs): bpf_task_from_pid/_vpid and bpf_task_acquire take one, bpf_task_release drops
 * one; tasks are never freed, so the count only serves to check that programs pair them.
 * Cgroups: the kernel has no cgroup objects yet, so acquire returns its argument and release
 * does nothing.
 */
export function simKernelKfuncs(tasks: Tasks): KfuncImpl[] {
  return [
    {
      name: "bpf_task_acquire",
      // KF_RET_NULL in Linux (a dying task's count cannot be raised); no task dies here
      fn: ({ r1 }) => (tasks.get(Number(r1)), r1),
    },
    { name: "bpf_task_release", fn: ({ r1 }) => (tasks.put(Number(r1)), 0n) },
    { name: "bpf_task_from_pid", fn: ({ r1 }) => fromPid(tasks, r1) },
    // the simulated kernel has one pid namespace: the caller's is the initial one
    { name: "bpf_task_from_vpid", fn: ({ r1 }) => fromPid(tasks, r1) },
    { name: "bpf_cgroup_acquire", fn: ({ r1 }) => r1 },
    { name: "bpf_cgroup_release", fn: () => 0n },
  ];
}
