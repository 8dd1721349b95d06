import { helperRegistry, type Helper, type HelperCall, type HelperRegistry } from "./helpers.js";

// The helpers the bpf_conformance vectors expect from a plugin, numbered as uBPF's test
// plugin registers them. They are test fixtures, not kernel helpers.

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

function cString(call: HelperCall, addr: bigint): Uint8Array {
  const bytes = call.mem.bytes;
  let a = call.mem.check(addr, 1, false, call.pc);
  const start = a;
  while (bytes[a] !== 0) a = call.mem.check(BigInt(a + 1), 1, false, call.pc);
  return bytes.subarray(start, a);
}

export const CONFORMANCE_HELPERS: readonly Helper[] = [
  {
    id: 0,
    name: "gather_bytes",
    fn: (c) => u64(((c.r1 & 0xffn) << 32n) | ((c.r2 & 0xffn) << 24n) | ((c.r3 & 0xffn) << 16n) | ((c.r4 & 0xffn) << 8n) | (c.r5 & 0xffn)),
  },
  {
    id: 1,
    name: "memfrob",
    fn: (c) => {
      const len = Number(c.r2 & 0xffffffffn);
      if (len > 0) {
        const at = c.mem.check(c.r1, len, true, c.pc);
        const b = c.mem.bytes;
        for (let i = 0; i < len; i++) b[at + i] = b[at + i]! ^ 42;
      }
      return 0n;
    },
  },
  { id: 2, name: "no_op", fn: () => 0n },
  {
    id: 3,
    name: "sqrti",
    fn: (c) => BigInt(Math.floor(Math.sqrt(Number(c.r1 & 0xffffffffn)))),
  },
  {
    id: 4,
    name: "strcmp_ext",
    fn: (c) => {
      const a = cString(c, c.r1);
      const b = cString(c, c.r2);
      const n = Math.min(a.length, b.length);
      for (let i = 0; i < n; i++) if (a[i] !== b[i]) return u64(BigInt(a[i]! - b[i]!));
      return u64(BigInt(a.length - b.length));
    },
  },
  { id: 5, name: "unwind", fn: (c) => c.r1, stopsWhenZero: true },
];

/** The conformance helpers as a registry, for the runners that pass them explicitly. */
export const CONFORMANCE_REGISTRY: HelperRegistry = helperRegistry(CONFORMANCE_HELPERS);
