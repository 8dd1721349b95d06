// Kernel helpers with the kernel's numbers (enum bpf_func_id) on a simulated machine. Each
// has `fn`, the interpreter's (and unverified JIT code's) entry, which checks r1 is a map and
// the pointer arguments are accessible (what the verifier proves for loaded programs), and
// where the helper is hot, `native`, the AssemblyScript function verified JIT code calls
// directly. Helpers that run BPF code (bpf_loop, bpf_for_each_map_elem, bpf_tail_call) and
// the formatting ones are JS only.
import { RuntimeTrap, TrapKind } from "../errors.js";
import { CPU_ID_ADDR } from "../isa/layout.js";
import { BPF_MAX_LOOPS } from "../isa/limits.js";
import { HELPER } from "../isa/helpers.js";
import type { Helper, HelperCall } from "../exec/helpers.js";
import type { Region } from "../exec/guest-memory.js";
import type { Machine } from "./machine.js";
import type { BpfMap } from "./maps.js";
import { MAP_TYPES } from "./map-types.js";
import { bprintf, MAX_BPRINTF_BUF, MAX_BPRINTF_VARARGS, MAX_TRACE_PRINTK_VARARGS, type PrintkMemory } from "./printk.js";
import type { AddressSpace } from "./sim-memory.js";
import { OUTPUT_HELPER_IDS, outputHelpers } from "./output.js";
import { storageHelpers } from "./storage-helpers.js";
import { SeqFile } from "./seq-file.js";

/** The helpers implemented here, by kernel name; ids come from the shared registry. */
export const KERNEL_HELPER_IDS = {
  map_lookup_elem: HELPER.map_lookup_elem,
  map_update_elem: HELPER.map_update_elem,
  map_delete_elem: HELPER.map_delete_elem,
  ktime_get_ns: HELPER.ktime_get_ns,
  get_prandom_u32: HELPER.get_prandom_u32,
  get_smp_processor_id: HELPER.get_smp_processor_id,
  get_numa_node_id: HELPER.get_numa_node_id,
  map_push_elem: HELPER.map_push_elem,
  map_pop_elem: HELPER.map_pop_elem,
  map_peek_elem: HELPER.map_peek_elem,
  jiffies64: HELPER.jiffies64,
  ktime_get_boot_ns: HELPER.ktime_get_boot_ns,
  probe_read: HELPER.probe_read,
  trace_printk: HELPER.trace_printk,
  tail_call: HELPER.tail_call,
  get_current_pid_tgid: HELPER.get_current_pid_tgid,
  get_current_uid_gid: HELPER.get_current_uid_gid,
  get_current_comm: HELPER.get_current_comm,
  probe_read_str: HELPER.probe_read_str,
  spin_lock: HELPER.spin_lock,
  spin_unlock: HELPER.spin_unlock,
  probe_read_user: HELPER.probe_read_user,
  probe_read_kernel: HELPER.probe_read_kernel,
  probe_read_user_str: HELPER.probe_read_user_str,
  probe_read_kernel_str: HELPER.probe_read_kernel_str,
  for_each_map_elem: HELPER.for_each_map_elem,
  snprintf: HELPER.snprintf,
  trace_vprintk: HELPER.trace_vprintk,
  seq_printf: HELPER.seq_printf,
  seq_write: HELPER.seq_write,
  loop: HELPER.loop,
  strncmp: HELPER.strncmp,
  task_storage_get: HELPER.task_storage_get,
  task_storage_delete: HELPER.task_storage_delete,
  ...OUTPUT_HELPER_IDS,
} as const;

export { BPF_MAX_LOOPS };

const EINVAL = 22n;
const E2BIG = 7n;
const EOVERFLOW = 75n;
const neg = (errno: bigint): bigint => BigInt.asUintN(64, -errno);

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
      id: HELPER.map_lookup_elem,
      name: "bpf_map_lookup_elem",
      native: ex.helper_map_lookup_elem,
      fn: (c) => {
        const m = mapOf(c, "bpf_map_lookup_elem");
        return s64(ex.wabpf_map_lookup(m.ptr, ptr(c, c.r2, m.keySize, false)) >>> 0);
      },
    },
    {
      id: HELPER.map_update_elem,
      name: "bpf_map_update_elem",
      native: ex.helper_map_update_elem,
      fn: (c) => {
        const m = mapOf(c, "bpf_map_update_elem");
        return s64(ex.wabpf_map_update(m.ptr, ptr(c, c.r2, m.keySize, false), ptr(c, c.r3, m.valueSize, false), c.r4));
      },
    },
    {
      id: HELPER.map_delete_elem,
      name: "bpf_map_delete_elem",
      native: ex.helper_map_delete_elem,
      fn: (c) => {
        const m = mapOf(c, "bpf_map_delete_elem");
        return s64(ex.wabpf_map_delete(m.ptr, ptr(c, c.r2, m.keySize, false)));
      },
    },
    { id: HELPER.ktime_get_ns, name: "bpf_ktime_get_ns", native: ex.helper_ktime_get_ns, fn: () => s64((ex.helper_ktime_get_ns as (...a: bigint[]) => bigint)(0n, 0n, 0n, 0n, 0n)) },
    { id: HELPER.get_prandom_u32, name: "bpf_get_prandom_u32", native: ex.helper_get_prandom_u32, fn: () => s64((ex.helper_get_prandom_u32 as (...a: bigint[]) => bigint)(0n, 0n, 0n, 0n, 0n)) },
    { id: HELPER.get_smp_processor_id, name: "bpf_get_smp_processor_id", native: ex.helper_get_smp_processor_id, fn: () => s64((ex.helper_get_smp_processor_id as (...a: bigint[]) => bigint)(0n, 0n, 0n, 0n, 0n)) },
    { id: HELPER.get_numa_node_id, name: "bpf_get_numa_node_id", native: ex.helper_get_numa_node_id, fn: () => 0n },
    {
      id: HELPER.map_push_elem,
      name: "bpf_map_push_elem",
      native: ex.helper_map_push_elem,
      fn: (c) => {
        const m = mapOf(c, "bpf_map_push_elem");
        return s64(ex.wabpf_map_push(m.ptr, ptr(c, c.r2, m.valueSize, false), c.r3));
      },
    },
    {
      id: HELPER.map_pop_elem,
      name: "bpf_map_pop_elem",
      native: ex.helper_map_pop_elem,
      fn: (c) => {
        const m = mapOf(c, "bpf_map_pop_elem");
        return s64(ex.wabpf_map_pop(m.ptr, ptr(c, c.r2, m.valueSize, true)));
      },
    },
    {
      id: HELPER.map_peek_elem,
      name: "bpf_map_peek_elem",
      native: ex.helper_map_peek_elem,
      fn: (c) => {
        const m = mapOf(c, "bpf_map_peek_elem");
        return s64(ex.wabpf_map_peek(m.ptr, ptr(c, c.r2, m.valueSize, true)));
      },
    },
    { id: HELPER.jiffies64, name: "bpf_jiffies64", native: ex.helper_jiffies64, fn: () => s64((ex.helper_jiffies64 as (...a: bigint[]) => bigint)(0n, 0n, 0n, 0n, 0n)) },
    { id: HELPER.ktime_get_boot_ns, name: "bpf_ktime_get_boot_ns", native: ex.helper_ktime_get_boot_ns, fn: () => s64((ex.helper_ktime_get_boot_ns as (...a: bigint[]) => bigint)(0n, 0n, 0n, 0n, 0n)) },
    ...taskHelpers(machine),
    ...callbackHelpers(machine, mapOf, ptr),
    ...probeHelpers(machine, ptr),
    ...stringHelpers(machine, ptr),
    ...outputHelpers(machine, mapOf),
    ...storageHelpers(machine, mapOf, ptr),
  ];
}

type MapOf = (c: HelperCall, name: string) => BpfMap;
type Ptr = (c: HelperCall, addr: bigint, size: number, write: boolean) => number;
const u32 = (x: bigint): number => Number(x & 0xffffffffn);
type Native = (...a: bigint[]) => bigint;

// ------------------------------------------------------------------ current task (14, 15, 16)
function taskHelpers(machine: Machine): Helper[] {
  const ex = machine.rt.exports;
  const pidTgid = ex.helper_machine_get_current_pid_tgid as Native;
  const uidGid = ex.helper_machine_get_current_uid_gid as Native;
  const comm = ex.helper_machine_get_current_comm as Native;
  return [
    { id: HELPER.get_current_pid_tgid, name: "bpf_get_current_pid_tgid", native: pidTgid, fn: () => s64(pidTgid(0n, 0n, 0n, 0n, 0n)) },
    { id: HELPER.get_current_uid_gid, name: "bpf_get_current_uid_gid", native: uidGid, fn: () => s64(uidGid(0n, 0n, 0n, 0n, 0n)) },
    {
      id: HELPER.get_current_comm,
      name: "bpf_get_current_comm",
      native: comm,
      fn: (c) => {
        const size = u32(c.r2);
        if (size === 0) return neg(EINVAL);
        return s64(comm(BigInt(c.mem.check(c.r1, size, true, c.pc)), BigInt(size), 0n, 0n, 0n));
      },
    },
  ];
}

// ------------------------------------------------------------------ BPF code from helpers (12, 164, 181)
function runCallback(c: HelperCall, name: string, fn: bigint, args: readonly bigint[]): bigint {
  if (c.callback === undefined) throw new RuntimeTrap(TrapKind.Unsupported, c.pc, `${name}: this engine cannot run callbacks`);
  return c.callback(fn, args);
}

/** Run `body` with an extra read-only region (a key the callback may read), then restore the regions. */
function withRegion<T>(c: HelperCall, region: Region, body: () => T): T {
  const before = c.mem.getRegions();
  c.mem.setRegions([...before, region]);
  try {
    return body();
  } finally {
    c.mem.setRegions(before as Region[]);
  }
}

function callbackHelpers(machine: Machine, mapOf: MapOf, ptr: Ptr): Helper[] {
  const ex = machine.rt.exports;
  // keys of array elements and the tail call's index live here (the kernel's stack copies)
  let scratch = 0;
  const keySlot = (): number => (scratch ||= machine.rt.alloc(64));
  let depth = 0; // for_each calls nested through callbacks each get their own key slot
  return [
    {
      id: HELPER.tail_call,
      name: "bpf_tail_call",
      reenters: "tail_call",
      fn: (c) => {
        // bpf_tail_call(ctx, prog_array_map, index): the map is r2
        const m = mapOf({ ...c, r1: c.r2 }, "bpf_tail_call");
        if (m.type !== MAP_TYPES.prog_array) throw new RuntimeTrap(TrapKind.HelperFault, c.pc, `bpf_tail_call: map ${m.id} is not a PROG_ARRAY`);
        if (c.tailCall === undefined) throw new RuntimeTrap(TrapKind.Unsupported, c.pc, "bpf_tail_call: this engine cannot make tail calls");
        // as the kernel's x86-64 JIT: the index, then the count, then the slot (only a jump counts)
        const index = u32(c.r3);
        if (index >= m.maxEntries) return 0n;
        const id = ex.wabpf_fd_array_get(m.ptr, index) >>> 0;
        c.tailCall(id === 0 ? null : machine.programById(id)?.target ?? null);
        return 0n;
      },
    },
    {
      id: HELPER.for_each_map_elem,
      name: "bpf_for_each_map_elem",
      reenters: "callback",
      fn: (c) => {
        const m = mapOf(c, "bpf_for_each_map_elem");
        if (c.r4 !== 0n) return neg(EINVAL);
        const t = m.type;
        const ctx = c.r3;
        let visited = 0n;
        if (t === MAP_TYPES.array || t === MAP_TYPES.percpu_array) {
          const k = keySlot() + 8 + 4 * (depth % 14);
          const region: Region = { start: k, end: k + 4, writable: false, name: "map key" };
          depth++;
          try {
            for (let i = 0; i < m.maxEntries; i++) {
              const val = ex.wabpf_array_elem_value(m.ptr, i) >>> 0;
              visited++;
              machine.mem.view.setUint32(k, i, true);
              const ret = withRegion(c, region, () => runCallback(c, "bpf_for_each_map_elem", c.r2, [BigInt(m.ptr), BigInt(k), BigInt(val), ctx, 0n]));
              if (ret !== 0n) break;
            }
          } finally {
            depth--;
          }
          return visited;
        }
        if (t === MAP_TYPES.hash || t === MAP_TYPES.percpu_hash || t === MAP_TYPES.lru_hash || t === MAP_TYPES.lru_percpu_hash) {
          // the next element is taken before the callback runs (it may delete the current one)
          for (let e = ex.wabpf_hash_iter_next(m.ptr, 0) >>> 0; e !== 0; ) {
            const next = ex.wabpf_hash_iter_next(m.ptr, e) >>> 0;
            const key = ex.wabpf_hash_elem_key(e) >>> 0;
            const val = ex.wabpf_hash_elem_value(m.ptr, e) >>> 0;
            visited++;
            const region: Region = { start: key, end: key + m.keySize, writable: false, name: "map key" };
            const ret = withRegion(c, region, () => runCallback(c, "bpf_for_each_map_elem", c.r2, [BigInt(m.ptr), BigInt(key), BigInt(val), ctx, 0n]));
            if (ret !== 0n) break;
            e = next;
          }
          return visited;
        }
        // the verifier refuses other map types (no map_for_each_callback)
        throw new RuntimeTrap(TrapKind.HelperFault, c.pc, `bpf_for_each_map_elem: map ${m.id} (type ${m.typeName}) cannot be walked`);
      },
    },
    {
      id: HELPER.loop,
      name: "bpf_loop",
      reenters: "callback",
      fn: (c) => {
        if (c.r4 !== 0n) return neg(EINVAL);
        // flags 0: what Linux runs is the verifier's inlined loop (inline_bpf_loop), which
        // compares all 64 bits of nr_loops and sets -E2BIG with a 32-bit move
        if (c.r1 > BigInt(BPF_MAX_LOOPS)) return BigInt.asUintN(32, neg(E2BIG));
        const nr = Number(c.r1);
        for (let i = 0; i < nr; i++) {
          // 0: continue, anything else (the verifier allows 1): stop
          if (runCallback(c, "bpf_loop", c.r2, [BigInt(i), c.r3]) !== 0n) return BigInt(i + 1);
        }
        return BigInt(nr);
      },
    },
  ];
}

// ------------------------------------------------------------------ probe reads (4, 45, 112-115)
function probeHelpers(machine: Machine, ptr: Ptr): Helper[] {
  const as = machine.addressSpaces;
  const read = (space: AddressSpace | "compat", str: boolean) => (c: HelperCall): bigint => {
    const size = u32(c.r2);
    const dst = ptr(c, c.r1, size, true);
    const sp = space === "compat" ? as.compatSpace(c.r3) : space;
    const r = str ? as.readStr(sp, c.r3, size) : as.read(sp, c.r3, size);
    const bytes = c.mem.bytes;
    if (typeof r === "number") {
      // a fault clears the whole destination
      bytes.fill(0, dst, dst + size);
      return s64(r);
    }
    bytes.set(r, dst);
    return str ? BigInt(r.length) : 0n;
  };
  return [
    { id: HELPER.probe_read, name: "bpf_probe_read", fn: read("compat", false) },
    { id: HELPER.probe_read_str, name: "bpf_probe_read_str", fn: read("compat", true) },
    { id: HELPER.probe_read_user, name: "bpf_probe_read_user", fn: read("user", false) },
    { id: HELPER.probe_read_kernel, name: "bpf_probe_read_kernel", fn: read("kernel", false) },
    { id: HELPER.probe_read_user_str, name: "bpf_probe_read_user_str", fn: read("user", true) },
    { id: HELPER.probe_read_kernel_str, name: "bpf_probe_read_kernel_str", fn: read("kernel", true) },
  ];
}

// ------------------------------------------------------------------ printing, strings, locks (6, 93, 94, 126, 127, 165, 177, 182)
function stringHelpers(machine: Machine, ptr: Ptr): Helper[] {
  const as = machine.addressSpaces;
  const pm: PrintkMemory = {
    readStr: (space, addr, count) => as.readStr(space, addr, count),
    read: (space, addr, size) => as.read(space, addr, size),
    compatSpace: (addr) => as.compatSpace(addr),
    symbol: (addr, off) => machine.symbolizer?.(addr, off) ?? null,
  };
  /** A NUL-terminated string at addr (what ARG_PTR_TO_CONST_STR guarantees), with its NUL. */
  const cString = (c: HelperCall, addr: bigint): Uint8Array => {
    const start = c.mem.check(addr, 1, false, c.pc);
    let a = start;
    while (c.mem.bytes[a] !== 0) a = c.mem.check(BigInt(a + 1), 1, false, c.pc);
    return c.mem.bytes.slice(start, a + 1);
  };
  const cpuOf = (c: HelperCall): number => c.mem.view.getUint32(CPU_ID_ADDR, true);
  // the verifier proves r1 a struct seq_file (PTR_TO_BTF_ID); an iterator's meta->seq is one
  const seqOf = (c: HelperCall, name: string): SeqFile => {
    const m = SeqFile.at(machine, c.r1);
    if (m === undefined) throw new RuntimeTrap(TrapKind.HelperFault, c.pc, `${name}: r1 0x${c.r1.toString(16)} is not a seq_file`);
    return m;
  };
  /** The u64 arguments of the printf helpers taking an array (data, data_len), or null for -EINVAL as Linux checks them. */
  const varargs = (c: HelperCall, data: bigint, dataLen: number): bigint[] | null => {
    if (dataLen % 8 !== 0 || dataLen > MAX_BPRINTF_VARARGS * 8 || (dataLen !== 0 && data === 0n)) return null;
    const at = dataLen === 0 ? 0 : ptr(c, data, dataLen, false);
    return Array.from({ length: dataLen / 8 }, (_, i) => c.mem.view.getBigUint64(at + 8 * i, true));
  };
  const lockAddr = (c: HelperCall, name: string): number => {
    const a = ptr(c, c.r1, 4, true);
    if (a % 4 !== 0) throw new RuntimeTrap(TrapKind.HelperFault, c.pc, `${name}: lock at 0x${a.toString(16)} is not 4-byte aligned`);
    return a;
  };
  return [
    {
      id: HELPER.trace_printk,
      name: "bpf_trace_printk",
      fn: (c) => {
        const size = u32(c.r2);
        const fmt = c.mem.bytes.slice(ptr(c, c.r1, size, false), Number(c.r1) + size);
        const r = bprintf(fmt, [c.r3, c.r4, c.r5].slice(0, MAX_TRACE_PRINTK_VARARGS), pm);
        if (typeof r === "number") return s64(r);
        machine.tracePrintk(cpuOf(c), r.slice(0, MAX_BPRINTF_BUF - 1));
        return BigInt(r.length);
      },
    },
    {
      id: HELPER.trace_vprintk,
      name: "bpf_trace_vprintk",
      fn: (c) => {
        // bpf_trace_printk with the arguments in a u64 array (bpf_printk with more than 3)
        const size = u32(c.r2);
        const args = varargs(c, c.r3, u32(c.r4));
        if (args === null) return neg(EINVAL);
        const fmt = c.mem.bytes.slice(ptr(c, c.r1, size, false), Number(c.r1) + size);
        const r = bprintf(fmt, args, pm);
        if (typeof r === "number") return s64(r);
        machine.tracePrintk(cpuOf(c), r.slice(0, MAX_BPRINTF_BUF - 1));
        return BigInt(r.length);
      },
    },
    {
      id: HELPER.seq_printf,
      name: "bpf_seq_printf",
      fn: (c) => {
        const m = seqOf(c, "bpf_seq_printf");
        const size = u32(c.r3);
        const args = varargs(c, c.r4, u32(c.r5));
        if (args === null) return neg(EINVAL);
        const r = bprintf(c.mem.bytes.slice(ptr(c, c.r2, size, false), Number(c.r2) + size), args, pm);
        if (typeof r === "number") return s64(r);
        // seq_bprintf: the text goes in whole with room for a NUL, or the file overflows
        m.write(Uint8Array.from(r, (ch) => ch.charCodeAt(0)));
        return m.overflowed ? neg(EOVERFLOW) : 0n;
      },
    },
    {
      id: HELPER.seq_write,
      name: "bpf_seq_write",
      fn: (c) => {
        const m = seqOf(c, "bpf_seq_write");
        const len = u32(c.r3);
        const at = ptr(c, c.r2, len, false);
        return m.write(c.mem.bytes.slice(at, at + len)) ? 0n : neg(EOVERFLOW);
      },
    },
    {
      id: HELPER.spin_lock,
      name: "bpf_spin_lock",
      fn: (c) => {
        const a = lockAddr(c, "bpf_spin_lock");
        // one thread: a lock already held would spin forever
        if (c.mem.view.getUint32(a, true) !== 0) throw new RuntimeTrap(TrapKind.HelperFault, c.pc, `bpf_spin_lock: deadlock, the lock at 0x${a.toString(16)} is already held`);
        c.mem.view.setUint32(a, 1, true);
        machine.spinLocksHeld.add(a);
        return 0n;
      },
    },
    {
      id: HELPER.spin_unlock,
      name: "bpf_spin_unlock",
      fn: (c) => {
        const a = lockAddr(c, "bpf_spin_unlock");
        if (c.mem.view.getUint32(a, true) === 0) throw new RuntimeTrap(TrapKind.HelperFault, c.pc, `bpf_spin_unlock: the lock at 0x${a.toString(16)} is not held`);
        c.mem.view.setUint32(a, 0, true);
        machine.spinLocksHeld.delete(a);
        return 0n;
      },
    },
    {
      id: HELPER.snprintf,
      name: "bpf_snprintf",
      fn: (c) => {
        const strSize = u32(c.r2);
        const args = varargs(c, c.r4, u32(c.r5));
        if (args === null) return neg(EINVAL);
        const fmt = cString(c, c.r3);
        const r = bprintf(fmt, args, pm);
        if (typeof r === "number") return s64(r);
        if (strSize > 0) {
          const dst = ptr(c, c.r1, strSize, true);
          const n = Math.min(r.length, strSize - 1);
          for (let i = 0; i < n; i++) c.mem.bytes[dst + i] = r.charCodeAt(i);
          c.mem.bytes[dst + n] = 0;
        }
        return BigInt(r.length + 1);
      },
    },
    {
      id: HELPER.strncmp,
      name: "bpf_strncmp",
      fn: (c) => {
        const n = u32(c.r2);
        const s1 = n === 0 ? new Uint8Array(0) : c.mem.bytes.slice(ptr(c, c.r1, n, false), Number(c.r1) + n);
        const s2 = cString(c, c.r3);
        // lib/string.c strncmp: -1, 0 or 1
        for (let i = 0; i < n; i++) {
          const a = s1[i]!;
          const b = s2[i] ?? 0;
          if (a !== b) return a < b ? s64(-1) : 1n;
          if (a === 0) break;
        }
        return 0n;
      },
    },
  ];
}
