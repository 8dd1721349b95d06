// Tracing programs (tp_btf and iter, BPF_PROG_TYPE_TRACING) against what Linux said about them:
// test/fixtures/tracing/*.o, recorded by scripts/verifier/record-tracing-golden.mjs into
// golden/tracing.json. Each program goes the way of `wabpf verify X.o --btf /sys/kernel/btf/vmlinux`:
// BpfObject.open with that BTF as the target (CO-RE, attach targets and BTF-typed pointers resolve
// in it), then BpfProgram.verify: the tracing type with the attach type and target libbpf takes
// from the section (checked against the golden's), the object's maps and frozen .rodata.
// Verdict, errno and first error line must be the kernel's (and a verifier refusal's log must end
// with all of its error lines); for accepted programs the BTF pointer types of the level-2 log
// (trusted_ptr_task_struct, …) must be the ones Linux printed.
import { existsSync, readFileSync } from "node:fs";
import { release } from "node:os";
import { beforeAll, describe, expect, it } from "vitest";
import { parseBtf, type Btf } from "../../src/loader/btf.js";
import { BpfObject, type BpfProgram } from "../../src/object/bpf-object.js";
import { PROG_TYPES } from "../../src/verifier/index.js";

interface TracingRow {
  /** <object>.<program> */
  name: string;
  object: string;
  program: string;
  section: string;
  expected_attach_type: string;
  attach_target: string;
  accepted: boolean;
  errno: number | null;
  /** "libbpf": refused by libbpf before BPF_PROG_LOAD (an unknown attach target); "verifier" */
  stage: "libbpf" | "verifier" | null;
  error: string | null;
  error_lines: string[];
  processed: number | null;
  /** the kernel's level-1 and level-2 logs, relative to golden/ */
  log1: string;
  log2: string;
}

const GOLDEN = new URL("./golden/", import.meta.url);
const FIXTURES = new URL("../fixtures/tracing/", import.meta.url);
const VMLINUX = "/sys/kernel/btf/vmlinux";
const golden = JSON.parse(readFileSync(new URL("tracing.json", GOLDEN), "utf8")) as { kernel: string; rows: TracingRow[] };

/**
 * Programs wabpf did not match yet (as of main cb4daec, issue 17's verifier), each with the reason.
 * Their verdict is still checked for soundness (nothing Linux refuses may be accepted), and an
 * entry that now matches Linux fails until it is removed, so the list stays true.
 */
export const KNOWN_GAPS: Record<string, string> = {
  ...Object.fromEntries(
    golden.rows.filter((r) => r.object === "kfuncs.o").map((r) => [r.name, "the loader refuses calls of __ksym extern functions (kfuncs): kfuncs.o does not open"]),
  ),
};

/** Accepted programs whose level-2 log prints other BTF pointer types than Linux's (same rules as KNOWN_GAPS). */
export const POINTER_TYPE_GAPS: Record<string, string> = {
};

// The offsets in the kernel's messages ("access beyond struct task_struct at off 1048576", "mend:1268")
// are those of the recording kernel's task_struct: another vmlinux moves them.
const version = (r: string): string => r.split("-")[0]!;
const skip = !existsSync(VMLINUX)
  ? `${VMLINUX} is missing (no kernel BTF to resolve attach targets and CO-RE against)`
  : version(release()) !== version(golden.kernel)
    ? `the goldens are Linux ${golden.kernel}'s and this is ${release()}: struct offsets in the messages differ`
    : !(PROG_TYPES as readonly string[]).includes("tracing")
      ? "wabpf's verifier has no tracing program type yet"
      : null;
if (skip !== null) console.warn(`[skip] tracing goldens: ${skip}`);

/**
 * The BTF pointer types a log prints (trusted_ptr_task_struct, untrusted_ptr_mm_struct,
 * ptr_or_null_task_struct, rdonly_untrusted_mem for a walked pointer to bytes, …), arguments dropped.
 */
export function btfPointerTypes(log: string): string[] {
  const found = new Set<string>();
  for (const m of log.matchAll(/(?<![A-Za-z0-9_])((?:trusted_|untrusted_|rcu_)?ptr_(?:or_null_)?[A-Za-z0-9_]+|(?:rdonly_)?untrusted_mem)\(/g)) found.add(m[1]!);
  return [...found].sort();
}

/** The error lines of a level-1 log: everything after the last instruction or state line (as the recorder cuts them). */
function errorLines(log: string): string[] {
  const lines = log
    .replace(/(.)(verification time \d+ usec)/g, "$1\n$2")
    .split("\n")
    .filter((l) => l !== "" && !/^(verification time|stack depth|processed \d+ insns)/.test(l));
  let last = -1;
  lines.forEach((l, i) => {
    if (/^\d+: \([0-9a-f]{2}\) /.test(l) || /^\d+: (R|frame|safe)/.test(l) || /^from \d+ to \d+: /.test(l)) last = i;
  });
  return lines.slice(last + 1);
}

describe.skipIf(skip !== null)(`tracing programs vs Linux ${golden.kernel}`, () => {
  // an object wabpf cannot open fails each of its programs with the reason
  const objects = new Map<string, BpfObject | Error>();
  const program = (row: TracingRow): BpfProgram => {
    const obj = objects.get(row.object);
    if (obj === undefined) throw new Error(`${row.object}: not opened`);
    if (obj instanceof Error) throw new Error(`${row.object}: wabpf cannot open it: ${obj.message}`);
    const p = obj.programs.find((x) => x.name === row.program);
    if (p === undefined) throw new Error(`${row.object}: no program ${row.program} (${obj.programs.map((x) => x.name).join(", ")})`);
    expect({ section: p.section, progType: p.progType, expectedAttachType: p.spec.expectedAttachType }).toEqual({ section: row.section, progType: "tracing", expectedAttachType: row.expected_attach_type });
    return p;
  };

  beforeAll(async () => {
    // parsed once for the file: vmlinux BTF takes seconds
    const vmlinux: Btf = parseBtf(readFileSync(VMLINUX), { section: VMLINUX });
    for (const file of new Set(golden.rows.map((r) => r.object))) {
      try {
        objects.set(file, await BpfObject.open(new Uint8Array(readFileSync(new URL(file, FIXTURES))), { name: file.slice(0, -2), targetBtf: vmlinux }));
      } catch (e) {
        objects.set(file, e as Error);
      }
    }
  }, 60_000);

  /** What wabpf says at `logLevel`; an object it cannot open refuses each of its programs with the reason. */
  const verdict = (row: TracingRow, logLevel: 1 | 2): { accepted: boolean; errno: number | null; error: string | null; log: string } => {
    const obj = objects.get(row.object);
    if (obj instanceof Error) return { accepted: false, errno: null, error: `${row.object}: wabpf cannot open it: ${obj.message}`, log: "" };
    return program(row).verify({ logLevel });
  };

  it.each(golden.rows.map((r) => [r.name, r] as const))("%s", (name, row) => {
    const v = verdict(row, 1);
    const same = { accepted: v.accepted, errno: v.errno, error: v.error };
    const linux = { accepted: row.accepted, errno: row.errno, error: row.error };
    if (KNOWN_GAPS[name] !== undefined) {
      // a known gap may refuse what Linux accepts, never the other way round
      if (!row.accepted) expect(v.accepted, "wabpf accepts what Linux refuses").toBe(false);
      expect(same, `${name} now matches Linux: remove it from KNOWN_GAPS`).not.toEqual(linux);
      return;
    }
    expect(same).toEqual(linux);
    // the verifier's refusals end their log with all of the kernel's error lines (libbpf's have no log)
    if (!row.accepted && row.stage === "verifier") expect(errorLines(v.log)).toEqual(row.error_lines);
  });

  it.each(golden.rows.filter((r) => r.accepted && KNOWN_GAPS[r.name] === undefined).map((r) => [r.name, r] as const))("%s: the BTF pointer types of the level-2 log", (name, row) => {
    const v = verdict(row, 2);
    expect(v.accepted).toBe(true);
    const ours = btfPointerTypes(v.log);
    const linux = btfPointerTypes(readFileSync(new URL(row.log2, GOLDEN), "utf8"));
    if (POINTER_TYPE_GAPS[name] !== undefined) expect(ours, `${name} now prints Linux's types: remove it from POINTER_TYPE_GAPS`).not.toEqual(linux);
    else expect(ours).toEqual(linux);
  });
});
