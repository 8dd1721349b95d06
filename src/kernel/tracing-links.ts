// fentry / fexit / fmod_ret: a function's programs, regular and multi-link, and what its entry
// slot runs them with. A function whose programs all come from multi-links runs on a global
// trampoline (multi-links.ts); one with a regular link gets its own trampoline, generated for
// its list (trampoline.ts), that also runs its multi-link programs merged by kind and attach
// order. The kprobe layer, if any, goes in front (`install`, from ProbeLinks).
import type { TracingKind } from "../loader/sections.js";
import type { KernelContext } from "./kernel-context.js";
import type { FunctionTable, KernelFunction } from "./functions-table.js";
import type { KernelProgram } from "./program.js";
import type { MultiLinks } from "./multi-links.js";
import { Link, MultiLink, linkError, ordered, removeFromLists, type Attachment } from "./link.js";
import { accessedArgs, checkMultiTarget } from "./multi.js";
import { MULTI_MAX_ARGS } from "./multi-tramp.js";
import { buildTrampoline, type TrampolineProgram } from "./trampoline.js";

/** BPF_MAX_TRAMP_LINKS */
export const MAX_TRAMP_LINKS = 38;

/** Put a function's base code (body or trampoline) in its entry slot, behind its kprobe layer if any. */
export type InstallEntry = (f: KernelFunction, base: Function) => void;

export class TracingLinks {
  private readonly lists = new Map<KernelFunction, Attachment[]>();

  constructor(
    private readonly ctx: KernelContext,
    private readonly fns: FunctionTable,
    private readonly multi: MultiLinks,
    private readonly install: InstallEntry,
    /** the series' rule: a multi-link on a function with a regular fentry fails with -EEXIST */
    private readonly multiExclusive: boolean,
  ) {}

  /** Functions with programs. */
  functions(): IterableIterator<KernelFunction> {
    return this.lists.keys();
  }

  /** Attach one program to one function (a regular link). */
  attach(prog: KernelProgram, f: KernelFunction, kind: TracingKind, cookie: bigint): Link {
    this.check(prog, f);
    const att: Attachment = { seq: this.ctx.nextSeq(), prog, kind, cookie, multi: false };
    const atts = [[f, att]] as const;
    this.add(atts);
    return new Link(() => this.remove(atts), prog, f, cookie);
  }

  /** Attach a multi program to every target (the first is the one it was verified for). */
  attachMulti(prog: KernelProgram, kind: TracingKind, fns: readonly KernelFunction[], cookies: readonly bigint[]): MultiLink {
    const used = accessedArgs(prog.insns, kind);
    const first = fns[0]!;
    for (const f of fns) {
      if (f.nargs > MULTI_MAX_ARGS) throw linkError("EINVAL", `${f.name}: ${f.nargs} arguments (the global trampolines take at most ${MULTI_MAX_ARGS})`);
      checkMultiTarget(first, f, used, kind);
      this.check(prog, f);
      if (this.multiExclusive && (this.lists.get(f) ?? []).some((a) => !a.multi && a.kind === "fentry")) {
        throw linkError("EEXIST", `${f.name} already has a regular fentry program`);
      }
    }
    const inUse = new Set([...this.lists.values()].flatMap((l) => l.filter((a) => a.multi).map((a) => a.prog)));
    const joined = this.multi.join(prog, fns, inUse);
    if (joined !== "none") this.rebuildMulti();
    // dropped programs moved the dispatch indexes: every function's kfunc_md list names them
    if (joined === "reindex") for (const [f, list] of this.lists) if (list.some((a) => a.multi)) this.multi.syncKfuncMd(f, list.filter((a) => a.multi));
    const seq = this.ctx.nextSeq();
    const atts = fns.map((f, i) => [f, { seq, prog, kind, cookie: cookies[i]!, multi: true }] as const);
    this.add(atts);
    return new MultiLink(() => this.remove(atts), prog, fns, cookies);
  }

  private check(prog: KernelProgram, f: KernelFunction): void {
    if (prog.kind === "fmod_ret" && !f.modifyReturn) {
      throw linkError("EINVAL", `${f.name} is not on the error-injection list nor an int-returning security_ hook: fmod_ret cannot attach`);
    }
    const list = this.lists.get(f) ?? [];
    if (list.some((a) => a.prog === prog)) throw linkError("EBUSY", `program '${prog.name}' is already attached to ${f.name}`);
    if (list.length >= MAX_TRAMP_LINKS) throw linkError("E2BIG", `${f.name} already has ${MAX_TRAMP_LINKS} programs`);
  }

  private add(atts: ReadonlyArray<readonly [KernelFunction, Attachment]>): void {
    for (const [f, a] of atts) {
      const list = this.lists.get(f) ?? [];
      list.push(a);
      this.lists.set(f, list);
    }
    for (const f of new Set(atts.map(([f]) => f))) this.rebuild(f);
  }

  /** Detach: take the attachments out and rebuild their functions' entries. */
  private remove(atts: ReadonlyArray<readonly [KernelFunction, Attachment]>): void {
    for (const f of removeFromLists(this.lists, atts)) this.rebuild(f);
  }

  /** Programs attached to a function, in the order they run. */
  attached(f: KernelFunction): ReadonlyArray<{ program: KernelProgram; kind: TracingKind; cookie: bigint; multi: boolean }> {
    return ordered(this.lists.get(f) ?? []).map((a) => ({ program: a.prog, kind: a.kind, cookie: a.cookie, multi: a.multi }));
  }

  /** Install what the function's attachments need in its entry slot. */
  rebuild(f: KernelFunction): void {
    const mem = this.ctx.machine.mem;
    const list = this.lists.get(f) ?? [];
    // kfunc_md mirrors the multi-link programs of the function; a resized table moves the
    // bucket array the global trampolines have built in
    this.multi.syncKfuncMd(f, list.filter((a) => a.multi));
    if (this.multi.stale) this.rebuildMulti();
    if (list.length === 0) {
      this.install(f, this.fns.body(f));
      return;
    }
    if (list.every((a) => a.multi)) {
      if (this.multi.trampoline(f, list) === undefined) {
        this.multi.addShape(f, list);
        this.rebuildMulti();
      }
      this.install(f, this.multi.trampoline(f, list)!);
      return;
    }
    const tp = (a: Attachment): TrampolineProgram => ({ fn: a.prog.fn, state: a.prog.state, cookie: a.cookie, needs: a.prog.needs });
    const o = ordered(list);
    const tramp = buildTrampoline(this.ctx.b, mem.memory, {
      ip: f.ip,
      nargs: f.nargs,
      orig: mem.table.get(f.origSlot) as Function,
      fentry: o.filter((a) => a.kind === "fentry").map(tp),
      fmodRet: o.filter((a) => a.kind === "fmod_ret").map(tp),
      fexit: o.filter((a) => a.kind === "fexit").map(tp),
      tspAddr: this.ctx.tspAddr,
      tstackLo: this.ctx.tstackLo,
      now: this.ctx.now,
    });
    this.install(f, tramp);
  }

  /** Regenerate the global trampolines and move the functions running on them to the new module. */
  rebuildMulti(): void {
    this.multi.build();
    for (const [f, list] of this.lists) {
      const t = list.every((a) => a.multi) ? this.multi.trampoline(f, list) : undefined;
      if (t !== undefined) this.install(f, t);
    }
  }
}
