import { parseArgs, type ParseArgsConfig } from "node:util";
import { InputError } from "./program-file.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs with errors turned into InputError (exit status 2). */
export function parse<O extends Options>(argv: string[], options: O): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new InputError((e as Error).message, { cause: e });
  }
}

export function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`${name} must be a positive integer, got "${value}"`);
  return n;
}

export const hex64 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** A `const volatile` global set before load: its name and value. */
export type RodataSetting = readonly [string, bigint | boolean];

/** --rodata NAME=VALUE: an integer (decimal, 0x hex, negative) or true/false. */
export function parseRodata(spec: string): RodataSetting {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(spec);
  const v = m?.[2];
  if (m === null || v === undefined) throw new InputError(`bad --rodata "${spec}": expected NAME=VALUE`);
  if (v === "true" || v === "false") return [m[1]!, v === "true"];
  if (!/^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) throw new InputError(`bad --rodata "${spec}": the value is an integer or true/false`);
  return [m[1]!, v.startsWith("-") ? -BigInt(v.slice(1)) : BigInt(v)];
}
