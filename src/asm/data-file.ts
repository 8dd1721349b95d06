import { AsmError } from "../errors.js";
import { parseNumber } from "./numbers.js";

/** A bpf_conformance `.data` test vector. */
export interface DataFile {
  /** the `-- asm` section's text */
  readonly asm: string;
  /** `-- mem`: input memory (empty when absent) */
  readonly mem: Uint8Array;
  /** `-- result`: expected r0 */
  readonly result: bigint | null;
  /** `-- raw`: the program as 64-bit words, little-endian bytes */
  readonly raw: Uint8Array | null;
  /** `-- error`: the run is expected to fail with this text */
  readonly error?: string;
  /** every section's text by name, including ones this parser does not interpret */
  readonly sections: Readonly<Record<string, string>>;
}

/**
 * Parse the `.data` format: `-- name` lines start sections; `#` lines outside `-- asm`
 * are comments (inside it the assembler strips them).
 */
export function parseDataFile(text: string, name = "<data>"): DataFile {
  const sections: Record<string, string[]> = {};
  let current: string | null = null;
  text.split(/\r?\n/).forEach((line) => {
    const head = /^--\s*(.+?)\s*$/.exec(line);
    if (head !== null) {
      current = head[1]!;
      sections[current] ??= [];
      return;
    }
    if (current === null) return; // header comments
    sections[current]!.push(line);
  });
  const get = (k: string): string | undefined => sections[k]?.join("\n");
  const clean = (k: string): string => (get(k) ?? "").replace(/#.*$/gm, "").trim();
  const mem = hexToBytes(clean("mem"), name, "mem");
  const resultText = clean("result");
  let result: bigint | null = null;
  if (resultText !== "") {
    const v = parseNumber(resultText.split(/\s+/)[0]!);
    if (v === null) throw new AsmError(0, 0, `${name}: bad -- result "${resultText}"`);
    result = BigInt.asUintN(64, v);
  }
  const rawText = clean("raw");
  const raw = rawText === "" ? null : rawWords(rawText, name);
  // `-- error` (bpf_conformance) or `-- error pattern` (uBPF): the run must fail
  const errorKey = Object.keys(sections).find((k) => k === "error" || k.startsWith("error "));
  const error = errorKey === undefined ? undefined : get(errorKey)?.trim();
  const out: DataFile = {
    asm: get("asm") ?? "",
    mem,
    result,
    raw,
    sections: Object.fromEntries(Object.entries(sections).map(([k, v]) => [k, v.join("\n")])),
  };
  return error !== undefined && error !== "" ? { ...out, error } : out;
}

function hexToBytes(text: string, file: string, section: string): Uint8Array {
  const clean = text.replace(/0x/gi, "").replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new AsmError(0, 0, `${file}: -- ${section} is not hex bytes`);
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** `-- raw`: one 64-bit word per line (0x%016x of the instruction read as a little-endian u64). */
function rawWords(text: string, file: string): Uint8Array {
  const words = text.split(/\s+/);
  const out = new Uint8Array(words.length * 8);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => {
    const v = parseNumber(w);
    if (v === null) throw new AsmError(0, 0, `${file}: -- raw word ${i} "${w}" is not a number`);
    dv.setBigUint64(i * 8, BigInt.asUintN(64, v), true);
  });
  return out;
}

/** Bytecode written as hex: whitespace, commas, `0x` prefixes and `#` comments are ignored. */
export function parseHexProgram(text: string): Uint8Array {
  return hexToBytes(text.replace(/#.*$/gm, "").replace(/,/g, " "), "<hex>", "program");
}
