/** Seeded randomness and small statistics, so that every run of a scenario is the same run. */

/** mulberry32: a small, fast, seeded PRNG returning [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: () => number, items: readonly T[]): T => {
  if (items.length === 0) throw new Error("pick from an empty list");
  return items[Math.floor(random() * items.length)] as T;
};

/** Exponential gap (ms) of a Poisson process with `perSecond` arrivals per second. */
export const poissonGapMs = (random: () => number, perSecond: number): number =>
  (-Math.log(1 - random()) / perSecond) * 1000;

/** A Zipf(s) sampler over ranks 0..n-1 (rank 0 the most popular). */
export class Zipf {
  private readonly cumulative: Float64Array;
  constructor(
    readonly n: number,
    readonly s = 1,
  ) {
    this.cumulative = new Float64Array(n);
    let total = 0;
    for (let rank = 0; rank < n; rank++) {
      total += 1 / (rank + 1) ** s;
      this.cumulative[rank] = total;
    }
    for (let rank = 0; rank < n; rank++) this.cumulative[rank] = (this.cumulative[rank] as number) / total;
  }
  sample(random: () => number): number {
    const u = random();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Nearest-rank percentile; Infinity stays Infinity. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export const round = (value: number, digits = 3): number =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value;

/** A finite number rounded, or null (JSON has no Infinity). */
export const finiteOrNull = (value: number, digits = 3): number | null =>
  Number.isFinite(value) ? round(value, digits) : null;
