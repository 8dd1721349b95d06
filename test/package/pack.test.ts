// The package as users get it: `npm pack`, installed into a fresh project outside the
// repository, used through its ESM entry (with types), its `wabpf` binary and an example.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUILT = existsSync(join(ROOT, "dist/index.js")) && existsSync(join(ROOT, "build/runtime.wasm"));
if (!BUILT) console.warn("[skip] package test: dist/ or build/runtime.wasm is not built (npm run build)");
const work = mkdtempSync(join(tmpdir(), "wabpf-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd: string): string => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describe.skipIf(!BUILT)("npm pack → npm install in a fresh project", () => {
  let project = "";

  it("packs and installs (dependencies from the npm cache where it has them)", () => {
    // the build is already there: --ignore-scripts keeps `prepare` from rebuilding it
    run("npm", ["pack", "--ignore-scripts", "--pack-destination", work], ROOT);
    const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"))!;
    project = join(work, "app");
    run("mkdir", ["-p", project], work);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", type: "module", private: true }));
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(work, tgz)], project);
    expect(existsSync(join(project, "node_modules/wabpf/dist/index.d.ts"))).toBe(true);
  }, 300_000);

  it("imports as ESM and runs a program in both engines", () => {
    writeFileSync(
      join(project, "main.mjs"),
      `import { assemble, runInterp, compileProgram, verify, GuestMemory } from "wabpf";
const insns = assemble("r0 = *(u32 *)(r1 + 0)\\nr0 *= 2\\nexit");
const input = Uint8Array.of(21, 0, 0, 0);
const v = verify(insns, { progType: "socket_filter" });
const jit = await compileProgram(insns);
console.log(runInterp(insns, { input }).r0, jit.run({ input, mem: new GuestMemory() }).r0, v.accepted);
`,
    );
    expect(run(process.execPath, ["main.mjs"], project).trim()).toBe("42n 42n true");
  });

  it("type-checks a TypeScript consumer against the shipped declarations", () => {
    writeFileSync(
      join(project, "main.ts"),
      `import { assemble, BpfObject, type VerifyResult, createMachine } from "wabpf";
const n: number = assemble("r0 = 0\\nexit").length;
const open: (b: Uint8Array) => Promise<BpfObject> = (b) => BpfObject.open(b);
const m = createMachine;
export const x: [number, typeof open, typeof m, VerifyResult | null] = [n, open, m, null];
`,
    );
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", noEmit: true, skipLibCheck: false, types: [] }, files: ["main.ts"] }));
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", project], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("runs a tracing example from the installed package (opensnoop on the simulated kernel)", () => {
    const out = run(process.execPath, ["node_modules/wabpf/examples/opensnoop.mjs", "--iterations", "1"], project);
    expect(out).toMatch(/^PID\s+COMM\s+FD\s+ERR\s+PATH$/m);
    expect(out).toMatch(/^1002\s+cat\s+4\s+0\s+\/etc\/ld\.so\.cache$/m);
  });

  it("ships the bench_trigger objects as assets beside dist/ (no test/ path) and runs the bench from them", () => {
    const pkg = join(project, "node_modules/wabpf");
    expect(existsSync(join(pkg, "dist/assets/bpf/trigger.o"))).toBe(true);
    expect(existsSync(join(pkg, "dist/assets/bpf/probe-trigger.o"))).toBe(true);
    expect(existsSync(join(pkg, "test"))).toBe(false);
    const out = run("npx", ["--no-install", "wabpf", "bench", "trigger", "--only", "trigger-only,kprobe", "--warmup", "0", "--samples", "1", "--quick", "--json"], project);
    expect(out.trim().split("\n").map((l) => (JSON.parse(l) as { name: string }).name)).toEqual(["trigger-only", "kprobe"]);
  }, 60_000);

  it("runs the README's command through npx wabpf", () => {
    const out = run("npx", ["--no-install", "wabpf", "run", "node_modules/wabpf/examples/sum-bytes.s", "--mem-hex", "01 02 03 04"], project);
    expect(out).toBe("0xa\n");
  });
});
