// Verifier state: registers (struct bpf_reg_state), stack slots (struct bpf_stack_state),
// call frames (struct bpf_func_state), and their printing in the kernel's log format
// (print_verifier_state / print_reg_state in kernel/bpf/log.c, Linux 6.18 style).
import * as S from "./scalar.js";
import type { Scalar } from "./scalar.js";
import * as T from "./tnum.js";
import type { MapDef } from "./types.js";
import { btfFlagPrefix } from "./btf-walk.js";

export type RegType =
  | "not_init"
  | "scalar"
  | "ctx"
  | "fp"
  | "map_ptr"
  | "map_value"
  | "pkt"
  | "pkt_meta"
  | "pkt_end"
  | "sock_common"
  | "ringbuf_mem"
  | "map_key"
  | "func"
  /** PTR_TO_BTF_ID: a kernel object typed by the target BTF (btfId, btfFlags) */
  | "btf_id"
  /** PTR_TO_MEM | MEM_RDONLY | PTR_UNTRUSTED: what a `char *`-like field of a kernel struct gives */
  | "untrusted_mem"
  /** PTR_TO_MEM | MEM_RDONLY of memSize bytes: a kernel function's address (ld_imm64 of a kfunc) */
  | "rdonly_mem";

export interface Reg {
  readonly type: RegType;
  /** PTR_MAYBE_NULL */
  readonly nullable: boolean;
  /** fixed offset of a pointer */
  readonly off: number;
  /** the scalar's value, or a pointer's variable offset */
  readonly v: Scalar;
  readonly id: number;
  /** index into the program's maps (map_ptr, map_value) */
  readonly map: number;
  /** frame a stack pointer points into */
  readonly frameno: number;
  /** bytes past the packet pointer known to be inside the packet */
  readonly range: number;
  /** scalars: `off` is a delta against the registers sharing `id` (BPF_ADD_CONST) */
  readonly addConst: boolean;
  /** the acquired reference this pointer belongs to (ringbuf records), 0 if none */
  readonly refObjId: number;
  /** size of the memory a ringbuf_mem pointer points to */
  readonly memSize: number;
  /** func: the callback's first instruction */
  readonly callback: number;
  /** btf_id: the struct's type id in the target BTF, its name, and its BTF_FLAG bits */
  readonly btfId: number;
  readonly btfName: string;
  readonly btfFlags: number;
}

const ZERO = S.scalarKnown(0n);
export const NOT_INIT: Reg = { type: "not_init", nullable: false, off: 0, v: ZERO, id: 0, map: -1, frameno: 0, range: 0, addConst: false, refObjId: 0, memSize: 0, callback: -1, btfId: 0, btfName: "", btfFlags: 0 };
export const scalarReg = (v: Scalar, id = 0): Reg => ({ ...NOT_INIT, type: "scalar", v, id });
export const unknownReg = (): Reg => scalarReg(S.scalarUnknown());
export const constReg = (x: bigint): Reg => scalarReg(S.scalarKnown(x));
export const ptrReg = (type: RegType, extra: Partial<Reg> = {}): Reg => ({ ...NOT_INIT, type, ...extra });

export const isPointer = (r: Reg): boolean => r.type !== "scalar" && r.type !== "not_init";
export const isPkt = (r: Reg): boolean => r.type === "pkt" || r.type === "pkt_meta";

/** Byte kinds of a stack slot, index j as the kernel's slot_type[j] (j = 7 is the lowest address). */
export type ByteKind = "?" | "m" | "0" | "r";

export interface Slot {
  readonly types: readonly ByteKind[];
  readonly spill: Reg | null;
}
export const EMPTY_SLOT: Slot = { types: ["?", "?", "?", "?", "?", "?", "?", "?"], spill: null };

export interface Frame {
  regs: Reg[];
  /** slot k covers [-(k+1)*8, -k*8) from the frame pointer */
  stack: Slot[];
  readonly callsite: number;
  readonly subprog: number;
  readonly frameno: number;
  /** a callback frame (bpf_loop, bpf_for_each_map_elem): its exit returns to the call */
  readonly inCallback: boolean;
  /** how many callback visits were scheduled from this frame's current call */
  callbackDepth: number;
}

/** An acquired reference (struct bpf_reference_state): its id and the acquiring instruction. */
export interface RefState {
  readonly id: number;
  readonly insn: number;
}

/** The bpf_spin_lock held: the map and the id of the map value pointer it was taken through. */
export interface LockState {
  readonly map: number;
  readonly id: number;
}

export interface State {
  frames: Frame[];
  refs: RefState[];
  lock: LockState | null;
  /** active_rcu_locks: bpf_rcu_read_lock calls not yet unlocked */
  rcuLock: number;
}

export const cur = (s: State): Frame => s.frames[s.frames.length - 1]!;

export function cloneState(s: State): State {
  return { frames: s.frames.map((f) => ({ ...f, regs: f.regs.slice(), stack: f.stack.slice() })), refs: s.refs.slice(), lock: s.lock, rcuLock: s.rcuLock };
}

export function newFrame(callsite: number, subprog: number, frameno: number, inCallback = false): Frame {
  const regs = Array.from({ length: 11 }, () => NOT_INIT);
  regs[10] = ptrReg("fp", { frameno });
  return { regs, stack: [], callsite, subprog, frameno, inCallback, callbackDepth: 0 };
}

// ------------------------------------------------------------------ printing

/** reg_type_str: a BTF pointer is "<flags>ptr_" ("ptr_or_null_" when it may be null); print_reg_state adds its struct's name. */
export const regTypeStr = (r: Reg): string => {
  if (r.type === "btf_id") return `${btfFlagPrefix(r.btfFlags)}ptr_${r.nullable ? "or_null_" : ""}`;
  if (r.type === "untrusted_mem") return `rdonly_untrusted_mem${r.nullable ? "_or_null" : ""}`;
  if (r.type === "rdonly_mem") return `rdonly_mem${r.nullable ? "_or_null" : ""}`;
  const base = r.type === "sock_common" ? "sock_common" : r.type;
  return r.nullable ? `${base}_or_null` : base;
};

const hexOrDec = (v: bigint): string => S.formatScalar(S.scalarKnown(v));

/** The scalar-range part of a pointer's variable offset (print_scalar_ranges + var_off). */
function rangeParts(v: Scalar): string[] {
  const text = S.formatScalar(v);
  const inner = text.startsWith("scalar(") ? text.slice(7, -1) : "";
  return inner === "" ? [] : [inner];
}

export function formatReg(r: Reg, maps: readonly MapDef[], curFrameno: number): string {
  if (r.type === "scalar") {
    if (T.isConst(r.v.varOff)) return S.formatScalar(r.v);
    const t = S.formatScalar(r.v);
    const id = r.addConst ? `${r.id}${r.off >= 0 ? "+" : ""}${r.off}` : `${r.id}`;
    return r.id !== 0 ? t.replace("scalar(", `scalar(id=${id}${t === "scalar()" ? "" : ","}`) : t;
  }
  if (r.type === "fp" && T.isConst(r.v.varOff)) {
    const frame = r.frameno !== curFrameno ? `[${r.frameno}]` : "";
    return `fp${frame}${r.off + Number(BigInt.asIntN(64, r.v.varOff.value))}`;
  }
  const parts: string[] = [];
  if (r.id !== 0) parts.push(`id=${r.id}`);
  if (r.refObjId !== 0) parts.push(`ref_obj_id=${r.refObjId}`);
  if (r.off !== 0) parts.push(`off=${r.off}`);
  if (isPkt(r)) parts.push(`r=${r.range}`);
  if (r.type === "ringbuf_mem" || r.type === "untrusted_mem" || r.type === "rdonly_mem") parts.push(`sz=${r.memSize}`);
  if (r.type === "map_ptr" || r.type === "map_value" || r.type === "map_key") {
    const m = maps[r.map];
    if (m !== undefined) parts.push(`${m.name !== undefined && m.name !== "" ? `map=${m.name},` : ""}ks=${m.keySize},vs=${m.valueSize}`);
  }
  if (T.isConst(r.v.varOff)) {
    if (r.v.varOff.value !== 0n) parts.push(`imm=${r.v.varOff.value.toString(16)}`);
  } else {
    parts.push(...rangeParts(r.v));
  }
  const frame = r.type === "fp" && r.frameno !== curFrameno ? `[${r.frameno}]` : "";
  return `${regTypeStr(r)}${r.type === "btf_id" ? r.btfName : ""}${frame}(${parts.join(",")})`;
}

export function formatSlot(k: number, s: Slot, maps: readonly MapDef[], curFrameno: number): string | null {
  if (s.types.every((t) => t === "?")) return null;
  const name = ` fp${-(k + 1) * 8}`;
  if (s.types[7] === "r" && s.spill !== null) {
    const j = s.types.indexOf("r");
    return `${name}=${s.types.slice(0, j).join("")}${formatReg(s.spill, maps, curFrameno)}`;
  }
  return `${name}=${s.types.join("")}`;
}

/** print_verifier_state: every initialised register and stack slot (or only the scratched ones). */
export function formatFrame(f: Frame, maps: readonly MapDef[], only?: { regs: Set<number>; slots: Set<number> }): string {
  let out = f.frameno !== 0 ? ` frame${f.frameno}:` : "";
  f.regs.forEach((r, i) => {
    if (r.type === "not_init") return;
    if (only !== undefined && !only.regs.has(i)) return;
    out += ` R${i}=${formatReg(r, maps, f.frameno)}`;
  });
  f.stack.forEach((s, k) => {
    if (only !== undefined && !only.slots.has(k)) return;
    const t = formatSlot(k, s, maps, f.frameno);
    if (t !== null) out += t;
  });
  return out;
}

export { hexOrDec };

/** The acquired references print_verifier_state appends (" refs=2,5"), or "". */
export const refsText = (s: State): string => (s.refs.length === 0 ? "" : ` refs=${s.refs.map((r) => r.id).join(",")}`);

/** Every register and spilled register of every frame, replaced by `fn(reg)`. */
export function forEachReg(s: State, fn: (r: Reg) => Reg): void {
  for (const f of s.frames) {
    for (let i = 0; i < f.regs.length; i++) f.regs[i] = fn(f.regs[i]!);
    for (let k = 0; k < f.stack.length; k++) {
      const sl = f.stack[k]!;
      if (sl.spill !== null) {
        const n = fn(sl.spill);
        if (n !== sl.spill) f.stack[k] = { types: sl.types, spill: n };
      }
    }
  }
}
