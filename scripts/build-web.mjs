#!/usr/bin/env node
// Browser build: web/dist/wabpf.js (the client and the engine, ESM) and web/dist/worker.js
// (the engine in a module Worker), binaryen bundled in. The AssemblyScript runtime is fetched
// at run time from build/runtime.wasm (served next to web/ by `wabpf serve`).
import { build } from "rolldown";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";

const t0 = Date.now();
rmSync("web/dist", { recursive: true, force: true });
await build({
  input: { wabpf: "src/browser/index.ts", worker: "src/browser/worker.ts" },
  platform: "browser",
  external: [/^node:/],
  output: { dir: "web/dist", format: "esm", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js", minify: true },
  logLevel: "warn",
});
const sizes = readdirSync("web/dist").map((f) => {
  const b = readFileSync(`web/dist/${f}`);
  return `${f} ${(b.length / 1024).toFixed(0)} KiB (gzip ${(gzipSync(b).length / 1024).toFixed(0)} KiB)`;
});
console.log(`web/dist (${Date.now() - t0} ms): ${sizes.join(", ")}`);
