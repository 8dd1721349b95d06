// docs/architecture.md's layer order, checked on the sources: a module may import from its own
// layer and the ones below, never from a higher one (the kernel must not reach into the API).
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
/** asc's generated declarations for build/runtime.wasm: the runtime layer types its exports from them */
const GENERATED = fileURLToPath(new URL("../build/", import.meta.url));
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
        if (target.startsWith(GENERATED)) {
          if (from !== "runtime" || !/^\s*import type\b/.test(m[0])) upward.push(`${relative(SRC, f)} → ${m[1]} (only src/runtime imports the generated bindings, type-only)`);
          continue;
        }
        const to = layerOf(target);
        expect(RANK[from], `unknown layer ${from}`).toBeDefined();
        expect(RANK[to], `unknown layer ${to}`).toBeDefined();
        if (RANK[to]! > RANK[from]! || (RANK[to] === RANK[from] && to !== from && !sameRankAllowed(from, to))) upward.push(`${relative(SRC, f)} → ${m[1]}`);
      }
    }
    expect(upward).toEqual([]);
  });
});

/** Each module's relative imports, with whether the statement is type-only (erased at run time). */
function importGraph(): Map<string, { to: string; typeOnly: boolean }[]> {
  const g = new Map<string, { to: string; typeOnly: boolean }[]>();
  for (const f of files(SRC)) {
    const edges = [...readFileSync(f, "utf8").matchAll(/(?:^|\n)\s*(import|export)(\s+type)?\b[^;]*?from\s+"(\.[^"]+)"/g)].map((m) => ({
      to: resolve(dirname(f), m[3]!.replace(/\.js$/, ".ts")),
      typeOnly: m[2] !== undefined,
    }));
    g.set(f, edges);
  }
  return g;
}

/** Strongly connected components of more than one module (Tarjan), as sorted paths relative to src/. */
function cycles(g: Map<string, { to: string; typeOnly: boolean }[]>, withTypes: boolean): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const e of g.get(v) ?? []) {
      if ((!withTypes && e.typeOnly) || !g.has(e.to)) continue;
      if (!index.has(e.to)) {
        visit(e.to);
        low.set(v, Math.min(low.get(v)!, low.get(e.to)!));
      } else if (onStack.has(e.to)) low.set(v, Math.min(low.get(v)!, index.get(e.to)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      scc.push(relative(SRC, w).split(/[\\/]/).join("/"));
      if (w === v) break;
    }
    if (scc.length > 1) out.push(scc.sort());
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe("import cycles", () => {
  const g = importGraph();
  it("no module of src/ reaches itself through the imports that run (value imports)", () => {
    expect(cycles(g, false)).toEqual([]);
  });
  it("none through type-only imports either, but for the maps ↔ machine knot of src/runtime", () => {
    // maps.ts names Machine (a type) and machine.ts creates maps; output.ts and kernel-helpers.ts
    // sit between them. Untangling it means editing maps.ts (owned by the map-lifetime work):
    // when that is done, this list becomes empty.
    expect(cycles(g, true)).toEqual([["runtime/kernel-helpers.ts", "runtime/machine.ts", "runtime/maps.ts", "runtime/output.ts"]]);
  });
});

/** Siblings of one rank stay apart (the verifier, the interpreter and the JIT do not import each other), except loader ↔ asm. */
function sameRankAllowed(from: string, to: string): boolean {
  return (from === "loader" && to === "asm") || (from === "asm" && to === "loader") || (from === "browser" && to === "cli") || (from === "isa" && to === "exec") || (from === "exec" && to === "isa");
}
