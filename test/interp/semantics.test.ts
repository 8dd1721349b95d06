import { describe, expect, it } from "vitest";
import { runInterp } from "../../src/interp/index.js";
import { insn, ldImm64, type Insn } from "../../src/isa/insn.js";
import { CTX_BASE, framePointer } from "../../src/isa/layout.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";

const EXIT = insn(0x95, 0, 0, 0, 0);
const movImm = (dst: number, imm: number): Insn => insn(0xb7, dst, 0, 0, imm);
const lddw = (dst: number, v: bigint): Insn[] => ldImm64(dst, v);
const r0 = (prog: Insn[], input?: Uint8Array): bigint => runInterp(prog, input ? { input } : {}).r0;

/** r0 = OP(a, b) for an ALU opcode with register source, 64-bit operands given by lddw. */
function binop(code: number, a: bigint, b: bigint, off = 0): bigint {
  return r0([...lddw(0, a), ...lddw(1, b), insn(code, 0, 1, off, 0), EXIT]);
}

const M = 0xffffffffffffffffn;
const INT64_MIN = 0x8000000000000000n;

describe("RFC 9669 arithmetic corners", () => {
  it.each<[string, number, bigint, bigint, number, bigint]>([
    ["div64 by zero gives 0", 0x3f, 7n, 0n, 0, 0n],
    ["mod64 by zero keeps dst", 0x9f, 7n, 0n, 0, 7n],
    ["mod32 by zero keeps low half, clears upper", 0x9c, 0x1_0000_0007n, 0n, 0, 7n],
    ["div32 by zero gives 0", 0x3c, 0x1_0000_0007n, 0n, 0, 0n],
    ["sdiv64 INT_MIN / -1 wraps", 0x3f, INT64_MIN, M, 1, INT64_MIN],
    ["smod64 INT_MIN % -1 is 0", 0x9f, INT64_MIN, M, 1, 0n],
    ["sdiv64 truncates toward zero", 0x3f, BigInt.asUintN(64, -7n), 2n, 1, BigInt.asUintN(64, -3n)],
    ["smod64 takes the dividend's sign", 0x9f, BigInt.asUintN(64, -7n), 2n, 1, BigInt.asUintN(64, -1n)],
    ["smod32 by zero keeps low half", 0x9c, 0xffff_ffff_ffff_fff9n, 0n, 1, 0xffff_fff9n],
    ["sdiv32 INT_MIN / -1", 0x3c, 0x8000_0000n, M, 1, 0x8000_0000n],
    ["lsh64 masks the count", 0x6f, 1n, 65n, 0, 2n],
    ["rsh32 masks the count and zero-extends", 0x7c, 0xffff_ffff_8000_0000n, 33n, 0, 0x4000_0000n],
    ["arsh32 sign-fills within 32 bits", 0xcc, 0x8000_0000n, 4n, 0, 0xf800_0000n],
    ["arsh64", 0xcf, INT64_MIN, 63n, 0, M],
    ["add32 wraps and zero-extends", 0x0c, 0xffff_ffffn, 1n, 0, 0n],
    ["mul64 wraps", 0x2f, M, M, 0, 1n],
    ["mov32 reg clears upper half", 0xbc, 0n, 0x1234_5678_9abc_def0n, 0, 0x9abc_def0n],
  ])("%s", (_n, code, a, b, off, want) => {
    expect(binop(code, a, b, off)).toBe(want);
  });

  it("div64 with a negative immediate divides by the sign-extended, unsigned value", () => {
    expect(r0([...lddw(0, M), insn(0x37, 0, 0, 0, -1), EXIT])).toBe(1n);
  });

  it.each<[string, number, number, bigint, bigint]>([
    ["movsx64 s8", 0xbf, 8, 0x80n, 0xffff_ffff_ffff_ff80n],
    ["movsx64 s16", 0xbf, 16, 0x7fffn, 0x7fffn],
    ["movsx64 s32", 0xbf, 32, 0x8000_0000n, 0xffff_ffff_8000_0000n],
    ["movsx32 s8 zero-extends the 32-bit result", 0xbc, 8, 0xffn, 0xffff_ffffn],
  ])("%s", (_n, code, off, src, want) => {
    expect(r0([...lddw(1, src), insn(code, 0, 1, off, 0), EXIT])).toBe(want);
  });

  it.each<[string, number, number, bigint]>([
    ["be16", 0xdc, 16, 0x8877n],
    ["be32", 0xdc, 32, 0x8877_6655n],
    ["be64", 0xdc, 64, 0x8877_6655_4433_2211n],
    ["le16 truncates", 0xd4, 16, 0x7788n],
    ["le32 truncates", 0xd4, 32, 0x5566_7788n],
    ["bswap16", 0xd7, 16, 0x8877n],
    ["bswap64", 0xd7, 64, 0x8877_6655_4433_2211n],
  ])("%s", (_n, code, width, want) => {
    const v = 0x1122_3344_5566_7788n;
    expect(r0([...lddw(0, v), insn(code, 0, 0, 0, width), EXIT])).toBe(want);
  });

  it("neg32 and neg64", () => {
    expect(r0([movImm(0, 1), insn(0x84, 0, 0, 0, 0), EXIT])).toBe(0xffff_ffffn);
    expect(r0([movImm(0, 1), insn(0x87, 0, 0, 0, 0), EXIT])).toBe(M);
  });
});

describe("jumps", () => {
  it("signed and 32-bit comparisons", () => {
    // r1 = -1; if r1 s< 0 goto +1; r0 = 0 exit; r0 = 1
    const p = [...lddw(1, M), movImm(0, 0), insn(0xc5, 1, 0, 1, 0), EXIT, movImm(0, 1), EXIT];
    expect(r0(p)).toBe(1n);
    // jeq32 ignores the upper half
    const q = [...lddw(1, 0x5_0000_0007n), movImm(0, 0), insn(0x16, 1, 0, 1, 7), EXIT, movImm(0, 2), EXIT];
    expect(r0(q)).toBe(2n);
  });

  it("gotol uses the 32-bit immediate", () => {
    expect(r0([movImm(0, 1), insn(0x06, 0, 0, 0, 1), EXIT, movImm(0, 3), EXIT])).toBe(3n);
  });
});

describe("memory", () => {
  it("loads, sign-extending loads and stores in the input region", () => {
    const input = new Uint8Array([0x80, 0xff, 0, 0, 0, 0, 0, 0]);
    expect(r0([insn(0x81, 0, 1, 0, 0), EXIT], input)).toBe(0xff80n); // ldxsw: 0x0000ff80 is positive
    expect(r0([insn(0x91, 0, 1, 0, 0), EXIT], input)).toBe(0xffff_ffff_ffff_ff80n); // ldxsb
    expect(r0([insn(0x89, 0, 1, 0, 0), EXIT], input)).toBe(0xffff_ffff_ffff_ff80n); // ldxsh
    expect(r0([insn(0x69, 0, 1, 0, 0), EXIT], input)).toBe(0xff80n);
    expect(r0([insn(0x72, 1, 0, 7, 0x5a), insn(0x71, 0, 1, 7, 0), EXIT], input)).toBe(0x5an);
  });

  it("stack frames start at r10 and the top frame is writable", () => {
    const p = [insn(0x7a, 10, 0, -8, -2), insn(0x79, 0, 10, -8, 0), EXIT];
    expect(r0(p)).toBe(BigInt.asUintN(64, -2n));
    expect(r0([insn(0xbf, 0, 10, 0, 0), EXIT])).toBe(BigInt(framePointer(0, 0)));
  });

  it("atomics: fetch_add, xchg, cmpxchg (32 and 64 bit)", () => {
    const input = new Uint8Array(8);
    // *(u64*)r1 = 5; r2 = 3; r2 = fetch_add(r1, r2) -> r2 = 5, mem = 8; r0 = r2 + mem
    const p = [
      insn(0x7a, 1, 0, 0, 5),
      movImm(2, 3),
      insn(0xdb, 1, 2, 0, 0x01),
      insn(0x79, 0, 1, 0, 0),
      insn(0x0f, 0, 2, 0, 0),
      EXIT,
    ];
    expect(r0(p, input)).toBe(13n);
    // cmpxchg32 success then failure: r0 holds the old value each time
    const q = [
      insn(0x62, 1, 0, 0, 7),
      movImm(0, 7),
      movImm(2, 9),
      insn(0xc3, 1, 2, 0, 0xf1), // mem 7 -> 9, r0 = 7
      insn(0xc3, 1, 2, 0, 0xf1), // r0 = 7 != 9, r0 = 9
      insn(0x61, 3, 1, 0, 0),
      insn(0x27, 0, 0, 0, 100),
      insn(0x0f, 0, 3, 0, 0),
      EXIT,
    ];
    expect(r0(q, new Uint8Array(4))).toBe(909n);
    const x = [insn(0x7a, 1, 0, 0, 4), movImm(2, 6), insn(0xdb, 1, 2, 0, 0xe1), insn(0x79, 0, 1, 0, 0), insn(0x27, 0, 0, 0, 10), insn(0x0f, 0, 2, 0, 0), EXIT];
    expect(r0(x, new Uint8Array(8))).toBe(64n);
  });

  it("stops an out-of-region access with pc, address and size", () => {
    try {
      runInterp([movImm(1, 0x100), insn(0x79, 0, 1, 0, 0), EXIT]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuntimeTrap);
      const t = e as RuntimeTrap;
      expect([t.kind, t.pc, t.address, t.size, t.code]).toEqual([TrapKind.OutOfBounds, 1, 0x100n, 8, "EFAULT"]);
    }
    const input = new Uint8Array(4);
    expect(() => runInterp([insn(0x61, 0, 1, 1, 0), EXIT], { input })).toThrow(/pc 0: invalid read from address 0x100001 size 4/);
    expect(CTX_BASE).toBe(0x100000);
  });
});

describe("calls", () => {
  it("bpf-to-bpf calls preserve r6-r9 and give each frame its own r10", () => {
    const p = [
      movImm(6, 6),
      insn(0x85, 0, 1, 0, 3), // call pc+3
      insn(0x0f, 0, 6, 0, 0),
      EXIT,
      EXIT, // padding, unreachable
      movImm(6, 100),
      insn(0xbf, 0, 10, 0, 0),
      EXIT,
    ];
    // callee returns its r10 (frame 1), caller adds r6 = 6 back
    expect(r0(p)).toBe(BigInt(framePointer(0, 1)) + 6n);
  });

  it("traps beyond 8 frames", () => {
    const p = [insn(0x85, 0, 1, 0, -1), EXIT];
    expect(() => runInterp(p)).toThrow(RuntimeTrap);
    try {
      runInterp(p);
    } catch (e) {
      expect((e as RuntimeTrap).kind).toBe(TrapKind.CallDepth);
    }
  });

  it("stops an endless loop at the instruction budget", () => {
    try {
      runInterp([insn(0x05, 0, 0, -1, 0), EXIT], { budget: 1000 });
      expect.unreachable();
    } catch (e) {
      expect([(e as RuntimeTrap).kind, (e as RuntimeTrap).code]).toEqual([TrapKind.Budget, "E2BIG"]);
    }
  });

  it("reports an unknown helper", () => {
    expect(() => runInterp([insn(0x85, 0, 0, 0, 999), EXIT])).toThrow(/no helper with id 999/);
  });
});
