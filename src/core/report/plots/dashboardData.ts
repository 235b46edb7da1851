/**
 * Everything the Evaluate Dataset dashboard draws, as small plain JSON. The host bins and counts here; the
 * webview (and `eval --html`) only render. The size depends on the settings and on the number of subsets,
 * never on the number of records.
 */
import type { NeutralPolicy } from '../../metrics/agreement.js';
import type { ScoredPreference, ScoredRecord, ScoredTrace } from '../../scoring/scoreRecords.js';
import type { EvalReport } from '../evalReport.js';
import { bestOfNGroups } from '../../metrics/bestOfN.js';
import { bestOfNCurve, type BestOfNCurve } from './bestOfNCurve.js';
import { disagreementQueue, type DisagreementQueue } from './disagreementQueue.js';
import { firstErrorHeatmap, type FirstErrorHeatmap } from './firstErrorHeatmap.js';
import { marginHistogram, type MarginHistogram } from './marginHistogram.js';
import { notApplicable, type NotApplicable } from './notApplicable.js';
import { reliabilityPlot, stepReliability, type ReliabilityPlot } from './reliabilityDiagram.js';
import { rmBenchMatrix, type RmBenchMatrix } from './rmBenchMatrix.js';
import { stepScoreHistogram, type StepScoreHistogram } from './stepScoreHistogram.js';
import { pairwiseBars, rewardBench2Bars, rewardBenchBars, type AccuracyBars } from './subsetAccuracy.js';

/** How the dashboard bins; passed in by the caller. */
export interface DashboardSettings {
  /** Bins of the step-score histogram over [0, 1]. */
  readonly stepHistogramBins: number;
  /** Bins of both reliability diagrams' step level (the trace level uses the report's bins). */
  readonly reliabilityBins: number;
  /** First-error indices from this one on share the heat map's "≥cap" bucket. */
  readonly firstErrorCap: number;
  /** Bins of the margin histogram; must be even so that 0 is an edge. */
  readonly marginBins: number;
  /** Fixed half-width of the margin histogram; the largest |margin| when absent. */
  readonly marginLimit?: number;
  /** How a `neutral` step label counts in the step reliability diagram (as in `stepAgreement`). */
  readonly neutral: NeutralPolicy;
  /** Most entries of the disagreement queue (50 when absent). */
  readonly disagreementLimit?: number;
}

/** The defaults. */
export const DEFAULT_DASHBOARD: DashboardSettings = { stepHistogramBins: 20, reliabilityBins: 10, firstErrorCap: 15, marginBins: 20, neutral: 'exclude', disagreementLimit: 50 };

/** Every plot of the dashboard; each is its data or a {@link NotApplicable} with the reason. */
export interface DashboardData {
  /** The report's header fields, for the dashboard's title line. */
  readonly header: Pick<EvalReport, 'format' | 'model' | 'records' | 'threshold' | 'aggregation'>;
  readonly stepScores: StepScoreHistogram | NotApplicable;
  /** Step score vs the dataset's step label. */
  readonly stepReliability: ReliabilityPlot | NotApplicable;
  /** Trace score vs final-answer correctness: the report's `calibration`. */
  readonly traceReliability: ReliabilityPlot | NotApplicable;
  readonly firstError: FirstErrorHeatmap | NotApplicable;
  readonly bestOfN: BestOfNCurve | NotApplicable;
  readonly pairwise: AccuracyBars | NotApplicable;
  readonly rewardBench: AccuracyBars | NotApplicable;
  readonly rewardBench2: AccuracyBars | NotApplicable;
  readonly rmBench: RmBenchMatrix | NotApplicable;
  readonly margins: MarginHistogram | NotApplicable;
  /** The most confident contradictions of the labels, judged at the report's threshold. */
  readonly disagreements: DisagreementQueue | NotApplicable;
}

/**
 * The dashboard's data for a scored file and its eval report (`evalReport(doc, scored, …)` of the same
 * records). Metric figures (accuracies, F1, ECE of the trace level, RewardBench scores, RM-Bench matrices)
 * come from `report`; the distributions are binned from `scored`. The disagreement queue is judged at `report.threshold`.
 * Throws `RangeError` for bad bin settings or a disagreement limit that is not an integer ≥ 0.
 */
export function dashboardData(report: EvalReport, scored: readonly ScoredRecord[], settings: DashboardSettings = DEFAULT_DASHBOARD): DashboardData {
  const traces = scored.filter((s): s is ScoredTrace => s.kind === 'trace');
  const prefs = scored.filter((s): s is ScoredPreference => s.kind === 'preference');
  const m = report.metrics;
  return {
    header: { format: report.format, model: report.model, records: report.records, threshold: report.threshold, aggregation: report.aggregation },
    stepScores: stepScoreHistogram(traces, settings.stepHistogramBins),
    stepReliability: stepReliability(traces, { bins: settings.reliabilityBins, neutral: settings.neutral }),
    traceReliability: reliabilityPlot(m.calibration, 'trace', 'No trace has both a score in [0, 1] and a known correct/incorrect final answer.'),
    firstError: firstErrorHeatmap(traces, m.processbench, settings.firstErrorCap),
    bestOfN: bestOfNCurve(bestOfNGroups(traces)),
    pairwise: pairwiseBars(m.pairwise),
    rewardBench: rewardBenchBars(m.rewardbench),
    rewardBench2: rewardBench2Bars(m.rewardbench2),
    rmBench: rmBenchMatrix(m.rm_bench),
    margins: marginHistogram(prefs, { bins: settings.marginBins, ...(settings.marginLimit !== undefined ? { limit: settings.marginLimit } : {}) }),
    disagreements: disagreementsOrReason(disagreementQueue(scored, { threshold: report.threshold }, settings.disagreementLimit ?? 50)),
  };
}

function disagreementsOrReason(q: DisagreementQueue): DisagreementQueue | NotApplicable {
  if (q.considered > 0) return q;
  return notApplicable(`No record has both a label and a model verdict on it (${q.unlabeled} unlabelled, ${q.unscored} unscored).`);
}
