// One way to read what a user gives wabpf (a file, a device, a pipe, stdin): never more than a
// limit, checked before the bytes are kept, so that /dev/zero or a 100 GB file is a clear E2BIG
// instead of a hang while memory grows. Node's fs is passed in so that this module has no
// Node-only import (the library also runs in browsers, where there are no paths).
import { EbpfError, ERRNO, type Errno } from "../errors.js";

/** Inputs are objects, programs and texts: 256 MiB leaves room for any real one. */
export const DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** The part of node:fs this reader uses. */
export interface SyncFs {
  openSync(path: string, flags: string): number;
  fstatSync(fd: number): { isFile(): boolean; size: number };
  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number | null): number;
  closeSync(fd: number): void;
}

/** An input over its limit (E2BIG), or one that cannot be read (the system's errno). */
export class InputReadError extends EbpfError {
  override readonly name = "InputReadError";
  readonly path: string;
  constructor(path: string, message: string, code: Errno) {
    super(code, `${path}: ${message}`);
    this.path = path;
  }
}

export interface ReadInputOptions {
  /** bytes accepted (default {@link DEFAULT_MAX_INPUT_BYTES}) */
  readonly maxBytes?: number;
  /** the option that raises the limit, named in the error */
  readonly limitOption?: string;
}

/**
 * Read all of `path` (or file descriptor `fd`, e.g. 0 for stdin) up to `maxBytes`. A regular
 * file over the limit fails before reading; a device or pipe fails once it has given more.
 */
export function readInput(fs: SyncFs, source: string | number, opts: ReadInputOptions = {}): Uint8Array {
  const max = opts.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const name = typeof source === "number" ? (source === 0 ? "standard input" : `fd ${source}`) : source;
  const tooBig = (): InputReadError =>
    new InputReadError(name, `input is larger than the ${max}-byte limit${opts.limitOption !== undefined ? ` (raise it with ${opts.limitOption})` : ""}`, "E2BIG");
  let fd: number;
  try {
    fd = typeof source === "number" ? source : fs.openSync(source, "r");
  } catch (e) {
    throw systemError(name, e);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isFile() && st.size > max) throw tooBig();
    const chunks: Uint8Array[] = [];
    let total = 0;
    const chunk = st.isFile() ? Math.max(1, Math.min(st.size + 1, max + 1)) : 64 * 1024;
    for (;;) {
      const buf = new Uint8Array(Math.min(chunk, max + 1 - total));
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        // a non-blocking stdin with nothing yet: try again (Node gives EAGAIN on pipes at times)
        if ((e as { code?: string }).code === "EAGAIN") continue;
        throw systemError(name, e);
      }
      if (n === 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (total > max) throw tooBig();
    }
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } finally {
    if (typeof source !== "number") fs.closeSync(fd);
  }
}

/** Node's error as a typed one, keeping the system's errno name (ENOENT, EACCES, EISDIR…). */
function systemError(name: string, e: unknown): InputReadError {
  const code = (e as { code?: string }).code;
  const errno: Errno = code !== undefined && code in ERRNO ? (code as Errno) : "EINVAL";
  const msg = (e as Error).message ?? String(e);
  return new InputReadError(name, `cannot read: ${msg.replace(/^[A-Z]+: /, "")}`, errno);
}

/**
 * Lines of a stream (e.g. stdin in `verify --batch`), each at most `maxLine` bytes: a stream
 * without newlines fails with E2BIG instead of growing one line without end.
 */
export async function* readLines(chunks: AsyncIterable<Uint8Array | string>, what: string, maxLine = DEFAULT_MAX_INPUT_BYTES): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  // the current line's pieces: each chunk is searched once, so a long line costs linear time
  let parts: string[] = [];
  let length = 0;
  for await (const c of chunks) {
    let text = typeof c === "string" ? c : decoder.decode(c, { stream: true });
    let nl: number;
    while ((nl = text.indexOf("\n")) >= 0) {
      parts.push(text.slice(0, nl));
      yield parts.join("").replace(/\r$/, "");
      parts = [];
      length = 0;
      text = text.slice(nl + 1);
    }
    parts.push(text);
    length += text.length;
    if (length > maxLine) throw new InputReadError(what, `a line is longer than the ${maxLine}-byte limit`, "E2BIG");
  }
  parts.push(decoder.decode());
  const last = parts.join("");
  if (last !== "") yield last;
}
