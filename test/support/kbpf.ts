// Access to the real kernel through ../shared/tools/kbpf.py (JSON lines batch mode).
// Tests call `kernelAvailable()` and skip with its printed reason where bpf() is missing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const KBPF = fileURLToPath(new URL("../../../shared/tools/kbpf.py", import.meta.url));

export interface KbpfRequest {
  readonly id: string | number;
  /** bytecode as hex */
  readonly code: string;
  /** conformance memory (r1 = map value of this length, r2 = length) */
  readonly mem?: string;
  readonly harness?: "map" | "xdp" | "syscall";
  readonly repeat?: number;
  readonly log_level?: number;
}

export interface KbpfResponse {
  readonly id: string | number;
  readonly ok: boolean;
  readonly errno?: number;
  readonly run_errno?: number;
  readonly r0?: number | null;
  readonly duration?: number | null;
  readonly mem_out?: string | null;
  readonly error?: string | null;
  readonly exception?: string;
  readonly log?: string;
}

/** Run requests through `kbpf.py batch`; r0 comes back as a JSON number, so ask for exact digits. */
export function kbpfBatch(reqs: readonly KbpfRequest[]): KbpfResponse[] {
  const res = spawnSync("python3", [KBPF, "batch"], {
    input: reqs.map((r) => JSON.stringify(r)).join("\n") + "\n",
    encoding: "utf8",
    maxBuffer: 256 << 20,
  });
  if (res.status !== 0) throw new Error(`kbpf.py batch failed (${res.status}): ${res.stderr}`);
  // r0 is a u64: parse it as a string so no digit is lost to float rounding.
  return res.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l.replace(/"r0": (\d+)/, '"r0": "$1"')) as KbpfResponse);
}

let cached: string | null | undefined;

/** null when the real kernel can load and run programs here; otherwise why not. */
export function kernelUnavailableReason(): string | null {
  if (cached !== undefined) return cached;
  if (!existsSync(KBPF)) return (cached = `${KBPF} not found`);
  try {
    const [r] = kbpfBatch([{ id: "probe", code: "b7000000070000009500000000000000", mem: "00" }]);
    cached = r?.ok === true && String(r.r0) === "7" ? null : `bpf() did not run a probe program: ${JSON.stringify(r)}`;
  } catch (e) {
    cached = `kbpf.py unusable: ${(e as Error).message.split("\n")[0]}`;
  }
  if (cached !== null) console.warn(`[skip] kernel differential tests: ${cached}`);
  return cached;
}
