/**
 * ProcessBench's earliest-error task as a heat map: labelled first error (rows) against predicted first error
 * (columns), indices capped into a "≥cap" bucket, plus the accuracies and F1 of `metrics/processBench.ts`.
 */
import type { ProcessBenchMetrics } from '../../metrics/processBench.js';
import type { ScoredTrace } from '../../scoring/scoreRecords.js';
import { notApplicable, orNull, type NotApplicable } from './notApplicable.js';

/** The heat map and the headline numbers beside it. */
export interface FirstErrorHeatmap {
  readonly kind: 'firstErrorHeatmap';
  /**
   * Bucket names shared by rows and columns: `"0"` … `"cap−1"`, `"≥cap"`, `"none"` (no error: label −1, or
   * no step under the threshold).
   */
  readonly buckets: readonly string[];
  /** `counts[row][col]`: traces whose labelled first error is in bucket `row` and predicted in bucket `col`. */
  readonly counts: readonly (readonly number[])[];
  /** Traces in the map (the sum of every cell). */
  readonly count: number;
  /** From the report's ProcessBench metrics (`overall`); null where a half is empty. */
  readonly erroneousAccuracy: number | null;
  readonly correctAccuracy: number | null;
  readonly f1: number | null;
  /** Per subset F1 from the same metrics, in their order. */
  readonly subsetF1: readonly { readonly subset: string; readonly f1: number | null }[];
}

/**
 * The (label, predicted) pair ProcessBench scores for a trace, selected as `evalReport` selects them: a numeric
 * `metadata.label` and at least one step score; predicted = `firstError ?? −1`. `undefined` for other traces and
 * for indices that are not integers ≥ −1 (`processBenchMetrics` skips those too).
 */
export function firstErrorPair(t: ScoredTrace): { readonly label: number; readonly predicted: number } | undefined {
  const label = t.record.metadata['label'];
  if (typeof label !== 'number' || t.steps.length === 0) return undefined;
  const predicted = t.firstError ?? -1;
  const ok = (n: number): boolean => Number.isInteger(n) && n >= -1;
  return ok(label) && ok(predicted) ? { label, predicted } : undefined;
}

/**
 * The heat map of labelled vs predicted first errors. `cap` (default 15) indices get a bucket each; index ≥ cap
 * goes to `"≥cap"`. The accuracies and F1 are copied from `metrics` (the eval report's `processbench`), never
 * recomputed. Not applicable when no trace has a ProcessBench label. Throws `RangeError` for a `cap` that is
 * not a positive integer.
 */
export function firstErrorHeatmap(traces: readonly ScoredTrace[], metrics: ProcessBenchMetrics | undefined, cap = 15): FirstErrorHeatmap | NotApplicable {
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`First-error cap must be a positive integer, got ${cap}.`);
  const size = cap + 2;
  const none = cap + 1;
  const bucketOf = (i: number): number => (i === -1 ? none : Math.min(i, cap));
  const counts = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  let count = 0;
  for (const t of traces) {
    const pair = firstErrorPair(t);
    if (!pair) continue;
    const row = counts[bucketOf(pair.label)];
    if (row) row[bucketOf(pair.predicted)] = (row[bucketOf(pair.predicted)] ?? 0) + 1;
    count++;
  }
  if (count === 0) return notApplicable('No scored trace has a ProcessBench first-error label.');
  const buckets = [...Array.from({ length: cap }, (_, i) => String(i)), `≥${cap}`, 'none'];
  const o = metrics?.overall;
  return {
    kind: 'firstErrorHeatmap',
    buckets,
    counts,
    count,
    erroneousAccuracy: orNull(o?.erroneous.accuracy),
    correctAccuracy: orNull(o?.correct.accuracy),
    f1: orNull(o?.f1),
    subsetF1: (metrics?.bySubset ?? []).map((s) => ({ subset: s.subset, f1: orNull(s.f1) })),
  };
}
