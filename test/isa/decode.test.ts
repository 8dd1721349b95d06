import { describe, expect, it } from "vitest";
import { checkInsn, decodeProgram, decodeRaw } from "../../src/isa/decode.js";
import { encodeProgram, insnHex } from "../../src/isa/encode.js";
import { insn, ldImm64, ldImm64Value, type Insn } from "../../src/isa/insn.js";
import { DecodeError } from "../../src/errors.js";

// RFC 9669 Appendix A: every opcode of the instruction set (kernel-only legacy packet
// loads and the v4 additions included), written out independently of src/isa.
const VALID_OPCODES = new Set<number>([
  // ALU64 K / X
  0x07, 0x17, 0x27, 0x37, 0x47, 0x57, 0x67, 0x77, 0x87, 0x97, 0xa7, 0xb7, 0xc7, 0xd7,
  0x0f, 0x1f, 0x2f, 0x3f, 0x4f, 0x5f, 0x6f, 0x7f, 0x9f, 0xaf, 0xbf, 0xcf,
  // ALU K / X (0xd4 le, 0xdc be)
  0x04, 0x14, 0x24, 0x34, 0x44, 0x54, 0x64, 0x74, 0x84, 0x94, 0xa4, 0xb4, 0xc4, 0xd4,
  0x0c, 0x1c, 0x2c, 0x3c, 0x4c, 0x5c, 0x6c, 0x7c, 0x9c, 0xac, 0xbc, 0xcc, 0xdc,
  // JMP: ja, conditionals K and X, call, callx, exit
  0x05, 0x15, 0x25, 0x35, 0x45, 0x55, 0x65, 0x75, 0x85, 0x95, 0xa5, 0xb5, 0xc5, 0xd5,
  0x1d, 0x2d, 0x3d, 0x4d, 0x5d, 0x6d, 0x7d, 0x8d, 0xad, 0xbd, 0xcd, 0xdd,
  // JMP32: gotol, conditionals K and X
  0x06, 0x16, 0x26, 0x36, 0x46, 0x56, 0x66, 0x76, 0xa6, 0xb6, 0xc6, 0xd6,
  0x1e, 0x2e, 0x3e, 0x4e, 0x5e, 0x6e, 0x7e, 0xae, 0xbe, 0xce, 0xde,
  // LD: lddw, legacy ABS / IND
  0x18, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50,
  // LDX MEM, MEMSX
  0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91,
  // ST, STX MEM
  0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b,
  // STX ATOMIC (W, DW; B and H only for load-acquire / store-release)
  0xc3, 0xdb, 0xcb, 0xd3,
]);

/** The simplest well-formed fields for an opcode, so only the opcode decides validity. */
function canonical(code: number): Insn[] {
  const cls = code & 7;
  const op = code & 0xf0;
  if (code === 0x18) return ldImm64(1, 0x1122334455667788n);
  if ((cls === 4 || cls === 7) && op === 0xd0) return [insn(code, 1, 0, 0, 32)];
  if (cls === 3 && (code & 0xe0) === 0xc0) {
    const size = code & 0x18;
    return [insn(code, 1, 2, 0, size === 0x00 || size === 0x18 ? 0x01 : 0x100)];
  }
  if (code === 0x85 || code === 0x95 || code === 0x05 || code === 0x06) return [insn(code, 0, 0, 0, 0)];
  if (cls === 0 && code !== 0x18) return [insn(code, 0, (code & 0xe0) === 0x40 ? 1 : 0, 0, 0)];
  const x = (code & 0x08) !== 0 && (cls === 4 || cls === 5 || cls === 6 || cls === 7);
  if (code === 0x8d) return [insn(code, 2, 0, 0, 0)];
  if ((cls === 4 || cls === 7) && op === 0x80) return [insn(code, 1, 0, 0, 0)];
  if (cls === 1 || cls === 3) return [insn(code, 1, 2, 0, 0)];
  if (cls === 2) return [insn(code, 1, 0, 0, 7)];
  return [insn(code, 1, x ? 2 : 0, 0, x ? 0 : 7)];
}

describe("opcode table", () => {
  it.each(Array.from({ length: 256 }, (_, c) => c))("opcode %i is valid exactly when RFC 9669 lists it", (code) => {
    const prog = canonical(code);
    const reason = checkInsn(prog, 0);
    if (VALID_OPCODES.has(code)) expect(reason).toBeNull();
    else expect(reason).toBe(`unknown opcode ${code.toString(16).padStart(2, "0")}`);
  });

  it("round-trips every valid opcode through encode and decode", () => {
    const prog = [...VALID_OPCODES].flatMap(canonical);
    const bytes = encodeProgram(prog);
    expect(decodeProgram(bytes)).toEqual(prog);
    expect(encodeProgram(decodeRaw(bytes))).toEqual(bytes);
  });
});

describe("reserved fields and operands", () => {
  const cases: Array<[string, Insn[], string | null]> = [
    ["mov r1, 7 with src_reg set", [insn(0xb7, 1, 3, 0, 7)], "BPF_MOV uses reserved fields"],
    ["add r1, r2 with imm set", [insn(0x0f, 1, 2, 0, 1)], "BPF_ALU uses reserved fields"],
    ["sdiv (off 1) is valid", [insn(0x3f, 1, 2, 1, 0)], null],
    ["div with off 2", [insn(0x3f, 1, 2, 2, 0)], "BPF_ALU uses reserved fields"],
    ["movsx64 off 32", [insn(0xbf, 1, 2, 32, 0)], null],
    ["movsx32 off 32 is not valid", [insn(0xbc, 1, 2, 32, 0)], "BPF_MOV uses reserved fields"],
    ["mov K with offset", [insn(0xb7, 1, 0, 8, 0)], "BPF_MOV uses reserved fields"],
    ["le with width 8", [insn(0xd4, 1, 0, 0, 8)], "BPF_END uses reserved fields"],
    ["bswap X form", [insn(0xdf, 1, 0, 0, 16)], "unknown opcode df"],
    ["neg with imm", [insn(0x87, 1, 0, 0, 1)], "BPF_NEG uses reserved fields"],
    ["exit with dst", [insn(0x95, 1, 0, 0, 0)], "BPF_EXIT uses reserved fields"],
    ["ja with imm", [insn(0x05, 0, 0, 1, 1)], "BPF_JA uses reserved fields"],
    ["gotol with off", [insn(0x06, 0, 0, 1, 5)], "BPF_JA uses reserved fields"],
    ["call with src 3", [insn(0x85, 0, 3, 0, 1)], "BPF_CALL uses reserved fields"],
    ["kfunc call may carry a module index", [insn(0x85, 0, 2, 1, 100)], null],
    ["jeq K with src", [insn(0x15, 1, 2, 0, 0)], "BPF_JMP/JMP32 uses reserved fields"],
    ["ldx with imm", [insn(0x79, 1, 2, 0, 1)], "BPF_LDX uses reserved fields"],
    ["st with src", [insn(0x7a, 1, 2, 0, 1)], "BPF_ST uses reserved fields"],
    ["stx with imm", [insn(0x7b, 1, 2, 0, 1)], "BPF_STX uses reserved fields"],
    ["atomic sub", [insn(0xdb, 1, 2, 0, 0x10)], "BPF_ATOMIC uses invalid atomic opcode 10"],
    ["atomic B add", [insn(0xd3, 1, 2, 0, 0x00)], "unknown opcode d3"],
    ["register r11", [insn(0xb7, 11, 0, 0, 0)], "R11 is invalid"],
    ["source register r12", [insn(0xbf, 1, 12, 0, 0)], "R12 is invalid"],
    ["lddw second slot with opcode", [insn(0x18, 1, 0, 0, 0), insn(0x07, 0, 0, 0, 0)], "invalid bpf_ld_imm64 insn"],
    ["lddw pseudo src 7", [insn(0x18, 1, 7, 0, 0), insn(0, 0, 0, 0, 0)], "unrecognized bpf_ld_imm64 insn"],
    ["lddw with an offset", [insn(0x18, 1, 0, 1, 0), insn(0, 0, 0, 0, 0)], "BPF_LD_IMM64 uses reserved fields"],
  ];
  it.each(cases)("%s", (_name, prog, reason) => {
    expect(checkInsn(prog, 0)).toBe(reason);
  });

  it("rejects a truncated lddw with the instruction index and byte offset", () => {
    const bytes = encodeProgram([insn(0xb7, 0, 0, 0, 0), insn(0x18, 1, 0, 0, 0)]);
    try {
      decodeProgram(bytes);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      const d = e as DecodeError;
      expect([d.insnIdx, d.byteOffset, d.code, d.errno]).toEqual([1, 8, "EINVAL", 22]);
      expect(d.message).toMatch(/invalid bpf_ld_imm64 insn/);
    }
  });

  it("rejects a length that is not whole instructions", () => {
    expect(() => decodeRaw(new Uint8Array(12))).toThrow(/not a multiple of 8/);
  });

  it("encodes fields little-endian with dst in the low nibble", () => {
    expect(insnHex(insn(0x79, 0, 1, 8, 0))).toBe("7910080000000000");
    expect(insnHex(insn(0x18, 1, 2, 0, -1))).toBe("18210000ffffffff");
  });

  it("keeps the lddw constant across both slots", () => {
    const [lo, hi] = ldImm64(3, 0xdeadbeefcafebaben);
    expect(ldImm64Value(lo, hi)).toBe(0xdeadbeefcafebaben);
    expect(ldImm64Value(...ldImm64(3, -1n))).toBe(0xffffffffffffffffn);
  });
});

describe("exit's offset field", () => {
  it("is not checked, as Linux's do_check does not check it", () => {
    expect(checkInsn([insn(0x95, 0, 0, 7, 0)], 0)).toBeNull();
    expect(checkInsn([insn(0x95, 0, 0, 0, 1)], 0)).toBe("BPF_EXIT uses reserved fields");
  });
});
