// Typed convenience over BpfMap: keys and values through codecs (u32, u64, bytes…), absence
// as undefined, per-CPU values as arrays. The BpfMap underneath keeps the kernel's errnos.
import { BpfError, EbpfError } from "../errors.js";
import type { BpfMap } from "./maps.js";

/** Converts a JS value to the map's bytes and back. */
export interface Codec<T> {
  readonly size: number;
  encode(v: T): Uint8Array;
  decode(b: Uint8Array): T;
}

const int = (size: 1 | 2 | 4, signed: boolean): Codec<number> => ({
  size,
  encode(v) {
    const b = new Uint8Array(size);
    const d = new DataView(b.buffer);
    if (size === 1) d.setUint8(0, v & 0xff);
    else if (size === 2) d.setUint16(0, v & 0xffff, true);
    else if (signed) d.setInt32(0, v, true);
    else d.setUint32(0, v >>> 0, true);
    return b;
  },
  decode(b) {
    const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (size === 1) return signed ? d.getInt8(0) : d.getUint8(0);
    if (size === 2) return signed ? d.getInt16(0, true) : d.getUint16(0, true);
    return signed ? d.getInt32(0, true) : d.getUint32(0, true);
  },
});

const int64 = (signed: boolean): Codec<bigint> => ({
  size: 8,
  encode(v) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    return b;
  },
  decode(b) {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true);
    return signed ? BigInt.asIntN(64, v) : v;
  },
});

/** Little-endian integers (as on x86-64) and raw bytes. */
export const codecs = {
  u8: int(1, false),
  u16: int(2, false),
  u32: int(4, false),
  i32: int(4, true),
  u64: int64(false),
  i64: int64(true),
  bytes(size: number): Codec<Uint8Array> {
    return {
      size,
      encode: (v) => {
        if (v.length !== size) throw new EbpfError("EINVAL", `${v.length} bytes where ${size} are expected`);
        return v;
      },
      decode: (b) => b,
    };
  },
} as const;

export class TypedMap<K, V> {
  constructor(
    readonly map: BpfMap,
    private readonly key: Codec<K>,
    private readonly value: Codec<V>,
  ) {
    if (key.size !== map.keySize) throw new EbpfError("EINVAL", `key codec of ${key.size} bytes for a map with key_size ${map.keySize}`);
    if (value.size !== map.valueSize) throw new EbpfError("EINVAL", `value codec of ${value.size} bytes for a map with value_size ${map.valueSize}`);
  }

  get(k: K): V | undefined {
    this.notPercpu();
    const v = this.map.lookup(this.key.encode(k));
    return v === null ? undefined : this.value.decode(v);
  }

  set(k: K, v: V, flags = 0): void {
    this.notPercpu();
    this.map.update(this.key.encode(k), this.value.encode(v), flags);
  }

  /** Per-CPU maps: one value per possible CPU. */
  getPerCpu(k: K): V[] | undefined {
    const v = this.map.lookup(this.key.encode(k));
    if (v === null) return undefined;
    const step = Math.ceil(this.map.valueSize / 8) * 8;
    return Array.from({ length: this.map.machine.ncpus }, (_, c) => this.value.decode(v.subarray(c * step, c * step + this.map.valueSize)));
  }

  setPerCpu(k: K, values: readonly V[], flags = 0): void {
    const step = Math.ceil(this.map.valueSize / 8) * 8;
    if (values.length !== this.map.machine.ncpus) throw new EbpfError("EINVAL", `${values.length} values for ${this.map.machine.ncpus} CPUs`);
    const b = new Uint8Array(step * values.length);
    values.forEach((x, c) => b.set(this.value.encode(x), c * step));
    this.map.update(this.key.encode(k), b, flags);
  }

  /** Delete `k`; false when it was not there (the kernel's ENOENT). */
  delete(k: K): boolean {
    try {
      this.map.delete(this.key.encode(k));
      return true;
    } catch (e) {
      if (e instanceof BpfError && e.code === "ENOENT") return false;
      throw e;
    }
  }

  has(k: K): boolean {
    return this.map.lookup(this.key.encode(k)) !== null;
  }

  *keys(): IterableIterator<K> {
    for (const k of this.map.keys()) yield this.key.decode(k);
  }

  *entries(): IterableIterator<[K, V]> {
    this.notPercpu();
    for (const [k, v] of this.map.entries()) yield [this.key.decode(k), this.value.decode(v)];
  }

  private notPercpu(): void {
    if (this.map.percpu) throw new EbpfError("EINVAL", "a per-CPU map has one value per CPU: use getPerCpu/setPerCpu");
  }
}
