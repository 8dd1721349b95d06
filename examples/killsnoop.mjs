// killsnoop on the simulated kernel: node examples/killsnoop.mjs [--cpus N] [--iterations N] [--workload NAME]
import { main } from "./run.mjs";

process.exitCode = await main("killsnoop");
