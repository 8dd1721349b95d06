// Kernel helpers as wasm functions with the uniform helper ABI (i64 r1..r5) -> i64, which
// JIT code imports directly (no JS on the way). Numbers and semantics are the kernel's;
// the clock and the random state belong to the simulated machine and the host sets them.
import { currentCpu } from "./maps/common";
import { wabpf_map_delete, wabpf_map_lookup, wabpf_map_peek, wabpf_map_pop, wabpf_map_push, wabpf_map_update } from "./maps/index";

// ------------------------------------------------------------------ maps (1, 2, 3, 87, 88, 89)
export function helper_map_lookup_elem(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return <i64>wabpf_map_lookup(<u32>r1, <u32>r2);
}
export function helper_map_update_elem(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return <i64>wabpf_map_update(<u32>r1, <u32>r2, <u32>r3, <u64>r4);
}
export function helper_map_delete_elem(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return <i64>wabpf_map_delete(<u32>r1, <u32>r2);
}
export function helper_map_push_elem(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return <i64>wabpf_map_push(<u32>r1, <u32>r2, <u64>r3);
}
export function helper_map_pop_elem(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return <i64>wabpf_map_pop(<u32>r1, <u32>r2);
}
export function helper_map_peek_elem(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return <i64>wabpf_map_peek(<u32>r1, <u32>r2);
}

// ------------------------------------------------------------------ machine (8, 42)
export function helper_get_smp_processor_id(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return <i64>currentCpu();
}
export function helper_get_numa_node_id(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return 0;
}

// ------------------------------------------------------------------ clock (5, 125, 118)
// Monotonic nanoseconds the host sets; each read advances it by `clockStep` (0: frozen).
let clockNs: u64 = 0;
let clockStep: u64 = 0;
let bootOffset: u64 = 0;
let hz: u64 = 250;

export function wabpf_clock_set(ns: u64, step: u64, suspended: u64, hertz: u64): void {
  clockNs = ns;
  clockStep = step;
  bootOffset = suspended;
  hz = hertz;
}
export function wabpf_clock_get(): u64 {
  return clockNs;
}

@inline function readClock(): u64 {
  const t = clockNs;
  clockNs += clockStep;
  return t;
}
export function helper_ktime_get_ns(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return <i64>readClock();
}
export function helper_ktime_get_boot_ns(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return <i64>(readClock() + bootOffset);
}
/** jiffies start 5 minutes before wrapping a u32 (INITIAL_JIFFIES) and count at HZ. */
export function helper_jiffies64(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  const initial: u64 = <u64>(<u32>(-300 * <i32>hz));
  return <i64>(initial + (readClock() + bootOffset) / (1_000_000_000 / hz));
}

// ------------------------------------------------------------------ random (7)
// One Tausworthe (LFSR113) state per CPU, seeded from the host's seed as the kernel seeds
// prandom_u32_state, so a seed gives a reproducible sequence per CPU.
const rnd = memory.data(64 * 16);

@inline function taus(s: u32, a: u32, b: u32, c: u32, d: u32): u32 {
  return ((s & c) << d) ^ (((s << a) ^ s) >> b);
}

function prandomNext(st: usize): u32 {
  const s1 = taus(load<u32>(st), 6, 13, 4294967294, 18);
  const s2 = taus(load<u32>(st, 4), 2, 27, 4294967288, 2);
  const s3 = taus(load<u32>(st, 8), 13, 21, 4294967280, 7);
  const s4 = taus(load<u32>(st, 12), 3, 12, 4294967168, 13);
  store<u32>(st, s1);
  store<u32>(st, s2, 4);
  store<u32>(st, s3, 8);
  store<u32>(st, s4, 12);
  return s1 ^ s2 ^ s3 ^ s4;
}

@inline function seedWord(x: u32, m: u32): u32 {
  return x < m ? x + m : x;
}

export function wabpf_prandom_seed(seed: u64): void {
  for (let c: u32 = 0; c < 64; c++) {
    const s = seed + c;
    const i = <u32>(((s >> 32) ^ (s << 10) ^ s) & 0xffffffff);
    const st = rnd + (c << 4);
    store<u32>(st, seedWord(i, 2));
    store<u32>(st, seedWord(i, 8), 4);
    store<u32>(st, seedWord(i, 16), 8);
    store<u32>(st, seedWord(i, 128), 12);
    for (let k = 0; k < 10; k++) prandomNext(st);
  }
}

export function helper_get_prandom_u32(r1: i64, r2: i64, r3: i64, r4: i64, r5: i64): i64 {
  return <i64>prandomNext(rnd + (currentCpu() << 4));
}

// ------------------------------------------------------------------ current task (14, 15, 16), map walks (164)
export * from "./runtime-task";
export * from "./runtime-foreach";
