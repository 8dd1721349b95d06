// A libbpf-style BPF object (clang -target bpf -c) turned into an ObjectSpec: programs with
// their subprograms linked in and map references rewritten, and the maps they need (BTF-defined
// `.maps`, the legacy `maps` section, global data). Pure parsing: creating maps and loading
// programs is the API's job (src/object/bpf-object.ts). Follows libbpf's bpf_object__open.
import { LoaderError } from "../errors.js";
import type { Insn } from "../isa/insn.js";
import { decodeRaw } from "../isa/decode.js";
import { JmpOp, LD_IMM64, PseudoCall, PseudoLd, opClass, opJmp, Class } from "../isa/opcode.js";
import { cString, readElf, SHF_EXECINSTR, SHT_NOBITS, SHT_PROGBITS, SHT_REL, SHT_SYMTAB, type ElfFile, type ElfSection } from "./elf.js";
import { parseBtf, type Btf, type BtfComposite } from "./btf.js";
import { parseBtfExt, type BtfExt } from "./btf-ext.js";
import { matchSection, type SectionDef } from "./sections.js";
import { kfuncExterns, type KfuncCall, type KfuncExtern } from "./kfuncs.js";

/** The largest map value Linux creates (value_size is checked against INT_MAX). */
const MAX_VALUE_SIZE = 0x7fffffff;
/** A `__kconfig` char array larger than this is not a configuration string. */
const MAX_KCONFIG_STRING = 4096;

/** enum bpf_map_type numbers the loader needs to name (the runtime has the full table). */
const MAP_TYPE = { hash: 1, array: 2, prog_array: 3, array_of_maps: 12, hash_of_maps: 13 } as const;
const BPF_F_RDONLY_PROG = 1 << 7;
const BPF_F_MMAPABLE = 1 << 10;

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STT_* */
  readonly type: number;
  /** STB_* */
  readonly bind: number;
  readonly shndx: number;
}
const STT_SECTION = 3;
const STT_FUNC = 2;
const STB_LOCAL = 0;
const SHN_UNDEF = 0;

export type MapKind = "btf" | "legacy" | "data" | "rodata" | "bss" | "kconfig";

export interface MapSpecOfObject {
  readonly name: string;
  readonly kind: MapKind;
  /** ELF section the definition or the data came from */
  readonly section: string;
  /** enum bpf_map_type */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly mapExtra: bigint;
  /** BTF type ids of key and value, when the map was defined with types */
  readonly keyTypeId: number;
  readonly valueTypeId: number;
  /** map-in-map: the inner map's definition */
  readonly inner: MapSpecOfObject | null;
  /** global data: the value of key 0 (zeros for .bss) */
  readonly initial: Uint8Array | null;
  /** .rodata: frozen after its contents are written, so programs may treat it as constant */
  readonly frozen: boolean;
  /** map-in-map / prog array initial slots from `.values = { [i] = &x }` */
  readonly initSlots: ReadonlyArray<{ readonly index: number; readonly target: string }>;
}

export interface ProgramSpecOfObject {
  /** the function's name (libbpf's program name) */
  readonly name: string;
  readonly section: string;
  readonly sectionDef: SectionDef;
  /** what follows "prefix/" in the section name ("" when none) */
  readonly attachTarget: string;
  readonly progType: string;
  readonly expectedAttachType: string | null;
  readonly sleepable: boolean;
  /** libbpf's autoload: off for a section written with a leading '?' (BpfObject.load skips it) */
  readonly autoload: boolean;
  /**
   * Instructions with used `.text` subprograms appended and every map reference rewritten to
   * BPF_PSEUDO_MAP_IDX (imm = index into ObjectSpec.maps) or BPF_PSEUDO_MAP_IDX_VALUE (imm =
   * index, next imm = offset in the value).
   */
  readonly insns: readonly Insn[];
  /** where each slot of `insns` came from: section and byte offset (for CO-RE and line info) */
  readonly origin: ReadonlyArray<{ readonly section: string; readonly offset: number }>;
  /**
   * Calls of `__ksym` functions (kfuncs), left as src_reg 2 with imm 0 until the load resolves
   * them against the kernel's BTF (resolveKfuncCalls); the order of `insns`.
   */
  readonly kfuncCalls: readonly KfuncCall[];
}

export interface ObjectSpec {
  readonly license: string;
  readonly kernelVersion: number | null;
  readonly programs: readonly ProgramSpecOfObject[];
  readonly maps: readonly MapSpecOfObject[];
  readonly btf: Btf | null;
  readonly btfExt: BtfExt | null;
  /** sections the loader did not use, with why (libbpf would warn or fail the same way) */
  readonly ignored: ReadonlyArray<{ readonly section: string; readonly reason: string }>;
  /** the object's name (libbpf: the file name without .o), prefix of internal map names */
  readonly objName: string;
  /** the `__ksym` functions (kfuncs) the object declares, by name */
  readonly kfuncs: ReadonlyMap<string, KfuncExtern>;
}

export interface OpenOptions {
  /** the object's name; prefix of global data maps' names ("obj.bss"); default "obj" */
  readonly name?: string;
  /**
   * Values of `__kconfig` externs (the simulated kernel's configuration): numbers, booleans,
   * or "y" / "m" / "n" as in a kernel .config. LINUX_KERNEL_VERSION defaults to 6.18.0,
   * LINUX_HAS_BPF_COOKIE and LINUX_HAS_SYSCALL_WRAPPER to true.
   */
  readonly kconfig?: Readonly<Record<string, number | bigint | boolean | string>>;
  /**
   * Addresses of kernel symbols for untyped `__ksym` externs (`extern const void x __ksym;`),
   * as libbpf reads them from /proc/kallsyms; undefined for a symbol the kernel lacks.
   */
  readonly ksyms?: (name: string) => bigint | undefined;
}

const KCONFIG_DEFAULTS: Record<string, number | bigint | boolean | string> = {
  LINUX_KERNEL_VERSION: (6 << 16) | (18 << 8),
  LINUX_HAS_BPF_COOKIE: true,
  LINUX_HAS_SYSCALL_WRAPPER: true,
  // the machine's default jiffies rate (bpf_jiffies64)
  CONFIG_HZ: 250,
};
const STB_WEAK = 2;

// ------------------------------------------------------------------ ELF pieces

function readSymbols(elf: ElfFile): ElfSymbol[] {
  const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB);
  if (symtab === undefined) return [];
  const strtab = elf.sections[symtab.link];
  if (strtab === undefined) throw new LoaderError(`symbol string table #${symtab.link} does not exist`, { section: symtab.name });
  const dv = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
  const out: ElfSymbol[] = [];
  for (let i = 0; (i + 1) * 24 <= symtab.data.length; i++) {
    const at = i * 24;
    const info = dv.getUint8(at + 4);
    out.push({
      index: i,
      name: cString(strtab.data, dv.getUint32(at, true), symtab.name),
      value: Number(dv.getBigUint64(at + 8, true)),
      size: Number(dv.getBigUint64(at + 16, true)),
      type: info & 0xf,
      bind: info >> 4,
      shndx: dv.getUint16(at + 6, true),
    });
  }
  return out;
}

interface Reloc {
  readonly offset: number;
  readonly sym: ElfSymbol;
  readonly type: number;
}

function readRelocs(elf: ElfFile, rel: ElfSection, syms: readonly ElfSymbol[]): Reloc[] {
  if (rel.data.length % 16 !== 0) throw new LoaderError(`relocation section size ${rel.data.length} is not a multiple of 16`, { section: rel.name });
  const dv = new DataView(rel.data.buffer, rel.data.byteOffset, rel.data.byteLength);
  const out: Reloc[] = [];
  for (let at = 0; at < rel.data.length; at += 16) {
    const info = dv.getBigUint64(at + 8, true);
    const symIdx = Number(info >> 32n);
    const sym = syms[symIdx];
    if (sym === undefined) throw new LoaderError(`relocation names symbol #${symIdx}, outside the symbol table`, { section: rel.name, offset: at });
    out.push({ offset: Number(dv.getBigUint64(at, true)), sym, type: Number(info & 0xffffffffn) });
  }
  void elf;
  return out;
}

// ------------------------------------------------------------------ maps

const dataKind = (name: string): MapKind | null => {
  if (name === ".bss" || name.startsWith(".bss.")) return "bss";
  if (name === ".data" || name.startsWith(".data.")) return "data";
  if (name === ".rodata" || name.startsWith(".rodata.") || name.startsWith(".rodata")) return "rodata";
  if (name === ".kconfig") return "kconfig";
  return null;
};

/** libbpf's internal map name: up to 8 characters of the object name, then the section name, 15 in all. */
function internalMapName(objName: string, section: string): string {
  const pfx = objName.replace(/[^A-Za-z0-9_.]/g, "_").slice(0, 8);
  return `${pfx}${section}`.slice(0, 15);
}

/** The value of an `int (*name)[N]` member: N. */
function arrayDim(btf: Btf, typeId: number, where: string): number {
  const p = btf.skipModsAndTypedefs(typeId)?.type;
  if (p?.kind !== "PTR") throw new LoaderError(`${where}: expected a pointer to an array (__uint / __type)`, { section: ".maps" });
  const a = btf.skipModsAndTypedefs(p.type)?.type;
  if (a?.kind !== "ARRAY") throw new LoaderError(`${where}: expected a pointer to an array (__uint)`, { section: ".maps" });
  return a.nelems;
}

function parseBtfMapDef(btf: Btf, name: string, typeId: number, section: string, inner: boolean): MapSpecOfObject {
  const t = btf.skipModsAndTypedefs(typeId)?.type;
  if (t?.kind !== "STRUCT") throw new LoaderError(`map '${name}': definition is not a struct`, { section });
  let type = 0;
  let keySize = 0;
  let valueSize = 0;
  let maxEntries = 0;
  let flags = 0;
  let mapExtra = 0n;
  let keyTypeId = 0;
  let valueTypeId = 0;
  let innerDef: MapSpecOfObject | null = null;
  for (const m of (t as BtfComposite).members) {
    const where = `map '${name}' member '${m.name}'`;
    switch (m.name) {
      case "type":
        type = arrayDim(btf, m.type, where);
        break;
      case "max_entries":
        maxEntries = arrayDim(btf, m.type, where);
        break;
      case "map_flags":
        flags = arrayDim(btf, m.type, where);
        break;
      case "map_extra":
        mapExtra = BigInt(arrayDim(btf, m.type, where));
        break;
      case "numa_node":
      case "pinning":
        arrayDim(btf, m.type, where);
        break;
      case "key_size":
        keySize = arrayDim(btf, m.type, where);
        break;
      case "value_size":
        valueSize = arrayDim(btf, m.type, where);
        break;
      case "key":
      case "value": {
        const p = btf.skipModsAndTypedefs(m.type)?.type;
        if (p?.kind !== "PTR") throw new LoaderError(`${where}: expected a pointer (__type)`, { section });
        const size = btf.resolveSize(p.type);
        if (size === undefined) throw new LoaderError(`${where}: type has no size`, { section });
        if (m.name === "key") {
          keySize = size;
          keyTypeId = p.type;
        } else {
          valueSize = size;
          valueTypeId = p.type;
        }
        break;
      }
      case "values": {
        // __array(values, struct inner_def): an array of pointers to the inner definition
        const a = btf.skipModsAndTypedefs(m.type)?.type;
        if (a?.kind !== "ARRAY") throw new LoaderError(`${where}: expected an array`, { section });
        const p = btf.skipModsAndTypedefs(a.type)?.type;
        if (p?.kind !== "PTR") throw new LoaderError(`${where}: expected an array of pointers`, { section });
        const target = btf.skipModsAndTypedefs(p.type)?.type;
        if (inner) throw new LoaderError(`${where}: an inner map cannot hold maps`, { section });
        if (target?.kind === "STRUCT") innerDef = parseBtfMapDef(btf, `${name}.inner`, p.type, section, true);
        else if (target?.kind !== "FUNC_PROTO") throw new LoaderError(`${where}: values must point to map definitions or programs`, { section });
        valueSize = 4;
        break;
      }
      default:
        throw new LoaderError(`map '${name}': unknown field '${m.name}'`, { section });
    }
  }
  if ((type === MAP_TYPE.array_of_maps || type === MAP_TYPE.hash_of_maps) && innerDef === null) {
    throw new LoaderError(`map '${name}': a map-in-map needs an inner map definition (__array(values, ...))`, { section });
  }
  if ((type === MAP_TYPE.array_of_maps || type === MAP_TYPE.hash_of_maps || type === MAP_TYPE.prog_array) && valueSize === 0) valueSize = 4;
  if (type === MAP_TYPE.prog_array && keySize === 0) keySize = 4;
  return { name, kind: "btf", section, type, keySize, valueSize, maxEntries, flags, mapExtra, keyTypeId, valueTypeId, inner: innerDef, initial: null, frozen: false, initSlots: [] };
}

// ------------------------------------------------------------------ open

/** Parse a BPF ELF object; every problem is a LoaderError naming the section and offset. */
export function openObject(bytes: Uint8Array, opts: OpenOptions = {}): ObjectSpec {
  const elf = readElf(bytes);
  const objName = opts.name ?? "obj";
  const syms = readSymbols(elf);
  const secByIdx = (i: number): ElfSection | undefined => elf.sections[i];
  const ignored: Array<{ section: string; reason: string }> = [];

  const licSec = elf.sections.find((s) => s.name === "license");
  const license = licSec === undefined ? "" : cString(licSec.data, 0, "license");
  const verSec = elf.sections.find((s) => s.name === "version");
  const kernelVersion = verSec !== undefined && verSec.data.length >= 4 ? new DataView(verSec.data.buffer, verSec.data.byteOffset).getUint32(0, true) : null;

  const btfSec = elf.sections.find((s) => s.name === ".BTF");
  const btf = btfSec === undefined ? null : parseBtf(btfSec.data);
  const extSec = elf.sections.find((s) => s.name === ".BTF.ext");
  const btfExt = extSec !== undefined && btf !== null ? parseBtfExt(extSec.data, btf) : null;

  // maps: BTF-defined, legacy, then global data, in section order as libbpf creates them
  const maps: MapSpecOfObject[] = [];
  const mapBySym = new Map<string, number>(); // "<shndx>:<value>" → map index
  const mapsSec = elf.sections.find((s) => s.name === ".maps");
  if (mapsSec !== undefined) {
    if (btf === null) throw new LoaderError("BTF-defined maps need a .BTF section", { section: ".maps" });
    const ds = btf.types.find((t) => t.kind === "DATASEC" && t.name === ".maps");
    if (ds === undefined || ds.kind !== "DATASEC") throw new LoaderError("no DATASEC '.maps' in .BTF", { section: ".maps" });
    // clang leaves DATASEC offsets at 0: the ELF symbols place each definition (libbpf's btf_fixup_datasec)
    const placed: Array<{ offset: number; size: number; type: number; idx: number }> = [];
    for (const v of ds.vars) {
      const vt = btf.typeById(v.type);
      if (vt.kind !== "VAR") throw new LoaderError(`DATASEC .maps entry #${v.type} is not a VAR`, { section: ".maps" });
      const sym = syms.find((x) => x.shndx === mapsSec.index && x.name === vt.name);
      if (sym === undefined) throw new LoaderError(`map '${vt.name}' has no symbol in .maps`, { section: ".maps" });
      const spec = parseBtfMapDef(btf, vt.name, vt.type, ".maps", false);
      mapBySym.set(`${mapsSec.index}:${sym.value}`, maps.length);
      placed.push({ offset: sym.value, size: sym.size, type: vt.type, idx: maps.length });
      maps.push(spec);
    }
    // initial slots of map-in-map / prog arrays: relocations in .rel.maps
    const rel = elf.sections.find((s) => s.type === SHT_REL && s.info === mapsSec.index);
    if (rel !== undefined) {
      for (const r of readRelocs(elf, rel, syms)) {
        const owner = placed.find((v) => r.offset >= v.offset && r.offset < v.offset + v.size);
        if (owner === undefined) throw new LoaderError("relocation outside every map definition", { section: rel.name, offset: r.offset });
        const m = maps[owner.idx]!;
        const t = btf.skipModsAndTypedefs(owner.type)!.type as BtfComposite;
        const values = t.members.find((x) => x.name === "values");
        if (values === undefined) throw new LoaderError(`map '${m.name}': relocation outside .values`, { section: rel.name, offset: r.offset });
        const slot = (r.offset - owner.offset - values.bitOffset / 8) / 8;
        maps[owner.idx] = { ...m, initSlots: [...m.initSlots, { index: slot, target: r.sym.name }] };
      }
    }
  }
  const legacy = elf.sections.find((s) => s.name === "maps");
  if (legacy !== undefined) {
    const defs = syms.filter((s) => s.shndx === legacy.index && s.type !== STT_SECTION).sort((a, b) => a.value - b.value);
    if (defs.length > 0) {
      const size = legacy.data.length / defs.length;
      if (!Number.isInteger(size) || size < 20) throw new LoaderError(`legacy map definitions of ${size} bytes (need ≥ 20 bytes each)`, { section: "maps" });
      const dv = new DataView(legacy.data.buffer, legacy.data.byteOffset, legacy.data.byteLength);
      for (const s of defs) {
        const at = s.value;
        if (at + 20 > legacy.data.length) throw new LoaderError(`legacy map '${s.name}' at ${at} is past the end of the section (${legacy.data.length} bytes)`, { section: "maps", offset: at });
        mapBySym.set(`${legacy.index}:${at}`, maps.length);
        maps.push({
          name: s.name, kind: "legacy", section: "maps",
          type: dv.getUint32(at, true), keySize: dv.getUint32(at + 4, true), valueSize: dv.getUint32(at + 8, true),
          maxEntries: dv.getUint32(at + 12, true), flags: dv.getUint32(at + 16, true), mapExtra: 0n,
          keyTypeId: 0, valueTypeId: 0, inner: null, initial: null, frozen: false, initSlots: [],
        });
      }
    }
  }
  const dataMapOfSection = new Map<number, number>();
  for (const s of elf.sections) {
    const kind = dataKind(s.name);
    if (kind === null || kind === "kconfig" || (s.type !== SHT_PROGBITS && s.type !== SHT_NOBITS) || (s.flags & BigInt(SHF_EXECINSTR)) !== 0n) continue;
    if (s.size === 0) continue;
    // one array value holds the section: Linux refuses value sizes past INT_MAX (E2BIG)
    if (s.size > MAX_VALUE_SIZE) throw new LoaderError(`global data of ${s.size} bytes is larger than a map value can be (${MAX_VALUE_SIZE})`, { section: s.name }, "E2BIG");
    dataMapOfSection.set(s.index, maps.length);
    maps.push({
      name: internalMapName(objName, s.name), kind, section: s.name,
      type: MAP_TYPE.array, keySize: 4, valueSize: s.size, maxEntries: 1,
      flags: (kind === "rodata" ? BPF_F_RDONLY_PROG : 0) | BPF_F_MMAPABLE, mapExtra: 0n,
      keyTypeId: 0, valueTypeId: 0, inner: null,
      // .bss: the new map is already zero
      initial: s.type === SHT_NOBITS ? null : s.data.slice(),
      frozen: kind === "rodata", initSlots: [],
    });
  }

  const kconfig = kconfigMap(btf, syms, objName, opts.kconfig ?? {});
  const ksymAddr = ksymAddresses(btf, syms, opts.ksyms ?? (() => undefined));
  const isWeak = (name: string): boolean => syms.find((x) => x.name === name && x.shndx === SHN_UNDEF)?.bind === STB_WEAK;
  const kfuncs = kfuncExterns(btf, isWeak);
  const externAt = new Map<string, { map: number; offset: number }>();
  if (kconfig !== null) {
    kconfig.offsets.forEach((offset, name) => externAt.set(name, { map: maps.length, offset }));
    maps.push(kconfig.spec);
  }

  // programs: every function symbol of an executable section other than .text
  const text = elf.sections.find((s) => s.name === ".text" && s.size > 0) ?? null;
  const relFor = (sec: ElfSection): Reloc[] => {
    const rel = elf.sections.find((s) => s.type === SHT_REL && s.info === sec.index);
    return rel === undefined ? [] : readRelocs(elf, rel, syms);
  };
  const textRelocs = text === null ? [] : relFor(text);
  const textFuncs = text === null ? [] : syms
    .filter((x) => x.shndx === text.index && x.type === STT_FUNC)
    .sort((a, b) => a.value - b.value)
    .map((x, i, all) => {
      const end = x.size > 0 ? x.value + x.size : (all[i + 1]?.value ?? text.size);
      if (x.value % 8 !== 0 || end % 8 !== 0 || end <= x.value || end > text.size) {
        throw new LoaderError(`function '${x.name}' (offset ${x.value}, ${end - x.value} bytes) is not whole instructions inside .text (${text.size} bytes)`, { section: ".text", offset: x.value });
      }
      return { start: x.value, end };
    });
  const programs: ProgramSpecOfObject[] = [];
  for (const sec of elf.sections) {
    if (sec.type !== SHT_PROGBITS || (sec.flags & BigInt(SHF_EXECINSTR)) === 0n || sec.size === 0 || sec === text) continue;
    const match = matchSection(sec.name);
    if (match === null) {
      ignored.push({ section: sec.name, reason: "no program type has this section name (libbpf: unrecognized section)" });
      continue;
    }
    if (sec.data.length % 8 !== 0) throw new LoaderError(`program section size ${sec.data.length} is not a multiple of 8`, { section: sec.name });
    const all = decodeRaw(sec.data);
    const relocs = relFor(sec);
    const funcs = syms.filter((s) => s.shndx === sec.index && s.type === STT_FUNC).sort((a, b) => a.value - b.value);
    if (funcs.length === 0) funcs.push({ index: -1, name: sec.name.replace(/[^A-Za-z0-9_]/g, "_"), value: 0, size: sec.size, type: STT_FUNC, bind: 1, shndx: sec.index });
    for (const f of funcs) {
      const size = f.size > 0 ? f.size : sec.size - f.value;
      // libbpf: a program must be instruction-aligned, non-empty and inside its section
      if (f.value % 8 !== 0 || size % 8 !== 0 || size <= 0 || f.value + size > sec.size) {
        throw new LoaderError(`program '${f.name}' (offset ${f.value}, ${size} bytes) is not whole instructions inside the section (${sec.size} bytes)`, { section: sec.name, offset: f.value });
      }
      const start = f.value / 8;
      const end = (f.value + size) / 8;
      const insns = all.slice(start, end);
      const origin = insns.map((_, i) => ({ section: sec.name, offset: f.value + i * 8 }));
      const linker = new Linker(insns, origin, { sec, relocs, base: f.value }, text, textFuncs, textRelocs, maps, mapBySym, dataMapOfSection, externAt, ksymAddr, kfuncs, secByIdx);
      linker.link();
      programs.push({
        name: f.name, section: sec.name, sectionDef: match.def, attachTarget: match.target,
        progType: match.def.progType, expectedAttachType: match.def.attachType, sleepable: match.def.sleepable === true, autoload: !sec.name.startsWith("?"),
        insns: linker.insns, origin: linker.origin, kfuncCalls: linker.kfuncCalls,
      });
    }
  }
  return { license, kernelVersion, programs, maps, btf, btfExt, ignored, objName, kfuncs };
}

/**
 * The `.kconfig` map: every `__kconfig` extern of the object, laid out as libbpf lays them
 * out (larger alignment first, then smaller size, then name) and filled from `values`.
 */
function kconfigMap(btf: Btf | null, syms: readonly ElfSymbol[], objName: string, values: Readonly<Record<string, number | bigint | boolean | string>>): { spec: MapSpecOfObject; offsets: Map<string, number> } | null {
  const ds = btf?.types.find((t) => t.kind === "DATASEC" && t.name === ".kconfig");
  if (btf === null || btf === undefined || ds === undefined || ds.kind !== "DATASEC" || ds.vars.length === 0) return null;
  const ext = ds.vars.map((v) => {
    const vt = btf.typeById(v.type);
    if (vt.kind !== "VAR") throw new LoaderError(`DATASEC .kconfig entry #${v.type} is not a VAR`, { section: ".kconfig" });
    const size = btf.resolveSize(vt.type);
    const t = btf.skipModsAndTypedefs(vt.type)?.type;
    if (size === undefined || t === undefined) throw new LoaderError(`extern (kcfg) '${vt.name}': type has no size`, { section: ".kconfig" });
    // libbpf's kcfg types: ints/enums of 1, 2, 4 or 8 bytes, bools, char arrays
    if (t.kind === "ARRAY" ? size > MAX_KCONFIG_STRING : ![1, 2, 4, 8].includes(size)) {
      throw new LoaderError(`extern (kcfg) '${vt.name}': unsupported type of ${size} bytes`, { section: ".kconfig" });
    }
    const align = t.kind === "ARRAY" ? 1 : Math.min(size, 8);
    const sym = syms.find((x) => x.name === vt.name && x.shndx === SHN_UNDEF);
    return { name: vt.name, size, align, weak: sym?.bind === STB_WEAK, isChar: t.kind === "ARRAY", isBool: t.kind === "INT" && (t.encoding & 4) !== 0 };
  });
  ext.sort((a, b) => b.align - a.align || a.size - b.size || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const offsets = new Map<string, number>();
  let off = 0;
  for (const e of ext) {
    off = Math.ceil(off / e.align) * e.align;
    offsets.set(e.name, off);
    off += e.size;
  }
  const size = Math.ceil(off / 8) * 8;
  const initial = new Uint8Array(size);
  const dv = new DataView(initial.buffer);
  const all = { ...KCONFIG_DEFAULTS, ...values };
  for (const e of ext) {
    const at = offsets.get(e.name)!;
    const v = all[e.name];
    if (v === undefined) {
      if (!e.weak) throw new LoaderError(`extern (kcfg) '${e.name}': no value in the simulated kernel's configuration (declare it __weak or pass it in kconfig)`, { section: ".kconfig" });
      continue; // weak and unknown: zero, as libbpf leaves it
    }
    if (e.isChar) {
      const bytes = new TextEncoder().encode(String(v));
      initial.set(bytes.subarray(0, e.size - 1), at);
      continue;
    }
    const n = typeof v === "boolean" ? (v ? 1n : 0n) : typeof v === "string" ? (v === "y" ? 1n : v === "m" ? 2n : v === "n" ? 0n : BigInt(v)) : BigInt(v);
    if (e.isBool && n > 1n) throw new LoaderError(`extern (kcfg) '${e.name}': value ${String(v)} does not fit a bool`, { section: ".kconfig" });
    for (let i = 0; i < e.size; i++) dv.setUint8(at + i, Number((BigInt.asUintN(64, n) >> BigInt(8 * i)) & 0xffn));
  }
  return {
    spec: {
      name: internalMapName(objName, ".kconfig"), kind: "kconfig", section: ".kconfig",
      type: MAP_TYPE.array, keySize: 4, valueSize: size, maxEntries: 1, flags: BPF_F_RDONLY_PROG | BPF_F_MMAPABLE, mapExtra: 0n,
      keyTypeId: 0, valueTypeId: 0, inner: null, initial, frozen: true, initSlots: [],
    },
    offsets,
  };
}

/**
 * Untyped `__ksym` externs of the `.ksyms` DATASEC resolved to addresses (0 for a weak one the
 * kernel lacks, as libbpf leaves it). Typed ones need BTF pointers (PTR_TO_BTF_ID): refused.
 */
function ksymAddresses(btf: Btf | null, syms: readonly ElfSymbol[], resolve: (name: string) => bigint | undefined): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const ds = btf?.types.find((t) => t.kind === "DATASEC" && t.name === ".ksyms");
  if (btf === null || btf === undefined || ds === undefined || ds.kind !== "DATASEC") return out;
  for (const v of ds.vars) {
    const vt = btf.typeById(v.type);
    if (vt.kind !== "VAR") continue; // kfunc prototypes (FUNC) are refused where they are called
    const t = btf.skipModsAndTypedefs(vt.type)?.type;
    if (t !== undefined && t.kind !== "VOID") {
      throw new LoaderError(`extern (ksym) '${vt.name}': typed __ksym variables (BTF pointers) are not supported yet`, { section: ".ksyms" });
    }
    const addr = resolve(vt.name);
    const weak = syms.find((x) => x.name === vt.name && x.shndx === SHN_UNDEF)?.bind === STB_WEAK;
    if (addr === undefined && !weak) throw new LoaderError(`extern (ksym) '${vt.name}': not found in the kernel's symbols`, { section: ".ksyms" });
    out.set(vt.name, addr ?? 0n);
  }
  return out;
}

/** Relocates one program: map and data references, calls and callbacks into `.text`. */
class Linker {
  /** .text function start (bytes) → its first slot in this.insns */
  private readonly appended = new Map<number, number>();
  /** slots a relocation has rewritten */
  private readonly relocated = new Set<number>();
  /** the kfunc calls found, by slot */
  readonly kfuncCalls: KfuncCall[] = [];
  constructor(
    public insns: Insn[],
    public origin: Array<{ section: string; offset: number }>,
    private readonly main: { sec: ElfSection; relocs: readonly Reloc[]; base: number },
    private readonly text: ElfSection | null,
    private readonly textFuncs: ReadonlyArray<{ start: number; end: number }>,
    private readonly textRelocs: readonly Reloc[],
    private readonly maps: readonly MapSpecOfObject[],
    private readonly mapBySym: ReadonlyMap<string, number>,
    private readonly dataMapOfSection: ReadonlyMap<number, number>,
    private readonly externAt: ReadonlyMap<string, { map: number; offset: number }>,
    private readonly ksymAddr: ReadonlyMap<string, bigint>,
    private readonly kfuncs: ReadonlyMap<string, KfuncExtern>,
    private readonly secByIdx: (i: number) => ElfSection | undefined,
  ) {}

  link(): void {
    this.apply(this.main.sec, this.main.relocs, this.main.base, 0, this.insns.length);
    // pc-relative calls inside the program body that need no relocation stay as they are
  }

  /** Apply `relocs` of `sec` to the slots [from, to) of this.insns, which hold sec's bytes from `base`. */
  private apply(sec: ElfSection, relocs: readonly Reloc[], base: number, from: number, to: number): void {
    for (const r of relocs) {
      const idx = from + (r.offset - base) / 8;
      if (r.offset < base || idx >= to || (r.offset - base) % 8 !== 0) continue;
      const ins = this.insns[idx]!;
      const where = { section: sec.name, offset: r.offset };
      this.relocated.add(idx);
      const isCall = opClass(ins.code) === Class.JMP && opJmp(ins.code) === JmpOp.CALL;
      if (ins.code === LD_IMM64) {
        this.ldImm64(idx, r, where);
      } else if (isCall && r.sym.shndx === SHN_UNDEF) {
        this.kfuncCall(idx, r, where);
      } else if (isCall && ins.src === PseudoCall.CALL) {
        this.call(idx, r, where);
      } else {
        throw new LoaderError(`relocation against '${r.sym.name}' at an instruction that is neither ld_imm64 nor a call (opcode 0x${ins.code.toString(16)})`, where);
      }
    }
  }

  private ldImm64(idx: number, r: Reloc, where: { section: string; offset: number }): void {
    const ins = this.insns[idx]!;
    const next = this.insns[idx + 1];
    if (next === undefined) throw new LoaderError("ld_imm64 without its second slot", where);
    const sym = r.sym;
    if (sym.shndx === SHN_UNDEF) {
      if (this.kfuncs.has(sym.name)) {
        // a kfunc's address (bpf_ksym_exists): BPF_PSEUDO_BTF_ID of its FUNC, resolved at load
        this.insns[idx] = { ...ins, src: PseudoLd.BTF_ID, imm: 0 };
        this.insns[idx + 1] = { ...next, imm: 0 };
        this.kfuncCalls.push({ slot: idx, name: sym.name });
        return;
      }
      const addr = this.ksymAddr.get(sym.name);
      if (addr !== undefined) {
        // an untyped __ksym: the symbol's address, as a plain 64-bit constant
        this.insns[idx] = { ...ins, src: PseudoLd.NONE, imm: Number(addr & 0xffffffffn) | 0 };
        this.insns[idx + 1] = { ...next, imm: Number((addr >> 32n) & 0xffffffffn) | 0 };
        return;
      }
      const ext = this.externAt.get(sym.name);
      if (ext === undefined) throw new LoaderError(`reference to the extern '${sym.name}', which is neither a __kconfig nor a __ksym variable`, where);
      this.insns[idx] = { ...ins, src: PseudoLd.MAP_IDX_VALUE, imm: ext.map };
      this.insns[idx + 1] = { ...next, imm: ext.offset };
      return;
    }
    const target = this.secByIdx(sym.shndx);
    if (target === undefined) throw new LoaderError(`symbol '${sym.name}' is in section #${sym.shndx}, which does not exist`, where);
    if (ins.src === PseudoLd.FUNC || (target.flags & BigInt(SHF_EXECINSTR)) !== 0n) {
      // a callback pointer (bpf_loop, for_each_map_elem): BPF_PSEUDO_FUNC to a .text function
      if (target !== this.text) throw new LoaderError(`function pointer to '${sym.name}' outside .text`, where);
      const off = sym.type === STT_SECTION ? ins.imm : sym.value;
      const at = this.textSlot(off, where);
      this.insns[idx] = { ...ins, src: PseudoLd.FUNC, imm: at - (idx + 1) };
      return;
    }
    const mapIdx = this.mapBySym.get(`${sym.shndx}:${sym.value}`);
    if (mapIdx !== undefined && this.maps[mapIdx]!.kind !== "data" && this.maps[mapIdx]!.kind !== "rodata" && this.maps[mapIdx]!.kind !== "bss") {
      this.insns[idx] = { ...ins, src: PseudoLd.MAP_IDX, imm: mapIdx };
      this.insns[idx + 1] = { ...next, imm: 0 };
      return;
    }
    const data = this.dataMapOfSection.get(sym.shndx);
    if (data !== undefined) {
      // a global variable: the section symbol's addend is in imm; a variable symbol adds its offset
      const off = (sym.type === STT_SECTION ? 0 : sym.value) + ins.imm;
      this.insns[idx] = { ...ins, src: PseudoLd.MAP_IDX_VALUE, imm: data };
      this.insns[idx + 1] = { ...next, imm: off };
      return;
    }
    throw new LoaderError(`ld_imm64 refers to '${sym.name}' in ${target.name}, which is neither a map nor global data`, where);
  }

  /** A call of an extern function: a kfunc, resolved at load (libbpf's RELO_EXTERN_CALL). */
  private kfuncCall(idx: number, r: Reloc, where: { section: string; offset: number }): void {
    const name = r.sym.name;
    if (!this.kfuncs.has(name)) throw new LoaderError(`call of the extern function '${name}', which is not a __ksym function of .ksyms`, where);
    this.insns[idx] = { ...this.insns[idx]!, src: PseudoCall.KFUNC, off: 0, imm: 0 };
    this.kfuncCalls.push({ slot: idx, name });
  }

  private call(idx: number, r: Reloc, where: { section: string; offset: number }): void {
    const ins = this.insns[idx]!;
    const sym = r.sym;
    const target = this.secByIdx(sym.shndx);
    if (target === undefined || target !== this.text) {
      if (target === this.main.sec) return; // a call within the section: clang resolved it
      throw new LoaderError(`call to '${sym.name}' in ${target?.name ?? "an undefined section"}: only .text functions can be called`, where);
    }
    // a section symbol carries the callee's offset in imm (in slots, relative to the next one)
    const off = sym.type === STT_SECTION ? (ins.imm + 1) * 8 : sym.value;
    const at = this.textSlot(off, where);
    this.insns[idx] = { ...ins, imm: at - (idx + 1) };
  }

  /**
   * The slot in this.insns of `.text` byte offset `off`. The function holding it is appended
   * (and relocated) on first use, as libbpf appends only the subprograms a program reaches.
   */
  private textSlot(off: number, where: { section: string; offset: number }): number {
    const text = this.text;
    if (text === null) throw new LoaderError("call or function pointer into .text, but the object has no .text", where);
    if (off < 0 || off >= text.size || off % 8 !== 0) throw new LoaderError(`.text offset ${off} is outside .text (${text.size} bytes)`, where);
    const f = this.textFuncs.find((x) => off >= x.start && off < x.end);
    if (f === undefined) throw new LoaderError(`.text offset ${off} is in no function symbol`, where);
    let base = this.appended.get(f.start);
    if (base === undefined) {
      base = this.insns.length;
      this.appended.set(f.start, base);
      const body = decodeRaw(text.data.subarray(f.start, f.end));
      // loops, not spreads: a function may hold up to a million instructions
      for (let i = 0; i < body.length; i++) {
        this.insns.push(body[i]!);
        this.origin.push({ section: ".text", offset: f.start + i * 8 });
      }
      this.apply(text, this.textRelocs, f.start, base, base + body.length);
      // calls and callback references inside .text that clang resolved itself (no relocation):
      // pc-relative in the section's layout, as libbpf reads them
      for (let i = 0; i < body.length; i++) {
        const slot = base + i;
        const ins = this.insns[slot]!;
        const call = ins.code === (Class.JMP | JmpOp.CALL) && ins.src === PseudoCall.CALL;
        const func = ins.code === LD_IMM64 && ins.src === PseudoLd.FUNC;
        if ((!call && !func) || this.relocated.has(slot)) continue;
        const targetOff = f.start + (i + 1 + ins.imm) * 8;
        const at = this.textSlot(targetOff, { section: ".text", offset: f.start + i * 8 });
        this.insns[slot] = { ...this.insns[slot]!, imm: at - (slot + 1) };
        this.relocated.add(slot);
      }
    }
    return base + (off - f.start) / 8;
  }
}

export { STB_LOCAL };
