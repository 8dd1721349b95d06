// `wabpf bench trigger`: the kernel's bench_trigger, ported to the simulated kernel
// (src/kernel/bench-trigger.ts): mean ± stddev M/s per variant, or one JSON object per line.
import { parse, positiveInt } from "../args.js";
import { InputError } from "../program-file.js";
import { formatTriggerTable, runTriggerBench, triggerRatios, TRIGGER_VARIANTS, type TriggerVariant } from "../../kernel/bench-trigger.js";
import { BENCH_USAGE } from "../usage.js";


export async function benchCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "trigger") throw new InputError(`usage: ${BENCH_USAGE}`);
  const { values, positionals } = parse(rest, {
    only: { type: "string" },
    warmup: { type: "string" },
    samples: { type: "string" },
    quick: { type: "boolean" },
    object: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 0) throw new InputError(`usage: ${BENCH_USAGE}`);
  const only = values.only?.split(",").map((s) => s.trim());
  for (const v of only ?? []) if (!(TRIGGER_VARIANTS as readonly string[]).includes(v)) throw new InputError(`unknown variant "${v}" (${TRIGGER_VARIANTS.join(", ")})`);
  const quick = values.quick === true;
  const json = values.json === true;
  const results = await runTriggerBench({
    warmupSec: values.warmup !== undefined ? Number(values.warmup) : quick ? 0.3 : 2,
    samples: positiveInt(values.samples, "--samples", quick ? 3 : 5),
    sampleSec: quick ? 0.3 : 1,
    ...(only !== undefined ? { only: only as TriggerVariant[] } : {}),
    ...(values.object !== undefined ? { object: values.object } : {}),
    onResult: (r) => {
      if (json) process.stdout.write(`${JSON.stringify({ name: r.name, mean_mps: Number(r.mean_mps.toFixed(3)), stddev_mps: Number(r.stddev_mps.toFixed(3)) })}\n`);
      else process.stdout.write(`${r.name.padEnd(17)}: ${r.mean_mps.toFixed(3).padStart(9)} ± ${r.stddev_mps.toFixed(3)} M/s\n`);
    },
  });
  if (!json) {
    const q = triggerRatios(results);
    process.stdout.write(`\n${formatTriggerTable(results)}\n`);
    if (q.multiVsFentry !== null) process.stdout.write(`fentry-multi / fentry: ${(q.multiVsFentry * 100).toFixed(1)}%\n`);
    if (q.allVsMulti !== null) process.stdout.write(`fentry-multi-all / fentry-multi: ${(q.allVsMulti * 100).toFixed(1)}%\n`);
  }
  return 0;
}
