import { diffWordsWithSpace } from 'diff';
import type { PreferenceSet, Step } from '../dataset/types.js';
import type { JudgeReport, StepScore } from '../scoring/scorer.js';
import { preferenceMargin } from '../scoring/scoreRecords.js';

/** A scorer's written critique of one step of a response, placed in the response text. */
export interface StepCritique {
  /** 0-based index of the step in its response. */
  readonly step: number;
  readonly text: string;
  /** The step's score, when it has a finite one. */
  readonly score?: number;
  /** Where the step's text lies in the response `text`, `[start, end)`; absent when it cannot be found there. */
  readonly start?: number;
  readonly end?: number;
}

/** One response as the Judgment Diff shows it. */
export interface JudgmentResponse {
  /** Position in the record's `responses`. */
  readonly index: number;
  readonly text: string;
  /** True when the dataset prefers it. */
  readonly chosen: boolean;
  /** The model's score (aggregated step score, or an ORM's raw logit); absent when unscored. */
  readonly score?: number;
  /** 1-based rank by score, highest first; absent when unscored. Ties share order of appearance. */
  readonly rank?: number;
  readonly model?: string;
  /** A dataset-supplied rating (UltraFeedback score, HelpSteer helpfulness…). */
  readonly rating?: number;
  readonly stepCount: number;
  /** The scorer's step critiques, in step order (empty when it wrote none or the response is unscored). */
  readonly critiques: readonly StepCritique[];
  /** A generative judge's verdicts and reasoning about this response, when a judge scored it. */
  readonly judge?: JudgmentJudge;
}

/** What the Judgment Diff shows of a judge's work on one response. */
export interface JudgmentJudge {
  readonly name: string;
  /** The verdict as written (for pairwise judges: with this response as A). */
  readonly verdict: string | null;
  /** Pairwise judges: the verdicts with this response as A and as B, and whether they pick the same response. */
  readonly orderAb?: string | null;
  readonly orderBa?: string | null;
  readonly consistent?: boolean;
  /** The judge's whole output (and, for pairwise judges, the B/A order's output). */
  readonly text: string;
  readonly textBa?: string;
  readonly truncated: boolean;
  readonly source: 'logprob' | 'verdict';
}

function judgmentJudge(j: JudgeReport): JudgmentJudge {
  return {
    name: j.name,
    verdict: j.verdict,
    ...(j.orderAb !== undefined ? { orderAb: j.orderAb } : {}),
    ...(j.orderBa !== undefined ? { orderBa: j.orderBa } : {}),
    ...(j.consistent !== undefined ? { consistent: j.consistent } : {}),
    text: j.text,
    ...(j.textBa !== undefined ? { textBa: j.textBa } : {}),
    truncated: j.truncated,
    source: j.source,
  };
}

/**
 * How the view lays out a set: `pair` side by side (chosen left, rejected right), `ranked` as a list of N ranked by
 * score with two of them compared, `single` for TRL's unpaired records.
 */
export type JudgmentLayout = 'pair' | 'ranked' | 'single';

/** Everything the Judgment Diff shows for one preference record. */
export interface Judgment {
  readonly id: string;
  readonly prompt: string;
  readonly subset?: string;
  readonly comparison: PreferenceSet['comparison'];
  readonly layout: JudgmentLayout;
  /** Responses in dataset order. */
  readonly responses: readonly JudgmentResponse[];
  /** Response indices ordered by score, highest first; unscored responses last, in dataset order. */
  readonly ranking: readonly number[];
  /** The pair compared by default: left is a chosen response, right a rejected one (absent for `single`). */
  readonly left: number;
  readonly right?: number;
  /** `preferenceMargin`: r(chosen) − r(rejected) for pairs (means for matrices), min chosen − max rejected for best-of-N. */
  readonly margin: number | null;
  /** True when the margin is positive, false when not (the model disagrees with the label), null without a margin. */
  readonly agreesWithLabel: boolean | null;
  /** The dataset label in words, e.g. `response 1 preferred over response 2 (chosen/rejected keys)`. */
  readonly labelText: string;
  /** How many responses have a score. */
  readonly scoredCount: number;
}

function rankingOf(responses: readonly JudgmentResponse[]): number[] {
  const scored = responses.filter((r) => r.score !== undefined);
  const unscored = responses.filter((r) => r.score === undefined);
  // Array.prototype.sort is stable, so equal scores keep dataset order.
  scored.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  return [...scored, ...unscored].map((r) => r.index);
}

function labelTextOf(set: PreferenceSet): string {
  const chosen = set.responses.flatMap((r, i) => (r.chosen ? [i + 1] : []));
  const rejected = set.responses.flatMap((r, i) => (r.chosen ? [] : [i + 1]));
  const list = (xs: readonly number[]): string => (xs.length === 1 ? `response ${xs[0]}` : `responses ${xs.join(', ')}`);
  let text: string;
  if (set.comparison === 'unpaired') text = set.responses[0]?.chosen === true ? 'desirable' : 'undesirable';
  else if (chosen.length === 0) text = 'no response preferred';
  else if (rejected.length === 0) text = `${list(chosen)} preferred`;
  else text = `${list(chosen)} preferred over ${list(rejected)}`;
  return `${text} (${set.labelSource})`;
}

/**
 * The critiques of a response's steps, each placed at its step's text in the response. Steps are decoded slices of
 * the response text in order, so each is searched for after the previous one; a step not found (a response assembled
 * from several messages) keeps its critique without a place.
 */
export function stepCritiques(text: string, steps: readonly Step[], scores: readonly StepScore[] | undefined): StepCritique[] {
  if (!scores) return [];
  const out: StepCritique[] = [];
  let cursor = 0;
  steps.forEach((step, i) => {
    const at = step.text === '' ? -1 : text.indexOf(step.text, cursor);
    if (at !== -1) cursor = at + step.text.length;
    const sc = scores[i];
    const critique = sc?.critique?.trim();
    if (!sc || critique === undefined || critique === '') return;
    out.push({
      step: i,
      text: critique,
      ...(Number.isFinite(sc.score) ? { score: sc.score } : {}),
      ...(at !== -1 ? { start: at, end: at + step.text.length } : {}),
    });
  });
  return out;
}

/**
 * Builds the Judgment Diff model of a preference set. `scores[i]` is response `i`'s score (undefined when
 * unscored); `stepScores[i]`, when given, its step scores, whose critiques the view shows beside the steps;
 * `judges[i]`, when a generative judge scored it, the judge's verdicts (both orders for pairwise judges) and output. The default compared pair is the best-scored chosen response against the best-scored rejected one
 * (the rejected response the model likes most is the one that matters for the label); unscored sets compare the
 * first chosen with the first rejected.
 */
export function buildJudgment(
  set: PreferenceSet,
  scores: readonly (number | undefined)[],
  stepScores: readonly (readonly StepScore[] | undefined)[] = [],
  judges: readonly (JudgeReport | undefined)[] = [],
): Judgment {
  const base = set.responses.map((r, index): JudgmentResponse => {
    const score = scores[index];
    const judge = judges[index];
    return {
      index,
      text: r.text,
      chosen: r.chosen,
      ...(score !== undefined ? { score } : {}),
      ...(r.model !== undefined ? { model: r.model } : {}),
      ...(r.rating !== undefined ? { rating: r.rating } : {}),
      stepCount: r.steps.length,
      critiques: stepCritiques(r.text, r.steps, stepScores[index]),
      ...(judge !== undefined ? { judge: judgmentJudge(judge) } : {}),
    };
  });
  const ranking = rankingOf(base);
  const rankOf = new Map(ranking.filter((i) => base[i]?.score !== undefined).map((i, k) => [i, k + 1]));
  const responses = base.map((r): JudgmentResponse => {
    const rank = rankOf.get(r.index);
    return rank === undefined ? r : { ...r, rank };
  });
  const firstIn = (chosen: boolean): number | undefined => ranking.find((i) => responses[i]?.chosen === chosen);
  const single = set.comparison === 'unpaired' || responses.length < 2;
  const chosenCount = responses.filter((r) => r.chosen).length;
  const layout: JudgmentLayout = single ? 'single' : responses.length === 2 && chosenCount === 1 ? 'pair' : 'ranked';
  const left = single ? 0 : (firstIn(true) ?? 0);
  const right = single ? undefined : (firstIn(false) ?? ranking.find((i) => i !== left));
  const margin = preferenceMargin(set, scores);
  return {
    id: set.id,
    prompt: set.prompt,
    ...(set.subset !== undefined ? { subset: set.subset } : {}),
    comparison: set.comparison,
    layout,
    responses,
    ranking,
    left,
    ...(right !== undefined ? { right } : {}),
    margin,
    agreesWithLabel: margin === null ? null : margin > 0,
    labelText: labelTextOf(set),
    scoredCount: responses.filter((r) => r.score !== undefined).length,
  };
}

/** A run of text that both sides share, or that only the left (`removed`) or only the right (`added`) has. */
export interface DiffPart {
  readonly kind: 'same' | 'removed' | 'added';
  readonly text: string;
}

/** Above this many characters in total, `diffResponses` does not try (word diffs are O(N·D)). */
export const MAX_DIFF_CHARS = 200_000;

/** Why a diff was not computed. */
export type DiffSkipped = { readonly skipped: 'tooLong' | 'tooDifferent'; readonly chars: number };

/**
 * Word-level diff of two responses (whitespace runs count as tokens, so the parts concatenate back to the exact
 * texts: `same`+`removed` parts give `left`, `same`+`added` parts give `right`). Gives up on texts longer than
 * `MAX_DIFF_CHARS` together or when the diff exceeds `timeoutMs`, returning why instead.
 */
export function diffResponses(left: string, right: string, timeoutMs = 1000): readonly DiffPart[] | DiffSkipped {
  const chars = left.length + right.length;
  if (chars > MAX_DIFF_CHARS) return { skipped: 'tooLong', chars };
  const changes = diffWordsWithSpace(left, right, { timeout: timeoutMs });
  if (changes === undefined) return { skipped: 'tooDifferent', chars };
  return changes
    .filter((c) => c.value !== '')
    .map((c): DiffPart => ({ kind: c.added ? 'added' : c.removed ? 'removed' : 'same', text: c.value }));
}

/** The parts one side shows: the left side drops `added` parts, the right side drops `removed` ones. */
export function sideParts(parts: readonly DiffPart[], side: 'left' | 'right'): DiffPart[] {
  const hidden = side === 'left' ? 'added' : 'removed';
  return parts.filter((p) => p.kind !== hidden);
}
