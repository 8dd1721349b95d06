// The simulated kernel's state in the shared memory: the current task, the registry of
// kernel functions AssemblyScript code calls (table slot + address, filled in by the host),
// and the tracing stack that trampolines take their frames from.
import { wabpf_alloc } from "../alloc";
import { CPU_ID_ADDR } from "../layout";

// ------------------------------------------------------------------ kernel function registry
// Calling convention of every simulated kernel function: (i64 ip, i64 arg0 … argN-1) -> i64,
// reached with call_indirect through its *entry* slot of the shared table. Attaching a
// trampoline replaces the entry slot's function (the kernel patches the function's nop);
// the trampoline calls the body through the function's *orig* slot. `ip` is the function's
// own address (the kernel's trampoline finds it from the return address).
export const KFN_MAX_BUILTIN: u32 = 64;
const kfnTable = memory.data(KFN_MAX_BUILTIN * 16);

export function wabpf_kfn_register(id: u32, slot: u32, ip: u64): void {
  if (id >= KFN_MAX_BUILTIN) return;
  store<u32>(kfnTable + (id << 4), slot);
  store<u64>(kfnTable + (id << 4), ip, 8);
}
@inline export function kfnSlot(id: u32): u32 {
  return load<u32>(kfnTable + (id << 4));
}
@inline export function kfnIp(id: u32): i64 {
  return load<i64>(kfnTable + (id << 4), 8);
}

// ------------------------------------------------------------------ current task
// struct task_struct (simulated): pid @0 (int), tgid @4 (int), comm @8 (char[16]),
// state @24 (long), parent @32 (pointer). The host allocates tasks and picks the current one.
export const TASK_SIZE: u32 = 40;
let currentTask: u32 = 0;

export function wabpf_kernel_set_current(task: u32): void {
  currentTask = task;
}
export function wabpf_kernel_current(): u32 {
  return currentTask;
}
@inline export function current(): u32 {
  return currentTask;
}

// ------------------------------------------------------------------ tracing stack
// Trampoline frames, growing down: [BPF stack 4096][cookie][ip][nr_args][args…][ret].
// ctx = frame + 4096 + 24; the program's r10 = ctx - 24. Frames nest when a traced function
// calls another traced function; past the end the programs of the inner call are skipped.
export const TRAMP_BPF_STACK: u32 = 4096;
export const TRAMP_STACK_SIZE: u32 = 64 * (4096 + 128);
const tsp = memory.data(8);
let tstackLo: u32 = 0;

export function wabpf_kernel_init(): u32 {
  if (tstackLo == 0) {
    tstackLo = wabpf_alloc(TRAMP_STACK_SIZE);
    if (tstackLo == 0) return 0;
    store<u32>(tsp, tstackLo + TRAMP_STACK_SIZE);
  }
  return tstackLo;
}
/** Address of the tracing stack pointer (a u32), for generated trampolines. */
export function wabpf_kernel_tsp_addr(): u32 {
  return <u32>tsp;
}
export function wabpf_kernel_tstack_lo(): u32 {
  return tstackLo;
}
/** Reset the tracing stack (after a trap unwound through trampolines). */
export function wabpf_kernel_tsp_reset(): void {
  store<u32>(tsp, tstackLo + TRAMP_STACK_SIZE);
}

// ------------------------------------------------------------------ per-program state
// Allocated by the host per attached tracing program: active[64] u32 (per-CPU recursion
// guard), then recursion_misses, run_cnt, run_time_ns (u64 each).
export const PROG_STATE_SIZE: u32 = 288;
export const PS_MISSES: u32 = 256;
export const PS_RUN_CNT: u32 = 264;
export const PS_RUN_TIME: u32 = 272;

// ------------------------------------------------------------------ tracepoints
// Per call site: the table slot of its generated hook (src/kernel/probe-tramp.ts), 0 while no
// program is attached (the kernel's static key).
// An entry: [hook slot u32][program slot u32][program state u32][pad]. With exactly one raw_tp
// program that cannot observe a frame (and stats off), the call site runs it itself (program
// slot != 0): one call into another module instead of two.
export const TP_MAX: u32 = 32;
const tpTable = memory.data(TP_MAX * 16);
export function wabpf_tp_set(id: u32, slot: u32, prog: u32, state: u32): void {
  if (id >= TP_MAX) return;
  const e = tpTable + (id << 4);
  store<u32>(e, slot);
  store<u32>(e, prog, 4);
  store<u32>(e, state, 8);
}
@inline export function tpEntry(id: u32): u32 {
  return tpTable + (id << 4);
}
/** The fast path: the program's own per-CPU guard, then the program (r1 = 0: it does not read ctx). */
@inline export function tpRunFast(prog: u32, state: u32): void {
  const act = state + (load<u32>(CPU_ID_ADDR) << 2);
  if (load<u32>(act) != 0) {
    store<u64>(state + PS_MISSES, load<u64>(state + PS_MISSES) + 1);
    return;
  }
  store<u32>(act, 1);
  call_indirect<i64>(prog, <i64>0, <i64>0, <i64>0, <i64>0, <i64>0, <i64>0, <i64>0, <i64>0, <i64>0, <i64>0, <i64>0);
  store<u32>(act, 0);
}
