// The simulated current task, one per CPU (the host sets it: Machine.setCurrentTask), and
// the helpers that read it: bpf_get_current_pid_tgid (14), bpf_get_current_uid_gid (15),
// bpf_get_current_comm (16), with the kernel's results (kernel/bpf/helpers.c).
import { currentCpu } from "./maps/common";

const EINVAL: i64 = 22;
const TASK_COMM_LEN: u32 = 16;
// per CPU: [present u32][pid i32][tgid i32][uid u32][gid u32][pad u32][comm 16 bytes]
const STRIDE: u32 = 40;
const tasks = memory.data(64 * 40);

@inline function task(): usize {
  return tasks + currentCpu() * STRIDE;
}

/** Set CPU `cpu`'s current task (present 0: none, as when `current` is NULL). */
export function wabpf_task_set(cpu: u32, present: u32, pid: i32, tgid: i32, uid: u32, gid: u32, comm0: u64, comm1: u64): void {
  const t = tasks + cpu * STRIDE;
  store<u32>(t, present);
  store<i32>(t, pid, 4);
  store<i32>(t, tgid, 8);
  store<u32>(t, uid, 12);
  store<u32>(t, gid, 16);
  store<u64>(t, comm0, 24);
  store<u64>(t, comm1, 32);
}

export function helper_machine_get_current_pid_tgid(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const t = task();
  if (load<u32>(t) == 0) return -EINVAL;
  return (<i64>load<u32>(t, 8) << 32) | <i64>load<u32>(t, 4);
}

export function helper_machine_get_current_uid_gid(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const t = task();
  if (load<u32>(t) == 0) return -EINVAL;
  return (<i64>load<u32>(t, 16) << 32) | <i64>load<u32>(t, 12);
}

/** strscpy_pad(buf, comm, size): at most size-1 bytes, then NUL padding; no task: zeroes, -EINVAL. */
export function helper_machine_get_current_comm(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const buf = <u32>r1;
  const size = <u32>r2;
  const t = task();
  if (size == 0) return -EINVAL;
  if (load<u32>(t) == 0) {
    memory.fill(buf, 0, size);
    return -EINVAL;
  }
  let n: u32 = 0;
  while (n < size - 1 && n < TASK_COMM_LEN - 1 && load<u8>(t + 24 + n) != 0) {
    store<u8>(buf + n, load<u8>(t + 24 + n));
    n++;
  }
  memory.fill(buf + n, 0, size - n);
  return 0;
}
