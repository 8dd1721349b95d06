// What the command line reads, through one capped reader (src/exec/read-input.ts): the limit
// is `--max-input-size N` (any command), 256 MiB by default.
import * as fs from "node:fs";
import { DEFAULT_MAX_INPUT_BYTES, readInput, readLines } from "../exec/read-input.js";

let maxInput = DEFAULT_MAX_INPUT_BYTES;

export const LIMIT_OPTION = "--max-input-size";

/** Set by main() from `--max-input-size`. */
export function setMaxInputBytes(n: number): void {
  maxInput = n;
}

export function maxInputBytes(): number {
  return maxInput;
}

/** A file's bytes (or stdin's, for fd 0), at most the limit. */
export function readCliInput(source: string | number): Uint8Array {
  return readInput(fs, source, { maxBytes: maxInput, limitOption: LIMIT_OPTION });
}

/** A file's text (UTF-8), at most the limit. */
export function readCliText(source: string | number): string {
  return new TextDecoder().decode(readCliInput(source));
}

/** Lines of stdin, each at most the limit. */
export function stdinLines(): AsyncGenerator<string> {
  return readLines(process.stdin, "standard input", maxInput);
}
