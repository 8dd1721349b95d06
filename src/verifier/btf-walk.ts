// Loads through BTF-typed kernel pointers (PTR_TO_BTF_ID): the walk of a struct by offset
// (btf_struct_walk / btf_struct_access in kernel/bpf/btf.c) and the trust a loaded pointer
// inherits (check_ptr_to_btf_access in kernel/bpf/verifier.c). The kernel's "safe" field lists
// (BTF_TYPE_SAFE_RCU / _TRUSTED and their _or_null forms) are structs of vmlinux's own BTF
// (`task_struct__safe_rcu`, ...), so they are read from the target BTF, not hard-coded here.
import { ERRNO } from "../errors.js";
import type { Btf, BtfType } from "../loader/btf.js";
import { fail } from "./reject.js";

/** Flags of a BTF pointer (enum bpf_type_flag bits that matter for PTR_TO_BTF_ID). */
export const BTF_FLAG = {
  /** PTR_TRUSTED: valid for the whole program (arguments of tp_btf and iterators, acquired objects) */
  TRUSTED: 1,
  /** MEM_RCU: valid inside the RCU read section */
  RCU: 2,
  /** PTR_UNTRUSTED: may be anything; loads through it are probe loads */
  UNTRUSTED: 4,
  /** MEM_PERCPU: a per-CPU address (`__percpu`), not dereferenceable */
  PERCPU: 8,
  /** MEM_USER: a user-space address (`__user`), not dereferenceable */
  USER: 16,
  /** MEM_RDONLY (untrusted memory from a `char *` field) */
  RDONLY: 32,
} as const;

/** The prefix reg_type_str gives a BTF pointer's flags ("trusted_", "rcu_", ...). */
export function btfFlagPrefix(flags: number): string {
  const F = BTF_FLAG;
  return (
    ((flags & F.RDONLY) !== 0 ? "rdonly_" : "") +
    ((flags & F.USER) !== 0 ? "user_" : "") +
    ((flags & F.PERCPU) !== 0 ? "percpu_" : "") +
    ((flags & F.RCU) !== 0 ? "rcu_" : "") +
    ((flags & F.UNTRUSTED) !== 0 ? "untrusted_" : "") +
    ((flags & F.TRUSTED) !== 0 ? "trusted_" : "")
  );
}

/** What a load through a BTF pointer yields (btf_struct_access's return). */
export type BtfLoad =
  | { readonly kind: "scalar" }
  | { readonly kind: "ptr"; readonly btfId: number; readonly flags: number; readonly field: string }
  /** a pointer to something not a struct: read-only untrusted memory (PTR_TO_MEM | MEM_RDONLY | PTR_UNTRUSTED) */
  | { readonly kind: "untrusted_mem" };

/** The type behind modifiers and typedefs (the kernel's btf_type_skip_modifiers). */
export function skipMods(btf: Btf, id: number): { id: number; type: BtfType } {
  return btf.skipModsAndTypedefs(id) ?? { id: 0, type: btf.types[0]! };
}

const isStruct = (t: BtfType): boolean => t.kind === "STRUCT" || t.kind === "UNION";

/** __btf_resolve_size: the size of a member type, arrays flattened to their element. */
function resolveMember(btf: Btf, id: number): { size: number; type: BtfType; id: number; elem: { type: BtfType; id: number; nelems: number } | null } | null {
  const base = skipMods(btf, id);
  if (base.type.kind !== "ARRAY") {
    const size = btf.resolveSize(id);
    return size === undefined ? null : { size, type: base.type, id: base.id, elem: null };
  }
  let nelems = 1;
  let cur = base;
  while (cur.type.kind === "ARRAY") {
    nelems *= cur.type.nelems;
    cur = skipMods(btf, cur.type.type);
  }
  const esize = btf.resolveSize(cur.id);
  if (esize === undefined) return null;
  return { size: esize * nelems, type: base.type, id: base.id, elem: { type: cur.type, id: cur.id, nelems } };
}

type Walk = { kind: "scalar" } | { kind: "struct"; id: number } | { kind: "ptr"; id: number; flags: number; field: string } | { kind: "untrusted_mem" };

/** btf_struct_walk: what lies at [off, off + size) of struct `startId`, descending into nested structs. */
function structWalk(btf: Btf, startId: number, off: number, size: number, flagsIn: number): { walk: Walk; flags: number } {
  let flags = flagsIn;
  let t = skipMods(btf, startId);
  for (let depth = 0; depth < 64; depth++) {
    const tname = t.type.name;
    if (t.type.kind !== "STRUCT" && t.type.kind !== "UNION") return fail(ERRNO.EINVAL, `Type '${tname}' is not a struct`);
    const st = t.type;
    // a union of several members: what a pointer loaded from it is cannot be known
    if (st.kind === "UNION" && st.members.length !== 1) flags |= BTF_FLAG.UNTRUSTED;
    if (off + size > st.size) {
      // a flexible array at the end may be indexed past the struct's size
      const last = st.members[st.members.length - 1];
      const beyond = (): never => fail(ERRNO.EACCES, `access beyond struct ${tname} at off ${off} size ${size}`);
      if (last === undefined) return beyond();
      const at = skipMods(btf, last.type);
      if (at.type.kind !== "ARRAY" || at.type.nelems !== 0) return beyond();
      const moff = Math.floor(last.bitOffset / 8);
      if (off < moff) return beyond();
      const elem = skipMods(btf, at.type.type);
      if (elem.type.kind === "INT") return { walk: { kind: "scalar" }, flags };
      if (!isStruct(elem.type)) return beyond();
      const esize = (elem.type as { size: number }).size;
      if (esize === 0) return beyond();
      off = (off - moff) % esize;
      t = elem;
      continue;
    }
    let next: { id: number; type: BtfType } | null = null;
    for (const m of st.members) {
      let moff = Math.floor(m.bitOffset / 8);
      if (off + size <= moff) break;
      if (m.bitfieldSize !== 0) {
        const endBit = m.bitOffset + m.bitfieldSize;
        // a read covering the whole bitfield (clang emits no member for anonymous padding bits)
        if (off <= moff && Math.ceil(endBit / 8) <= off + size) return { walk: { kind: "scalar" }, flags };
        continue;
      }
      if (off < moff) break;
      const r = resolveMember(btf, m.type);
      if (r === null) return fail(ERRNO.EFAULT, `field ${m.name} doesn't have size`);
      let msize = r.size;
      let mtype = r.type;
      let mid = r.id;
      const mtrueEnd = moff + msize;
      if (off >= mtrueEnd) continue;
      if (r.elem !== null) {
        // an empty array holds nothing
        if (moff === mtrueEnd) continue;
        msize = msize / r.elem.nelems;
        const idx = Math.floor((off - moff) / msize);
        moff += idx * msize;
        mtype = r.elem.type;
        mid = r.elem.id;
      }
      if (isStruct(mtype)) {
        if (off === moff) return { walk: { kind: "struct", id: mid }, flags };
        off -= moff;
        next = { id: mid, type: mtype };
        break;
      }
      if (mtype.kind === "PTR") {
        if (msize !== size || off !== moff) {
          return fail(ERRNO.EACCES, `cannot access ptr member ${m.name} with moff ${moff} in struct ${tname} with off ${off} size ${size}`);
        }
        let tag = 0;
        const pointee = btf.type(mtype.type);
        if (pointee !== undefined && pointee.kind === "TYPE_TAG" && !pointee.kflag) {
          if (pointee.name === "user") tag = BTF_FLAG.USER;
          else if (pointee.name === "percpu") tag = BTF_FLAG.PERCPU;
          else if (pointee.name === "rcu") tag = BTF_FLAG.RCU;
        }
        const s = skipMods(btf, mtype.type);
        if (isStruct(s.type)) return { walk: { kind: "ptr", id: s.id, flags: flags | tag, field: m.name }, flags };
        return { walk: { kind: "untrusted_mem" }, flags };
      }
      // an int member may be read as a wider window that stays inside it (skb->cb[] style scratch)
      if (off + size > mtrueEnd && (flags & BTF_FLAG.UNTRUSTED) === 0) {
        return fail(ERRNO.EACCES, `access beyond the end of member ${m.name} (mend:${mtrueEnd}) in struct ${tname} with off ${off} size ${size}`);
      }
      return { walk: { kind: "scalar" }, flags };
    }
    if (next === null) return fail(ERRNO.EINVAL, `struct ${tname} doesn't have field at offset ${off}`);
    t = next;
  }
  return fail(ERRNO.EINVAL, `struct ${t.type.name} nests too deep`);
}

/** btf_struct_access: a read of `size` bytes at `off` of struct `btfId`. */
export function btfStructAccess(btf: Btf, btfId: number, off: number, size: number): BtfLoad {
  let id = btfId;
  let flags = 0;
  for (let guard = 0; guard < 64; guard++) {
    const r = structWalk(btf, id, off, size, flags);
    flags = r.flags;
    const w = r.walk;
    if (w.kind === "scalar") return { kind: "scalar" };
    if (w.kind === "untrusted_mem") return { kind: "untrusted_mem" };
    if (w.kind === "ptr") return { kind: "ptr", btfId: w.id, flags: w.flags, field: w.field };
    // a nested struct starting exactly at `off`: continue inside it
    id = w.id;
    off = 0;
  }
  return fail(ERRNO.EINVAL, "struct nests too deep");
}

/**
 * btf_nested_type_is_trusted: whether vmlinux lists `field` of struct `owner` in its
 * `<owner><suffix>` struct with a pointer to the same struct type as `target`.
 */
export function safeField(btf: Btf, owner: number, field: string, target: number, suffix: string): boolean {
  const ownerName = skipMods(btf, owner).type.name;
  if (ownerName === "") return false;
  const targetName = skipMods(btf, target).type.name;
  for (const id of btf.findByName(`${ownerName}${suffix}`, "STRUCT")) {
    const t = btf.types[id]!;
    if (t.kind !== "STRUCT") continue;
    for (const m of t.members) {
      if (m.name !== field) continue;
      const p = skipMods(btf, m.type);
      if (p.type.kind !== "PTR") continue;
      if (skipMods(btf, p.type.type).type.name === targetName) return true;
    }
  }
  return false;
}

/**
 * The flags of a pointer loaded from a BTF pointer with flags `parent` (check_ptr_to_btf_access):
 * untrusted stays untrusted; from a trusted or RCU pointer, the safe lists decide, else the
 * pointer is untrusted; from a plain pointer, untrusted too.
 */
export function loadedPtrFlags(btf: Btf, parent: { btfId: number; flags: number; nullable: boolean }, loaded: { btfId: number; flags: number; field: string }, inRcu: boolean): { flags: number; nullable: boolean } {
  const F = BTF_FLAG;
  let flags = loaded.flags;
  if ((parent.flags & F.UNTRUSTED) !== 0) return { flags: F.UNTRUSTED, nullable: false };
  const trusted = (parent.flags & F.TRUSTED) !== 0;
  const rcu = (parent.flags & F.RCU) !== 0;
  // from a plain pointer (fentry arguments, iterator objects): Linux 6.18 marks the result untrusted
  // (observed: ptr_file()->f_inode is untrusted_ptr_inode())
  if (!trusted && !rcu) return { flags: F.UNTRUSTED, nullable: false };
  const listed = (suffix: string): boolean => safeField(btf, parent.btfId, loaded.field, loaded.btfId, suffix);
  if (listed("__safe_trusted")) return { flags: flags | F.TRUSTED, nullable: false };
  if (listed("__safe_trusted_or_null")) return { flags: flags | F.TRUSTED, nullable: true };
  if (!inRcu || parent.nullable) return { flags: F.UNTRUSTED, nullable: false };
  if (listed("__safe_rcu")) return { flags: flags | F.RCU, nullable: false };
  if ((flags & F.RCU) !== 0 || listed("__safe_rcu_or_null")) {
    flags |= F.RCU;
    if (listed("__safe_rcu_or_null")) flags &= ~F.UNTRUSTED;
    return { flags, nullable: true };
  }
  if ((flags & (F.PERCPU | F.USER)) !== 0) return { flags, nullable: false };
  // an unlisted field of a trusted or RCU object: Linux 6.18 marks it untrusted
  // (observed: rcu_ptr_task_struct()->mm is untrusted_ptr_mm_struct())
  return { flags: F.UNTRUSTED, nullable: false };
}

/**
 * The names of the structs that start at byte `off` of struct `id`: it (at 0), the struct
 * member there and, in turn, theirs (btf_struct_ids_match's walk: &file->f_path is a path,
 * a bpf_cpumask is a cpumask).
 */
export function structsAt(btf: Btf, id: number, off: number): string[] {
  const out: string[] = [];
  let t = btf.skipModsAndTypedefs(id);
  for (let depth = 0; t !== undefined && depth < 16; depth++) {
    if (t.type.kind !== "STRUCT" && t.type.kind !== "UNION") break;
    if (off === 0) out.push(t.type.name);
    const m = t.type.members.find((x) => x.bitfieldSize === 0 && x.bitOffset / 8 <= off && off < x.bitOffset / 8 + (btf.resolveSize(x.type) ?? 0));
    if (m === undefined) break;
    off -= m.bitOffset / 8;
    t = btf.skipModsAndTypedefs(m.type);
  }
  return out;
}
