// skmeans 0.11 ships no type declarations; this is the part of its API the benchmark calls.
declare module "skmeans" {
  interface SkmeansResult {
    it: number;
    k: number;
    idxs: number[];
    centroids: number[][];
  }
  /** `initial`: the k starting centroids, "kmrand" (random rows) or "kmpp" (k-means++); unseeded. */
  function skmeans(data: number[][], k: number, initial?: number[][] | "kmrand" | "kmpp", maxIterations?: number): SkmeansResult;
  export default skmeans;
}
