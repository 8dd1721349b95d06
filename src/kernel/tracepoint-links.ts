// Tracepoints: raw ones (raw_tp, tp_btf) and the classic events served from them (tp). Each
// tracepoint has a hook slot its call sites call through; the hook (probe-tramp.ts) is
// regenerated whenever its program list changes.
import { EbpfError } from "../errors.js";
import type { KernelContext } from "./kernel-context.js";
import type { KernelProgram } from "./program.js";
import { Link, linkError } from "./link.js";
import { needsFrame } from "./ctx-needs.js";
import { buildTracepointHook, type ClassicEvent, type ProbeProgram } from "./probe-tramp.js";
import { BUILTIN_EVENTS, eventSources, formatEvent, type TraceEventSpec, type TracepointSite } from "./tracepoints.js";

/** BPF_TRACE_MAX_PROGS: programs on one classic trace event */
export const BPF_TRACE_MAX_PROGS = 64;

/** A program on a tracepoint: raw (raw_tp, tp_btf) or on one of its classic events. */
interface TpAttachment {
  readonly seq: number;
  readonly prog: KernelProgram;
  readonly cookie: bigint;
  readonly event: TraceEventSpec | null;
}

interface TpState {
  readonly site: TracepointSite;
  /** the table slot of its hook */
  readonly slot: number;
  atts: TpAttachment[];
}

export class TracepointLinks {
  private readonly tps = new Map<string, TpState>();
  private readonly eventList: TraceEventSpec[] = [...BUILTIN_EVENTS];

  /** `onChange` runs when a tracepoint or event is added (the kernel's BTF must be rebuilt). */
  constructor(
    private readonly ctx: KernelContext,
    private readonly onChange: () => void,
  ) {}

  addSite(site: TracepointSite): void {
    if (this.tps.has(site.name)) throw new EbpfError("EEXIST", `tracepoint ${site.name} already exists`);
    const slot = this.ctx.machine.mem.allocTableSlots(1);
    this.tps.set(site.name, { site, slot, atts: [] });
    this.onChange();
  }

  /** A host-fired tracepoint, and optionally its classic event (see SimKernel.defineTracepoint). */
  define(name: string, params: ReadonlyArray<readonly [string, string]>, event?: { system: string }): void {
    if (params.length > 12) throw new EbpfError("E2BIG", `tracepoint ${name}: more than 12 arguments`);
    this.addSite({ name, id: null, params });
    if (event !== undefined) {
      const fields = params.map(([n, t], i) => ({ type: t, name: n, off: 8 + 8 * i, size: 8, signed: !/unsigned|\*|^u\d+|size_t/.test(t), src: { kind: "arg" as const, arg: i } }));
      this.eventList.push({
        system: event.system, name, id: 700 + this.eventList.length, site: name, filter: null, fields,
        size: 8 + 8 * params.length,
        printFmt: `"${params.map(([n]) => `${n}=%llu`).join(" ")}", ${params.map(([n]) => `REC->${n}`).join(", ")}`,
      });
      this.onChange();
    }
  }

  get sites(): readonly TracepointSite[] {
    return [...this.tps.values()].map((t) => t.site);
  }
  get events(): readonly TraceEventSpec[] {
    return this.eventList;
  }
  private event(name: string): TraceEventSpec | undefined {
    const [sys, ev] = name.includes(":") ? name.split(":") : name.split("/");
    return this.eventList.find((e) => e.system === sys && e.name === ev);
  }

  /** tracefs' events/<system>/<name>/format. */
  format(name: string): string {
    const e = this.event(name);
    if (e === undefined) throw new EbpfError("ENOENT", `no trace event '${name}'`);
    return formatEvent(e);
  }

  attach(prog: KernelProgram, kind: "raw_tp" | "tp_btf" | "tp", name: string, cookie: bigint): Link {
    let st: TpState | undefined;
    let event: TraceEventSpec | null = null;
    if (kind === "tp") {
      if (prog.progType !== "tracepoint") throw linkError("EINVAL", `program '${prog.name}' is not a tracepoint program`);
      const e = this.event(name);
      if (e === undefined) throw linkError("ENOENT", `no trace event '${name}'`);
      // perf_event_set_bpf_prog: the program must not read past the record
      if (prog.maxCtxOffset > e.size) throw linkError("EACCES", `program '${prog.name}' reads ctx up to byte ${prog.maxCtxOffset}, past the ${e.size}-byte record of ${e.system}/${e.name}`);
      event = e;
      st = this.tps.get(e.site);
    } else {
      st = this.tps.get(name);
      if (st === undefined) throw linkError("ENOENT", `no raw tracepoint '${name}'`);
      if (kind === "raw_tp" && prog.progType !== "raw_tracepoint") throw linkError("EINVAL", `program '${prog.name}' is not a raw_tracepoint program`);
      // bpf_probe_register: reads past the tracepoint's arguments are refused
      if (prog.maxCtxOffset > st.site.params.length * 8) throw linkError("EINVAL", `program '${prog.name}' reads ctx up to byte ${prog.maxCtxOffset}, but ${name} has ${st.site.params.length} arguments`);
    }
    const state = st!;
    if (state.atts.some((a) => a.prog === prog && a.event === event)) throw linkError("EEXIST", `program '${prog.name}' is already attached to ${name}`);
    // BPF_TRACE_MAX_PROGS: an event's program array holds at most 64
    if (event !== null && state.atts.filter((a) => a.event === event).length >= BPF_TRACE_MAX_PROGS) throw linkError("E2BIG", `${name} already has ${BPF_TRACE_MAX_PROGS} programs`);
    const att: TpAttachment = { seq: this.ctx.nextSeq(), prog, cookie, event };
    state.atts.push(att);
    this.rebuild(state);
    return new Link(() => this.remove(state, att), prog, { name, tracepoint: true }, cookie);
  }

  /** Detach: take the program off the tracepoint and regenerate its hook. */
  private remove(state: TpState, att: TpAttachment): void {
    state.atts = state.atts.filter((a) => a !== att);
    this.rebuild(state);
  }

  /** Regenerate every hook with programs (the stats switch changed). */
  rebuildAll(): void {
    for (const st of this.tps.values()) if (st.atts.length > 0) this.rebuild(st);
  }

  private rebuild(st: TpState): void {
    const mem = this.ctx.machine.mem;
    const ex = this.ctx.ex;
    const o = [...st.atts].sort((a, b) => b.seq - a.seq);
    const pp = (a: TpAttachment): ProbeProgram => ({ fn: a.prog.fn, state: a.prog.state, cookie: a.cookie, needs: a.prog.needs });
    if (o.length === 0) {
      if (st.site.id !== null) ex.wabpf_tp_set(st.site.id, 0, 0, 0);
      mem.table.set(st.slot, null);
      return;
    }
    const events = [...new Set(o.filter((a) => a.event !== null).map((a) => a.event!))];
    const classic: ClassicEvent[] = events.map((e) => ({
      id: e.id,
      size: Math.ceil(e.size / 8) * 8,
      fields: eventSources(e),
      filter: e.filter,
      progs: o.filter((a) => a.event === e).map(pp),
    }));
    const hook = buildTracepointHook(this.ctx.b, mem.memory, {
      nargs: st.site.params.length,
      raw: o.filter((a) => a.event === null).map(pp),
      classic,
      tspAddr: this.ctx.tspAddr,
      tstackLo: this.ctx.tstackLo,
      activeAddr: this.ctx.activeAddr,
      pidAddr: this.ctx.pidAddr,
      now: this.ctx.now,
    });
    mem.table.set(st.slot, hook);
    // one raw program that cannot observe a frame: the call site runs it directly
    const only = o.length === 1 && o[0]!.event === null && !needsFrame(o[0]!.prog.needs) && !this.ctx.stats ? o[0]!.prog : null;
    if (st.site.id !== null) ex.wabpf_tp_set(st.site.id, st.slot, only?.tableIndex ?? 0, only?.state ?? 0);
  }

  /** The hook of a tracepoint and its argument count, for firing it from the host; null hook when nothing is attached. */
  hook(name: string, nargs: number): ((...a: bigint[]) => void) | null {
    const st = this.tps.get(name);
    if (st === undefined) throw new EbpfError("ENOENT", `no tracepoint '${name}'`);
    if (nargs !== st.site.params.length) throw new EbpfError("EINVAL", `${name} takes ${st.site.params.length} arguments, got ${nargs}`);
    return this.ctx.machine.mem.table.get(st.slot) as ((...a: bigint[]) => void) | null;
  }
}
