// `wabpf trace`: the tracing session of src/api/trace.ts on an object file, printed to stdout.
import { InputError } from "../program-file.js";
import { parse, parseRodata, positiveInt } from "../args.js";
import { WORKLOADS, WORKLOAD_NAMES } from "../../kernel/workloads.js";
import { trace } from "../../api/trace.js";
import { TRACE_USAGE } from "../usage.js";

export { attachAll, sampleStruct, decodeBtf, formatFields, trace, type TraceAttachResult, type TraceOptions } from "../../api/trace.js";


export async function traceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    workload: { type: "string" },
    "duration-ms": { type: "string" },
    iterations: { type: "string" },
    cpus: { type: "string" },
    "interval-ms": { type: "string" },
    json: { type: "boolean" },
    rodata: { type: "string", multiple: true },
  });
  if (positionals.length !== 1) throw new InputError(`usage: ${TRACE_USAGE}`);
  const workload = values.workload ?? "mixed";
  if (WORKLOADS[workload] === undefined) throw new InputError(`unknown workload "${workload}" (${WORKLOAD_NAMES.join(", ")})`);
  if (values["duration-ms"] !== undefined && values.iterations !== undefined) throw new InputError("--duration-ms and --iterations exclude each other");
  const cpus = positiveInt(values.cpus, "--cpus", 1);
  if (cpus > 64) throw new InputError(`--cpus must be at most 64, got ${cpus}`);
  const iterations = values.iterations !== undefined ? positiveInt(values.iterations, "--iterations", 1) : undefined;
  const durationMs = values["duration-ms"] !== undefined ? positiveInt(values["duration-ms"], "--duration-ms", 1) : undefined;
  const intervalMs = values["interval-ms"] !== undefined ? positiveInt(values["interval-ms"], "--interval-ms", 1) : undefined;
  return trace(positionals[0]!, {
    write: (s) => void process.stdout.write(s),
    workload,
    cpus,
    json: values.json === true,
    ...(values.rodata !== undefined ? { rodata: values.rodata.map(parseRodata) } : {}),
    ...(iterations !== undefined ? { iterations } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
  });
}
