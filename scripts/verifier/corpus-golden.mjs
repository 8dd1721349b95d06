// The on-disk layout of the verifier corpus golden, shared by the recorder and the dev aids
// (test/support/golden.ts reads the same layout for vitest). One file per program so that a
// re-recorded golden reviews as a diff:
//   test/verifier/golden/corpus/index.jsonl  line 1 {"kernel": ...}, then one row per line,
//                                            its "log" field naming the log file
//   test/verifier/golden/corpus/<name>.log   the kernel's verifier log, verbatim
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const CORPUS_GOLDEN_DIR = "test/verifier/golden/corpus";

/** Reads { kernel, rows } with each row's log text in place of its file name. */
export function readCorpusGolden(dir) {
  const [head, ...lines] = readFileSync(join(dir, "index.jsonl"), "utf8").split("\n").filter((l) => l !== "");
  const rows = lines.map((l) => {
    const row = JSON.parse(l);
    return { ...row, log: readFileSync(join(dir, row.log), "utf8") };
  });
  return { kernel: JSON.parse(head).kernel, rows };
}

/** Writes { kernel, rows } (rows carrying their log text), replacing any earlier recording. */
export function writeCorpusGolden(dir, { kernel, rows }) {
  mkdirSync(dir, { recursive: true });
  // stale logs of programs dropped from the corpus must not linger
  for (const f of readdirSync(dir)) if (f.endsWith(".log")) rmSync(join(dir, f));
  const lines = [JSON.stringify({ kernel })];
  for (const row of rows) {
    if (!/^[A-Za-z0-9_.-]+$/.test(row.name)) throw new Error(`${row.name}: not usable as a file name`);
    const file = `${row.name}.log`;
    writeFileSync(join(dir, file), row.log);
    lines.push(JSON.stringify({ ...row, log: file }));
  }
  writeFileSync(join(dir, "index.jsonl"), lines.join("\n") + "\n");
}
