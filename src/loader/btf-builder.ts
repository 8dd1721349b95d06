import { LoaderError } from "../errors.js";
import {
  BTF_HEADER_SIZE,
  BTF_KIND,
  BTF_MAGIC,
  BTF_VERSION,
  Btf,
  parseBtf,
  type BtfMember,
  type BtfType,
  type BtfTypeSpec,
} from "./btf.js";

// Writing BTF: a builder that assembles types (for a simulated kernel's vmlinux-like BTF and
// for tests) and an encoder that writes a parsed Btf back to the bytes it came from.

type Encodable = BtfType | (BtfTypeSpec & { readonly nameOff: number });

/** Members with their name offsets, as the encoder needs them. */
interface Named {
  readonly nameOff: number;
}

function encodeType(out: number[], t: Encodable, nameOffOf: (name: string, given: number | undefined) => number): void {
  if (t.kind === "VOID") return;
  const kind = BTF_KIND[t.kind];
  let vlen = 0;
  let sizeOrType = 0;
  const extra: number[] = [];
  let kflag = t.kflag ?? false;
  const named = (x: { name: string } & Partial<Named>): number => nameOffOf(x.name, x.nameOff);
  switch (t.kind) {
    case "INT":
      sizeOrType = t.size;
      extra.push(((t.encoding & 0xf) << 24) | ((t.bitsOffset & 0xff) << 16) | (t.nrBits & 0xff));
      break;
    case "PTR":
    case "TYPEDEF":
    case "VOLATILE":
    case "CONST":
    case "RESTRICT":
    case "TYPE_TAG":
      sizeOrType = t.type;
      break;
    case "ARRAY":
      extra.push(t.type, t.indexType, t.nelems);
      break;
    case "STRUCT":
    case "UNION": {
      sizeOrType = t.size;
      vlen = t.members.length;
      if (t.kflag === undefined && t.members.some((m) => m.bitfieldSize !== 0)) kflag = true;
      for (const m of t.members) {
        if (!kflag && m.bitfieldSize !== 0) throw new LoaderError(`${t.kind} '${t.name}': bitfield member '${m.name}' needs the kind flag`);
        if (kflag && (m.bitOffset > 0xffffff || m.bitfieldSize > 0xff)) throw new LoaderError(`${t.kind} '${t.name}': member '${m.name}' offset or width too large`);
        extra.push(named(m as Omit<BtfMember, "nameOff"> & Partial<Named>), m.type, kflag ? ((m.bitfieldSize << 24) | m.bitOffset) >>> 0 : m.bitOffset);
      }
      break;
    }
    case "ENUM":
    case "ENUM64":
      sizeOrType = t.size;
      vlen = t.values.length;
      for (const v of t.values) {
        const u = BigInt.asUintN(64, v.value);
        extra.push(named(v));
        if (t.kind === "ENUM") extra.push(Number(u & 0xffffffffn));
        else extra.push(Number(u & 0xffffffffn), Number(u >> 32n));
      }
      break;
    case "FWD":
      break;
    case "FUNC":
      sizeOrType = t.type;
      vlen = t.linkage;
      break;
    case "FUNC_PROTO":
      sizeOrType = t.type;
      vlen = t.params.length;
      for (const p of t.params) extra.push(named(p), p.type);
      break;
    case "VAR":
      sizeOrType = t.type;
      extra.push(t.linkage);
      break;
    case "DATASEC":
      sizeOrType = t.size;
      vlen = t.vars.length;
      for (const v of t.vars) extra.push(v.type, v.offset, v.size);
      break;
    case "FLOAT":
      sizeOrType = t.size;
      break;
    case "DECL_TAG":
      sizeOrType = t.type;
      extra.push(t.componentIdx >>> 0);
      break;
  }
  if (vlen > 0xffff) throw new LoaderError(`${t.kind} '${t.name}': ${vlen} entries, at most 65535`);
  out.push(named(t), ((kflag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0, sizeOrType >>> 0, ...extra.map((x) => x >>> 0));
}

function assemble(words: number[], strings: Uint8Array): Uint8Array {
  const typeLen = words.length * 4;
  const out = new Uint8Array(BTF_HEADER_SIZE + typeLen + strings.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, BTF_MAGIC, true);
  dv.setUint8(2, BTF_VERSION);
  dv.setUint8(3, 0);
  dv.setUint32(4, BTF_HEADER_SIZE, true);
  dv.setUint32(8, 0, true);
  dv.setUint32(12, typeLen, true);
  dv.setUint32(16, typeLen, true);
  dv.setUint32(20, strings.length, true);
  words.forEach((w, i) => dv.setUint32(BTF_HEADER_SIZE + i * 4, w, true));
  out.set(strings, BTF_HEADER_SIZE + typeLen);
  return out;
}

/** Encode a parsed Btf again, keeping its string section and name offsets (clang's layout: types, then strings). */
export function writeBtf(btf: Btf): Uint8Array {
  const words: number[] = [];
  for (const t of btf.types.slice(btf.startId)) encodeType(words, t, (_n, off) => off ?? 0);
  return assemble(words, btf.strings);
}

/** A parsed type as a builder spec (ids kept, string offsets dropped). */
export function toSpec(t: BtfType): BtfTypeSpec {
  // every parsed type carries the fields of its spec plus id/nameOff (and nameOff on members,
  // values and params), which the encoder ignores; dropping them keeps specs plain data
  const { id: _id, nameOff: _nameOff, ...rest } = t;
  const strip = <T extends { nameOff: number }>(xs: readonly T[]): Omit<T, "nameOff">[] => xs.map(({ nameOff: _n, ...x }) => x);
  if (rest.kind === "STRUCT" || rest.kind === "UNION") return { ...rest, members: strip(rest.members) } as BtfTypeSpec;
  if (rest.kind === "ENUM" || rest.kind === "ENUM64") return { ...rest, values: strip(rest.values) } as BtfTypeSpec;
  if (rest.kind === "FUNC_PROTO") return { ...rest, params: strip(rest.params) } as BtfTypeSpec;
  return rest as BtfTypeSpec;
}

export type MemberSpec = { readonly name: string; readonly type: number; readonly bitOffset: number; readonly bitfieldSize?: number };

/**
 * Assembles BTF type by type. Every `add*` returns the new type's id; ids start at 1 and
 * follow the order of the calls. `reserve()` hands out an id to fill in later with `set()`,
 * for types that refer to themselves (a struct with a pointer to its own kind).
 */
export class BtfBuilder {
  private readonly types: (BtfTypeSpec | undefined)[];
  private readonly strOffsets = new Map<string, number>([["", 0]]);
  private readonly strBytes: number[];
  private readonly pointerSize: number;
  private readonly base: Btf | undefined;
  private readonly strBase: number;
  private readonly name: string | undefined;

  /**
   * With `base`, the builder makes split BTF (a module's BTF over vmlinux): ids continue
   * after the base's, base types may be referred to, and names the base already has are
   * shared from its string section.
   */
  constructor(opts: { pointerSize?: number; base?: Btf; name?: string } = {}) {
    this.base = opts.base;
    this.name = opts.name;
    this.pointerSize = opts.pointerSize ?? opts.base?.pointerSize ?? 8;
    this.types = new Array<BtfTypeSpec | undefined>(opts.base?.typeCount ?? 1).fill(undefined);
    this.strBase = opts.base === undefined ? 0 : opts.base.stringBase + opts.base.strings.length;
    this.strBytes = opts.base === undefined ? [0] : [];
    for (let b: Btf | undefined = opts.base; b !== undefined; b = b.base) {
      const off0 = b.stringBase;
      for (let i = 0; i < b.strings.length; ) {
        let e = i;
        while (e < b.strings.length && b.strings[e] !== 0) e++;
        const str = new TextDecoder().decode(b.strings.subarray(i, e));
        if (!this.strOffsets.has(str)) this.strOffsets.set(str, off0 + i);
        i = e + 1;
      }
    }
  }

  /** A builder holding every type of `btf` under the same ids, to extend or edit with `set()`. */
  static from(btf: Btf): BtfBuilder {
    const opts: { pointerSize: number; base?: Btf; name: string } = { pointerSize: btf.pointerSize, name: btf.btfName };
    if (btf.base !== undefined) opts.base = btf.base;
    const b = new BtfBuilder(opts);
    for (const t of btf.types.slice(btf.startId)) b.add(toSpec(t));
    return b;
  }

  /** First id of the builder's own types (1, or the base's type count). */
  get firstId(): number {
    return this.base?.typeCount ?? 1;
  }

  /** The spec of type `id` as it stands (for edits: `b.set(id, { ...b.get(id), ... })`). */
  get(id: number): BtfTypeSpec {
    const t = id >= this.firstId ? this.types[id] : undefined;
    if (t === undefined) throw new LoaderError(`BtfBuilder.get: no type id ${id} of its own`);
    return t;
  }

  /** Offset of `s` in the string section, adding it when new. */
  addString(s: string): number {
    const known = this.strOffsets.get(s);
    if (known !== undefined) return known;
    const off = this.strBase + this.strBytes.length;
    for (const b of new TextEncoder().encode(s)) this.strBytes.push(b);
    this.strBytes.push(0);
    this.strOffsets.set(s, off);
    return off;
  }

  /** Number of ids handed out, void included. */
  get typeCount(): number {
    return this.types.length;
  }

  add(spec: BtfTypeSpec): number {
    this.types.push(spec);
    return this.types.length - 1;
  }

  reserve(): number {
    this.types.push(undefined);
    return this.types.length - 1;
  }

  set(id: number, spec: BtfTypeSpec): void {
    if (id < this.firstId || id >= this.types.length) throw new LoaderError(`BtfBuilder.set: no type id ${id} of its own`);
    this.types[id] = spec;
  }

  int(name: string, size: number, encoding = 0, nrBits = size * 8): number {
    return this.add({ kind: "INT", name, size, encoding, bitsOffset: 0, nrBits });
  }
  ptr(type: number): number {
    return this.add({ kind: "PTR", name: "", type });
  }
  typedef(name: string, type: number): number {
    return this.add({ kind: "TYPEDEF", name, type });
  }
  const(type: number): number {
    return this.add({ kind: "CONST", name: "", type });
  }
  volatile(type: number): number {
    return this.add({ kind: "VOLATILE", name: "", type });
  }
  restrict(type: number): number {
    return this.add({ kind: "RESTRICT", name: "", type });
  }
  typeTag(name: string, type: number): number {
    return this.add({ kind: "TYPE_TAG", name, type });
  }
  array(type: number, nelems: number, indexType = 0): number {
    return this.add({ kind: "ARRAY", name: "", type, indexType, nelems });
  }
  struct(name: string, size: number, members: readonly MemberSpec[]): number {
    return this.add({ kind: "STRUCT", name, size, members: members.map((m) => ({ ...m, bitfieldSize: m.bitfieldSize ?? 0 })) });
  }
  union(name: string, size: number, members: readonly MemberSpec[]): number {
    return this.add({ kind: "UNION", name, size, members: members.map((m) => ({ ...m, bitfieldSize: m.bitfieldSize ?? 0 })) });
  }
  /** An ENUM (size 4 by default) or, when `size` is 8, an ENUM64; `signed` sets the kind flag. */
  enum(name: string, values: readonly (readonly [string, bigint | number])[], opts: { size?: number; signed?: boolean } = {}): number {
    const size = opts.size ?? 4;
    return this.add({
      kind: size === 8 ? "ENUM64" : "ENUM",
      name,
      size,
      kflag: opts.signed ?? values.some(([, v]) => BigInt(v) < 0n),
      values: values.map(([n, v]) => ({ name: n, value: BigInt(v) })),
    });
  }
  fwd(name: string, union = false): number {
    return this.add({ kind: "FWD", name, kflag: union });
  }
  func(name: string, proto: number, linkage = 1): number {
    return this.add({ kind: "FUNC", name, type: proto, linkage });
  }
  funcProto(ret: number, params: readonly (readonly [string, number])[]): number {
    return this.add({ kind: "FUNC_PROTO", name: "", type: ret, params: params.map(([name, type]) => ({ name, type })) });
  }
  var(name: string, type: number, linkage = 1): number {
    return this.add({ kind: "VAR", name, type, linkage });
  }
  datasec(name: string, size: number, vars: readonly { type: number; offset: number; size: number }[]): number {
    return this.add({ kind: "DATASEC", name, size, vars });
  }
  float(name: string, size: number): number {
    return this.add({ kind: "FLOAT", name, size });
  }
  declTag(name: string, type: number, componentIdx = -1): number {
    return this.add({ kind: "DECL_TAG", name, type, componentIdx });
  }

  /** The `.BTF` section bytes. */
  bytes(): Uint8Array {
    const words: number[] = [];
    for (let id = this.firstId; id < this.types.length; id++) {
      const t = this.types[id];
      if (t === undefined) throw new LoaderError(`BtfBuilder: type id ${id} was reserved but never set`);
      encodeType(words, { ...t, nameOff: -1 } as Encodable, (name) => this.addString(name));
    }
    return assemble(words, Uint8Array.from(this.strBytes));
  }

  /** The BTF as parsed from `bytes()` (so it went through every check a loaded blob goes through). */
  build(): Btf {
    const opts: { pointerSize: number; base?: Btf; name?: string } = { pointerSize: this.pointerSize };
    if (this.base !== undefined) opts.base = this.base;
    if (this.name !== undefined) opts.name = this.name;
    return parseBtf(this.bytes(), opts);
  }
}
