import type { ParsedDocument } from '../dataset/types.js';
import { stepAgreement, type AgreementMetrics, type StepVerdict } from '../metrics/agreement.js';
import { bestOfNGroups, bestOfNMetrics, type BestOfNMetrics } from '../metrics/bestOfN.js';
import { reliabilityBins, type Reliability } from '../metrics/calibration.js';
import { pairwiseMetrics, type PairScore, type PairwiseMetrics } from '../metrics/pairwise.js';
import { processBenchMetrics, type ProcessBenchItem, type ProcessBenchMetrics } from '../metrics/processBench.js';
import { rewardBenchFromPairs, type RewardBenchScores } from '../metrics/rewardBench.js';
import { rewardBench2Scores, type BestOfNItem, type RewardBench2Scores } from '../metrics/rewardBench2.js';
import { rmBenchMetrics, type RmBenchItem, type RmBenchMetrics } from '../metrics/rmBench.js';
import type { ScoredPreference, ScoredRecord, ScoredTrace, ScoringSettings } from '../scoring/scoreRecords.js';

/** Every metric that applies to a scored file; absent keys did not apply. */
export interface EvalReport {
  readonly format: string;
  readonly model: string;
  readonly records: number;
  readonly threshold: number;
  readonly aggregation: string;
  readonly metrics: {
    readonly processbench?: ProcessBenchMetrics;
    readonly step_agreement?: AgreementMetrics;
    readonly best_of_n?: BestOfNMetrics;
    readonly calibration?: Reliability;
    readonly pairwise?: PairwiseMetrics;
    readonly rewardbench?: RewardBenchScores;
    readonly rewardbench2?: RewardBench2Scores;
    readonly rm_bench?: RmBenchMetrics;
  };
}

/** ProcessBench's subset is the id's prefix (`gsm8k-0` → `gsm8k`); other ids give none. */
function processBenchSubset(id: string): string | undefined {
  const m = /^([a-z][a-z0-9]*?)-\d+$/i.exec(id);
  return m?.[1];
}

function traceMetrics(traces: readonly ScoredTrace[], settings: ScoringSettings): Partial<EvalReport['metrics']> {
  const out: { -readonly [K in keyof EvalReport['metrics']]?: EvalReport['metrics'][K] } = {};
  const pb: ProcessBenchItem[] = [];
  for (const t of traces) {
    const label = t.record.metadata['label'];
    if (typeof label === 'number' && t.steps.length > 0) {
      const subset = processBenchSubset(t.record.id);
      pb.push({ label, predicted: t.firstError ?? -1, ...(subset !== undefined ? { subset } : {}) });
    }
  }
  if (pb.length > 0) out.processbench = processBenchMetrics(pb);

  // Every scored step goes in; stepAgreement leaves out (and counts) unlabelled and neutral ones.
  const verdicts: StepVerdict[] = [];
  for (const t of traces) {
    t.record.steps.forEach((step, i) => {
      const sc = t.steps[i];
      if (sc !== undefined && Number.isFinite(sc.score)) verdicts.push({ predicted: sc.score >= settings.threshold, label: step.label });
    });
  }
  if (verdicts.some((v) => v.label !== 'unknown')) out.step_agreement = stepAgreement(verdicts);

  const groups = bestOfNGroups(traces);
  if (groups.length > 0) out.best_of_n = bestOfNMetrics(groups);

  const points = traces.flatMap((t) => (t.score !== undefined && t.record.correct !== undefined && t.score >= 0 && t.score <= 1 ? [{ score: t.score, correct: t.record.correct }] : []));
  if (points.length > 0) out.calibration = reliabilityBins(points);
  return out;
}

function preferenceMetrics(prefs: readonly ScoredPreference[], format: string): Partial<EvalReport['metrics']> {
  const out: { -readonly [K in keyof EvalReport['metrics']]?: EvalReport['metrics'][K] } = {};
  const pairs: PairScore[] = [];
  const bon: BestOfNItem[] = [];
  const rm: RmBenchItem[] = [];
  for (const p of prefs) {
    const scores = p.responses.map((r) => r.score);
    if (scores.some((s) => s === undefined)) continue;
    const chosen = p.record.responses.flatMap((r, i) => (r.chosen ? [scores[i] as number] : []));
    const rejected = p.record.responses.flatMap((r, i) => (r.chosen ? [] : [scores[i] as number]));
    const subset = p.record.subset;
    if (p.record.comparison === 'pair' && chosen.length === 1 && rejected.length === 1) {
      pairs.push({ chosen: chosen[0] as number, rejected: rejected[0] as number, ...(subset !== undefined ? { subset } : {}) });
    } else if (p.record.comparison === 'best-of-n' && chosen.length > 0 && rejected.length > 0) {
      bon.push({ subset: subset ?? 'all', id: p.record.id, correct: chosen, incorrect: rejected });
    } else if (p.record.comparison === 'matrix3x3') {
      rm.push({ chosen, rejected, ...(subset !== undefined ? { subset } : {}) });
    }
  }
  if (pairs.length > 0) {
    out.pairwise = pairwiseMetrics(pairs);
    if (format === 'rewardbench') {
      const { pairwise: _unused, ...scores } = rewardBenchFromPairs(pairs);
      out.rewardbench = scores;
    }
  }
  if (bon.length > 0) out.rewardbench2 = rewardBench2Scores(bon);
  if (rm.length > 0) out.rm_bench = rmBenchMetrics(rm);
  return out;
}

/** Computes every metric that applies to a scored file (pure: the caller did the scoring); of `doc` only the format is read. */
export function evalReport(doc: Pick<ParsedDocument, 'format'>, scored: readonly ScoredRecord[], settings: ScoringSettings, model: string): EvalReport {
  const traces = scored.filter((s): s is ScoredTrace => s.kind === 'trace');
  const prefs = scored.filter((s): s is ScoredPreference => s.kind === 'preference');
  return {
    format: doc.format,
    model,
    records: scored.length,
    threshold: settings.threshold,
    aggregation: settings.aggregation,
    metrics: { ...traceMetrics(traces, settings), ...preferenceMetrics(prefs, doc.format) },
  };
}

const pct = (x: number | undefined): string => (x === undefined ? '-' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(3));

/** The report as readable text for a terminal. */
export function formatEvalReport(fileName: string, r: EvalReport): string {
  const lines = [`${fileName}: ${r.records} record(s), format ${r.format}, model ${r.model}, threshold ${r.threshold}, aggregation ${r.aggregation}`];
  const m = r.metrics;
  if (m.processbench) {
    const o = m.processbench.overall;
    lines.push(`ProcessBench: erroneous acc ${pct(o.erroneous.accuracy)} (n=${o.erroneous.count}), correct acc ${pct(o.correct.accuracy)} (n=${o.correct.count}), F1 ${pct(o.f1)}`);
    for (const s of m.processbench.bySubset) lines.push(`  ${s.subset}: erroneous ${pct(s.erroneous.accuracy)}, correct ${pct(s.correct.accuracy)}, F1 ${pct(s.f1)}`);
  }
  if (m.step_agreement) {
    const a = m.step_agreement;
    lines.push(`Step labels: agreement ${pct(a.accuracy)} over ${a.count} steps, Cohen's κ ${num(a.kappa)} (excluded: ${a.excluded.unknown} unlabelled, ${a.excluded.neutral} neutral)`);
  }
  if (m.best_of_n) lines.push(`Best-of-N: selection accuracy ${pct(m.best_of_n.overall.accuracy)} over ${m.best_of_n.overall.count} groups (oracle ${pct(m.best_of_n.overall.oracle)})`);
  if (m.calibration) lines.push(`Calibration: ECE ${num(m.calibration.ece)} over ${m.calibration.count} traces`);
  if (m.pairwise) {
    const o = m.pairwise.overall;
    lines.push(`Pairwise: accuracy ${pct(o.accuracy)} over ${o.count} pairs, mean margin ${num(o.meanMargin)}`);
    for (const s of m.pairwise.bySubset) lines.push(`  ${s.subset}: ${pct(s.accuracy)} (n=${s.count}), margin ${num(s.meanMargin)}`);
  }
  if (m.rewardbench) {
    lines.push(`RewardBench: overall ${pct(m.rewardbench.overall)}`);
    for (const s of m.rewardbench.sections) lines.push(`  ${s.section}: ${pct(s.score)}`);
  }
  if (m.rewardbench2) {
    lines.push(`RewardBench 2: overall ${pct(m.rewardbench2.overall)}`);
    for (const s of m.rewardbench2.bySubset) lines.push(`  ${s.subset}: ${pct(s.score)} (n=${s.count})`);
  }
  if (m.rm_bench) {
    const o = m.rm_bench.overall;
    lines.push(`RM-Bench: hard ${pct(o.hard)}, normal ${pct(o.normal)}, easy ${pct(o.easy)}, average ${pct(o.average)} (n=${o.count})`);
  }
  if (lines.length === 1) lines.push('No metric applies: the file has no labels or comparisons to evaluate against.');
  return lines.join('\n');
}
