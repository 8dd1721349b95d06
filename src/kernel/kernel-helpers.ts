// The helpers programs on the simulated kernel get on top of the machine's: the current task,
// bpf_override_return, the tracing helpers (assembly/kernel), the bench trigger, and the task
// helpers that need the kernel's tasks and files (bpf_task_pt_regs, bpf_d_path) and per-CPU area
// (bpf_per_cpu_ptr, bpf_this_cpu_ptr).
import type { Helper } from "../exec/helpers.js";
import { HELPER } from "../isa/helpers.js";
import { CPU_ID_ADDR } from "../isa/layout.js";
import type { AsRuntimeExports } from "../runtime/as-runtime.js";

type HelperAbi = (r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

const EINVAL = 22n;
const ENAMETOOLONG = 36n;

/** What the helpers need of the kernel's tasks. */
export interface TaskLookup {
  /** task_pt_regs: the task's saved user registers, 0 for an address that is no task */
  ptRegs(task: number): number;
  /** the name d_path prints for a `struct path` (a file's f_path), null for none */
  pathName(path: number): Uint8Array | null;
}

/** What the helpers need of the kernel's per-CPU area (percpu.ts). */
export interface PerCpuLookup {
  ptr(addr: bigint, cpu: bigint): number;
  thisPtr(addr: bigint, cpu: number): number;
}

/** The kernel's helpers: AssemblyScript ones (each with its interpreter entry) and JS ones over its tasks, files and per-CPU area. */
export function simKernelHelpers(ex: AsRuntimeExports, tasks: TaskLookup, percpu: PerCpuLookup): Helper[] {
  const h = (id: number, name: string, native: HelperAbi, arity: number): Helper => ({
    id,
    name,
    native,
    // the interpreter's entry: the same wasm code (these helpers trust the verifier)
    fn: (c) => {
      const a = [c.r1, c.r2, c.r3, c.r4, c.r5].map((x, i) => (i < arity ? BigInt.asIntN(64, x) : 0n));
      return BigInt.asUintN(64, native(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!));
    },
  });
  // bpf_get_current_pid_tgid / _comm / _uid_gid and the probe reads are the machine's
  // (setCurrent drives Machine.setCurrentTask; kernel objects are declared kernel memory)
  return [
    h(HELPER.get_current_task, "bpf_get_current_task", ex.helper_get_current_task, 0),
    // the same pointer, typed for the verifier (PTR_TO_BTF_ID task_struct)
    h(HELPER.get_current_task_btf, "bpf_get_current_task_btf", ex.helper_get_current_task, 0),
    {
      id: HELPER.task_pt_regs,
      name: "bpf_task_pt_regs",
      // the verifier proves r1 a task; an unverified program passing anything else gets NULL
      fn: (c) => (c.r1 > 0xffffffffn ? 0n : BigInt(tasks.ptRegs(Number(c.r1)))),
    },
    {
      id: HELPER.d_path,
      name: "bpf_d_path",
      fn: (c) => {
        const sz = Number(c.r3 & 0xffffffffn);
        if (sz === 0) return 0n;
        const dst = c.mem.check(c.r2, sz, true, c.pc);
        // the verifier proves r1 a struct path; an unverified program passing another address gets -EINVAL
        const name = c.r1 > 0xffffffffn ? null : tasks.pathName(Number(c.r1));
        if (name === null) return BigInt.asUintN(64, -EINVAL);
        const full = new Uint8Array(name.length + 1);
        full.set(name);
        // d_path builds the name backwards from the end of the buffer: when it does not fit,
        // the buffer ends up holding its last sz bytes and the error is returned
        if (full.length > sz) {
          c.mem.bytes.set(full.subarray(full.length - sz), dst);
          return BigInt.asUintN(64, -ENAMETOOLONG);
        }
        c.mem.bytes.set(full, dst);
        return BigInt(full.length);
      },
    },
    // the verifier proves r1 a per-CPU variable's address (a typed __ksym)
    { id: HELPER.per_cpu_ptr, name: "bpf_per_cpu_ptr", fn: (c) => BigInt(percpu.ptr(c.r1, BigInt.asUintN(32, c.r2))) },
    { id: HELPER.this_cpu_ptr, name: "bpf_this_cpu_ptr", fn: (c) => BigInt(percpu.thisPtr(c.r1, c.mem.view.getUint32(CPU_ID_ADDR, true))) },
    h(HELPER.override_return, "bpf_override_return", ex.helper_override_return, 2),
    h(HELPER.get_func_ip, "bpf_get_func_ip", ex.helper_get_func_ip, 1),
    h(HELPER.get_attach_cookie, "bpf_get_attach_cookie", ex.helper_get_attach_cookie, 1),
    h(HELPER.get_func_arg, "bpf_get_func_arg", ex.helper_get_func_arg, 3),
    h(HELPER.get_func_ret, "bpf_get_func_ret", ex.helper_get_func_ret, 2),
    h(HELPER.get_func_arg_cnt, "bpf_get_func_arg_cnt", ex.helper_get_func_arg_cnt, 1),
    // bpf_get_numa_node_id is a traceable kernel function here (the bench trigger)
    h(HELPER.get_numa_node_id, "bpf_get_numa_node_id", ex.kernel_helper_get_numa_node_id, 5),
  ];
}
