/** A small seeded PRNG (xorshift128+ over bigint-free 32-bit halves), for reproducible generated tests. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(readonly seed: number) {
    this.a = seed | 0 || 1;
    this.b = 0x9e3779b9;
    this.c = 0x243f6a88;
    this.d = 0xb7e15162;
    for (let i = 0; i < 16; i++) this.u32();
  }
  /** sfc32: a uniform 32-bit unsigned integer */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** integer in [0, n) */
  int(n: number): number {
    return this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bool(p = 0.5): boolean {
    return this.u32() / 2 ** 32 < p;
  }
  /** a 64-bit value biased toward interesting edges (0, ±1, INT_MIN, 32-bit boundaries) */
  u64(): bigint {
    switch (this.int(6)) {
      case 0:
        return this.pick([0n, 1n, 0xffffffffffffffffn, 0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffffn, 0x80000000n, 0x100000000n]);
      case 1:
        return BigInt(this.int(64));
      default:
        return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
    }
  }
  /** a signed 32-bit immediate biased toward edges */
  imm(): number {
    switch (this.int(5)) {
      case 0:
        return this.pick([0, 1, -1, 0x7fffffff, -0x80000000, 0xffff, 0x80]);
      case 1:
        return this.int(64) - 32;
      default:
        return this.u32() | 0;
    }
  }
}
