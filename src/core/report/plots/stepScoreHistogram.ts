/**
 * Step-score histograms, one series per dataset step label, over fixed bins of [0, 1]. Counts only: the host
 * bins, so the webview draws a few dozen bars whatever the size of the file.
 */
import type { StepLabel } from '../../dataset/types.js';
import { histogram } from '../../metrics/calibration.js';
import type { ScoredTrace } from '../../scoring/scoreRecords.js';
import { notApplicable, type NotApplicable } from './notApplicable.js';

/** The labels in display order. */
export const STEP_LABELS: readonly StepLabel[] = ['good', 'bad', 'neutral', 'unknown'];

/** One bin `[lo, hi)` (the last one also holds `hi`) with a count per step label. */
export interface LabelledBin {
  readonly lo: number;
  readonly hi: number;
  readonly counts: Readonly<Record<StepLabel, number>>;
}

/** What {@link stepScoreHistogram} returns when some step has a score. */
export interface StepScoreHistogram {
  readonly kind: 'stepScoreHistogram';
  /** Equal-width bins covering [0, 1], in order. */
  readonly bins: readonly LabelledBin[];
  /** Binned steps per label (the column sums of `bins`). */
  readonly totals: Readonly<Record<StepLabel, number>>;
  /** Steps left out because their score is not a finite number (a judge's not-judged step is NaN). */
  readonly nonFinite: number;
  /** Steps left out because their finite score lies outside [0, 1] (a scorer reporting logits). */
  readonly outside: number;
}

const zeroCounts = (): Record<StepLabel, number> => ({ good: 0, bad: 0, neutral: 0, unknown: 0 });

/**
 * Histograms of step scores split by the dataset's label for the step (`unknown` when the trace has no label
 * for it). Every entry of `ScoredTrace.steps` counts once: binned when its score is finite and in [0, 1], else
 * in `nonFinite` or `outside`. Not applicable when no trace has a step score (empty input, or sequence-level
 * scorers only). Throws `RangeError` for a bin count that is not a positive integer.
 */
export function stepScoreHistogram(traces: readonly ScoredTrace[], binCount = 20): StepScoreHistogram | NotApplicable {
  const scores: Record<StepLabel, number[]> = { good: [], bad: [], neutral: [], unknown: [] };
  let seen = 0;
  for (const t of traces) {
    t.steps.forEach((s, i) => {
      seen++;
      scores[t.record.steps[i]?.label ?? 'unknown'].push(s.score);
    });
  }
  // Build every series (even an empty one) so a bad bin count throws the same way for every input.
  const series = STEP_LABELS.map((label) => ({ label, h: histogram(scores[label], binCount, { lo: 0, hi: 1 }) }));
  if (seen === 0) return notApplicable('No step has a score: the scorer gave sequence scores only, or nothing was scored.');
  const edges = series[0]?.h.bins ?? [];
  const totals = zeroCounts();
  let nonFinite = 0;
  let outside = 0;
  const bins = edges.map(({ lo, hi }, b): LabelledBin => {
    const counts = zeroCounts();
    for (const { label, h } of series) counts[label] = h.bins[b]?.count ?? 0;
    return { lo, hi, counts };
  });
  for (const { label, h } of series) {
    totals[label] = h.bins.reduce((a, bin) => a + bin.count, 0);
    nonFinite += h.skipped;
    outside += h.outside;
  }
  return { kind: 'stepScoreHistogram', bins, totals, nonFinite, outside };
}
