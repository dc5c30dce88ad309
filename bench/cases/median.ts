// The median the benchmarks report: of an even count, the upper of the two middle values.
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
