// Helper availability per program type and GPL-only helpers against Linux 6.18: `call N;
// r0 = 0; exit` for every helper id, program type and license (GPL / proprietary), recorded
// by scripts/verifier/helpers-diff.mjs --record. Helpers wabpf models must give the kernel's
// verdict and message; the others must never be accepted where the kernel refuses them.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { verify } from "../../src/verifier/index.js";
import type { ProgType } from "../../src/verifier/index.js";
import { decodeRaw } from "../../src/isa/decode.js";
import { kernelHelperName } from "../../src/verifier/helpers.js";

interface Golden {
  kernel: string;
  ids: [number, number];
  verdicts: Record<string, Record<string, string[]>>;
}
const golden: Golden = JSON.parse(readFileSync(new URL("./golden/helper-calls.json", import.meta.url), "utf8"));

/** Both refuse, with another message: these helpers take BTF pointers in syscall programs. */
const MESSAGE_GAPS = new Set(["syscall#46", "syscall#188"]);
/** Helpers Linux accepts that wabpf does not model: they return typed kernel pointers (BTF). */
const UNSUPPORTED_OK = new Set([158, 168]);

function call(id: number): Buffer {
  const b = Buffer.alloc(24);
  b[0] = 0x85;
  b.writeInt32LE(id, 4);
  b[8] = 0xb7;
  b[16] = 0x95;
  return b;
}

describe(`helper calls vs Linux ${golden.kernel}`, () => {
  it.each(Object.keys(golden.verdicts))("%s", (type) => {
    for (const [license, codes] of Object.entries(golden.verdicts[type]!)) {
      const got: string[] = [];
      const unsupported = new Set<number>();
      const want: string[] = [];
      codes.forEach((code, k) => {
        const id = golden.ids[0] + k;
        const name = kernelHelperName(id);
        const kernel = code === "A" ? "accepted" : code === "U" ? `22 program of this type cannot use helper ${name}#${id}` : code === "G" ? "22 cannot call GPL-restricted function from non-GPL compatible program" : code;
        const v = verify(decodeRaw(call(id)), { progType: type as ProgType, maps: [], license, logLevel: 0 });
        // a helper wabpf does not model is refused as not supported (a gap, not an error)
        if (v.errno === 95) {
          unsupported.add(id);
          return;
        }
        got.push(`#${id} ${license}: ${v.accepted ? "accepted" : `${v.errno} ${v.error}`}`);
        want.push(`#${id} ${license}: ${kernel}`);
      });
      expect(got.filter((l, k) => l !== want[k] && !MESSAGE_GAPS.has(`${type}#${l.split(" ")[0]!.slice(1)}`))).toEqual([]);
      expect(got.map((l) => l.includes("accepted"))).toEqual(want.map((l) => l.includes("accepted")));
      // the gaps: helpers Linux accepts here that wabpf refuses as not supported
      expect([...unsupported].filter((id) => codes[id - golden.ids[0]] === "A" && !UNSUPPORTED_OK.has(id))).toEqual([]);
    }
  });
});
