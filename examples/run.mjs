// Run one example tool with the built package: node examples/run.mjs TOOL [--cpus N]
// [--iterations N] [--workload NAME] (or node examples/TOOL.mjs with the same options).
import { parseArgs } from "node:util";
import { TOOLS } from "./tools.mjs";

export async function main(tool, argv = process.argv.slice(2)) {
  const { values } = parseArgs({ args: argv, options: { cpus: { type: "string" }, iterations: { type: "string" }, workload: { type: "string" } } });
  const run = TOOLS[tool];
  if (run === undefined) {
    process.stderr.write(`unknown tool "${tool}" (${Object.keys(TOOLS).join(", ")})\n`);
    return 2;
  }
  const api = await import("./api.mjs");
  const opts = {};
  if (values.cpus !== undefined) opts.cpus = Number(values.cpus);
  if (values.iterations !== undefined) opts.iterations = Number(values.iterations);
  if (values.workload !== undefined) opts.workload = values.workload;
  process.stdout.write(await run(api, opts));
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv[2], process.argv.slice(3));
