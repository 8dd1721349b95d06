// What the link managers share of one kernel: its machine and binaryen, the AssemblyScript
// kernel's exports and addresses (tracing stack, bpf_prog_active, the current pid), the
// register file, the stats switch and the attach-order counter.
import { EbpfError } from "../errors.js";
import type { Binaryen } from "../jit/binaryen-loader.js";
import type { Machine } from "../runtime/machine.js";
import type { AsRuntimeExports } from "../runtime/as-runtime.js";
import type { ArchRegs } from "./arch.js";

/** The AssemblyScript kernel's exports (assembly/kernel), typed from asc's generated bindings. */
export type KernelExports = AsRuntimeExports;

const hostNow = (): number => performance.now() * 1e6;

export class KernelContext {
  readonly ex: KernelExports;
  /** the tracing stack pointer's address and the stack's low end (assembly/kernel) */
  readonly tspAddr: number;
  readonly tstackLo: number;
  /** the kfunc_md table's state block */
  readonly kmdState: number;
  /** per-CPU u32 bpf_prog_active */
  readonly activeAddr: number;
  /** the current task's pid (common_pid of trace records) */
  readonly pidAddr: number;
  /** run_cnt / run_time_ns accounting (kernel.bpf_stats_enabled) */
  stats: boolean;
  private seq = 0;

  constructor(
    readonly machine: Machine,
    readonly b: Binaryen,
    readonly regs: ArchRegs,
    stats: boolean,
  ) {
    this.ex = machine.rt.exports;
    this.stats = stats;
    if (this.ex.wabpf_kernel_init() === 0) throw new EbpfError("ENOMEM", "cannot allocate the tracing stack");
    this.tspAddr = this.ex.wabpf_kernel_tsp_addr();
    this.tstackLo = this.ex.wabpf_kernel_tstack_lo();
    this.kmdState = this.ex.wabpf_kmd_state_addr();
    this.activeAddr = this.machine.rt.alloc(64 * 4);
    this.pidAddr = this.machine.rt.alloc(8);
    this.machine.mem.bytes.fill(0, this.activeAddr, this.activeAddr + 256);
  }

  /** The clock generated code reads for run_time_ns, or null while stats are off. */
  get now(): (() => number) | null {
    return this.stats ? hostNow : null;
  }

  /** The next attach sequence number (later attachments run first inside a kind). */
  nextSeq(): number {
    return this.seq++;
  }
}
