// check_bpf_snprintf_call: bpf_snprintf's format is a constant string (ARG_PTR_TO_CONST_STR), so
// Linux checks its conversions at load with bpf_bprintf_prepare (no arguments copied, hence no
// buffer limits): the characters, the conversions it supports, and no more conversions than
// the data array (R5 bytes / 8) holds.
import { ERRNO } from "../errors.js";
import { cur, type State } from "./state.js";
import type { VerifierEnv } from "./env.js";
import { fail } from "./reject.js";

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isPrint = (c: number): boolean => c >= 32 && c < 127;
const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isPunct = (c: number): boolean => isPrint(c) && !isAlnum(c) && c !== 32;
const ch = (s: string): number => s.charCodeAt(0);
/** what may follow %s / %p: the end, a space or punctuation */
const ends = (c: number): boolean => c === 0 || isSpace(c) || isPunct(c);

/** bpf_bprintf_prepare without arguments: whether `fmt` (up to its NUL) is a format Linux takes with `numArgs` arguments. */
export function bprintfFormatOk(fmt: Uint8Array, numArgs: number): boolean {
  const nul = fmt.indexOf(0);
  const f = nul < 0 ? fmt : fmt.subarray(0, nul);
  const at = (i: number): number => (i < f.length ? f[i]! : 0);
  let spec = 0;
  for (let i = 0; i < f.length; i++) {
    const c = f[i]!;
    if ((!isPrint(c) && !isSpace(c)) || c > 127) return false;
    if (c !== ch("%")) continue;
    if (at(i + 1) === ch("%")) {
      i++;
      continue;
    }
    if (spec >= numArgs) return false;
    i++;
    while (at(i) === ch("0") || at(i) === ch("+") || at(i) === ch("-") || at(i) === ch(" ")) i++;
    if (at(i) >= ch("1") && at(i) <= ch("9")) {
      i++;
      while (at(i) >= ch("0") && at(i) <= ch("9")) i++;
    }
    const c0 = at(i);
    if (c0 === ch("p")) {
      const n1 = at(i + 1);
      if ((n1 === ch("k") || n1 === ch("u")) && at(i + 2) === ch("s")) {
        i += 2;
        if (!ends(at(i + 1))) return false;
      } else if (ends(n1)) {
        // %p alone
      } else if (n1 === ch("K") || n1 === ch("x") || n1 === ch("s") || n1 === ch("S") || n1 === ch("B")) {
        i++;
      } else if ((n1 === ch("i") || n1 === ch("I")) && (at(i + 2) === ch("4") || at(i + 2) === ch("6"))) {
        i += 2;
      } else return false;
    } else if (c0 === ch("s")) {
      if (!ends(at(i + 1))) return false;
    } else if (c0 !== ch("c")) {
      if (at(i) === ch("l")) i++;
      if (at(i) === ch("l")) i++;
      const conv = at(i);
      if (conv !== ch("i") && conv !== ch("d") && conv !== ch("u") && conv !== ch("x") && conv !== ch("X")) return false;
    }
    spec++;
  }
  return true;
}

/**
 * check_bpf_snprintf_call, after the arguments passed check_func_arg: R3 is a constant string
 * in a frozen map (its bytes are MapDef.initial), R5 the data size.
 */
export function checkSnprintfCall(env: VerifierEnv, s: State): void {
  const regs = cur(s).regs;
  const fmt = regs[3]!;
  const len = regs[5]!.v.varOff.value;
  // the data is an array of u64 (refused without a log line)
  if (len % 8n !== 0n) fail(ERRNO.EINVAL);
  const m = env.maps[fmt.map]!;
  const at = fmt.off + Number(BigInt.asIntN(64, fmt.v.varOff.value));
  const bytes = new Uint8Array(m.valueSize - at);
  for (let i = 0; i < bytes.length; i++) bytes[i] = m.initial?.[at + i] ?? 0;
  if (!bprintfFormatOk(bytes, Number(len / 8n))) fail(ERRNO.EINVAL, "Invalid format string");
}
