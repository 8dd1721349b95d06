// A tracing session on the simulated kernel (what `wabpf trace` and the playground run): load an
// object into a fresh kernel, attach every program, drive a deterministic workload
// (src/kernel/workloads.ts) and report what the programs send to user space as it arrives —
// ring-buffer and perf-buffer samples (field=value when the object's BTF describes the sample,
// else a hex dump), trace_printk lines as trace_pipe prints them — then the object's maps as
// `bpftool map dump` prints them.
import { createMachine } from "../runtime/machine.js";
import { SimKernel } from "../kernel/kernel.js";
import type { KernelProgram } from "../kernel/program.js";
import { prepareWorkloads, runWorkload, type WorkloadResult } from "../kernel/workloads.js";
import { PerfBuffer, RingBuffer } from "../runtime/output.js";
import { bpftoolHexCapped, formatMapDump, formatMapDumpJson } from "../runtime/map-dump.js";
import type { BpfMap } from "../runtime/maps.js";
import type { BpfObject } from "../object/bpf-object.js";
import type { Btf, BtfType } from "../loader/btf.js";
import { formatTraceLine } from "../runtime/machine.js";
import { VerifierError } from "../verifier/error.js";

const RINGBUF = 27;
/** Bytes of a sample or map value a session prints (the rest is counted, not shown). */
const SHOW_BYTES = 4096;
/** Elements of each map a summary prints (an array map may have millions). */
const SHOW_ENTRIES = 1024;
const bpftoolHex = (b: Uint8Array): string => bpftoolHexCapped(b, SHOW_BYTES);
const PERF_EVENT_ARRAY = 4;

/** What happened to one program of the object. */
export interface TraceAttachResult {
  readonly program: string;
  readonly section: string;
  readonly attached: boolean;
  /** the functions it was attached to (a multi-link: every match of the glob) */
  readonly targets: readonly string[];
  /** why it was not attached */
  readonly reason?: string;
}

/** Load every program of `obj` into `k` and attach it (multi sections with their glob); failures are reported, not thrown. */
export async function attachAll(k: SimKernel, obj: BpfObject): Promise<TraceAttachResult[]> {
  const out: TraceAttachResult[] = [];
  for (const p of obj.programs) {
    let prog: KernelProgram;
    try {
      prog = await k.load(obj, p.name);
    } catch (e) {
      // a refusal reads as the verifier's error line (the summary's errno name is not part of a reason)
      out.push({ program: p.name, section: p.section, attached: false, targets: [], reason: `not loaded: ${e instanceof VerifierError ? e.reason : (e as Error).message}` });
      continue;
    }
    const slash = p.section.indexOf("/");
    const kind = slash < 0 ? p.section : p.section.slice(0, slash);
    // fentry.multi, kprobe.multi, kretprobe.multi, …: one link over the section's glob
    const multi = prog.multi || /\.multi(\.s)?$/.test(kind);
    try {
      if (multi) {
        const glob = prog.sectionTarget ?? (slash < 0 ? "" : p.section.slice(slash + 1));
        const l = k.attachMulti(prog, glob);
        out.push({ program: p.name, section: p.section, attached: true, targets: l.targets.map((f) => f.name) });
      } else {
        const l = k.attach(prog);
        out.push({ program: p.name, section: p.section, attached: true, targets: [l.target.name] });
      }
    } catch (e) {
      // e.g. a program type the simulated kernel has no attach point for: its own message says which it has
      out.push({ program: p.name, section: p.section, attached: false, targets: [], reason: (e as Error).message });
    }
  }
  return out;
}

// ------------------------------------------------------------------ sample formatting
/** The struct a sample of `len` bytes probably is: `struct event` first, then any struct of that size. */
export function sampleStruct(btf: Btf | null, len: number, valueTypeId = 0): number | null {
  if (btf === null) return null;
  if (valueTypeId !== 0) return valueTypeId;
  const fits = (id: number): boolean => {
    const t = btf.skipModsAndTypedefs(id)?.type;
    // perf samples are padded to 8 bytes (the record's u32 size + data)
    return t !== undefined && t.kind === "STRUCT" && t.size <= len && len - t.size < 8;
  };
  for (const name of ["event", "data_t", "event_t"]) {
    const hit = btf.findByName(name, "STRUCT").find(fits);
    if (hit !== undefined) return hit;
  }
  const any = btf.types.filter((t) => t.kind === "STRUCT" && t.name !== "" && fits(t.id));
  return any.length === 1 ? any[0]!.id : null;
}

type Value = bigint | string | Value[] | { [k: string]: Value };
/** Struct/array nesting a sample is decoded through (the kernel's MAX_RESOLVE_DEPTH is 32). */
const MAX_DECODE_DEPTH = 32;

/** Decode `bytes` as BTF type `id` (ints, enums, char arrays as strings, arrays, structs, pointers). */
export function decodeBtf(btf: Btf, id: number, bytes: Uint8Array, off = 0, depth = 0): Value {
  const r = btf.skipModsAndTypedefs(id);
  // a corrupted BTF may nest types in a cycle: stop where the kernel's BTF checks would
  if (r === undefined || depth > MAX_DECODE_DEPTH || off >= bytes.length) return "?";
  const t: BtfType = r.type;
  const int = (size: number, signed: boolean): bigint => {
    if (off + size > bytes.length) return 0n;
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]!);
    return signed ? BigInt.asIntN(size * 8, v) : v;
  };
  switch (t.kind) {
    case "INT":
      return int(t.size, (t.encoding & 1) !== 0);
    case "ENUM":
    case "ENUM64": {
      const v = int(t.size, t.kflag);
      return t.values.find((x) => x.value === v)?.name ?? v;
    }
    case "PTR":
      return `0x${int(8, false).toString(16)}`;
    case "ARRAY": {
      const et = btf.skipModsAndTypedefs(t.type)?.type;
      if (et?.kind === "INT" && et.size === 1) {
        const s = bytes.subarray(off, Math.min(off + t.nelems, bytes.length));
        const end = s.indexOf(0);
        return new TextDecoder().decode(end < 0 ? s : s.subarray(0, end));
      }
      const esize = btf.resolveSize(t.type) ?? 0;
      // only the elements inside the sample (nelems comes from the object)
      const n = esize <= 0 ? 0 : Math.min(t.nelems, Math.ceil((bytes.length - off) / esize));
      return Array.from({ length: n }, (_, i) => decodeBtf(btf, t.type, bytes, off + i * esize, depth + 1));
    }
    case "STRUCT":
    case "UNION": {
      const o: { [k: string]: Value } = {};
      for (const m of t.members) {
        if (m.bitfieldSize !== 0) {
          const word = int(8, false) >> BigInt(m.bitOffset % 8);
          o[m.name] = word & ((1n << BigInt(m.bitfieldSize)) - 1n);
          continue;
        }
        o[m.name === "" ? `_${m.bitOffset / 8}` : m.name] = decodeBtf(btf, m.type, bytes, off + m.bitOffset / 8, depth + 1);
      }
      return o;
    }
    default:
      return "?";
  }
}

/** field=value pairs (strings quoted), nested structs in braces. */
export function formatFields(v: Value): string {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(formatFields).join(",")}]`;
  return Object.entries(v).map(([k, x]) => `${k}=${typeof x === "object" && !Array.isArray(x) ? `{${formatFields(x)}}` : formatFields(x)}`).join(" ");
}

const jsonValue = (v: Value): unknown => (typeof v === "bigint" ? (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : typeof v === "string" ? v : Array.isArray(v) ? v.map(jsonValue) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonValue(x)])));

// ------------------------------------------------------------------ the command
export interface TraceOptions {
  readonly workload: string;
  readonly iterations?: number;
  readonly durationMs?: number;
  readonly cpus: number;
  readonly intervalMs?: number;
  readonly json: boolean;
  /** `const volatile` globals set before load (BpfObject.setRodata), as a tool's options set them */
  readonly rodata?: ReadonlyArray<readonly [string, bigint | boolean]>;
  /** where output goes, line by line */
  readonly write: (s: string) => void;
}

/** Trace an object (a path under Node, or its bytes); returns the exit status. */
export async function trace(src: string | Uint8Array, o: TraceOptions): Promise<number> {
  const write = o.write;
  const machine = await createMachine({ ncpus: o.cpus });
  const k = await SimKernel.create({ machine });
  // the open path is a host-defined function: define it before the object meets the BTF
  prepareWorkloads(k);
  const obj = await k.open(src);
  for (const [name, value] of o.rodata ?? []) obj.setRodata(name, value);
  const btf = obj.spec.btf;
  const emit = (json: Record<string, unknown>, text: string): void => write(o.json ? `${JSON.stringify(json)}\n` : `${text}\n`);

  const results = await attachAll(k, obj);
  for (const r of results) {
    if (r.attached) emit({ type: "attach", program: r.program, section: r.section, targets: r.targets }, `attached ${r.program} (${r.section}) to ${r.targets.length === 1 ? r.targets[0] : `${r.targets.length} functions: ${r.targets.join(", ")}`}`);
    else emit({ type: "attach", program: r.program, section: r.section, error: r.reason }, `not attached: ${r.program} (${r.section}): ${r.reason}`);
  }

  const sample = (kind: "ringbuf" | "perf", map: BpfMap, data: Uint8Array, cpu: number | null): void => {
    const id = sampleStruct(btf, data.length);
    const where = cpu === null ? map.name : `${map.name} cpu ${cpu}`;
    if (id !== null && btf !== null) {
      const v = decodeBtf(btf, id, data);
      emit({ type: kind, map: map.name, ...(cpu !== null ? { cpu } : {}), size: data.length, data: jsonValue(v) }, `${where}: ${formatFields(v)}`);
    } else {
      emit({ type: kind, map: map.name, ...(cpu !== null ? { cpu } : {}), size: data.length, hex: bpftoolHex(data).replace(/\n/g, " ") }, `${where}: ${data.length} bytes\n  ${bpftoolHex(data).replace(/\n/g, "\n  ")}`);
    }
  };
  const rings: RingBuffer[] = [];
  const perfs: PerfBuffer[] = [];
  for (const m of obj.mapList()) {
    if (m.type === RINGBUF) rings.push(new RingBuffer(m, (data, map) => void sample("ringbuf", map, data, null)));
    else if (m.type === PERF_EVENT_ARRAY) {
      perfs.push(new PerfBuffer(m, {
        pageCount: 8,
        onSample: (cpu, data) => sample("perf", m, data, cpu),
        onLost: (cpu, n) => emit({ type: "lost", map: m.name, cpu, count: Number(n) }, `${m.name} cpu ${cpu}: lost ${n} samples`),
      }));
    }
  }
  const drain = (): void => {
    for (const r of rings) r.consume();
    for (const p of perfs) p.consume();
    if (machine.traceEvents.length > 0) {
      for (const e of machine.traceEvents) emit({ type: "trace_printk", cpu: e.cpu, pid: e.pid, comm: e.comm, ns: Number(e.ns), msg: e.msg }, formatTraceLine(e).replace(/\n$/, ""));
      machine.readTracePipe();
    }
  };
  const dataMaps = obj.mapList().filter((m) => m.type !== RINGBUF && m.type !== PERF_EVENT_ARRAY);
  const dumpMaps = (label: string): void => {
    if (o.json) {
      write(`${JSON.stringify({ type: "maps", at: label, ns: Number(machine.clockNs), maps: Object.fromEntries(dataMaps.map((m) => [m.name, JSON.parse(formatMapDumpJson(m, { maxValueBytes: SHOW_BYTES, maxEntries: SHOW_ENTRIES })) as unknown])) })}\n`);
      return;
    }
    write(`--- maps (${label}) ---\n`);
    write(dataMaps.map((m) => `${m.id}: ${m.typeName}  name ${m.name}  flags 0x${m.flags.toString(16)}\n${formatMapDump(m, { maxValueBytes: SHOW_BYTES, maxEntries: SHOW_ENTRIES })}`).join("\n"));
  };

  let nextDump = o.intervalMs !== undefined ? BigInt(o.intervalMs) * 1_000_000n : null;
  let started: bigint | null = null;
  const res: WorkloadResult = runWorkload(k, o.workload, {
    ...(o.iterations !== undefined ? { iterations: o.iterations } : {}),
    ...(o.durationMs !== undefined ? { durationMs: o.durationMs } : {}),
    cpus: o.cpus,
    onOp: () => {
      started ??= machine.clockNs;
      drain();
    },
    onRound: () => {
      if (nextDump === null || started === null) return;
      const step = BigInt(o.intervalMs!) * 1_000_000n;
      if (machine.clockNs - started >= nextDump) {
        dumpMaps(`${seconds(machine.clockNs)} s`);
        while (machine.clockNs - started >= nextDump) nextDump += step;
      }
    },
  });
  drain();
  const counts = Object.entries(res.counts).filter(([, n]) => n > 0).map(([op, n]) => `${op} ${n}`).join(", ");
  emit(
    { type: "workload", name: o.workload, rounds: res.rounds, ops: res.ops, counts: res.counts, errors: res.errors, cpus: o.cpus, start_ns: Number(res.startNs), end_ns: Number(res.endNs) },
    `workload ${o.workload}: ${res.rounds} rounds, ${res.ops} operations (${counts}), ${res.errors} failed, ${seconds(res.startNs)} s -> ${seconds(res.endNs)} s`,
  );
  dumpMaps("end");
  for (const p of perfs) p.close();
  return 0;
}

const seconds = (ns: bigint): string => `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n / 1000n).toString().padStart(6, "0")}`;

