// One fuzz worker: takes (seed, from, to), mutates the seed objects and drives each input
// through the whole pipeline on the built package (dist/): BpfObject open → load → run
// each loaded program once, then a tracing session on a fresh SimKernel (open → load → attach
// → a short workload → map dumps). Reports one message per input; the parent's watchdog
// turns a silent worker into a hang.
import { parentPort, workerData } from "node:worker_threads";
import { readFileSync } from "node:fs";
import { campaignInput } from "./elf-mutator.mjs";

const dist = new URL("../../../dist/", import.meta.url);
const { BpfObject, EbpfError, InternalError, createMachine } = await import(new URL("index.js", dist).href);
// an InternalError is what the error boundary makes of an untyped error: a bug, not a typed outcome
const typed = (e) => e instanceof EbpfError && !(e instanceof InternalError);
const { trace } = await import(new URL("api/trace.js", dist).href);

const seeds = workerData.seeds.map((p) => new Uint8Array(readFileSync(p)));

/** Where an untyped error was thrown (the first stack frame in dist/). */
const where = (e) => (e instanceof Error ? (e.stack ?? "").split("\n").find((l) => l.includes("/dist/"))?.trim() ?? "" : "");

async function pipeline(bytes) {
  let stage = "open";
  try {
    // a fresh machine per input, so that an input's outcome does not depend on the ones before
    const obj = await BpfObject.open(bytes, { machine: await createMachine(), name: "fuzz" });
    stage = "load";
    obj.createMaps();
    for (const p of obj.programs) {
      try {
        await p.load({ engine: workerData.engine });
      } catch (e) {
        if (!typed(e)) throw e;
        continue;
      }
      stage = "run";
      try {
        p.run({ ctx: new Uint8Array(64) });
      } catch (e) {
        if (!typed(e)) throw e;
      }
      stage = "load";
    }
    stage = "trace";
    await trace(bytes, { workload: "mixed", iterations: 2, cpus: 1, json: false, write: () => {} });
    return { outcome: "ok", stage };
  } catch (e) {
    if (typed(e)) return { outcome: "typed", stage, code: e.code ?? "" };
    return { outcome: "untyped", stage, error: `${e?.name ?? typeof e}: ${e?.message ?? String(e)}`.slice(0, 300), at: where(e) };
  }
}

parentPort.on("message", async ({ seed, from, to }) => {
  for (let i = from; i < to; i++) {
    const { bytes, mutations } = campaignInput(seeds, seed, i);
    parentPort.postMessage({ type: "start", index: i });
    const res = await pipeline(bytes);
    parentPort.postMessage({ type: "done", index: i, mutations, ...res, ...(res.outcome === "untyped" ? { bytes } : {}) });
  }
  parentPort.postMessage({ type: "finished" });
});
