/**
 * Calibration (reliability) bins with expected calibration error, and plain histograms, for the Dataset
 * Dashboard's plots. Bins are equal-width and half-open `[lo, hi)`, except the last, which also holds its
 * upper edge.
 */

/** One scored prediction and whether it turned out right. */
export interface CalibrationPoint {
  /** A probability-like score; only scores inside the binned range (default [0, 1]) are counted. */
  readonly score: number;
  readonly correct: boolean;
}

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
  /** Mean score of the bin's points; `undefined` for an empty bin. */
  readonly meanScore: number | undefined;
  /** Fraction of the bin's points that are correct; `undefined` for an empty bin. */
  readonly fracCorrect: number | undefined;
}

/** What {@link reliabilityBins} returns. */
export interface Reliability {
  readonly bins: readonly ReliabilityBin[];
  /** Points counted. */
  readonly count: number;
  /**
   * Expected calibration error Σ_b (count_b / count) · |meanScore_b − fracCorrect_b|, in [0, 1] for scores
   * in [0, 1]; `undefined` when `count` is 0.
   */
  readonly ece: number | undefined;
  /** Points not counted: a non-finite score or one outside the range. */
  readonly skipped: number;
}

/** One histogram bar. */
export interface HistogramBin {
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
}

/** What {@link histogram} returns. */
export interface Histogram {
  /** `binCount` bars, or none when there was no range (no finite value and no explicit range). */
  readonly bins: readonly HistogramBin[];
  /** Finite values outside an explicit range. */
  readonly outside: number;
  /** Values that are not finite numbers. */
  readonly skipped: number;
}

/** Edges `lo = e₀ < e₁ < … < eₙ = hi`; eᵢ = lo + (hi − lo)·i/n, so [0, 1] in tenths gives exactly 0.1, 0.2, … */
function edgesOf(lo: number, hi: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Bin count must be a positive integer, got ${n}.`);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) throw new RangeError(`Bin range must be finite with lo < hi, got [${lo}, ${hi}].`);
  return Array.from({ length: n + 1 }, (_, i) => (i === n ? hi : lo + ((hi - lo) * i) / n));
}

/** The bin of `v` given the edges, or −1 when `v` is outside them. Agrees exactly with the reported edges. */
function binOf(v: number, edges: readonly number[]): number {
  const n = edges.length - 1;
  const lo = edges[0] ?? 0;
  const hi = edges[n] ?? 0;
  if (!(v >= lo && v <= hi)) return -1;
  let i = Math.min(n - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * n)));
  // The division can land one bin off at an edge (0.3 / 0.1 = 2.999…); settle it against the edges themselves.
  while (i > 0 && v < (edges[i] ?? lo)) i--;
  while (i < n - 1 && v >= (edges[i + 1] ?? hi)) i++;
  return i;
}

/**
 * Reliability bins and ECE. `options.bins` (default 10) equal-width bins over [`lo`, `hi`] (default [0, 1]).
 * Throws `RangeError` for a bin count that is not a positive integer or a range that is not `lo < hi`.
 * Empty input gives every bin with `count: 0` and `ece: undefined`.
 */
export function reliabilityBins(
  points: readonly CalibrationPoint[],
  options: { readonly bins?: number; readonly lo?: number; readonly hi?: number } = {},
): Reliability {
  const edges = edgesOf(options.lo ?? 0, options.hi ?? 1, options.bins ?? 10);
  const n = edges.length - 1;
  const counts = new Array<number>(n).fill(0);
  const scoreSums = new Array<number>(n).fill(0);
  const correctCounts = new Array<number>(n).fill(0);
  let skipped = 0;
  for (const p of points) {
    const b = Number.isFinite(p.score) ? binOf(p.score, edges) : -1;
    if (b < 0) {
      skipped++;
      continue;
    }
    counts[b] = (counts[b] ?? 0) + 1;
    scoreSums[b] = (scoreSums[b] ?? 0) + p.score;
    if (p.correct) correctCounts[b] = (correctCounts[b] ?? 0) + 1;
  }
  const total = points.length - skipped;
  let ece = 0;
  const bins = counts.map((count, b): ReliabilityBin => {
    const lo = edges[b] ?? 0;
    const hi = edges[b + 1] ?? 0;
    if (count === 0) return { lo, hi, count, meanScore: undefined, fracCorrect: undefined };
    const meanScore = (scoreSums[b] ?? 0) / count;
    const fracCorrect = (correctCounts[b] ?? 0) / count;
    ece += (count / total) * Math.abs(meanScore - fracCorrect);
    return { lo, hi, count, meanScore, fracCorrect };
  });
  return { bins, count: total, ece: total === 0 ? undefined : ece, skipped };
}

/**
 * A histogram of `values` in `binCount` equal-width bins. The range is `range` when given (values outside it
 * are counted in `outside`), else [min, max] of the finite values — widened to [v − 0.5, v + 0.5] when they
 * are all equal to v (more for |v| ≳ 1e15, where ±0.5 is lost to rounding). With no finite value and no range there are no bins. Throws `RangeError` for a bin
 * count that is not a positive integer or a given range that is not `lo < hi`.
 */
export function histogram(values: readonly number[], binCount: number, range?: { readonly lo: number; readonly hi: number }): Histogram {
  let lo = range?.lo;
  let hi = range?.hi;
  if (range === undefined) {
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      if (lo === undefined || v < lo) lo = v;
      if (hi === undefined || v > hi) hi = v;
    }
    if (lo !== undefined && hi !== undefined && lo === hi) {
      // ±0.5, or wider where 0.5 would vanish in rounding (|v| ≳ 1e15).
      const half = Math.max(0.5, Math.abs(lo) * Number.EPSILON * 4);
      lo -= half;
      hi += half;
    }
  }
  if (lo === undefined || hi === undefined) {
    edgesOf(0, 1, binCount); // still reject a bad bin count
    return { bins: [], outside: 0, skipped: values.length };
  }
  const edges = edgesOf(lo, hi, binCount);
  const counts = new Array<number>(binCount).fill(0);
  let outside = 0;
  let skipped = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      skipped++;
      continue;
    }
    const b = binOf(v, edges);
    if (b < 0) outside++;
    else counts[b] = (counts[b] ?? 0) + 1;
  }
  return { bins: counts.map((count, b) => ({ lo: edges[b] ?? 0, hi: edges[b + 1] ?? 0, count })), outside, skipped };
}
