// ELF objects on the command line: `wabpf verify/run/show prog.o`.
import { closeSync, openSync, readSync } from "node:fs";
import { isElf } from "../loader/elf.js";
import { BpfObject, type BpfProgram } from "../object/bpf-object.js";
import type { Btf } from "../loader/btf.js";
import { InputError } from "./program-file.js";
import { maxInputBytes } from "./input.js";

/** Whether `path` names an ELF object (by its magic, whatever the extension). */
export function isObjectFile(path: string): boolean {
  // the magic only: the file is read once, by whoever opens it
  const magic = new Uint8Array(4);
  try {
    const fd = openSync(path, "r");
    try {
      readSync(fd, magic, 0, 4, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  return isElf(magic);
}

/** BpfObject.open(path): the object's name is the file's, as libbpf names it. */
export async function openObjectFile(path: string, targetBtf?: Btf): Promise<BpfObject> {
  return BpfObject.open(path, { maxInputBytes: maxInputBytes(), ...(targetBtf !== undefined ? { targetBtf } : {}) });
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
