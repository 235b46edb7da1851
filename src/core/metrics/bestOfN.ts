import type { Trace } from '../dataset/types.js';
import { groupTracesByPrompt } from '../formats/groupTraces.js';
import type { ScoredTrace } from '../scoring/scoreRecords.js';

/**
 * Best-of-N selection accuracy: for each group of N responses to one prompt, pick the one the reward model
 * scores highest; the pick is right when that response is a correct one.
 */

/** One scored response of a group. */
export interface ScoredCandidate {
  /** Reward (any real scale; only the order within the group matters). */
  readonly score: number;
  /** Whether the response is correct (reference answer matched, dataset label, …). */
  readonly correct: boolean;
}

/** N responses to one prompt. */
export interface CandidateGroup {
  /** Benchmark subset; groups without one count toward `overall` only. */
  readonly subset?: string;
  readonly candidates: readonly ScoredCandidate[];
}

/** Selection accuracy over a set of groups. */
export interface BestOfNSummary {
  /** Groups counted. */
  readonly count: number;
  /** Mean selection credit (see {@link selectionCredit}); `undefined` when `count` is 0. */
  readonly accuracy: number | undefined;
  /**
   * Fraction of groups with at least one correct candidate: the best accuracy any selector could reach
   * (pass@N). `undefined` when `count` is 0.
   */
  readonly oracle: number | undefined;
}

/** A {@link BestOfNSummary} for one named subset. */
export interface SubsetBestOfN extends BestOfNSummary {
  readonly subset: string;
}

/** What {@link bestOfNMetrics} returns. */
export interface BestOfNMetrics {
  readonly overall: BestOfNSummary;
  /** One entry per subset, in order of first appearance. */
  readonly bySubset: readonly SubsetBestOfN[];
  /** Groups left out: no candidates, or a candidate whose score is not a finite number. */
  readonly skipped: number;
}

/**
 * The credit of picking the top-scored candidate of one group, in [0, 1]: 1 when it is correct, 0 when not.
 * When k candidates share the top score and c of them are correct, the credit is c / k — the expected value
 * of breaking the tie uniformly at random, so ties neither help nor hurt on average.
 * `undefined` for an empty group or one with a non-finite score.
 */
export function selectionCredit(candidates: readonly ScoredCandidate[]): number | undefined {
  if (candidates.length === 0) return undefined;
  let top = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    if (!Number.isFinite(c.score)) return undefined;
    if (c.score > top) top = c.score;
  }
  let tied = 0;
  let correct = 0;
  for (const c of candidates) {
    if (c.score === top) {
      tied++;
      if (c.correct) correct++;
    }
  }
  return correct / tied;
}

interface Tally {
  count: number;
  credit: number;
  solvable: number;
}

function summarise(t: Tally): BestOfNSummary {
  return {
    count: t.count,
    accuracy: t.count === 0 ? undefined : t.credit / t.count,
    oracle: t.count === 0 ? undefined : t.solvable / t.count,
  };
}

/**
 * Best-of-N selection accuracy overall (each group weighs the same) and per subset.
 * Empty input gives `count: 0` with `accuracy` and `oracle` undefined.
 */
export function bestOfNMetrics(groups: readonly CandidateGroup[]): BestOfNMetrics {
  const overall: Tally = { count: 0, credit: 0, solvable: 0 };
  const subsets = new Map<string, Tally>();
  let skipped = 0;
  for (const g of groups) {
    const credit = selectionCredit(g.candidates);
    if (credit === undefined) {
      skipped++;
      continue;
    }
    const solvable = g.candidates.some((c) => c.correct) ? 1 : 0;
    const tallies = [overall];
    if (g.subset !== undefined) {
      let t = subsets.get(g.subset);
      if (!t) subsets.set(g.subset, (t = { count: 0, credit: 0, solvable: 0 }));
      tallies.push(t);
    }
    for (const t of tallies) {
      t.count++;
      t.credit += credit;
      t.solvable += solvable;
    }
  }
  return {
    overall: summarise(overall),
    bySubset: [...subsets].map(([subset, t]) => ({ subset, ...summarise(t) })),
    skipped,
  };
}

/**
 * The candidate groups the best-of-N metric is computed over (the eval report's and the dashboard's curve): traces grouped by identical prompt, in
 * input order, keeping the traces with both a score and a `correct` label; groups of fewer than two such
 * traces are dropped.
 */
export function bestOfNGroups(traces: readonly ScoredTrace[]): CandidateGroup[] {
  const byRecord = new Map<Trace, ScoredTrace>(traces.map((t) => [t.record, t]));
  const groups: CandidateGroup[] = [];
  for (const g of groupTracesByPrompt(traces.map((t) => t.record))) {
    if (g.traces.length < 2) continue;
    const candidates = g.traces.flatMap((tr) => {
      const s = byRecord.get(tr)?.score;
      return s !== undefined && tr.correct !== undefined ? [{ score: s, correct: tr.correct }] : [];
    });
    if (candidates.length >= 2) groups.push({ candidates });
  }
  return groups;
}
