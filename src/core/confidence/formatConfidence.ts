/**
 * Confidence as hovers show it: the step hover's confidence line and a token's own hover. Markdown, with every piece
 * of trace text escaped.
 */
import type { Trace } from '../dataset/types.js';
import { escapeMarkdown } from '../text/escape.js';
import { confidenceAgreement, stepConfidence, tokenEntropy, type ConfidenceSummary } from './stepConfidence.js';

/** What the step hover's confidence line shows. */
export interface ConfidenceHoverInput {
  readonly step: ConfidenceSummary;
  /** Spearman's ρ over the trace's steps; null when undefined; absent when the trace has no step scores yet. */
  readonly agreement?: number | null;
}

/** `x` with `digits` decimals and a true minus sign (`−0.42`); never `−0.00`. */
export function formatSigned(x: number, digits: number): string {
  const s = Math.abs(x).toFixed(digits);
  return x < 0 && Number(s) !== 0 ? `\u2212${s}` : s;
}

/**
 * `Confidence: mean log-prob −0.42 · entropy 0.81 nats · agrees with the reward model: ρ 0.60`. Entropy is left out
 * when the record lists no alternatives; agreement when the trace is not scored, and said to be undefined when it
 * cannot be computed.
 */
export function confidenceLine(c: ConfidenceHoverInput): string {
  const parts = [`Confidence: mean log-prob ${formatSigned(c.step.meanLogprob, 2)}`];
  if (c.step.entropy !== null) parts.push(`entropy ${formatSigned(c.step.entropy, 2)} nats`);
  if (c.agreement !== undefined) {
    parts.push(c.agreement === null ? 'agreement with the reward model: undefined (needs 2 scored steps that differ)' : `agrees with the reward model: ρ ${formatSigned(c.agreement, 2)}`);
  }
  return parts.join(' · ');
}

/**
 * The confidence line's input for step `stepIndex` of `trace`, or undefined when the step has no tokens. `scores`
 * (the reward model's step scores, by step index) adds the trace's agreement; leave it out when the trace is not scored.
 */
export function stepConfidenceHover(trace: Trace, stepIndex: number, scores?: readonly (number | null | undefined)[]): ConfidenceHoverInput | undefined {
  if (trace.logprobs === undefined) return undefined;
  const all = stepConfidence(trace);
  const step = all[stepIndex];
  if (step === null || step === undefined) return undefined;
  return scores === undefined ? { step } : { step, agreement: confidenceAgreement(all, scores) };
}

/** A token as a quoted, escaped string, so whitespace and markdown in it stay visible and inert. */
function tokenLabel(token: string): string {
  return escapeMarkdown(JSON.stringify(token));
}

/** How many alternatives a token hover lists. */
const MAX_ALTERNATIVES = 5;

/**
 * A token's hover: `**Token** " the" · p 0.420 (log-prob −0.87) · entropy 1.02 nats`, then its listed alternatives by
 * probability (`" a" 0.300 · " an" 0.100`). `text` is the token's characters as shown.
 */
export function formatTokenHover(trace: Trace, token: number, text: string): string {
  const lp = trace.logprobs;
  if (lp === undefined) return '';
  const logprob = lp.logprobs[token] ?? 0;
  const entropy = tokenEntropy(lp, token);
  const head = [`**Token** ${tokenLabel(text)}`, `p ${Math.exp(logprob).toFixed(3)} (log-prob ${formatSigned(logprob, 2)})`];
  if (entropy !== undefined) head.push(`entropy ${formatSigned(entropy, 2)} nats over the listed alternatives`);
  const lines = [head.join(' · ')];
  const a = lp.alternatives;
  if (a !== undefined) {
    const alts: { token: string; logprob: number }[] = [];
    for (let k = a.starts[token] ?? 0; k < (a.starts[token + 1] ?? 0); k++) alts.push({ token: a.tokens[k] ?? '', logprob: a.logprobs[k] ?? 0 });
    alts.sort((x, y) => y.logprob - x.logprob);
    lines.push(
      alts.length === 0
        ? 'No other token was listed.'
        : `Alternatives: ${alts
            .slice(0, MAX_ALTERNATIVES)
            .map((x) => `${tokenLabel(x.token)} ${Math.exp(x.logprob).toFixed(3)}`)
            .join(' · ')}`,
    );
  }
  return lines.join('\n\n');
}
