// Write input INDEX of the campaign seeded with SEED to a file (default fuzz-SEED-INDEX.o), to
// replay it with `wabpf trace FILE` or `BpfObject.open(FILE)`.
//   node test/support/fuzz/repro.mjs SEED INDEX [OUT]
import { readFileSync, writeFileSync } from "node:fs";
import { campaignInput } from "./elf-mutator.mjs";
import { seedPaths } from "./seeds.mjs";

const [seed, index, out] = process.argv.slice(2);
if (seed === undefined || index === undefined) {
  console.error("usage: node test/support/fuzz/repro.mjs SEED INDEX [OUT]");
  process.exit(2);
}
const seeds = seedPaths().map((p) => new Uint8Array(readFileSync(p)));
const { bytes, mutations } = campaignInput(seeds, Number(seed), Number(index));
const file = out ?? `fuzz-${seed}-${index}.o`;
writeFileSync(file, bytes);
console.log(`${file}: ${bytes.length} bytes, mutations ${mutations.join(", ")}`);
