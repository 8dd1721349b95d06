import { fileURLToPath } from "node:url";
import type { BpfMap } from "../../src/runtime/maps.js";

export const FIXTURES = fileURLToPath(new URL("../fixtures/kernel/", import.meta.url));

const u32 = (i: number): Uint8Array => {
  const k = new Uint8Array(4);
  new DataView(k.buffer).setUint32(0, i, true);
  return k;
};
const u64 = (v: bigint): Uint8Array => {
  const k = new Uint8Array(8);
  new DataView(k.buffer).setBigUint64(0, v, true);
  return k;
};

/** Element i of a u32 -> u64 array map. */
export function slot(map: BpfMap, i: number): bigint {
  const v = map.lookup(u32(i));
  return v === null ? 0n : new DataView(v.buffer, v.byteOffset).getBigUint64(0, true);
}
export function setSlot(map: BpfMap, i: number, v: bigint): void {
  map.update(u32(i), u64(BigInt.asUintN(64, v)));
}
/** A u64 -> u64 hash map's value, or null. */
export function hashGet(map: BpfMap, key: bigint): bigint | null {
  const v = map.lookup(u64(key));
  return v === null ? null : new DataView(v.buffer, v.byteOffset).getBigUint64(0, true);
}
/** The seq log: ids of programs in the order they ran. */
export function runLog(seq: BpfMap): number[] {
  const n = Number(slot(seq, 0));
  return Array.from({ length: n }, (_, i) => Number(slot(seq, i + 1)));
}
export function clearLog(seq: BpfMap): void {
  for (let i = 0; i < 64; i++) setSlot(seq, i, 0n);
}
