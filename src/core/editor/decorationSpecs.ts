import type { DatasetRecord, Step } from '../dataset/types.js';
import { firstUnder } from '../scoring/aggregate.js';
import type { ScoreResult, StepScore } from '../scoring/scorer.js';
import type { Char0, Line0, LineIndex } from '../text/positions.js';
import type { RecordScores } from './scoreStore.js';

/**
 * The tint class of a scored step. `stale` = the text changed since it was scored; `unjudged` = a judge gave this
 * step no verdict (e.g. it follows the earliest error a critic named), shown as such and never as correct.
 */
export type ScoreBucket = 'high' | 'mid' | 'low' | 'stale' | 'unjudged';

/** Display settings for decorations (from the `rewardLens.*` settings). */
export interface DecorationSettings {
  /** Steps under this score are low. */
  readonly threshold: number;
  /** Steps at or above this score are high; between threshold and high they are mid. */
  readonly high: number;
}

/** One decorated step: where, how tinted, and the badge text shown after it. */
export interface DecorationSpec {
  readonly startLine: Line0;
  readonly startChar: Char0;
  readonly endLine: Line0;
  readonly endChar: Char0;
  readonly bucket: ScoreBucket;
  /** Badge text, e.g. `0.19 ✗` or `0.95`, with `(stale)` when stale. */
  readonly badge: string;
  /** True on the first step under the threshold of its trace (gets the gutter mark). */
  readonly firstError: boolean;
  readonly recordIndex: number;
  /** Response index for preference records (0 for traces). */
  readonly responseIndex: number;
  readonly stepIndex: number;
  readonly score: number;
}

/** The bucket of a score. */
export function bucketOf(score: number, settings: DecorationSettings): 'high' | 'mid' | 'low' {
  return score < settings.threshold ? 'low' : score >= settings.high ? 'high' : 'mid';
}

/** Badge text: two decimals, a ✗ under the threshold. */
export function badgeText(score: number, settings: DecorationSettings, stale: boolean): string {
  return `${score.toFixed(2)}${score < settings.threshold ? ' ✗' : ''}${stale ? ' (stale)' : ''}`;
}

/** One run's score of a step as a compared badge shows it, and whether that run scored an older text of the record. */
export interface BadgeSide {
  /** Undefined when the run has no score for the step. */
  readonly score: StepScore | undefined;
  readonly stale: boolean;
}

/** One side of a compared badge: `–` without a score, `not judged`, or the step's own badge (✗, `(stale)`). */
function sideText(side: BadgeSide, settings: DecorationSettings): string {
  const sc = side.score;
  if (sc === undefined) return '–';
  // A sidecar stores an unscorable step's NaN as null.
  if (typeof sc.score !== 'number' || !Number.isFinite(sc.score)) return sc.verdict === 'not-judged' ? `not judged${side.stale ? ' (stale)' : ''}` : '–';
  return badgeText(sc.score, settings, side.stale);
}

/**
 * The badge while comparing two runs ("Compare With…"): `A | B`, e.g. `0.91 | 0.42 ✗`. Each side is marked by its
 * own score (✗ under the threshold, `(stale)` when that run scored an older text); a side without a score is `–`.
 * Critiques are left to the hover, which names both runs.
 */
export function compareBadgeText(a: BadgeSide, b: BadgeSide, settings: DecorationSettings): string {
  return `${sideText(a, settings)} | ${sideText(b, settings)}`;
}

/** A step score a badge can show: a finite score, or a judge's explicit "not judged"; else undefined. */
function shownScore(sc: StepScore | undefined): StepScore | undefined {
  return sc !== undefined && (Number.isFinite(sc.score) || sc.verdict === 'not-judged') ? sc : undefined;
}

/** Most characters of a judge's critique shown after the badge; the hover has the whole text. */
export const CRITIQUE_SNIPPET_CHARS = 60;

/** A critique shortened for the badge: whitespace collapsed, cut at a word with `…` when longer than the limit. */
export function critiqueSnippet(critique: string, max = CRITIQUE_SNIPPET_CHARS): string {
  const flat = critique.replace(/\s+/gu, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The badge of a judged step: its score (or `not judged`) and a snippet of the judge's critique. */
function judgeBadge(sc: StepScore, settings: DecorationSettings, stale: boolean): string {
  const head = Number.isFinite(sc.score) ? badgeText(sc.score, settings, stale) : `not judged${stale ? ' (stale)' : ''}`;
  const critique = sc.critique === undefined ? '' : critiqueSnippet(sc.critique);
  return critique === '' ? head : `${head} · ${critique}`;
}

/** The compared run's side of a response: its result (if any) and whether it is stale. */
interface ComparedSide {
  readonly result: ScoreResult | undefined;
  readonly stale: boolean;
}

function pushSteps(
  out: DecorationSpec[],
  lines: LineIndex,
  steps: readonly Step[],
  result: ScoreResult | undefined,
  stale: boolean,
  compared: ComparedSide | undefined,
  settings: DecorationSettings,
  recordIndex: number,
  responseIndex: number,
): void {
  const own = result?.steps ?? [];
  if (own.length === 0 && (compared?.result?.steps.length ?? 0) === 0) return;
  const first = firstUnder(
    own.map((s) => s.score),
    settings.threshold,
  );
  for (const step of steps) {
    if (step.range === undefined) continue;
    const sc = shownScore(own[step.index]);
    const other = compared === undefined ? undefined : shownScore(compared.result?.steps[step.index]);
    if (sc === undefined && other === undefined) continue;
    const a = lines.positionAt(step.range.start);
    const b = lines.positionAt(step.range.end);
    const score = sc?.score ?? Number.NaN;
    out.push({
      startLine: a.line,
      startChar: a.character,
      endLine: b.line,
      endChar: b.character,
      // Only the compared run scored this step: untinted (grey), since the current model has no verdict on it.
      bucket: sc === undefined ? 'unjudged' : stale ? 'stale' : Number.isFinite(score) ? bucketOf(score, settings) : 'unjudged',
      badge:
        compared !== undefined
          ? compareBadgeText({ score: sc, stale }, { score: other, stale: compared.stale }, settings)
          : sc?.verdict !== undefined
            ? judgeBadge(sc, settings, stale)
            : badgeText(score, settings, stale),
      firstError: !stale && first === step.index,
      recordIndex,
      responseIndex,
      stepIndex: step.index,
      score,
    });
  }
}

/**
 * Decoration specs for every located, scored step of the records. `scoresOf(i)` gives record i's stored scores
 * (or undefined when unscored). Pure: the VS Code adapter maps specs to decoration options one to one.
 */
export function decorationSpecs(
  records: readonly DatasetRecord[],
  scoresOf: (recordIndex: number) => RecordScores | undefined,
  lines: LineIndex,
  settings: DecorationSettings,
  comparedOf?: (recordIndex: number) => RecordScores | undefined,
): DecorationSpec[] {
  return decorationSpecsOf(
    records.map((_, i) => i),
    (i) => records[i],
    scoresOf,
    lines,
    settings,
    comparedOf,
  );
}

/**
 * Decoration specs for some records only: `indices` (ascending) name them, `recordOf(i)` gives record i (the editor
 * materialises only the records that may have scores). Same specs, same order, as {@link decorationSpecs} over
 * those records.
 *
 * With `comparedOf` (another run's scores, "Compare With…"), every badge reads `A | B` ({@link compareBadgeText})
 * and a step scored by either run is decorated; tint, first error and `score` stay the current run's (A).
 */
export function decorationSpecsOf(
  indices: readonly number[],
  recordOf: (recordIndex: number) => DatasetRecord | undefined,
  scoresOf: (recordIndex: number) => RecordScores | undefined,
  lines: LineIndex,
  settings: DecorationSettings,
  comparedOf?: (recordIndex: number) => RecordScores | undefined,
): DecorationSpec[] {
  const out: DecorationSpec[] = [];
  for (const i of indices) {
    const record = recordOf(i);
    if (record === undefined) continue;
    const scores = scoresOf(i);
    const compared = comparedOf?.(i);
    if (scores === undefined && compared === undefined) continue;
    const stale = scores?.stale ?? false;
    const side = (k: number): ComparedSide | undefined => (comparedOf === undefined ? undefined : { result: compared?.results[k], stale: compared?.stale ?? false });
    if (record.kind === 'trace') pushSteps(out, lines, record.steps, scores?.results[0], stale, side(0), settings, i, 0);
    else record.responses.forEach((r, k) => pushSteps(out, lines, r.steps, scores?.results[k], stale, side(k), settings, i, k));
  }
  return out;
}
