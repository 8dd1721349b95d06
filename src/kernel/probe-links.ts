// kprobe / kretprobe (and their multi forms): a function with probe programs gets a kprobe
// layer in its entry slot, in front of whatever else runs there (its trampoline, a global
// multi trampoline, or the body), so probes and fentry programs cooperate on one function.
import type { KernelContext } from "./kernel-context.js";
import type { KernelFunction } from "./functions-table.js";
import type { KernelProgram } from "./program.js";
import { Link, MultiLink, linkError, removeFromLists } from "./link.js";
import { buildKprobeLayer, type ProbeProgram } from "./probe-tramp.js";

/** A kprobe-family program on one function. */
interface ProbeAttachment {
  readonly seq: number;
  readonly prog: KernelProgram;
  readonly ret: boolean;
  readonly cookie: bigint;
  readonly multi: boolean;
}

/** kprobes then kretprobes, most recently attached first inside each. */
function probeOrder(list: readonly ProbeAttachment[]): ProbeAttachment[] {
  return [...list].sort((a, b) => Number(a.ret) - Number(b.ret) || b.seq - a.seq);
}

export class ProbeLinks {
  private readonly lists = new Map<KernelFunction, ProbeAttachment[]>();

  /** `rebuild` recomputes a function's entry slot (TracingLinks.rebuild, which calls back into install). */
  constructor(
    private readonly ctx: KernelContext,
    private readonly rebuild: (f: KernelFunction) => void,
  ) {}

  /** Functions with probes. */
  functions(): IterableIterator<KernelFunction> {
    return this.lists.keys();
  }

  attach(prog: KernelProgram, f: KernelFunction, ret: boolean, cookie: bigint): Link {
    const att: ProbeAttachment = { seq: this.ctx.nextSeq(), prog, ret, cookie, multi: false };
    this.check(prog, f, att.ret);
    const atts = [[f, att]] as const;
    this.add(atts);
    return new Link(() => this.remove(atts), prog, f, cookie);
  }

  attachMulti(prog: KernelProgram, ret: boolean, fns: readonly KernelFunction[], cookies: readonly bigint[]): MultiLink {
    for (const f of fns) this.check(prog, f, ret);
    const seq = this.ctx.nextSeq();
    const atts = fns.map((f, i) => [f, { seq, prog, ret, cookie: cookies[i]!, multi: true }] as const);
    this.add(atts);
    return new MultiLink(() => this.remove(atts), prog, fns, cookies);
  }

  private check(prog: KernelProgram, f: KernelFunction, ret: boolean): void {
    if (prog.progType !== "kprobe") throw linkError("EINVAL", `program '${prog.name}' is a ${prog.progType} program, not a kprobe program`);
    if (prog.overrides) {
      // perf_event_attach_bpf_prog / bpf_kprobe_multi_link_attach: bpf_override_return needs an
      // error-injectable function (at its entry: every simulated probe is)
      if (f.errorInjection !== true) throw linkError("EINVAL", `program '${prog.name}' calls bpf_override_return but ${f.name} is not on the error-injection list`);
    }
    const list = this.lists.get(f) ?? [];
    if (list.some((a) => a.prog === prog && a.ret === ret)) throw linkError("EEXIST", `program '${prog.name}' already probes ${f.name}`);
  }

  private add(atts: ReadonlyArray<readonly [KernelFunction, ProbeAttachment]>): void {
    for (const [f, a] of atts) this.lists.set(f, [...(this.lists.get(f) ?? []), a]);
    for (const f of new Set(atts.map(([f]) => f))) this.rebuild(f);
  }

  /** Detach: take the probes out and rebuild their functions' entries. */
  private remove(atts: ReadonlyArray<readonly [KernelFunction, ProbeAttachment]>): void {
    for (const f of removeFromLists(this.lists, atts)) this.rebuild(f);
  }

  /** kprobe-family programs on a function, in the order they run (kprobes, then kretprobes). */
  probes(f: KernelFunction): ReadonlyArray<{ program: KernelProgram; ret: boolean; cookie: bigint; multi: boolean }> {
    return probeOrder(this.lists.get(f) ?? []).map((a) => ({ program: a.prog, ret: a.ret, cookie: a.cookie, multi: a.multi }));
  }

  /** Put `base` (body, trampoline or global trampoline) in the entry slot, behind the function's kprobe layer if it has probes. */
  install(f: KernelFunction, base: Function): void {
    const mem = this.ctx.machine.mem;
    const list = this.lists.get(f);
    if (list === undefined || list.length === 0) {
      mem.table.set(f.entrySlot, base);
      return;
    }
    const o = probeOrder(list);
    const pp = (a: ProbeAttachment): ProbeProgram => ({ fn: a.prog.fn, state: a.prog.state, cookie: a.cookie, needs: a.prog.needs });
    const layer = buildKprobeLayer(this.ctx.b, mem.memory, {
      nargs: f.nargs,
      regs: this.ctx.regs,
      sparse: o.every((a) => a.multi),
      override: o.some((a) => a.prog.overrides),
      inner: base,
      kprobes: o.filter((a) => !a.ret).map(pp),
      kretprobes: o.filter((a) => a.ret).map(pp),
      tspAddr: this.ctx.tspAddr,
      tstackLo: this.ctx.tstackLo,
      activeAddr: this.ctx.activeAddr,
      now: this.ctx.now,
    });
    mem.table.set(f.entrySlot, layer);
  }
}
