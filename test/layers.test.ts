// docs/architecture.md's layer order, checked on the sources: a module may import from its own
// layer and the ones below, never from a higher one (the kernel must not reach into the API).
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
/** Rank of each top-level module of src/. */
const RANK: Record<string, number> = {
  "errors.ts": 0,
  isa: 1, exec: 1,
  asm: 2, loader: 2,
  verifier: 3, interp: 3, jit: 3,
  runtime: 4,
  object: 5,
  kernel: 6,
  api: 7,
  browser: 8, cli: 8,
  // the package root re-exports every layer
  "index.ts": 9,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}
const layerOf = (file: string): string => {
  const rel = relative(SRC, file).split(/[\\/]/);
  return rel[0]!;
};

describe("layer order", () => {
  it("no module imports from a higher layer", () => {
    const upward: string[] = [];
    for (const f of files(SRC)) {
      const from = layerOf(f);
      for (const m of readFileSync(f, "utf8").matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"/g)) {
        const target = resolve(dirname(f), m[1]!.replace(/\.js$/, ".ts"));
        const to = layerOf(target);
        expect(RANK[from], `unknown layer ${from}`).toBeDefined();
        expect(RANK[to], `unknown layer ${to}`).toBeDefined();
        if (RANK[to]! > RANK[from]! || (RANK[to] === RANK[from] && to !== from && !sameRankAllowed(from, to))) upward.push(`${relative(SRC, f)} → ${m[1]}`);
      }
    }
    expect(upward).toEqual([]);
  });
});

/** Siblings of one rank stay apart (the verifier, the interpreter and the JIT do not import each other), except loader ↔ asm. */
function sameRankAllowed(from: string, to: string): boolean {
  return (from === "loader" && to === "asm") || (from === "asm" && to === "loader") || (from === "browser" && to === "cli") || (from === "isa" && to === "exec") || (from === "exec" && to === "isa");
}
