// Types of tools.mjs (the example tools' user-space halves).
import type { SimKernel } from "../src/kernel/kernel.js";
import type { prepareWorkloads, runWorkload } from "../src/kernel/workloads.js";
import type { createMachine } from "../src/runtime/machine.js";
import type { PerfBuffer, RingBuffer } from "../src/runtime/output.js";

/** The parts of wabpf's API the tools use. */
export interface ToolApi {
  readonly SimKernel: typeof SimKernel;
  readonly createMachine: typeof createMachine;
  readonly prepareWorkloads: typeof prepareWorkloads;
  readonly runWorkload: typeof runWorkload;
  readonly RingBuffer: typeof RingBuffer;
  readonly PerfBuffer: typeof PerfBuffer;
}

export interface ToolOptions {
  readonly workload?: string;
  readonly iterations?: number;
  readonly cpus?: number;
}

export type Tool<O extends ToolOptions = ToolOptions> = (api: ToolApi, opts?: O) => Promise<string>;

export declare const syscount: Tool<ToolOptions & { readonly intervalMs?: number }>;
export declare const funclatency: Tool;
export declare const opensnoop: Tool<ToolOptions & { readonly timestamp?: boolean }>;
export declare const funccount: Tool;
export declare const inject: Tool<ToolOptions & { readonly tgid?: number; readonly slabEvery?: number }>;
export declare const killsnoop: Tool;
export declare function log2Hist(vals: readonly number[], valType: string): string;
export declare const TOOLS: Readonly<Record<"syscount" | "funclatency" | "opensnoop" | "funccount" | "inject" | "killsnoop", Tool>>;
