import { describe, expect, it } from "vitest";
import { loadBinaryen } from "../../src/jit/binaryen-loader.js";
import { WasmModule } from "../../src/jit/wasm-module.js";

describe("WasmModule", () => {
  it("builds i64 constants over the whole 64-bit range, signed or unsigned", async () => {
    const w = new WasmModule(await loadBinaryen(), []);
    try {
      const values = [0n, 1n, -1n, 0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0x1_0000_0000n];
      values.forEach((v, k) => {
        w.addFunction(`c${k}`, [], w.i64, [], w.i64Const(v));
        w.exportFunction(`c${k}`);
      });
      const fns = w.instantiate({}).exports as Record<string, () => bigint>;
      expect(values.map((_, k) => fns[`c${k}`]!())).toEqual(values.map((v) => BigInt.asIntN(64, v)));
    } finally {
      w.dispose();
    }
  });

  it("imports memory and functions and calls through them", async () => {
    const w = new WasmModule(await loadBinaryen(), ["mutableGlobals", "bulkMemory"]);
    try {
      const m = w.ops;
      w.importMemory("env", "memory", 0);
      w.importFunction("twice", "env", "twice", [w.i64], w.i64);
      // store twice(arg) at address 8, then load it back
      w.addFunction("f", [w.i64], w.i64, [], w.block(null, [
        m.i64.store(0, 8, w.i32Const(8), m.call("twice", [m.local.get(0, w.i64)], w.i64)),
        m.i64.load(0, 8, w.i32Const(8)),
      ], w.i64));
      w.exportFunction("f", "run");
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
      const run = w.instantiate({ env: { memory, twice: (x: bigint) => x * 2n } }).exports["run"] as (x: bigint) => bigint;
      expect(run(21n)).toBe(42n);
      expect(new BigInt64Array(memory.buffer, 8, 1)[0]).toBe(42n);
    } finally {
      w.dispose();
    }
  });
});
