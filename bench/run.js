// `npm run bench`: every benchmark suite, each reporting ratios against a baseline measured
// in the same run. `--quick` shortens every measurement (for a smoke run).
import { benchJit } from "./jit.js";
import { benchMaps } from "./maps.js";
import { benchVerifier } from "./verifier.js";
import { benchTrigger } from "./trigger.js";
import { benchOutput } from "./output.js";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
const suites = {
  jit: () => benchJit({ quick, rounds: quick ? 2 : 5 }),
  verifier: () => benchVerifier({ quick, rounds: quick ? 1 : 5 }),
  maps: () => benchMaps({ quick, rounds: quick ? 2 : 5 }),
  trigger: () => benchTrigger({ quick }),
  output: () => benchOutput({ quick }),
};

for (const [name, run] of Object.entries(suites)) {
  if (only !== undefined && only !== name) continue;
  console.log(`\n== ${name} ==`);
  await run();
}
