// A small seeded PRNG (mulberry32): every fuzz input is reproducible from (seed, index).
/** @param {number} seed */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** @param {number} n an integer in [0, n) */
    int: (n) => Math.floor(next() * n),
    /** @template T @param {readonly T[]} xs */
    pick: (xs) => xs[Math.floor(next() * xs.length)],
  };
}

/** The seed of input `index` of a campaign seeded with `seed`. */
export const inputSeed = (seed, index) => (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
