// Pure model of what the Judgment Diff shows: the verdict line and the two compared panes with their diff runs.
// No DOM: unit-tested in plain Node. Display strings have bidi controls made visible.
import { diffResponses, sideParts, type DiffPart, type Judgment, type JudgmentJudge, type JudgmentResponse, type StepCritique } from '../../src/core/diff/alignResponses.js';
import { neutraliseBidi, truncate } from '../../src/core/text/escape.js';
import type { ComparedRunView, ViewScoring } from '../../src/protocol/messages.js';
import { formatMargin, formatScore } from '../format/numbers.js';
import { scoreClass, type ScoreClass } from '../format/scoreColor.js';

/** Characters of a response shown when no diff could be computed. */
export const MAX_PLAIN_CHARS = 100_000;
/** Characters of one critique shown in a pane. */
export const MAX_CRITIQUE_CHARS = 2_000;

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
  /** The scorer's step critiques, each shown in the text right after the step it concerns. */
  readonly critiques: readonly PaneCritique[];
  /** Set when the text was shown without a diff, saying why. */
  readonly notice?: string;
  /** A generative judge's verdicts on this response and its reasoning, display-safe. */
  readonly judge?: PaneJudge;
  /** While comparing two runs: both runs' scores of this response (see {@link comparedScoresText}). */
  readonly compared?: string;
}

/**
 * Both runs' scores of a response, named: `A · built-in verifier 0.912 | B · run-b.jsonl 0.420 (stale) · A − B
 * +0.492`. The difference is given only when both scored it. Names are display-safe (bidi controls visible).
 */
export function comparedScoresText(modelA: string, scoreA: number | undefined, compared: ComparedRunView, index: number): string {
  const b = compared.scores[index] ?? undefined;
  const diff = scoreA !== undefined && b !== undefined && Number.isFinite(scoreA) && Number.isFinite(b) ? ` · A \u2212 B ${formatMargin(scoreA - b)}` : '';
  const name = (n: string): string => truncate(neutraliseBidi(n), 120);
  return `A · ${name(modelA)} ${formatScore(scoreA)} | B · ${name(compared.name)} ${formatScore(b)}${compared.stale && b !== undefined ? ' (stale)' : ''}${diff}`;
}

/** What a pane shows of a judge's work. */
export interface PaneJudge {
  /** One line: `pairwise judge · as A: A · as B: A · inconsistent (position bias)` or `thinkprm judge · verdict No`. */
  readonly summary: string;
  readonly consistent?: boolean;
  /** The judge's output (the A/B order's for pairwise judges) and the B/A order's. */
  readonly reasoning: readonly { readonly title: string; readonly text: string }[];
}

/** A judge's part of a pane: its verdicts in words and its reasoning texts. */
export function paneJudge(j: JudgmentJudge): PaneJudge {
  const bits = [`${j.name} judge`];
  if (j.orderAb !== undefined || j.orderBa !== undefined) {
    bits.push(`as A: ${j.orderAb ?? 'no verdict'}`, `as B: ${j.orderBa ?? 'no verdict'}`);
    if (j.consistent !== undefined) bits.push(j.consistent ? 'consistent in both orders' : 'inconsistent (position bias)');
  } else {
    bits.push(`verdict ${j.verdict ?? 'none in the expected format'}`);
  }
  bits.push(j.source === 'logprob' ? 'scored from verdict-token probabilities' : 'scored from the verdict text');
  if (j.truncated) bits.push('output cut at the token limit');
  const reasoning = [{ title: j.textBa !== undefined ? 'Judge reasoning (this response as A)' : 'Judge reasoning', text: neutraliseBidi(j.text) }];
  if (j.textBa !== undefined) reasoning.push({ title: 'Judge reasoning (this response as B)', text: neutraliseBidi(j.textBa) });
  return { summary: bits.join(' · '), ...(j.consistent !== undefined ? { consistent: j.consistent } : {}), reasoning };
}

/** One critique as a pane shows it. */
export interface PaneCritique {
  /** 0-based index of the (last) step it concerns. */
  readonly step: number;
  /** Shown before `parts[at]` (`at === parts.length`: after the text). Parts are cut so a step's end is a boundary. */
  readonly at: number;
  /** False when the step could not be found in the shown text; the critique then follows the text. */
  readonly placed: boolean;
  /** `Step 2 · 0.120`; a run of steps with the same critique is shown once, as `Steps 2–5`. */
  readonly heading: string;
  /** Display-safe critique text. */
  readonly text: string;
  readonly scoreClass: ScoreClass;
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

/** Consecutive steps with the same critique (a model that could not score a response says so for every step) merge. */
function mergeRuns(critiques: readonly StepCritique[]): { first: number; last: StepCritique }[] {
  const runs: { first: number; last: StepCritique }[] = [];
  for (const c of critiques) {
    const prev = runs[runs.length - 1];
    if (prev && prev.last.step === c.step - 1 && prev.last.text === c.text) prev.last = c;
    else runs.push({ first: c.step, last: c });
  }
  return runs;
}

/**
 * Cuts `parts` (which concatenate to the shown text) at each critique's step end and says where each critique goes.
 * Offsets are of the raw text, so this runs before bidi controls are made visible (which changes lengths).
 */
function placeCritiques(raw: readonly DiffPart[], critiques: readonly StepCritique[], s: ViewScoring): { parts: DiffPart[]; critiques: PaneCritique[] } {
  const shown = raw.map((p) => p.text).join('');
  // A critique goes after its step's line break, if any, so the text does not show an empty line above the next step.
  const cutOf = (end: number | undefined): number | undefined => {
    if (end === undefined || end > shown.length) return undefined;
    const lineBreak = /^\r?\n/.exec(shown.slice(end, end + 2))?.[0].length ?? 0;
    return end + lineBreak;
  };
  const runs = mergeRuns(critiques);
  const cuts = [...new Set(runs.flatMap((r) => cutOf(r.last.end) ?? []))].sort((a, b) => a - b);
  const parts: DiffPart[] = [];
  const indexAt = new Map<number, number>();
  let pos = 0;
  let next = 0;
  for (const p of raw) {
    let from = 0;
    while (next < cuts.length && (cuts[next] ?? 0) <= pos + p.text.length) {
      const cut = (cuts[next] ?? 0) - pos;
      if (cut > from) parts.push({ kind: p.kind, text: p.text.slice(from, cut) });
      from = Math.max(from, cut);
      indexAt.set(cuts[next] ?? 0, parts.length);
      next++;
    }
    if (from < p.text.length) parts.push({ kind: p.kind, text: p.text.slice(from) });
    pos += p.text.length;
  }
  const placed: PaneCritique[] = runs.map(({ first, last }) => {
    const cut = cutOf(last.end);
    const at = cut === undefined ? undefined : indexAt.get(cut);
    const steps = first === last.step ? `Step ${last.step + 1}` : `Steps ${first + 1}\u2013${last.step + 1}`;
    return {
      step: last.step,
      at: at ?? parts.length,
      placed: at !== undefined,
      heading: `${steps}${last.score !== undefined ? ` · ${formatScore(last.score)}` : ''}${at === undefined ? ' (not found in the shown text)' : ''}`,
      text: truncate(neutraliseBidi(last.text.length > MAX_CRITIQUE_CHARS + 1 ? last.text.slice(0, MAX_CRITIQUE_CHARS + 1) : last.text), MAX_CRITIQUE_CHARS),
      scoreClass: scoreClass(last.score, s),
    };
  });
  // Stable: unplaced critiques keep step order after the placed ones at the end.
  placed.sort((a, b) => a.at - b.at);
  return { parts, critiques: placed };
}

function pane(j: Judgment, r: JudgmentResponse, side: 'left' | 'right', rawParts: readonly DiffPart[], s: ViewScoring, compared: ComparedRunView | undefined, notice?: string): Pane {
  const { parts, critiques } = placeCritiques(rawParts, r.critiques, s);
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
    critiques,
    ...(notice !== undefined ? { notice } : {}),
    ...(r.judge !== undefined ? { judge: paneJudge(r.judge) } : {}),
    ...(compared !== undefined ? { compared: comparedScoresText(s.model, r.score, compared, r.index) } : {}),
  };
}

function plain(text: string): DiffPart[] {
  return [{ kind: 'same', text: text.length > MAX_PLAIN_CHARS ? `${text.slice(0, MAX_PLAIN_CHARS)}…` : text }];
}

/**
 * The panes comparing responses `left` and `right` (indices into `j.responses`; `right` undefined shows one pane).
 * With `compared` (another run, "Compare With…"), each pane also carries both runs' scores of its response.
 * The word diff runs left → right: the left pane marks what only it has as `removed`, the right pane as `added`.
 * Texts too long or too different for a word diff are shown plainly with a notice on both panes.
 */
export function layoutPanes(j: Judgment, s: ViewScoring, left: number, right: number | undefined, compared?: ComparedRunView): Pane[] {
  const a = j.responses[left];
  if (!a) return [];
  const b = right === undefined ? undefined : j.responses[right];
  if (!b || b.index === a.index) return [pane(j, a, 'left', plain(a.text), s, compared)];
  const diff = diffResponses(a.text, b.text);
  if ('skipped' in diff) {
    const notice =
      diff.skipped === 'tooLong'
        ? `These responses are too long to diff word by word (${diff.chars.toLocaleString('en-US')} characters); shown without highlighting.`
        : 'These responses differ too much to diff word by word in time; shown without highlighting.';
    return [pane(j, a, 'left', plain(a.text), s, compared, notice), pane(j, b, 'right', plain(b.text), s, compared, notice)];
  }
  return [pane(j, a, 'left', sideParts(diff, 'left'), s, compared), pane(j, b, 'right', sideParts(diff, 'right'), s, compared)];
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
