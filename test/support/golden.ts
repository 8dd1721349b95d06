// Reads the verifier corpus golden in its one-file-per-program layout (written by
// scripts/verifier/corpus-golden.mjs): index.jsonl holds one row per line and names each
// program's verbatim kernel log, <name>.log, beside it.
import { readFileSync } from "node:fs";

export interface CorpusMap {
  type: string;
  key_size: number;
  value_size: number;
  max_entries: number;
  flags: number;
  spin_lock_off?: number;
}

export interface CorpusRow {
  name: string;
  file: string;
  prog_type: string;
  maps: CorpusMap[];
  license: string;
  prog_flags: number;
  /** loaded with BTF func_info (callbacks need it) */
  func_info?: boolean;
  hex: string;
  accepted: boolean;
  errno: number | null;
  /** the first error line of the kernel's log */
  error: string | null;
  error_lines: string[];
  processed: number | null;
  /** the kernel's verifier log (cut after 4000 characters) */
  log: string;
}

export const CORPUS_GOLDEN = new URL("../verifier/golden/corpus/", import.meta.url);

/** The kernel release the corpus was recorded on and its rows, logs read in. */
export function readCorpusGolden(dir: URL = CORPUS_GOLDEN): { kernel: string; rows: CorpusRow[] } {
  const [head, ...lines] = readFileSync(new URL("index.jsonl", dir), "utf8").split("\n").filter((l) => l !== "");
  if (head === undefined) throw new Error(`${dir.pathname}index.jsonl is empty`);
  const rows = lines.map((l): CorpusRow => {
    const row = JSON.parse(l) as CorpusRow;
    return { ...row, log: readFileSync(new URL(row.log, dir), "utf8") };
  });
  return { kernel: (JSON.parse(head) as { kernel: string }).kernel, rows };
}
