// funclatency on the simulated kernel: node examples/funclatency.mjs [--cpus N] [--iterations N] [--workload NAME]
import { main } from "./run.mjs";

process.exitCode = await main("funclatency");
