// Helpers of tracing programs on the simulated kernel, with the uniform helper ABI
// (i64 r1..r5) -> i64. ctx is the trampoline's u64 array: ctx[-1] = nr_args, ctx[-2] = the
// traced function's address, ctx[-3] = the running link's cookie (wabpf's run_ctx).
import { current } from "./state";

const EINVAL: i64 = 22;

/** long bpf_get_func_arg(void *ctx, u32 n, u64 *value) */
export function helper_get_func_arg(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const ctx = <u32>r1;
  const n = <u64><u32>r2;
  if (n >= load<u64>(ctx - 8)) return -EINVAL;
  store<u64>(<u32>r3, load<u64>(ctx + (<u32>n << 3)));
  return 0;
}
/** long bpf_get_func_ret(void *ctx, u64 *value) */
export function helper_get_func_ret(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const ctx = <u32>r1;
  store<u64>(<u32>r2, load<u64>(ctx + (<u32>load<u64>(ctx - 8) << 3)));
  return 0;
}
/** long bpf_get_func_arg_cnt(void *ctx) */
export function helper_get_func_arg_cnt(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return load<i64>(<u32>r1 - 8);
}
/** u64 bpf_get_func_ip(void *ctx) */
export function helper_get_func_ip(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return load<i64>(<u32>r1 - 16);
}
/** u64 bpf_get_attach_cookie(void *ctx) */
export function helper_get_attach_cookie(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return load<i64>(<u32>r1 - 24);
}
/** u64 bpf_get_current_task(void) */
export function helper_get_current_task(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return <i64>current();
}
/**
 * long bpf_override_return(struct pt_regs *regs, u64 rc): for kprobe programs on
 * error-injectable functions (checked at attach). The kprobe layer reads the flag at ctx-32 and
 * the value at ctx-40 after its programs ran and then skips the function; the return register
 * (its offset at ctx-8) shows rc to the programs that run after this one.
 */
export function helper_override_return(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const regs = <u32>r1;
  store<i64>(regs - 40, r2);
  store<i64>(regs - 32, 1);
  store<i64>(regs + <u32>load<u64>(regs - 8), r2);
  return 0;
}
