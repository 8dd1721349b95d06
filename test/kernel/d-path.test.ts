import { describe, expect, it } from "vitest";
import { inKernelModes, u64At } from "./helpers-support.js";

// bpf_d_path (147): the name of a file's f_path into a buffer.

const PATH = "/etc/ld.so.cache"; // 16 bytes, 17 with the NUL

/** d_path(&file->f_path, r10 - 32 (prefilled with 0xff), sz); ctx[0] = r0, ctx[8..40) = the buffer. */
async function dPath(sz: number, fPath: "file" | "other" = "file"): Promise<{ ret: bigint; buf: number[] }> {
  const r = await inKernelModes(
    `
  r6 = r1
  r1 = -1
  *(u64 *)(r10 - 32) = r1
  *(u64 *)(r10 - 24) = r1
  *(u64 *)(r10 - 16) = r1
  *(u64 *)(r10 - 8) = r1
  r1 = *(u64 *)(r6 + 40)
  r2 = r10
  r2 += -32
  r3 = ${sz}
  call 147
  *(u64 *)(r6 + 0) = r0
  r1 = *(u64 *)(r10 - 32)
  *(u64 *)(r6 + 8) = r1
  r1 = *(u64 *)(r10 - 24)
  *(u64 *)(r6 + 16) = r1
  r1 = *(u64 *)(r10 - 16)
  *(u64 *)(r6 + 24) = r1
  r1 = *(u64 *)(r10 - 8)
  *(u64 *)(r6 + 32) = r1
  r0 = 0
  exit`,
    {
      // the program takes &file->f_path (file + 24) from ctx[40]
      init: (k, _maps, input) => {
        const file = k.openFile(3, 100n, 7n, PATH);
        new DataView(input.buffer).setBigUint64(40, BigInt(fPath === "file" ? file + 24 : file), true);
      },
    },
  );
  return { ret: BigInt.asIntN(64, u64At(r.ctx, 0)), buf: r.ctx.slice(8, 40) };
}

const enc = (s: string): number[] => [...new TextEncoder().encode(s)];
const FF = (n: number): number[] => new Array<number>(n).fill(0xff);

describe("bpf_d_path", () => {
  it("writes the path with its NUL and returns its length with the NUL", async () => {
    expect(await dPath(32)).toEqual({ ret: 17n, buf: [...enc(PATH), 0, ...FF(15)] });
    expect(await dPath(17)).toEqual({ ret: 17n, buf: [...enc(PATH), 0, ...FF(15)] });
  });

  it("-ENAMETOOLONG when it does not fit (the buffer holds the name's tail, as d_path builds it from the end); size 0 returns 0", async () => {
    expect(await dPath(8)).toEqual({ ret: -36n, buf: [...enc("o.cache"), 0, ...FF(24)] });
    expect(await dPath(0)).toEqual({ ret: 0n, buf: FF(32) });
  });

  it("-EINVAL for an address that is no file's f_path (only unverified programs pass one)", async () => {
    expect((await dPath(32, "other")).ret).toBe(-22n);
  });
});
