// The LRU lists of LRU_HASH / LRU_PERCPU_HASH, following the kernel's algorithm
// (kernel/bpf/bpf_lru_list.c) so that the same sequence of operations evicts the same keys:
// a common LRU (one active/inactive/free list set plus per-CPU local free and pending
// lists, refilled `target_free` nodes at a time) or, with BPF_F_NO_COMMON_LRU, one list set
// per CPU. Nodes are the `E_LRU` pair of a hash element; list heads are sentinels.
import { E_CPU, E_HASH, E_LRU, E_NEXT, E_REF, E_TYPE, H_BUCKETS, H_COUNT, H_NBUCKETS, mapAlloc } from "./common";

// node types (enum bpf_lru_list_type)
const ACTIVE: u32 = 0;
const INACTIVE: u32 = 1;
const FREE: u32 = 2;
const LOCAL_FREE: u32 = 3;
const LOCAL_PENDING: u32 = 4;

const LOCAL_FREE_TARGET: u32 = 128;
const PERCPU_FREE_TARGET: u32 = 4;

// struct lru: [percpu][nr_scans][target_free][ncpus][map][local lists][per-CPU lists][common list (40)]
const L_PERCPU: u32 = 0;
const L_NSCANS: u32 = 4;
const L_TARGET: u32 = 8;
const L_NCPU: u32 = 12;
const L_MAP: u32 = 16;
const L_LOCAL: u32 = 20;
const L_PLISTS: u32 = 24;
const L_COMMON: u32 = 28;
// list set (40 bytes): heads ACTIVE +0, INACTIVE +8, FREE +16; counts +24/+28; next_inactive_rotation +32
const LIST_SIZE: u32 = 40;
const CNT: u32 = 24;
const NIR: u32 = 32;
// local list (24 bytes): LOCAL_FREE head +0, LOCAL_PENDING head +8, next_steal +16
const LOCAL_SIZE: u32 = 24;

// ------------------------------------------------------------------ intrusive lists
@inline function prev(n: u32): u32 { return load<u32>(n); }
@inline function next(n: u32): u32 { return load<u32>(n, 4); }
@inline function setPrev(n: u32, v: u32): void { store<u32>(n, v); }
@inline function setNext(n: u32, v: u32): void { store<u32>(n, v, 4); }

function init(h: u32): void {
  setPrev(h, h);
  setNext(h, h);
}
/** Insert n right after head h (the kernel's list_add). */
function add(n: u32, h: u32): void {
  const f = next(h);
  setNext(n, f);
  setPrev(n, h);
  setPrev(f, n);
  setNext(h, n);
}
function del(n: u32): void {
  const p = prev(n);
  const f = next(n);
  setNext(p, f);
  setPrev(f, p);
}
function move(n: u32, h: u32): void {
  del(n);
  add(n, h);
}
@inline function empty(h: u32): bool { return next(h) == h; }

// node fields (a node is elem + E_LRU)
@inline function ntype(n: u32): u32 { return load<u8>(n - E_LRU + E_TYPE); }
@inline function setType(n: u32, t: u32): void { store<u8>(n - E_LRU + E_TYPE, <u8>t); }
@inline function isRef(n: u32): bool { return load<u8>(n - E_LRU + E_REF) != 0; }
@inline function clearRef(n: u32): void { store<u8>(n - E_LRU + E_REF, 0); }
@inline function ncpu(n: u32): u32 { return load<u16>(n - E_LRU + E_CPU); }
@inline function setCpu(n: u32, c: u32): void { store<u16>(n - E_LRU + E_CPU, <u16>c); }

@inline function head(l: u32, t: u32): u32 { return l + (t << 3); }

function countInc(l: u32, t: u32): void {
  if (t < 2) store<u32>(l + CNT + (t << 2), load<u32>(l + CNT + (t << 2)) + 1);
}
function countDec(l: u32, t: u32): void {
  if (t < 2) store<u32>(l + CNT + (t << 2), load<u32>(l + CNT + (t << 2)) - 1);
}

function initList(l: u32): void {
  init(head(l, ACTIVE));
  init(head(l, INACTIVE));
  init(head(l, FREE));
  store<u32>(l + CNT, 0);
  store<u32>(l + CNT + 4, 0);
  store<u32>(l + NIR, head(l, INACTIVE));
}

// ------------------------------------------------------------------ the hash side
/** Unlink the element of node n from its bucket if it is there (htab_lru_map_delete_node). */
function delFromHtab(map: u32, n: u32): bool {
  const elem = n - E_LRU;
  const hash = load<u32>(elem + E_HASH);
  let link = load<u32>(map + H_BUCKETS) + ((hash & (load<u32>(map + H_NBUCKETS) - 1)) << 2);
  for (let e = load<u32>(link); e != 0; e = load<u32>(link)) {
    if (e == elem) {
      store<u32>(link, load<u32>(e + E_NEXT));
      store<u32>(map + H_COUNT, load<u32>(map + H_COUNT) - 1);
      return true;
    }
    link = e + E_NEXT;
  }
  return false;
}

// ------------------------------------------------------------------ list operations
function moveToFree(l: u32, n: u32, freeList: u32, tgt: u32): void {
  if (n == load<u32>(l + NIR)) store<u32>(l + NIR, prev(n));
  countDec(l, ntype(n));
  setType(n, tgt);
  move(n, freeList);
}

function moveIn(l: u32, n: u32, tgt: u32): void {
  countInc(l, tgt);
  setType(n, tgt);
  clearRef(n);
  move(n, head(l, tgt));
}

function nodeMove(l: u32, n: u32, tgt: u32): void {
  const t = ntype(n);
  if (t != tgt) {
    countDec(l, t);
    countInc(l, tgt);
    setType(n, tgt);
  }
  clearRef(n);
  if (n == load<u32>(l + NIR)) store<u32>(l + NIR, prev(n));
  move(n, head(l, tgt));
}

function rotateActive(lru: u32, l: u32): void {
  const active = head(l, ACTIVE);
  const first = next(active);
  const scans = load<u32>(lru + L_NSCANS);
  let i: u32 = 0;
  let n = prev(active);
  while (n != active) {
    const p = prev(n);
    nodeMove(l, n, isRef(n) ? ACTIVE : INACTIVE);
    if (++i == scans || n == first) break;
    n = p;
  }
}

function rotateInactive(lru: u32, l: u32): void {
  const inactive = head(l, INACTIVE);
  if (empty(inactive)) return;
  const scans = load<u32>(lru + L_NSCANS);
  let last = next(load<u32>(l + NIR));
  if (last == inactive) last = next(last);
  let cur = load<u32>(l + NIR);
  let nxt: u32 = 0;
  let i: u32 = 0;
  while (i < scans) {
    if (cur == inactive) {
      cur = prev(cur);
      continue;
    }
    nxt = prev(cur);
    if (isRef(cur)) nodeMove(l, cur, ACTIVE);
    if (cur == last) break;
    cur = nxt;
    i++;
  }
  store<u32>(l + NIR, nxt);
}

function rotate(lru: u32, l: u32): void {
  if (load<u32>(l + CNT + 4) < load<u32>(l + CNT)) rotateActive(lru, l);
  rotateInactive(lru, l);
}

function shrinkInactive(lru: u32, l: u32, tgt: u32, freeList: u32, freeType: u32): u32 {
  const inactive = head(l, INACTIVE);
  const scans = load<u32>(lru + L_NSCANS);
  const map = load<u32>(lru + L_MAP);
  let shrunk: u32 = 0;
  let i: u32 = 0;
  let n = prev(inactive);
  while (n != inactive) {
    const p = prev(n);
    if (isRef(n)) {
      nodeMove(l, n, ACTIVE);
    } else if (delFromHtab(map, n)) {
      moveToFree(l, n, freeList, freeType);
      if (++shrunk == tgt) break;
    }
    if (++i == scans) break;
    n = p;
  }
  return shrunk;
}

function shrink(lru: u32, l: u32, tgt: u32, freeList: u32, freeType: u32): u32 {
  const shrunk = shrinkInactive(lru, l, tgt, freeList, freeType);
  if (shrunk != 0) return shrunk;
  // no unreferenced node: take one ignoring the reference bit, inactive list first
  const force = empty(head(l, INACTIVE)) ? head(l, ACTIVE) : head(l, INACTIVE);
  const map = load<u32>(lru + L_MAP);
  let n = prev(force);
  while (n != force) {
    const p = prev(n);
    if (delFromHtab(map, n)) {
      moveToFree(l, n, freeList, freeType);
      return 1;
    }
    n = p;
  }
  return 0;
}

function localFlush(l: u32, loc: u32): void {
  const pending = loc + 8;
  let n = prev(pending);
  while (n != pending) {
    const p = prev(n);
    moveIn(l, n, isRef(n) ? ACTIVE : INACTIVE);
    n = p;
  }
}

function popFreeToLocal(lru: u32, loc: u32): void {
  const l = lru + L_COMMON;
  const target = load<u32>(lru + L_TARGET);
  localFlush(l, loc);
  rotate(lru, l);
  let nfree: u32 = 0;
  const freeHead = head(l, FREE);
  let n = next(freeHead);
  while (n != freeHead) {
    const f = next(n);
    moveToFree(l, n, loc, LOCAL_FREE);
    if (++nfree == target) break;
    n = f;
  }
  if (nfree < target) shrink(lru, l, target - nfree, loc, LOCAL_FREE);
}

function addPending(loc: u32, cpu: u32, n: u32, hash: u32): void {
  store<u32>(n - E_LRU + E_HASH, hash);
  setCpu(n, cpu);
  setType(n, LOCAL_PENDING);
  clearRef(n);
  add(n, loc + 8);
}

function localPopFree(loc: u32): u32 {
  const n = next(loc);
  if (n == loc) return 0;
  del(n);
  return n;
}

function localPopPending(lru: u32, loc: u32): u32 {
  const pending = loc + 8;
  const map = load<u32>(lru + L_MAP);
  for (let force = 0; force < 2; force++) {
    for (let n = prev(pending); n != pending; n = prev(n)) {
      if ((!isRef(n) || force == 1) && delFromHtab(map, n)) {
        del(n);
        return n;
      }
    }
  }
  return 0;
}

function commonPopFree(lru: u32, hash: u32, cpu: u32): u32 {
  const locals = load<u32>(lru + L_LOCAL);
  const ncpus = load<u32>(lru + L_NCPU);
  const loc = locals + cpu * LOCAL_SIZE;
  let n = localPopFree(loc);
  if (n == 0) {
    popFreeToLocal(lru, loc);
    n = localPopFree(loc);
  }
  if (n != 0) {
    addPending(loc, cpu, n, hash);
    return n;
  }
  // steal from the local lists of every CPU, round robin from next_steal
  const first = load<u32>(loc + 16);
  let steal = first;
  do {
    const sl = locals + steal * LOCAL_SIZE;
    n = localPopFree(sl);
    if (n == 0) n = localPopPending(lru, sl);
    steal = steal + 1 >= ncpus ? 0 : steal + 1;
  } while (n == 0 && steal != first);
  store<u32>(loc + 16, steal);
  if (n != 0) addPending(loc, cpu, n, hash);
  return n;
}

function percpuPopFree(lru: u32, hash: u32, cpu: u32): u32 {
  const l = load<u32>(lru + L_PLISTS) + cpu * LIST_SIZE;
  rotate(lru, l);
  const freeHead = head(l, FREE);
  if (empty(freeHead)) shrink(lru, l, PERCPU_FREE_TARGET, freeHead, FREE);
  if (empty(freeHead)) return 0;
  const n = next(freeHead);
  store<u32>(n - E_LRU + E_HASH, hash);
  clearRef(n);
  nodeMove(l, n, INACTIVE);
  return n;
}

/** A free element for `hash` (evicting if needed), or 0: bpf_lru_pop_free. */
export function lruPopFree(lru: u32, hash: u32, cpu: u32): u32 {
  const n = load<u32>(lru + L_PERCPU) != 0 ? percpuPopFree(lru, hash, cpu) : commonPopFree(lru, hash, cpu);
  return n == 0 ? 0 : n - E_LRU;
}

/** Give an element back: bpf_lru_push_free. */
export function lruPushFree(lru: u32, elem: u32): void {
  const n = elem + E_LRU;
  const t = ntype(n);
  if (t == FREE || t == LOCAL_FREE) return;
  if (load<u32>(lru + L_PERCPU) != 0) {
    nodeMove(load<u32>(lru + L_PLISTS) + ncpu(n) * LIST_SIZE, n, FREE);
    return;
  }
  if (t == LOCAL_PENDING) {
    setType(n, LOCAL_FREE);
    clearRef(n);
    move(n, load<u32>(lru + L_LOCAL) + ncpu(n) * LOCAL_SIZE);
    return;
  }
  nodeMove(lru + L_COMMON, n, FREE);
}

@inline export function lruSetRef(elem: u32): void {
  if (load<u8>(elem + E_REF) == 0) store<u8>(elem + E_REF, 1);
}

/** Create the LRU of a map whose `n` elements start at `elems`, `elemSize` apart; 0 on ENOMEM. */
export function lruCreate(map: u32, elems: u32, n: u32, elemSize: u32, ncpus: u32, percpu: bool): u32 {
  const lru = mapAlloc(map, L_COMMON + LIST_SIZE);
  if (lru == 0) return 0;
  store<u32>(lru + L_PERCPU, percpu ? 1 : 0);
  store<u32>(lru + L_NCPU, ncpus);
  store<u32>(lru + L_MAP, map);
  if (percpu) {
    store<u32>(lru + L_NSCANS, PERCPU_FREE_TARGET);
    const lists = mapAlloc(map, ncpus * LIST_SIZE);
    if (lists == 0) return 0;
    store<u32>(lru + L_PLISTS, lists);
    for (let c: u32 = 0; c < ncpus; c++) initList(lists + c * LIST_SIZE);
    // the same number of elements on each CPU's free list
    const per = n / ncpus;
    let i: u32 = 0;
    for (let c: u32 = 0; c < ncpus && i < n; c++) {
      const l = lists + c * LIST_SIZE;
      do {
        const node = elems + i * elemSize + E_LRU;
        setCpu(node, c);
        setType(node, FREE);
        clearRef(node);
        add(node, head(l, FREE));
        i++;
      } while (i < n && i % per != 0);
    }
    return lru;
  }
  store<u32>(lru + L_NSCANS, LOCAL_FREE_TARGET);
  const locals = mapAlloc(map, ncpus * LOCAL_SIZE);
  if (locals == 0) return 0;
  store<u32>(lru + L_LOCAL, locals);
  for (let c: u32 = 0; c < ncpus; c++) {
    const loc = locals + c * LOCAL_SIZE;
    init(loc);
    init(loc + 8);
    store<u32>(loc + 16, c);
  }
  const l = lru + L_COMMON;
  initList(l);
  for (let i: u32 = 0; i < n; i++) {
    const node = elems + i * elemSize + E_LRU;
    setType(node, FREE);
    clearRef(node);
    add(node, head(l, FREE));
  }
  let target = n / ncpus / 2;
  if (target < 1) target = 1;
  if (target > LOCAL_FREE_TARGET) target = LOCAL_FREE_TARGET;
  store<u32>(lru + L_TARGET, target);
  return lru;
}
