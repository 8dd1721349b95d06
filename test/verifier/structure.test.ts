import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkStructure, inKernelOpcodeTable } from "../../src/verifier/structure.js";
import { decodeRaw, checkInsn } from "../../src/isa/decode.js";
import { insn } from "../../src/isa/insn.js";

interface Row {
  name: string;
  hex: string;
  accepted: boolean;
  errno: number | null;
  error: string | null;
}
const golden = JSON.parse(readFileSync(new URL("./golden/structure.json", import.meta.url), "utf8")) as { kernel: string; rows: Row[] };

// Messages the kernel gives before path exploration: for these the structural passes must
// say the same; for every other verdict they must let the program through to do_check.
const STRUCTURAL = [
  /^call to invalid destination$/,
  /^jump out of range from insn -?\d+ to -?\d+$/,
  /^last insn is not an exit or jmp$/,
  /^unknown opcode [0-9a-f]{2}$/,
  /^BPF_LDX uses reserved fields$/,
  /^invalid bpf_ld_imm64 insn$/,
  /^unrecognized bpf_ld_imm64 insn$/,
  /^fd -?\d+ is not pointing to valid bpf_map$/,
  /^fd_idx without fd_array is invalid$/,
  /^jump into the middle of ldimm64 insn \d+$/,
  /^unreachable insn \d+$/,
];

describe(`verifier structural passes vs Linux ${golden.kernel}`, () => {
  it.each(golden.rows.map((r) => [r.name, r] as const))("%s", (_name, row) => {
    const ours = checkStructure(decodeRaw(Buffer.from(row.hex, "hex")));
    if (row.error !== null && STRUCTURAL.some((re) => re.test(row.error!))) {
      expect([ours.error, ours.errno]).toEqual([row.error, row.errno]);
    } else {
      expect(ours.error).toBeNull();
    }
  });

  it("knows exactly the kernel's opcodes: the RFC's set less callx", () => {
    for (let code = 0; code < 256; code++) {
      // an instruction with this opcode and fields the ISA accepts when it has any
      const candidates = [insn(code, 1, 0, 0, 16), insn(code, 1, 2, 0, 0), insn(code, 1, 0, 0, 0), insn(code, 0, 0, 0, 0), insn(code, 1, 2, 0, 1)];
      const rfcValid = candidates.some((c) => checkInsn([c, insn(0, 0, 0, 0, 0)], 0) === null || (code & 7) === 3 && (code & 0xe0) === 0xc0);
      expect([code, inKernelOpcodeTable(code)]).toEqual([code, rfcValid && code !== 0x8d]);
    }
  });
});
