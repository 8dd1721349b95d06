// A map printed the way `bpftool map dump` prints a map without BTF (plain text or -j JSON),
// for `wabpf map dump` and for tests. Elements come in get_next_key order, as bpftool walks.
import { BpfError } from "../errors.js";
import type { BpfMap } from "./maps.js";

/** bpftool's fprint_hex: bytes as %02x, a double space after every 8, a new line after every 16. */
export function bpftoolHex(b: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 16) {
    const row: string[] = [];
    for (let j = i; j < Math.min(i + 16, b.length); j++) row.push((j % 16 === 8 ? " " : "") + b[j]!.toString(16).padStart(2, "0"));
    lines.push(row.join(" "));
  }
  return lines.join("\n");
}

/**
 * At most `max` bytes of `b` as {@link bpftoolHex}, then how many were left out: summaries
 * (`wabpf trace`) print values of any size without building a string per byte of a 128 MiB
 * `.bss`.
 */
export function bpftoolHexCapped(b: Uint8Array, max: number): string {
  if (b.length <= max) return bpftoolHex(b);
  return `${bpftoolHex(b.subarray(0, max))}\n... (${b.length - max} more bytes)`;
}

const jsonBytesAll = (b: Uint8Array): string[] => Array.from(b, (x) => `0x${x.toString(16).padStart(2, "0")}`);

/** A lookup that failed with something other than ENOENT (e.g. ENOTSUPP on a perf event array): bpftool prints strerror. */
interface LookupError {
  readonly error: string;
}
const isLookupError = (v: Uint8Array | null | LookupError): v is LookupError => v !== null && !(v instanceof Uint8Array);
/** glibc's strerror for the errnos a lookup of a listed key can give (524 has no name there). */
const strerror = (e: BpfError): string => (e.errno === 524 ? "Unknown error 524" : e.message);

function lookupOrError(map: BpfMap, key: Uint8Array): Uint8Array | null | LookupError {
  try {
    return map.lookup(key);
  } catch (e) {
    if (e instanceof BpfError) return { error: strerror(e) };
    throw e;
  }
}

/**
 * Key/value pairs in walk order, at most `limit` (`more`: the walk stopped with keys left); a
 * key whose lookup fails shows as value null (ENOENT) or its error.
 */
function walk(map: BpfMap, limit: number): { entries: Array<[Uint8Array, Uint8Array | null | LookupError]>; more: boolean } {
  const out: Array<[Uint8Array, Uint8Array | null | LookupError]> = [];
  let key: Uint8Array | null = null;
  for (;;) {
    let next: Uint8Array | null;
    try {
      next = map.nextKey(key);
    } catch (e) {
      // queue, stack and bloom filters have no keys: bpftool stops the walk there
      if (e instanceof BpfError) break;
      throw e;
    }
    if (next === null || out.length > map.maxEntries) break;
    if (out.length >= limit) return { entries: out, more: true };
    out.push([next, lookupOrError(map, next)]);
    key = next;
  }
  return { entries: out, more: false };
}

/** What a dump may leave out. */
export interface MapDumpOptions {
  /** bytes of each key and value printed (default: all, as bpftool) */
  readonly maxValueBytes?: number;
  /**
   * elements printed (default: all, as bpftool). A map may hold millions (an array's
   * max_entries is up to 2^32 - 1): summaries stop early instead of building the whole text.
   */
  readonly maxEntries?: number;
}

/** The line a dump cut at `limit` elements ends with (bpftool's "Found N elements" would be a guess). */
const cutLine = (limit: number): string => `... (the dump stops after ${limit} element${limit === 1 ? "" : "s"}; more are not shown)`;

/** `bpftool map dump` (plain): one entry per element, then "Found N elements". */
export function formatMapDump(map: BpfMap, opts: MapDumpOptions = {}): string {
  const max = opts.maxValueBytes ?? Infinity;
  const bpftoolHex = (b: Uint8Array): string => bpftoolHexCapped(b, max);
  const lines: string[] = [];
  const ks = map.keySize;
  const vs = map.valueSize;
  const { entries, more } = walk(map, opts.maxEntries ?? Infinity);
  let found = 0;
  for (const [k, v] of entries) {
    if (isLookupError(v)) {
      // bpftool's print_entry_error: the key, then the error; not counted as an element
      lines.push(`key:\n${bpftoolHex(k)}\nvalue:\n${v.error}`);
      continue;
    }
    found++;
    if (!map.percpu) {
      const breakNames = ks > 16 || vs > 16;
      const single = ks + vs <= 24 && !breakNames;
      let s = "";
      if (ks > 0) s += `key:${breakNames ? "\n" : " "}${bpftoolHex(k)}${single ? "  " : "\n"}`;
      if (vs > 0) s += v === null ? "value: <no entry>" : `value:${breakNames ? "\n" : " "}${bpftoolHex(v.subarray(0, vs))}`;
      lines.push(s);
    } else {
      const step = Math.ceil(vs / 8) * 8;
      if (ks > 0) lines.push(`key:\n${bpftoolHex(k)}`);
      for (let c = 0; c < map.machine.ncpus; c++) {
        const cpu = String(c).padStart(2, "0");
        lines.push(`value (CPU ${cpu}):${vs > 16 ? "\n" : " "}${v === null ? "<no entry>" : bpftoolHex(v.subarray(c * step, c * step + vs))}`);
      }
    }
  }
  lines.push(more ? cutLine(entries.length) : `Found ${found} element${found === 1 ? "" : "s"}`);
  return lines.join("\n") + "\n";
}

/** `bpftool -j map dump`: [{"key":[...],"value":[...]}], per-CPU maps as "values":[{"cpu","value"}]; a dump cut at `maxEntries` ends with {"truncated": true}. */
export function formatMapDumpJson(map: BpfMap, opts: MapDumpOptions = {}): string {
  const max = opts.maxValueBytes ?? Infinity;
  const jsonBytes = (b: Uint8Array): string[] => jsonBytesAll(b.subarray(0, Math.min(b.length, max)));
  const vs = map.valueSize;
  const step = Math.ceil(vs / 8) * 8;
  const { entries, more } = walk(map, opts.maxEntries ?? Infinity);
  const items: unknown[] = entries.map(([k, v]) => {
    if (isLookupError(v)) return { key: jsonBytes(k), value: { error: v.error } };
    if (!map.percpu) return { key: jsonBytes(k), value: v === null ? null : jsonBytes(v.subarray(0, vs)) };
    const values = Array.from({ length: map.machine.ncpus }, (_, c) => ({ cpu: c, value: v === null ? null : jsonBytes(v.subarray(c * step, c * step + vs)) }));
    return { key: jsonBytes(k), values };
  });
  if (more) items.push({ truncated: true });
  return JSON.stringify(items) + "\n";
}
