/**
 * The distribution of preference margins `r(chosen) − r(rejected)` as a histogram with bins symmetric around 0,
 * so every bar lies wholly on the agreeing (> 0) or disagreeing (< 0) side.
 */
import { histogram, type HistogramBin } from '../../metrics/calibration.js';
import type { ScoredPreference } from '../../scoring/scoreRecords.js';
import { notApplicable, type NotApplicable } from './notApplicable.js';

/** What {@link marginHistogram} returns when some set has a margin. */
export interface MarginHistogram {
  readonly kind: 'marginHistogram';
  /** An even number of equal-width bins over [−limit, limit]; 0 is the edge between the middle two. */
  readonly bins: readonly HistogramBin[];
  readonly limit: number;
  /** Margins exactly 0 (a tie: neither agreement nor disagreement), kept out of the bins. */
  readonly ties: number;
  /** Finite margins beyond ±limit (only with an explicit limit). */
  readonly outside: number;
  /** Sets with no margin: a side missing or unscored (`ScoredPreference.margin` null), or a non-finite margin. */
  readonly noMargin: number;
}

/**
 * Histogram of `ScoredPreference.margin` (mean chosen − mean rejected for pairs and RM-Bench sets, lowest
 * chosen − highest rejected for best-of-N sets). `limit` defaults to the largest |margin| (1 when every margin
 * is 0). Non-zero margins are binned; a margin exactly on 0 counts in `ties`. Not applicable when no set has
 * a margin. Throws `RangeError` for a bin count that is not a positive even integer or a limit that is not
 * finite and positive.
 */
export function marginHistogram(prefs: readonly ScoredPreference[], options: { readonly bins?: number; readonly limit?: number } = {}): MarginHistogram | NotApplicable {
  const binCount = options.bins ?? 20;
  if (!Number.isInteger(binCount) || binCount < 2 || binCount % 2 !== 0) throw new RangeError(`Margin bin count must be a positive even integer, got ${binCount}.`);
  if (options.limit !== undefined && !(Number.isFinite(options.limit) && options.limit > 0)) throw new RangeError(`Margin limit must be finite and positive, got ${options.limit}.`);
  const margins: number[] = [];
  let ties = 0;
  let noMargin = 0;
  let maxAbs = 0;
  for (const p of prefs) {
    const m = p.margin;
    if (m === null || !Number.isFinite(m)) noMargin++;
    else if (m === 0) ties++;
    else {
      margins.push(m);
      maxAbs = Math.max(maxAbs, Math.abs(m));
    }
  }
  if (margins.length === 0 && ties === 0) return notApplicable('No preference set has scores on both the chosen and the rejected side.');
  const limit = options.limit ?? (maxAbs > 0 ? maxAbs : 1);
  // Each side binned on its own, so the middle edge is exactly 0 (one range over [−limit, limit] could put it
  // a rounding error off 0 and let a tiny negative margin into a positive bar).
  const below = histogram(margins.filter((m) => m < 0), binCount / 2, { lo: -limit, hi: 0 });
  const above = histogram(margins.filter((m) => m > 0), binCount / 2, { lo: 0, hi: limit });
  return { kind: 'marginHistogram', bins: [...below.bins, ...above.bins], limit, ties, outside: below.outside + above.outside, noMargin };
}
