/**
 * Agreement between a reward model's step verdicts and the dataset's step labels: accuracy, Cohen's κ and
 * the 2×2 confusion counts. "Positive" means good.
 */
import type { StepLabel } from '../dataset/types.js';

/** One step: the model's verdict and the dataset's label. */
export interface StepVerdict {
  /** The model calls the step good (typically `score ≥ threshold`). */
  readonly predicted: boolean;
  readonly label: StepLabel;
}

/**
 * How a `neutral` label (PRM800K rating 0: correct but no progress) is read: left out, or counted as good or
 * as bad. PRM800K work has used both readings, so the caller chooses.
 */
export type NeutralPolicy = 'exclude' | 'good' | 'bad';

/** Counts of the 2×2 table, good = positive. */
export interface Confusion {
  /** Predicted good, labelled good. */
  readonly truePositive: number;
  /** Predicted good, labelled bad. */
  readonly falsePositive: number;
  /** Predicted bad, labelled good. */
  readonly falseNegative: number;
  /** Predicted bad, labelled bad. */
  readonly trueNegative: number;
}

/** What {@link stepAgreement} returns. */
export interface AgreementMetrics {
  /** Steps compared (the sum of the confusion counts). */
  readonly count: number;
  readonly confusion: Confusion;
  /** `(TP + TN) / count`; `undefined` when `count` is 0. */
  readonly accuracy: number | undefined;
  /** Cohen's κ (see {@link cohensKappa}). */
  readonly kappa: number | undefined;
  /** Steps left out: `unknown` labels, and `neutral` ones under the `exclude` policy. */
  readonly excluded: { readonly unknown: number; readonly neutral: number };
}

/**
 * Cohen's κ = (pₒ − pₑ) / (1 − pₑ) for a 2×2 table, with pₒ the observed agreement and pₑ the agreement
 * expected by chance from the two sets of marginals. `undefined` when the table is empty, and in the degenerate
 * case pₑ = 1: both raters put every step in the same single class, so pₒ = 1 too and κ is 0/0 — there is
 * no variation to agree on (scikit-learn returns NaN there). Accuracy is still 1 in that case.
 */
export function cohensKappa(c: Confusion): number | undefined {
  const n = c.truePositive + c.falsePositive + c.falseNegative + c.trueNegative;
  if (n === 0) return undefined;
  const observed = (c.truePositive + c.trueNegative) / n;
  const predictedGood = (c.truePositive + c.falsePositive) / n;
  const labelledGood = (c.truePositive + c.falseNegative) / n;
  const chance = predictedGood * labelledGood + (1 - predictedGood) * (1 - labelledGood);
  // pₑ = 1 only when both marginals are all-good or both all-bad; compare exactly via the counts, not the float.
  const degenerate = c.falsePositive === 0 && c.falseNegative === 0 && (c.truePositive === 0 || c.trueNegative === 0);
  return degenerate ? undefined : (observed - chance) / (1 - chance);
}

/**
 * Accuracy, Cohen's κ and confusion counts of model verdicts against step labels. `unknown` labels are always
 * left out; `neutral` ones follow `options.neutral` (default `'exclude'`). Empty input (or nothing left after
 * exclusions) gives `count: 0` with `accuracy` and `kappa` undefined.
 */
export function stepAgreement(steps: readonly StepVerdict[], options: { readonly neutral?: NeutralPolicy } = {}): AgreementMetrics {
  const neutralPolicy = options.neutral ?? 'exclude';
  let truePositive = 0;
  let falsePositive = 0;
  let falseNegative = 0;
  let trueNegative = 0;
  let unknown = 0;
  let neutral = 0;
  for (const s of steps) {
    let good: boolean;
    if (s.label === 'unknown') {
      unknown++;
      continue;
    } else if (s.label === 'neutral') {
      if (neutralPolicy === 'exclude') {
        neutral++;
        continue;
      }
      good = neutralPolicy === 'good';
    } else {
      good = s.label === 'good';
    }
    if (s.predicted && good) truePositive++;
    else if (s.predicted) falsePositive++;
    else if (good) falseNegative++;
    else trueNegative++;
  }
  const confusion = { truePositive, falsePositive, falseNegative, trueNegative };
  const count = truePositive + falsePositive + falseNegative + trueNegative;
  return {
    count,
    confusion,
    accuracy: count === 0 ? undefined : (truePositive + trueNegative) / count,
    kappa: cohensKappa(confusion),
    excluded: { unknown, neutral },
  };
}
