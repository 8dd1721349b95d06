// The tracing multi-link's shared machinery: the global trampolines (one per argument count,
// plus straight-line ones per list shape; src/kernel/multi-tramp.ts) and the kfunc_md hash
// table they look functions up in (assembly/kernel/kfunc-md.ts). Which functions sit on a
// global trampoline is decided by TracingLinks, which owns the per-function lists.
import { BpfError } from "../errors.js";
import type { TracingKind } from "../loader/sections.js";
import type { KernelContext } from "./kernel-context.js";
import type { FunctionTable, KernelFunction } from "./functions-table.js";
import type { KernelProgram } from "./program.js";
import { ordered, type Attachment } from "./link.js";
import { needsFrame } from "./ctx-needs.js";
import { buildMultiTrampolines, MD_INLINE, multiShapeKey, MULTI_MAX_ARGS } from "./multi-tramp.js";

export class MultiLinks {
  // `Function`: wasm function objects have no narrower static type
  private tramps = new Map<string, Function>();
  /** straight-line global trampolines in the current module (multiShapeKey) */
  private readonly shapes = new Set<string>();
  /** programs the global trampolines dispatch to, by index */
  private readonly progs: KernelProgram[] = [];
  /** bodies the global trampolines call, by argument count */
  private readonly bodies: Function[][] = Array.from({ length: MULTI_MAX_ARGS + 1 }, () => []);
  /** the bucket array the global trampolines were built for */
  private built = 0;

  constructor(
    private readonly ctx: KernelContext,
    private readonly fns: FunctionTable,
  ) {}

  /** Some multi-link program exists (the global trampolines are in use). */
  get active(): boolean {
    return this.progs.length > 0;
  }

  /**
   * Make `prog` and the bodies of `targets` known to the global trampolines: "rebuild" when the
   * module must be regenerated, "reindex" when programs no multi-link uses any more (`inUse`)
   * were dropped on the way, so every kfunc_md list must be written again with the new indexes
   * (otherwise the module would import a program that was detached and freed, for ever).
   */
  join(prog: KernelProgram, targets: readonly KernelFunction[], inUse: ReadonlySet<KernelProgram>): "none" | "rebuild" | "reindex" {
    let rebuild: "none" | "rebuild" | "reindex" = "none";
    if (!this.progs.includes(prog)) {
      const kept = this.progs.filter((p) => inUse.has(p));
      if (kept.length < this.progs.length) {
        this.progs.splice(0, this.progs.length, ...kept);
        rebuild = "reindex";
      } else rebuild = "rebuild";
      this.progs.push(prog);
    }
    for (const f of targets) {
      const list = this.bodies[f.nargs]!;
      const body = this.fns.body(f);
      if (!list.includes(body)) {
        list.push(body);
        if (rebuild === "none") rebuild = "rebuild";
      }
    }
    return rebuild;
  }

  /** (Re)generate the global trampolines for the current programs, bodies and shapes. */
  build(): void {
    const mem = this.ctx.machine.mem;
    this.tramps = buildMultiTrampolines(this.ctx.b, mem.memory, mem.table, {
      programs: this.progs.map((p) => p.fn),
      bodies: this.bodies,
      kmdState: this.ctx.kmdState,
      tspAddr: this.ctx.tspAddr,
      tstackLo: this.ctx.tstackLo,
      now: this.ctx.now,
      shapes: [...this.shapes],
      buckets: this.buckets(),
      nbuckets: this.ctx.ex.wabpf_kmd_buckets(),
    });
    this.built = this.buckets();
  }

  /** The table was resized since the trampolines were built (they hold the bucket array's address). */
  get stale(): boolean {
    return this.active && this.buckets() !== this.built;
  }

  /** The global trampoline for a function whose list is all multi-link programs; false when a build is needed first. */
  trampoline(f: KernelFunction, list: readonly Attachment[]): Function | undefined {
    return this.tramps.get(this.key(f, list));
  }

  /** Add the straight-line shape `list` needs (the caller rebuilds). */
  addShape(f: KernelFunction, list: readonly Attachment[]): void {
    this.shapes.add(this.key(f, list));
  }

  private buckets(): number {
    return this.ctx.machine.mem.view.getUint32(this.ctx.kmdState, true);
  }

  /** Which global trampoline a function's list needs: straight-line for its shape, or the generic one. */
  private key(f: KernelFunction, list: readonly Attachment[]): string {
    const count = (k: TracingKind): number => list.filter((a) => a.kind === k).length;
    return multiShapeKey(f.nargs, count("fentry"), count("fmod_ret"), count("fexit"), list.some((a) => needsFrame(a.prog.needs))) ?? `g${f.nargs}`;
  }

  /** Mirror a function's multi-link programs into its kfunc_md entry (created or deleted as needed). */
  syncKfuncMd(f: KernelFunction, multi: readonly Attachment[]): void {
    const ex = this.ctx.ex;
    let md = ex.wabpf_kmd_lookup(f.ip);
    if (multi.length === 0) {
      if (md !== 0) ex.wabpf_kmd_delete(f.ip);
      return;
    }
    if (md === 0) {
      // the node's orig field: the body's index among the global trampolines' bodies of its arity
      md = ex.wabpf_kmd_insert(f.ip, f.nargs, this.bodies[f.nargs]!.indexOf(this.fns.body(f)));
      if (md < 0) throw BpfError.fromErrno(-md, "link_create", `kfunc_md for ${f.name}`);
    }
    const machine = this.ctx.machine;
    const o = ordered(multi);
    const byKind = (k: TracingKind): Attachment[] => o.filter((a) => a.kind === k);
    const entries = [...byKind("fentry"), ...byKind("fmod_ret"), ...byKind("fexit")];
    const list = machine.rt.alloc(16 + 24 * entries.length);
    const v = machine.mem.view; // after the allocation (memory may have grown)
    v.setUint32(list, byKind("fentry").length, true);
    v.setUint32(list + 4, byKind("fmod_ret").length, true);
    v.setUint32(list + 8, byKind("fexit").length, true);
    v.setUint32(list + 12, entries.some((x) => needsFrame(x.prog.needs)) ? 1 : 0, true); // flags: bit 0 a frame is needed
    entries.forEach((a, i) => {
      const e = list + 16 + 24 * i;
      v.setUint32(e, this.progs.indexOf(a.prog), true);
      v.setUint32(e + 4, a.prog.state, true);
      v.setBigUint64(e + 8, a.cookie, true);
    });
    ex.wabpf_kmd_set_list(md, list);
    const w = machine.mem.view;
    entries.slice(0, MD_INLINE).forEach((a, i) => {
      w.setUint32(md + 32 + 8 * i, this.progs.indexOf(a.prog), true);
      w.setUint32(md + 36 + 8 * i, a.prog.state, true);
    });
  }

  /** The kfunc_md table: entries, buckets, buckets in use; the programs the global trampolines import. */
  stats(): { count: number; buckets: number; usedBuckets: number; programs: number } {
    const ex = this.ctx.ex;
    return { count: ex.wabpf_kmd_count(), buckets: ex.wabpf_kmd_buckets(), usedBuckets: ex.wabpf_kmd_used_buckets(), programs: this.progs.length };
  }
}
