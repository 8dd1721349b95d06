#!/usr/bin/env node
// Browser build: web/dist/wabpf.js (the client and the engine, ESM) and web/dist/worker.js
// (the engine in a module Worker), binaryen bundled in. The AssemblyScript runtime is fetched
// at run time from build/runtime.wasm (served next to web/ by `wabpf serve`).
import { build } from "rolldown";
import { statSync } from "node:fs";

const t0 = Date.now();
await build({
  input: { wabpf: "src/browser/index.ts", worker: "src/browser/worker.ts" },
  platform: "browser",
  external: [/^node:/],
  output: { dir: "web/dist", format: "esm", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js", minify: true },
  logLevel: "warn",
});
const kb = (f) => (statSync(`web/dist/${f}`).size / 1024).toFixed(0);
console.log(`web/dist: wabpf.js ${kb("wabpf.js")} KiB, worker.js ${kb("worker.js")} KiB (${Date.now() - t0} ms)`);
