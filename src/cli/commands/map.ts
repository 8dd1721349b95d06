// `wabpf map dump`: load an object, optionally run some of its programs, and print its maps
// as `bpftool map dump` prints maps without BTF (src/runtime/map-dump.ts; --json: bpftool -j).
import { hexBytes, InputError } from "../program-file.js";
import { parse, positiveInt } from "../args.js";
import { openObjectFile, selectPrograms } from "../object-file.js";
import { formatMapDump, formatMapDumpJson } from "../../runtime/map-dump.js";
import { MAP_USAGE } from "../usage.js";

/** Elements printed per map unless --max-entries says otherwise (the text is built in memory). */
const DEFAULT_MAX_ENTRIES = 100_000;

export async function mapCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "dump") throw new InputError(`usage: ${MAP_USAGE}`);
  const { values, positionals } = parse(rest, {
    map: { type: "string", multiple: true },
    run: { type: "string", multiple: true },
    repeat: { type: "string" },
    "max-entries": { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw new InputError(`usage: ${MAP_USAGE}`);
  const obj = await openObjectFile(positionals[0]!);
  obj.createMaps();
  const repeat = positiveInt(values.repeat, "--repeat", 1);
  const limits = { maxEntries: positiveInt(values["max-entries"], "--max-entries", DEFAULT_MAX_ENTRIES) };
  for (const spec of values.run ?? []) {
    const [name, ctxHex] = spec.split(":");
    const progs = selectPrograms(obj, name);
    const ctx = ctxHex === undefined ? new Uint8Array(0) : hexBytes(ctxHex, `--run ${spec}`);
    for (const p of progs) {
      if (p.verdict === null) await p.load();
      for (let i = 0; i < repeat; i++) p.run({ ctx });
    }
  }
  // every map that exists (a type wabpf lacks is reported instead), or the ones asked for
  if (values.map === undefined) for (const [name, why] of obj.unsupportedMaps) process.stderr.write(`wabpf map: ${name}: ${why.message}\n`);
  const maps = values.map === undefined ? obj.mapList() : values.map.map((n) => obj.map(n));
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(Object.fromEntries(maps.map((m) => [m.name, JSON.parse(formatMapDumpJson(m, limits)) as unknown])))}\n`);
    return 0;
  }
  process.stdout.write(maps.map((m) => `${m.id}: ${m.typeName}  name ${m.name}  flags 0x${m.flags.toString(16)}\n${formatMapDump(m, limits)}`).join("\n"));
  return 0;
}
