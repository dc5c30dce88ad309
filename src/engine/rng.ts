/**
 * The one seeded PRNG of custseg: xoshiro128** (Blackman & Vigna), seeded through splitmix32.
 * 32-bit integer arithmetic only, so it gives the same stream in Node, in a browser and in the
 * AssemblyScript mirror (assembly/rng.ts). Doubles take 53 random bits from two draws.
 *
 * Sub-streams: `Rng.derive(seed, i)` gives the i-th independent stream of a seed (the i-th k-means
 * init, the i-th isolation tree), so parallel work does not depend on the order it runs in.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      // splitmix32
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** The i-th sub-stream of `seed`: a new generator whose seed mixes both. */
  static derive(seed: number, i: number): Rng {
    return new Rng(deriveSeed(seed, i));
  }

  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), n ≤ 2^32, without modulo bias (rejection sampling). */
  nextInt(n: number): number {
    if (n <= 1) return 0;
    const limit = 4294967296 - (4294967296 % n);
    let r = this.nextU32();
    while (r >= limit) r = this.nextU32();
    return r % n;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The seed of `Rng.derive(seed, i)`: for a WASM kernel that seeds its own generator (rngSeed) with it. */
export function deriveSeed(seed: number, i: number): number {
  return mix32((seed >>> 0) ^ mix32(i + 0x632be5ab));
}

/** murmur3's 32-bit finaliser: a bijective mix, used to derive sub-seeds. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
