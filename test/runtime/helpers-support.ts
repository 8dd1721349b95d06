import { expect } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";
import type { RunOptions } from "../../src/exec/run.js";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { createMachine, type Machine } from "../../src/runtime/machine.js";
import type { BpfMap, MapSpec } from "../../src/runtime/maps.js";
import { fnRefs } from "./fn-refs.js";

/** interp: reference; jit: unverified (helpers' JS entries); native: no guards facts (AssemblyScript helpers where they exist). */
export const MODES = ["interp", "jit", "native"] as const;
export type Mode = (typeof MODES)[number];

export interface Outcome {
  readonly r0: string;
  readonly ctx: number[];
  readonly trace: string;
}

export interface Setup {
  readonly maps?: readonly MapSpec[];
  readonly input?: Uint8Array;
  readonly cpu?: number;
  readonly init?: (m: Machine, maps: BpfMap[]) => void;
}

/** Run `src` in every mode on a fresh machine each; they must agree; returns the interpreter's outcome. */
export async function inAllModes(src: string, setup: Setup = {}): Promise<Outcome> {
  const insns = fnRefs(assemble(src));
  const outs: Outcome[] = [];
  for (const mode of MODES) {
    const m = await createMachine({ ncpus: 4 });
    const maps = (setup.maps ?? []).map((s) => m.createMap(s));
    setup.init?.(m, maps);
    const opts = m.programOptions(maps);
    const input = setup.input ?? new Uint8Array(64);
    const ro: RunOptions = { mem: m.mem, helpers: opts.helpers, pseudo: opts.pseudo, input, cpu: setup.cpu ?? 0 };
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
    outs.push({ r0, ctx: [...m.mem.read(0x100000, input.length)], trace: m.readTracePipe() });
  }
  expect(outs[1]).toEqual(outs[0]);
  expect(outs[2]).toEqual(outs[0]);
  return outs[0]!;
}

/** Stores writing `s` and a NUL (and zero padding to 8 bytes) at r10 - off (off a multiple of 8, room enough). */
export function stackString(s: string | Uint8Array, off: number): string {
  const bytes = typeof s === "string" ? new TextEncoder().encode(s) : s;
  const padded = new Uint8Array(Math.ceil((bytes.length + 1) / 8) * 8);
  padded.set(bytes);
  const dv = new DataView(padded.buffer);
  const lines: string[] = [];
  for (let i = 0; i < padded.length; i += 8) {
    lines.push(`r9 = 0x${dv.getBigUint64(i, true).toString(16)} ll`, `*(u64 *)(r10 - ${off - i}) = r9`);
  }
  return lines.join("\n");
}

export const neg = (e: number): string => BigInt.asUintN(64, BigInt(-e)).toString(16);
export const str = (bytes: number[]): string => String.fromCharCode(...bytes.slice(0, bytes.indexOf(0) < 0 ? bytes.length : bytes.indexOf(0)));
