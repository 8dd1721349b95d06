// The user-space side of maps, shaped like libbpf / cilium-ebpf: a BpfMap per map with the
// bpf() commands on Uint8Array keys and values. The syscall's own checks (permissions of
// the map's file mode, a frozen map, BPF_F_LOCK without a lock, key pointers, fd
// translation for map-in-map and program arrays) are here, in the kernel's order; the map
// operations themselves run in the AssemblyScript runtime (assembly/maps).
import { BpfError, type Errno, EbpfError } from "../errors.js";
import type { Machine } from "./machine.js";
import {
  LOCAL_STORAGE_CAPACITY, MAP_FLAGS, MAP_TYPES, UPDATE_FLAGS, checkCreate, isFdArray, isHashType, isLocalStorage, isMapInMap, isPercpuType,
  isQueueStack, mapTypeName, mapTypeNumber, type MapTypeName,
} from "./map-types.js";
import { createRingbufMap, perfEventExists } from "./output.js";

export interface MapSpec {
  /** a type name ("hash", "lru_percpu_hash"…) or enum bpf_map_type number */
  readonly type: MapTypeName | number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** BPF_F_* (MAP_FLAGS) */
  readonly flags?: number;
  /** template for the inner maps of ARRAY_OF_MAPS / HASH_OF_MAPS (the kernel's inner_map_fd) */
  readonly innerMap?: BpfMap;
  /** bloom filter: the low 4 bits are the number of hash functions */
  readonly mapExtra?: bigint | number;
  readonly name?: string;
}

/** One lookupBatch step: the entries found, the token to continue from, and whether the map is exhausted. */
export interface BatchResult {
  readonly keys: Uint8Array[];
  readonly values: Uint8Array[];
  /** out_batch: a bucket index (u32) for hash maps, the last key for arrays; null when nothing was returned from an array */
  readonly next: Uint8Array | null;
  /** the kernel returned ENOENT: there is nothing after these entries */
  readonly done: boolean;
}

// assembly/maps/common.ts header fields the host reads
const H_NBUCKETS = 36;
const H_ELEMS = 48; // the array values / queue slots
const F_LOCK = UPDATE_FLAGS.F_LOCK;
const round8 = (x: number): number => Math.ceil(x / 8) * 8;
const ENOENT = 2;

export class BpfMap {
  readonly machine: Machine;
  /** guest address of the map's header (what a map reference in a program loads) */
  readonly ptr: number;
  readonly id: number;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  /** as the kernel reports it (rounded to a multiple of the CPUs for BPF_F_NO_COMMON_LRU) */
  readonly maxEntries: number;
  readonly flags: number;
  readonly mapExtra: bigint;
  readonly name: string;
  /** the inner map template of a map-in-map */
  readonly inner: BpfMap | null;
  private frozenFlag = false;
  /** references: the user's handle until close(), programs using the map, outer maps holding it */
  private refs = 1;
  private closedFlag = false;
  /** what this map's entries hold: programs (PROG_ARRAY slot → id), inner maps (map-in-map key → map) */
  private readonly heldProgs = new Map<number, number>();
  private readonly heldMaps = new Map<string, BpfMap>();

  private constructor(machine: Machine, ptr: number, id: number, spec: MapSpec, type: number, maxEntries: number, inner: BpfMap | null) {
    this.machine = machine;
    this.ptr = ptr;
    this.id = id;
    this.type = type;
    this.keySize = spec.keySize;
    this.valueSize = spec.valueSize;
    this.maxEntries = maxEntries;
    this.flags = spec.flags ?? 0;
    this.mapExtra = BigInt(spec.mapExtra ?? 0);
    this.name = spec.name ?? "";
    this.inner = inner;
  }

  /** @internal use Machine.createMap */
  static create(machine: Machine, spec: MapSpec, id: number): BpfMap {
    const type = mapTypeNumber(spec.type);
    const u32 = (x: number, what: string): number => {
      // bpf_attr fields are u32: libbpf and the kernel can only see EINVAL for anything else
      if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new BpfError("EINVAL", "create", `${what} ${x} is not a u32`);
      return x;
    };
    const attrs = {
      type,
      keySize: u32(spec.keySize, "keySize"),
      valueSize: u32(spec.valueSize, "valueSize"),
      maxEntries: u32(spec.maxEntries, "maxEntries"),
      flags: u32(spec.flags ?? 0, "flags"),
      mapExtra: BigInt.asUintN(64, BigInt(spec.mapExtra ?? 0)),
    };
    const maxEntries = checkCreate(attrs, machine.ncpus);
    let inner: BpfMap | null = null;
    if (isMapInMap(type)) {
      // bpf_map_meta_alloc: the template must be a live map, itself not a map-in-map
      if (spec.innerMap === undefined || spec.innerMap.machine !== machine) throw new BpfError("EBADF", "create", "a map-in-map needs an inner map of the same machine");
      if (spec.innerMap.inner !== null) throw new BpfError("EINVAL", "create", "an inner map cannot itself hold maps");
      inner = spec.innerMap;
    }
    const zeroSeed = (attrs.flags & MAP_FLAGS.ZERO_SEED) !== 0;
    const seed = zeroSeed ? 0 : machine.randomU32();
    const ptr =
      type === MAP_TYPES.ringbuf
        ? createRingbufMap(machine, maxEntries, attrs.flags, id)
        : isLocalStorage(type)
          ? // a no-prealloc hash map keyed by the owner's (u32 guest) address
            machine.rt.exports.wabpf_map_create(MAP_TYPES.hash, 4, attrs.valueSize, LOCAL_STORAGE_CAPACITY, MAP_FLAGS.NO_PREALLOC, machine.ncpus, 0, id, seed) >>> 0
          : machine.rt.exports.wabpf_map_create(type, attrs.keySize, attrs.valueSize, maxEntries, attrs.flags, machine.ncpus, Number(attrs.mapExtra & 0xfn), id, seed) >>> 0;
    if (ptr === 0) throw new BpfError("ENOMEM", "create", "the runtime heap cannot hold this map");
    return new BpfMap(machine, ptr, id, spec, type, maxEntries, inner);
  }

  get typeName(): string {
    return mapTypeName(this.type);
  }

  // ---------------------------------------------------------------- lifetime
  /**
   * close(map_fd): the handle is gone (every later call is EBADF). The map itself lives while
   * a loaded program, an outer map or a ring buffer consumer still holds it, and is freed with
   * its last reference, as bpf_map_put frees it. A PROG_ARRAY drops its programs when its last
   * user handle closes (the kernel's prog_array_map_clear), which breaks tail-call cycles.
   */
  close(): void {
    if (this.closedFlag) this.fail("EBADF", "close", "already closed");
    this.closedFlag = true;
    if (this.type === MAP_TYPES.prog_array) this.dropProgs();
    this.release();
  }

  /** close() was called: the user's handle is gone. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** The map's storage has been freed (no references were left). */
  get freed(): boolean {
    return this.refs === 0;
  }

  /** @internal take a reference (a program using the map, an outer map, a consumer); EBADF once freed */
  hold(): void {
    if (this.refs === 0) this.fail("EBADF", "hold", "the map has been freed");
    this.refs++;
  }

  /** @internal drop a reference taken with hold(); the last one frees the map */
  release(): void {
    if (this.refs === 0) return;
    if (--this.refs > 0) return;
    this.dropProgs();
    for (const m of this.heldMaps.values()) m.release();
    this.heldMaps.clear();
    this.machine.freeMap(this);
  }

  private dropProgs(): void {
    for (const id of this.heldProgs.values()) this.machine.releaseProgram(id);
    this.heldProgs.clear();
  }

  /** User space changed entry `key` of a PROG_ARRAY or map-in-map to `target` (null: deleted): move the references. */
  private entryChanged(key: Uint8Array, target: number | null): void {
    if (this.type === MAP_TYPES.prog_array) {
      const slot = new DataView(key.buffer, key.byteOffset).getUint32(0, true);
      if (target !== null) this.machine.holdProgram(target);
      const old = this.heldProgs.get(slot);
      if (target !== null) this.heldProgs.set(slot, target);
      else this.heldProgs.delete(slot);
      if (old !== undefined) this.machine.releaseProgram(old);
    } else if (isMapInMap(this.type)) {
      const k = Array.from(key, (b) => b.toString(16).padStart(2, "0")).join("");
      const next = target === null ? undefined : this.machine.mapAt(target);
      next?.hold();
      const old = this.heldMaps.get(k);
      if (next !== undefined) this.heldMaps.set(k, next);
      else this.heldMaps.delete(k);
      old?.release();
    }
  }

  get frozen(): boolean {
    return this.frozenFlag;
  }

  get percpu(): boolean {
    return isPercpuType(this.type);
  }

  /** Bytes of a value as user space sees it: one 8-byte-rounded value per possible CPU for per-CPU maps. */
  get userValueSize(): number {
    return this.percpu ? round8(this.valueSize) * this.machine.ncpus : this.valueSize;
  }

  /** Address of a single-entry array's value (what ld_imm64 src 2/6 loads; global data). */
  directValueAddress(): number {
    return this.machine.mem.view.getUint32(this.ptr + H_ELEMS, true);
  }

  // ---------------------------------------------------------------- the bpf() commands
  /** BPF_MAP_LOOKUP_ELEM: the value, or null when there is none (ENOENT). Bloom filters: `has`. */
  lookup(key: Uint8Array | null, flags = 0): Uint8Array | null {
    if ((flags & ~F_LOCK) !== 0) this.fail("EINVAL", "lookup", "unknown flags");
    this.needRead("lookup");
    if ((flags & F_LOCK) !== 0) this.fail("EINVAL", "lookup", "BPF_F_LOCK on a map without bpf_spin_lock");
    return this.sys("lookup", key, null, (k, v, out) => this.machine.rt.exports.wabpf_map_sys_lookup(this.ptr, k, out), true);
  }

  /** Bloom filter membership (BPF_MAP_LOOKUP_ELEM with the value): false is a definite no. */
  has(value: Uint8Array): boolean {
    if (this.type !== MAP_TYPES.bloom_filter) throw new EbpfError("EINVAL", "has() is for bloom filters; use lookup()");
    this.needRead("lookup");
    return this.sys("lookup", null, value, (k, v) => this.machine.rt.exports.wabpf_map_sys_lookup(this.ptr, k, v), false) !== null;
  }

  /** BPF_MAP_UPDATE_ELEM with BPF_ANY / BPF_NOEXIST / BPF_EXIST (UPDATE_FLAGS). Queue/stack/bloom: push. */
  update(key: Uint8Array | null, value: Uint8Array, flags = 0): void {
    this.needWrite("update");
    if ((flags & F_LOCK) !== 0) this.fail("EINVAL", "update", "BPF_F_LOCK on a map without bpf_spin_lock");
    const ex = this.machine.rt.exports;
    if (isFdArray(this.type) || this.type === MAP_TYPES.hash_of_maps) {
      this.checkKey("update", key);
      if (value.length < 4) throw new EbpfError("EINVAL", "the value of an fd map is a 4-byte id");
      const fdArray = isFdArray(this.type);
      if (fdArray) {
        if (flags !== 0) this.fail("EINVAL", "update", "fd arrays take BPF_ANY only");
        if (new DataView(key!.buffer, key!.byteOffset).getUint32(0, true) >= this.maxEntries) this.fail("E2BIG", "update", "index out of range");
      }
      const target = this.resolveFd(new DataView(value.buffer, value.byteOffset).getUint32(0, true));
      const v = new Uint8Array(4);
      new DataView(v.buffer).setUint32(0, target, true);
      this.sys("update", key, v, (k, vp) => ex.wabpf_map_sys_update(this.ptr, k, vp, BigInt(flags)), false, true);
      this.entryChanged(key ?? new Uint8Array(0), target);
      return;
    }
    // libbpf's bpf_map__update_elem: a buffer of the wrong size is EINVAL
    if (value.length !== this.userValueSize) this.fail("EINVAL", "update", `value of ${value.length} bytes; this map takes ${this.userValueSize}`);
    this.sys("update", key, value, (k, vp) => ex.wabpf_map_sys_update(this.ptr, k, vp, BigInt.asUintN(64, BigInt(flags))), false, true);
  }

  /** BPF_MAP_DELETE_ELEM (ENOENT when absent; EINVAL for arrays, as in the kernel). */
  delete(key: Uint8Array | null): void {
    this.needWrite("delete");
    this.sys("delete", key, null, (k) => this.machine.rt.exports.wabpf_map_delete(this.ptr, k), false, true);
    if (key !== null && (this.type === MAP_TYPES.prog_array || isMapInMap(this.type))) this.entryChanged(key, null);
  }

  /** BPF_MAP_GET_NEXT_KEY: the key after `key` (the first one for null or a missing key); null at the end. */
  nextKey(key: Uint8Array | null): Uint8Array | null {
    this.needRead("next_key");
    // local storage cannot be walked from user space
    if (isLocalStorage(this.type)) this.fail("ENOTSUPP", "next_key", "not supported for this map type");
    // a null key is allowed here: it asks for the first key
    return this.sys("next_key", key, null, (k, _v, out) => this.machine.rt.exports.wabpf_map_sys_next(this.ptr, k, out), true, false, true);
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM: hash maps and queue/stack (pop); null when absent or empty. */
  lookupAndDelete(key: Uint8Array | null, flags = 0): Uint8Array | null {
    this.live("lookup_and_delete");
    if ((flags & ~F_LOCK) !== 0) this.fail("EINVAL", "lookup_and_delete", "unknown flags");
    if (this.readOnly || this.writeOnly || this.frozenFlag) this.fail("EPERM", "lookup_and_delete", "the map is not readable and writable from user space");
    if (flags !== 0 && isQueueStack(this.type)) this.fail("EINVAL", "lookup_and_delete", "flags on a queue/stack");
    if ((flags & F_LOCK) !== 0) this.fail("EINVAL", "lookup_and_delete", "BPF_F_LOCK on a map without bpf_spin_lock");
    const supported = isQueueStack(this.type) || (isHashType(this.type) && this.type !== MAP_TYPES.hash_of_maps);
    return this.sys(
      "lookup_and_delete",
      key,
      null,
      (k, _v, out) => (supported ? this.machine.rt.exports.wabpf_map_sys_lookup_and_delete(this.ptr, k, out) : -524),
      true,
    );
  }

  /** Queue/stack push (BPF_EXIST overwrites the oldest when full); bloom filter add. */
  push(value: Uint8Array, flags = 0): void {
    this.update(null, value, flags);
  }
  pop(): Uint8Array | null {
    return this.lookupAndDelete(null);
  }
  peek(): Uint8Array | null {
    return this.lookup(null);
  }

  /** BPF_MAP_FREEZE: user space may no longer write (programs still may, unless BPF_F_RDONLY_PROG). */
  freeze(): void {
    this.live("freeze");
    if (this.readOnly || this.frozenFlag) this.fail("EPERM", "freeze", "the map is not writable from user space");
    this.frozenFlag = true;
  }

  /** Every key in get_next_key order. */
  *keys(): IterableIterator<Uint8Array> {
    let k = this.nextKey(null);
    for (let n = 0; k !== null && n <= this.maxEntries; n++) {
      yield k;
      k = this.nextKey(k);
    }
  }

  /** Every (key, value) pair in get_next_key order (a key deleted meanwhile is skipped). */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const k of this.keys()) {
      const v = this.lookup(k);
      if (v !== null) yield [k, v];
    }
  }

  /**
   * BPF_MAP_LOOKUP_BATCH: up to `count` entries from the `from` token (null: the start).
   * Hash maps go bucket by bucket as the kernel does (whole buckets only: ENOSPC when the
   * first non-empty bucket does not fit; the token is a bucket index); arrays walk
   * get_next_key (the token is the last key). `done` is the kernel's ENOENT: nothing after.
   */
  lookupBatch(count: number, from: Uint8Array | null = null, elemFlags = 0): BatchResult {
    return this.lookupBatchOp(false, count, from, elemFlags);
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_BATCH (hash maps): as lookupBatch, deleting what it returns. */
  lookupAndDeleteBatch(count: number, from: Uint8Array | null = null, elemFlags = 0): BatchResult {
    return this.lookupBatchOp(true, count, from, elemFlags);
  }

  /** BPF_MAP_UPDATE_BATCH: BPF_ANY updates in order, stopping at the first failure (BatchError.done). */
  updateBatch(keys: readonly Uint8Array[], values: readonly Uint8Array[], elemFlags = 0): number {
    if (keys.length !== values.length) throw new EbpfError("EINVAL", "keys and values differ in length");
    this.needWrite("update_batch");
    const t = this.type;
    if (!isHashType(t) && t !== MAP_TYPES.array && t !== MAP_TYPES.percpu_array && t !== MAP_TYPES.array_of_maps) this.fail("ENOTSUPP", "update_batch", "no batch updates for this map type");
    // elem_flags may only be BPF_F_LOCK, which needs a bpf_spin_lock in the value
    if (elemFlags !== 0) this.fail("EINVAL", "update_batch", (elemFlags & F_LOCK) !== 0 ? "BPF_F_LOCK on a map without bpf_spin_lock" : "unknown elem_flags");
    return this.batch(keys.length, (i) => this.update(keys[i]!, values[i]!, 0));
  }

  /** BPF_MAP_DELETE_BATCH (hash maps): in order, stopping at the first failure (BatchError.done). */
  deleteBatch(keys: readonly Uint8Array[], elemFlags = 0): number {
    this.needWrite("delete_batch");
    if (!isHashType(this.type)) this.fail("ENOTSUPP", "delete_batch", "no batch deletes for this map type");
    if (elemFlags !== 0) this.fail("EINVAL", "delete_batch", "elem_flags must be 0");
    return this.batch(keys.length, (i) => this.delete(keys[i]!));
  }

  private batch(n: number, op: (i: number) => void): number {
    for (let i = 0; i < n; i++) {
      try {
        op(i);
      } catch (e) {
        if (e instanceof BpfError) throw new BatchError(e, i);
        throw e;
      }
    }
    return n;
  }

  private lookupBatchOp(del: boolean, count: number, from: Uint8Array | null, elemFlags: number): BatchResult {
    const op = del ? "lookup_and_delete_batch" : "lookup_batch";
    this.live(op);
    this.needRead(op);
    if (del) this.needWrite(op);
    const t = this.type;
    const htab = isHashType(t);
    if (!htab && (del || (t !== MAP_TYPES.array && t !== MAP_TYPES.percpu_array && t !== MAP_TYPES.array_of_maps))) this.fail("ENOTSUPP", op, "no batch lookups for this map type");
    if (elemFlags !== 0) this.fail("EINVAL", op, (elemFlags & F_LOCK) !== 0 ? "BPF_F_LOCK on a map without bpf_spin_lock" : "unknown elem_flags");
    const none: BatchResult = { keys: [], values: [], next: null, done: false };
    if (count === 0) return none;
    if (!htab) {
      // generic_map_lookup_batch: walk the keys; a slot with nothing in it is skipped
      const keys: Uint8Array[] = [];
      const values: Uint8Array[] = [];
      let prev = from;
      let done = false;
      while (keys.length < count) {
        const k = this.nextKey(prev);
        if (k === null) {
          done = true;
          break;
        }
        const v = this.lookup(k);
        if (v !== null) {
          keys.push(k);
          values.push(v);
        }
        prev = k;
      }
      return { keys, values, next: keys.length > 0 ? prev : null, done };
    }
    const m = this.machine;
    const view = (): DataView => m.mem.view;
    const batch = from === null ? 0 : new DataView(from.buffer, from.byteOffset, from.byteLength).getUint32(0, true);
    if (batch >= view().getUint32(this.ptr + H_NBUCKETS, true)) return { ...none, done: true };
    const vsz = this.type === MAP_TYPES.hash_of_maps ? 4 : this.userValueSize;
    const base = m.scratch(8 + round8(count * this.keySize) + count * vsz);
    const kp = base + 8;
    const vp = kp + round8(count * this.keySize);
    const ret = m.asUser(() => m.rt.exports.wabpf_map_sys_lookup_batch(this.ptr, batch, count, kp, vp, del ? 1 : 0, base));
    if (ret < 0 && ret !== -ENOENT) throw BpfError.fromErrno(-ret, op, `${this.typeName} map ${this.id}`);
    const total = view().getUint32(base, true);
    const keys = Array.from({ length: total }, (_, i) => m.mem.read(kp + i * this.keySize, this.keySize));
    const values = Array.from({ length: total }, (_, i) => {
      const v = m.mem.read(vp + i * vsz, vsz);
      if (this.type !== MAP_TYPES.hash_of_maps) return v;
      // user space reads the inner map's id
      const inner = m.mapAt(new DataView(v.buffer).getUint32(0, true));
      new DataView(v.buffer).setUint32(0, inner?.id ?? 0, true);
      return v;
    });
    return { keys, values, next: m.mem.read(base + 4, 4), done: ret === -ENOENT };
  }

  /** The map as the verifier describes maps (src/verifier MapDef): type name, sizes, flags. */
  mapDef(): { type: string; keySize: number; valueSize: number; maxEntries: number; flags: number; name: string } {
    return { type: this.typeName, keySize: this.keySize, valueSize: this.valueSize, maxEntries: this.maxEntries, flags: this.flags, name: this.name };
  }

  /** What bpftool map show / bpf_map_info report. */
  info(): { type: string; id: number; keySize: number; valueSize: number; maxEntries: number; flags: number; name: string; frozen: boolean } {
    return { type: this.typeName, id: this.id, keySize: this.keySize, valueSize: this.valueSize, maxEntries: this.maxEntries, flags: this.flags, name: this.name, frozen: this.frozenFlag };
  }

  // ---------------------------------------------------------------- plumbing
  private get readOnly(): boolean {
    return (this.flags & MAP_FLAGS.RDONLY) !== 0;
  }
  private get writeOnly(): boolean {
    return (this.flags & MAP_FLAGS.WRONLY) !== 0;
  }
  private needRead(op: string): void {
    this.live(op);
    if (this.writeOnly) this.fail("EPERM", op, "the map was created BPF_F_WRONLY");
  }
  private needWrite(op: string): void {
    this.live(op);
    if (this.readOnly) this.fail("EPERM", op, "the map was created BPF_F_RDONLY");
    if (this.frozenFlag) this.fail("EPERM", op, "the map is frozen");
  }
  /** A closed handle is EBADF for every command, as a closed fd is. */
  private live(op: string): void {
    if (this.closedFlag) this.fail("EBADF", op, "the map's handle is closed");
  }
  private fail(code: Errno, op: string, why: string): never {
    throw new BpfError(code, op, `${this.typeName} map ${this.id}: ${why}`);
  }

  /** __bpf_copy_key: a key of key_size bytes, or none for key_size 0 (a key there is EINVAL). */
  private checkKey(op: string, key: Uint8Array | null): void {
    if (this.keySize === 0) {
      if (key !== null && key.length > 0) this.fail("EINVAL", op, "this map has no keys");
      return;
    }
    if (key === null) this.fail("EFAULT", op, "a key is required");
    if (key.length !== this.keySize) this.fail("EINVAL", op, `key of ${key.length} bytes; this map takes ${this.keySize}`);
  }

  /**
   * The key local storage is kept under: the owner's guest address. Linux keys a task storage
   * map by a pidfd from user space; wabpf has no fds, so user space names the task by its pid
   * (a u32 key), and a pid without a task is EBADF, as an fd that is no pidfd.
   */
  private ownerKey(op: string, key: Uint8Array): Uint8Array {
    const pid = new DataView(key.buffer, key.byteOffset, key.byteLength).getInt32(0, true);
    const task = this.machine.taskByPid?.(pid) ?? 0;
    if (task === 0) this.fail("EBADF", op, `no task with pid ${pid}`);
    const k = new Uint8Array(4);
    new DataView(k.buffer).setUint32(0, task, true);
    return k;
  }

  /** The header address of the map (map-in-map) or the id (program array) an fd value names. */
  private resolveFd(id: number): number {
    if (this.type === MAP_TYPES.perf_event_array) {
      // perf_event_fd_array_get_ptr: the fd must be an open perf event (PerfBuffer opens them)
      if (!perfEventExists(this.machine, id)) this.fail("EBADF", "update", `no perf event with id ${id}`);
      return id;
    }
    if (this.type === MAP_TYPES.prog_array) {
      if (this.machine.programById(id) === undefined) this.fail("EBADF", "update", `no program with id ${id}`);
      return id;
    }
    const m = this.machine.mapById(id);
    if (m === undefined) return this.fail("EBADF", "update", `no map with id ${id}`);
    const t = this.inner!;
    // bpf_map_meta_equal, plus max_entries for arrays unless the template is BPF_F_INNER_MAP
    const arrayLike = t.type === MAP_TYPES.array || t.type === MAP_TYPES.percpu_array;
    const same = m.type === t.type && m.keySize === t.keySize && m.valueSize === t.valueSize && m.flags === t.flags &&
      (!arrayLike || (t.flags & MAP_FLAGS.INNER_MAP) !== 0 || m.maxEntries === t.maxEntries);
    if (!same) this.fail("EINVAL", "update", `map ${id} does not match the inner map template`);
    return m.ptr;
  }

  /**
   * Copy key and value into the runtime's scratch area, run `call(key, value, out)` on the
   * user CPU and turn its result into a value (`wantOut`: the out buffer, null for ENOENT
   * when `absentIsNull`), or a BpfError.
   */
  private sys(
    op: string,
    key: Uint8Array | null,
    value: Uint8Array | null,
    call: (k: number, v: number, out: number) => number,
    wantOut: boolean,
    throwAbsent = false,
    keyOut = false,
  ): Uint8Array | null {
    this.live(op);
    if (!(keyOut && key === null)) this.checkKey(op, key);
    // ring buffers have no elements; perf event arrays have no map_fd_sys_lookup_elem
    if (this.type === MAP_TYPES.ringbuf || (this.type === MAP_TYPES.perf_event_array && op === "lookup")) this.fail("ENOTSUPP", op, "not supported for this map type");
    const m = this.machine;
    const vsz = Math.max(this.userValueSize, 8);
    const kz = round8(Math.max(this.keySize, 8));
    const base = m.scratch(kz + 2 * round8(vsz));
    const kp = key === null || this.keySize === 0 ? 0 : base;
    const vp = base + kz;
    const out = vp + round8(vsz);
    if (kp !== 0) m.mem.write(kp, isLocalStorage(this.type) ? this.ownerKey(op, key!) : key!);
    if (value !== null) m.mem.write(vp, value);
    m.mem.bytes.fill(0, out, out + round8(vsz));
    const ret = m.asUser(() => call(kp, vp, out));
    if (ret === -ENOENT && !throwAbsent) return null;
    if (ret < 0) throw BpfError.fromErrno(-ret, op, `${this.typeName} map ${this.id}`);
    if (!wantOut) return new Uint8Array(0);
    if (keyOut) return m.mem.read(out, this.keySize);
    if (isMapInMap(this.type)) {
      // user space reads the inner map's id
      const inner = m.mapAt(m.mem.view.getUint32(out, true));
      const r = new Uint8Array(4);
      new DataView(r.buffer).setUint32(0, inner?.id ?? 0, true);
      return r;
    }
    if (this.type === MAP_TYPES.prog_array) return m.mem.read(out, 4);
    return m.mem.read(out, this.userValueSize);
  }
}

/** A batch operation stopped at entry `done` (the kernel's attr->batch.count). */
export class BatchError extends BpfError {
  readonly done: number;
  override readonly cause: BpfError;
  constructor(cause: BpfError, done: number) {
    super(cause.code, cause.op, `batch stopped after ${done} entries: ${cause.message}`);
    this.done = done;
    this.cause = cause;
  }
}

let defaultMachine: Promise<Machine> | null = null;

/**
 * Create a map on `machine`, or on a shared default machine (1 CPU) created on first use.
 * `machine.createMap(spec)` is the synchronous form.
 */
export async function createMap(spec: MapSpec, machine?: Machine): Promise<BpfMap> {
  if (machine !== undefined) return machine.createMap(spec);
  // imported lazily: machine.ts imports this module
  defaultMachine ??= import("./machine.js").then((m) => m.createMachine());
  return (await defaultMachine).createMap(spec);
}
