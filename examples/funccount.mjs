// funccount on the simulated kernel: node examples/funccount.mjs [--cpus N] [--iterations N] [--workload NAME]
import { main } from "./run.mjs";

process.exitCode = await main("funccount");
