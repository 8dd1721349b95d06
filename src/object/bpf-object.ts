// BpfObject: libbpf's bpf_object__open / __load (cilium-ebpf's CollectionSpec / Collection)
// on wabpf's simulated machine. open() parses; load() creates the maps (global data written
// and .rodata frozen), applies CO-RE, verifies every program as Linux would and compiles it.
import { readInput } from "../exec/read-input.js";
import { EbpfError, LoaderError, NotSupportedError, atBoundary } from "../errors.js";
import { isMapReference } from "../isa/opcode.js";
import type { Insn } from "../isa/insn.js";
import type { RunResult } from "../exec/run.js";
import type { KfuncImpl, KfuncRegistry } from "../exec/kfuncs.js";
import type { EngineName, PreparedProgram } from "../runtime/engine.js";
import type { VerifyResult } from "../verifier/index.js";
import { refusedResult } from "../verifier/types.js";
import { VerifierError } from "../verifier/error.js";
import { createMachine, type Machine } from "../runtime/machine.js";
import type { BpfMap } from "../runtime/maps.js";
import { openObject, type MapSpecOfObject, type ObjectSpec, type ProgramSpecOfObject } from "../loader/object.js";
import { applyCoreRelos, type AppliedCoreRelo } from "../loader/core.js";
import { resolveKfuncCalls } from "../loader/kfuncs.js";
import { extRecordsFor } from "../loader/btf-ext.js";
import { programLineInfo, type SourceLine } from "./source-lines.js";
import { loadObjectProgram, verifyWithSourceLines } from "./program-load.js";

export { withSourceLines } from "./source-lines.js";
import type { Btf } from "../loader/btf.js";

export interface ObjectOpenOptions {
  /** the object's name (prefix of global data map names); default: the file name without .o */
  readonly name?: string;
  /** the machine to load into; a fresh one-CPU machine when omitted */
  readonly machine?: Machine;
  /** the most bytes read from a path (default 256 MiB): /dev/zero or a huge file is E2BIG */
  readonly maxInputBytes?: number;
  /** BTF that CO-RE relocations resolve against (the simulated kernel's); default: the object's own */
  readonly targetBtf?: Btf;
  /** values of `__kconfig` externs (see OpenOptions.kconfig) */
  readonly kconfig?: Readonly<Record<string, number | bigint | boolean | string>>;
  /** kernel symbol addresses for untyped `__ksym` externs (see OpenOptions.ksyms) */
  readonly ksyms?: (name: string) => bigint | undefined;
  /** kfuncs beyond the machine's (a kernel's task kfuncs), bound to targetBtf's ids */
  readonly kfuncs?: readonly KfuncImpl[];
}

export interface ObjectLoadOptions {
  /** verifier log level of every program (the result keeps the log) */
  readonly logLevel?: 0 | 1 | 2;
  /** engine the programs run on; "jit" (default) compiles with the verifier's facts */
  readonly engine?: EngineName;
}

export interface ProgramRunOptions {
  /** the context bytes (r1 points to a copy of them) */
  readonly ctx?: Uint8Array;
  /** explicit r1..r5 instead of a context */
  readonly args?: readonly bigint[];
  readonly cpu?: number;
}

const PROG_ARRAY = 3;
const le32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};


export class BpfProgram {
  /** what the verifier said at load (null before load) */
  verdict: VerifyResult | null = null;
  /** CO-RE relocations applied at load */
  core: readonly AppliedCoreRelo[] = [];
  private prepared: PreparedProgram | null = null;
  /** the program id PROG_ARRAY slots name (after load) */
  progId: number | null = null;
  private loadedInsns: readonly Insn[] | null = null;
  /** close() was called */
  closed = false;
  constructor(
    readonly spec: ProgramSpecOfObject,
    private readonly obj: BpfObject,
  ) {}

  get name(): string {
    return this.spec.name;
  }
  get section(): string {
    return this.spec.section;
  }
  get progType(): string {
    return this.spec.progType;
  }
  /** the instructions as loaded (CO-RE applied), or as opened before load */
  get insns(): readonly Insn[] {
    return this.loadedInsns ?? this.spec.insns;
  }

  /**
   * What the verifier says about this program (CO-RE applied, the object's map definitions,
   * license and func_info), without creating maps or compiling: `wabpf verify prog.o`.
   */
  verify(opts: { logLevel?: 0 | 1 | 2 } = {}): VerifyResult {
    try {
      return verifyWithSourceLines(this.obj, this, this.obj.coreApply(this), opts.logLevel ?? 0);
    } catch (e) {
      // a CO-RE relocation or kfunc libbpf cannot resolve fails this program's load, not the others'
      if (!(e instanceof LoaderError)) throw e;
      const what = e.section === ".ksyms" ? "extern resolution failed" : "CO-RE relocation failed";
      return refusedResult(e.errno, `${what}: ${e.message}`, (opts.logLevel ?? 0) > 0);
    }
  }

  /** Verify and compile this program; throws a VerifierError when the verifier refuses it. */
  load(opts: ObjectLoadOptions = {}): Promise<VerifyResult> {
    return atBoundary(() => `BpfProgram.load ${this.name} (${this.section})`, () => this.loadUnguarded(opts));
  }

  private async loadUnguarded(opts: ObjectLoadOptions): Promise<VerifyResult> {
    const loaded = await loadObjectProgram(this.obj, this, { logLevel: opts.logLevel ?? 0, engine: opts.engine ?? "jit", kfuncs: this.obj.kfuncs() });
    this.loadedInsns = loaded.insns;
    this.verdict = loaded.verdict;
    if (!loaded.verdict.accepted) throw new VerifierError(loaded.verdict, { context: `program '${this.name}'`, program: this.name });
    this.prepared = loaded.prepared;
    this.progId = loaded.progId;
    return loaded.verdict;
  }

  /**
   * close(prog_fd): the handle is gone (run is EBADF after it). The program itself lives while
   * a link or a PROG_ARRAY slot holds it; with its last reference its maps are dropped and its
   * compiled code leaves the function table.
   */
  close(): void {
    if (this.closed) throw new EbpfError("EBADF", `program '${this.name}' is already closed`);
    this.closed = true;
    if (this.progId !== null) this.obj.machine.releaseProgram(this.progId);
  }

  /** Run once (BPF_PROG_TEST_RUN-like): r1 = a copy of `ctx`. */
  run(opts: ProgramRunOptions = {}): RunResult {
    if (this.closed) throw new EbpfError("EBADF", `program '${this.name}' is closed`);
    if (this.prepared === null || this.verdict?.accepted !== true) throw new EbpfError("EINVAL", `program '${this.name}' is not loaded`);
    const m = this.obj.machine;
    const ro = {
      mem: m.mem,
      helpers: m.helperRegistry(),
      pseudo: m.resolver(this.obj.mapSlots()),
      cpu: opts.cpu ?? 0,
      ...(opts.ctx !== undefined ? { input: opts.ctx } : {}),
      ...(opts.args !== undefined ? { args: opts.args } : {}),
    };
    return this.prepared.run(ro);
  }
}

/**
 * max_entries as libbpf adjusts it before BPF_MAP_CREATE: a PERF_EVENT_ARRAY without one gets
 * the number of possible CPUs; a RINGBUF's size is rounded up to a power-of-2 number of pages.
 */
export function libbpfMaxEntries(type: number, max: number, ncpus: number): number {
  if (type === 4 && max === 0) return ncpus;
  if (type === 27 && max > 0) return 4096 * 2 ** Math.ceil(Math.log2(Math.ceil(max / 4096)));
  return max;
}

export class BpfObject {
  readonly programs: readonly BpfProgram[];
  private readonly maps = new Map<string, BpfMap>();
  private readonly unsupported = new Map<string, EbpfError>();
  private loaded = false;

  private constructor(
    readonly spec: ObjectSpec,
    readonly machine: Machine,
    private readonly targetBtf: Btf | null,
    private readonly extraKfuncs: readonly KfuncImpl[] = [],
  ) {
    this.programs = spec.programs.map((p) => new BpfProgram(p, this));
  }

  /** Parse an object (bytes, or a path read with fs). Nothing is created until load(). */
  static open(src: Uint8Array | string, opts: ObjectOpenOptions = {}): Promise<BpfObject> {
    return atBoundary(`BpfObject.open ${typeof src === "string" ? src : opts.name ?? "(bytes)"}`, () => BpfObject.openUnguarded(src, opts));
  }

  private static async openUnguarded(src: Uint8Array | string, opts: ObjectOpenOptions): Promise<BpfObject> {
    let bytes: Uint8Array;
    let name = opts.name;
    if (typeof src === "string") {
      // a path: Node only (fs is loaded on demand so that the module also runs in browsers)
      const fs = await import("node:fs");
      bytes = readInput(fs, src, opts.maxInputBytes !== undefined ? { maxBytes: opts.maxInputBytes } : {});
      name ??= src.slice(src.lastIndexOf("/") + 1).replace(/\.o$/, "").replace(/\.bpf$/, "");
    } else bytes = src;
    const spec = openObject(bytes, { name: name ?? "obj", ...(opts.kconfig !== undefined ? { kconfig: opts.kconfig } : {}), ...(opts.ksyms !== undefined ? { ksyms: opts.ksyms } : {}) });
    const machine = opts.machine ?? (await createMachine());
    return new BpfObject(spec, machine, opts.targetBtf ?? null, opts.kfuncs ?? []);
  }

  /** The kernel BTF CO-RE and tracing attach targets resolve against (ObjectOpenOptions.targetBtf), or null. */
  get attachBtf(): Btf | null {
    return this.targetBtf;
  }

  program(name: string): BpfProgram {
    const p = this.programs.find((x) => x.name === name);
    if (p === undefined) throw new EbpfError("ENOENT", `no program '${name}' (${this.programs.map((x) => x.name).join(", ")})`);
    return p;
  }

  /** A map by name (after load). */
  map(name: string): BpfMap {
    const m = this.maps.get(name);
    if (m === undefined) throw new EbpfError("ENOENT", this.loaded ? `no map '${name}' (${[...this.maps.keys()].join(", ")})` : `maps exist after load()`);
    return m;
  }

  /** The object's maps that exist, in spec order (a type wabpf lacks leaves its map out). */
  mapList(): BpfMap[] {
    return this.spec.maps.flatMap((m) => this.maps.get(m.name) ?? []);
  }

  /**
   * Map index i of a program's ld_imm64 → the map, for the engines' resolver; `undefined`
   * where the map could not be created (no program that uses it loads, see checkMapsOf).
   */
  mapSlots(): ReadonlyArray<BpfMap | undefined> {
    return this.spec.maps.map((m) => this.maps.get(m.name));
  }

  /** Maps of a type wabpf does not implement yet, with the reason (created by nothing). */
  get unsupportedMaps(): ReadonlyMap<string, EbpfError> {
    return this.unsupported;
  }

  /** A program that references a map wabpf could not create cannot load: say which map. */
  checkMapsOf(p: BpfProgram, insns: readonly Insn[]): void {
    if (this.unsupported.size === 0) return;
    for (const ins of insns) {
      if (!isMapReference(ins)) continue;
      const spec = this.spec.maps[ins.imm];
      const why = spec === undefined ? undefined : this.unsupported.get(spec.name);
      if (why !== undefined) throw new NotSupportedError(`program '${p.name}' uses map '${spec!.name}': ${why.message}`);
    }
  }

  /** Create the maps and load every program; the first refusal throws (as libbpf's load fails). */
  load(opts: ObjectLoadOptions = {}): Promise<this> {
    return atBoundary(`BpfObject.load ${this.spec.objName}`, () => this.loadUnguarded(opts));
  }

  private async loadUnguarded(opts: ObjectLoadOptions): Promise<this> {
    this.createMaps();
    // programs whose section starts with '?' are not loaded by default (libbpf's autoload)
    for (const p of this.programs) if (p.spec.autoload) await p.load(opts);
    this.fillProgArrays();
    return this;
  }

  /** `.values = { [i] = &prog }` of PROG_ARRAY maps, once the programs have ids (libbpf does this after load). */
  fillProgArrays(): void {
    for (const m of this.spec.maps) {
      if (m.type !== PROG_ARRAY) continue;
      for (const s of m.initSlots) {
        const p = this.programs.find((x) => x.name === s.target);
        if (p === undefined) throw new LoaderError(`map '${m.name}': slot ${s.index} names '${s.target}', which is not a program of this object`, { section: m.section });
        if (p.progId === null) throw new EbpfError("EINVAL", `map '${m.name}': program '${p.name}' is not loaded`);
        this.map(m.name).update(le32(s.index), le32(p.progId));
      }
    }
  }

  /**
   * bpf_object__close: close every program and map handle of the object. What links and other
   * holders still reference lives on; the rest is freed now.
   */
  close(): void {
    for (const p of this.programs) if (!p.closed) p.close();
    for (const m of this.maps.values()) if (!m.closed) m.close();
  }

  /**
   * Set a `const volatile` global of .rodata before load, as a libbpf skeleton's
   * `skel->rodata->targ_pid = pid` (cilium-ebpf: RewriteConstants): the verifier reads the new
   * value as a constant and the map is created holding it. A number, bigint or boolean is
   * stored little-endian in the variable's size; bytes must have exactly that size. Once the
   * maps exist .rodata is frozen: EBUSY, as libbpf's bpf_map__set_initial_value after load.
   */
  setRodata(name: string, value: number | bigint | boolean | Uint8Array): void {
    if (this.loaded) throw new EbpfError("EBUSY", `'${name}': .rodata is frozen once the object's maps exist (set it before load())`);
    const btf = this.spec.btf;
    let found: { bytes: Uint8Array; offset: number; size: number } | null = null;
    for (const m of this.spec.maps) {
      if (m.kind !== "rodata" || m.initial === null || btf === null) continue;
      const ds = btf.types.find((t) => t.kind === "DATASEC" && t.name === m.section);
      if (ds === undefined || ds.kind !== "DATASEC") continue;
      const v = ds.vars.find((x) => {
        const t = btf.typeById(x.type);
        return t.kind === "VAR" && t.name === name;
      });
      if (v !== undefined) found = { bytes: m.initial, offset: v.offset, size: v.size };
    }
    if (found === null) throw new EbpfError("ENOENT", `no .rodata variable '${name}' in ${this.spec.objName}${btf === null ? " (the object has no BTF)" : ""}`);
    const { bytes, offset, size } = found;
    if (value instanceof Uint8Array) {
      if (value.length !== size) throw new EbpfError("EINVAL", `'${name}' is ${size} bytes, not ${value.length}`);
      bytes.set(value, offset);
      return;
    }
    if (typeof value === "number" && !Number.isSafeInteger(value)) throw new EbpfError("EINVAL", `'${name}': ${value} is not an integer (pass a bigint or the bytes)`);
    const n = typeof value === "boolean" ? (value ? 1n : 0n) : BigInt(value);
    const bits = BigInt(size * 8);
    if (size > 8 || n < -(1n << (bits - 1n)) || n >= 1n << bits) throw new EbpfError("ERANGE", `${String(value)} does not fit '${name}' (${size} bytes)`);
    const u = BigInt.asUintN(Number(bits), n);
    for (let i = 0; i < size; i++) bytes[offset + i] = Number((u >> BigInt(8 * i)) & 0xffn);
  }

  /** Create the maps only (for verifying programs one by one). */
  createMaps(): void {
    if (this.loaded) return;
    const created = new Map<string, BpfMap>();
    const make = (m: MapSpecOfObject): BpfMap => {
      const inner = m.inner !== null ? make(m.inner) : undefined;
      try {
        return this.machine.createMap({
          type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: libbpfMaxEntries(m.type, m.maxEntries, this.machine.ncpus), flags: m.flags, mapExtra: m.mapExtra, name: m.name,
          ...(inner !== undefined ? { innerMap: inner } : {}),
        });
      } finally {
        // libbpf closes the inner map template once the outer map exists (or failed)
        inner?.close();
      }
    };
    for (const m of this.spec.maps) {
      let map: BpfMap;
      try {
        map = make(m);
      } catch (e) {
        // a type wabpf lacks fails the programs that use it, not the object (unlike libbpf,
        // whose kernel has every type: the rest of the object still runs)
        if (!(e instanceof NotSupportedError)) throw e;
        this.unsupported.set(m.name, e);
        continue;
      }
      if (m.initial !== null) {
        map.update(new Uint8Array(4), m.initial);
        if (m.frozen) map.freeze();
      }
      created.set(m.name, map);
    }
    for (const m of this.spec.maps) {
      if (m.type === PROG_ARRAY) continue; // filled with program ids after load
      for (const s of m.initSlots) {
        const target = created.get(s.target);
        if (target === undefined && this.unsupported.has(s.target)) continue;
        if (target === undefined) throw new LoaderError(`map '${m.name}': slot ${s.index} names '${s.target}', which is not a map of this object`, { section: m.section });
        const key = new Uint8Array(4);
        new DataView(key.buffer).setUint32(0, s.index, true);
        const val = new Uint8Array(4);
        new DataView(val.buffer).setUint32(0, target.id, true);
        created.get(m.name)?.update(key, val);
      }
    }
    for (const [k, v] of created) this.maps.set(k, v);
    this.loaded = true;
  }

  /** The machine's kfuncs (and ObjectOpenOptions.kfuncs) by the ids of the target BTF, which kfunc calls resolve to (none without one). */
  kfuncs(): KfuncRegistry {
    const btf = this.targetBtf;
    return this.machine.kfuncRegistry((name) => btf?.findByName(name, "FUNC")[0], this.extraKfuncs);
  }

  /** The program's line info (from .BTF.ext) by instruction slot, as the verifier log prints it. */
  lineInfo(p: BpfProgram): SourceLine[] {
    return programLineInfo(this.spec.btfExt, p.spec);
  }

  /**
   * The program's instructions with its CO-RE relocations applied (libbpf: bpf_object__relocate)
   * and its kfunc calls resolved against the target BTF (bpf_object__resolve_externs).
   */
  coreApply(p: BpfProgram): Insn[] {
    const insns = this.coreRelocate(p);
    const btf = this.spec.btf;
    if (btf === null || p.spec.kfuncCalls.length === 0) return insns;
    return resolveKfuncCalls(insns, p.spec.kfuncCalls, this.spec.kfuncs, btf, this.targetBtf);
  }

  private coreRelocate(p: BpfProgram): Insn[] {
    const btf = this.spec.btf;
    const ext = this.spec.btfExt;
    let insns = [...p.spec.insns];
    if (btf === null || ext === null) return insns;
    const applied: AppliedCoreRelo[] = [];
    // relocations of the program's own section, then of .text where it was appended
    for (const section of new Set(p.spec.origin.map((o) => o.section))) {
      const relos = extRecordsFor(ext.coreRelos, section);
      if (relos.length === 0) continue;
      // each section's slots are contiguous: the program's own, then .text where appended
      const first = p.spec.origin.findIndex((o) => o.section === section);
      const count = p.spec.origin.filter((o) => o.section === section).length;
      const part = insns.slice(first, first + count);
      const r = applyCoreRelos(part, relos, btf, this.targetBtf ?? btf, { section, progName: p.name, sectionInsnOff: p.spec.origin[first]!.offset });
      insns = [...insns.slice(0, first), ...r.insns, ...insns.slice(first + count)];
      for (const a of r.applied) applied.push({ ...a, insnIdx: a.insnIdx + first });
    }
    p.core = applied;
    return insns;
  }
}
