// opensnoop on the simulated kernel: node examples/opensnoop.mjs [--cpus N] [--iterations N] [--workload NAME]
import { main } from "./run.mjs";

process.exitCode = await main("opensnoop");
