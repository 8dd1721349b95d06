// Simulated kernel and user address spaces for the probe-read helpers (bpf_probe_read_*,
// %s in bpf_trace_printk / bpf_snprintf), with the kernel's results (kernel/trace/bpf_trace.c,
// mm/maccess.c, lib/strncpy_from_user.c on x86-64).
//
// What counts as memory:
// - kernel: bytes the host mapped at a kernel address (Machine.mapKernelMemory), guest-memory
//   ranges the host declared kernel objects (Machine.mapKernelGuestMemory: the simulated
//   kernel keeps its structures in guest memory), and whatever the running program may
//   access (its stack, context and map values live in kernel memory in Linux);
// - user: bytes the host mapped at a user address below TASK_SIZE_MAX (Machine.mapUserMemory).
// Guest addresses are small numbers, below TASK_SIZE, although they stand for kernel
// memory: the legacy helpers that pick the space by address (bpf_probe_read, _str, %s) treat
// a guest range the program may access as kernel memory first.
import { EbpfError } from "../errors.js";
import type { GuestMemory, KernelMemory } from "../exec/guest-memory.js";

/** x86-64's TASK_SIZE_MAX with 4-level paging: the end of user space. */
export const TASK_SIZE_MAX = 0x00007ffffffff000n;
const PAGE_SIZE = 4096n;

const EFAULT = -14;
const ERANGE = -34;

export type AddressSpace = "kernel" | "user";

interface Mapping {
  readonly addr: bigint;
  readonly end: bigint;
  readonly bytes: Uint8Array;
}

export class SimAddressSpaces implements KernelMemory {
  private readonly spaces: Record<AddressSpace, Mapping[]> = { kernel: [], user: [] };
  /** guest ranges [start, end) the host declared kernel memory */
  private readonly guestKernel: Array<{ start: number; end: number }> = [];

  constructor(private readonly mem: GuestMemory) {}

  map(space: AddressSpace, addr: bigint, bytes: Uint8Array): void {
    const end = addr + BigInt(bytes.length);
    if (addr < 0n || end > 1n << 64n) throw new EbpfError("EINVAL", `mapping [0x${addr.toString(16)}, 0x${end.toString(16)}) outside the 64-bit address space`);
    if (space === "user" && end > TASK_SIZE_MAX) throw new EbpfError("EINVAL", `user mapping ends at 0x${end.toString(16)}, past TASK_SIZE_MAX 0x${TASK_SIZE_MAX.toString(16)}`);
    if (space === "kernel" && addr < TASK_SIZE_MAX + PAGE_SIZE) throw new EbpfError("EINVAL", `kernel mapping at 0x${addr.toString(16)} is in the user half (guest memory: mapKernelGuestMemory)`);
    const list = this.spaces[space];
    if (list.some((m) => addr < m.end && m.addr < end)) throw new EbpfError("EINVAL", `mapping at 0x${addr.toString(16)} overlaps an existing ${space} mapping`);
    list.push({ addr, end, bytes });
  }

  unmap(space: AddressSpace, addr: bigint): boolean {
    const list = this.spaces[space];
    const i = list.findIndex((m) => m.addr === addr);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  mapGuestKernel(start: number, size: number): void {
    this.guestKernel.push({ start, end: start + size });
  }

  /** Whether guest bytes [addr, addr+size) are kernel memory (host-declared, or accessible to the running program). */
  private guestIsKernel(addr: bigint, size: number): boolean {
    if (addr < 0n || addr + BigInt(size) > 0x100000000n) return false;
    const a = Number(addr);
    return this.isKernelGuest(a, size) || this.mem.allowed(a, Math.max(size, 1), false);
  }

  /** Whether guest bytes [addr, addr+size) lie in one range the host declared kernel memory. */
  isKernelGuest(addr: number, size: number): boolean {
    return this.guestKernel.some((r) => addr >= r.start && addr + size <= r.end);
  }

  /** The bytes mapped at kernel addresses [addr, addr+size) (a view, not a copy), or null. */
  kernelBytes(addr: bigint, size: number): Uint8Array | null {
    return this.mapped("kernel", addr, size);
  }

  private mapped(space: AddressSpace, addr: bigint, size: number): Uint8Array | null {
    for (const m of this.spaces[space]) {
      if (addr >= m.addr && addr + BigInt(size) <= m.end) {
        const off = Number(addr - m.addr);
        return m.bytes.subarray(off, off + size);
      }
    }
    return null;
  }

  /** The space the legacy helpers (bpf_probe_read, bpf_probe_read_str, %s) read `addr` from. */
  compatSpace(addr: bigint): AddressSpace {
    if (this.guestIsKernel(addr, 1)) return "kernel";
    return BigInt.asUintN(64, addr) < TASK_SIZE_MAX ? "user" : "kernel";
  }

  /** copy_from_kernel_nofault / copy_from_user_nofault: the bytes, or -EFAULT / -ERANGE. */
  read(space: AddressSpace, addr: bigint, size: number): Uint8Array | number {
    addr = BigInt.asUintN(64, addr);
    if (space === "kernel") {
      if (size > 0 && this.guestIsKernel(addr, size)) return this.mem.bytes.slice(Number(addr), Number(addr) + size);
      // x86-64 refuses user addresses (and the guard page after them) for kernel reads
      if (addr < TASK_SIZE_MAX + PAGE_SIZE) return ERANGE;
    } else if (addr + BigInt(size) > TASK_SIZE_MAX) return EFAULT; // __access_ok
    if (size === 0) return new Uint8Array(0);
    const b = this.mapped(space, addr, size);
    return b === null ? EFAULT : b.slice();
  }

  private byteAt(space: AddressSpace, addr: bigint): number | null {
    if (space === "kernel" && this.guestIsKernel(addr, 1)) return this.mem.bytes[Number(addr)]!;
    const b = this.mapped(space, addr, 1);
    return b === null ? null : b[0]!;
  }

  /**
   * strncpy_from_kernel_nofault / strncpy_from_user_nofault: up to `count` bytes including a
   * NUL (a longer string is cut and NUL-terminated), or -EFAULT / -ERANGE.
   */
  readStr(space: AddressSpace, addr: bigint, count: number): Uint8Array | number {
    addr = BigInt.asUintN(64, addr);
    if (count <= 0) return new Uint8Array(0);
    if (space === "kernel" && addr < TASK_SIZE_MAX + PAGE_SIZE && !this.guestIsKernel(addr, 1)) return ERANGE;
    if (space === "user" && addr >= TASK_SIZE_MAX) return EFAULT;
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const a = addr + BigInt(i);
      if (space === "user" && a >= TASK_SIZE_MAX) return EFAULT;
      const c = this.byteAt(space, a);
      if (c === null) return EFAULT;
      out.push(c);
      if (c === 0) return Uint8Array.from(out);
    }
    out[count - 1] = 0;
    return Uint8Array.from(out);
  }
}
