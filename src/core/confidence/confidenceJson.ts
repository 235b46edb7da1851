/**
 * Confidence as the CLI's `--json` prints it (snake_case). Only traces that carry token log-probabilities get these
 * fields; every other record prints exactly as before.
 */
import type { Trace } from '../dataset/types.js';
import type { ScoredRecord } from '../scoring/scoreRecords.js';
import { confidenceAgreement, pooledAgreement, stepConfidence, traceConfidence, type ConfidenceSummary } from './stepConfidence.js';

/** One summary as JSON: `{mean_logprob, entropy, self_certainty, tokens}` (nats; entropy and self-certainty may be null). */
export interface ConfidenceJson {
  readonly mean_logprob: number;
  readonly entropy: number | null;
  readonly self_certainty: number | null;
  readonly tokens: number;
}

/** A summary as JSON; null stays null (a step the tokens do not cover). */
export function confidenceJson(c: ConfidenceSummary | null): ConfidenceJson | null {
  return c === null ? null : { mean_logprob: c.meanLogprob, entropy: c.entropy, self_certainty: c.selfCertainty, tokens: c.tokens };
}

/** Each step's `confidence` (indexed like the steps), or undefined for a trace without log-probabilities. */
export function stepConfidenceJson(trace: Trace): (ConfidenceJson | null)[] | undefined {
  return trace.logprobs === undefined ? undefined : stepConfidence(trace).map(confidenceJson);
}

/**
 * The trace's `confidence` field over all its tokens, with `agreement` (Spearman's ρ between step mean log-prob and
 * step score; null when undefined) when `scores` are given; `{}` for a trace without log-probabilities.
 */
export function traceConfidenceJson(trace: Trace, scores?: readonly (number | null | undefined)[]): { confidence?: ConfidenceJson & { agreement?: number | null } } {
  const all = confidenceJson(traceConfidence(trace));
  if (all === null) return {};
  return { confidence: scores === undefined ? all : { ...all, agreement: confidenceAgreement(stepConfidence(trace), scores) } };
}

/**
 * A scored file's `confidence_agreement`: Spearman's ρ between step mean log-prob and step score over every step of
 * every trace with log-probabilities (null when undefined); `{}` when no trace has them.
 */
export function fileConfidenceJson(scored: readonly ScoredRecord[]): { confidence_agreement?: number | null } {
  const traces = scored.flatMap((s) => (s.kind === 'trace' && s.record.logprobs !== undefined ? [{ confidence: stepConfidence(s.record), scores: s.steps.map((x) => x.score) }] : []));
  return traces.length === 0 ? {} : { confidence_agreement: pooledAgreement(traces) };
}
