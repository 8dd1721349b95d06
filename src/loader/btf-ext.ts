import { LoaderError } from "../errors.js";
import { BTF_MAGIC, type Btf } from "./btf.js";

// `.BTF.ext`: per-section func_info, line_info and CO-RE relocation records
// (struct btf_ext_header and friends in libbpf's libbpf_internal.h), with section names,
// file names, source lines and access strings resolved through the `.BTF` string section.
// Instruction offsets in an object file are byte offsets from the start of the section.

/** Header bytes up to line_info_len; core_relo_off/len follow when hdr_len allows. */
export const BTF_EXT_MIN_HEADER = 24;
export const BTF_EXT_CORE_HEADER = 32;

export interface BtfExtFuncInfo {
  /** byte offset of the function's first instruction in its section */
  readonly insnOff: number;
  /** its FUNC type id in .BTF */
  readonly typeId: number;
}

export interface BtfExtLineInfo {
  readonly insnOff: number;
  readonly fileNameOff: number;
  readonly fileName: string;
  readonly lineOff: number;
  /** the source line's text */
  readonly line: string;
  /** the raw line_col word: line number << 10 | column */
  readonly lineCol: number;
  readonly lineNum: number;
  readonly col: number;
}

export interface BtfExtCoreRelo {
  /** byte offset of the instruction to patch in its section */
  readonly insnOff: number;
  /** local (.BTF) type id of the root type */
  readonly typeId: number;
  readonly accessStrOff: number;
  /** the access string, "0:1:2" */
  readonly accessStr: string;
  /** a CoreReloKind number (BPF_CORE_*) */
  readonly kind: number;
}

export interface BtfExtSection<T> {
  /** name of the program section the records belong to (from .BTF's strings) */
  readonly section: string;
  readonly sectionNameOff: number;
  readonly records: readonly T[];
  /** byte offset of this section's record group inside .BTF.ext */
  readonly offset: number;
}

export interface BtfExtInfo<T> {
  /** record size as written in the file (records may carry fields this reader does not know) */
  readonly recordSize: number;
  readonly sections: readonly BtfExtSection<T>[];
}

export interface BtfExt {
  readonly funcInfo: BtfExtInfo<BtfExtFuncInfo>;
  readonly lineInfo: BtfExtInfo<BtfExtLineInfo>;
  readonly coreRelos: BtfExtInfo<BtfExtCoreRelo>;
}

/** Parse `.BTF.ext`, resolving names through `btf` (the object's .BTF). */
export function parseBtfExt(bytes: Uint8Array, btf: Btf, opts: { section?: string } = {}): BtfExt {
  const section = opts.section ?? ".BTF.ext";
  const fail = (msg: string, offset: number): never => {
    throw new LoaderError(msg, { section, offset });
  };
  if (bytes.length < 8) fail(`BTF.ext header truncated: ${bytes.length} bytes`, 0);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint16(0, true);
  if (magic !== BTF_MAGIC) fail(`bad BTF.ext magic 0x${magic.toString(16)}, expected 0x${BTF_MAGIC.toString(16)}`, 0);
  if (dv.getUint8(2) !== 1) fail(`unsupported BTF.ext version ${dv.getUint8(2)}`, 2);
  if (dv.getUint8(3) !== 0) fail(`unsupported BTF.ext flags 0x${dv.getUint8(3).toString(16)}`, 3);
  const hdrLen = dv.getUint32(4, true);
  if (hdrLen < BTF_EXT_MIN_HEADER) fail(`BTF.ext header length ${hdrLen} is smaller than ${BTF_EXT_MIN_HEADER}`, 4);
  if (hdrLen > bytes.length) fail(`BTF.ext header length ${hdrLen} is past the end of the section (${bytes.length} bytes)`, 4);

  const str = (off: number, at: number, what: string): string => {
    const s = btf.str(off);
    if (s === undefined) fail(`${what} offset ${off} is outside the .BTF string section (${btf.strings.length} bytes)`, at);
    return s as string;
  };

  function parseInfo<T>(hdrAt: number, name: string, minRec: number, read: (at: number) => T): BtfExtInfo<T> {
    if (hdrAt + 8 > hdrLen) return { recordSize: 0, sections: [] };
    const off = dv.getUint32(hdrAt, true);
    const len = dv.getUint32(hdrAt + 4, true);
    if (len === 0) return { recordSize: 0, sections: [] };
    if (off % 4 !== 0) fail(`${name} is not aligned to 4 bytes (offset ${off})`, hdrAt);
    const start = hdrLen + off;
    const end = start + len;
    if (end > bytes.length) fail(`${name} [${start}, ${end}) is past the end of the section (${bytes.length} bytes)`, hdrAt);
    if (len < 4) fail(`${name} has no record size`, start);
    const recordSize = dv.getUint32(start, true);
    if (recordSize < minRec || recordSize % 4 !== 0) fail(`${name} has an invalid record size ${recordSize} (at least ${minRec}, a multiple of 4)`, start);
    const sections: BtfExtSection<T>[] = [];
    let p = start + 4;
    while (p < end) {
      if (end - p < 8) fail(`${name} section header truncated`, p);
      const nameOff = dv.getUint32(p, true);
      const num = dv.getUint32(p + 4, true);
      if (num === 0) fail(`${name} section has incorrect num_records 0`, p + 4);
      if ((end - p - 8) / recordSize < num) fail(`${name} section needs ${num} records of ${recordSize} bytes, ${end - p - 8} bytes left`, p + 4);
      const secName = str(nameOff, p, `${name} section name`);
      if (secName === "") fail(`${name} section has an empty name`, p);
      const records: T[] = [];
      for (let i = 0; i < num; i++) records.push(read(p + 8 + i * recordSize));
      sections.push({ section: secName, sectionNameOff: nameOff, records, offset: p });
      p += 8 + num * recordSize;
    }
    return { recordSize, sections };
  }

  const funcInfo = parseInfo(8, "func_info", 8, (at): BtfExtFuncInfo => {
    const typeId = dv.getUint32(at + 4, true);
    if (btf.type(typeId)?.kind !== "FUNC") fail(`func_info type id ${typeId} is not a FUNC`, at + 4);
    return { insnOff: dv.getUint32(at, true), typeId };
  });
  const lineInfo = parseInfo(16, "line_info", 16, (at): BtfExtLineInfo => {
    const fileNameOff = dv.getUint32(at + 4, true);
    const lineOff = dv.getUint32(at + 8, true);
    const lineCol = dv.getUint32(at + 12, true);
    return {
      insnOff: dv.getUint32(at, true),
      fileNameOff,
      fileName: str(fileNameOff, at + 4, "line_info file name"),
      lineOff,
      line: str(lineOff, at + 8, "line_info line"),
      lineCol,
      lineNum: lineCol >>> 10,
      col: lineCol & 0x3ff,
    };
  });
  const coreRelos =
    hdrLen >= BTF_EXT_CORE_HEADER
      ? parseInfo(24, "core_relo", 16, (at): BtfExtCoreRelo => {
          const accessStrOff = dv.getUint32(at + 8, true);
          return {
            insnOff: dv.getUint32(at, true),
            typeId: dv.getUint32(at + 4, true),
            accessStrOff,
            accessStr: str(accessStrOff, at + 8, "core_relo access string"),
            kind: dv.getUint32(at + 12, true),
          };
        })
      : { recordSize: 0, sections: [] };
  return { funcInfo, lineInfo, coreRelos };
}

/** The records of one program section, or [] when it has none. */
export function extRecordsFor<T>(info: BtfExtInfo<T>, section: string): readonly T[] {
  return info.sections.find((s) => s.section === section)?.records ?? [];
}
