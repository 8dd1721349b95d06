// `wabpf verify`: what the Linux 6.18 verifier would say about a program (privileged load).
import { HELPER } from "../../isa/helpers.js";
import { CALL } from "../../isa/opcode.js";
import type { BpfProgram } from "../../object/bpf-object.js";
import { existsSync } from "node:fs";
import { stdinLines, readCliInput } from "../input.js";
import { parseArgs } from "node:util";
import { InputError, readProgramFile } from "../program-file.js";
import { decodeRaw } from "../../isa/decode.js";
import { verify } from "../../verifier/index.js";
import { rawHarnessPrefix, verifyRawHarness } from "../../verifier/raw-harness.js";
import { explain } from "../../verifier/explain.js";
import { checkCreate, mapTypeName } from "../../runtime/map-types.js";
import { BpfError } from "../../errors.js";
import { libbpfMaxEntries, type BpfObject } from "../../object/bpf-object.js";
import { parseBtf, type Btf } from "../../loader/btf.js";
import { isObjectFile, openObjectFile, selectPrograms } from "../object-file.js";
import { PROG_TYPES, refusedResult, type MapDef, type ProgType, type VerifyResult } from "../../verifier/types.js";
import type { Insn } from "../../isa/insn.js";
import { VERIFY_USAGE } from "../usage.js";
import { parseRodata, type RodataSetting } from "../args.js";


function progType(t: string | undefined): ProgType {
  const name = t ?? "socket_filter";
  const alias: Record<string, ProgType> = { socket: "socket_filter", tc: "sched_cls", raw_tp: "raw_tracepoint" };
  const pt = alias[name] ?? name;
  if (!(PROG_TYPES as readonly string[]).includes(pt)) throw new InputError(`unknown program type "${name}" (${PROG_TYPES.join(", ")})`);
  return pt as ProgType;
}

function parseMap(spec: string): MapDef {
  const p = spec.split(":");
  const n = p.slice(1).map((x) => Number(x));
  if (p.length < 4 || p.length > 5 || n.some((x) => !Number.isInteger(x) || x < 0)) {
    throw new InputError(`bad --map "${spec}": expected TYPE:KEYSZ:VALSZ:MAXENT[:FLAGS]`);
  }
  return { type: p[0]!.toLowerCase(), keySize: n[0]!, valueSize: n[1]!, maxEntries: n[2]!, flags: n[3] ?? 0 };
}

function logLevel(s: string | undefined): 0 | 1 | 2 {
  if (s === undefined) return 1;
  if (s !== "0" && s !== "1" && s !== "2") throw new InputError(`bad --log-level "${s}" (0, 1, 2)`);
  return Number(s) as 0 | 1 | 2;
}

const jsonResult = (r: VerifyResult): Record<string, unknown> => ({
  accepted: r.accepted,
  errno: r.errno,
  error: r.error,
  insns_processed: r.insnsProcessed,
  log: r.log,
});

/** The verdict; a refusal says where (the instruction, and its C source line for objects with line info). */
const verdictLine = (r: VerifyResult): string => {
  if (r.accepted) return "accepted";
  const at = r.errorInsn === undefined ? "" : ` (insn ${r.errorInsn}${r.errorSource !== undefined ? `, ${r.errorSource.replace(/^; /, "")}` : ""})`;
  return `rejected (errno ${r.errno}): ${r.error}${at}`;
};

export async function verifyCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "prog-type": { type: "string" },
        "prog-flags": { type: "string" },
        map: { type: "string", multiple: true },
        "log-level": { type: "string" },
        license: { type: "string" },
        json: { type: "boolean" },
        batch: { type: "boolean" },
        "mem-size": { type: "string" },
        section: { type: "string" },
        explain: { type: "boolean" },
        btf: { type: "string" },
        rodata: { type: "string", multiple: true },
      },
    });
  } catch (e) {
    process.stderr.write(`wabpf verify: ${(e as Error).message}\nusage: ${VERIFY_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.batch === true) return batch();
  try {
    if (positionals.length !== 1) throw new InputError(`usage: ${VERIFY_USAGE}`);
    if (isObjectFile(positionals[0]!)) return await verifyObject(positionals[0]!, values.section, values.json === true, logLevel(values["log-level"]), values.btf, values.explain === true, (values.rodata ?? []).map(parseRodata));
    if (values.rodata !== undefined) throw new InputError("--rodata sets globals of an object file (.o)");
    // invalid encodings are the verifier's to refuse (exit 1 with Linux's message), not unreadable input
    const file = readProgramFile(positionals[0]!, { lenient: true });
    const flags = values["prog-flags"] === undefined ? 0 : Number(values["prog-flags"]);
    if (!Number.isInteger(flags)) throw new InputError(`bad --prog-flags "${values["prog-flags"]}"`);
    const maps = (values.map ?? []).map(parseMap);
    // the explanation reads the failing path from a level-1 log
    const asked = logLevel(values["log-level"]);
    const level = values.explain === true ? (Math.max(1, asked) as 1 | 2) : asked;
    let r: VerifyResult;
    // what the log numbers: the raw type's body comes after the harness's 8 instructions
    let logged: readonly Insn[] = file.insns;
    if (values["prog-type"] === "raw") {
      const memSize = values["mem-size"] === undefined ? (file.input?.length ?? 0) : Number(values["mem-size"]);
      if (!Number.isInteger(memSize) || memSize < 0 || memSize > 1 << 20) throw new InputError(`bad --mem-size "${values["mem-size"]}"`);
      r = verifyRawHarness(file.insns, { memSize, maps, logLevel: level });
      logged = [...rawHarnessPrefix(memSize, maps.length), ...file.insns];
    } else {
      r = verify(file.insns, { progType: progType(values["prog-type"]), progFlags: flags, maps, logLevel: level, license: values.license ?? "GPL" });
    }
    const ex = values.explain === true && !r.accepted ? explain(logged, r) : null;
    if (values.json === true) process.stdout.write(`${JSON.stringify({ ...jsonResult(r), ...(ex !== null ? { explanation: { pc: ex.pc, reg: ex.reg, path: ex.path, slice: ex.slice } } : {}) })}\n`);
    else process.stdout.write(`${r.log}${verdictLine(r)}\n${ex !== null ? `${ex.text}\n` : ""}`);
    return r.accepted ? 0 : 1;
  } catch (e) {
    process.stderr.write(`wabpf verify: ${(e as Error).message}\n`);
    return 2;
  }
}

/** Verify the programs of an object: a log and verdict each, or one JSON line each. */
async function verifyObject(path: string, section: string | undefined, json: boolean, asked: 0 | 1 | 2, btfPath: string | undefined, wantExplain: boolean, rodata: readonly RodataSetting[]): Promise<number> {
  // the explanation reads the failing path from a level-1 log
  const level = wantExplain ? (Math.max(1, asked) as 1 | 2) : asked;
  // verification needs the maps' definitions only: nothing is created, nothing compiled
  let obj = await openObjectFile(path, btfPath === undefined ? undefined : await readTargetBtf(btfPath));
  // tracing and LSM programs attach to kernel functions: without --btf, the running kernel's
  // BTF, as libbpf takes it (CO-RE then resolves against it too)
  if (btfPath === undefined && obj.programs.some(needsKernelBtf) && existsSync(RUNNING_KERNEL_BTF)) {
    obj = await openObjectFile(path, await readTargetBtf(RUNNING_KERNEL_BTF));
  }
  // what a tool's loader sets through its skeleton before load (targ_pid = -p PID, ...)
  for (const [name, value] of rodata) obj.setRodata(name, value);
  // libbpf creates the maps before loading any program: a map the kernel refuses fails them all
  const mapFailure = firstMapCreateFailure(obj);
  let rejected = 0;
  for (const p of selectPrograms(obj, section)) {
    const r = mapFailure ?? p.verify({ logLevel: json && !wantExplain ? 0 : level });
    if (!r.accepted) rejected++;
    const ex = wantExplain && !r.accepted && mapFailure === null && r.errorInsn !== undefined ? explain(obj.coreApply(p), r) : null;
    if (json) {
      const line = {
        section: p.section, name: p.name, prog_type: p.progType, accepted: r.accepted, errno: r.errno, error: r.error,
        ...(r.errorInsn !== undefined ? { insn: r.errorInsn } : {}),
        ...(r.errorSource !== undefined ? { source: r.errorSource.replace(/^; /, "") } : {}),
        ...(ex !== null ? { explanation: { pc: ex.pc, reg: ex.reg, path: ex.path, slice: ex.slice } } : {}),
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    } else {
      process.stdout.write(`${p.section} (${p.name}, ${p.progType}):\n${r.log}${verdictLine(r)}\n${ex !== null ? `${ex.text}\n` : ""}`);
    }
  }
  for (const s of obj.spec.ignored) process.stderr.write(`wabpf verify: section ${s.section} skipped: ${s.reason}\n`);
  return rejected === 0 ? 0 : 1;
}

/** The kernel's map-creation checks on the object's definitions, as a refusal of every program. */
function firstMapCreateFailure(obj: BpfObject): VerifyResult | null {
  for (const m of obj.spec.maps) {
    let errno: number | null = null;
    let why = "";
    try {
      checkCreate({ type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: libbpfMaxEntries(m.type, m.maxEntries, obj.machine.ncpus), flags: m.flags, mapExtra: m.mapExtra }, obj.machine.ncpus);
    } catch (e) {
      if (e instanceof BpfError) [errno, why] = [e.errno, e.message];
      // a type the runtime does not implement: at least the check every type shares
      // (local storage maps are the exception: they must have 0)
      else if (libbpfMaxEntries(m.type, m.maxEntries, obj.machine.ncpus) === 0 && !LOCAL_STORAGE.has(mapTypeName(m.type))) [errno, why] = [22, "max_entries is 0"];
    }
    if (errno !== null) {
      return refusedResult(errno, `map '${m.name}': failed to create: ${errnoText(errno)}(-${errno}) (${why})`, true);
    }
  }
  return null;
}

const errnoText = (n: number): string => ({ 1: "Operation not permitted", 7: "Argument list too long", 22: "Invalid argument", 95: "Operation not supported" })[n] ?? `errno ${n}`;

const RUNNING_KERNEL_BTF = "/sys/kernel/btf/vmlinux";

/** Local storage maps: max_entries is 0 (one value per owning object). */
const LOCAL_STORAGE: ReadonlySet<string> = new Set(["sk_storage", "inode_storage", "task_storage", "cgrp_storage"]);

/** Helpers whose arguments or results are typed by the kernel's BTF (task pointers, task storage). */
const BTF_TYPED_HELPERS: ReadonlySet<number> = new Set([HELPER.get_current_task_btf, HELPER.task_pt_regs, HELPER.get_task_stack, HELPER.task_storage_get, HELPER.task_storage_delete]);

/** A program the verifier must type with the kernel's BTF: tracing and LSM, or one calling a BTF-typed helper or a kfunc. */
function needsKernelBtf(p: BpfProgram): boolean {
  if (p.progType === "tracing" || p.progType === "lsm") return true;
  return p.insns.some((i) => i.code === CALL && ((i.src === 0 && BTF_TYPED_HELPERS.has(i.imm)) || i.src === 2));
}

async function readTargetBtf(path: string): Promise<Btf> {
  return parseBtf(readCliInput(path), { section: path });
}

interface BatchIn {
  id?: unknown;
  insns_hex?: string;
  prog_type?: string;
  expected_attach_type?: string | null;
  prog_flags?: number;
  license?: string;
  maps?: Array<{ type: string | number; key_size: number; value_size: number; max_entries: number; flags?: number; map_extra?: number; init_hex?: string | null; freeze?: boolean; inner?: unknown }>;
}

/** A batch map's init_hex as the value of key 0: at most value_size bytes, the rest zero. */
function initBytes(hex: string | null, valueSize: number): Uint8Array {
  const h = (hex ?? "").replace(/\s+/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(h) || h.length / 2 > valueSize) throw new InputError(`init_hex must be at most value_size (${valueSize}) bytes in hex`);
  const b = new Uint8Array(valueSize);
  b.set(Buffer.from(h, "hex"));
  return b;
}

/** One JSON line in, one out; a bad request or a verifier crash never ends the stream. */
export function verifyBatchLine(line: string): Record<string, unknown> {
  let req: BatchIn;
  try {
    req = JSON.parse(line) as BatchIn;
  } catch (e) {
    return { id: null, accepted: false, errno: null, error: `bad request: ${(e as Error).message}`, insns_processed: 0, internal_error: null };
  }
  const id = req.id ?? null;
  try {
    const hex = (req.insns_hex ?? "").replace(/\s+/g, "");
    if (!/^([0-9a-fA-F]{16})*$/.test(hex)) throw new InputError("insns_hex must be whole 8-byte instructions in hex");
    const insns: Insn[] = decodeRaw(Buffer.from(hex, "hex"));
    const r = verify(insns, {
      progType: progType(req.prog_type),
      progFlags: req.prog_flags ?? 0,
      // a type may be the enum's number; a frozen map's init_hex is what its constant-offset
      // loads read (with BPF_F_RDONLY_PROG); inner templates are accepted but not modelled
      maps: (req.maps ?? []).map((m) => ({
        type: typeof m.type === "number" ? mapTypeName(m.type) : m.type, keySize: m.key_size, valueSize: m.value_size, maxEntries: m.max_entries, flags: m.flags ?? 0,
        ...(m.freeze === true ? { frozen: true, initial: initBytes(m.init_hex ?? null, m.value_size) } : {}),
      })),
      license: req.license ?? "GPL",
      expectedAttachType: req.expected_attach_type ?? null,
      logLevel: 0,
    });
    return { id, accepted: r.accepted, errno: r.errno, error: r.error, insns_processed: r.insnsProcessed };
  } catch (e) {
    if (e instanceof InputError) return { id, accepted: false, errno: null, error: `bad request: ${e.message}`, insns_processed: 0 };
    return { id, accepted: false, errno: null, error: "internal_error", insns_processed: 0, internal_error: String((e as Error).stack ?? e) };
  }
}

async function batch(): Promise<number> {
  for await (const line of stdinLines()) {
    if (line.trim() === "") continue;
    process.stdout.write(`${JSON.stringify(verifyBatchLine(line))}\n`);
  }
  return 0;
}
