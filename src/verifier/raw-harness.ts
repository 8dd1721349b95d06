// The raw test type (r1 = memory of a given length, r2 = that length), verified the way
// kbpf.py's map harness loads it into Linux: an XDP program whose main function points r1 at
// the value of a one-entry array map (value_size = the length), sets r2, calls the body as a
// subprogram at instruction 8 and stores its r0 in a second map. Verifying that very wrapper
// gives the kernel's verdicts and messages (instruction numbers included, shifted by 8) for
// conformance-style programs; the facts are mapped back onto the body.
import type { Insn } from "../isa/insn.js";
import { insn, ldImm64 } from "../isa/insn.js";
import { PseudoLd } from "../isa/opcode.js";
import { verify } from "./verifier.js";
import type { MapDef, VerifyResult } from "./types.js";

/** Where the body starts in the wrapper. */
export const RAW_BODY_PC = 8;

export interface VerifyRawHarnessOptions {
  /** bytes of memory r1 points to (0: r1 = 0) */
  readonly memSize: number;
  readonly logLevel?: 0 | 1 | 2;
  /** maps the body refers to by index (ld_imm64 src_reg 1/2/5/6, imm = index) */
  readonly maps?: readonly MapDef[];
}

export function verifyRawHarness(body: readonly Insn[], opts: VerifyRawHarnessOptions): VerifyResult {
  const maps = opts.maps ?? [];
  const all: MapDef[] = [
    ...maps,
    { type: "array", keySize: 4, valueSize: 8, maxEntries: 1, name: "kbpf_r0" },
    { type: "array", keySize: 4, valueSize: Math.max(opts.memSize, 1), maxEntries: 1, name: "kbpf_mem" },
  ];
  const r = verify([...rawHarnessPrefix(opts.memSize, maps.length), ...body], { progType: "xdp", maps: all, logLevel: opts.logLevel ?? 0 });
  // the failing instruction as the body numbers it (a refusal inside the wrapper has none)
  const { errorInsn, ...rest } = r;
  return { ...rest, ...(errorInsn !== undefined && errorInsn >= RAW_BODY_PC ? { errorInsn: errorInsn - RAW_BODY_PC } : {}), facts: { maxStackDepth: r.facts.maxStackDepth, insn: r.facts.insn.slice(RAW_BODY_PC) } };
}

/** The wrapper's 8 instructions for a body given `memSize` bytes and `userMaps` maps of its own. */
export function rawHarnessPrefix(memSize = 0, userMaps = 0): Insn[] {
  const r0Map = userMaps;
  const memMap = userMaps + 1;
  const head: Insn[] =
    memSize > 0
      ? ldImm64(1, BigInt(memMap), PseudoLd.MAP_VALUE)
      : [insn(0xb7, 1, 0, 0, 0), insn(0xb7, 1, 0, 0, 0)];
  return [
    ...head,
    insn(0xb7, 2, 0, 0, memSize),
    insn(0x85, 0, 1, 0, RAW_BODY_PC - 4),
    ...ldImm64(1, BigInt(r0Map), PseudoLd.MAP_VALUE),
    insn(0x7b, 1, 0, 0, 0),
    insn(0x95, 0, 0, 0, 0),
  ];
}
