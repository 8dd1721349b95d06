import { LoaderError } from "../errors.js";

// BTF (the kernel's BPF Type Format, include/uapi/linux/btf.h): the `.BTF` section of an
// object file or a kernel's vmlinux BTF. Parsed into one record per type id (id 0 is void),
// validated the way libbpf validates on load (string offsets inside the string section, type
// ids inside the type table), with the helpers CO-RE needs and a dump in the exact text of
// `bpftool btf dump file X format raw`. Every problem in the bytes is a LoaderError naming
// the section and the byte offset inside it.

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
/** Size of the header this reader knows (libbpf accepts longer headers whose extra bytes are zero). */
export const BTF_HEADER_SIZE = 24;
/** Nesting limit of libbpf's walks through modifiers, typedefs and arrays. */
export const MAX_RESOLVE_DEPTH = 32;

/** Kind numbers (BTF_KIND_*), in the order of the uapi header. */
export const BTF_KIND = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

export type BtfKindName = keyof typeof BTF_KIND;

const KIND_NAMES: readonly BtfKindName[] = (Object.keys(BTF_KIND) as BtfKindName[]).sort((a, b) => BTF_KIND[a] - BTF_KIND[b]);

/** The name of kind number `k` as bpftool prints it ("UNKNOWN" past the known kinds, as bpftool). */
export function btfKindStr(k: number): string {
  const n = KIND_NAMES[k];
  return n === undefined || n === "UNKN" ? "UNKNOWN" : n;
}

/** INT encoding bits (BTF_INT_*). */
export const BTF_INT_SIGNED = 1;
export const BTF_INT_CHAR = 2;
export const BTF_INT_BOOL = 4;

/** FUNC linkage (stored in vlen) and VAR linkage. */
export const BTF_FUNC_STATIC = 0;
export const BTF_FUNC_GLOBAL = 1;
export const BTF_FUNC_EXTERN = 2;
export const BTF_VAR_STATIC = 0;
export const BTF_VAR_GLOBAL_ALLOCATED = 1;
export const BTF_VAR_GLOBAL_EXTERN = 2;

interface BtfTypeBase {
  /** type id (index in the table) */
  readonly id: number;
  /** the type's name; "" when anonymous */
  readonly name: string;
  /** offset of the name in the string section (0 for anonymous types) */
  readonly nameOff: number;
  /** the info word's kind flag (bit 31) */
  readonly kflag: boolean;
}

export interface BtfVoid extends BtfTypeBase {
  readonly kind: "VOID";
}
export interface BtfInt extends BtfTypeBase {
  readonly kind: "INT";
  readonly size: number;
  /** BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL bits */
  readonly encoding: number;
  readonly bitsOffset: number;
  readonly nrBits: number;
}
/** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT and TYPE_TAG: a reference to one type. */
export interface BtfRef extends BtfTypeBase {
  readonly kind: "PTR" | "TYPEDEF" | "VOLATILE" | "CONST" | "RESTRICT" | "TYPE_TAG";
  readonly type: number;
}
export interface BtfArray extends BtfTypeBase {
  readonly kind: "ARRAY";
  readonly type: number;
  readonly indexType: number;
  readonly nelems: number;
}
export interface BtfMember {
  readonly name: string;
  readonly nameOff: number;
  readonly type: number;
  /** offset in bits from the start of the struct */
  readonly bitOffset: number;
  /** width of a bitfield in bits; 0 for an ordinary member */
  readonly bitfieldSize: number;
}
export interface BtfComposite extends BtfTypeBase {
  readonly kind: "STRUCT" | "UNION";
  readonly size: number;
  readonly members: readonly BtfMember[];
}
export interface BtfEnumValue {
  readonly name: string;
  readonly nameOff: number;
  /** the value as the kind flag says: signed when kflag is set, else unsigned */
  readonly value: bigint;
}
export interface BtfEnum extends BtfTypeBase {
  readonly kind: "ENUM" | "ENUM64";
  readonly size: number;
  readonly values: readonly BtfEnumValue[];
}
export interface BtfFwd extends BtfTypeBase {
  readonly kind: "FWD";
}
export interface BtfFunc extends BtfTypeBase {
  readonly kind: "FUNC";
  readonly type: number;
  /** BTF_FUNC_STATIC / GLOBAL / EXTERN (the vlen field) */
  readonly linkage: number;
}
export interface BtfParam {
  readonly name: string;
  readonly nameOff: number;
  readonly type: number;
}
export interface BtfFuncProto extends BtfTypeBase {
  readonly kind: "FUNC_PROTO";
  /** return type id */
  readonly type: number;
  readonly params: readonly BtfParam[];
}
export interface BtfVar extends BtfTypeBase {
  readonly kind: "VAR";
  readonly type: number;
  readonly linkage: number;
}
export interface BtfVarSecinfo {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}
export interface BtfDatasec extends BtfTypeBase {
  readonly kind: "DATASEC";
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}
export interface BtfFloat extends BtfTypeBase {
  readonly kind: "FLOAT";
  readonly size: number;
}
export interface BtfDeclTag extends BtfTypeBase {
  readonly kind: "DECL_TAG";
  readonly type: number;
  /** member or parameter index, -1 for the whole type */
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfRef
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfFwd
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;

/** A type as the builder takes it: a parsed type without its id and string offsets. */
export type BtfTypeSpec = BtfType extends infer T
  ? T extends BtfType
    ? Omit<T, "id" | "nameOff" | "kflag" | "members" | "values" | "params"> & {
        readonly kflag?: boolean;
      } & (T extends BtfComposite ? { readonly members: readonly Omit<BtfMember, "nameOff">[] } : unknown) &
        (T extends BtfEnum ? { readonly values: readonly Omit<BtfEnumValue, "nameOff">[] } : unknown) &
        (T extends BtfFuncProto ? { readonly params: readonly Omit<BtfParam, "nameOff">[] } : unknown)
    : never
  : never;

/** Numeric kind of a parsed type (0 for void). */
export function kindNumber(t: BtfType): number {
  return t.kind === "VOID" ? 0 : BTF_KIND[t.kind];
}

export function isComposite(t: BtfType): t is BtfComposite {
  return t.kind === "STRUCT" || t.kind === "UNION";
}
export function isAnyEnum(t: BtfType): t is BtfEnum {
  return t.kind === "ENUM" || t.kind === "ENUM64";
}
/** const, volatile, restrict and type tags (libbpf's btf_is_mod). */
export function isModifier(t: BtfType): t is BtfRef {
  return t.kind === "CONST" || t.kind === "VOLATILE" || t.kind === "RESTRICT" || t.kind === "TYPE_TAG";
}

export interface ParseBtfOptions {
  /** section name used in errors (default ".BTF") */
  readonly section?: string;
  /**
   * The base of a split BTF (a kernel module's BTF on top of vmlinux): type ids continue
   * after the base's, and string offsets past the base's string section are this blob's.
   */
  readonly base?: Btf;
  /** name of the BTF in CO-RE logs ("vmlinux", a module's name); default "vmlinux" */
  readonly name?: string;
  /** pointer size in bytes for sizes of pointers (default 8, what every BPF target uses) */
  readonly pointerSize?: number;
}

const VOID: BtfVoid = { kind: "VOID", id: 0, name: "", nameOff: 0, kflag: false };

/** A parsed BTF blob. */
export class Btf {
  /** every type, indexed by id; `types[0]` is void */
  readonly types: readonly BtfType[];
  /** the raw string section */
  readonly strings: Uint8Array;
  readonly pointerSize: number;
  readonly section: string;
  /** byte offset of each type's record inside the section (index = id; 0 for void and base types) */
  readonly typeOffsets: readonly number[];
  /** the base BTF of a split BTF; its types are `types[1 .. startId)` here too */
  readonly base: Btf | undefined;
  /** first type id this blob defines (1, or the base's type count for split BTF) */
  readonly startId: number;
  /** name in CO-RE logs ("vmlinux" or a module's name) */
  readonly btfName: string;
  private byName: Map<string, number[]> | undefined;
  private byEssential: Map<string, number[]> | undefined;

  constructor(
    types: readonly BtfType[],
    strings: Uint8Array,
    opts: { pointerSize?: number; section?: string; typeOffsets?: readonly number[]; base?: Btf; name?: string } = {},
  ) {
    this.types = types;
    this.strings = strings;
    this.pointerSize = opts.pointerSize ?? opts.base?.pointerSize ?? 8;
    this.section = opts.section ?? ".BTF";
    this.typeOffsets = opts.typeOffsets ?? types.map(() => 0);
    this.base = opts.base;
    this.startId = opts.base?.typeCount ?? 1;
    this.btfName = opts.name ?? "vmlinux";
  }

  /** Offset at which this blob's own strings start (the base's string section length, or 0). */
  get stringBase(): number {
    return this.base === undefined ? 0 : this.base.stringBase + this.base.strings.length;
  }

  /** Number of type ids, void included (libbpf's btf__type_cnt). */
  get typeCount(): number {
    return this.types.length;
  }

  /** The type with this id, or undefined when out of range. */
  type(id: number): BtfType | undefined {
    return Number.isInteger(id) && id >= 0 ? this.types[id] : undefined;
  }

  /** The type with this id; a LoaderError when out of range. */
  typeById(id: number): BtfType {
    const t = this.type(id);
    if (t === undefined) throw new LoaderError(`type id ${id} out of range (${this.types.length} types)`, { section: this.section });
    return t;
  }

  /** The NUL-terminated string at `off` of the string section, or undefined when out of range. */
  str(off: number): string | undefined {
    if (this.base !== undefined && off < this.stringBase) return this.base.str(off);
    off -= this.stringBase;
    if (!Number.isInteger(off) || off < 0 || off >= this.strings.length) return undefined;
    let end = off;
    while (end < this.strings.length && this.strings[end] !== 0) end++;
    return new TextDecoder().decode(this.strings.subarray(off, end));
  }

  /** Name of a type, "" for anonymous and void. */
  name(id: number): string {
    return this.type(id)?.name ?? "";
  }

  /** Ids of every type called `name` (optionally of one kind), in id order. */
  findByName(name: string, kind?: BtfKindName): number[] {
    if (this.byName === undefined) {
      const m = new Map<string, number[]>();
      for (const t of this.types) {
        if (t.name === "") continue;
        const l = m.get(t.name);
        if (l === undefined) m.set(t.name, [t.id]);
        else l.push(t.id);
      }
      this.byName = m;
    }
    const ids = this.byName.get(name) ?? [];
    return kind === undefined ? [...ids] : ids.filter((id) => this.types[id]?.kind === kind);
  }

  /**
   * Ids of every named type whose essential name (without a `___flavor` suffix) is `essential`,
   * in id order: CO-RE's candidate search, indexed once per BTF instead of a scan per relocation.
   */
  idsByEssentialName(essential: string): readonly number[] {
    if (this.byEssential === undefined) {
      const m = new Map<string, number[]>();
      for (const t of this.types) {
        if (t.name === "") continue;
        const k = t.name.slice(0, essentialNameLength(t.name));
        const l = m.get(k);
        if (l === undefined) m.set(k, [t.id]);
        else l.push(t.id);
      }
      this.byEssential = m;
    }
    return this.byEssential.get(essential) ?? [];
  }

  /**
   * Skip const/volatile/restrict/type tags and typedefs (libbpf's skip_mods_and_typedefs).
   * Returns undefined for a dangling id or a loop.
   */
  skipModsAndTypedefs(id: number): { id: number; type: BtfType } | undefined {
    let t = this.type(id);
    for (let depth = 0; t !== undefined && (t.kind === "TYPEDEF" || isModifier(t)); depth++) {
      if (depth > MAX_RESOLVE_DEPTH) return undefined;
      id = t.type;
      t = this.type(id);
    }
    return t === undefined ? undefined : { id, type: t };
  }

  /** Skip only the modifiers (const/volatile/restrict/type tags), keeping typedefs. */
  skipModifiers(id: number): { id: number; type: BtfType } | undefined {
    let t = this.type(id);
    for (let depth = 0; t !== undefined && isModifier(t); depth++) {
      if (depth > MAX_RESOLVE_DEPTH) return undefined;
      id = t.type;
      t = this.type(id);
    }
    return t === undefined ? undefined : { id, type: t };
  }

  /**
   * Size in bytes of type `id`, through typedefs, modifiers, variables and arrays
   * (libbpf's btf__resolve_size). Undefined when the type has no size (void, functions,
   * forward declarations) or the result overflows 32 bits.
   */
  resolveSize(id: number): number | undefined {
    let nelems = 1;
    let t = this.type(id);
    for (let i = 0; i < MAX_RESOLVE_DEPTH && t !== undefined && t.kind !== "VOID"; i++) {
      switch (t.kind) {
        case "INT":
        case "STRUCT":
        case "UNION":
        case "ENUM":
        case "ENUM64":
        case "DATASEC":
        case "FLOAT":
          return checkedSize(t.size, nelems);
        case "PTR":
          return checkedSize(this.pointerSize, nelems);
        case "TYPEDEF":
        case "VOLATILE":
        case "CONST":
        case "RESTRICT":
        case "VAR":
        case "DECL_TAG":
        case "TYPE_TAG":
          t = this.type(t.type);
          break;
        case "ARRAY":
          if (nelems !== 0 && t.nelems > 0xffffffff / nelems) return undefined;
          nelems *= t.nelems;
          t = this.type(t.type);
          break;
        default:
          return undefined;
      }
    }
    return undefined;
  }

  /**
   * Find a member of struct/union `id` by name, looking into anonymous struct/union members
   * as C does. Returns the member, its total bit offset from the start of `id` and the
   * path of member indexes that leads to it (what clang writes in CO-RE access strings).
   */
  findMember(id: number, name: string): { member: BtfMember; bitOffset: number; path: number[] } | undefined {
    return this.findMemberDepth(id, name, 0);
  }

  private findMemberDepth(id: number, name: string, depth: number): { member: BtfMember; bitOffset: number; path: number[] } | undefined {
    if (depth > MAX_RESOLVE_DEPTH) return undefined;
    const r = this.skipModsAndTypedefs(id);
    if (r === undefined || !isComposite(r.type)) return undefined;
    const members = r.type.members;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (m.name === name) return { member: m, bitOffset: m.bitOffset, path: [i] };
      if (m.name === "") {
        const inner = this.findMemberDepth(m.type, name, depth + 1);
        if (inner !== undefined) return { member: inner.member, bitOffset: m.bitOffset + inner.bitOffset, path: [i, ...inner.path] };
      }
    }
    return undefined;
  }

  /** A C-like spelling of type `id` ("struct task_struct *", "const int", "u64"), for messages. */
  typeString(id: number, depth = 0): string {
    const t = this.type(id);
    if (t === undefined) return `<bad type ${id}>`;
    if (depth > MAX_RESOLVE_DEPTH) return "...";
    const nm = t.name === "" ? "(anon)" : t.name;
    switch (t.kind) {
      case "VOID":
        return "void";
      case "INT":
      case "FLOAT":
      case "TYPEDEF":
        return nm;
      case "STRUCT":
        return `struct ${nm}`;
      case "UNION":
        return `union ${nm}`;
      case "ENUM":
      case "ENUM64":
        return `enum ${nm}`;
      case "FWD":
        return `${t.kflag ? "union" : "struct"} ${nm}`;
      case "PTR":
        return `${this.typeString(t.type, depth + 1)} *`;
      case "CONST":
        return `const ${this.typeString(t.type, depth + 1)}`;
      case "VOLATILE":
        return `volatile ${this.typeString(t.type, depth + 1)}`;
      case "RESTRICT":
        return `${this.typeString(t.type, depth + 1)} restrict`;
      case "TYPE_TAG":
        return `${this.typeString(t.type, depth + 1)} __attribute__((btf_type_tag("${t.name}")))`;
      case "ARRAY":
        return `${this.typeString(t.type, depth + 1)}[${t.nelems}]`;
      case "FUNC_PROTO":
        return `${this.typeString(t.type, depth + 1)} (*)(${t.params.map((p) => (p.type === 0 ? "..." : this.typeString(p.type, depth + 1))).join(", ")})`;
      case "FUNC":
      case "VAR":
      case "DATASEC":
      case "DECL_TAG":
        return nm;
    }
  }

  /** Every type as `bpftool btf dump file X format raw` prints it (one line per type, members indented). */
  formatRaw(): string {
    const lines: string[] = [];
    for (let id = this.startId; id < this.types.length; id++) lines.push(this.formatType(id));
    return lines.length === 0 ? "" : lines.join("\n") + "\n";
  }

  /** One type in bpftool's raw format, without the final newline. */
  formatType(id: number): string {
    const t = this.typeById(id);
    const q = (nameOff: number, name: string): string => (nameOff === 0 ? "(anon)" : name);
    let s = `[${id}] ${btfKindStr(kindNumber(t))} '${q(t.nameOff, t.name)}'`;
    switch (t.kind) {
      case "VOID":
        break;
      case "INT":
        s += ` size=${t.size} bits_offset=${t.bitsOffset} nr_bits=${t.nrBits} encoding=${intEncodingStr(t.encoding)}`;
        break;
      case "PTR":
      case "CONST":
      case "VOLATILE":
      case "RESTRICT":
      case "TYPEDEF":
      case "TYPE_TAG":
        s += ` type_id=${t.type}`;
        break;
      case "ARRAY":
        s += ` type_id=${t.type} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
        break;
      case "STRUCT":
      case "UNION":
        s += ` size=${t.size} vlen=${t.members.length}`;
        for (const m of t.members) {
          s += `\n\t'${q(m.nameOff, m.name)}' type_id=${m.type} bits_offset=${m.bitOffset}`;
          if (m.bitfieldSize !== 0) s += ` bitfield_size=${m.bitfieldSize}`;
        }
        break;
      case "ENUM":
        s += ` encoding=${t.kflag ? "SIGNED" : "UNSIGNED"} size=${t.size} vlen=${t.values.length}`;
        for (const v of t.values) s += `\n\t'${q(v.nameOff, v.name)}' val=${v.value}`;
        break;
      case "ENUM64":
        s += ` encoding=${t.kflag ? "SIGNED" : "UNSIGNED"} size=${t.size} vlen=${t.values.length}`;
        for (const v of t.values) s += `\n\t'${q(v.nameOff, v.name)}' val=${v.value}${t.kflag ? "LL" : "ULL"}`;
        break;
      case "FWD":
        s += ` fwd_kind=${t.kflag ? "union" : "struct"}`;
        break;
      case "FUNC":
        s += ` type_id=${t.type} linkage=${linkageStr(t.linkage)}`;
        break;
      case "FUNC_PROTO":
        s += ` ret_type_id=${t.type} vlen=${t.params.length}`;
        for (const p of t.params) s += `\n\t'${q(p.nameOff, p.name)}' type_id=${p.type}`;
        break;
      case "VAR":
        s += ` type_id=${t.type}, linkage=${linkageStr(t.linkage)}`;
        break;
      case "DATASEC":
        s += ` size=${t.size} vlen=${t.vars.length}`;
        for (const v of t.vars) {
          s += `\n\ttype_id=${v.type} offset=${v.offset} size=${v.size}`;
          const vt = this.type(v.type);
          if (vt !== undefined) s += ` (${btfKindStr(kindNumber(vt))} '${q(vt.nameOff, vt.name)}')`;
        }
        break;
      case "FLOAT":
        s += ` size=${t.size}`;
        break;
      case "DECL_TAG":
        s += ` type_id=${t.type} component_idx=${t.componentIdx}`;
        break;
    }
    return s;
  }
}

function checkedSize(size: number, nelems: number): number | undefined {
  if (nelems !== 0 && size > 0xffffffff / nelems) return undefined;
  return size * nelems;
}

function intEncodingStr(e: number): string {
  switch (e) {
    case 0:
      return "(none)";
    case BTF_INT_SIGNED:
      return "SIGNED";
    case BTF_INT_CHAR:
      return "CHAR";
    case BTF_INT_BOOL:
      return "BOOL";
    default:
      return "UNKN";
  }
}

function linkageStr(l: number): string {
  return l === 0 ? "static" : l === 1 ? "global" : l === 2 ? "extern" : "(unknown)";
}

/** Parse a `.BTF` section (header, types, strings), validating every offset and type id. */
export function parseBtf(bytes: Uint8Array, opts: ParseBtfOptions = {}): Btf {
  const section = opts.section ?? ".BTF";
  const fail = (msg: string, offset: number): never => {
    throw new LoaderError(msg, { section, offset });
  };
  if (bytes.length < BTF_HEADER_SIZE) fail(`BTF header truncated: ${bytes.length} bytes, need ${BTF_HEADER_SIZE}`, 0);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint16(0, true);
  if (magic === 0x9feb) fail("big-endian BTF is not supported", 0);
  if (magic !== BTF_MAGIC) fail(`bad BTF magic 0x${magic.toString(16)}, expected 0x${BTF_MAGIC.toString(16)}`, 0);
  const version = dv.getUint8(2);
  if (version !== BTF_VERSION) fail(`unsupported BTF version ${version}`, 2);
  const flags = dv.getUint8(3);
  if (flags !== 0) fail(`unsupported BTF flags 0x${flags.toString(16)}`, 3);
  const hdrLen = dv.getUint32(4, true);
  if (hdrLen < BTF_HEADER_SIZE) fail(`BTF header length ${hdrLen} is smaller than ${BTF_HEADER_SIZE}`, 4);
  if (hdrLen > bytes.length) fail(`BTF header length ${hdrLen} is past the end of the section (${bytes.length} bytes)`, 4);
  for (let i = BTF_HEADER_SIZE; i < hdrLen; i++) if (bytes[i] !== 0) fail("unknown non-zero bytes in the BTF header", i);
  const typeOff = dv.getUint32(8, true);
  const typeLen = dv.getUint32(12, true);
  const strOff = dv.getUint32(16, true);
  const strLen = dv.getUint32(20, true);
  const dataLen = bytes.length - hdrLen;
  if (typeOff % 4 !== 0) fail(`type section offset ${typeOff} is not 4-byte aligned`, 8);
  if (typeOff + typeLen > dataLen) fail(`type section [${typeOff}, ${typeOff + typeLen}) is past the end of the data (${dataLen} bytes)`, 8);
  if (strOff + strLen > dataLen) fail(`string section [${strOff}, ${strOff + strLen}) is past the end of the data (${dataLen} bytes)`, 16);
  if (typeOff < strOff ? typeOff + typeLen > strOff : strOff + strLen > typeOff) fail("type and string sections overlap", 8);
  if (strLen === 0 && opts.base === undefined) fail("empty string section", 20);
  const strings = bytes.subarray(hdrLen + strOff, hdrLen + strOff + strLen);
  const base = opts.base;
  if (base === undefined && strings[0] !== 0) fail("string section does not start with an empty string", hdrLen + strOff);
  const strBase = base === undefined ? 0 : base.stringBase + base.strings.length;
  if (strLen > 0 && strings[strLen - 1] !== 0) fail("string section is not NUL-terminated", hdrLen + strOff + strLen - 1);

  const decoder = new TextDecoder();
  const cache = new Map<number, string>();
  const strAt = (abs: number, at: number): string => {
    if (base !== undefined && abs < strBase) {
      const b = base.str(abs);
      if (b === undefined) fail(`name offset ${abs} outside the base string section`, at);
      return b as string;
    }
    const off = abs - strBase;
    if (off >= strLen) fail(`name offset ${abs} outside the string section (${strBase + strLen} bytes)`, at);
    const known = cache.get(off);
    if (known !== undefined) return known;
    let end = off;
    let ascii = true;
    while (strings[end] !== 0) {
      if (strings[end]! >= 0x80) ascii = false;
      end++;
    }
    const s = ascii && end - off < 256 ? String.fromCharCode(...strings.subarray(off, end)) : decoder.decode(strings.subarray(off, end));
    cache.set(off, s);
    return s;
  };

  const types: BtfType[] = base === undefined ? [VOID] : [...base.types];
  const offsets: number[] = types.map(() => 0);
  const start = hdrLen + typeOff;
  const end = start + typeLen;
  let p = start;
  const need = (n: number, what: string, at: number): void => {
    if (p + n > end) fail(`${what} truncated: needs ${n} bytes, ${end - p} left in the type section`, at);
  };
  const u32 = (): number => {
    const v = dv.getUint32(p, true);
    p += 4;
    return v;
  };
  while (p < end) {
    const at = p;
    const id = types.length;
    need(12, `type [${id}]`, at);
    const nameOff = u32();
    const info = u32();
    const sizeOrType = u32();
    const vlen = info & 0xffff;
    const kind = (info >>> 24) & 0x1f;
    const kflag = (info >>> 31) === 1;
    if ((info & 0x60ff0000) !== 0) fail(`type [${id}]: reserved bits set in info 0x${(info >>> 0).toString(16)}`, at + 4);
    const name = strAt(nameOff, at);
    const base = { id, name, nameOff, kflag };
    let t: BtfType;
    switch (kind) {
      case BTF_KIND.INT: {
        need(4, `INT [${id}]`, at);
        const v = u32();
        t = { ...base, kind: "INT", size: sizeOrType, encoding: (v >>> 24) & 0x0f, bitsOffset: (v >>> 16) & 0xff, nrBits: v & 0xff };
        break;
      }
      case BTF_KIND.PTR:
      case BTF_KIND.TYPEDEF:
      case BTF_KIND.VOLATILE:
      case BTF_KIND.CONST:
      case BTF_KIND.RESTRICT:
      case BTF_KIND.TYPE_TAG:
        t = { ...base, kind: KIND_NAMES[kind] as BtfRef["kind"], type: sizeOrType };
        break;
      case BTF_KIND.ARRAY: {
        need(12, `ARRAY [${id}]`, at);
        t = { ...base, kind: "ARRAY", type: u32(), indexType: u32(), nelems: u32() };
        break;
      }
      case BTF_KIND.STRUCT:
      case BTF_KIND.UNION: {
        need(12 * vlen, `${KIND_NAMES[kind]} [${id}] members`, at);
        const members: BtfMember[] = [];
        for (let i = 0; i < vlen; i++) {
          const mAt = p;
          const mNameOff = u32();
          const type = u32();
          const off = u32();
          members.push({
            name: strAt(mNameOff, mAt),
            nameOff: mNameOff,
            type,
            bitOffset: kflag ? off & 0xffffff : off,
            bitfieldSize: kflag ? off >>> 24 : 0,
          });
        }
        t = { ...base, kind: kind === BTF_KIND.STRUCT ? "STRUCT" : "UNION", size: sizeOrType, members };
        break;
      }
      case BTF_KIND.ENUM: {
        need(8 * vlen, `ENUM [${id}] values`, at);
        const values: BtfEnumValue[] = [];
        for (let i = 0; i < vlen; i++) {
          const vAt = p;
          const vNameOff = u32();
          const raw = u32();
          values.push({ name: strAt(vNameOff, vAt), nameOff: vNameOff, value: kflag ? BigInt(raw | 0) : BigInt(raw) });
        }
        t = { ...base, kind: "ENUM", size: sizeOrType, values };
        break;
      }
      case BTF_KIND.ENUM64: {
        need(12 * vlen, `ENUM64 [${id}] values`, at);
        const values: BtfEnumValue[] = [];
        for (let i = 0; i < vlen; i++) {
          const vAt = p;
          const vNameOff = u32();
          const lo = u32();
          const hi = u32();
          const u = (BigInt(hi) << 32n) | BigInt(lo);
          values.push({ name: strAt(vNameOff, vAt), nameOff: vNameOff, value: kflag ? BigInt.asIntN(64, u) : u });
        }
        t = { ...base, kind: "ENUM64", size: sizeOrType, values };
        break;
      }
      case BTF_KIND.FWD:
        t = { ...base, kind: "FWD" };
        break;
      case BTF_KIND.FUNC:
        t = { ...base, kind: "FUNC", type: sizeOrType, linkage: vlen };
        break;
      case BTF_KIND.FUNC_PROTO: {
        need(8 * vlen, `FUNC_PROTO [${id}] params`, at);
        const params: BtfParam[] = [];
        for (let i = 0; i < vlen; i++) {
          const pAt = p;
          const pNameOff = u32();
          params.push({ name: strAt(pNameOff, pAt), nameOff: pNameOff, type: u32() });
        }
        t = { ...base, kind: "FUNC_PROTO", type: sizeOrType, params };
        break;
      }
      case BTF_KIND.VAR:
        need(4, `VAR [${id}]`, at);
        t = { ...base, kind: "VAR", type: sizeOrType, linkage: u32() };
        break;
      case BTF_KIND.DATASEC: {
        need(12 * vlen, `DATASEC [${id}] variables`, at);
        const vars: BtfVarSecinfo[] = [];
        for (let i = 0; i < vlen; i++) vars.push({ type: u32(), offset: u32(), size: u32() });
        t = { ...base, kind: "DATASEC", size: sizeOrType, vars };
        break;
      }
      case BTF_KIND.FLOAT:
        t = { ...base, kind: "FLOAT", size: sizeOrType };
        break;
      case BTF_KIND.DECL_TAG:
        need(4, `DECL_TAG [${id}]`, at);
        t = { ...base, kind: "DECL_TAG", type: sizeOrType, componentIdx: u32() | 0 };
        break;
      default:
        return fail(`type [${id}]: unknown BTF kind ${kind}`, at + 4);
    }
    types.push(t);
    offsets.push(at - hdrLen);
  }

  // Every referenced type id must exist (libbpf's btf_validate_type).
  const n = types.length;
  const check = (id: number, ref: number, what: string): void => {
    if (ref >= n) fail(`type [${id}] ${what} refers to type id ${ref}, past the last type (${n - 1})`, hdrLen + offsets[id]!);
  };
  for (const t of types.slice(base?.typeCount ?? 0)) {
    switch (t.kind) {
      case "PTR":
      case "TYPEDEF":
      case "VOLATILE":
      case "CONST":
      case "RESTRICT":
      case "TYPE_TAG":
      case "FUNC":
      case "VAR":
      case "DECL_TAG":
        check(t.id, t.type, "type");
        break;
      case "ARRAY":
        check(t.id, t.type, "element type");
        check(t.id, t.indexType, "index type");
        break;
      case "STRUCT":
      case "UNION":
        t.members.forEach((m, i) => check(t.id, m.type, `member ${i}`));
        break;
      case "FUNC_PROTO":
        check(t.id, t.type, "return type");
        t.params.forEach((pp, i) => check(t.id, pp.type, `parameter ${i}`));
        break;
      case "DATASEC":
        t.vars.forEach((v, i) => check(t.id, v.type, `variable ${i}`));
        break;
      default:
        break;
    }
  }
  const btfOpts: { pointerSize?: number; section: string; typeOffsets: number[]; base?: Btf; name?: string } = { section, typeOffsets: offsets };
  if (opts.pointerSize !== undefined) btfOpts.pointerSize = opts.pointerSize;
  if (base !== undefined) btfOpts.base = base;
  if (opts.name !== undefined) btfOpts.name = opts.name;
  return new Btf(types, strings.slice(), btfOpts);
}

/** Length of a name without its `___flavor` suffix (libbpf's bpf_core_essential_name_len). */
export function essentialNameLength(name: string): number {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== "_" && name[i + 1] === "_" && name[i + 2] === "_" && name[i + 3] === "_" && name[i + 4] !== "_") return i + 1;
  }
  return name.length;
}

/** A name without its `___flavor` suffix: `task_struct___v2` → `task_struct`. */
export function essentialName(name: string): string {
  return name.slice(0, essentialNameLength(name));
}
