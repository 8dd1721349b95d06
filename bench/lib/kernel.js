// The real kernel's JIT as a baseline, through ../shared/tools/kbpf.py's JSON-lines batch mode.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const KBPF = fileURLToPath(new URL("../../../shared/tools/kbpf.py", import.meta.url));

/** Run requests [{id, code, mem, repeat}] in one python process; returns the responses. */
export function kbpfBatch(reqs) {
  const res = spawnSync("python3", [KBPF, "batch"], { input: reqs.map((r) => JSON.stringify(r)).join("\n") + "\n", encoding: "utf8", maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`kbpf.py batch exited ${res.status}: ${res.stderr}`);
  return res.stdout.trim().split("\n").map((l) => JSON.parse(l.replace(/"r0": (\d+)/, '"r0": "$1"')));
}

/** null when the kernel can be measured here, else the reason it cannot. */
export function kernelUnavailable() {
  if (!existsSync(KBPF)) return `${KBPF} not found`;
  try {
    const [r] = kbpfBatch([{ id: 0, code: "b7000000070000009500000000000000", mem: "00" }]);
    return r.ok && String(r.r0) === "7" ? null : `bpf() did not run a probe program (${JSON.stringify(r)})`;
  } catch (e) {
    return `kbpf.py unusable: ${e.message.split("\n")[0]}`;
  }
}
