// inject on the simulated kernel: node examples/inject.mjs [--cpus N] [--iterations N] [--workload NAME]
import { main } from "./run.mjs";

process.exitCode = await main("inject");
