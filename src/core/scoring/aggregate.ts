/**
 * How step scores combine into one trace score.
 * - `min`: PURE's min-form credit, the weakest step decides.
 * - `product`: the probability that every step is correct, assuming independence.
 * - `mean`: average step score.
 * - `last`: the final step's score (ORM-like use of a PRM).
 */
export type Aggregation = 'min' | 'product' | 'mean' | 'last';

/** All aggregations, in display order. */
export const AGGREGATIONS: readonly Aggregation[] = ['min', 'product', 'mean', 'last'];

/**
 * Aggregates step scores; `undefined` for an empty list (no steps, nothing to say). Non-finite scores (a step the
 * model could not score, reported as NaN with a critique saying why) are left out.
 */
export function aggregate(all: readonly number[], method: Aggregation): number | undefined {
  const scores = all.every(Number.isFinite) ? all : all.filter(Number.isFinite);
  if (scores.length === 0) return undefined;
  switch (method) {
    case 'min':
      return scores.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    case 'product':
      return scores.reduce((a, b) => a * b, 1);
    case 'mean':
      return scores.reduce((a, b) => a + b, 0) / scores.length;
    case 'last':
      return scores[scores.length - 1];
  }
}

/** Every aggregation at once, for hovers and the CLI. */
export function aggregateAll(scores: readonly number[]): Record<Aggregation, number | undefined> {
  return { min: aggregate(scores, 'min'), product: aggregate(scores, 'product'), mean: aggregate(scores, 'mean'), last: aggregate(scores, 'last') };
}

/** 0-based index of the first step whose score is strictly under `threshold`, or `null` when none is. */
export function firstUnder(scores: readonly number[], threshold: number): number | null {
  // Only finite scores count: NaN (unscored, not judged) and a sidecar's null never mark a first error.
  const i = scores.findIndex((s) => Number.isFinite(s) && s < threshold);
  return i === -1 ? null : i;
}
