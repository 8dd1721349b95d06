import { describe, expect, it } from "vitest";
import type { Machine } from "../../src/runtime/machine.js";
import { inAllModes, neg, stackString, str } from "./helpers-support.js";

// bpf_probe_read_kernel (113), _user (112), the legacy bpf_probe_read (4), and the _str
// variants (115, 114, 45) against memory the host maps (Machine.mapKernelMemory /
// mapUserMemory) and the program's own (guest) memory.

const KADDR = 0xffff888000001000n;
const UADDR = 0x400000n;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function mapMemory(m: Machine): void {
  const k = new Uint8Array(64);
  k.set(enc("kernel string\0tail"));
  k.fill(0x78, 40); // no NUL up to the end of the mapping
  m.mapKernelMemory(KADDR, k);
  const u = new Uint8Array(64);
  u.set(enc("abcdefghijklmnopqrstuvwxyz\0"));
  m.mapUserMemory(UADDR, u);
}

/** helper(dst = r10-24 prefilled with 0xff, size, addr); ctx[0..8) = r0, ctx[8..32) = the 24 bytes. */
const PROG = (id: number, size: number, addr: bigint | "stack"): string => `
  r6 = r1
  r1 = -1
  *(u64 *)(r10 - 24) = r1
  *(u64 *)(r10 - 16) = r1
  *(u64 *)(r10 - 8) = r1
  ${stackString("on the stack", 48)}
  r1 = r10
  r1 += -24
  r2 = ${size}
  ${addr === "stack" ? "r3 = r10\n  r3 += -48" : `r3 = 0x${addr.toString(16)} ll`}
  call ${id}
  *(u64 *)(r6 + 0) = r0
  r1 = *(u64 *)(r10 - 24)
  *(u64 *)(r6 + 8) = r1
  r1 = *(u64 *)(r10 - 16)
  *(u64 *)(r6 + 16) = r1
  r1 = *(u64 *)(r10 - 8)
  *(u64 *)(r6 + 24) = r1
  r0 = 0
  exit`;

async function probe(id: number, size: number, addr: bigint | "stack"): Promise<{ ret: string; bytes: number[] }> {
  const r = await inAllModes(PROG(id, size, addr), { init: mapMemory });
  const ret = new DataView(Uint8Array.from(r.ctx).buffer).getBigUint64(0, true).toString(16);
  return { ret, bytes: r.ctx.slice(8, 32) };
}

const FF = (n: number): number[] => new Array<number>(n).fill(0xff);
const Z = (n: number): number[] => new Array<number>(n).fill(0);

describe("probe reads", () => {
  it("bpf_probe_read_kernel copies mapped kernel bytes; a fault zeroes the destination and returns -EFAULT", async () => {
    expect(await probe(113, 6, KADDR)).toEqual({ ret: "0", bytes: [...enc("kernel"), ...FF(18)] });
    expect(await probe(113, 8, KADDR + 60n)).toEqual({ ret: neg(14), bytes: [...Z(8), ...FF(16)] }); // runs off the mapping
    expect(await probe(113, 8, 0xffff888000100000n)).toEqual({ ret: neg(14), bytes: [...Z(8), ...FF(16)] });
    // x86-64 refuses user addresses (and NULL) for kernel reads: -ERANGE
    expect(await probe(113, 4, UADDR)).toEqual({ ret: neg(34), bytes: [...Z(4), ...FF(20)] });
    expect(await probe(113, 4, 0n)).toEqual({ ret: neg(34), bytes: [...Z(4), ...FF(20)] });
    // the program's own memory is kernel memory
    expect(await probe(113, 6, "stack")).toEqual({ ret: "0", bytes: [...enc("on the"), ...FF(18)] });
    expect(await probe(113, 0, KADDR)).toEqual({ ret: "0", bytes: FF(24) });
  });

  it("bpf_probe_read_user reads user mappings only", async () => {
    expect(await probe(112, 5, UADDR + 1n)).toEqual({ ret: "0", bytes: [...enc("bcdef"), ...FF(19)] });
    expect(await probe(112, 5, KADDR)).toEqual({ ret: neg(14), bytes: [...Z(5), ...FF(19)] });
    expect(await probe(112, 5, 0x500000n)).toEqual({ ret: neg(14), bytes: [...Z(5), ...FF(19)] });
  });

  it("bpf_probe_read picks user space below TASK_SIZE, kernel space above (guest memory: kernel)", async () => {
    expect(await probe(4, 3, UADDR)).toEqual({ ret: "0", bytes: [...enc("abc"), ...FF(21)] });
    expect(await probe(4, 3, KADDR)).toEqual({ ret: "0", bytes: [...enc("ker"), ...FF(21)] });
    expect(await probe(4, 3, "stack")).toEqual({ ret: "0", bytes: [...enc("on "), ...FF(21)] });
  });

  it("the _str variants return the length with the NUL, cut at size with a NUL, and leave the rest", async () => {
    expect(await probe(115, 24, KADDR)).toEqual({ ret: "e", bytes: [...enc("kernel string"), 0, ...FF(10)] });
    expect(await probe(114, 8, UADDR)).toEqual({ ret: "8", bytes: [...enc("abcdefg"), 0, ...FF(16)] });
    expect(await probe(45, 24, UADDR + 20n)).toEqual({ ret: "7", bytes: [...enc("uvwxyz"), 0, ...FF(17)] });
    expect(await probe(45, 24, "stack")).toEqual({ ret: "d", bytes: [...enc("on the stack"), 0, ...FF(11)] });
    expect(await probe(115, 0, KADDR)).toEqual({ ret: "0", bytes: FF(24) });
  });

  it("a _str fault returns -EFAULT (-ERANGE for a user address in the kernel variant) with the destination zeroed", async () => {
    // the string runs off the end of the mapping
    const r = await probe(115, 24, KADDR + 50n);
    expect(r.ret).toBe(neg(14));
    expect(r.bytes).toEqual(Z(24));
    expect((await probe(114, 24, KADDR)).ret).toBe(neg(14));
    expect((await probe(115, 24, UADDR)).ret).toBe(neg(34));
    expect(str((await probe(114, 24, UADDR)).bytes)).toBe("abcdefghijklmnopqrstuvw");
    // bpf_probe_read_str: the kernel or user variant by address, with the same fault rule
    expect(await probe(45, 24, KADDR + 50n)).toEqual({ ret: neg(14), bytes: Z(24) });
    expect(await probe(45, 8, 0x500000n)).toEqual({ ret: neg(14), bytes: [...Z(8), ...FF(16)] });
  });
});
