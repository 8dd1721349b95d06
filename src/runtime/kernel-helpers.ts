// Kernel helpers with the kernel's numbers (enum bpf_func_id) on a simulated machine. Each
// has `native`, the AssemblyScript function JIT code calls directly, and `fn`, the
// interpreter's entry, which checks r1 is a map and the key/value pointers are readable
// (what the verifier proves for loaded programs) before calling the same wasm code.
import { RuntimeTrap, TrapKind } from "../errors.js";
import type { Helper, HelperCall } from "../exec/helpers.js";
import type { Machine } from "./machine.js";
import type { BpfMap } from "./maps.js";

/** The helper numbers implemented here. */
export const KERNEL_HELPER_IDS = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  ktime_get_ns: 5,
  get_prandom_u32: 7,
  get_smp_processor_id: 8,
  get_numa_node_id: 42,
  map_push_elem: 87,
  map_pop_elem: 88,
  map_peek_elem: 89,
  jiffies64: 118,
  ktime_get_boot_ns: 125,
} as const;

const s64 = (x: number | bigint): bigint => BigInt.asUintN(64, BigInt(x));

export function kernelHelpers(machine: Machine): Helper[] {
  const ex = machine.rt.exports;
  const mapOf = (c: HelperCall, name: string): BpfMap => {
    const m = machine.mapAt(c.r1);
    if (m === undefined) throw new RuntimeTrap(TrapKind.HelperFault, c.pc, `${name}: r1 0x${c.r1.toString(16)} is not a map`);
    return m;
  };
  // a pointer argument must be readable (or writable) for `size` bytes, as the verifier requires
  const ptr = (c: HelperCall, addr: bigint, size: number, write: boolean): number => (size === 0 ? Number(addr & 0xffffffffn) : c.mem.check(addr, size, write, c.pc));
  return [
    {
      id: 1,
      name: "bpf_map_lookup_elem",
      native: ex.helper_map_lookup_elem,
      fn: (c) => {
        const m = mapOf(c, "bpf_map_lookup_elem");
        return s64(ex.wabpf_map_lookup(m.ptr, ptr(c, c.r2, m.keySize, false)) >>> 0);
      },
    },
    {
      id: 2,
      name: "bpf_map_update_elem",
      native: ex.helper_map_update_elem,
      fn: (c) => {
        const m = mapOf(c, "bpf_map_update_elem");
        return s64(ex.wabpf_map_update(m.ptr, ptr(c, c.r2, m.keySize, false), ptr(c, c.r3, m.valueSize, false), c.r4));
      },
    },
    {
      id: 3,
      name: "bpf_map_delete_elem",
      native: ex.helper_map_delete_elem,
      fn: (c) => {
        const m = mapOf(c, "bpf_map_delete_elem");
        return s64(ex.wabpf_map_delete(m.ptr, ptr(c, c.r2, m.keySize, false)));
      },
    },
    { id: 5, name: "bpf_ktime_get_ns", native: ex.helper_ktime_get_ns, fn: () => s64((ex.helper_ktime_get_ns as (...a: bigint[]) => bigint)(0n, 0n, 0n, 0n, 0n)) },
    { id: 7, name: "bpf_get_prandom_u32", native: ex.helper_get_prandom_u32, fn: () => s64((ex.helper_get_prandom_u32 as (...a: bigint[]) => bigint)(0n, 0n, 0n, 0n, 0n)) },
    { id: 8, name: "bpf_get_smp_processor_id", native: ex.helper_get_smp_processor_id, fn: () => s64((ex.helper_get_smp_processor_id as (...a: bigint[]) => bigint)(0n, 0n, 0n, 0n, 0n)) },
    { id: 42, name: "bpf_get_numa_node_id", native: ex.helper_get_numa_node_id, fn: () => 0n },
    {
      id: 87,
      name: "bpf_map_push_elem",
      native: ex.helper_map_push_elem,
      fn: (c) => {
        const m = mapOf(c, "bpf_map_push_elem");
        return s64(ex.wabpf_map_push(m.ptr, ptr(c, c.r2, m.valueSize, false), c.r3));
      },
    },
    {
      id: 88,
      name: "bpf_map_pop_elem",
      native: ex.helper_map_pop_elem,
      fn: (c) => {
        const m = mapOf(c, "bpf_map_pop_elem");
        return s64(ex.wabpf_map_pop(m.ptr, ptr(c, c.r2, m.valueSize, true)));
      },
    },
    {
      id: 89,
      name: "bpf_map_peek_elem",
      native: ex.helper_map_peek_elem,
      fn: (c) => {
        const m = mapOf(c, "bpf_map_peek_elem");
        return s64(ex.wabpf_map_peek(m.ptr, ptr(c, c.r2, m.valueSize, true)));
      },
    },
    { id: 118, name: "bpf_jiffies64", native: ex.helper_jiffies64, fn: () => s64((ex.helper_jiffies64 as (...a: bigint[]) => bigint)(0n, 0n, 0n, 0n, 0n)) },
    { id: 125, name: "bpf_ktime_get_boot_ns", native: ex.helper_ktime_get_boot_ns, fn: () => s64((ex.helper_ktime_get_boot_ns as (...a: bigint[]) => bigint)(0n, 0n, 0n, 0n, 0n)) },
  ];
}
