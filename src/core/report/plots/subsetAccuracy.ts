/**
 * Per-subset accuracy bars for preference data, read off the eval report's pairwise, RewardBench and
 * RewardBench 2 metrics (nothing is recomputed here).
 */
import type { PairwiseMetrics } from '../../metrics/pairwise.js';
import { REWARD_BENCH_SECTIONS, SUBSET_MAPPING, type RewardBenchScores } from '../../metrics/rewardBench.js';
import { TIES_SUBSET, type RewardBench2Scores } from '../../metrics/rewardBench2.js';
import { notApplicable, orNull, type NotApplicable } from './notApplicable.js';

/** One bar. */
export interface AccuracyBar {
  /** Subset or section name. */
  readonly label: string;
  /** The RewardBench section a pairwise subset belongs to, else null. */
  readonly group: string | null;
  /** Accuracy (or score) in [0, 1]; null when it could not be measured, with `reason` saying why. */
  readonly value: number | null;
  /** Records behind the bar; null for a RewardBench section (a weighted mean of its subsets). */
  readonly count: number | null;
  readonly reason?: string;
}

/** A bar chart of accuracies. */
export interface AccuracyBars {
  readonly kind: 'accuracyBars';
  /** Which metric the bars come from. */
  readonly source: 'pairwise' | 'rewardbench' | 'rewardbench2';
  /** The metric's overall figure (the reference line); null when undefined. */
  readonly overall: number | null;
  /** In the metric's own order (first appearance; RewardBench sections in leaderboard order). */
  readonly bars: readonly AccuracyBar[];
}

const SECTION_OF = new Map<string, string>(REWARD_BENCH_SECTIONS.flatMap((s) => SUBSET_MAPPING[s].map((subset) => [subset, s] as const)));

const bar = (label: string, group: string | null, value: number | undefined, count: number | null, reason: string): AccuracyBar =>
  value === undefined ? { label, group, value: null, count, reason } : { label, group, value, count };

/**
 * Pairwise accuracy per subset (`report.metrics.pairwise`, ties at its default half credit). A RewardBench
 * subset carries its section as `group`. Not applicable without pairs, or when no pair has a subset.
 */
export function pairwiseBars(m: PairwiseMetrics | undefined): AccuracyBars | NotApplicable {
  if (m === undefined || m.overall.count === 0) return notApplicable('No chosen/rejected pair with two finite scores.');
  // Pairs that name no subset still have their overall accuracy: one bar, "all pairs".
  const bars =
    m.bySubset.length === 0
      ? [bar('all pairs', null, m.overall.accuracy, m.overall.count, 'No pair was scored.')]
      : m.bySubset.map((s) => bar(s.subset, SECTION_OF.get(s.subset) ?? null, s.accuracy, s.count, 'No pair of this subset was scored.'));
  return { kind: 'accuracyBars', source: 'pairwise', overall: orNull(m.overall.accuracy), bars };
}

/** RewardBench section scores (`report.metrics.rewardbench`); not applicable when no section was measured. */
export function rewardBenchBars(m: RewardBenchScores | undefined): AccuracyBars | NotApplicable {
  if (m === undefined || m.sections.length === 0) return notApplicable('No RewardBench subset was measured.');
  return {
    kind: 'accuracyBars',
    source: 'rewardbench',
    overall: orNull(m.overall),
    bars: m.sections.map((s) => ({ label: s.section, group: null, value: s.score, count: null })),
  };
}

/**
 * RewardBench 2 subset scores (`report.metrics.rewardbench2`): best-of-N accuracy, and for `Ties` the Ties
 * score the metric chose. Not applicable when no subset was measured.
 */
export function rewardBench2Bars(m: RewardBench2Scores | undefined): AccuracyBars | NotApplicable {
  if (m === undefined || m.bySubset.length === 0) return notApplicable('No best-of-N set with scores on both sides.');
  return {
    kind: 'accuracyBars',
    source: 'rewardbench2',
    overall: orNull(m.overall),
    bars: m.bySubset.map((s) =>
      bar(s.subset, null, s.score, s.count, s.subset === TIES_SUBSET ? 'The Ties score needs prompts with scores on both sides.' : 'No set of this subset was scored.'),
    ),
  };
}
