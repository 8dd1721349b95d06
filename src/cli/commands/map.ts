// `wabpf map dump`: load an object, optionally run some of its programs, and print its maps
// as `bpftool map dump` prints maps without BTF (plain hex; -j gives bpftool's JSON shape).
import { hexBytes, InputError } from "../program-file.js";
import { parse, positiveInt } from "../args.js";
import { openObjectFile, selectPrograms } from "../object-file.js";
import type { BpfMap } from "../../runtime/maps.js";

export const MAP_USAGE = "wabpf map dump OBJECT.o [--map NAME]... [--run PROG[:CTX_HEX]]... [--repeat N] [--json]";

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
const round8 = (n: number): number => Math.ceil(n / 8) * 8;

/** bpftool's plain dump of one map (print_entry_plain / print_entry_error layout). */
export function dumpPlain(m: BpfMap): string {
  const out: string[] = [];
  let n = 0;
  const ncpus = m.machine.ncpus;
  const queue = m.keySize === 0;
  const entries: Array<[Uint8Array | null, Uint8Array]> = queue ? [] : [...m.entries()];
  if (queue) {
    const v = m.peek();
    if (v !== null) entries.push([null, v]);
  }
  for (const [k, v] of entries) {
    n++;
    if (m.percpu) {
      out.push("key:", hex(k!));
      const step = round8(m.valueSize);
      for (let c = 0; c < ncpus; c++) out.push(`value (CPU ${String(c).padStart(2, "0")}): ${hex(v.subarray(c * step, c * step + m.valueSize))}`);
    } else if (k === null) {
      out.push(`value: ${hex(v)}`);
    } else if (m.keySize > 16 || m.keySize + m.valueSize > 24) {
      out.push("key:", hex(k), "value:", hex(v));
    } else {
      out.push(`key: ${hex(k)}  value: ${hex(v)}`);
    }
  }
  out.push(`Found ${n} element${n === 1 ? "" : "s"}`);
  return out.join("\n");
}

function dumpJson(m: BpfMap): unknown[] {
  const h = (b: Uint8Array): string[] => [...b].map((x) => `0x${x.toString(16).padStart(2, "0")}`);
  return [...m.entries()].map(([k, v]) => {
    if (!m.percpu) return { key: h(k), value: h(v) };
    const step = round8(m.valueSize);
    return { key: h(k), values: Array.from({ length: m.machine.ncpus }, (_, c) => ({ cpu: c, value: h(v.subarray(c * step, c * step + m.valueSize)) })) };
  });
}

export async function mapCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "dump") throw new InputError(`usage: ${MAP_USAGE}`);
  const { values, positionals } = parse(rest, {
    map: { type: "string", multiple: true },
    run: { type: "string", multiple: true },
    repeat: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw new InputError(`usage: ${MAP_USAGE}`);
  const obj = await openObjectFile(positionals[0]!);
  obj.createMaps();
  const repeat = positiveInt(values.repeat, "--repeat", 1);
  for (const spec of values.run ?? []) {
    const [name, ctxHex] = spec.split(":");
    const progs = selectPrograms(obj, name);
    const ctx = ctxHex === undefined ? new Uint8Array(0) : hexBytes(ctxHex, `--run ${spec}`);
    for (const p of progs) {
      if (p.verdict === null) await p.load();
      for (let i = 0; i < repeat; i++) p.run({ ctx });
    }
  }
  const names = values.map ?? obj.spec.maps.map((m) => m.name);
  const maps = names.map((n) => obj.map(n));
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(Object.fromEntries(maps.map((m) => [m.name, dumpJson(m)])))}\n`);
    return 0;
  }
  process.stdout.write(maps.map((m) => `${m.id}: ${m.typeName}  name ${m.name}  flags 0x${m.flags.toString(16)}\n${dumpPlain(m)}`).join("\n\n") + "\n");
  return 0;
}
