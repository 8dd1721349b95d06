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

/** One instruction as the kernel prints it at log level 2, with its slot bytes. */
export interface DisasmRow {
  /** 16 hex digits, 32 for a two-slot ld_imm64 */
  hex: string;
  /** the kernel's line without the instruction index */
  text: string;
}

/**
 * test/asm/golden/kernel-disasm.tsv (written by scripts/asm/record-disasm-golden.py): a
 * "# kernel <release>" line, then "<hex>\t<text>" per instruction.
 */
export function readDisasmGolden(file: URL = new URL("../asm/golden/kernel-disasm.tsv", import.meta.url)): { kernel: string; rows: DisasmRow[] } {
  const [head, ...lines] = readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
  const kernel = /^# kernel (\S+)$/.exec(head ?? "")?.[1];
  if (kernel === undefined) throw new Error(`${file.pathname}: no "# kernel <release>" line first`);
  const rows = lines.map((l): DisasmRow => {
    const tab = l.indexOf("\t");
    if (tab < 0) throw new Error(`${file.pathname}: no tab in ${JSON.stringify(l)}`);
    return { hex: l.slice(0, tab), text: l.slice(tab + 1) };
  });
  return { kernel, rows };
}
