/**
 * Pairwise preference accuracy and margin (RewardBench-style): did the reward model score the chosen
 * response above the rejected one, and by how much.
 */

/** One scored chosen/rejected pair. Scores are on any real scale (probabilities or raw logits); only their difference matters. */
export interface PairScore {
  /** Benchmark subset; pairs without one count toward `overall` only. */
  readonly subset?: string;
  /** Reward of the preferred response. */
  readonly chosen: number;
  /** Reward of the dispreferred response. */
  readonly rejected: number;
}

/** Options for {@link pairwiseMetrics}. */
export interface PairwiseOptions {
  /**
   * Credit for an exact tie (`chosen === rejected`), in [0, 1]. Default 0.5: a tie is a coin flip, so a model
   * that scores everything equal lands at 50 %, not 0 % or 100 %. RewardBench's own scripts count a tie as a
   * loss (strict `chosen > rejected`); pass 0 to match them.
   */
  readonly tieCredit?: number;
}

/** Accuracy and margin over one set of pairs. */
export interface PairwiseSummary {
  /** Pairs counted (both scores finite). */
  readonly count: number;
  /** Pairs with `chosen > rejected`. */
  readonly wins: number;
  /** Pairs with `chosen === rejected`. */
  readonly ties: number;
  /** Pairs with `chosen < rejected`. */
  readonly losses: number;
  /** `(wins + tieCredit · ties) / count`; `undefined` when `count` is 0 (there is nothing to measure). */
  readonly accuracy: number | undefined;
  /** Mean of `chosen − rejected`; `undefined` when `count` is 0. Positive means the model prefers the chosen side. */
  readonly meanMargin: number | undefined;
}

/** A {@link PairwiseSummary} for one named subset. */
export interface SubsetPairwise extends PairwiseSummary {
  readonly subset: string;
}

/** What {@link pairwiseMetrics} returns. */
export interface PairwiseMetrics {
  /** All counted pairs pooled (each pair weighs the same, whatever its subset). */
  readonly overall: PairwiseSummary;
  /** One entry per subset, in order of first appearance; subsets whose pairs were all skipped are absent. */
  readonly bySubset: readonly SubsetPairwise[];
  /** Pairs left out because a score was not a finite number (NaN, ±Infinity: a failed or missing score). */
  readonly skipped: number;
}

interface Tally {
  count: number;
  wins: number;
  ties: number;
  losses: number;
  marginSum: number;
}

const newTally = (): Tally => ({ count: 0, wins: 0, ties: 0, losses: 0, marginSum: 0 });

function addPair(t: Tally, chosen: number, rejected: number): void {
  t.count++;
  if (chosen > rejected) t.wins++;
  else if (chosen < rejected) t.losses++;
  else t.ties++;
  t.marginSum += chosen - rejected;
}

function summarise(t: Tally, tieCredit: number): PairwiseSummary {
  return {
    count: t.count,
    wins: t.wins,
    ties: t.ties,
    losses: t.losses,
    accuracy: t.count === 0 ? undefined : (t.wins + tieCredit * t.ties) / t.count,
    meanMargin: t.count === 0 ? undefined : t.marginSum / t.count,
  };
}

/**
 * Pairwise accuracy and mean margin, overall and per subset.
 * Empty input (or only skipped pairs) gives `count: 0` with `accuracy` and `meanMargin` undefined — never NaN.
 */
export function pairwiseMetrics(pairs: readonly PairScore[], options: PairwiseOptions = {}): PairwiseMetrics {
  const tieCredit = options.tieCredit ?? 0.5;
  const overall = newTally();
  const subsets = new Map<string, Tally>();
  let skipped = 0;
  for (const p of pairs) {
    if (!Number.isFinite(p.chosen) || !Number.isFinite(p.rejected)) {
      skipped++;
      continue;
    }
    addPair(overall, p.chosen, p.rejected);
    if (p.subset !== undefined) {
      let t = subsets.get(p.subset);
      if (!t) subsets.set(p.subset, (t = newTally()));
      addPair(t, p.chosen, p.rejected);
    }
  }
  return {
    overall: summarise(overall, tieCredit),
    bySubset: [...subsets].map(([subset, t]) => ({ subset, ...summarise(t, tieCredit) })),
    skipped,
  };
}
