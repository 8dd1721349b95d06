// What the playground asks of wabpf, as plain data in and out: the same calls whether they run
// in a Worker (the page's default: verification and JIT compilation off the main thread) or
// directly (Node tests, pages without workers).
import { EbpfError } from "../errors.js";
import { assemble } from "../asm/assemble.js";
import { parseHexBytes } from "../asm/numbers.js";
import { parseDataFile } from "../asm/data-file.js";
import { decodeRaw } from "../isa/decode.js";
import type { Insn } from "../isa/insn.js";
import { verify } from "../verifier/verifier.js";
import { PROG_TYPES, type ProgType, type VerifyResult } from "../verifier/types.js";
import { verifyRawHarness, rawHarnessPrefix } from "../verifier/raw-harness.js";
import { VerifierError } from "../verifier/error.js";
import { verifyRawOrThrow } from "../cli/verify-raw.js";
import { explain } from "../verifier/explain.js";
import { prepareProgram, type EngineName } from "../runtime/engine.js";
import { CONFORMANCE_REGISTRY } from "../exec/test-helpers.js";
import { GuestMemory } from "../exec/guest-memory.js";
import type { BpfObject } from "../object/bpf-object.js";
import { SimKernel } from "../kernel/kernel.js";
import { trace } from "../api/trace.js";
import { WORKLOAD_NAMES } from "../kernel/workloads.js";
import { runTriggerBench, TRIGGER_VARIANTS, SERIES_MPS, type TriggerResult, type TriggerVariant } from "../kernel/bench-trigger.js";
import { formatMapDump } from "../runtime/map-dump.js";
import { mapTypeName } from "../runtime/map-types.js";

export interface ProgramSource {
  /** assembler text (either syntax) */
  readonly asm?: string;
  /** raw bytecode as hex */
  readonly hex?: string;
}

export interface VerifyRequest extends ProgramSource {
  /** "raw" (r1 = memory, r2 = its length) or a kernel program type */
  readonly progType: string;
  readonly memHex?: string;
  readonly logLevel?: 0 | 1 | 2;
}

export interface VerifyReply {
  readonly accepted: boolean;
  readonly errno: number | null;
  readonly error: string | null;
  readonly insnsProcessed: number;
  readonly log: string;
  readonly explanation: string | null;
  /** the instructions the offending value came from (highlighted in the log) */
  readonly slice: readonly number[];
  /** the instruction the verifier refused */
  readonly failingPc: number | null;
  readonly ms: number;
}

export interface RunRequest extends ProgramSource {
  readonly memHex?: string;
  readonly engine: EngineName;
  /** verify first (raw test type) and let the JIT drop what it proved */
  readonly verify: boolean;
  readonly repeat?: number;
}

export interface RunReply {
  readonly r0: string;
  readonly memHex: string;
  readonly compileMs: number;
  readonly nsPerRun: number;
}

export interface ObjectReply {
  readonly programs: Array<{ name: string; section: string; progType: string; insns: number; accepted: boolean; error: string | null; log: string }>;
  readonly maps: Array<{ name: string; type: string; keySize: number; valueSize: number; maxEntries: number }>;
}

// the CLI's rules (--mem-hex): characters other than hex digits, "0x", spaces and commas are an error
const hexToBytes = (h: string | undefined): Uint8Array => {
  const bytes = parseHexBytes(h ?? "");
  if (bytes === null) throw new EbpfError("EINVAL", `not a string of hex bytes: "${h ?? ""}"`);
  return bytes;
};
const bytesToHex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");

export function programOf(src: ProgramSource): Insn[] {
  if (src.hex !== undefined && src.hex.trim() !== "") return decodeRaw(hexToBytes(src.hex));
  return assemble(src.asm ?? "");
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

export function verifyRequest(req: VerifyRequest): VerifyReply {
  const insns = programOf(req);
  const logLevel = req.logLevel ?? 1;
  const t0 = now();
  let r: VerifyResult;
  let logged: readonly Insn[] = insns;
  if (req.progType === "raw") {
    const memSize = hexToBytes(req.memHex).length;
    r = verifyRawHarness(insns, { memSize, logLevel });
    logged = [...rawHarnessPrefix(memSize), ...insns];
  } else {
    if (!(PROG_TYPES as readonly string[]).includes(req.progType)) throw new EbpfError("EINVAL", `unknown program type ${req.progType}`);
    r = verify(insns, { progType: req.progType as ProgType, logLevel });
  }
  const ms = now() - t0;
  const ex = r.accepted ? null : explain(logged, r);
  return { accepted: r.accepted, errno: r.errno, error: r.error, insnsProcessed: r.insnsProcessed, log: r.log, explanation: ex?.text ?? null, slice: ex?.slice ?? [], failingPc: ex?.pc ?? null, ms };
}

export async function runRequest(req: RunRequest): Promise<RunReply> {
  const insns = programOf(req);
  const input = hexToBytes(req.memHex);
  const facts = req.verify ? verifyRawOrThrow(insns, input.length) : null;
  const mem = new GuestMemory();
  const repeat = Math.max(1, req.repeat ?? 1);
  // as `wabpf run`: the first run copies the input, later runs reuse the buffer as earlier runs left it
  const t0 = now();
  const prog = await prepareProgram(insns, req.engine, { verified: facts });
  const compileMs = now() - t0;
  let r0 = prog.run({ input, mem }).r0;
  const again = prog.prepare({ input, mem, preserveInput: true });
  const t1 = now();
  for (let i = 1; i < repeat; i++) r0 = again().r0;
  const nsPerRun = repeat > 1 ? ((now() - t1) * 1e6) / (repeat - 1) : 0;
  return { r0: `0x${r0.toString(16)}`, memHex: bytesToHex(mem.read(0x100000, input.length)), compileMs, nsPerRun };
}

/** The object last opened by objectRequest: its maps can be inspected and edited. */
let current: BpfObject | null = null;

/** Open a dropped .o: every program verified (with its log), maps listed. */
export async function objectRequest(bytes: Uint8Array): Promise<ObjectReply> {
  // against the simulated kernel the tracing panel attaches to: its BTF types tracing programs
  const obj = await (await SimKernel.create()).open(bytes, "dropped");
  obj.createMaps();
  current = obj;
  const programs = [];
  for (const p of obj.programs) {
    let v: VerifyResult;
    try {
      v = await p.load({ logLevel: 1 });
    } catch (e) {
      if (!(e instanceof VerifierError)) throw e;
      v = e.result;
    }
    programs.push({ name: p.name, section: p.section, progType: p.progType, insns: p.insns.length, accepted: v.accepted, error: v.error, log: v.log });
  }
  return { programs, maps: obj.spec.maps.map((m) => ({ name: m.name, type: mapTypeName(m.type), keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries })) };
}

export interface VectorResult {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

/** bpf_conformance vectors (the `.data` text) run here, as `wabpf conformance` runs them. */
export async function conformanceRequest(vectors: ReadonlyArray<{ name: string; text: string }>, engine: EngineName): Promise<VectorResult[]> {
  const out: VectorResult[] = [];
  for (const v of vectors) {
    try {
      const d = parseDataFile(v.text, v.name);
      const insns = d.raw !== null ? decodeRaw(d.raw) : assemble(d.asm);
      const opts = d.mem.length > 0 ? { input: d.mem } : {};
      let r0: bigint;
      try {
        // the vectors call uBPF's test helpers: passed explicitly, never implied
        r0 = (await prepareProgram(insns, engine, { helpers: CONFORMANCE_REGISTRY })).run(opts).r0;
      } catch (e) {
        out.push({ name: v.name, passed: d.error !== undefined, detail: String(e) });
        continue;
      }
      const want = d.result === null ? null : BigInt.asUintN(64, d.result);
      out.push({ name: v.name, passed: want !== null && r0 === want, detail: `got 0x${r0.toString(16)}` });
    } catch (e) {
      out.push({ name: v.name, passed: false, detail: String(e) });
    }
  }
  return out;
}

export interface MapRequest {
  readonly name: string;
  readonly op: "dump" | "update" | "delete";
  readonly keyHex?: string;
  readonly valueHex?: string;
}

/** Inspect or edit a map of the last opened object; returns the map as bpftool dumps it. */
export function mapRequest(req: MapRequest): string {
  if (current === null) throw new EbpfError("EINVAL", "open an object first");
  const m = current.map(req.name);
  if (req.op === "update") m.update(hexToBytes(req.keyHex), hexToBytes(req.valueHex));
  if (req.op === "delete") m.delete(hexToBytes(req.keyHex));
  // the page shows a map's first elements: an array map may have millions
  return formatMapDump(m, { maxEntries: 1024, maxValueBytes: 4096 });
}

export interface TraceRequest {
  /** the object's bytes, or a URL to fetch it from (the examples) */
  readonly bytes?: Uint8Array;
  readonly url?: string;
  readonly workload: string;
  readonly iterations: number;
  readonly cpus?: number;
}

/** `wabpf trace` in the page: attach the object's programs to a fresh simulated kernel, run a workload, return the output. */
export async function traceRequest(req: TraceRequest): Promise<string> {
  if (!(WORKLOAD_NAMES as readonly string[]).includes(req.workload)) throw new EbpfError("EINVAL", `unknown workload ${req.workload}`);
  let bytes = req.bytes;
  if (bytes === undefined) {
    if (req.url === undefined) throw new EbpfError("EINVAL", "no object");
    const res = await fetch(req.url);
    if (!res.ok) throw new EbpfError("EINVAL", `${req.url}: HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  }
  let out = "";
  await trace(bytes, { workload: req.workload, iterations: req.iterations, cpus: req.cpus ?? 1, json: false, write: (s) => void (out += s) });
  return out;
}

export interface TriggerRequest {
  readonly variants: readonly string[];
  readonly sampleSec?: number;
}

export interface TriggerReply {
  readonly results: readonly TriggerResult[];
  /** the series' figures (M/s) for the same variants */
  readonly series: Readonly<Record<string, number>>;
}

/** bench_trigger on the simulated kernel, short samples (a page should not block for minutes). */
export async function triggerRequest(req: TriggerRequest): Promise<TriggerReply> {
  const only = req.variants.filter((v): v is TriggerVariant => (TRIGGER_VARIANTS as readonly string[]).includes(v));
  const results = await runTriggerBench({ only, warmupSec: 0.2, samples: 3, sampleSec: req.sampleSec ?? 0.25 });
  return { results, series: Object.fromEntries(only.filter((v) => SERIES_MPS[v] !== undefined).map((v) => [v, SERIES_MPS[v]!])) };
}
