import { LoaderError, type Errno } from "../errors.js";
import { insn, type Insn } from "../isa/insn.js";
import { Class, JmpOp, LD_IMM64, Source, opClass, opMode, opSize, opSource } from "../isa/opcode.js";
import { Btf, BTF_INT_SIGNED, essentialNameLength, isAnyEnum, isComposite, kindNumber, type BtfArray, type BtfComposite, type BtfEnum, type BtfType } from "./btf.js";

// CO-RE ("compile once, run everywhere") relocations, resolved the way libbpf resolves them
// (tools/lib/bpf/relo_core.c and bpf_object__relocate_core in libbpf.c): the access string of
// each record is turned into a spec against the program's own BTF, candidate types with the
// same essential name (`___flavor` suffixes ignored) are looked up in the target BTF, the spec
// is matched against each candidate, every matching candidate must agree, and the instruction
// (ALU immediate, load/store offset and size, or 64-bit immediate) is patched. A relocation
// that cannot be resolved turns its instruction into a call of helper 0xbad2310, which the
// verifier rejects only if the instruction is reachable ("invalid func unknown#195896080").

/** Relocation kinds (enum bpf_core_relo_kind). */
export const CoreReloKind = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;
export type CoreReloKindName = keyof typeof CoreReloKind;

/** Helper id that a poisoned instruction calls (libbpf: "0xbad2310 => bad relo"). */
export const BPF_CORE_POISON_HELPER_ID = 0xbad2310;
/** Most accessors an access string may have (BPF_CORE_SPEC_MAX_LEN). */
export const CORE_SPEC_MAX_LEN = 64;

const K = CoreReloKind;

/** libbpf's short name of a relocation kind, as in its log ("byte_off", "field_exists", …). */
export function coreReloKindStr(kind: number): string {
  switch (kind) {
    case K.FIELD_BYTE_OFFSET: return "byte_off";
    case K.FIELD_BYTE_SIZE: return "byte_sz";
    case K.FIELD_EXISTS: return "field_exists";
    case K.FIELD_SIGNED: return "signed";
    case K.FIELD_LSHIFT_U64: return "lshift_u64";
    case K.FIELD_RSHIFT_U64: return "rshift_u64";
    case K.TYPE_ID_LOCAL: return "local_type_id";
    case K.TYPE_ID_TARGET: return "target_type_id";
    case K.TYPE_EXISTS: return "type_exists";
    case K.TYPE_MATCHES: return "type_matches";
    case K.TYPE_SIZE: return "type_size";
    case K.ENUMVAL_EXISTS: return "enumval_exists";
    case K.ENUMVAL_VALUE: return "enumval_value";
    default: return "unknown";
  }
}

export const isFieldBased = (k: number): boolean => k >= K.FIELD_BYTE_OFFSET && k <= K.FIELD_RSHIFT_U64;
export const isTypeBased = (k: number): boolean => (k >= K.TYPE_ID_LOCAL && k <= K.TYPE_SIZE) || k === K.TYPE_MATCHES;
export const isEnumvalBased = (k: number): boolean => k === K.ENUMVAL_EXISTS || k === K.ENUMVAL_VALUE;

/** One CO-RE relocation record (BtfExtCoreRelo has this shape). */
export interface CoreRelo {
  /** byte offset of the instruction in its section (or program) */
  readonly insnOff: number;
  /** local BTF type id of the root type */
  readonly typeId: number;
  readonly accessStr: string;
  readonly kind: number;
}

/** One step of a spec: a named member, an array index, or the root access. */
export interface CoreAccessor {
  /** the struct/union (named member) or element type (array index) */
  readonly typeId: number;
  readonly idx: number;
  /** member or enumerator name; undefined for array indexes and the root */
  readonly name: string | undefined;
}

/** A relocation's access resolved against one BTF (libbpf's struct bpf_core_spec). */
export interface CoreSpec {
  readonly btf: Btf;
  readonly rootTypeId: number;
  readonly kind: number;
  /** high-level accessors: the root, named members, array indexes */
  readonly spec: readonly CoreAccessor[];
  /** low-level access string, one number per step (anonymous members included) */
  readonly raw: readonly number[];
  readonly bitOffset: number;
}

/** What a relocation resolves to (libbpf's struct bpf_core_relo_res). */
export interface CoreReloResult {
  /** the value the compiler put in the instruction (checked when `validate`) */
  readonly origVal: bigint;
  readonly newVal: bigint;
  /** the instruction is to be replaced by a call of BPF_CORE_POISON_HELPER_ID */
  readonly poison: boolean;
  readonly validate: boolean;
  /** a load/store would change size in a way that changes the value read */
  readonly failMemszAdjust: boolean;
  readonly origSize: number;
  readonly newSize: number;
  readonly origTypeId: number;
  readonly newTypeId: number;
  readonly localSpec: CoreSpec | undefined;
  /** the spec of the (first) matching candidate; undefined when none matched */
  readonly targetSpec: CoreSpec | undefined;
}

/** A candidate type in the target BTF. */
export interface CoreCandidate {
  readonly btf: Btf;
  readonly id: number;
}

/**
 * Candidate lists per local root type id, shared by all relocations of an object as in libbpf:
 * a relocation that matches only some candidates narrows the list for later ones.
 */
export type CoreCandidateCache = Map<number, CoreCandidate[]>;

/** Where a failure happened, for the LoaderError (section = program section, offset = instruction byte offset). */
export interface CoreContext {
  readonly section?: string;
  readonly progName?: string;
  readonly reloIdx?: number;
  /** debug lines in libbpf's wording are appended here when given */
  readonly log?: string[];
}

/** A failure inside the CO-RE algorithm; callers of the exported entry points see it as a LoaderError. */
class CoreFailure extends LoaderError {
  constructor(code: Errno, message: string) {
    super(message, {}, code);
  }
}
function failCore(code: Errno, message: string): never {
  throw new CoreFailure(code, message);
}

function toLoaderError(e: unknown, ctx: CoreContext, insnOff: number): unknown {
  if (e instanceof CoreFailure) {
    const where: { section?: string; offset?: number } = { offset: insnOff };
    if (ctx.section !== undefined) where.section = ctx.section;
    return new LoaderError(`${prefix(ctx)}${e.message}`, where, e.code);
  }
  return e;
}

function prefix(ctx: CoreContext): string {
  const p = ctx.progName !== undefined ? `prog '${ctx.progName}': ` : "";
  return ctx.reloIdx !== undefined ? `${p}relo #${ctx.reloIdx}: ` : p;
}

const DEPTH = 32;

function skip(btf: Btf, id: number): { id: number; type: BtfType } {
  return btf.skipModsAndTypedefs(id) ?? failCore("EINVAL", `type [${id}] does not resolve (dangling or looping modifiers/typedefs)`);
}

function resolveSize(btf: Btf, id: number): number {
  return btf.resolveSize(id) ?? failCore("EINVAL", `type [${id}] has no size`);
}

function kindCompat(a: BtfType, b: BtfType): boolean {
  return kindNumber(a) === kindNumber(b) || (isAnyEnum(a) && isAnyEnum(b));
}

function essentialEq(a: string, b: string): boolean {
  const la = essentialNameLength(a);
  return la === essentialNameLength(b) && a.slice(0, la) === b.slice(0, la);
}

function intEncoding(t: BtfType): number {
  return t.kind === "INT" ? t.encoding : 0;
}
function intOffset(t: BtfType): number {
  return t.kind === "INT" ? t.bitsOffset : 0;
}

function isFlexArray(btf: Btf, acc: CoreAccessor | undefined, arr: BtfArray): boolean {
  if (acc === undefined || acc.name === undefined || arr.nelems > 0) return false;
  const t = btf.type(acc.typeId);
  return t !== undefined && isComposite(t) && acc.idx === t.members.length - 1;
}

/** Parse a relocation's access string against the local BTF (libbpf's bpf_core_parse_spec). */
export function parseCoreSpec(btf: Btf, relo: CoreRelo): CoreSpec {
  const str = relo.accessStr;
  if (str === "" || str[0] === ":") failCore("EINVAL", `invalid access string '${str}'`);
  if (btf.type(relo.typeId) === undefined) failCore("EINVAL", `local type id ${relo.typeId} out of range`);
  if (isTypeBased(relo.kind)) {
    if (str !== "0") failCore("EINVAL", `type-based relocation with access string '${str}' (expected '0')`);
    return { btf, rootTypeId: relo.typeId, kind: relo.kind, spec: [], raw: [], bitOffset: 0 };
  }
  const raw: number[] = [];
  let p = 0;
  while (p < str.length) {
    if (str[p] === ":") p++;
    const m = /^[0-9]+/.exec(str.slice(p));
    if (m === null) failCore("EINVAL", `invalid access string '${str}'`);
    const v = Number((m as RegExpExecArray)[0]);
    if (v > 0x7fffffff) failCore("EINVAL", `access index out of range in '${str}'`);
    if (raw.length === CORE_SPEC_MAX_LEN) failCore("E2BIG", `access string '${str}' has more than ${CORE_SPEC_MAX_LEN} steps`);
    p += (m as RegExpExecArray)[0].length;
    raw.push(v);
  }
  if (raw.length === 0) failCore("EINVAL", `empty access string`);
  let { id, type: t } = skip(btf, relo.typeId);
  const spec: CoreAccessor[] = [];
  const first = raw[0]!;
  if (isEnumvalBased(relo.kind)) {
    if (!isAnyEnum(t) || raw.length > 1 || first >= t.values.length) failCore("EINVAL", `enum value relocation '${str}' does not name an enumerator of [${id}]`);
    spec.push({ typeId: id, idx: first, name: (t as BtfEnum).values[first]!.name });
    return { btf, rootTypeId: relo.typeId, kind: relo.kind, spec, raw, bitOffset: 0 };
  }
  if (!isFieldBased(relo.kind)) failCore("EINVAL", `unknown relocation kind ${relo.kind}`);
  spec.push({ typeId: id, idx: first, name: undefined });
  let bitOffset = first * resolveSize(btf, id) * 8;
  for (let i = 1; i < raw.length; i++) {
    ({ id, type: t } = skip(btf, id));
    const idx = raw[i]!;
    if (isComposite(t)) {
      if (idx >= t.members.length) failCore("EINVAL", `member index ${idx} past the ${t.members.length} members of [${id}]`);
      const m = t.members[idx]!;
      bitOffset += m.bitOffset;
      if (m.nameOff !== 0) {
        if (m.name === "") failCore("EINVAL", `member ${idx} of [${id}] has an empty name`);
        spec.push({ typeId: id, idx, name: m.name });
      }
      id = m.type;
    } else if (t.kind === "ARRAY") {
      const elem = skip(btf, t.type);
      const flex = isFlexArray(btf, spec[spec.length - 1], t);
      if (!flex && idx >= t.nelems) failCore("EINVAL", `array index ${idx} past the ${t.nelems} elements of [${id}]`);
      id = elem.id;
      spec.push({ typeId: id, idx, name: undefined });
      bitOffset += idx * resolveSize(btf, id) * 8;
    } else {
      failCore("EINVAL", `relo for [${relo.typeId}] ${str} (at idx ${i}) captures type [${id}] of unexpected kind ${kindStr(t)}`);
    }
  }
  return { btf, rootTypeId: relo.typeId, kind: relo.kind, spec, raw, bitOffset };
}

/** libbpf's lower-case kind names ("struct", "typedef", "void"). */
export function kindStr(t: BtfType): string {
  return t.kind === "VOID" ? "void" : t.kind.toLowerCase();
}

/** Types compatible for type-based relocations (libbpf's __bpf_core_types_are_compat). 1, 0; throws on malformed BTF. */
export function coreTypesAreCompat(local: Btf, localId: number, targ: Btf, targId: number, level = DEPTH): boolean {
  let lt = local.type(localId);
  let tt = targ.type(targId);
  if (lt === undefined || tt === undefined) failCore("EINVAL", "type id out of range");
  if (!kindCompat(lt as BtfType, tt as BtfType)) return false;
  for (let depth = DEPTH; ; ) {
    if (--depth < 0) failCore("EINVAL", "type nesting too deep");
    const l = skip(local, localId);
    const t = skip(targ, targId);
    localId = l.id;
    targId = t.id;
    lt = l.type;
    tt = t.type;
    if (!kindCompat(lt, tt)) return false;
    switch (lt.kind) {
      case "VOID":
      case "STRUCT":
      case "UNION":
      case "ENUM":
      case "ENUM64":
      case "FWD":
        return true;
      case "INT":
        return intOffset(lt) === 0 && intOffset(tt) === 0;
      case "PTR":
        localId = lt.type;
        targId = (tt as typeof lt).type;
        continue;
      case "ARRAY":
        localId = lt.type;
        targId = (tt as typeof lt).type;
        continue;
      case "FUNC_PROTO": {
        const tp = tt as typeof lt;
        if (lt.params.length !== tp.params.length) return false;
        for (let i = 0; i < lt.params.length; i++) {
          if (level <= 0) failCore("EINVAL", "function prototype nesting too deep");
          const a = skip(local, lt.params[i]!.type).id;
          const b = skip(targ, tp.params[i]!.type).id;
          if (!coreTypesAreCompat(local, a, targ, b, level - 1)) return false;
        }
        localId = skip(local, lt.type).id;
        targId = skip(targ, tp.type).id;
        continue;
      }
      default:
        return false;
    }
  }
}

/** Field types compatible for field relocations (libbpf's bpf_core_fields_are_compat). */
function fieldsAreCompat(local: Btf, localId: number, targ: Btf, targId: number): boolean {
  for (let depth = 0; ; depth++) {
    if (depth > DEPTH) failCore("EINVAL", "array nesting too deep");
    const l = skip(local, localId);
    const t = skip(targ, targId);
    if (isComposite(l.type) && isComposite(t.type)) return true;
    if (!kindCompat(l.type, t.type)) return false;
    switch (l.type.kind) {
      case "PTR":
      case "FLOAT":
        return true;
      case "FWD":
      case "ENUM":
      case "ENUM64": {
        const ln = l.type.name;
        const tn = t.type.name;
        const ll = essentialNameLength(ln);
        const tl = essentialNameLength(tn);
        return ll === 0 || tl === 0 || (ll === tl && ln.slice(0, ll) === tn.slice(0, tl));
      }
      case "INT":
        return intOffset(l.type) === 0 && intOffset(t.type) === 0;
      case "ARRAY":
        localId = l.type.type;
        targId = (t.type as BtfArray).type;
        continue;
      default:
        return false;
    }
  }
}

function namesMatch(localName: string, targName: string): boolean {
  if (targName === "") return localName === "";
  return essentialEq(localName, targName);
}

/** libbpf's __bpf_core_types_match (TYPE_MATCHES): names, kinds, sizes, members by name, recursively. */
export function coreTypesMatch(local: Btf, localId: number, targ: Btf, targId: number, behindPtr = false, level = DEPTH): boolean {
  if (level <= 0) failCore("EINVAL", "type nesting too deep");
  for (let depth = DEPTH; ; ) {
    if (--depth < 0) failCore("EINVAL", "type nesting too deep");
    const l = skip(local, localId);
    const t = skip(targ, targId);
    const lt = l.type;
    const tt = t.type;
    if (!namesMatch(lt.name, tt.name)) return false;
    switch (lt.kind) {
      case "VOID":
        return tt.kind === "VOID";
      case "FWD":
        if (behindPtr) {
          if (tt.kind === "FWD") return lt.kflag === tt.kflag;
          return (tt.kind === "STRUCT" && !lt.kflag) || (tt.kind === "UNION" && lt.kflag);
        }
        return tt.kind === "FWD" && lt.kflag === tt.kflag;
      case "ENUM":
      case "ENUM64": {
        if (!isAnyEnum(tt)) return false;
        if (lt.size !== tt.size || lt.values.length > tt.values.length) return false;
        return lt.values.every((lv) => tt.values.some((tv) => namesMatch(lv.name, tv.name)));
      }
      case "STRUCT":
      case "UNION":
        if (behindPtr) {
          if (lt.kind === tt.kind) return true;
          if (tt.kind !== "FWD") return false;
          return (lt.kind === "UNION") === tt.kflag;
        }
        if (lt.kind !== tt.kind) return false;
        if (lt.members.length > (tt as typeof lt).members.length) return false;
        for (const lm of lt.members) {
          let matched = false;
          for (const tm of (tt as typeof lt).members) {
            if (!namesMatch(lm.name, tm.name)) continue;
            if (coreTypesMatch(local, lm.type, targ, tm.type, behindPtr, level - 1)) {
              matched = true;
              break;
            }
          }
          if (!matched) return false;
        }
        return true;
      case "INT":
        if (tt.kind !== "INT") return false;
        return lt.size === tt.size && (lt.encoding & BTF_INT_SIGNED) === (tt.encoding & BTF_INT_SIGNED);
      case "PTR":
        if (tt.kind !== "PTR") return false;
        behindPtr = true;
        localId = lt.type;
        targId = tt.type;
        continue;
      case "ARRAY":
        if (tt.kind !== "ARRAY" || lt.nelems !== tt.nelems) return false;
        localId = lt.type;
        targId = tt.type;
        continue;
      case "FUNC_PROTO": {
        if (tt.kind !== "FUNC_PROTO" || lt.params.length !== tt.params.length) return false;
        for (let i = 0; i < lt.params.length; i++) {
          if (!coreTypesMatch(local, lt.params[i]!.type, targ, tt.params[i]!.type, behindPtr, level - 1)) return false;
        }
        localId = lt.type;
        targId = tt.type;
        continue;
      }
      default:
        return false;
    }
  }
}

/**
 * Candidates for local type `localId` in `targ`: every type of a compatible kind whose name,
 * without its `___flavor` suffix, equals the local one's (libbpf's bpf_core_add_cands).
 */
export function findCoreCandidates(local: Btf, localId: number, targ: Btf, startId = 1): CoreCandidate[] {
  const lt = local.type(localId) ?? failCore("EINVAL", `local type id ${localId} out of range`);
  if (lt.name === "") failCore("EINVAL", `target candidate search failed for [${localId}] ${kindStr(lt)} <anon>: anonymous types cannot be relocated`);
  const len = essentialNameLength(lt.name);
  const ess = lt.name.slice(0, len);
  const out: CoreCandidate[] = [];
  for (const id of targ.idsByEssentialName(ess)) {
    if (id < startId || !kindCompat(targ.types[id]!, lt)) continue;
    out.push({ btf: targ, id });
  }
  return out;
}

interface MutSpec {
  btf: Btf;
  rootTypeId: number;
  kind: number;
  spec: CoreAccessor[];
  raw: number[];
  bitOffset: number;
}

function matchMember(localBtf: Btf, localAcc: CoreAccessor, targBtf: Btf, targId: number, spec: MutSpec, next: { id: number }): number {
  const r = skip(targBtf, targId);
  targId = r.id;
  const tt = r.type;
  if (!isComposite(tt)) return 0;
  const lt = localBtf.typeById(localAcc.typeId);
  if (!isComposite(lt)) failCore("EINVAL", `local accessor type [${localAcc.typeId}] is not a struct/union`);
  const lm = (lt as BtfComposite).members[localAcc.idx]!;
  for (let i = 0; i < tt.members.length; i++) {
    const m = tt.members[i]!;
    if (spec.raw.length === CORE_SPEC_MAX_LEN) failCore("E2BIG", "struct/union/array nesting too deep");
    spec.bitOffset += m.bitOffset;
    spec.raw.push(i);
    if (m.name === "") {
      const found = matchMember(localBtf, localAcc, targBtf, m.type, spec, next);
      if (found !== 0) return found;
    } else if (m.name === lm.name) {
      spec.spec.push({ typeId: targId, idx: i, name: m.name });
      next.id = m.type;
      const ok = fieldsAreCompat(localBtf, lm.type, targBtf, m.type);
      if (!ok) spec.spec.pop();
      return ok ? 1 : 0;
    }
    spec.bitOffset -= m.bitOffset;
    spec.raw.pop();
  }
  return 0;
}

/** Match a local spec against candidate `targId` (libbpf's bpf_core_spec_match); undefined when it does not match. */
export function matchCoreSpec(local: CoreSpec, targ: Btf, targId: number): CoreSpec | undefined {
  const spec: MutSpec = { btf: targ, rootTypeId: targId, kind: local.kind, spec: [], raw: [], bitOffset: 0 };
  return matchInto(local, spec) ? spec : undefined;
}

/** The matching itself; `spec` holds what was matched so far, also when the answer is no (libbpf logs it). */
function matchInto(local: CoreSpec, spec: MutSpec): boolean {
  const targ = spec.btf;
  const targId = spec.rootTypeId;
  if (isTypeBased(local.kind)) {
    const ok = local.kind === K.TYPE_MATCHES ? coreTypesMatch(local.btf, local.rootTypeId, targ, targId) : coreTypesAreCompat(local.btf, local.rootTypeId, targ, targId);
    return ok;
  }
  const acc0 = local.spec[0]!;
  if (isEnumvalBased(local.kind)) {
    const r = skip(targ, targId);
    if (!isAnyEnum(r.type)) return false;
    const name = acc0.name ?? "";
    const i = r.type.values.findIndex((v) => essentialEq(name, v.name));
    if (i < 0) return false;
    spec.spec.push({ typeId: r.id, idx: i, name: r.type.values[i]!.name });
    spec.raw.push(i);
    return true;
  }
  if (!isFieldBased(local.kind)) failCore("EINVAL", `unknown relocation kind ${local.kind}`);
  const next = { id: targId };
  for (let i = 0; i < local.spec.length; i++) {
    const la = local.spec[i]!;
    const r = skip(targ, next.id);
    next.id = r.id;
    if (la.name !== undefined) {
      if (matchMember(local.btf, la, targ, next.id, spec, next) <= 0) return false;
    } else {
      if (i > 0) {
        if (r.type.kind !== "ARRAY") return false;
        const flex = isFlexArray(targ, spec.spec[spec.spec.length - 1], r.type);
        if (!flex && la.idx >= r.type.nelems) return false;
        next.id = skip(targ, r.type.type).id;
      }
      if (spec.raw.length === CORE_SPEC_MAX_LEN) failCore("E2BIG", "struct/union/array nesting too deep");
      spec.spec.push({ typeId: next.id, idx: la.idx, name: undefined });
      spec.raw.push(la.idx);
      spec.bitOffset += la.idx * resolveSize(targ, next.id) * 8;
    }
  }
  return true;
}

interface FieldVal {
  val: bigint;
  size: number;
  typeId: number;
  validate: boolean;
}

const POISON = Symbol("poison");

function elemSize(btf: Btf, id: number): { size: number; id: number } {
  let r = skip(btf, id);
  for (let d = 0; r.type.kind === "ARRAY"; d++) {
    if (d > DEPTH) failCore("EINVAL", "array nesting too deep");
    r = skip(btf, r.type.type);
  }
  return { size: btf.resolveSize(r.id) ?? failCore("EINVAL", `type [${r.id}] has no size`), id: r.id };
}

function calcFieldRelo(kind: number, spec: CoreSpec | undefined, insnIdx: number): FieldVal | typeof POISON {
  const out: FieldVal = { val: 0n, size: 0, typeId: 0, validate: true };
  if (kind === K.FIELD_EXISTS) {
    out.val = spec !== undefined ? 1n : 0n;
    return out;
  }
  if (spec === undefined) return POISON;
  const acc = spec.spec[spec.spec.length - 1]!;
  const btf = spec.btf;
  if (acc.name === undefined) {
    if (kind === K.FIELD_BYTE_OFFSET) {
      out.val = BigInt(Math.floor(spec.bitOffset / 8));
      const e = elemSize(btf, acc.typeId);
      out.size = e.size;
      out.typeId = acc.typeId;
    } else if (kind === K.FIELD_BYTE_SIZE) {
      out.val = BigInt(resolveSize(btf, acc.typeId));
    } else {
      failCore("EINVAL", `relo ${kind} at insn #${insnIdx} can't be applied to array access`);
    }
    out.validate = true;
    return out;
  }
  const t = btf.typeById(acc.typeId);
  if (!isComposite(t)) failCore("EINVAL", `accessor type [${acc.typeId}] is not a struct/union`);
  const m = (t as BtfComposite).members[acc.idx]!;
  const mr = skip(btf, m.type);
  const bitOff = spec.bitOffset;
  let bitSz = m.bitfieldSize;
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    byteSz = "size" in mr.type && typeof mr.type.size === "number" ? mr.type.size : 0;
    if (byteSz === 0) failCore("EINVAL", `bitfield of type [${mr.id}] without a size`);
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) failCore("E2BIG", `relo ${kind} at insn #${insnIdx} can't be satisfied for bitfield`);
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    byteSz = resolveSize(btf, mr.id);
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  out.validate = !bitfield;
  switch (kind) {
    case K.FIELD_BYTE_OFFSET:
      out.val = BigInt(byteOff);
      if (!bitfield) {
        out.size = elemSize(btf, mr.id).size;
        out.typeId = mr.id;
      }
      break;
    case K.FIELD_BYTE_SIZE:
      out.val = BigInt(byteSz);
      break;
    case K.FIELD_SIGNED:
      out.val = (isAnyEnum(mr.type) && mr.type.kflag) || (mr.type.kind === "INT" && (intEncoding(mr.type) & BTF_INT_SIGNED) !== 0) ? 1n : 0n;
      out.validate = true;
      break;
    case K.FIELD_LSHIFT_U64:
      out.val = BigInt.asUintN(64, BigInt(64 - (bitOff + bitSz - byteOff * 8)));
      break;
    case K.FIELD_RSHIFT_U64:
      out.val = BigInt.asUintN(64, BigInt(64 - bitSz));
      out.validate = true;
      break;
    default:
      failCore("EOPNOTSUPP", `unrecognized CO-RE relocation ${coreReloKindStr(kind)} (${kind})`);
  }
  return out;
}

function calcTypeRelo(kind: number, spec: CoreSpec | undefined): bigint {
  if (spec === undefined) return 0n;
  switch (kind) {
    case K.TYPE_ID_TARGET:
      return BigInt(spec.rootTypeId);
    case K.TYPE_EXISTS:
    case K.TYPE_MATCHES:
      return 1n;
    case K.TYPE_SIZE:
      return BigInt(resolveSize(spec.btf, spec.rootTypeId));
    default:
      return failCore("EOPNOTSUPP", `unrecognized CO-RE relocation ${coreReloKindStr(kind)} (${kind})`);
  }
}

function calcEnumvalRelo(kind: number, spec: CoreSpec | undefined): bigint | typeof POISON {
  if (kind === K.ENUMVAL_EXISTS) return spec !== undefined ? 1n : 0n;
  if (kind !== K.ENUMVAL_VALUE) failCore("EOPNOTSUPP", `unrecognized CO-RE relocation ${coreReloKindStr(kind)} (${kind})`);
  if (spec === undefined) return POISON;
  const acc = spec.spec[0]!;
  const t = spec.btf.typeById(acc.typeId);
  if (!isAnyEnum(t)) failCore("EINVAL", `enum accessor type [${acc.typeId}] is not an enum`);
  const v = (t as BtfEnum).values[acc.idx]!.value;
  // an ENUM value is a __s32 widened to __u64 (sign-extended whatever the kind flag); ENUM64 is a __u64
  return t.kind === "ENUM" ? BigInt.asUintN(64, BigInt.asIntN(32, v)) : BigInt.asUintN(64, v);
}

/** Original and new values for one relocation and one target spec (libbpf's bpf_core_calc_relo). */
export function calcCoreRelo(relo: CoreRelo, local: CoreSpec, targ: CoreSpec | undefined): CoreReloResult {
  const insnIdx = Math.floor(relo.insnOff / 8);
  const base = { localSpec: local, targetSpec: targ, failMemszAdjust: false, origSize: 0, newSize: 0, origTypeId: 0, newTypeId: 0 };
  const poisoned = (): CoreReloResult => ({ ...base, origVal: 0n, newVal: 0n, poison: true, validate: true });
  if (isFieldBased(relo.kind)) {
    const o = calcFieldRelo(relo.kind, local, insnIdx);
    if (o === POISON) return poisoned();
    const n = calcFieldRelo(relo.kind, targ, insnIdx);
    if (n === POISON) return { ...poisoned(), origVal: o.val, validate: o.validate, origSize: o.size, origTypeId: o.typeId };
    let failMemszAdjust = false;
    if (o.size !== n.size) {
      const ot = local.btf.type(o.typeId);
      const nt = targ?.btf.type(n.typeId);
      const safe =
        (ot?.kind === "PTR" && nt?.kind === "PTR") ||
        (ot?.kind === "INT" && nt?.kind === "INT" && ot.encoding !== BTF_INT_SIGNED && nt.encoding !== BTF_INT_SIGNED);
      failMemszAdjust = !safe;
    }
    return { ...base, origVal: o.val, newVal: n.val, poison: false, validate: o.validate, failMemszAdjust, origSize: o.size, newSize: n.size, origTypeId: o.typeId, newTypeId: n.typeId };
  }
  if (isTypeBased(relo.kind)) {
    const origVal = calcTypeRelo(relo.kind, local);
    const newVal = calcTypeRelo(relo.kind, targ);
    return { ...base, origVal, newVal, poison: false, validate: relo.kind !== K.TYPE_ID_TARGET };
  }
  if (isEnumvalBased(relo.kind)) {
    const o = calcEnumvalRelo(relo.kind, local);
    if (o === POISON) return poisoned();
    const n = calcEnumvalRelo(relo.kind, targ);
    if (n === POISON) return { ...poisoned(), origVal: o };
    return { ...base, origVal: o, newVal: n, poison: false, validate: true };
  }
  return failCore("EOPNOTSUPP", `unrecognized CO-RE relocation ${coreReloKindStr(relo.kind)} (${relo.kind}) at insn #${insnIdx}`);
}

/** A spec as libbpf logs it: `<byte_off> [3] struct task.parent (0:3 @ offset 24)`. */
export function formatCoreSpec(spec: CoreSpec): string {
  const t = spec.btf.type(spec.rootTypeId);
  let s = `<${coreReloKindStr(spec.kind)}> [${spec.rootTypeId}] ${t === undefined ? "?" : kindStr(t)} ${t === undefined || t.name === "" ? "<anon>" : t.name}`;
  if (isTypeBased(spec.kind)) return s;
  if (isEnumvalBased(spec.kind)) {
    const r = spec.btf.skipModsAndTypedefs(spec.rootTypeId);
    const e = r !== undefined && isAnyEnum(r.type) ? r.type.values[spec.raw[0] ?? 0] : undefined;
    if (e !== undefined) s += `::${e.name} = ${e.value}`;
    return s;
  }
  spec.spec.forEach((a, i) => {
    if (a.name !== undefined) s += `.${a.name}`;
    else if (i > 0 || a.idx > 0) s += `[${a.idx}]`;
  });
  s += ` (${spec.raw.join(":")}`;
  s += spec.bitOffset % 8 !== 0 ? ` @ offset ${Math.floor(spec.bitOffset / 8)}.${spec.bitOffset % 8})` : ` @ offset ${spec.bitOffset / 8})`;
  return s;
}

/**
 * Resolve one relocation against the target BTF (libbpf's bpf_core_calc_relo_insn with its
 * candidate search): every matching candidate must give the same offset and value.
 */
export function resolveCoreRelo(relo: CoreRelo, local: Btf, targ: Btf, opts: CoreTargetOptions & CoreContext = {}): CoreReloResult {
  try {
    return resolveInner(relo, local, targ, opts);
  } catch (e) {
    throw toLoaderError(e, opts, relo.insnOff);
  }
}

/** Where candidates come from, and the cache that remembers them. */
export interface CoreTargetOptions {
  readonly cache?: CoreCandidateCache;
  /**
   * Module BTFs (split over the target): searched, from their own first id, only when the
   * target itself has no candidate, as libbpf does with the kernel's module BTFs.
   */
  readonly modules?: readonly Btf[];
}

function resolveInner(relo: CoreRelo, local: Btf, targ: Btf, opts: CoreTargetOptions & CoreContext): CoreReloResult {
  const log = (line: string): void => {
    opts.log?.push(`${prefix(opts)}${line}`);
  };
  const lt = local.type(relo.typeId) ?? failCore("EINVAL", `local type id ${relo.typeId} out of range (${local.typeCount} types)`);
  let cands = relo.kind === K.TYPE_ID_LOCAL ? [] : opts.cache?.get(relo.typeId);
  if (cands === undefined) {
    cands = findCoreCandidates(local, relo.typeId, targ);
    if (cands.length === 0) for (const m of opts.modules ?? []) for (const c of findCoreCandidates(local, relo.typeId, m, m.startId)) cands.push(c);
    opts.cache?.set(relo.typeId, cands);
    for (const c of cands) {
      const ct = c.btf.typeById(c.id);
      opts.log?.push(`CO-RE relocating [${relo.typeId}] ${kindStr(lt)} ${lt.name}: found target candidate [${c.id}] ${kindStr(ct)} ${ct.name} in [${c.btf.btfName}]`);
    }
  }
  let localSpec: CoreSpec;
  try {
    localSpec = parseCoreSpec(local, relo);
  } catch (e) {
    if (e instanceof CoreFailure) {
      failCore("EINVAL", `parsing [${relo.typeId}] ${kindStr(lt)} ${lt.name === "" ? "<anon>" : lt.name} + ${relo.accessStr} failed: ${e.message}`);
    }
    throw e;
  }
  log(formatCoreSpec(localSpec));
  if (relo.kind === K.TYPE_ID_LOCAL) {
    const v = BigInt(localSpec.rootTypeId);
    return { origVal: v, newVal: v, poison: false, validate: false, failMemszAdjust: false, origSize: 0, newSize: 0, origTypeId: 0, newTypeId: 0, localSpec, targetSpec: undefined };
  }
  let best: CoreReloResult | undefined;
  const kept: CoreCandidate[] = [];
  cands.forEach((c, i) => {
    const cs: MutSpec = { btf: c.btf, rootTypeId: c.id, kind: localSpec.kind, spec: [], raw: [], bitOffset: 0 };
    if (!matchInto(localSpec, cs)) {
      log(`non-matching candidate #${i} ${formatCoreSpec(cs)}`);
      return;
    }
    log(`matching candidate #${i} ${formatCoreSpec(cs)}`);
    const res = calcCoreRelo(relo, localSpec, cs);
    if (best === undefined) best = res;
    else if (cs.bitOffset !== best.targetSpec!.bitOffset) {
      failCore("EINVAL", `field offset ambiguity: ${cs.bitOffset} != ${best.targetSpec!.bitOffset}`);
    } else if (res.poison !== best.poison || res.newVal !== best.newVal) {
      failCore(
        "EINVAL",
        `relocation decision ambiguity: ${res.poison ? "failure" : "success"} ${res.newVal} != ${best.poison ? "failure" : "success"} ${best.newVal}`,
      );
    }
    kept.push(c);
  });
  if (kept.length > 0 && opts.cache !== undefined) opts.cache.set(relo.typeId, kept);
  if (best === undefined) {
    log("no matching targets found");
    best = calcCoreRelo(relo, localSpec, undefined);
  }
  return best;
}

function poisonInsn(): Insn {
  return insn(Class.JMP | JmpOp.CALL, 0, 0, 0, BPF_CORE_POISON_HELPER_ID);
}

const sizeBytesOf = (code: number): number => ({ 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 })[opSize(code)] ?? -1;
const sizeCodeOf = (bytes: number): number => ({ 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 })[bytes] ?? -1;

/**
 * Patch instruction `idx` of `insns` in place with a resolved relocation (libbpf's
 * bpf_core_patch_insn): ALU immediates, LDX/ST/STX offsets (and sizes), ld_imm64 values,
 * or poisoning. Throws a LoaderError when the instruction is not what the relocation expects.
 */
export function patchCoreInsn(insns: Insn[], idx: number, relo: CoreRelo, res: CoreReloResult, ctx: CoreContext = {}): "patched" | "poisoned" {
  try {
    return patchInner(insns, idx, res, ctx);
  } catch (e) {
    throw toLoaderError(e, ctx, relo.insnOff);
  }
}

function patchInner(insns: Insn[], idx: number, res: CoreReloResult, ctx: CoreContext): "patched" | "poisoned" {
  const ins = insns[idx] ?? failCore("EINVAL", `instruction #${idx} is past the end of the program (${insns.length} slots)`);
  const log = (line: string): void => {
    ctx.log?.push(`${prefix(ctx)}${line}`);
  };
  const poison = (): "poisoned" => {
    if (ins.code === LD_IMM64 && idx + 1 < insns.length) {
      log(`substituting insn #${idx + 1} w/ invalid insn`);
      insns[idx + 1] = poisonInsn();
    }
    log(`substituting insn #${idx} w/ invalid insn`);
    insns[idx] = poisonInsn();
    return "poisoned";
  };
  if (res.poison) return poison();
  const { origVal, newVal } = res;
  const cls = opClass(ins.code);
  switch (cls) {
    case Class.ALU:
    case Class.ALU64: {
      if (opSource(ins.code) !== Source.K) failCore("EINVAL", `insn #${idx} (ALU/ALU64) does not use an immediate`);
      if (res.validate && BigInt.asUintN(64, BigInt(ins.imm)) !== origVal) {
        failCore("EINVAL", `unexpected insn #${idx} (ALU/ALU64) value: got ${ins.imm}, exp ${origVal} -> ${newVal}`);
      }
      insns[idx] = insn(ins.code, ins.dst, ins.src, ins.off, Number(BigInt.asIntN(32, newVal)));
      log(`patched insn #${idx} (ALU/ALU64) imm ${BigInt.asUintN(64, BigInt(ins.imm))} -> ${newVal}`);
      return "patched";
    }
    case Class.LDX:
    case Class.ST:
    case Class.STX: {
      if (res.validate && BigInt.asUintN(64, BigInt(ins.off)) !== origVal) {
        failCore("EINVAL", `unexpected insn #${idx} (LDX/ST/STX) value: got ${ins.off}, exp ${origVal} -> ${newVal}`);
      }
      if (newVal > 0x7fffn) failCore("ERANGE", `insn #${idx} (LDX/ST/STX) value too big: ${newVal}`);
      if (res.failMemszAdjust) {
        log(`insn #${idx} (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size.`);
        return poison();
      }
      let code = ins.code;
      if (res.newSize !== res.origSize) {
        const have = sizeBytesOf(ins.code);
        if (have !== res.origSize) failCore("EINVAL", `insn #${idx} (LDX/ST/STX) unexpected mem size: got ${have}, exp ${res.origSize}`);
        const sz = sizeCodeOf(res.newSize);
        if (sz < 0) failCore("EINVAL", `insn #${idx} (LDX/ST/STX) invalid new mem size: ${res.newSize}`);
        code = opMode(ins.code) | sz | cls;
      }
      insns[idx] = insn(code, ins.dst, ins.src, Number(newVal), ins.imm);
      log(`patched insn #${idx} (LDX/ST/STX) off ${BigInt.asUintN(64, BigInt(ins.off))} -> ${newVal}`);
      if (code !== ins.code) log(`patched insn #${idx} (LDX/ST/STX) mem_sz ${res.origSize} -> ${res.newSize}`);
      return "patched";
    }
    case Class.LD: {
      const hi = insns[idx + 1];
      if (ins.code !== LD_IMM64 || ins.src !== 0 || ins.off !== 0 || hi === undefined || hi.code !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) {
        failCore("EINVAL", `insn #${idx} (LDIMM64) has unexpected form`);
      }
      const imm = (BigInt((hi as Insn).imm >>> 0) << 32n) | BigInt(ins.imm >>> 0);
      if (res.validate && imm !== origVal) failCore("EINVAL", `unexpected insn #${idx} (LDIMM64) value: got ${imm}, exp ${origVal} -> ${newVal}`);
      const v = BigInt.asUintN(64, newVal);
      insns[idx] = insn(ins.code, ins.dst, ins.src, ins.off, Number(BigInt.asIntN(32, v)));
      insns[idx + 1] = insn(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n)));
      log(`patched insn #${idx} (LDIMM64) imm64 ${imm} -> ${v}`);
      return "patched";
    }
    default:
      return failCore(
        "EINVAL",
        `trying to relocate unrecognized insn #${idx}, code:0x${ins.code.toString(16)}, src:0x${ins.src.toString(16)}, dst:0x${ins.dst.toString(16)}, off:0x${(ins.off & 0xffff).toString(16)}, imm:0x${(ins.imm >>> 0).toString(16)}`,
      );
  }
}

/** What happened to one relocation of applyCoreRelos. */
export interface AppliedCoreRelo {
  readonly relo: CoreRelo;
  readonly insnIdx: number;
  readonly result: CoreReloResult;
  readonly action: "patched" | "poisoned";
}

export interface ApplyCoreOptions extends CoreContext, CoreTargetOptions {
  /**
   * Byte offset of the program inside its section, when a section holds several programs
   * (`.text` subprograms): `relos` are then the whole section's records, those of other
   * programs are skipped, and `relo #i` keeps counting in the section as libbpf's log does.
   * Without it the section is the program and a record past its end is an error.
   */
  readonly sectionInsnOff?: number;
}

/**
 * Apply every CO-RE relocation of one program: returns the patched copy of `insns` and what
 * each relocation did. `relos` carry section byte offsets (as .BTF.ext has them).
 */
export function applyCoreRelos(
  insns: readonly Insn[],
  relos: readonly CoreRelo[],
  local: Btf,
  targ: Btf,
  opts: ApplyCoreOptions = {},
): { insns: Insn[]; applied: AppliedCoreRelo[] } {
  const out = [...insns];
  const applied: AppliedCoreRelo[] = [];
  const cache = opts.cache ?? new Map<number, CoreCandidate[]>();
  const base = opts.sectionInsnOff ?? 0;
  relos.forEach((relo, i) => {
    const ctx: ApplyCoreOptions & { cache: CoreCandidateCache } = { ...opts, reloIdx: i, cache };
    const where: { section?: string; offset: number } = { offset: relo.insnOff };
    if (opts.section !== undefined) where.section = opts.section;
    if (relo.insnOff % 8 !== 0) throw new LoaderError(`${prefix(ctx)}instruction offset ${relo.insnOff} is not a multiple of 8`, where);
    const insnIdx = (relo.insnOff - base) / 8;
    if (opts.sectionInsnOff !== undefined && (insnIdx < 0 || insnIdx >= out.length)) return; // another program's
    if (insnIdx < 0 || insnIdx >= out.length) {
      throw new LoaderError(`${prefix(ctx)}instruction #${insnIdx} is outside the program (${out.length} slots)`, where);
    }
    const result = resolveCoreRelo(relo, local, targ, ctx);
    const action = patchCoreInsn(out, insnIdx, relo, result, ctx);
    applied.push({ relo, insnIdx, result, action });
  });
  return { insns: out, applied };
}

/**
 * Rewrite the verifier's complaint about a reachable poisoned instruction the way libbpf
 * does before showing a load log: the two lines
 *   `N: (85) call unknown#195896080` / `invalid func unknown#195896080`
 * become `N: <invalid CO-RE relocation>` / `failed to resolve CO-RE relocation <spec>`,
 * where N is found among the program's applied relocations.
 */
export function fixupCoreReloVerifierLog(log: string, applied: readonly AppliedCoreRelo[]): string {
  const lines = log.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\d+): \((\d+)\) call unknown#195896080$/.exec(lines[i]!);
    if (m !== null && lines[i + 1]?.startsWith("invalid func unknown#195896080")) {
      const idx = Number(m[1]);
      const a = applied.find((x) => x.insnIdx === idx);
      if (a?.result.localSpec !== undefined) {
        out.push(`${idx}: <invalid CO-RE relocation>`, `failed to resolve CO-RE relocation ${formatCoreSpec(a.result.localSpec)}`);
        i++;
        continue;
      }
    }
    out.push(lines[i]!);
  }
  return out.join("\n");
}
