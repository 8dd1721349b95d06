import type { GuestMemory } from "../exec/guest-memory.js";
import { EbpfError } from "../errors.js";

/** The exports of build/runtime.wasm (assembly/index.ts). */
export interface AsRuntimeExports {
  readonly wabpf_alloc: (size: number) => number;
  readonly wabpf_free: (ptr: number) => void;
  readonly wabpf_block_size: (ptr: number) => number;
  readonly wabpf_allocated_bytes: () => number;
  readonly wabpf_heap_top: () => number;
  // maps (assembly/maps): addresses are u32 guest addresses, results 0 / -errno
  readonly wabpf_map_free: (map: number) => number;
  readonly wabpf_map_create: (type: number, keySize: number, valueSize: number, maxEntries: number, flags: number, ncpus: number, mapExtra: number, id: number, seed: number) => number;
  readonly wabpf_map_lookup: (map: number, key: number) => number;
  readonly wabpf_map_update: (map: number, key: number, val: number, flags: bigint) => number;
  readonly wabpf_map_delete: (map: number, key: number) => number;
  readonly wabpf_map_push: (map: number, val: number, flags: bigint) => number;
  readonly wabpf_map_pop: (map: number, val: number) => number;
  readonly wabpf_map_peek: (map: number, val: number) => number;
  readonly wabpf_map_sys_lookup: (map: number, key: number, out: number) => number;
  readonly wabpf_map_sys_update: (map: number, key: number, val: number, flags: bigint) => number;
  readonly wabpf_map_sys_next: (map: number, key: number, out: number) => number;
  readonly wabpf_map_sys_lookup_and_delete: (map: number, key: number, out: number) => number;
  readonly wabpf_map_sys_lookup_batch: (map: number, batch: number, max: number, keys: number, vals: number, del: number, out: number) => number;
  readonly wabpf_value_access: (addr: number, size: number, write: number) => number;
  readonly wabpf_is_map: (map: number) => number;
  readonly wabpf_map_key_size: (map: number) => number;
  readonly wabpf_map_value_size: (map: number) => number;
  // machine state (assembly/helpers.ts)
  readonly wabpf_clock_set: (ns: bigint, step: bigint, suspended: bigint, hz: bigint) => void;
  readonly wabpf_clock_get: () => bigint;
  readonly wabpf_prandom_seed: (seed: bigint) => void;
  // current task per CPU, map walks (assembly/runtime-task.ts, runtime-foreach.ts)
  readonly wabpf_task_set: (cpu: number, present: number, pid: number, tgid: number, uid: number, gid: number, comm0: bigint, comm1: bigint) => void;
  readonly wabpf_hash_iter_next: (map: number, elem: number) => number;
  readonly wabpf_hash_elem_key: (elem: number) => number;
  readonly wabpf_hash_elem_value: (map: number, elem: number) => number;
  readonly wabpf_array_elem_value: (map: number, idx: number) => number;
  readonly wabpf_fd_array_get: (map: number, idx: number) => number;
  readonly helper_machine_get_current_pid_tgid: Function;
  readonly helper_machine_get_current_uid_gid: Function;
  readonly helper_machine_get_current_comm: Function;
  /** helpers with the uniform ABI (i64 r1..r5) -> i64, imported directly by JIT code */
  readonly helper_map_lookup_elem: Function; // wasm exports: no narrower static type
  readonly helper_map_update_elem: Function;
  readonly helper_map_delete_elem: Function;
  readonly helper_map_push_elem: Function;
  readonly helper_map_pop_elem: Function;
  readonly helper_map_peek_elem: Function;
  readonly helper_get_smp_processor_id: Function;
  readonly helper_get_numa_node_id: Function;
  readonly helper_ktime_get_ns: Function;
  readonly helper_ktime_get_boot_ns: Function;
  readonly helper_jiffies64: Function;
  readonly helper_get_prandom_u32: Function;
  readonly NULL_GUARD_END: WebAssembly.Global;
  readonly STACK_FRAME_SIZE: WebAssembly.Global;
  readonly STACK_FRAMES: WebAssembly.Global;
  readonly STACK_PER_CPU: WebAssembly.Global;
  readonly MAX_CPUS: WebAssembly.Global;
  readonly STACK_BASE: WebAssembly.Global;
  readonly CTX_BASE: WebAssembly.Global;
  readonly CTX_SIZE: WebAssembly.Global;
  readonly HEAP_BASE: WebAssembly.Global;
  readonly CPU_ID_ADDR: WebAssembly.Global;
}

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
