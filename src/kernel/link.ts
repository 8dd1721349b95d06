// Links (bpf_link): what attach returns, and the one place a program leaves an attach point.
// Each attach kind's manager (tracing-links.ts, probe-links.ts, tracepoint-links.ts) hands its
// link the removal to run; detach() runs it once.
import { BpfError, type Errno } from "../errors.js";
import type { KernelFunction } from "./functions-table.js";
import type { TracingKind } from "../loader/sections.js";
import type { KernelProgram } from "./program.js";

/** What a link is attached to: a kernel function, or a tracepoint (raw or classic event). */
export interface TracepointTarget {
  /** "sys_enter" (raw tracepoint) or "syscalls/sys_enter_openat" (classic event) */
  readonly name: string;
  readonly tracepoint: true;
}

export interface MultiAttachOptions {
  /** one cookie per target (in the order the targets resolve), or by function name */
  readonly cookies?: readonly bigint[] | ReadonlyMap<string, bigint>;
}

/** One fentry / fexit / fmod_ret program on one function (regular or from a multi-link). */
export interface Attachment {
  readonly seq: number;
  readonly prog: KernelProgram;
  readonly kind: TracingKind;
  readonly cookie: bigint;
  readonly multi: boolean;
}

/** By kind (fentry, fmod_ret, fexit), most recently attached first inside a kind. */
export function ordered(list: readonly Attachment[]): Attachment[] {
  const rank = { fentry: 0, fmod_ret: 1, fexit: 2 } as const;
  return [...list].sort((a, b) => rank[a.kind] - rank[b.kind] || b.seq - a.seq);
}

/** A link_create failure with its errno. */
export function linkError(code: Errno, msg: string): BpfError {
  return new BpfError(code, "link_create", msg);
}

/** A link to one function (fentry/fexit/fmod_ret, kprobe/kretprobe) or one tracepoint (bpf_link). */
export class Link {
  private live = true;
  constructor(
    private readonly onDetach: () => void,
    readonly program: KernelProgram,
    readonly target: KernelFunction | TracepointTarget,
    readonly cookie: bigint,
  ) {
    // the link holds its program: closing the program's handle does not detach it
    program.hold();
  }
  get attached(): boolean {
    return this.live;
  }
  /** Remove the program; calls already running finish on the old trampoline. The program goes when nothing else holds it. */
  detach(): void {
    if (!this.live) return;
    this.live = false;
    this.onDetach();
    this.program.release();
  }
}

/** A multi-link (tracing multi, kprobe.multi / kretprobe.multi): one program on many functions, a cookie per function. */
export class MultiLink {
  private live = true;
  constructor(
    private readonly onDetach: () => void,
    readonly program: KernelProgram,
    readonly targets: readonly KernelFunction[],
    readonly cookies: readonly bigint[],
  ) {
    program.hold();
  }
  get attached(): boolean {
    return this.live;
  }
  detach(): void {
    if (!this.live) return;
    this.live = false;
    this.onDetach();
    this.program.release();
  }
}

/** Take each attachment out of its function's list (dropping emptied lists); returns the functions touched. */
export function removeFromLists<T>(lists: Map<KernelFunction, T[]>, atts: ReadonlyArray<readonly [KernelFunction, T]>): Set<KernelFunction> {
  for (const [f, a] of atts) {
    const list = (lists.get(f) ?? []).filter((x) => x !== a);
    if (list.length === 0) lists.delete(f);
    else lists.set(f, list);
  }
  return new Set(atts.map(([f]) => f));
}
