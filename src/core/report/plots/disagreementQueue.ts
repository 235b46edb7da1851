/**
 * The dashboard's disagreement queue: the labelled records where the model contradicts the dataset's label most
 * confidently (likely label noise or model failure), each pointing back at its record so the dashboard can open
 * its Judgment Diff or Trace Tree.
 *
 * Confidence is a distance in the model's own score units, measured from the point where the model's verdict
 * would flip to agree with the label: the threshold for traces, a zero margin for preference sets. A record just
 * on the wrong side is a weak contradiction (a near miss the threshold decides); one far on the wrong side is the
 * model being sure the label is wrong. Distances from the same model are comparable across the three kinds, which
 * is why they share one ranking.
 */
import { firstUnder } from '../../scoring/aggregate.js';
import type { ScoredPreference, ScoredRecord, ScoredTrace, ScoringSettings } from '../../scoring/scoreRecords.js';
import { formatScore, preview } from '../scoreTable.js';

/** Ids longer than this are cut (with `…`) so the queue stays small whatever the dataset's ids look like. */
export const QUEUE_TEXT_LIMIT = 160;

/** One record where the model contradicts its label. */
export interface DisagreementEntry {
  /** Index into the scored list the queue was built from; the dashboard maps it back to the record. */
  readonly recordIndex: number;
  /** The record's id, as a one-line preview of at most {@link QUEUE_TEXT_LIMIT} characters. */
  readonly id: string;
  readonly kind: 'trace' | 'preference';
  /** A short sentence for the user; steps are numbered from 1 in it. */
  readonly reason: string;
  /** How far (≥ 0, in score units) the deciding score lies on the wrong side; larger is more confident. */
  readonly confidence: number;
  /**
   * The deciding score: the step score behind the contradiction (step-labelled traces), the trace score
   * (traces with only a final `correct` flag), or the chosen side's score as the margin counts it (preference
   * sets: the mean of the chosen responses, or the lowest chosen one for best-of-N).
   */
  readonly score: number;
  /** Traces: 0-based index of the model's first step under the threshold, null for none. */
  readonly firstError?: number | null;
  /** Step-labelled traces: 0-based index of the dataset's first `bad` step, null for none. */
  readonly labelledFirstError?: number | null;
  /** Preference sets: `ScoredPreference.margin` (≤ 0 here). */
  readonly margin?: number;
}

/** The queue and the counts the dashboard states beside it ("12 of 340 labelled records disagree"). */
export interface DisagreementQueue {
  readonly kind: 'disagreementQueue';
  /** At most `limit` entries, most confident first; equal confidences keep record order. */
  readonly entries: readonly DisagreementEntry[];
  /** Every disagreement found, including those cut by the limit. */
  readonly disagreements: number;
  /** Records with a label and a model verdict on it (agreeing or not). */
  readonly considered: number;
  /** Records with nothing to compare against: no step label, no `correct` flag, or a preference set missing a side. */
  readonly unlabeled: number;
  /** Labelled records the model gave no usable verdict on (missing or non-finite scores). */
  readonly unscored: number;
}

/** A record's verdict against its label, before the limit. */
type Verdict = { readonly kind: 'agree' } | { readonly kind: 'unlabeled' } | { readonly kind: 'unscored' } | { readonly kind: 'disagree'; readonly entry: Omit<DisagreementEntry, 'recordIndex' | 'id' | 'kind'> };

const AGREE: Verdict = { kind: 'agree' };
const UNLABELED: Verdict = { kind: 'unlabeled' };
const UNSCORED: Verdict = { kind: 'unscored' };

/** 1-based step name for a 0-based index, as the rest of the reports number steps. */
const stepName = (i: number): string => `step ${i + 1}`;

/**
 * Step labels: the model's first error (first step under the threshold) against the dataset's first `bad` step.
 * - The model errs earlier than the label (or the label has no bad step): the deciding step is the model's first
 *   error, which the label counts as fine; confidence = threshold − its score.
 * - The model errs later or never: the deciding step is the labelled bad step, which the model passes;
 *   confidence = its score − threshold. No finite score for that step means no verdict (unscored).
 */
function stepVerdict(t: ScoredTrace, scores: readonly number[], threshold: number): Verdict {
  const labels = t.record.steps.map((s) => s.label);
  const labelled = labels.indexOf('bad');
  const firstError = firstUnder(scores, threshold);
  const fields = { firstError, labelledFirstError: labelled === -1 ? null : labelled };
  if (labelled === -1) {
    if (firstError === null) return AGREE;
    // The dataset is silent from its last labelled step on, so a first error out there contradicts nothing.
    if (labels.slice(firstError).every((l) => l === 'unknown')) return AGREE;
    const score = scores[firstError] ?? Number.NaN;
    const labelText = labels.every((l) => l === 'good') ? 'labelled correct at every step' : 'no step labelled bad';
    return { kind: 'disagree', entry: { ...fields, score, confidence: threshold - score, reason: `${labelText}; model puts the first error at ${stepName(firstError)} (score ${formatScore(score)})` } };
  }
  if (firstError === labelled) return AGREE;
  if (firstError !== null && firstError < labelled) {
    const score = scores[firstError] ?? Number.NaN;
    const reason = `labelled first error at ${stepName(labelled)}; model puts it earlier, at ${stepName(firstError)} (score ${formatScore(score)})`;
    return { kind: 'disagree', entry: { ...fields, score, confidence: threshold - score, reason } };
  }
  const score = scores[labelled];
  if (score === undefined || !Number.isFinite(score)) return UNSCORED;
  const after = firstError === null ? 'finds no error' : `puts the first error at ${stepName(firstError)}`;
  const reason = `labelled first error at ${stepName(labelled)}; model passes it (score ${formatScore(score)}) and ${after}`;
  return { kind: 'disagree', entry: { ...fields, score, confidence: score - threshold, reason } };
}

/** Only a final `correct` flag: the trace score on the wrong side of the threshold, by how much. */
function finalVerdict(correct: boolean, score: number, firstError: number | null, threshold: number): Verdict {
  const passes = score >= threshold;
  if (passes === correct) return AGREE;
  const reason = correct
    ? `labelled correct; model scores the trace ${formatScore(score)}, under the threshold ${formatScore(threshold)}`
    : `labelled incorrect; model scores the trace ${formatScore(score)}, at or over the threshold ${formatScore(threshold)}`;
  return { kind: 'disagree', entry: { firstError, score, confidence: correct ? threshold - score : score - threshold, reason } };
}

/**
 * Step labels win over the final flag when both exist (they say where the error is, not only that there is one),
 * but only when some step has a finite score; an outcome model's sequence score is judged against the flag.
 */
function traceVerdict(t: ScoredTrace, threshold: number): Verdict {
  const scores = t.steps.map((s) => s.score);
  const stepLabelled = t.record.steps.some((s) => s.label !== 'unknown');
  const correct = t.record.correct;
  if (!stepLabelled && correct === undefined) return UNLABELED;
  if (stepLabelled && scores.some((s) => Number.isFinite(s))) return stepVerdict(t, scores, threshold);
  if (correct === undefined || t.score === undefined || !Number.isFinite(t.score)) return UNSCORED;
  return finalVerdict(correct, t.score, firstUnder(scores, threshold), threshold);
}

/** The chosen side's score as `preferenceMargin` counts it: mean chosen, or lowest chosen for best-of-N. */
function chosenScore(p: ScoredPreference): number {
  const chosen = p.record.responses.flatMap((r, i) => (r.chosen ? [p.responses[i]?.score ?? Number.NaN] : []));
  if (p.record.comparison === 'best-of-n') return Math.min(...chosen);
  return chosen.reduce((a, b) => a + b, 0) / chosen.length;
}

/** Preference sets: a margin ≤ 0 (`agreesWithLabel === false`); confidence = |margin|. */
function preferenceVerdict(p: ScoredPreference): Verdict {
  const sides = p.record.responses;
  if (!sides.some((r) => r.chosen) || !sides.some((r) => !r.chosen)) return UNLABELED;
  // A NaN margin makes `agreesWithLabel` false; that is a missing verdict, not a contradiction.
  if (p.margin === null || !Number.isFinite(p.margin)) return UNSCORED;
  if (p.agreesWithLabel !== false) return AGREE;
  const margin = p.margin;
  const by = formatScore(-margin);
  const reason =
    margin === 0
      ? 'chosen and rejected responses scored the same (margin 0)'
      : p.record.comparison === 'best-of-n'
        ? `lowest chosen response scored ${by} below the highest rejected one`
        : sides.length === 2
          ? `chosen response scored ${by} below the rejected one`
          : `chosen responses scored ${by} below the rejected ones on average`;
  return { kind: 'disagree', entry: { margin, score: chosenScore(p), confidence: Math.abs(margin), reason } };
}

/**
 * The records where the model contradicts the label, most confident first (see the module comment for what
 * confidence means per kind), at most `limit` of them; equal confidences keep record order. Agreements,
 * unlabelled and unscored records are never entries; every record is counted in exactly one of `considered`,
 * `unlabeled` and `unscored`. `settings.threshold` decides first errors and trace verdicts (the stored
 * `firstError` is recomputed with it). Throws `RangeError` for a `limit` that is not an integer ≥ 0.
 */
export function disagreementQueue(scored: readonly ScoredRecord[], settings: Pick<ScoringSettings, 'threshold'>, limit = 50): DisagreementQueue {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`Disagreement queue limit must be an integer ≥ 0, got ${limit}.`);
  const found: DisagreementEntry[] = [];
  let considered = 0;
  let unlabeled = 0;
  let unscored = 0;
  scored.forEach((s, recordIndex) => {
    const v = s.kind === 'trace' ? traceVerdict(s, settings.threshold) : preferenceVerdict(s);
    if (v.kind === 'unlabeled') unlabeled++;
    else if (v.kind === 'unscored') unscored++;
    else {
      considered++;
      if (v.kind === 'disagree') found.push({ recordIndex, id: s.record.id, kind: s.kind, ...v.entry });
    }
  });
  found.sort((a, b) => b.confidence - a.confidence || a.recordIndex - b.recordIndex);
  // Previews only for the entries kept: a large file has many disagreements and long ids.
  const entries = found.slice(0, limit).map((e) => ({ ...e, id: preview(e.id, QUEUE_TEXT_LIMIT), reason: preview(e.reason, QUEUE_TEXT_LIMIT) }));
  return { kind: 'disagreementQueue', entries, disagreements: found.length, considered, unlabeled, unscored };
}
