// Pure model of what the Judgment Diff shows: the verdict line and the two compared panes with their diff runs.
// No DOM: unit-tested in plain Node. Display strings have bidi controls made visible.
import { diffResponses, sideParts, type DiffPart, type Judgment, type JudgmentResponse } from '../../src/core/diff/alignResponses.js';
import { neutraliseBidi } from '../../src/core/text/escape.js';
import type { ViewScoring } from '../../src/protocol/messages.js';
import { formatMargin, formatScore } from '../format/numbers.js';
import { scoreClass, type ScoreClass } from '../format/scoreColor.js';

/** Characters of a response shown when no diff could be computed. */
export const MAX_PLAIN_CHARS = 100_000;

/** The headline: does the model agree with the dataset's label? */
export interface Verdict {
  readonly kind: 'agree' | 'disagree' | 'unscored' | 'noMargin';
  readonly text: string;
}

/** One side of the comparison. `parts` are display-safe runs; `same` runs are shared with the other side. */
export interface Pane {
  readonly index: number;
  readonly side: 'left' | 'right';
  /** `Chosen` / `Rejected` (or `Desirable` / `Undesirable` for unpaired records). */
  readonly role: string;
  readonly chosen: boolean;
  readonly heading: string;
  readonly facts: readonly string[];
  readonly scoreText: string;
  readonly scoreClass: ScoreClass;
  readonly parts: readonly DiffPart[];
  /** Set when the text was shown without a diff, saying why. */
  readonly notice?: string;
}

/** The verdict of a judgment in words. */
export function verdictOf(j: Judgment): Verdict {
  if (j.scoredCount === 0) return { kind: 'unscored', text: 'Not scored: score this record to compare the model with the dataset label.' };
  if (j.agreesWithLabel === null) {
    if (j.scoredCount < j.responses.length) return { kind: 'unscored', text: `Partly scored (${j.scoredCount} of ${j.responses.length} responses); no margin yet.` };
    return { kind: 'noMargin', text: j.comparison === 'unpaired' ? `Score ${formatScore(j.responses[0]?.score)}; the dataset labels this response ${j.labelText}.` : 'No margin: the label names no rejected (or no chosen) response.' };
  }
  const margin = `margin r(chosen) \u2212 r(rejected) = ${formatMargin(j.margin)}`;
  return j.agreesWithLabel
    ? { kind: 'agree', text: `The model agrees with the label: ${margin}.` }
    : { kind: 'disagree', text: `The model disagrees with the label: ${margin}.` };
}

function roleOf(j: Judgment, r: JudgmentResponse): string {
  if (j.comparison === 'unpaired') return r.chosen ? 'Desirable' : 'Undesirable';
  return r.chosen ? 'Chosen' : 'Rejected';
}

function factsOf(r: JudgmentResponse, total: number): string[] {
  const facts = [r.rank !== undefined ? `rank ${r.rank} of ${total}` : 'unranked', `${r.stepCount} step${r.stepCount === 1 ? '' : 's'}`];
  if (r.rating !== undefined) facts.push(`dataset rating ${r.rating}`);
  if (r.model !== undefined) facts.push(`by ${neutraliseBidi(r.model)}`);
  return facts;
}

function pane(j: Judgment, r: JudgmentResponse, side: 'left' | 'right', parts: readonly DiffPart[], s: ViewScoring, notice?: string): Pane {
  return {
    index: r.index,
    side,
    role: roleOf(j, r),
    chosen: r.chosen,
    heading: `${roleOf(j, r)} · response ${r.index + 1}`,
    facts: factsOf(r, j.responses.length),
    scoreText: formatScore(r.score),
    scoreClass: scoreClass(r.score, s),
    parts: parts.map((p) => ({ kind: p.kind, text: neutraliseBidi(p.text) })),
    ...(notice !== undefined ? { notice } : {}),
  };
}

function plain(text: string): DiffPart[] {
  return [{ kind: 'same', text: text.length > MAX_PLAIN_CHARS ? `${text.slice(0, MAX_PLAIN_CHARS)}…` : text }];
}

/**
 * The panes comparing responses `left` and `right` (indices into `j.responses`; `right` undefined shows one pane).
 * The word diff runs left → right: the left pane marks what only it has as `removed`, the right pane as `added`.
 * Texts too long or too different for a word diff are shown plainly with a notice on both panes.
 */
export function layoutPanes(j: Judgment, s: ViewScoring, left: number, right: number | undefined): Pane[] {
  const a = j.responses[left];
  if (!a) return [];
  const b = right === undefined ? undefined : j.responses[right];
  if (!b || b.index === a.index) return [pane(j, a, 'left', plain(a.text), s)];
  const diff = diffResponses(a.text, b.text);
  if ('skipped' in diff) {
    const notice =
      diff.skipped === 'tooLong'
        ? `These responses are too long to diff word by word (${diff.chars.toLocaleString('en-US')} characters); shown without highlighting.`
        : 'These responses differ too much to diff word by word in time; shown without highlighting.';
    return [pane(j, a, 'left', plain(a.text), s, notice), pane(j, b, 'right', plain(b.text), s, notice)];
  }
  return [pane(j, a, 'left', sideParts(diff, 'left'), s), pane(j, b, 'right', sideParts(diff, 'right'), s)];
}

/** The compared pair after the user picks response `index` for `side`; picking the other side's response swaps them. */
export function pick(current: { readonly left: number; readonly right?: number }, side: 'left' | 'right', index: number): { left: number; right?: number } {
  if (side === 'left') {
    if (index === current.right) return { left: index, right: current.left };
    return { left: index, ...(current.right !== undefined ? { right: current.right } : {}) };
  }
  if (index === current.left) return current.right === undefined ? { left: index } : { left: current.right, right: index };
  return { left: current.left, right: index };
}
