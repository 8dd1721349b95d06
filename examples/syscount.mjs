// syscount on the simulated kernel: node examples/syscount.mjs [--cpus N] [--iterations N] [--workload NAME]
import { main } from "./run.mjs";

process.exitCode = await main("syscount");
