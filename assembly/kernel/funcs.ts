// Bodies of the simulated kernel's built-in functions. Each takes (ip, args…) as i64 and
// returns i64 (void functions return 0); calls between kernel functions go through the
// callee's entry slot, so a trampoline attached to the callee runs (src/kernel/functions.ts
// lists the same functions with their BTF prototypes; the ids below index that list).
import { current, kfnIp, kfnSlot, tpEntry, tpRunFast } from "./state";

export const KFN_NUMA_NODE_ID: u32 = 0;
export const KFN_DO_SYSCALL_64: u32 = 1;
export const KFN_SYS_GETPGID: u32 = 2;
export const KFN_SYS_READ: u32 = 3;
export const KFN_VFS_READ: u32 = 4;
export const KFN_SECURITY_FILE_PERMISSION: u32 = 5;
export const KFN_SYS_KILL: u32 = 6;
export const KFN_SECURITY_TASK_KILL: u32 = 7;
export const KFN_SECURITY_FILE_OPEN: u32 = 8;
export const KFN_SHOULD_FAILSLAB: u32 = 9;
export const KFN_MODIFY_RETURN_TEST: u32 = 10;
export const KFN_FENTRY_TEST1: u32 = 11;
export const KFN_FENTRY_TEST2: u32 = 12;
export const KFN_FENTRY_TEST3: u32 = 13;
export const KFN_WAKE_UP_NEW_TASK: u32 = 14;
export const KFN_RECURSE: u32 = 15;
export const KFN_SYS_OPENAT: u32 = 16;

// tracepoint call sites (src/kernel/tracepoints.ts lists them in this order)
export const TP_SYS_ENTER: u32 = 0;
export const TP_SYS_EXIT: u32 = 1;
export const TP_SCHED_WAKEUP_NEW: u32 = 2;
export const TP_BPF_TRIGGER: u32 = 3;

// a tracepoint call site: nothing but a load and a branch while no program is attached; the
// rest stays out of line so the traced function's own code is unchanged
@inline function trace1(id: u32, a: i64): void {
  if (load<u32>(tpEntry(id)) != 0) tpFire1(id, a);
}
@inline function trace2(id: u32, a: i64, b: i64): void {
  if (load<u32>(tpEntry(id)) != 0) tpFire2(id, a, b);
}
function tpFire1(id: u32, a: i64): void {
  const e = tpEntry(id);
  const p = load<u32>(e, 4);
  if (p != 0) tpRunFast(p, load<u32>(e, 8));
  else call_indirect<void>(load<u32>(e), a);
}
function tpFire2(id: u32, a: i64, b: i64): void {
  const e = tpEntry(id);
  const p = load<u32>(e, 4);
  if (p != 0) tpRunFast(p, load<u32>(e, 8));
  else call_indirect<void>(load<u32>(e), a, b);
}

const EBADF: i64 = 9;
const ENOSYS: i64 = 38;
const ESRCH: i64 = 3;
const ENOENT: i64 = 2;

// x86-64 struct pt_regs offsets of the syscall arguments
const PT_DI: u32 = 14 * 8;
const PT_SI: u32 = 13 * 8;
const PT_DX: u32 = 12 * 8;
const PT_AX: u32 = 10 * 8;

@inline function call1(id: u32, a: i64): i64 {
  return call_indirect<i64>(kfnSlot(id), kfnIp(id), a);
}
@inline function call2(id: u32, a: i64, b: i64): i64 {
  return call_indirect<i64>(kfnSlot(id), kfnIp(id), a, b);
}
@inline function call4(id: u32, a: i64, b: i64, c: i64, d: i64): i64 {
  return call_indirect<i64>(kfnSlot(id), kfnIp(id), a, b, c, d);
}

// ------------------------------------------------------------------ the bench trigger
/** u64 bpf_get_numa_node_id(u64, u64, u64, u64, u64): a BPF_CALL_0 helper, 0 (one node). */
export function kfn_bpf_get_numa_node_id(ip: i64, a: i64, b: i64, c: i64, d: i64, e: i64): i64 {
  return 0;
}
/** Helper 42 for programs on the simulated kernel: calls the traceable kernel function. */
export function kernel_helper_get_numa_node_id(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const r = call_indirect<i64>(kfnSlot(KFN_NUMA_NODE_ID), kfnIp(KFN_NUMA_NODE_ID), r1, r2, r3, r4, r5);
  // bpf_trigger_tp(nonce): the rawtp / tp bench variants' attach point. Fired here rather than in
  // the trigger function, whose body stays a leaf (a call in it costs every other variant ~1 ns)
  trace1(TP_BPF_TRIGGER, 0);
  return r;
}
/** The bench's kernel-side trigger loop: `n` calls of the trigger (no program). */
export function wabpf_kernel_trigger_loop(n: u32): i64 {
  let s: i64 = 0;
  for (let i: u32 = 0; i < n; i++) s += kernel_helper_get_numa_node_id(0, 0, 0, 0, 0);
  return s;
}

// ------------------------------------------------------------------ syscalls
/** long do_syscall_64(struct pt_regs *regs, int nr) */
export function kfn_do_syscall_64(ip: i64, regs: i64, nr: i64): i64 {
  trace2(TP_SYS_ENTER, regs, nr);
  let r: i64 = -ENOSYS;
  switch (<i32>nr) {
    case 0:
      r = call1(KFN_SYS_READ, regs);
      break;
    case 62:
      r = call1(KFN_SYS_KILL, regs);
      break;
    case 121:
      r = call1(KFN_SYS_GETPGID, regs);
      break;
    case 257:
      r = call1(KFN_SYS_OPENAT, regs);
      break;
  }
  store<i64>(<u32>regs, r, PT_AX);
  trace2(TP_SYS_EXIT, regs, r);
  return r;
}
/** long __x64_sys_openat(const struct pt_regs *regs): no file system here, -ENOENT (after security_file_open of no file) */
export function kfn_sys_openat(ip: i64, regs: i64): i64 {
  return -ENOENT;
}
/** long __x64_sys_getpgid(const struct pt_regs *regs): the current task's tgid (pid 0). */
export function kfn_sys_getpgid(ip: i64, regs: i64): i64 {
  const t = current();
  return t == 0 ? 0 : <i64>load<i32>(t, 4);
}

// files: a small fd table the host fills (fd -> struct file *)
const fdTable = memory.data(16 * 4);
export function wabpf_kernel_set_fd(fd: u32, file: u32): void {
  if (fd < 16) store<u32>(fdTable + (fd << 2), file);
}

/** long __x64_sys_read(const struct pt_regs *regs) */
export function kfn_sys_read(ip: i64, regs: i64): i64 {
  const r = <u32>regs;
  const fd = load<u64>(r, PT_DI);
  if (fd >= 16) return -EBADF;
  const file = load<u32>(fdTable + (<u32>fd << 2));
  if (file == 0) return -EBADF;
  return call4(KFN_VFS_READ, <i64>file, load<i64>(r, PT_SI), load<i64>(r, PT_DX), <i64>(file + 8));
}
/** ssize_t vfs_read(struct file *file, char *buf, size_t count, loff_t *pos) */
export function kfn_vfs_read(ip: i64, file: i64, buf: i64, count: i64, pos: i64): i64 {
  const err = <i32>call2(KFN_SECURITY_FILE_PERMISSION, file, 4 /* MAY_READ */);
  if (err != 0) return <i64>err;
  const size = load<i64>(<u32>load<u32>(<u32>file, 16), 8); // file->f_inode->i_size
  const p = load<i64>(<u32>pos);
  let n = count;
  if (p >= size) n = 0;
  else if (n > size - p) n = size - p;
  store<i64>(<u32>pos, p + n);
  return n;
}
/** int security_file_permission(struct file *file, int mask) */
export function kfn_security_file_permission(ip: i64, file: i64, mask: i64): i64 {
  return 0;
}
/** long __x64_sys_kill(const struct pt_regs *regs): only the current task exists. */
export function kfn_sys_kill(ip: i64, regs: i64): i64 {
  const r = <u32>regs;
  const t = current();
  if (t == 0 || <i32>load<i64>(r, PT_DI) != load<i32>(t, 4)) return -ESRCH;
  return <i64><i32>call2(KFN_SECURITY_TASK_KILL, <i64>t, load<i64>(r, PT_SI));
}
/** int security_task_kill(struct task_struct *p, int sig) */
export function kfn_security_task_kill(ip: i64, p: i64, sig: i64): i64 {
  return 0;
}
/** int security_file_open(struct file *file) */
export function kfn_security_file_open(ip: i64, file: i64): i64 {
  return 0;
}
/** int should_failslab(struct kmem_cache *s, unsigned int gfpflags): on the error-injection list */
export function kfn_should_failslab(ip: i64, s: i64, flags: i64): i64 {
  return 0;
}
/** int bpf_modify_return_test(int a, int *b): *b += 1, returns a + *b */
export function kfn_bpf_modify_return_test(ip: i64, a: i64, b: i64): i64 {
  const p = <u32>b;
  const v = load<i32>(p) + 1;
  store<i32>(p, v);
  return <i64>(<i32>a + v);
}
export function kfn_bpf_fentry_test1(ip: i64, a: i64): i64 {
  return <i64>(<i32>a + 1);
}
export function kfn_bpf_fentry_test2(ip: i64, a: i64, b: i64): i64 {
  return <i64><i32>a + b;
}
export function kfn_bpf_fentry_test3(ip: i64, a: i64, b: i64, c: i64): i64 {
  return <i64><i8>a + <i64><i32>b + c;
}
/** void wake_up_new_task(struct task_struct *p) */
export function kfn_wake_up_new_task(ip: i64, p: i64): i64 {
  if (p != 0) store<i64>(<u32>p, 0, 24); // TASK_RUNNING
  trace1(TP_SCHED_WAKEUP_NEW, p);
  return 0;
}
/** int wabpf_recurse(int n): calls itself n times through its entry (nested trampolines) */
export function kfn_wabpf_recurse(ip: i64, n: i64): i64 {
  if (<i32>n <= 0) return 0;
  return call1(KFN_RECURSE, <i64>(<i32>n - 1)) + 1;
}

/** Enter the syscall path: fills a struct pt_regs on the tracing stack's side and calls do_syscall_64. */
const regsBuf = memory.data(21 * 8 * 8);
let regsDepth: u32 = 0;
export function wabpf_kernel_syscall(nr: i32, a0: i64, a1: i64, a2: i64): i64 {
  if (regsDepth >= 8) return -ENOSYS;
  const regs = regsBuf + regsDepth * 21 * 8;
  regsDepth++;
  memory.fill(regs, 0, 21 * 8);
  store<i64>(regs, a0, PT_DI);
  store<i64>(regs, a1, PT_SI);
  store<i64>(regs, a2, PT_DX);
  store<i64>(regs, <i64>nr, 15 * 8); // orig_ax
  const r = call2(KFN_DO_SYSCALL_64, <i64>regs, <i64>nr);
  regsDepth--;
  return r;
}
/** The syscall path's struct pt_regs buffers (kernel memory for probe reads). */
export function wabpf_kernel_regs_buf(): u32 {
  return <u32>regsBuf;
}
export function wabpf_kernel_regs_buf_size(): u32 {
  return 21 * 8 * 8;
}
/** The bench's syscall loop: n getpgid syscalls. */
export function wabpf_kernel_syscall_loop(n: u32): i64 {
  let s: i64 = 0;
  for (let i: u32 = 0; i < n; i++) s += wabpf_kernel_syscall(121, 0, 0, 0);
  return s;
}

// ------------------------------------------------------------------ generated functions
// Bodies shared by the generated functions of each arity: mix the arguments.
export function kfn_generic0(ip: i64): i64 {
  return 0;
}
export function kfn_generic1(ip: i64, a: i64): i64 {
  return a;
}
export function kfn_generic2(ip: i64, a: i64, b: i64): i64 {
  return a + b;
}
export function kfn_generic3(ip: i64, a: i64, b: i64, c: i64): i64 {
  return a + b + c;
}
export function kfn_generic4(ip: i64, a: i64, b: i64, c: i64, d: i64): i64 {
  return a + b + c + d;
}
export function kfn_generic5(ip: i64, a: i64, b: i64, c: i64, d: i64, e: i64): i64 {
  return a + b + c + d + e;
}
export function kfn_generic6(ip: i64, a: i64, b: i64, c: i64, d: i64, e: i64, f: i64): i64 {
  return a + b + c + d + e + f;
}
