// Structure-aware mutations of eBPF bytecode (arrays of { code, dst, src, off, imm }): opcode
// class/op/source bits, registers, jump and memory offsets, immediates, and inserted, deleted
// or duplicated instructions. Each input is reproducible from (seed, index) through inputSeed.
import { prng, inputSeed } from "./prng.mjs";

const IMMS = [0, 1, -1, 2, 7, 8, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x7fffffff, -0x80000000, 0xffff, -8, -512];
const OFFS = [0, 1, -1, 2, -2, 4, 8, -8, 16, -16, 0x7fff, -0x8000, -512];

function mutateOnce(insns, r) {
  if (insns.length === 0) return "empty";
  const i = r.int(insns.length);
  const x = insns[i];
  switch (r.int(9)) {
    case 0: x.code = r.int(256); return `code@${i}`;
    case 1: x.code = (x.code & 0x0f) | (r.int(16) << 4); return `op@${i}`; // same class, another op
    case 2: x.code ^= 0x08; return `src-bit@${i}`; // K <-> X
    case 3: x.dst = r.int(12); return `dst@${i}`;
    case 4: x.src = r.int(12); return `src@${i}`;
    case 5: x.off = r.int(2) === 0 ? r.pick(OFFS) : x.off + r.int(5) - 2; return `off@${i}`;
    case 6: x.imm = r.int(2) === 0 ? r.pick(IMMS) : (x.imm + r.int(5) - 2) | 0; return `imm@${i}`;
    case 7: insns.splice(i, 1); return `delete@${i}`;
    default: insns.splice(i, 0, { ...insns[r.int(insns.length)] }); return `dup@${i}`;
  }
}

/**
 * Input `index` of a bytecode campaign seeded with `seed`: one of `seeds` (instruction arrays)
 * with one to three mutations. Returns the instructions, the seed's position and the mutations.
 */
export function bytecodeCampaignInput(seeds, seed, index) {
  const r = prng(inputSeed(seed, index));
  const from = r.int(seeds.length);
  const insns = seeds[from].map((x) => ({ ...x }));
  const mutations = [];
  for (let n = 1 + r.int(3); n > 0; n--) mutations.push(mutateOnce(insns, r));
  return { insns, from, mutations };
}
