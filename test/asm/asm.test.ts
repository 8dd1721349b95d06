import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { assemble, disassemble, formatInsn, parseDataFile } from "../../src/asm/index.js";
import { decodeProgram, decodeRaw } from "../../src/isa/decode.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { AsmError } from "../../src/errors.js";
import { readDisasmGolden } from "../support/golden.js";

const DIR = fileURLToPath(new URL("../../../shared/conformance", import.meta.url));
const vectors = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith(".data")).sort() : [];
if (vectors.length === 0) console.warn(`[skip] conformance round trips: no vectors in ${DIR}`);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe.skipIf(vectors.length === 0)("every bpf_conformance program", () => {
  it.each(vectors)("%s round-trips through both text syntaxes", (name) => {
    const data = parseDataFile(readFileSync(join(DIR, name), "utf8"), name);
    const insns = assemble(data.asm);
    const bytes = encodeProgram(insns);
    if (data.raw !== null) expect(hex(bytes)).toBe(hex(data.raw));
    const decoded = decodeRaw(bytes);
    for (const syntax of ["conformance", "kernel"] as const) {
      const text = disassemble(decoded, { syntax }).join("\n");
      expect([syntax, hex(encodeProgram(assemble(text)))]).toEqual([syntax, hex(bytes)]);
    }
  });
});

const golden = readDisasmGolden();

describe(`kernel disassembly (golden from Linux ${golden.kernel})`, () => {
  it.each(golden.rows.map((r) => [r.text, r.hex] as const))("%s", (text, h) => {
    const insns = decodeProgram(Buffer.from(h, "hex"));
    expect(formatInsn(insns, 0).replace(/^0: /, "")).toBe(text);
    // and the kernel's line assembles back to the same bytes
    expect(hex(encodeProgram(assemble(`0: ${text}`)))).toBe(h);
  });
});

describe("assembler", () => {
  it.each<[string, string]>([
    ["r0 = 1", "b700000001000000"],
    ["w0 = -1", "b4000000ffffffff"],
    ["r1 += r2", "0f21000000000000"],
    ["r1 s/= 3", "3701010003000000"],
    ["w1 s%= w2", "9c21010000000000"],
    ["r1 = (s16)r2", "bf21100000000000"],
    ["r1 = be16 r1", "dc01000010000000"],
    ["r0 = *(u64 *)(r10 - 8)", "79a0f8ff00000000"],
    ["r0 = *(s8 *)(r1 + 3)", "9110030000000000"],
    ["*(u32 *)(r10 - 4) = 7", "620afcff07000000"],
    ["*(u16 *)(r1 + 2) = w3", "6b31020000000000"],
    ["lock *(u64 *)(r1 + 0) += r2", "db21000000000000"],
    ["lock *(u32 *)(r1 + 8) |= w2", "c321080040000000"],
    ["r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)", "db21000001000000"],
    ["r0 = cmpxchg_64(r1 + 0, r0, r2)", "db210000f1000000"],
    ["w2 = xchg32_32(r1 + 4, w2)", "c3210400e1000000"],
    ["r0 = load_acquire((u64 *)(r1 + 0))", "db10000000010000"],
    ["store_release((u32 *)(r1 + 0), r2)", "c321000010010000"],
    ["r1 = 0x1122334455667788 ll", "18010000887766550000000044332211"],
    ["if r1 > 0x2 goto +3", "2501030002000000"],
    ["if w1 s< w2 goto -1", "ce21ffff00000000"],
    ["if r1 & 0x1 goto +2", "4501020001000000"],
    ["goto +3 <LBB0_2>", "0500030000000000"],
    ["gotol +70000", "0600000070110100"],
    ["call bpf_map_lookup_elem#1", "8500000001000000"],
    ["call 6", "8500000006000000"],
    ["call pc+3", "8510000003000000"],
    ["callx r2", "8d02000000000000"],
    ["exit", "9500000000000000"],
    ["mov32 %r0, 0", "b400000000000000"],
    ["ldxdw %r0, [%r1+8]", "7910080000000000"],
    ["stxw [r10-4], r1", "631afcff00000000"],
    ["lock fetch xor32 [%r10-8], %r1", "c31af8ffa1000000"],
    ["jeq %r1, 0x10, +1", "1501010010000000"],
    ["movsx1632 %r0, %r1", "bc10100000000000"],
    ["call runtime 12", "852000000c000000"],
  ])("%s", (text, want) => {
    expect(hex(encodeProgram(assemble(text)))).toBe(want);
  });

  it("resolves labels forward and backward, including the implicit exit label", () => {
    const insns = assemble("top:\n  r0 += 1\n  if r0 < 3 goto top\n  ja exit\n  r0 = 9\n  exit\n");
    expect(insns.map((i) => i.off)).toEqual([0, -2, 1, 0, 0]);
  });

  it.each<[string, string, number, number]>([
    ["unknown mnemonic", "r0 = 1\nfrobnicate r1\n", 2, 1],
    ["register out of range", "mov %r0, 1\nmov %r11, 2\n", 2, 5],
    ["undefined label", "ja nowhere\n", 1, 4],
    ["immediate too wide", "r0 = 0x100000000\n", 1, 6],
    ["opcode prefix mismatch", "0: (b7) r0 = r1\n", 1, 5],
  ])("reports %s at its line and column", (_n, text, line, column) => {
    try {
      assemble(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AsmError);
      expect([(e as AsmError).line, (e as AsmError).column]).toEqual([line, column]);
    }
  });
});

describe("uBPF test-vector spellings", () => {
  it("assembles ldxbsx / ldxhsx / ldxwsx as sign-extending loads", () => {
    expect(hex(encodeProgram(assemble("ldxbsx %r0, [%r1+2]\nldxhsx %r0, [%r1]\nldxwsx %r0, [%r1-4]")))).toBe(
      hex(encodeProgram(assemble("ldxsb %r0, [%r1+2]\nldxsh %r0, [%r1]\nldxsw %r0, [%r1-4]"))),
    );
  });

  it("reads `-- error pattern` as an expected failure", () => {
    const d = parseDataFile("-- asm\nmov %r6, 0\nldxb %r0, [%r6-1]\nexit\n-- error pattern\nuBPF error: address underflow in load at PC 1\n-- result\n0xffffffffffffffff\n");
    expect(d.error).toBe("uBPF error: address underflow in load at PC 1");
  });
});
