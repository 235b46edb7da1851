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

function pushSteps(
  out: DecorationSpec[],
  lines: LineIndex,
  steps: readonly Step[],
  result: ScoreResult | undefined,
  stale: boolean,
  settings: DecorationSettings,
  recordIndex: number,
  responseIndex: number,
): void {
  if (result === undefined || result.steps.length === 0) return;
  const scores = result.steps.map((s) => s.score);
  const first = firstUnder(scores, settings.threshold);
  for (const step of steps) {
    const sc = result.steps[step.index];
    if (step.range === undefined || sc === undefined) continue;
    const judged = sc.verdict !== undefined;
    if (!Number.isFinite(sc.score) && sc.verdict !== 'not-judged') continue;
    const a = lines.positionAt(step.range.start);
    const b = lines.positionAt(step.range.end);
    out.push({
      startLine: a.line,
      startChar: a.character,
      endLine: b.line,
      endChar: b.character,
      bucket: stale ? 'stale' : Number.isFinite(sc.score) ? bucketOf(sc.score, settings) : 'unjudged',
      badge: judged ? judgeBadge(sc, settings, stale) : badgeText(sc.score, settings, stale),
      firstError: !stale && first === step.index,
      recordIndex,
      responseIndex,
      stepIndex: step.index,
      score: sc.score,
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
): DecorationSpec[] {
  return decorationSpecsOf(
    records.map((_, i) => i),
    (i) => records[i],
    scoresOf,
    lines,
    settings,
  );
}

/**
 * Decoration specs for some records only: `indices` (ascending) name them, `recordOf(i)` gives record i (the editor
 * materialises only the records that may have scores). Same specs, same order, as {@link decorationSpecs} over
 * those records.
 */
export function decorationSpecsOf(
  indices: readonly number[],
  recordOf: (recordIndex: number) => DatasetRecord | undefined,
  scoresOf: (recordIndex: number) => RecordScores | undefined,
  lines: LineIndex,
  settings: DecorationSettings,
): DecorationSpec[] {
  const out: DecorationSpec[] = [];
  for (const i of indices) {
    const record = recordOf(i);
    const scores = record === undefined ? undefined : scoresOf(i);
    if (record === undefined || scores === undefined) continue;
    if (record.kind === 'trace') pushSteps(out, lines, record.steps, scores.results[0], scores.stale, settings, i, 0);
    else record.responses.forEach((r, k) => pushSteps(out, lines, r.steps, scores.results[k], scores.stale, settings, i, k));
  }
  return out;
}
