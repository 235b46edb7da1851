/**
 * Confidence figures from a trace's own token log-probabilities (the self-certainty signals of CRew / PEAR-style
 * rewards), per step and per trace, and their agreement with a reward model's step scores. Pure functions.
 */
import type { Trace } from '../dataset/types.js';
import { stepTokenSpan, type TraceLogprobs } from './tokenLogprobs.js';

/** Confidence of a run of tokens. Every figure is in nats. */
export interface ConfidenceSummary {
  /** How many tokens were counted. */
  readonly tokens: number;
  /** Mean log-probability of the sampled tokens (≤ 0; 0 = certain). */
  readonly meanLogprob: number;
  /**
   * Mean per-token entropy of the next-token distribution, **renormalised over the listed alternatives** (the
   * sampled token plus its `top_logprobs`), since servers report only the top k. It is a lower bound on the
   * full-vocabulary entropy when the listed tokens hold most of the mass. Null when the record lists no alternatives.
   */
  readonly entropy: number | null;
  /**
   * Mean self-certainty: KL(uniform ‖ p) over the same renormalised listed alternatives, a top-k stand-in for Kang et
   * al.'s full-vocabulary self-certainty (higher = more peaked = more certain; 0 for a token listed alone). Null when
   * the record lists no alternatives.
   */
  readonly selfCertainty: number | null;
}

/** The log-probabilities of token i's listed distribution: the sampled token first, then its alternatives. */
function listedLogprobs(lp: TraceLogprobs, i: number): number[] {
  const out = [lp.logprobs[i] ?? 0];
  const a = lp.alternatives;
  if (a === undefined) return out;
  for (let k = a.starts[i] ?? 0; k < (a.starts[i + 1] ?? 0); k++) out.push(a.logprobs[k] ?? 0);
  return out;
}

/** log Σ exp(x), stable. */
function logSumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/**
 * Token i's entropy (nats) over its listed alternatives renormalised to sum to 1: with `q_j = exp(lp_j) / Σ exp(lp)`,
 * `H = −Σ q_j ln q_j`. Undefined when the record lists no alternatives at all.
 */
export function tokenEntropy(lp: TraceLogprobs, i: number): number | undefined {
  if (lp.alternatives === undefined) return undefined;
  const xs = listedLogprobs(lp, i);
  const z = logSumExp(xs);
  let h = 0;
  for (const x of xs) h -= Math.exp(x - z) * (x - z);
  return h;
}

/** Token i's self-certainty (nats): `KL(U ‖ q) = −ln k − (1/k) Σ ln q_j` over its k listed alternatives renormalised. */
export function tokenSelfCertainty(lp: TraceLogprobs, i: number): number | undefined {
  if (lp.alternatives === undefined) return undefined;
  const xs = listedLogprobs(lp, i);
  const z = logSumExp(xs);
  let sum = 0;
  for (const x of xs) sum += x - z;
  // KL ≥ 0; rounding can leave −1e-17 for an even split.
  return Math.max(0, -Math.log(xs.length) - sum / xs.length);
}

/** The confidence of tokens `[first, end)`; null when the range is empty. */
export function summarizeTokens(lp: TraceLogprobs, first: number, end: number): ConfidenceSummary | null {
  if (end <= first) return null;
  let logprob = 0;
  let entropy = 0;
  let certainty = 0;
  const alts = lp.alternatives !== undefined;
  for (let i = first; i < end; i++) {
    logprob += lp.logprobs[i] ?? 0;
    if (!alts) continue;
    entropy += tokenEntropy(lp, i) ?? 0;
    certainty += tokenSelfCertainty(lp, i) ?? 0;
  }
  const n = end - first;
  return { tokens: n, meanLogprob: logprob / n, entropy: alts ? entropy / n : null, selfCertainty: alts ? certainty / n : null };
}

/**
 * Each step's confidence, indexed like `trace.steps`; null for a step its tokens do not cover, a step edited since
 * (see `stepTokenSpan`), or every step of a trace without logprobs.
 */
export function stepConfidence(trace: Trace): (ConfidenceSummary | null)[] {
  const lp = trace.logprobs;
  return trace.steps.map((_, i) => {
    const span = stepTokenSpan(trace, i);
    return lp === undefined || span === undefined ? null : summarizeTokens(lp, span.firstToken, span.endToken);
  });
}

/** The trace's confidence over all its tokens (those between steps too); null without logprobs. */
export function traceConfidence(trace: Trace): ConfidenceSummary | null {
  const lp = trace.logprobs;
  return lp === undefined ? null : summarizeTokens(lp, 0, lp.logprobs.length);
}

/** Ranks 1..n, ties sharing their average rank. */
function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const out = new Array<number>(xs.length);
  for (let k = 0; k < order.length; ) {
    let j = k;
    while (j + 1 < order.length && order[j + 1]?.x === order[k]?.x) j++;
    const rank = (k + j) / 2 + 1;
    for (let m = k; m <= j; m++) out[order[m]?.i ?? 0] = rank;
    k = j + 1;
  }
  return out;
}

/**
 * Spearman's rank correlation of paired values: Pearson's r of their ranks, ties given their average rank. Null when
 * undefined: fewer than 2 pairs, or either side constant.
 */
export function spearman(xs: readonly number[], ys: readonly number[]): number | null {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return null;
  const rx = ranks(xs.slice(0, n));
  const ry = ranks(ys.slice(0, n));
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (rx[i] ?? 0) - mean;
    const dy = (ry[i] ?? 0) - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** The (mean log-prob, score) pairs of the steps that have both, in step order. */
export function confidencePairs(confidence: readonly (ConfidenceSummary | null)[], scores: readonly (number | null | undefined)[]): { readonly conf: number[]; readonly score: number[] } {
  const conf: number[] = [];
  const score: number[] = [];
  confidence.forEach((c, i) => {
    const s = scores[i];
    if (c === null || typeof s !== 'number' || !Number.isFinite(s)) return;
    conf.push(c.meanLogprob);
    score.push(s);
  });
  return { conf, score };
}

/**
 * How far the trace's own confidence agrees with a reward model: Spearman's ρ between each step's mean token
 * log-probability and its step score, over the steps that have both. Null when undefined (see {@link spearman}).
 */
export function confidenceAgreement(confidence: readonly (ConfidenceSummary | null)[], scores: readonly (number | null | undefined)[]): number | null {
  const { conf, score } = confidencePairs(confidence, scores);
  return spearman(conf, score);
}

/** {@link confidenceAgreement} over every step of many traces pooled (a file's, a dataset's). */
export function pooledAgreement(traces: readonly { readonly confidence: readonly (ConfidenceSummary | null)[]; readonly scores: readonly (number | null | undefined)[] }[]): number | null {
  const conf: number[] = [];
  const score: number[] = [];
  for (const t of traces) {
    const p = confidencePairs(t.confidence, t.scores);
    // A loop, not push(...): a dataset can pool more steps than a call's argument limit.
    for (let i = 0; i < p.conf.length; i++) {
      conf.push(p.conf[i] ?? 0);
      score.push(p.score[i] ?? 0);
    }
  }
  return spearman(conf, score);
}
