// The AssemblyScript mirror of src/engine/rng.ts (xoshiro128** seeded through splitmix32), for
// kernels that draw random numbers inside WASM. Same seed, same stream as the TypeScript Rng.
let s0: u32 = 0;
let s1: u32 = 0;
let s2: u32 = 0;
let s3: u32 = 0;
let sm: u32 = 0;

function splitmix32(): u32 {
  sm += 0x9e3779b9;
  let z = sm;
  z = (z ^ (z >>> 16)) * 0x85ebca6b;
  z = (z ^ (z >>> 13)) * 0xc2b2ae35;
  return z ^ (z >>> 16);
}

/** Seed the module's generator (as `new Rng(seed)`). */
export function rngSeed(seed: u32): void {
  sm = seed;
  s0 = splitmix32();
  s1 = splitmix32();
  s2 = splitmix32();
  s3 = splitmix32();
}

/** Next unsigned 32-bit integer (as `Rng.nextU32`). */
export function rngNextU32(): u32 {
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<u32>(s3, 11);
  return result;
}

/** Uniform double in [0, 1) with 53 random bits (as `Rng.nextFloat`). */
export function rngNextFloat(): f64 {
  const hi = rngNextU32() >>> 5;
  const lo = rngNextU32() >>> 6;
  return (<f64>hi * 67108864.0 + <f64>lo) / 9007199254740992.0;
}

/** Fill len f64 values at ptr with rngNextFloat(). */
export function rngFillFloat(ptr: usize, len: i32): void {
  for (let i = 0; i < len; i++) store<f64>(ptr + ((<usize>i) << 3), rngNextFloat());
}

/** Uniform integer in [0, n) without modulo bias (as `Rng.nextInt`: same rejections, same draws). */
export function rngNextInt(n: u32): u32 {
  if (n <= 1) return 0;
  const limit: u64 = 0x100000000 - (0x100000000 % <u64>n);
  let r = rngNextU32();
  while (<u64>r >= limit) r = rngNextU32();
  return r % n;
}
