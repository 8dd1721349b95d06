import type { GuestMemory } from "../exec/guest-memory.js";
import { EbpfError } from "../errors.js";
import type { instantiate } from "../../build/runtime.js";

/**
 * The exports of build/runtime.wasm (assembly/index.ts), typed from the declarations asc
 * generates with the raw bindings (build/runtime.d.ts, written by `npm run build:as` before tsc
 * runs). The host calls the instance's exports directly: the generated `instantiate` wrapper
 * (which adapts u32 results and globals) is not used, but its signatures are the same numbers
 * and bigints.
 */
export type AsRuntimeExports = Awaited<ReturnType<typeof instantiate>>;

/** One AssemblyScript runtime instance bound to one guest memory (one instance per memory). */
export interface AsRuntime {
  readonly mem: GuestMemory;
  readonly exports: AsRuntimeExports;
  /** Allocate zeroed bytes in the runtime heap; throws ENOMEM when memory cannot grow. */
  alloc(size: number): number;
  free(ptr: number): void;
}

const RUNTIME_URL = new URL("../../build/runtime.wasm", import.meta.url);
let compiled: Promise<WebAssembly.Module> | null = null;

async function runtimeBytes(): Promise<Uint8Array> {
  if (RUNTIME_URL.protocol === "file:") {
    const { readFile } = await import("node:fs/promises");
    try {
      return await readFile(RUNTIME_URL);
    } catch (e) {
      throw new EbpfError("ENOENT", `AssemblyScript runtime not built (${RUNTIME_URL.pathname}): run \`npm run build\``, { cause: e });
    }
  }
  const res = await fetch(RUNTIME_URL);
  if (!res.ok) throw new EbpfError("ENOENT", `cannot fetch the AssemblyScript runtime from ${RUNTIME_URL.href}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Compile build/runtime.wasm once per process, then instantiate it over `mem` and its shared table. */
export async function loadRuntime(mem: GuestMemory): Promise<AsRuntime> {
  compiled ??= runtimeBytes().then((b) => WebAssembly.compile(b as Uint8Array<ArrayBuffer>));
  const env: Record<string, WebAssembly.ImportValue> = {
    memory: mem.memory,
    table: mem.table,
    abort: (_msg: number, _file: number, line: number, col: number): never => {
      throw new EbpfError("EFAULT", `AssemblyScript runtime aborted at line ${line}:${col}`);
    },
  };
  const instance = await WebAssembly.instantiate(await compiled, { env });
  const exports = instance.exports as unknown as AsRuntimeExports;
  return {
    mem,
    exports,
    alloc(size: number): number {
      const p = exports.wabpf_alloc(size) >>> 0;
      if (p === 0) throw new EbpfError("ENOMEM", `cannot allocate ${size} bytes in the runtime heap`);
      return p;
    },
    free: (ptr) => exports.wabpf_free(ptr),
  };
}
