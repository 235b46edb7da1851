/**
 * Best-of-N selection accuracy as N grows: for each N, pick the top-scored of each prompt's first N samples.
 * The per-group credit is `metrics/bestOfN.ts`'s {@link selectionCredit} (ties share the credit), so the point
 * at the full group size matches the report's `best_of_n` accuracy when every group has that size.
 */
import { selectionCredit, type CandidateGroup } from '../../metrics/bestOfN.js';
import { notApplicable, type NotApplicable } from './notApplicable.js';

/** One point of the curve. */
export interface BestOfNPoint {
  readonly n: number;
  /** Groups with at least `n` samples (the others cannot say anything at this N). */
  readonly count: number;
  /** Mean selection credit over those groups. */
  readonly accuracy: number;
  /** Fraction of those groups with a correct answer among their first `n` samples (pass@n): the ceiling. */
  readonly oracle: number;
}

/** The curve. */
export interface BestOfNCurve {
  readonly kind: 'bestOfNCurve';
  /** Increasing N (see {@link curveSizes}). */
  readonly points: readonly BestOfNPoint[];
  /** Groups counted (those at N = 1). */
  readonly groups: number;
  /** Groups left out: no sample, or a sample whose score is not finite. */
  readonly skipped: number;
}

/** The N the curve is drawn at: every N up to 16, then powers of two, then `maxN` itself. Never more than ~60. */
export function curveSizes(maxN: number): number[] {
  const out: number[] = [];
  for (let n = 1; n <= maxN; n = n < 16 ? n + 1 : n * 2) out.push(n);
  if (maxN >= 1 && out[out.length - 1] !== maxN) out.push(maxN);
  return out;
}

/**
 * Selection accuracy and pass@n against N over `groups` (samples in their given order). A group whose whole
 * candidate list has no selection credit (empty, or a non-finite score) is skipped at every N, as
 * `bestOfNMetrics` skips it. Not applicable when no group is left.
 */
export function bestOfNCurve(groups: readonly CandidateGroup[]): BestOfNCurve | NotApplicable {
  const usable = groups.filter((g) => selectionCredit(g.candidates) !== undefined);
  const skipped = groups.length - usable.length;
  if (usable.length === 0) return notApplicable('No prompt has two or more scored samples with a known correct/incorrect answer.');
  const maxN = usable.reduce((a, g) => Math.max(a, g.candidates.length), 0);
  const points = curveSizes(maxN).map((n): BestOfNPoint => {
    let count = 0;
    let credit = 0;
    let solvable = 0;
    for (const g of usable) {
      if (g.candidates.length < n) continue;
      const first = g.candidates.slice(0, n);
      count++;
      credit += selectionCredit(first) ?? 0;
      if (first.some((c) => c.correct)) solvable++;
    }
    return { n, count, accuracy: credit / count, oracle: solvable / count };
  });
  return { kind: 'bestOfNCurve', points, groups: usable.length, skipped };
}
