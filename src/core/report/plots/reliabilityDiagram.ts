/**
 * Reliability diagrams: per bin the mean predicted score against the observed rate of "good", with the ECE.
 * The binning and the ECE are `metrics/calibration.ts`'s {@link reliabilityBins}; this file only chooses the
 * points and makes the result JSON-safe.
 */
import type { NeutralPolicy } from '../../metrics/agreement.js';
import { reliabilityBins, type CalibrationPoint, type Reliability } from '../../metrics/calibration.js';
import type { ScoredTrace } from '../../scoring/scoreRecords.js';
import { notApplicable, orNull, type NotApplicable } from './notApplicable.js';

/** One bin `[lo, hi)` (the last also holds `hi`). `null` values belong to empty bins. */
export interface ReliabilityPlotBin {
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
  /** Mean predicted score of the bin's points. */
  readonly meanScore: number | null;
  /** Fraction of the bin's points labelled good / correct: the observed accuracy. */
  readonly observed: number | null;
}

/** A reliability diagram ready to draw. */
export interface ReliabilityPlot {
  readonly kind: 'reliability';
  /** What a point is: a labelled step, or a trace whose final answer is known right or wrong. */
  readonly unit: 'step' | 'trace';
  readonly bins: readonly ReliabilityPlotBin[];
  /** Points binned. */
  readonly count: number;
  /** Expected calibration error, as {@link reliabilityBins} computes it (never null here: `count` > 0). */
  readonly ece: number;
  /** Points left out: a non-finite score or one outside [0, 1]. */
  readonly skipped: number;
}

/** A {@link Reliability} (from `metrics/calibration.ts` or the eval report) as a plot; not applicable when empty. */
export function reliabilityPlot(r: Reliability | undefined, unit: 'step' | 'trace', emptyReason: string): ReliabilityPlot | NotApplicable {
  if (r === undefined || r.count === 0 || r.ece === undefined) return notApplicable(emptyReason);
  return {
    kind: 'reliability',
    unit,
    bins: r.bins.map((b) => ({ lo: b.lo, hi: b.hi, count: b.count, meanScore: orNull(b.meanScore), observed: orNull(b.fracCorrect) })),
    count: r.count,
    ece: r.ece,
    skipped: r.skipped,
  };
}

/**
 * The step-level reliability diagram: each scored step whose dataset label is `good` or `bad` is a point
 * (predicted = its score, correct = labelled good). `unknown` labels are left out; `neutral` ones follow
 * `neutral` exactly as `stepAgreement` reads them (default `'exclude'`), so the two step views agree.
 * Steps with a non-finite score or one outside [0, 1] land in `skipped`.
 */
export function stepReliability(traces: readonly ScoredTrace[], options: { readonly bins?: number; readonly neutral?: NeutralPolicy } = {}): ReliabilityPlot | NotApplicable {
  const neutral = options.neutral ?? 'exclude';
  const points: CalibrationPoint[] = [];
  for (const t of traces) {
    t.steps.forEach((s, i) => {
      const label = t.record.steps[i]?.label ?? 'unknown';
      if (label === 'unknown' || (label === 'neutral' && neutral === 'exclude')) return;
      points.push({ score: s.score, correct: label === 'good' || (label === 'neutral' && neutral === 'good') });
    });
  }
  const r = reliabilityBins(points, { bins: options.bins ?? 10 });
  const reason = points.length === 0 ? 'No scored step has a good or bad label.' : 'No labelled step has a score in [0, 1].';
  return reliabilityPlot(r, 'step', reason);
}
