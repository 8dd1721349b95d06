#!/usr/bin/env node
// Development aid: runs wabpf's verifier over test/verifier/golden/corpus/ and prints every
// program whose verdict, errno or first error line differs from the kernel's (the same
// comparison as test/verifier/golden.test.ts, without vitest). Optional arguments: name
// filters (substrings). Run from the repository root: node scripts/verifier/compare-golden.mjs
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORPUS_GOLDEN_DIR, readCorpusGolden } from "./corpus-golden.mjs";

const ROOT = process.cwd();
const tmp = mkdtempSync(join(tmpdir(), "wabpf-cmp-"));
const bundle = join(tmp, "v.mjs");
const entry = join(tmp, "entry.ts");
await import("node:fs").then((fs) => fs.writeFileSync(entry, `export { verify } from "${ROOT}/src/verifier/index.ts";\nexport { decodeRaw } from "${ROOT}/src/isa/decode.ts";\n`));
const rd = spawnSync(join(ROOT, "node_modules/.bin/rolldown"), [entry, "--format", "esm", "--file", bundle], { encoding: "utf8" });
if (rd.status !== 0) throw new Error(rd.stderr || rd.stdout);
const { verify, decodeRaw } = await import(bundle);
const g = readCorpusGolden(join(ROOT, CORPUS_GOLDEN_DIR));
const filters = process.argv.slice(2);
let verdictOk = 0;
let msgOk = 0;
let rejected = 0;
for (const row of g.rows) {
  if (filters.length > 0 && !filters.some((f) => row.name.includes(f))) continue;
  const maps = row.maps.map((m) => ({ type: m.type, keySize: m.key_size, valueSize: m.value_size, maxEntries: m.max_entries, flags: m.flags, ...(m.spin_lock_off !== undefined ? { spinLockOff: m.spin_lock_off } : {}) }));
  let v;
  try {
    v = verify(decodeRaw(Buffer.from(row.hex, "hex")), { progType: row.prog_type, maps, license: row.license, progFlags: row.prog_flags, funcInfo: row.func_info === true, logLevel: row.processed !== null && row.processed > 20000 ? 0 : 1 });
  } catch (e) {
    console.log(`CRASH ${row.name}: ${e.stack}`);
    continue;
  }
  const same = v.accepted === row.accepted;
  if (same) verdictOk++;
  if (!row.accepted) rejected++;
  const msgSame = row.accepted || (v.errno === row.errno && v.error === row.error);
  if (!row.accepted && same && msgSame) msgOk++;
  if (!same || !msgSame) {
    console.log(`${same ? "MSG " : "VERDICT"} ${row.name} [${row.prog_type}]`);
    console.log(`   kernel: ${row.accepted ? "accepted" : `${row.errno} ${row.error}`}${row.error_lines && row.error_lines.length > 1 ? ` | ${row.error_lines.slice(1).join(" | ")}` : ""}`);
    console.log(`   wabpf:  ${v.accepted ? "accepted" : `${v.errno} ${v.error}`}`);
  }
}
console.log(`verdicts ${verdictOk}/${g.rows.length}, messages ${msgOk}/${rejected} rejected`);
