import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { firstProgramSection, readElf } from "../../src/loader/elf.js";
import { LoaderError } from "../../src/errors.js";
import { decodeProgram } from "../../src/isa/decode.js";

const OBJ = new Uint8Array(readFileSync(new URL("../fixtures/elf/mem_sum.o", import.meta.url)));

describe("ELF section reader", () => {
  it("finds the program section of a clang-built object", () => {
    const elf = readElf(OBJ);
    const prog = firstProgramSection(elf);
    expect(prog.name).toBe("conformance");
    expect(decodeProgram(prog.data)).toHaveLength(10);
    expect(elf.sections.map((s) => s.name)).toContain(".BTF");
  });

  it.each<[string, (b: Uint8Array) => Uint8Array, RegExp]>([
    ["bad magic", (b) => Object.assign(b.slice(), { 0: 0 }), /offset 0: not an ELF file/],
    ["truncated header", (b) => b.slice(0, 40), /truncated ELF header/],
    ["32-bit class", (b) => Object.assign(b.slice(), { 4: 1 }), /offset 4: not a 64-bit ELF/],
    ["wrong machine", (b) => Object.assign(b.slice(), { 18: 62, 19: 0 }), /offset 18: ELF machine 62 is not EM_BPF/],
    ["truncated section table", (b) => b.slice(0, b.length - 100), /section headers .* extend past the end/],
  ])("rejects %s with the offset", (_n, corrupt, msg) => {
    const bad = corrupt(OBJ);
    expect(() => readElf(bad)).toThrow(LoaderError);
    expect(() => readElf(bad)).toThrow(msg);
  });

  it("never crashes on random single-byte corruptions", () => {
    let seed = 12345;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const bad = OBJ.slice();
      bad[seed % bad.length] = (seed >>> 8) & 0xff;
      try {
        readElf(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(LoaderError);
      }
    }
  });
});
