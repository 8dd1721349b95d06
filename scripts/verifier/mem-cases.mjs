// The programs of scripts/verifier/mem-diff.mjs and test/verifier/mem-access.test.ts (shared,
// so that the recorded verdicts line up with the programs the test verifies).
const SIZE = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 };
const ins = (code, dst, src, off, imm) => {
  const b = Buffer.alloc(8);
  b[0] = code;
  b[1] = dst | (src << 4);
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
};
const ldMap = (dst, idx) => [ins(0x18, dst, 1, 0, idx), ins(0, 0, 0, 0, 0)];
const exit0 = (r0 = 0) => [ins(0xb7, 0, 0, 0, r0), ins(0x95, 0, 0, 0, 0)];
const access = (kind, reg, off, size) =>
  kind === "ld" ? [ins(0x61 | SIZE[size], 3, reg, off, 0)] : kind === "stx" ? [ins(0xb7, 4, 0, 0, 1), ins(0x63 | SIZE[size], reg, 4, off, 0)] : [ins(0x62 | SIZE[size], reg, 0, off, 1)];

/** Every case: { name, type, maps, hex }. */
export function memCases() {
  const cases = [];
  const add = (name, type, maps, parts) => cases.push({ name, type, maps, hex: Buffer.concat(parts.flat()).toString("hex") });
  for (const size of [1, 2, 4, 8]) {
    for (const kind of ["ld", "stx", "st"]) {
      for (let off = -520; off < 8; off++) add(`stack ${kind} off=${off} size=${size}`, "socket_filter", [], [access(kind, 10, off, size), exit0()]);
      // through a copy of r10 moved by -3 (alignment of the sum)
      for (let off = -16; off < 8; off++) add(`stack-3 ${kind} off=${off} size=${size}`, "socket_filter", [], [ins(0xbf, 2, 10, 0, 0), ins(0x07, 2, 0, 0, -3), access(kind, 2, off, size), exit0()]);
      const arr = [{ type: "array", keySize: 4, valueSize: 24, maxEntries: 1 }];
      for (let off = -8; off < 32; off++) {
        add(`map ${kind} off=${off} size=${size}`, "socket_filter", arr, [
          ins(0x62, 10, 0, -4, 0), ins(0xbf, 2, 10, 0, 0), ins(0x07, 2, 0, 0, -4), ldMap(1, 0), ins(0x85, 0, 0, 0, 1), access(kind, 0, off, size), exit0(),
        ]);
      }
      const rb = [{ type: "ringbuf", keySize: 0, valueSize: 0, maxEntries: 4096 }];
      for (let off = -4; off < 16; off++) {
        add(`ringbuf ${kind} off=${off} size=${size}`, "socket_filter", rb, [
          ldMap(1, 0), ins(0xb7, 2, 0, 0, 12), ins(0xb7, 3, 0, 0, 0), ins(0x85, 0, 0, 0, 131), ins(0x15, 0, 0, kind === "stx" ? 5 : 4, 0),
          access(kind, 0, off, size), ins(0xbf, 1, 0, 0, 0), ins(0xb7, 2, 0, 0, 0), ins(0x85, 0, 0, 0, 133), exit0(),
        ]);
      }
    }
    for (let range = 0; range <= 16; range += 2) {
      for (let off = -2; off < 18; off++) {
        // r2 = data, r3 = data_end; if r2 + range > r3 goto out; load
        add(`pkt range=${range} ld off=${off} size=${size}`, "xdp", [], [
          ins(0x61, 2, 1, 0, 0), ins(0x61, 3, 1, 4, 0), ins(0xbf, 4, 2, 0, 0), ins(0x07, 4, 0, 0, range), ins(0x2d, 4, 3, 1, 0), ins(0x61 | SIZE[size], 5, 2, off, 0), exit0(2),
        ]);
      }
    }
  }
  return cases;
}
