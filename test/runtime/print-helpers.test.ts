import { describe, expect, it } from "vitest";
import type { Machine } from "../../src/runtime/machine.js";
import type { MapSpec } from "../../src/runtime/maps.js";
import { inAllModes, neg, stackString, str } from "./helpers-support.js";

// bpf_trace_printk (6) into the machine's trace buffer (trace_pipe format), bpf_snprintf
// (165), bpf_strncmp (182), bpf_spin_lock / bpf_spin_unlock (93 / 94).

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** bpf_trace_printk(fmt on the stack, its size with the NUL, a1, a2, a3); r0 = its result. */
const PRINTK = (fmt: string | Uint8Array, args: string[] = [], size?: number): string => {
  const n = typeof fmt === "string" ? enc(fmt).length : fmt.length;
  const room = Math.ceil((n + 1) / 8) * 8;
  return `
  ${stackString("a string", 16 + room)}
  ${stackString(fmt, room)}
  r1 = r10
  r1 += -${room}
  r2 = ${size ?? n + 1}
  ${args.map((a, i) => (a === "STR" ? `r${i + 3} = r10\n  r${i + 3} += -${16 + room}` : `r${i + 3} = ${a} ll`)).join("\n  ")}
  call 6
  exit`;
};

async function printk(fmt: string | Uint8Array, args: string[] = [], size?: number, init?: (m: Machine) => void): Promise<{ r0: string; trace: string }> {
  const r = await inAllModes(PRINTK(fmt, args, size), { ...(init !== undefined ? { init } : {}) });
  return { r0: r.r0, trace: r.trace };
}

const msgOf = (trace: string): string => trace.replace(/^.*?: bpf_trace_printk: /s, "").replace(/\n$/, "");

describe("bpf_trace_printk", () => {
  it("appends a trace_pipe line for the current task, with the message exact", async () => {
    const r = await printk("hello %d %u %x", ["-5", "-5", "255"], undefined, (m) => {
      m.setCurrentTask({ pid: 4242, comm: "curl" });
      m.setClock({ ns: 12_345_678_901_234n });
    });
    expect(r.trace).toBe("            curl-4242    [000] ..... 12345.678901: bpf_trace_printk: hello -5 4294967291 ff\n");
    expect(r.r0).toBe((22).toString(16)); // the length of the message
  });

  it("prints the idle task as <idle>; a message ending in a newline gives an empty line, as in Linux", async () => {
    const r = await printk("tick\n");
    expect(r.trace).toBe("          <idle>-0       [000] .....     0.000000: bpf_trace_printk: tick\n\n");
  });

  it("formats like the kernel: sizes, flags, widths, %c, %s, %%, pointers", async () => {
    expect(msgOf((await printk("%lld %llu %lx", ["-1", "-1", "0xabcdef0123"])).trace)).toBe("-1 18446744073709551615 abcdef0123");
    expect(msgOf((await printk("[%5d|%-5d|%05d]", ["42", "42", "-42"])).trace)).toBe("[   42|42   |-0042]");
    expect(msgOf((await printk("%+d % d %X", ["7", "7", "0xbeef"])).trace)).toBe("+7  7 BEEF");
    expect(msgOf((await printk("%c%c 100%%", ["0x4f", "0x4b"])).trace)).toBe("OK 100%");
    expect(msgOf((await printk("<%s> <%10s>", ["STR", "STR"])).trace)).toBe("<a string> <  a string>");
    expect(msgOf((await printk("%px", ["0xffff888000001000"])).trace)).toBe("ffff888000001000");
    expect(msgOf((await printk("%d", ["0x100000005"])).trace)).toBe("5"); // %d takes the low 32 bits
  });

  it("refuses what bpf_bprintf_prepare refuses: -EINVAL, nothing printed", async () => {
    for (const [fmt, args] of [
      ["%d %d %d %d", ["1", "2", "3"]], // a fourth conversion: only 3 arguments
      ["%q", ["1"]],
      ["%.2d", ["1"]],
      ["%#x", ["1"]],
      ["%hd", ["1"]],
      ["%pq", ["1"]],
      ["%sx", ["STR"]],
      ["tab\tok \x01", []], // a control character
    ] as Array<[string, string[]]>) {
      const r = await printk(fmt, args);
      expect([fmt, r.r0, r.trace]).toEqual([fmt, neg(22), ""]);
    }
    // no NUL within fmt_size
    expect((await printk("abc", [], 3)).r0).toBe(neg(22));
  });
});

describe("bpf_snprintf", () => {
  /** snprintf(out r10-64, size, fmt at r10-128, data at r10-160 (u64s), len); ctx = r0, then the 32 out bytes */
  const SNPRINTF = (fmt: string, data: bigint[], size: number): string => `
  r6 = r1
  r1 = -1
  *(u64 *)(r10 - 64) = r1
  *(u64 *)(r10 - 56) = r1
  *(u64 *)(r10 - 48) = r1
  *(u64 *)(r10 - 40) = r1
  ${stackString("str", 24)}
  ${stackString(fmt, 128)}
  ${data.map((d, i) => (d === -99n ? `r1 = r10\n  r1 += -24\n  *(u64 *)(r10 - ${160 - 8 * i}) = r1` : `r1 = ${d} ll\n  *(u64 *)(r10 - ${160 - 8 * i}) = r1`)).join("\n  ")}
  r1 = r10
  r1 += -64
  r2 = ${size}
  r3 = r10
  r3 += -128
  r4 = r10
  r4 += -160
  r5 = ${data.length * 8}
  call 165
  *(u64 *)(r6 + 0) = r0
  r1 = *(u64 *)(r10 - 64)
  *(u64 *)(r6 + 8) = r1
  r1 = *(u64 *)(r10 - 56)
  *(u64 *)(r6 + 16) = r1
  r0 = 0
  exit`;
  const run = async (fmt: string, data: bigint[], size: number): Promise<{ ret: bigint; out: number[] }> => {
    const r = await inAllModes(SNPRINTF(fmt, data, size));
    return { ret: new DataView(Uint8Array.from(r.ctx).buffer).getBigInt64(0, true), out: r.ctx.slice(8, 24) };
  };

  it("writes the formatted string with its NUL and returns its length with the NUL", async () => {
    const r = await run("%s=%d", [-99n, 12n], 16);
    expect([r.ret, str(r.out)]).toEqual([7n, "str=12"]);
  });

  it("cuts to str_size - 1 bytes plus NUL, returning the full length; size 0 writes nothing", async () => {
    const r = await run("%llu", [123456789n], 4);
    expect([r.ret, r.out.slice(0, 5)]).toEqual([10n, [0x31, 0x32, 0x33, 0, 0xff]]);
    const z = await run("%d", [5n], 0);
    expect([z.ret, z.out[0]]).toEqual([2n, 0xff]);
  });

  it("-EINVAL for a data length that is not a multiple of 8 or exceeds 12 arguments, or too few arguments", async () => {
    expect((await run("%d %d", [1n], 16)).ret).toBe(-22n);
    expect((await run("%d", Array.from({ length: 13 }, () => 1n), 16)).ret).toBe(-22n);
  });
});

describe("bpf_trace_vprintk", () => {
  /** trace_vprintk(fmt at r10-128, size, data at r10-256 (u64s; -99n: a pointer to "str"), data_len) */
  const VPRINTK = (fmt: string, data: bigint[], dataLen = data.length * 8, nullData = false): string => `
  ${stackString("str", 136)}
  ${stackString(fmt, 128)}
  ${data.map((d, i) => (d === -99n ? `r1 = r10\n  r1 += -136\n  *(u64 *)(r10 - ${256 - 8 * i}) = r1` : `r1 = ${d} ll\n  *(u64 *)(r10 - ${256 - 8 * i}) = r1`)).join("\n  ")}
  r1 = r10
  r1 += -128
  r2 = ${enc(fmt).length + 1}
  ${nullData ? "r3 = 0" : "r3 = r10\n  r3 += -256"}
  r4 = ${dataLen}
  call 177
  exit`;

  it("prints more than 3 arguments to the trace pipe as bpf_trace_printk does, returning the length", async () => {
    const r = await inAllModes(VPRINTK("%d %u %x %s %lld %c", [-5n, 7n, 255n, -99n, -1n, 0x4fn]), {
      init: (m) => m.setCurrentTask({ pid: 7, comm: "sh" }),
    });
    expect(msgOf(r.trace)).toBe("-5 7 ff str -1 O");
    expect(r.trace).toContain("sh-7 ");
    expect(r.r0).toBe((16).toString(16));
    const none = await inAllModes(VPRINTK("no args", [], 0, true));
    expect([none.r0, msgOf(none.trace)]).toEqual([(7).toString(16), "no args"]);
  });

  it("-EINVAL for data_len not a multiple of 8, above 12 arguments, or with NULL data; a bad format prints nothing", async () => {
    for (const [fmt, data, len, nul] of [
      ["%d", [1n], 4, false],
      ["%d", Array.from({ length: 13 }, () => 1n), 104, false],
      ["%d", [], 8, true],
      ["%d %d", [1n], 8, false], // too few arguments
      ["%q", [1n], 8, false],
    ] as Array<[string, bigint[], number, boolean]>) {
      const r = await inAllModes(VPRINTK(fmt, data, len, nul));
      expect([fmt, len, r.r0, r.trace]).toEqual([fmt, len, neg(22), ""]);
    }
  });
});

describe("bpf_strncmp", () => {
  const STRNCMP = (a: string, n: number, b: string): string => `
  ${stackString(a, 32)}
  ${stackString(b, 64)}
  r1 = r10
  r1 += -32
  r2 = ${n}
  r3 = r10
  r3 += -64
  call 182
  exit`;
  it("returns -1, 0 or 1 as the kernel's strncmp, comparing at most s1_sz bytes", async () => {
    expect((await inAllModes(STRNCMP("abc", 4, "abc"))).r0).toBe("0");
    expect((await inAllModes(STRNCMP("abd", 4, "abc"))).r0).toBe("1");
    expect((await inAllModes(STRNCMP("abb", 4, "abzzz"))).r0).toBe(neg(1));
    expect((await inAllModes(STRNCMP("abcdef", 3, "abcxyz"))).r0).toBe("0");
    expect((await inAllModes(STRNCMP("ab", 8, "abc"))).r0).toBe(neg(1));
  });
});

describe("bpf_spin_lock / bpf_spin_unlock", () => {
  const MAP: MapSpec = { type: "array", keySize: 4, valueSize: 16, maxEntries: 1 };
  const LOCK = (ops: number[]): string => `
  r1 = 0
  *(u32 *)(r10 - 4) = r1
  r1 = map[id:0]
  r2 = r10
  r2 += -4
  call 1
  if r0 == 0 goto +${ops.length * 3 + 2}
  r6 = r0
  ${ops.map((op) => `r1 = r6\n  call ${op}\n  r7 = *(u32 *)(r6 + 0)`).join("\n  ")}
  r0 = r7
  exit
  r0 = 99
  exit`;
  it("lock sets the lock word and unlock clears it", async () => {
    expect((await inAllModes(LOCK([93]), { maps: [MAP] })).r0).toBe("1");
    expect((await inAllModes(LOCK([93, 94]), { maps: [MAP] })).r0).toBe("0");
  });
  it("taking a held lock (a deadlock on one CPU) or releasing a free one traps", async () => {
    expect((await inAllModes(LOCK([93, 93]), { maps: [MAP] })).r0).toBe("trap HelperFault at 13");
    expect((await inAllModes(LOCK([94]), { maps: [MAP] })).r0).toBe("trap HelperFault at 10");
  });
});
