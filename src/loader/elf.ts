import { LoaderError } from "../errors.js";

// ELF64 little-endian reader: header, section headers and their names. Only what is
// needed to find sections; symbols, relocations and BTF are read by their own modules.

export const EM_BPF = 247;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_REL = 9;
export const SHT_NOBITS = 8;
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly entsize: number;
  /** the section's bytes (empty for SHT_NOBITS) */
  readonly data: Uint8Array;
}

export interface ElfFile {
  readonly machine: number;
  readonly sections: readonly ElfSection[];
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/** Parse the ELF header and section table; every offset is checked against the file size. */
export function readElf(bytes: Uint8Array): ElfFile {
  if (!isElf(bytes)) throw new LoaderError("not an ELF file (bad magic)", { offset: 0 });
  if (bytes.length < 64) throw new LoaderError(`truncated ELF header: ${bytes.length} bytes, need 64`, { offset: 0 });
  if (bytes[4] !== 2) throw new LoaderError(`not a 64-bit ELF (EI_CLASS ${bytes[4]})`, { offset: 4 });
  if (bytes[5] !== 1) throw new LoaderError(`not a little-endian ELF (EI_DATA ${bytes[5]})`, { offset: 5 });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_BPF) throw new LoaderError(`ELF machine ${machine} is not EM_BPF (${EM_BPF})`, { offset: 18 });
  const shoff = Number(dv.getBigUint64(40, true));
  const shentsize = dv.getUint16(58, true);
  const shnum = dv.getUint16(60, true);
  const shstrndx = dv.getUint16(62, true);
  if (shnum === 0) return { machine, sections: [] };
  if (shentsize < 64) throw new LoaderError(`section header size ${shentsize} is smaller than 64`, { offset: 58 });
  if (shoff + shnum * shentsize > bytes.length) {
    throw new LoaderError(`section headers [${shoff}, ${shoff + shnum * shentsize}) extend past the end of the file (${bytes.length} bytes)`, { offset: 40 });
  }
  const raw = Array.from({ length: shnum }, (_, index) => {
    const at = shoff + index * shentsize;
    const type = dv.getUint32(at + 4, true);
    const offset = Number(dv.getBigUint64(at + 24, true));
    const size = Number(dv.getBigUint64(at + 32, true));
    if (type !== SHT_NOBITS && type !== 0 && offset + size > bytes.length) {
      throw new LoaderError(`section data [${offset}, ${offset + size}) extends past the end of the file`, { section: `#${index}`, offset: at });
    }
    return {
      index,
      nameOff: dv.getUint32(at, true),
      type,
      flags: dv.getBigUint64(at + 8, true),
      offset,
      size,
      link: dv.getUint32(at + 40, true),
      info: dv.getUint32(at + 44, true),
      entsize: Number(dv.getBigUint64(at + 56, true)),
      data: type === SHT_NOBITS || type === 0 ? new Uint8Array(0) : bytes.subarray(offset, offset + size),
    };
  });
  const strtab = raw[shstrndx];
  if (strtab === undefined) throw new LoaderError(`section name table index ${shstrndx} out of range (${shnum} sections)`, { offset: 62 });
  const sections = raw.map(({ nameOff, ...s }) => ({ ...s, name: cString(strtab.data, nameOff, `#${s.index}`) }));
  return { machine, sections };
}

/** A NUL-terminated string from a string table. */
export function cString(table: Uint8Array, at: number, section: string): string {
  if (at >= table.length && !(at === 0 && table.length === 0)) {
    throw new LoaderError(`string offset ${at} outside the string table (${table.length} bytes)`, { section, offset: at });
  }
  let end = at;
  while (end < table.length && table[end] !== 0) end++;
  return new TextDecoder().decode(table.subarray(at, end));
}

/** The first executable section with instructions (the conformance suite's ELF programs). */
export function firstProgramSection(elf: ElfFile): ElfSection {
  const s = elf.sections.find((x) => x.type === SHT_PROGBITS && (x.flags & BigInt(SHF_EXECINSTR)) !== 0n && x.size > 0);
  if (s === undefined) throw new LoaderError("no executable section with instructions");
  return s;
}
