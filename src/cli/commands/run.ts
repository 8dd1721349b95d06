import { readCliInput } from "../input.js";
import { CONFORMANCE_REGISTRY } from "../../exec/test-helpers.js";
import { hex64, parse, positiveInt } from "../args.js";
import { defaultEngine, parseEngine, prepareProgram, type EngineName } from "../../runtime/engine.js";
import { verifyRawOrThrow } from "../verify-raw.js";
import { hexBytes, InputError, readProgramFile } from "../program-file.js";
import { GuestMemory } from "../../exec/guest-memory.js";
import { isObjectFile, openObjectFile, selectPrograms } from "../object-file.js";
import { RUN_USAGE } from "../usage.js";


/**
 * Run a program with r1/r2 as the conformance plugin sets them. The program is verified first
 * (raw test type, as Linux would judge it; see `wabpf verify --prog-type raw`) and the JIT
 * drops what the verifier proved; --no-verify runs it unverified with every guard. With --repeat the input
 * is copied once and later runs see what earlier runs left (BPF_PROG_TEST_RUN's repeat
 * over a map-backed buffer); ns_per_run is measured around the runs only.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    mem: { type: "string" },
    "mem-hex": { type: "string" },
    engine: { type: "string" },
    repeat: { type: "string" },
    json: { type: "boolean" },
    "no-verify": { type: "boolean" },
    section: { type: "string" },
  });
  if (positionals.length !== 1) throw new InputError(`usage: ${RUN_USAGE}`);
  if (values.mem !== undefined && values["mem-hex"] !== undefined) throw new InputError("give --mem or --mem-hex, not both");
  const path = positionals[0]!;
  const object = isObjectFile(path) && (values.section !== undefined || values["no-verify"] !== true);
  const file = object ? null : readProgramFile(path);
  let input = file?.input ?? new Uint8Array(0);
  if (values.mem !== undefined) {
    input = readCliInput(values.mem);
  }
  if (values["mem-hex"] !== undefined) input = hexBytes(values["mem-hex"], "--mem-hex");
  const repeat = positiveInt(values.repeat, "--repeat", 1);
  const engine = parseEngine(values.engine, await defaultEngine());
  if (file === null) return runObjectProgram(path, values.section, input, engine, repeat, values.json === true);
  const facts = values["no-verify"] === true ? null : verifyRawOrThrow(file.insns, input.length);
  // a bpf_conformance vector calls uBPF's test helpers; other programs get none (no implicit set)
  const prog = await prepareProgram(file.insns, engine, { verified: facts, ...(path.toLowerCase().endsWith(".data") ? { helpers: CONFORMANCE_REGISTRY } : {}) });

  // The first run copies the input; later runs reuse the buffer as earlier runs left it.
  // With --repeat, ns_per_run times the repeats only (no compilation, no first-run set-up).
  const mem = new GuestMemory();
  let t0 = process.hrtime.bigint();
  let r0 = prog.run({ input, mem }).r0;
  let ns = Number(process.hrtime.bigint() - t0);
  if (repeat > 1) {
    const again = prog.prepare({ input, mem, preserveInput: true });
    t0 = process.hrtime.bigint();
    for (let i = 1; i < repeat; i++) r0 = again().r0;
    ns = Number(process.hrtime.bigint() - t0) / (repeat - 1);
  }

  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ r0: hex64(r0), runs: repeat, ns_per_run: Math.round(ns * 100) / 100 })}\n`);
  } else {
    process.stdout.write(`${hex64(r0)}\n`);
    if (repeat > 1) process.stderr.write(`${repeat} runs, ${ns.toFixed(1)} ns/run (${engine})\n`);
  }
  return 0;
}

/** `wabpf run prog.o --section S`: load the object's maps and that program (verified), run it on `ctx`. */
async function runObjectProgram(path: string, section: string | undefined, ctx: Uint8Array, engine: EngineName, repeat: number, json: boolean): Promise<number> {
  const obj = await openObjectFile(path);
  const progs = selectPrograms(obj, section);
  if (progs.length !== 1) throw new InputError(`${progs.length} programs in ${path}: choose one with --section (${progs.map((p) => `${p.section} (${p.name})`).join(", ")})`);
  const prog = progs[0]!;
  obj.createMaps();
  await prog.load({ engine });
  let r0 = 0n;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) r0 = prog.run({ ctx }).r0;
  const ns = Number(process.hrtime.bigint() - t0) / repeat;
  if (json) process.stdout.write(`${JSON.stringify({ program: prog.name, section: prog.section, r0: hex64(r0), runs: repeat, ns_per_run: Math.round(ns * 100) / 100 })}\n`);
  else process.stdout.write(`${hex64(r0)}\n`);
  return 0;
}
