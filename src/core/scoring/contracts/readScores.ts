/**
 * Turns the model's output rows at the read positions into scores, as each reference code does:
 * softmax over classes (token classification), softmax over the good/bad logits (causal LM), sigmoid
 * of the value (value head), or the raw logit (sequence classification).
 */
import type { ResolvedContract } from './contractTypes.js';

/** Logistic function, stable for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Softmax probability of class `index` over `logits`. */
export function softmaxAt(logits: ArrayLike<number>, index: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] ?? Number.NEGATIVE_INFINITY);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp((logits[i] ?? 0) - max);
  return Math.exp((logits[index] ?? Number.NEGATIVE_INFINITY) - max) / sum;
}

/**
 * Bradley–Terry preference: the probability that response a is preferred over b, `sigmoid(r_a − r_b)`,
 * from two raw ORM logits.
 */
export function preferenceProbability(rewardA: number, rewardB: number): number {
  return sigmoid(rewardA - rewardB);
}

/**
 * The columns of the output row the scorer needs: `[good, bad]` vocabulary ids for causal LMs (so only
 * two of the vocabulary's logits leave the runtime), or undefined for the whole row.
 */
export function neededColumns(c: ResolvedContract): readonly number[] | undefined {
  return c.output === 'causal-lm' ? c.columns : undefined;
}

/**
 * The score of one read row. `row` holds the needed columns only (see {@link neededColumns}): the class
 * logits, `[good, bad]` logits, the value, or the sequence logits.
 */
export function scoreRow(c: ResolvedContract, row: ArrayLike<number>): number {
  const p = c.params;
  switch (p.kind) {
    case 'chat-separator':
    case 'piece-separator':
      return softmaxAt(row, p.labelIndex);
    case 'tagged-text':
    case 'chat-turns':
      return softmaxAt(row, 0);
    case 'step-newlines':
      return p.applySigmoid ? sigmoid(row[0] ?? Number.NaN) : (row[0] ?? Number.NaN);
    case 'chat-response':
      return row[p.labelIndex] ?? Number.NaN;
  }
}
