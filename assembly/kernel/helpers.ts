// Helpers of tracing programs on the simulated kernel, with the uniform helper ABI
// (i64 r1..r5) -> i64. ctx is the trampoline's u64 array: ctx[-1] = nr_args, ctx[-2] = the
// traced function's address, ctx[-3] = the running link's cookie (wabpf's run_ctx).
import { current } from "./state";

const EINVAL: i64 = 22;
const EFAULT: i64 = 14;

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
/** u64 bpf_get_current_pid_tgid(void): tgid << 32 | pid */
export function helper_get_current_pid_tgid(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const t = current();
  if (t == 0) return -EINVAL;
  return (<i64>load<u32>(t, 4) << 32) | <i64>load<u32>(t);
}
/** long bpf_get_current_comm(void *buf, u32 size): strscpy_pad of the task's comm */
export function helper_get_current_comm(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const buf = <u32>r1;
  const size = <u32>r2;
  const t = current();
  if (t == 0) {
    memory.fill(buf, 0, size);
    return -EINVAL;
  }
  let i: u32 = 0;
  for (; i + 1 < size && i < 16; i++) {
    const c = load<u8>(t + 8 + i);
    if (c == 0) break;
    store<u8>(buf + i, c);
  }
  memory.fill(buf + i, 0, size - i);
  return 0;
}
/** u64 bpf_get_current_task(void) */
export function helper_get_current_task(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return <i64>current();
}
/** long bpf_probe_read_kernel(void *dst, u32 size, const void *unsafe_ptr): faults read 0 */
export function helper_probe_read_kernel(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const dst = <u32>r1;
  const size = <u32>r2;
  const src = <u64>r3;
  const end = <u64>memory.size() << 16;
  if (src < 0x10000 || src + size > end || src + size < src) {
    memory.fill(dst, 0, size);
    return -EFAULT;
  }
  memory.copy(dst, <u32>src, size);
  return 0;
}
