// Local storage helpers (kernel/bpf/bpf_task_storage.c): bpf_task_storage_get (156) and
// bpf_task_storage_delete (157) on a BPF_MAP_TYPE_TASK_STORAGE map, which the runtime keeps as
// a no-prealloc hash map keyed by the task's guest address (maps.ts). The returned value is a
// map value: programs load and store through it as through a lookup's pointer.
import { RuntimeTrap, TrapKind } from "../errors.js";
import type { Helper, HelperCall } from "../exec/helpers.js";
import { HELPER } from "../isa/helpers.js";
import type { GuestMemory } from "../exec/guest-memory.js";
import type { AsRuntime } from "./as-runtime.js";
import { MAP_TYPES, UPDATE_FLAGS } from "./map-types.js";

/** BPF_LOCAL_STORAGE_GET_F_CREATE */
export const LOCAL_STORAGE_GET_F_CREATE = 1n;

const EINVAL = 22n;
const ENOENT = 2n;
const neg = (errno: bigint): bigint => BigInt.asUintN(64, -errno);

/** What the helpers need of a map (a BpfMap is one). */
interface StorageMap {
  readonly ptr: number;
  readonly id: number;
  readonly type: number;
  readonly typeName: string;
  readonly valueSize: number;
}
type MapOf = (c: HelperCall, name: string) => StorageMap;
type Ptr = (c: HelperCall, addr: bigint, size: number, write: boolean) => number;

export function storageHelpers(machine: { readonly rt: AsRuntime; readonly mem: GuestMemory }, mapOf: MapOf, ptr: Ptr): Helper[] {
  const ex = machine.rt.exports;
  // the key (an owner's address) and a zeroed value for creating without an initial value
  let keySlot = 0;
  const key = (owner: bigint): number => {
    keySlot ||= machine.rt.alloc(8);
    machine.mem.view.setUint32(keySlot, Number(owner), true);
    return keySlot;
  };
  const zeros = new Map<number, number>();
  const zeroValue = (size: number): number => {
    let z = zeros.get(size);
    if (z === undefined) {
      z = machine.rt.alloc(size);
      machine.mem.bytes.fill(0, z, z + size);
      zeros.set(size, z);
    }
    return z;
  };
  const storageMap = (c: HelperCall, name: string): StorageMap => {
    const m = mapOf(c, name);
    if (m.type !== MAP_TYPES.task_storage) throw new RuntimeTrap(TrapKind.HelperFault, c.pc, `${name}: map ${m.id} (type ${m.typeName}) is not a TASK_STORAGE map`);
    return m;
  };
  // an owner the verifier proved a task pointer; guest addresses are 32-bit, so anything
  // wider (only an unverified program passes it) is no task and finds no storage
  const isOwner = (p: bigint): boolean => p !== 0n && p <= 0xffffffffn;
  return [
    {
      id: HELPER.task_storage_get,
      name: "bpf_task_storage_get",
      fn: (c) => {
        const m = storageMap(c, "bpf_task_storage_get");
        if ((c.r4 & ~LOCAL_STORAGE_GET_F_CREATE) !== 0n || !isOwner(c.r2)) return 0n;
        const found = ex.wabpf_map_lookup(m.ptr, key(c.r2)) >>> 0;
        if (found !== 0 || (c.r4 & LOCAL_STORAGE_GET_F_CREATE) === 0n) return BigInt(found);
        // created with BPF_NOEXIST from `value`, or zeroed without one
        const init = c.r3 === 0n ? zeroValue(m.valueSize) : ptr(c, c.r3, m.valueSize, false);
        if (ex.wabpf_map_update(m.ptr, key(c.r2), init, BigInt(UPDATE_FLAGS.NOEXIST)) < 0) return 0n;
        return BigInt(ex.wabpf_map_lookup(m.ptr, key(c.r2)) >>> 0);
      },
    },
    {
      id: HELPER.task_storage_delete,
      name: "bpf_task_storage_delete",
      fn: (c) => {
        const m = storageMap(c, "bpf_task_storage_delete");
        if (c.r2 === 0n) return neg(EINVAL);
        if (!isOwner(c.r2)) return neg(ENOENT);
        return BigInt.asUintN(64, BigInt(ex.wabpf_map_delete(m.ptr, key(c.r2))));
      },
    },
  ];
}
