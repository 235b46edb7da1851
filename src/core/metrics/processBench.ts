/**
 * ProcessBench (Qwen/ProcessBench) earliest-error metrics: accuracy on erroneous samples, accuracy on
 * correct samples, and their harmonic mean (the paper's F1).
 */
import { firstUnder } from '../scoring/aggregate.js';

/** One sample: the dataset's earliest-error label and the model's prediction. */
export interface ProcessBenchItem {
  /** Split or subset (`gsm8k`, `math`, `olympiadbench`, `omnimath`); items without one count toward `overall` only. */
  readonly subset?: string;
  /** 0-based index of the earliest wrong step, or −1 when every step is correct. */
  readonly label: number;
  /** The predicted earliest wrong step (e.g. the first step scored under the threshold), or −1 for none. */
  readonly predicted: number;
}

/** Accuracy on one half (erroneous or correct samples). */
export interface HalfAccuracy {
  /** Samples in this half. */
  readonly count: number;
  /** Samples predicted exactly right. */
  readonly hits: number;
  /** `hits / count`; `undefined` when `count` is 0. */
  readonly accuracy: number | undefined;
}

/** ProcessBench metrics over one set of samples. */
export interface ProcessBenchSummary {
  /** Samples counted. */
  readonly count: number;
  /** Samples with `label ≠ −1`; right iff `predicted === label` (the exact earliest step, not just "some error"). */
  readonly erroneous: HalfAccuracy;
  /** Samples with `label === −1`; right iff `predicted === −1`. */
  readonly correct: HalfAccuracy;
  /**
   * Harmonic mean `2ab / (a + b)` of the two accuracies; 0 when either is 0; `undefined` when either half is
   * empty (one half alone says nothing about the trade-off F1 measures).
   */
  readonly f1: number | undefined;
}

/** A {@link ProcessBenchSummary} for one named subset. */
export interface SubsetProcessBench extends ProcessBenchSummary {
  readonly subset: string;
}

/** What {@link processBenchMetrics} returns. */
export interface ProcessBenchMetrics {
  /** All counted samples pooled. */
  readonly overall: ProcessBenchSummary;
  /** One entry per subset, in order of first appearance. */
  readonly bySubset: readonly SubsetProcessBench[];
  /**
   * Mean of the subsets' F1 — the paper's headline "Avg. F1" when the subsets are its four splits; `undefined`
   * when no subset has an F1. Differs from `overall.f1`, which pools every sample.
   */
  readonly meanSubsetF1: number | undefined;
  /** Items not counted: `label` or `predicted` not an integer ≥ −1. */
  readonly skipped: number;
}

/** Harmonic mean of two rates in [0, 1]: 0 when either is 0, `undefined` when either is undefined. */
export function harmonicMean(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  return a === 0 || b === 0 ? 0 : (2 * a * b) / (a + b);
}

/** The ProcessBench prediction from step scores: the first step scored strictly under `threshold`, or −1. */
export function predictEarliestError(stepScores: readonly number[], threshold: number): number {
  return firstUnder(stepScores, threshold) ?? -1;
}

interface Tally {
  errCount: number;
  errHits: number;
  okCount: number;
  okHits: number;
}

function summarise(t: Tally): ProcessBenchSummary {
  const erroneous = { count: t.errCount, hits: t.errHits, accuracy: t.errCount === 0 ? undefined : t.errHits / t.errCount };
  const correct = { count: t.okCount, hits: t.okHits, accuracy: t.okCount === 0 ? undefined : t.okHits / t.okCount };
  return { count: t.errCount + t.okCount, erroneous, correct, f1: harmonicMean(erroneous.accuracy, correct.accuracy) };
}

const isIndex = (n: number): boolean => Number.isInteger(n) && n >= -1;

/**
 * ProcessBench accuracy on erroneous and on correct samples and their F1, pooled and per subset.
 * Empty input gives zero counts with every accuracy and F1 undefined — never NaN.
 */
export function processBenchMetrics(items: readonly ProcessBenchItem[]): ProcessBenchMetrics {
  const overall: Tally = { errCount: 0, errHits: 0, okCount: 0, okHits: 0 };
  const subsets = new Map<string, Tally>();
  let skipped = 0;
  for (const item of items) {
    if (!isIndex(item.label) || !isIndex(item.predicted)) {
      skipped++;
      continue;
    }
    const tallies = [overall];
    if (item.subset !== undefined) {
      let t = subsets.get(item.subset);
      if (!t) subsets.set(item.subset, (t = { errCount: 0, errHits: 0, okCount: 0, okHits: 0 }));
      tallies.push(t);
    }
    const hit = item.predicted === item.label;
    for (const t of tallies) {
      if (item.label === -1) {
        t.okCount++;
        if (hit) t.okHits++;
      } else {
        t.errCount++;
        if (hit) t.errHits++;
      }
    }
  }
  const bySubset = [...subsets].map(([subset, t]) => ({ subset, ...summarise(t) }));
  const f1s = bySubset.flatMap((s) => (s.f1 === undefined ? [] : [s.f1]));
  return {
    overall: summarise(overall),
    bySubset,
    meanSubsetF1: f1s.length === 0 ? undefined : f1s.reduce((a, b) => a + b, 0) / f1s.length,
    skipped,
  };
}
