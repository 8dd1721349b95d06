// Per-CPU variables of the simulated kernel (DEFINE_PER_CPU): one unit per CPU in guest memory,
// each variable at the same offset in every unit. As on x86-64 since Linux 6.15 (no longer
// zero-based), a variable's symbol address is its place in the section image
// (PERCPU_SYM_BASE + offset, a kernel address that is no CPU's copy) and CPU n's copy is at
// symbol + __per_cpu_offset[n]. bpf_per_cpu_ptr (153) and bpf_this_cpu_ptr (154) do that
// arithmetic; the copies are declared kernel memory, readable by direct loads of the
// pointers those helpers return (the verifier types them read-only).
import { EbpfError } from "../errors.js";
import { MAX_CPUS } from "../isa/layout.js";
import type { Machine } from "../runtime/machine.js";

/** Where the per-CPU section image would be linked: per-CPU symbols live from here. */
export const PERCPU_SYM_BASE = 0xffffffff82800000n;
/** Bytes of per-CPU data per CPU (Linux's first chunk is larger; the simulated kernel defines few). */
export const PERCPU_UNIT_SIZE = 4096;

export interface PerCpuVariable {
  readonly name: string;
  readonly size: number;
  /** the symbol's address (kallsyms, __ksym) */
  readonly addr: bigint;
}

export class PerCpuArea {
  /** guest address of CPU 0's unit; CPU n's is base + n * PERCPU_UNIT_SIZE */
  readonly base: number;
  private used = 0;
  private readonly vars = new Map<string, PerCpuVariable>();

  constructor(private readonly machine: Machine) {
    const bytes = MAX_CPUS * PERCPU_UNIT_SIZE;
    this.base = machine.rt.alloc(bytes);
    if (this.base === 0) throw new EbpfError("ENOMEM", "cannot allocate the per-CPU area");
    machine.mem.bytes.fill(0, this.base, this.base + bytes);
    machine.mapKernelGuestMemory(this.base, bytes);
    // programs read through the pointers bpf_per_cpu_ptr / bpf_this_cpu_ptr return
    const prev = machine.mem.dynamicRegion;
    const lo = this.base;
    const hi = this.base + bytes;
    machine.mem.dynamicRegion = (addr, size, write) => (!write && addr >= lo && addr + size <= hi) || (prev !== null && prev(addr, size, write));
  }

  /** DEFINE_PER_CPU: a zeroed variable of `size` bytes in every CPU's unit (8-byte aligned); returns it. */
  define(name: string, size: number): PerCpuVariable {
    if (this.vars.has(name)) throw new EbpfError("EEXIST", `per-CPU variable '${name}' already defined`);
    if (!Number.isInteger(size) || size <= 0) throw new EbpfError("EINVAL", `per-CPU variable '${name}': size ${size}`);
    const off = Math.ceil(this.used / 8) * 8;
    if (off + size > PERCPU_UNIT_SIZE) throw new EbpfError("ENOSPC", `per-CPU variable '${name}' (${size} bytes) does not fit in the ${PERCPU_UNIT_SIZE}-byte unit`);
    this.used = off + size;
    const v: PerCpuVariable = { name, size, addr: PERCPU_SYM_BASE + BigInt(off) };
    this.vars.set(name, v);
    return v;
  }

  get(name: string): PerCpuVariable | undefined {
    return this.vars.get(name);
  }

  /**
   * per_cpu_ptr(addr, cpu): the guest address of CPU `cpu`'s copy of what `addr` (a per-CPU
   * symbol address, possibly inside a variable) names; 0 when `cpu` is not below nr_cpu_ids
   * (the machine's possible CPUs), as bpf_per_cpu_ptr returns NULL, or `addr` is no per-CPU
   * address (only an unverified program passes one).
   */
  ptr(addr: bigint, cpu: bigint): number {
    return cpu >= BigInt(this.machine.ncpus) ? 0 : this.thisPtr(addr, Number(cpu));
  }

  /** this_cpu_ptr(addr) on CPU `cpu` (the one the program runs on; any simulated CPU has a unit); 0 for no per-CPU address. */
  thisPtr(addr: bigint, cpu: number): number {
    const off = BigInt.asUintN(64, addr) - PERCPU_SYM_BASE;
    if (off < 0n || off >= BigInt(this.used) || cpu < 0 || cpu >= MAX_CPUS) return 0;
    return this.base + cpu * PERCPU_UNIT_SIZE + Number(off);
  }
}
