import { expect } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";
import type { RunOptions } from "../../src/exec/run.js";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { SimKernel } from "../../src/kernel/kernel.js";
import { createMachine } from "../../src/runtime/machine.js";
import type { BpfMap, MapSpec } from "../../src/runtime/maps.js";

/** interp: reference; jit: unverified (helpers' JS entries); native: verified-style JIT (AssemblyScript helpers where they exist). */
const MODES = ["interp", "jit", "native"] as const;

export interface KernelOutcome {
  readonly r0: string;
  /** the first 64 bytes of the input (ctx) after the run */
  readonly ctx: number[];
  readonly trace: string;
}

export interface KernelSetup {
  /** possible CPUs of the kernel's machine (default 1) */
  readonly ncpus?: number;
  readonly maps?: readonly MapSpec[];
  readonly input?: Uint8Array;
  /** runs before the program (create tasks, set the current one, fill the input it gets) */
  readonly init?: (k: SimKernel, maps: BpfMap[], input: Uint8Array) => void;
  /** runs after the program, on each mode's kernel: what it returns must agree across modes */
  readonly after?: (k: SimKernel, maps: BpfMap[]) => unknown;
}

/**
 * Run an assembled program with the simulated kernel's helpers in every mode, each on a fresh
 * kernel; the modes must agree. Returns the interpreter's outcome and its `after` result.
 */
export async function inKernelModes(src: string, setup: KernelSetup = {}): Promise<KernelOutcome & { after: unknown }> {
  const insns = assemble(src);
  const outs: Array<KernelOutcome & { after: unknown }> = [];
  for (const mode of MODES) {
    const k = await SimKernel.create({ generated: 0, machine: await createMachine({ ncpus: setup.ncpus ?? 1 }) });
    const m = k.machine;
    const maps = (setup.maps ?? []).map((s) => m.createMap(s));
    const input = (setup.input ?? new Uint8Array(64)).slice();
    setup.init?.(k, maps, input);
    const opts = k.programOptions(maps);
    const ro: RunOptions = { mem: m.mem, helpers: opts.helpers, pseudo: opts.pseudo, input, cpu: k.cpu };
    let r0: string;
    try {
      if (mode === "interp") r0 = runInterp(insns, ro).r0.toString(16);
      else {
        const prog = await compileProgram(insns, { helpers: opts.helpers, pseudo: opts.pseudo, ...(mode === "native" ? { verified: { maxStackDepth: 512, insn: [] } } : {}) });
        r0 = prog.run(ro).r0.toString(16);
      }
    } catch (e) {
      if (!(e instanceof RuntimeTrap)) throw e;
      r0 = `trap ${TrapKind[e.kind]} at ${e.pc}`;
    }
    outs.push({ r0, ctx: [...m.mem.read(0x100000, input.length)], trace: m.readTracePipe(), after: setup.after?.(k, maps) });
  }
  expect(outs[1]).toEqual(outs[0]);
  expect(outs[2]).toEqual(outs[0]);
  return outs[0]!;
}

/** The u64 at byte `off` of a ctx dump. */
export const u64At = (ctx: number[], off: number): bigint => new DataView(Uint8Array.from(ctx).buffer).getBigUint64(off, true);
