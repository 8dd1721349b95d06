// Tasks and files: struct task_struct / file / inode objects in guest memory (declared kernel
// memory for the probe-read helpers), the current task, and the fd table of the syscall path.
import type { KernelContext } from "./kernel-context.js";

export interface TaskSpec {
  readonly pid: number;
  readonly tgid?: number;
  readonly comm?: string;
}

const TASK_SIZE = 40;
/** struct file: f_flags, f_mode, f_pos, f_inode, f_path { mnt, dentry } */
const FILE_SIZE = 40;
const F_PATH = 24;

export class Tasks {
  private currentTask = 0;
  /** each task's saved user registers (task_pt_regs), by task address */
  private readonly userRegs = new Map<number, number>();
  /** the task with a pid (the latest created), what a pidfd names in Linux */
  private readonly pids = new Map<number, number>();
  /** file names by the address of the file's f_path (d_path's argument) */
  private readonly paths = new Map<number, Uint8Array>();
  /** references programs hold on a task (task kfuncs), by address */
  private readonly refs = new Map<number, number>();

  constructor(private readonly ctx: KernelContext) {}

  /** Allocate a struct task_struct (pid, tgid, comm) in guest memory; returns its address. */
  create(t: TaskSpec): number {
    const machine = this.ctx.machine;
    const addr = machine.rt.alloc(TASK_SIZE);
    machine.mem.bytes.fill(0, addr, addr + TASK_SIZE);
    const v = machine.mem.view;
    v.setInt32(addr, t.pid, true);
    v.setInt32(addr + 4, t.tgid ?? t.pid, true);
    const comm = new TextEncoder().encode(t.comm ?? "").slice(0, 15);
    machine.mem.bytes.set(comm, addr + 8);
    machine.mapKernelGuestMemory(addr, TASK_SIZE);
    // the registers saved at its entry into the kernel (zero: it has not run in user space)
    const size = this.ctx.regs.size;
    const regs = machine.rt.alloc(size);
    machine.mem.bytes.fill(0, regs, regs + size);
    machine.mapKernelGuestMemory(regs, size);
    this.userRegs.set(addr, regs);
    this.pids.set(t.pid, addr);
    this.refs.set(addr, 0);
    return addr;
  }

  /** task_pt_regs(task): the address of its saved user registers, or 0 for an address that is no task. */
  ptRegs(task: number): number {
    return this.userRegs.get(task) ?? 0;
  }

  /** Every task (the latest created for a pid), by pid: the task iterator's order. */
  byPidOrder(): number[] {
    return [...this.pids.entries()].sort((a, b) => a[0] - b[0]).map(([, task]) => task);
  }

  /** The task with `pid` (the latest created one), or 0 (find_task_by_pid_ns in the initial namespace). */
  byPid(pid: number): number {
    return this.pids.get(pid) ?? 0;
  }

  /** Take a reference on `task` for a program (a kfunc); an address that is no task is ignored. */
  get(task: number): void {
    const n = this.refs.get(task);
    if (n !== undefined) this.refs.set(task, n + 1);
  }

  /** Drop a reference `get` took; an address that is no task, or holds none, is ignored. */
  put(task: number): void {
    const n = this.refs.get(task);
    if (n !== undefined && n > 0) this.refs.set(task, n - 1);
  }

  /** References programs hold on `task` (0 for an address that is no task). */
  refCount(task: number): number {
    return this.refs.get(task) ?? 0;
  }

  /** Make `task` current on `cpu` (every CPU when omitted), for kernel code and the machine's task helpers. */
  setCurrent(task: number, cpu?: number): void {
    const machine = this.ctx.machine;
    this.ctx.ex.wabpf_kernel_set_current(task);
    this.currentTask = task;
    const v = machine.mem.view;
    if (task === 0) {
      machine.setCurrentTask(null, cpu);
      v.setInt32(this.ctx.pidAddr, 0, true);
      return;
    }
    const pid = v.getInt32(task, true);
    const tgid = v.getInt32(task + 4, true);
    const raw = machine.mem.bytes.subarray(task + 8, task + 24);
    const end = raw.indexOf(0);
    const comm = new TextDecoder().decode(raw.subarray(0, end < 0 ? 15 : Math.min(end, 15)));
    machine.setCurrentTask({ pid, tgid, comm }, cpu);
    v.setInt32(this.ctx.pidAddr, pid, true);
  }

  get current(): number {
    return this.currentTask;
  }

  /**
   * A struct file of `size` bytes (with its inode) installed at `fd` (0..15), named `path`
   * (what bpf_d_path prints for its f_path).
   */
  openFile(fd: number, size: bigint, ino: bigint, path: string): number {
    const machine = this.ctx.machine;
    const rt = machine.rt;
    const inode = rt.alloc(16);
    const file = rt.alloc(FILE_SIZE);
    machine.mem.bytes.fill(0, file, file + FILE_SIZE);
    const v = machine.mem.view;
    v.setBigUint64(inode, ino, true);
    v.setBigInt64(inode + 8, size, true);
    v.setUint32(file + 16, inode, true);
    machine.mapKernelGuestMemory(inode, 16);
    machine.mapKernelGuestMemory(file, FILE_SIZE);
    this.paths.set(file + F_PATH, new TextEncoder().encode(path));
    this.ctx.ex.wabpf_kernel_set_fd(fd, file);
    return file;
  }

  /** The name of the file whose `struct path` (f_path) is at `path`, as d_path prints it; null for an address that is no file's path. */
  pathName(path: number): Uint8Array | null {
    return this.paths.get(path) ?? null;
  }
}
