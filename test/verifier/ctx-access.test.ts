// Context access rules against the kernel's verdicts on every offset in [-8, 200) and size
// (a load, a register store and an immediate store through r1) for each program type,
// recorded from Linux 6.18 by scripts/verifier/ctx-diff.mjs --record.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { verify } from "../../src/verifier/index.js";
import type { ProgType } from "../../src/verifier/index.js";
import { decodeRaw } from "../../src/isa/decode.js";

interface Golden {
  kernel: string;
  offsets: [number, number];
  sizes: number[];
  verdicts: Record<string, Record<"ld" | "stx" | "st", string[]>>;
}
const golden: Golden = JSON.parse(readFileSync(new URL("./golden/ctx-access.json", import.meta.url), "utf8"));
const SIZE: Record<number, number> = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 };

function ins(code: number, dst: number, src: number, off: number, imm: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = code;
  b[1] = dst | (src << 4);
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
}

describe(`context access vs Linux ${golden.kernel}`, () => {
  it.each(Object.keys(golden.verdicts))("%s", (type) => {
    const want = golden.verdicts[type]!;
    const got: Record<string, string[]> = { ld: [], stx: [], st: [] };
    for (let off = golden.offsets[0]; off < golden.offsets[1]; off++) {
      for (const size of golden.sizes) {
        const tail = [ins(0xb7, 0, 0, 0, type === "xdp" ? 2 : 0), ins(0x95, 0, 0, 0, 0)];
        const progs: Record<string, Buffer[]> = {
          ld: [ins(0x61 | SIZE[size]!, 0, 1, off, 0), ...tail],
          stx: [ins(0xb7, 2, 0, 0, 1), ins(0x63 | SIZE[size]!, 1, 2, off, 0), ...tail],
          st: [ins(0x62 | SIZE[size]!, 1, 0, off, 1), ...tail],
        };
        for (const [kind, p] of Object.entries(progs)) {
          const v = verify(decodeRaw(Buffer.concat(p)), { progType: type as ProgType, maps: [], logLevel: 0 });
          const code = v.accepted ? "A" : v.errno === 13 && v.error === `invalid bpf_context access off=${off} size=${size}` ? "C" : `${v.errno} ${v.error}`;
          got[kind]!.push(`${off}/${size}:${code}`);
        }
      }
    }
    for (const kind of ["ld", "stx", "st"] as const) {
      let k = 0;
      const expected: string[] = [];
      for (let off = golden.offsets[0]; off < golden.offsets[1]; off++) for (const size of golden.sizes) expected.push(`${off}/${size}:${want[kind][k++]}`);
      expect(got[kind]).toEqual(expected);
    }
  });
});
