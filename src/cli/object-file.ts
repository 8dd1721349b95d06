// ELF objects on the command line: `wabpf verify/run/show prog.o`.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { isElf } from "../loader/elf.js";
import { BpfObject, type BpfProgram } from "../api/object.js";
import type { Btf } from "../loader/btf.js";
import { InputError } from "./program-file.js";

/** Whether `path` names an ELF object (by its magic, whatever the extension). */
export function isObjectFile(path: string): boolean {
  try {
    return isElf(readFileSync(path).subarray(0, 4));
  } catch {
    return false;
  }
}

export async function openObjectFile(path: string, targetBtf?: Btf): Promise<BpfObject> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  return BpfObject.open(bytes, { name: basename(path).replace(/\.o$/, "").replace(/\.bpf$/, ""), ...(targetBtf !== undefined ? { targetBtf } : {}) });
}

/** The programs of `section` (a section name or a program name), or all of them. */
export function selectPrograms(obj: BpfObject, section: string | undefined): BpfProgram[] {
  if (section === undefined) return [...obj.programs];
  const ps = obj.programs.filter((p) => p.section === section || p.name === section);
  if (ps.length === 0) {
    const known = obj.programs.map((p) => `${p.section} (${p.name})`).join(", ");
    throw new InputError(`no program in section or named "${section}" (programs: ${known || "none"})`);
  }
  return ps;
}
