// The tracing multi-link's per-function metadata (kfunc_md) and its global trampolines.
//
// kfunc_md: a hash table keyed by function address, chained buckets. It starts with 16
// buckets, doubles when the entries reach 90% of the bucket count and halves when they fall
// below 30% (never under 16). Lookups happen only inside the global trampolines, which are
// never concurrent with an update (one thread), so a rehash relinks nodes in place; program
// lists are immutable snapshots replaced whole, and a replaced list is freed only once no
// trampoline is running (an in-flight call keeps the list it started with, as RCU would).
//
// md node (32 bytes): next u32 @0, nr_args u32 @4, addr u64 @8, orig slot u32 @16, list u32 @20
// list: nF u32 @0, nM u32 @4, nX u32 @8, then 24-byte entries (fentry…, fmod_ret…, fexit…,
// each kind most recently attached first): prog slot u32 @0, prog state u32 @4, cookie u64 @8.
import { wabpf_alloc, wabpf_free } from "../alloc";
import { currentCpu } from "../maps/common";
import { PS_MISSES, PS_RUN_CNT, PS_RUN_TIME, statsSlot, trampEnter, trampExit } from "./state";

const MIN_BUCKETS: u32 = 16;
const EEXIST: i32 = 17;
const ENOENT: i32 = 2;
const ENOMEM: i32 = 12;

let buckets: u32 = 0;
let nbuckets: u32 = 0;
let count: u32 = 0;
let inflight: u32 = 0;
// lists waiting for the trampolines to finish (a chain through their first word is not
// possible: the lists are live; a small array of pointers instead)
const pendingMax: u32 = 256;
const pending = memory.data(256 * 4);
let npending: u32 = 0;

@inline function hashAddr(addr: u64, n: u32): u32 {
  // function addresses are 16-byte aligned: mix the rest (Fibonacci hashing)
  return <u32>(((addr >> 4) * 0x9e3779b97f4a7c15) >> 32) & (n - 1);
}

function ensureTable(): bool {
  if (buckets != 0) return true;
  buckets = wabpf_alloc(MIN_BUCKETS << 2);
  if (buckets == 0) return false;
  nbuckets = MIN_BUCKETS;
  return true;
}

function rehash(n: u32): void {
  const nb = wabpf_alloc(n << 2);
  if (nb == 0) return; // keep the old table: lookups stay correct, only slower
  for (let i: u32 = 0; i < nbuckets; i++) {
    let md = load<u32>(buckets + (i << 2));
    while (md != 0) {
      const next = load<u32>(md);
      const h = hashAddr(load<u64>(md, 8), n);
      store<u32>(md, load<u32>(nb + (h << 2)));
      store<u32>(nb + (h << 2), md);
      md = next;
    }
  }
  wabpf_free(buckets);
  buckets = nb;
  nbuckets = n;
}

/** The metadata of the function at `addr`, or 0. */
export function kmdLookup(addr: u64): u32 {
  if (buckets == 0) return 0;
  let md = load<u32>(buckets + (hashAddr(addr, nbuckets) << 2));
  while (md != 0) {
    if (load<u64>(md, 8) == addr) return md;
    md = load<u32>(md);
  }
  return 0;
}
export function wabpf_kmd_lookup(addr: u64): u32 {
  return kmdLookup(addr);
}

/** Insert metadata for a function: the node, or -EEXIST / -ENOMEM. */
export function wabpf_kmd_insert(addr: u64, nargs: u32, origSlot: u32): i32 {
  if (!ensureTable()) return -ENOMEM;
  if (kmdLookup(addr) != 0) return -EEXIST;
  const md = wabpf_alloc(32);
  if (md == 0) return -ENOMEM;
  store<u32>(md, nargs, 4);
  store<u64>(md, addr, 8);
  store<u32>(md, origSlot, 16);
  store<u32>(md, 0, 20);
  const h = hashAddr(addr, nbuckets);
  store<u32>(md, load<u32>(buckets + (h << 2)));
  store<u32>(buckets + (h << 2), md);
  count++;
  if (count * 10 >= nbuckets * 9) rehash(nbuckets << 1);
  return <i32>md;
}

/** Remove a function's metadata (its list is retired as by wabpf_kmd_set_list). */
export function wabpf_kmd_delete(addr: u64): i32 {
  if (buckets == 0) return -ENOENT;
  const slot = buckets + (hashAddr(addr, nbuckets) << 2);
  let prev: u32 = 0;
  let md = load<u32>(slot);
  while (md != 0 && load<u64>(md, 8) != addr) {
    prev = md;
    md = load<u32>(md);
  }
  if (md == 0) return -ENOENT;
  if (prev == 0) store<u32>(slot, load<u32>(md));
  else store<u32>(prev, load<u32>(md));
  retire(load<u32>(md, 20));
  retire(md);
  count--;
  if (nbuckets > MIN_BUCKETS && count * 10 < nbuckets * 3) rehash(nbuckets >> 1);
  return 0;
}

function retire(p: u32): void {
  if (p == 0) return;
  if (inflight == 0) {
    wabpf_free(p);
    return;
  }
  if (npending < pendingMax) {
    store<u32>(pending + (npending << 2), p);
    npending++;
  } // else leaked: more than 256 updates during one traced call
}
function reclaim(): void {
  for (let i: u32 = 0; i < npending; i++) wabpf_free(load<u32>(pending + (i << 2)));
  npending = 0;
}

/** Install a new program list (built by the host with wabpf_alloc); the old one is retired. */
export function wabpf_kmd_set_list(md: u32, list: u32): void {
  const old = load<u32>(md, 20);
  store<u32>(md, list, 20);
  if (inflight == 0) reclaim();
  retire(old);
}

export function wabpf_kmd_count(): u32 {
  return count;
}
export function wabpf_kmd_buckets(): u32 {
  return nbuckets == 0 ? MIN_BUCKETS : nbuckets;
}
/** Buckets holding at least one entry. */
export function wabpf_kmd_used_buckets(): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < nbuckets; i++) if (load<u32>(buckets + (i << 2)) != 0) n++;
  return n;
}
export function wabpf_kmd_inflight(): u32 {
  return inflight;
}

// ------------------------------------------------------------------ running programs
/** Run one program of a list at ctx, with its recursion guard, cookie and stats. */
@inline export function runProg(e: u32, ctx: u32): i64 {
  const st = load<u32>(e, 4);
  const act = st + (currentCpu() << 2);
  if (load<u32>(act) != 0) {
    store<u64>(st, load<u64>(st, PS_MISSES) + 1, PS_MISSES);
    return 0;
  }
  store<u32>(act, 1);
  store<i64>(ctx - 24, load<i64>(e, 8));
  const fp = <i64>(ctx - 24);
  let r: i64;
  const clock = statsSlot();
  if (clock == 0) {
    r = call_indirect<i64>(load<u32>(e), <i64>ctx, <i64>0, <i64>0, <i64>0, <i64>0, fp, <i64>0, <i64>0, <i64>0, <i64>0, <i64>0);
  } else {
    const t0 = call_indirect<f64>(clock);
    r = call_indirect<i64>(load<u32>(e), <i64>ctx, <i64>0, <i64>0, <i64>0, <i64>0, fp, <i64>0, <i64>0, <i64>0, <i64>0, <i64>0);
    const dt = call_indirect<f64>(clock) - t0;
    store<u64>(st, load<u64>(st, PS_RUN_CNT) + 1, PS_RUN_CNT);
    store<u64>(st, load<u64>(st, PS_RUN_TIME) + <u64>dt, PS_RUN_TIME);
  }
  store<u32>(act, 0);
  return r;
}

@inline function runFentry(list: u32, ctx: u32): void {
  const n = load<u32>(list);
  let e = list + 16;
  for (let i: u32 = 0; i < n; i++, e += 24) runProg(e, ctx);
}
/** fmod_ret programs: true when one returned nonzero (the original is skipped). */
@inline function runModRet(list: u32, ctx: u32, nargs: u32): bool {
  const nm = load<u32>(list, 4);
  if (nm == 0) return false;
  let e = list + 16 + load<u32>(list) * 24;
  const ret = ctx + (nargs << 3);
  store<i64>(ret, 0);
  for (let i: u32 = 0; i < nm; i++, e += 24) {
    const r = runProg(e, ctx);
    store<i64>(ret, r);
    if (r != 0) return true;
  }
  return false;
}
@inline function runFexit(list: u32, ctx: u32): void {
  const nx = load<u32>(list, 8);
  let e = list + 16 + (load<u32>(list) + load<u32>(list, 4)) * 24;
  for (let i: u32 = 0; i < nx; i++, e += 24) runProg(e, ctx);
}
@inline function needOrigCall(list: u32): bool {
  return (load<u32>(list, 4) | load<u32>(list, 8)) != 0;
}

@inline function leave(ctx: u32, nargs: u32): void {
  trampExit(ctx, nargs);
  inflight--;
  if (inflight == 0 && npending != 0) reclaim();
}

// The global trampolines, one per argument count. Each looks the metadata up by the
// function's address, saves the arguments into ctx, and runs the lists around the original.
export function kfunc_multi_tramp0(ip: i64): i64 {
  const md = kmdLookup(<u64>ip);
  const orig = load<u32>(md, 16);
  const list = load<u32>(md, 20);
  if (list == 0) return call_indirect<i64>(orig, ip);
  const ctx = trampEnter(ip, 0);
  if (ctx == 0) return call_indirect<i64>(orig, ip);
  inflight++;
  runFentry(list, ctx);
  let ret: i64;
  if (needOrigCall(list)) {
    if (runModRet(list, ctx, 0)) ret = load<i64>(ctx);
    else { ret = call_indirect<i64>(orig, ip); store<i64>(ctx, ret); }
    runFexit(list, ctx);
  } else ret = call_indirect<i64>(orig, ip);
  leave(ctx, 0);
  return ret;
}
export function kfunc_multi_tramp1(ip: i64, a0: i64): i64 {
  const md = kmdLookup(<u64>ip);
  const orig = load<u32>(md, 16);
  const list = load<u32>(md, 20);
  if (list == 0) return call_indirect<i64>(orig, ip, a0);
  const ctx = trampEnter(ip, 1);
  if (ctx == 0) return call_indirect<i64>(orig, ip, a0);
  inflight++;
  store<i64>(ctx, a0);
  runFentry(list, ctx);
  let ret: i64;
  if (needOrigCall(list)) {
    if (runModRet(list, ctx, 1)) ret = load<i64>(ctx, 8);
    else { ret = call_indirect<i64>(orig, ip, a0); store<i64>(ctx, ret, 8); }
    runFexit(list, ctx);
  } else ret = call_indirect<i64>(orig, ip, a0);
  leave(ctx, 1);
  return ret;
}
export function kfunc_multi_tramp2(ip: i64, a0: i64, a1: i64): i64 {
  const md = kmdLookup(<u64>ip);
  const orig = load<u32>(md, 16);
  const list = load<u32>(md, 20);
  if (list == 0) return call_indirect<i64>(orig, ip, a0, a1);
  const ctx = trampEnter(ip, 2);
  if (ctx == 0) return call_indirect<i64>(orig, ip, a0, a1);
  inflight++;
  store<i64>(ctx, a0);
  store<i64>(ctx, a1, 8);
  runFentry(list, ctx);
  let ret: i64;
  if (needOrigCall(list)) {
    if (runModRet(list, ctx, 2)) ret = load<i64>(ctx, 16);
    else { ret = call_indirect<i64>(orig, ip, a0, a1); store<i64>(ctx, ret, 16); }
    runFexit(list, ctx);
  } else ret = call_indirect<i64>(orig, ip, a0, a1);
  leave(ctx, 2);
  return ret;
}
export function kfunc_multi_tramp3(ip: i64, a0: i64, a1: i64, a2: i64): i64 {
  const md = kmdLookup(<u64>ip);
  const orig = load<u32>(md, 16);
  const list = load<u32>(md, 20);
  if (list == 0) return call_indirect<i64>(orig, ip, a0, a1, a2);
  const ctx = trampEnter(ip, 3);
  if (ctx == 0) return call_indirect<i64>(orig, ip, a0, a1, a2);
  inflight++;
  store<i64>(ctx, a0);
  store<i64>(ctx, a1, 8);
  store<i64>(ctx, a2, 16);
  runFentry(list, ctx);
  let ret: i64;
  if (needOrigCall(list)) {
    if (runModRet(list, ctx, 3)) ret = load<i64>(ctx, 24);
    else { ret = call_indirect<i64>(orig, ip, a0, a1, a2); store<i64>(ctx, ret, 24); }
    runFexit(list, ctx);
  } else ret = call_indirect<i64>(orig, ip, a0, a1, a2);
  leave(ctx, 3);
  return ret;
}
export function kfunc_multi_tramp4(ip: i64, a0: i64, a1: i64, a2: i64, a3: i64): i64 {
  const md = kmdLookup(<u64>ip);
  const orig = load<u32>(md, 16);
  const list = load<u32>(md, 20);
  if (list == 0) return call_indirect<i64>(orig, ip, a0, a1, a2, a3);
  const ctx = trampEnter(ip, 4);
  if (ctx == 0) return call_indirect<i64>(orig, ip, a0, a1, a2, a3);
  inflight++;
  store<i64>(ctx, a0);
  store<i64>(ctx, a1, 8);
  store<i64>(ctx, a2, 16);
  store<i64>(ctx, a3, 24);
  runFentry(list, ctx);
  let ret: i64;
  if (needOrigCall(list)) {
    if (runModRet(list, ctx, 4)) ret = load<i64>(ctx, 32);
    else { ret = call_indirect<i64>(orig, ip, a0, a1, a2, a3); store<i64>(ctx, ret, 32); }
    runFexit(list, ctx);
  } else ret = call_indirect<i64>(orig, ip, a0, a1, a2, a3);
  leave(ctx, 4);
  return ret;
}
export function kfunc_multi_tramp5(ip: i64, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64): i64 {
  const md = kmdLookup(<u64>ip);
  const orig = load<u32>(md, 16);
  const list = load<u32>(md, 20);
  if (list == 0) return call_indirect<i64>(orig, ip, a0, a1, a2, a3, a4);
  const ctx = trampEnter(ip, 5);
  if (ctx == 0) return call_indirect<i64>(orig, ip, a0, a1, a2, a3, a4);
  inflight++;
  store<i64>(ctx, a0);
  store<i64>(ctx, a1, 8);
  store<i64>(ctx, a2, 16);
  store<i64>(ctx, a3, 24);
  store<i64>(ctx, a4, 32);
  runFentry(list, ctx);
  let ret: i64;
  if (needOrigCall(list)) {
    if (runModRet(list, ctx, 5)) ret = load<i64>(ctx, 40);
    else { ret = call_indirect<i64>(orig, ip, a0, a1, a2, a3, a4); store<i64>(ctx, ret, 40); }
    runFexit(list, ctx);
  } else ret = call_indirect<i64>(orig, ip, a0, a1, a2, a3, a4);
  leave(ctx, 5);
  return ret;
}
export function kfunc_multi_tramp6(ip: i64, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64): i64 {
  const md = kmdLookup(<u64>ip);
  const orig = load<u32>(md, 16);
  const list = load<u32>(md, 20);
  if (list == 0) return call_indirect<i64>(orig, ip, a0, a1, a2, a3, a4, a5);
  const ctx = trampEnter(ip, 6);
  if (ctx == 0) return call_indirect<i64>(orig, ip, a0, a1, a2, a3, a4, a5);
  inflight++;
  store<i64>(ctx, a0);
  store<i64>(ctx, a1, 8);
  store<i64>(ctx, a2, 16);
  store<i64>(ctx, a3, 24);
  store<i64>(ctx, a4, 32);
  store<i64>(ctx, a5, 40);
  runFentry(list, ctx);
  let ret: i64;
  if (needOrigCall(list)) {
    if (runModRet(list, ctx, 6)) ret = load<i64>(ctx, 48);
    else { ret = call_indirect<i64>(orig, ip, a0, a1, a2, a3, a4, a5); store<i64>(ctx, ret, 48); }
    runFexit(list, ctx);
  } else ret = call_indirect<i64>(orig, ip, a0, a1, a2, a3, a4, a5);
  leave(ctx, 6);
  return ret;
}
