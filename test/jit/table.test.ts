import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { compileProgram, loadBinaryen } from "../../src/jit/index.js";
import { GuestMemory } from "../../src/exec/guest-memory.js";
import { framePointer } from "../../src/isa/layout.js";

describe("the shared function table", () => {
  it("lets another wasm module call a JIT program with call_indirect, without JS in between", async () => {
    const mem = new GuestMemory();
    const prog = await compileProgram(assemble("r0 = r1\nr0 *= 3\ncall pc+1\nexit\nr0 += 1\nexit"));
    const other = await compileProgram(assemble("r0 = 7\nexit"));
    prog.run({ mem, args: [1n] }); // sets the program's globals for this memory
    const slot = prog.tableIndex(mem);
    expect(other.tableIndex(mem)).toBeGreaterThanOrEqual(slot + prog.functionCount); // slots never overlap

    // a caller module, as a trampoline will be: imports the table, calls slot with r1 = 5
    const b = await loadBinaryen();
    const m = new b.Module();
    m.addTable("t", 1, -1);
    m.addTableImport("t", "env", "table");
    const i64 = b.i64;
    const sig = b.createType(Array<number>(11).fill(i64));
    const arg = (v: bigint): number => (m.i64.const as unknown as (x: bigint) => number)(v);
    m.addFunction(
      "callSlot",
      b.createType([b.i32]),
      i64,
      [],
      m.call_indirect("t", m.local.get(0, b.i32), [arg(5n), arg(0n), arg(0n), arg(0n), arg(0n), arg(BigInt(framePointer(0, 0))), arg(0n), arg(0n), arg(0n), arg(0n), arg(0n)], sig, i64),
    );
    m.addFunctionExport("callSlot", "callSlot");
    const bytes = m.emitBinary();
    m.dispose();
    const caller = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), { env: { table: mem.table } });
    expect((caller.exports["callSlot"] as (s: number) => bigint)(slot)).toBe(16n); // 5 * 3, plus the subprogram's r0 += 1
  });
});
