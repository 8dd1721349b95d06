// The kernel's BPF printf family (kernel/bpf/helpers.c bpf_bprintf_prepare, then lib/vsprintf.c
// bstr_printf): which conversions a format may use, how many arguments, how much string data
// fits, and how each conversion prints. Used by bpf_trace_printk (6), bpf_snprintf (165),
// bpf_trace_vprintk (177) and bpf_seq_printf (126).
import type { AddressSpace } from "./sim-memory.js";

/** MAX_BPRINTF_BUF: bpf_trace_printk's output buffer. */
export const MAX_BPRINTF_BUF = 1024;
/** MAX_BPRINTF_BIN_ARGS: bytes the prepared arguments (strings included) may take. */
export const MAX_BPRINTF_BIN_ARGS = 512;
/** MAX_BPRINTF_VARARGS: arguments of bpf_snprintf / bpf_trace_vprintk. */
export const MAX_BPRINTF_VARARGS = 12;
/** MAX_TRACE_PRINTK_VARARGS */
export const MAX_TRACE_PRINTK_VARARGS = 3;

const EINVAL = -22;
const ENOSPC = -28;

/** What formatting needs from the machine: string and IP reads through the probe-read rules, and symbols. */
export interface PrintkMemory {
  /** strncpy_from_*_nofault into `count` bytes: the bytes with their NUL, or a -errno */
  readStr(space: AddressSpace, addr: bigint, count: number): Uint8Array | number;
  /** copy_from_kernel_nofault */
  read(space: AddressSpace, addr: bigint, size: number): Uint8Array | number;
  /** the space %s reads `addr` from */
  compatSpace(addr: bigint): AddressSpace;
  /** "name+0x1a/0x40" for %ps/%pS/%pB, or null (then the raw address prints as 0x…) */
  symbol?(addr: bigint, withOffset: boolean): string | null;
}

type Piece =
  | { kind: "text"; text: string }
  | { kind: "int"; flags: string; width: number; size: 4 | 8; conv: string; value: bigint }
  | { kind: "str"; flags: string; width: number; value: string }
  | { kind: "char"; flags: string; width: number; value: number }
  | { kind: "ptr"; flags: string; width: number; ext: string; value: bigint; text: string | null };

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isPrint = (c: number): boolean => c >= 32 && c < 127;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlnum = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isPunct = (c: number): boolean => isPrint(c) && !isAlnum(c) && c !== 32;
const ch = (s: string): number => s.charCodeAt(0);
const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);

/**
 * bpf_bprintf_prepare then bstr_printf: the formatted text (untruncated; the caller cuts
 * it to its buffer), or a -errno (-EINVAL for a format the kernel refuses, -ENOSPC when the
 * strings do not fit in the argument buffer).
 */
export function bprintf(fmtBytes: Uint8Array, args: readonly bigint[], mem: PrintkMemory): string | number {
  const nul = fmtBytes.indexOf(0);
  if (nul < 0) return EINVAL;
  const f = fmtBytes.subarray(0, nul);
  const at = (i: number): number => (i < f.length ? f[i]! : 0);
  const pieces: Piece[] = [];
  let text = "";
  let spec = 0;
  let room = MAX_BPRINTF_BIN_ARGS; // what is left of the binary argument buffer
  const flush = (): void => {
    if (text !== "") pieces.push({ kind: "text", text });
    text = "";
  };
  for (let i = 0; i < f.length; i++) {
    const c = f[i]!;
    if ((!isPrint(c) && !isSpace(c)) || c > 127) return EINVAL;
    if (c !== ch("%")) {
      text += String.fromCharCode(c);
      continue;
    }
    if (at(i + 1) === ch("%")) {
      text += "%";
      i++;
      continue;
    }
    if (spec >= args.length) return EINVAL;
    const arg = args[spec]!;
    i++;
    let flags = "";
    while ([ch("0"), ch("+"), ch("-"), ch(" ")].includes(at(i))) flags += String.fromCharCode(f[i++]!);
    let width = 0;
    if (at(i) >= ch("1") && at(i) <= ch("9")) {
      while (isDigit(at(i))) width = width * 10 + (f[i++]! - 48);
    }
    flush();
    const c0 = at(i);
    if (c0 === ch("p")) {
      const n1 = at(i + 1);
      if ((n1 === ch("k") || n1 === ch("u")) && at(i + 2) === ch("s")) {
        i += 2;
        const r = stringArg(n1 === ch("k") ? "kernel" : "user", at(i + 1), arg, room, mem);
        if (typeof r === "number") return r;
        room -= r.used;
        pieces.push({ kind: "str", flags, width, value: r.text });
      } else if (n1 === 0 || isSpace(n1) || isPunct(n1) || [ch("K"), ch("x"), ch("s"), ch("S")].includes(n1)) {
        const ext = n1 === 0 || isSpace(n1) || isPunct(n1) ? "" : String.fromCharCode(n1);
        if (ext !== "") i++;
        room = (room & ~3) - 8;
        if (room < 0) return ENOSPC;
        let sym: string | null = null;
        if (ext === "s" || ext === "S") sym = mem.symbol?.(arg, ext === "S") ?? `0x${BigInt.asUintN(64, arg).toString(16)}`;
        pieces.push({ kind: "ptr", flags, width, ext, value: BigInt.asUintN(64, arg), text: sym });
      } else if (n1 === ch("B")) {
        i++;
        const sym = mem.symbol?.(arg, true) ?? `0x${BigInt.asUintN(64, arg).toString(16)}`;
        room -= sym.length + 1;
        pieces.push({ kind: "str", flags: "", width: 0, value: sym });
      } else if ((n1 === ch("i") || n1 === ch("I")) && (at(i + 2) === ch("4") || at(i + 2) === ch("6"))) {
        i += 2;
        const v4 = at(i) === ch("4");
        const raw = mem.read("kernel", arg, v4 ? 4 : 16);
        const ip = typeof raw === "number" ? new Uint8Array(v4 ? 4 : 16) : raw;
        // bstr_printf sees "%pI6c" when a 'c' follows: the compressed form
        const compressed = !v4 && n1 === ch("I") && at(i + 1) === ch("c");
        const s = v4 ? ipv4(ip, n1 === ch("i")) : ipv6(ip, n1 === ch("i"), compressed);
        room -= s.length + 1;
        pieces.push({ kind: "str", flags: "", width: 0, value: s });
        if (compressed) i++;
      } else return EINVAL;
      spec++;
      // vsprintf's pointer() consumes every alphanumeric character after the extension
      while (isAlnum(at(i + 1)) && pieces[pieces.length - 1]!.kind === "ptr") i++;
      continue;
    }
    if (c0 === ch("s")) {
      const r = stringArg("kernel", at(i + 1), arg, room, mem, true);
      if (typeof r === "number") return r;
      room -= r.used;
      pieces.push({ kind: "str", flags, width, value: r.text });
      spec++;
      continue;
    }
    if (c0 === ch("c")) {
      if (room <= 0) return ENOSPC;
      room -= 1;
      pieces.push({ kind: "char", flags, width, value: Number(arg & 0xffn) });
      spec++;
      continue;
    }
    let size: 4 | 8 = 4;
    if (at(i) === ch("l")) {
      size = 8;
      i++;
    }
    if (at(i) === ch("l")) i++;
    const conv = String.fromCharCode(at(i));
    if (!"iduxX".includes(conv) || conv === "") return EINVAL;
    room = (room & ~3) - size;
    if (room < 0) return ENOSPC;
    pieces.push({ kind: "int", flags, width, size, conv, value: arg });
    spec++;
  }
  flush();
  return pieces.map(render).join("");
}

/** A %s / %pks / %pus argument through bpf_trace_copy_string; a fault prints as "". */
function stringArg(space: AddressSpace, next: number, addr: bigint, room: number, mem: PrintkMemory, compat = false): { text: string; used: number } | number {
  if (next !== 0 && !isSpace(next) && !isPunct(next)) return EINVAL;
  if (room <= 0) return ENOSPC;
  const r = mem.readStr(compat ? mem.compatSpace(addr) : space, addr, room);
  if (typeof r === "number") return { text: "", used: 1 };
  return { text: latin1(r.subarray(0, r.length - 1)), used: r.length };
}

function pad(s: string, flags: string, width: number, zeroOk: boolean): string {
  if (s.length >= width) return s;
  if (flags.includes("-")) return s.padEnd(width, " ");
  if (zeroOk && flags.includes("0")) {
    const sign = /^[-+ ]/.test(s) ? s[0]! : "";
    return sign + s.slice(sign.length).padStart(width - sign.length, "0");
  }
  return s.padStart(width, " ");
}

function render(p: Piece): string {
  switch (p.kind) {
    case "text":
      return p.text;
    case "str":
      return pad(p.value, p.flags, p.width, false);
    case "char":
      return pad(String.fromCharCode(p.value), p.flags, p.width, false);
    case "ptr": {
      if (p.text !== null) return pad(p.text, p.flags, p.width, false);
      // %px prints the address; %p and %pK print a hashed value in Linux (random per boot):
      // here the address too, in the same 16-digit form
      return p.value.toString(16).padStart(16, "0");
    }
    case "int": {
      const bits = BigInt(p.size * 8);
      const u = BigInt.asUintN(Number(bits), p.value);
      if (p.conv === "d" || p.conv === "i") {
        const v = BigInt.asIntN(Number(bits), p.value);
        const sign = v < 0n ? "-" : p.flags.includes("+") ? "+" : p.flags.includes(" ") ? " " : "";
        return pad(sign + (v < 0n ? -v : v).toString(), p.flags, p.width, true);
      }
      const s = p.conv === "u" ? u.toString() : p.conv === "x" ? u.toString(16) : u.toString(16).toUpperCase();
      return pad(s, p.flags, p.width, true);
    }
  }
}

function ipv4(b: Uint8Array, leadingZeros: boolean): string {
  return [...b].map((x) => (leadingZeros ? x.toString().padStart(3, "0") : x.toString())).join(".");
}

function ipv6(b: Uint8Array, noColons: boolean, compressed: boolean): string {
  const groups = Array.from({ length: 8 }, (_, k) => (b[2 * k]! << 8) | b[2 * k + 1]!);
  if (noColons) return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  if (!compressed) return groups.map((g) => g.toString(16).padStart(4, "0")).join(":");
  // the longest run of two or more zero groups becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (groups[k] !== 0) {
      k++;
      continue;
    }
    let n = 0;
    while (k + n < 8 && groups[k + n] === 0) n++;
    if (n > bestLen) {
      best = k;
      bestLen = n;
    }
    k += n;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(":");
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}
