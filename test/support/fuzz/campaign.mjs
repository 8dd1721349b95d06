// The fuzz campaign driver: runs inputs [0, count) of a seeded campaign in a worker thread
// with a per-input watchdog (a hang terminates the worker, is recorded, and a fresh worker
// resumes after it), and counts outcomes. Reproducers of untyped errors and hangs are the
// (seed, index) pair; with `outDir` their bytes are written there too.
import { Worker } from "node:worker_threads";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { campaignInput } from "./elf-mutator.mjs";

/**
 * @param {{ seed: number, count: number, seeds: string[], timeoutMs?: number, engine?: "jit" | "interp", outDir?: string }} o
 */
export async function runCampaign(o) {
  const timeoutMs = o.timeoutMs ?? 20_000;
  const stats = { inputs: 0, ok: 0, typed: 0, untyped: 0, hangs: 0, failures: [] };
  let next = 0;
  const seedBytes = o.seeds.map((p) => new Uint8Array(readFileSync(p)));
  const keep = (kind, index, detail, bytes) => {
    stats.failures.push({ kind, index, ...detail });
    if (o.outDir !== undefined) {
      mkdirSync(o.outDir, { recursive: true });
      const b = bytes ?? campaignInput(seedBytes, o.seed, index).bytes;
      writeFileSync(join(o.outDir, `${kind}-${o.seed}-${index}.o`), b);
      writeFileSync(join(o.outDir, `${kind}-${o.seed}-${index}.json`), JSON.stringify({ seed: o.seed, index, ...detail }, null, 1));
    }
  };
  while (next < o.count) {
    await new Promise((resolve, reject) => {
      const w = new Worker(new URL("./worker.mjs", import.meta.url), { workerData: { seeds: o.seeds, engine: o.engine ?? "jit" }, resourceLimits: { maxOldGenerationSizeMb: 2048 } });
      let current = -1;
      let timer = null;
      const arm = () => {
        if (timer !== null) clearTimeout(timer);
        timer = setTimeout(() => {
          stats.hangs++;
          stats.inputs++;
          keep("hang", current, { timeoutMs });
          next = current + 1;
          void w.terminate().then(resolve);
        }, timeoutMs);
      };
      w.on("message", (m) => {
        if (m.type === "start") {
          current = m.index;
          arm();
        } else if (m.type === "done") {
          stats.inputs++;
          stats[m.outcome]++;
          if (m.outcome === "untyped") keep("untyped", m.index, { stage: m.stage, error: m.error, at: m.at, mutations: m.mutations }, m.bytes);
          next = m.index + 1;
        } else if (m.type === "finished") {
          clearTimeout(timer);
          void w.terminate().then(resolve);
        }
      });
      w.on("error", (e) => {
        // the worker died (e.g. out of memory): the input it was on is a failure
        clearTimeout(timer);
        if (current >= 0 && next <= current) {
          stats.inputs++;
          stats.untyped++;
          keep("crash", current, { error: String(e).slice(0, 300) });
          next = current + 1;
        } else reject(e);
        resolve();
      });
      w.postMessage({ seed: o.seed, from: next, to: o.count });
    });
  }
  return stats;
}

/** The one-line summary the suite prints. */
export const summary = (s) => `fuzz: ${s.inputs} inputs, ${s.typed} typed, ${s.ok} ok, ${s.untyped} untyped, ${s.hangs} hangs`;
