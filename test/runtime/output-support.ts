// Shared by the ring buffer and perf buffer tests: programs built from small operation lists
// (each operation's result stored as a u64 in the context), run in the interpreter, the JIT
// through the helpers' JS entries and the JIT calling the AssemblyScript helpers natively.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { assemble } from "../../src/asm/index.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";
import type { RunOptions } from "../../src/exec/run.js";
import { runInterp } from "../../src/interp/index.js";
import type { Insn } from "../../src/isa/insn.js";
import { compileProgram } from "../../src/jit/index.js";
import { createMachine, type Machine } from "../../src/runtime/machine.js";
import type { BpfMap, MapSpec } from "../../src/runtime/maps.js";

export const MODES = ["interp", "jit", "native"] as const;
export type Mode = (typeof MODES)[number];

export type Op =
  | { readonly op: "reserve"; readonly slot: 0 | 1 | 2; readonly size: number; readonly flags?: number }
  | { readonly op: "fill"; readonly slot: 0 | 1 | 2; readonly len: number; readonly byte: number }
  | { readonly op: "submit" | "discard"; readonly slot: 0 | 1 | 2; readonly flags?: number }
  | { readonly op: "output"; readonly size: number; readonly flags?: number; readonly byte: number }
  | { readonly op: "query"; readonly flags: number }
  | { readonly op: "perf"; readonly size: number; readonly flags: bigint; readonly byte: number };

const SLOT = ["r7", "r8", "r9"] as const;
const pattern = (byte: number): string => `0x${(byte & 0xff).toString(16).padStart(2, "0").repeat(8)}`;

/**
 * Assembler text for `ops` against map 0; operation i stores its result at ctx + 8·i: 1/0 for
 * a reservation (pointer or NULL), r0 for output/query/perf. Every path releases what it
 * reserved only if the ops do, so the kernel's verifier accepts complete sequences.
 */
export function opsProgram(ops: readonly Op[], opts: { resultMap?: boolean } = {}): string {
  // resultMap: results go to map 1's value (a 1-entry array), r9 keeps the context (slots 0 and 1 only)
  const rm = opts.resultMap === true;
  const out: string[] = rm ? ["r9 = r1", "r6 = map[id:1][0]+0", "r7 = 0", "r8 = 0"] : ["r6 = r1", "r7 = 0", "r8 = 0", "r9 = 0"];
  ops.forEach((o, i) => {
    const at = 8 * i;
    switch (o.op) {
      case "reserve":
        out.push(`r1 = map[id:0]`, `r2 = ${o.size}`, `r3 = ${o.flags ?? 0}`, "call 131", `${SLOT[o.slot]} = r0`, "r1 = 0", `if r0 == 0 goto +1`, "r1 = 1", `*(u64 *)(r6 + ${at}) = r1`);
        break;
      case "fill": {
        const s = SLOT[o.slot];
        const n = Math.floor(o.len / 8);
        out.push(`if ${s} == 0 goto +${2 * n + n}`);
        for (let k = 0; k < n; k++) out.push(`r1 = ${pattern(o.byte + k)} ll`, `*(u64 *)(${s} + ${8 * k}) = r1`);
        break;
      }
      case "submit":
      case "discard": {
        const s = SLOT[o.slot];
        out.push(`if ${s} == 0 goto +3`, `r1 = ${s}`, `r2 = ${o.flags ?? 0}`, `call ${o.op === "submit" ? 132 : 133}`, `${s} = 0`);
        break;
      }
      case "output": {
        const n = Math.ceil(o.size / 8);
        for (let k = 0; k < n; k++) out.push(`r1 = ${pattern(o.byte + k)} ll`, `*(u64 *)(r10 - ${8 * (n - k)}) = r1`);
        out.push(`r1 = map[id:0]`, "r2 = r10", `r2 += -${8 * n}`, `r3 = ${o.size}`, `r4 = ${o.flags ?? 0}`, "call 130", `*(u64 *)(r6 + ${at}) = r0`);
        break;
      }
      case "query":
        out.push(`r1 = map[id:0]`, `r2 = ${o.flags}`, "call 134", `*(u64 *)(r6 + ${at}) = r0`);
        break;
      case "perf": {
        // a zero-size sample still points at initialized stack (Linux refuses fp-0)
        const n = Math.max(1, Math.ceil(o.size / 8));
        for (let k = 0; k < n; k++) out.push(`r1 = ${pattern(o.byte + k)} ll`, `*(u64 *)(r10 - ${8 * (n - k)}) = r1`);
        out.push(rm ? "r1 = r9" : "r1 = r6", `r2 = map[id:0]`, `r3 = 0x${o.flags.toString(16)} ll`, "r4 = r10", `r4 += -${8 * n}`, `r5 = ${o.size}`, "call 25", `*(u64 *)(r6 + ${at}) = r0`);
        break;
      }
    }
  });
  out.push("r0 = 0", "exit");
  return out.join("\n");
}

export interface Engine {
  readonly mode: Mode;
  readonly m: Machine;
  readonly maps: BpfMap[];
  /** run a program (assembler text or instructions) with a context of `ctxLen` bytes; r0 (hex) or the trap, and the context after */
  run(prog: string | Insn[], opts?: { ctxLen?: number; cpu?: number; ctx?: Uint8Array }): Promise<{ r0: string; ctx: Uint8Array }>;
}

/** A fresh machine with `maps` for one engine. */
export async function engine(mode: Mode, maps: readonly MapSpec[], ncpus = 2): Promise<Engine> {
  const m = await createMachine({ ncpus });
  const made = maps.map((s) => m.createMap(s));
  const opts = m.programOptions(made);
  const cache = new Map<string, Awaited<ReturnType<typeof compileProgram>>>();
  return {
    mode,
    m,
    maps: made,
    async run(prog, o = {}) {
      const insns = typeof prog === "string" ? assemble(prog) : prog;
      const input = o.ctx ?? new Uint8Array(o.ctxLen ?? 256);
      const ro: RunOptions = { mem: m.mem, helpers: opts.helpers, pseudo: opts.pseudo, input, cpu: o.cpu ?? 0 };
      let r0: string;
      try {
        if (mode === "interp") r0 = runInterp(insns, ro).r0.toString(16);
        else {
          const key = typeof prog === "string" ? prog : JSON.stringify(prog);
          let c = cache.get(key);
          if (c === undefined) {
            c = await compileProgram(insns, { helpers: opts.helpers, pseudo: opts.pseudo, ...(mode === "native" ? { verified: { maxStackDepth: 512, insn: [] } } : {}) });
            cache.set(key, c);
          }
          r0 = c.run(ro).r0.toString(16);
        }
      } catch (e) {
        if (!(e instanceof RuntimeTrap)) throw e;
        r0 = `trap ${TrapKind[e.kind]} at ${e.pc}`;
      }
      return { r0, ctx: m.mem.read(0x100000, input.length) };
    },
  };
}

export const u64s = (b: Uint8Array, n: number): bigint[] => Array.from({ length: n }, (_, i) => new DataView(b.buffer, b.byteOffset).getBigUint64(8 * i, true));
export const negErr = (e: number): bigint => BigInt.asUintN(64, BigInt(-e));
export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

// ------------------------------------------------------------------ the live kernel
const DRIVER = new URL("../../scripts/runtime/koutput_driver.py", import.meta.url).pathname;

/** Whether the kernel driver can run here (root and bpf()); the reason when not. */
export function kernelUnavailable(): string | null {
  if (!existsSync(DRIVER)) return "driver missing";
  const r = spawnSync("python3", [DRIVER, "--check"], { encoding: "utf8" });
  if (r.status !== 0) return `bpf() unavailable: ${(r.stderr || r.stdout).trim().split("\n").pop() ?? ""}`;
  return null;
}

/** Run `req` through scripts/runtime/koutput_driver.py (JSON in, JSON out). */
export function kernelRun<T>(req: unknown): T {
  const r = spawnSync("python3", [DRIVER], { input: JSON.stringify(req), encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`koutput_driver failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
