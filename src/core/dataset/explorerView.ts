/**
 * The Dataset Explorer's view: which rows of the file the table shows, in which order, for one query (filter + sort).
 * Pure: the host hands in accessors over its index and scores, and gets back row positions. A view of a million rows
 * is one Int32Array; the table then asks for the few rows on screen (`toExplorerRow`).
 */
import type { ExplorerColumn, ExplorerFilter, ExplorerQuery, ExplorerRow } from '../../protocol/explorerMessages.js';
import type { RowSummary } from './rowSummary.js';

/** What the current model's scores say of one row; a field is absent when the model has said nothing of it. */
export interface RowScore {
  /** Trace score, or a preference set's margin. */
  readonly score?: number;
  /** 0-based first step under the threshold; `null` = none. */
  readonly firstError?: number | null;
  /** Whether the model agrees with the dataset's label. */
  readonly agrees?: boolean;
}

/** The rows a view is built from: positions `0 .. count-1` of the index. */
export interface ExplorerViewSource {
  /** Rows indexed so far. */
  readonly count: number;
  summaryAt(position: number): RowSummary;
  /** `undefined` when the row is unscored. */
  scoreAt(position: number): RowScore | undefined;
  /**
   * The host's full-text search (prompt and every step) for the filter's text. When absent, the text filter
   * matches the summary's prompt excerpt and id instead.
   */
  readonly textMatch?: (position: number) => boolean;
}

/** A built view: row positions in display order, or no rows and why (an invalid regular expression). */
export interface ExplorerView {
  readonly positions: Int32Array;
  readonly filterError?: string;
}

/** The label filter for every row the dataset marks wrong: a labelled first error, or `incorrect`. */
export const ANY_ERROR_LABEL = 'any error';
/** The label filter for rows whose record carries no label. */
export const NO_LABEL = 'no label';

/** A compiled text filter, or why the text cannot be one. */
export type FilterText = { readonly ok: true; readonly test: (text: string) => boolean } | { readonly ok: false; readonly message: string };

/**
 * Compiles the filter's text once per query: a case-insensitive substring, or with `regex` a case-insensitive
 * JavaScript regular expression. Never throws: a pattern that does not compile comes back as a message the filter
 * box can show while the user is still typing it. Empty text matches everything.
 */
export function compileFilterText(text: string, regex: boolean): FilterText {
  if (text === '') return { ok: true, test: () => true };
  if (!regex) {
    const needle = text.toLowerCase();
    return { ok: true, test: (s) => s.toLowerCase().includes(needle) };
  }
  try {
    // No `g`/`y` flag: `test` stays stateless (no lastIndex carried from row to row).
    const re = new RegExp(text, 'i');
    return { ok: true, test: (s) => re.test(s) };
  } catch (err) {
    // V8 says "Invalid regular expression: /(/i: Unterminated group"; keep the reason, not our flags.
    const raw = err instanceof Error ? err.message : String(err);
    const reason = raw.slice(raw.lastIndexOf(': ') + 2) || raw;
    return { ok: false, message: `Invalid regular expression: ${reason}` };
  }
}

/** The table row of a summary under the current scores (fields the scores leave out stay absent). */
export function toExplorerRow(summary: RowSummary, score: RowScore | undefined): ExplorerRow {
  if (score === undefined) return summary;
  return {
    ...summary,
    ...(score.score !== undefined ? { score: score.score } : {}),
    ...(score.firstError !== undefined ? { firstError: score.firstError } : {}),
    ...(score.agrees !== undefined ? { agrees: score.agrees } : {}),
  };
}

/**
 * Filters and sorts the source's rows. Every given filter must hold; an unscored row fails any score filter.
 * The sort is stable with ties in file order in both directions; rows without a value in the sorted column
 * (unscored, no agreement, empty id/prompt/label) come last in both directions. A text filter that does not
 * compile yields no rows and `filterError`.
 */
export function buildExplorerView(source: ExplorerViewSource, query: ExplorerQuery): ExplorerView {
  const { filter, sort } = query;
  const text = filter.text ?? '';
  // Compiled even when the host searches the full text, so a bad pattern is reported the same way.
  const compiled = compileFilterText(text, filter.regex === true);
  if (!compiled.ok) return { positions: new Int32Array(0), filterError: compiled.message };
  const textTest = text === '' ? undefined : (source.textMatch ?? summaryTextTest(compiled.test));
  const summaryText = textTest !== undefined && source.textMatch === undefined;
  const rowFilter = buildRowFilter(filter);
  const key = sort.column === 'position' ? undefined : KEYS[sort.column];
  const needsScore = rowFilter.needsScore || key?.needsScore === true;
  const needsSummary = rowFilter.needsSummary || key?.needsSummary === true || summaryText;

  const positions: number[] = [];
  const keys: (number | string)[] = [];
  for (let p = 0; p < source.count; p++) {
    const score = needsScore ? source.scoreAt(p) : undefined;
    if (!rowFilter.scoreOk(score)) continue;
    // The host rebuilds a summary from its packed index on each call: one call per row at most.
    const summary = needsSummary ? source.summaryAt(p) : undefined;
    if (summary !== undefined && !rowFilter.summaryOk(summary)) continue;
    if (textTest !== undefined && !textTest(p, summary)) continue;
    positions.push(p);
    if (key) keys.push(key.of(summary, score));
  }
  if (!key) return { positions: Int32Array.from(sort.descending ? positions.reverse() : positions) };
  return { positions: Int32Array.from(sortPositions(positions, keys, key.compare, sort.descending)) };
}

/** The text test over a summary (prompt excerpt and id) for sources without full-text search. */
function summaryTextTest(test: (s: string) => boolean): (position: number, summary: RowSummary | undefined) => boolean {
  return (_position, summary) => summary !== undefined && (test(summary.prompt) || test(summary.id));
}

interface RowFilter {
  readonly needsScore: boolean;
  readonly needsSummary: boolean;
  scoreOk(score: RowScore | undefined): boolean;
  summaryOk(summary: RowSummary): boolean;
}

/** The filter's non-text parts as two predicates, each told whether it needs to look at all. */
function buildRowFilter(f: ExplorerFilter): RowFilter {
  const byScore = f.scoreMin !== undefined || f.scoreMax !== undefined;
  const needsScore = byScore || f.disagrees === true;
  const needsSummary = (f.label !== undefined && f.label !== '') || (f.subset !== undefined && f.subset !== '');
  return {
    needsScore,
    needsSummary,
    scoreOk(score) {
      if (!needsScore) return true;
      if (f.disagrees === true && score?.agrees !== false) return false;
      if (!byScore) return true;
      const s = score?.score;
      if (s === undefined || !Number.isFinite(s)) return false;
      return (f.scoreMin === undefined || s >= f.scoreMin) && (f.scoreMax === undefined || s <= f.scoreMax);
    },
    summaryOk(summary) {
      if (f.subset !== undefined && f.subset !== '' && summary.subset !== f.subset) return false;
      return f.label === undefined || f.label === '' || labelMatches(summary, f.label);
    },
  };
}

function labelMatches(summary: RowSummary, label: string): boolean {
  if (label === ANY_ERROR_LABEL) return typeof summary.labelledFirstError === 'number' || summary.label === 'incorrect';
  if (label === NO_LABEL) return summary.label === '';
  return summary.label === label;
}

/** How one column yields a sort key per row; `MISSING` keys sort last in both directions. */
interface SortKey {
  readonly needsScore: boolean;
  readonly needsSummary: boolean;
  of(summary: RowSummary | undefined, score: RowScore | undefined): number | string;
  compare(a: number | string, b: number | string): number;
}

const MISSING = Number.NaN;

const compareNumbers = (a: number | string, b: number | string): number => (a as number) - (b as number);
const compareStrings = (a: number | string, b: number | string): number => compareText(a as string, b as string);
const textOr = (s: string | undefined): number | string => (s === undefined || s === '' ? MISSING : s);
const finiteOr = (n: number | undefined): number => (n !== undefined && Number.isFinite(n) ? n : MISSING);

const bySummary = (of: (s: RowSummary) => number | string, compare: SortKey['compare']): SortKey => ({
  needsScore: false,
  needsSummary: true,
  of: (summary) => (summary === undefined ? MISSING : of(summary)),
  compare,
});
const byScore = (of: (s: RowScore) => number): SortKey => ({
  needsScore: true,
  needsSummary: false,
  of: (_summary, score) => (score === undefined ? MISSING : of(score)),
  compare: compareNumbers,
});

/** Sort keys of every column but `position` (file order needs none). */
const KEYS: Readonly<Record<Exclude<ExplorerColumn, 'position'>, SortKey>> = {
  id: bySummary((s) => textOr(s.id), compareStrings),
  prompt: bySummary((s) => textOr(s.prompt), compareStrings),
  steps: bySummary((s) => s.steps, compareNumbers),
  label: bySummary((s) => textOr(s.label), compareStrings),
  score: byScore((s) => finiteOr(s.score)),
  // No first error ("none") sorts after every step: ascending reads earliest error first.
  firstError: byScore((s) => (s.firstError === null ? Number.POSITIVE_INFINITY : finiteOr(s.firstError))),
  agrees: byScore((s) => (s.agrees === undefined ? MISSING : s.agrees ? 1 : 0)),
};

const isMissing = (k: number | string): boolean => typeof k === 'number' && Number.isNaN(k);

/**
 * `positions` (ascending) reordered by `keys`: present keys by `compare` (reversed when descending), ties by
 * position, then the missing ones in position order.
 */
function sortPositions(positions: readonly number[], keys: readonly (number | string)[], compare: SortKey['compare'], descending: boolean): number[] {
  const present: number[] = [];
  const missing: number[] = [];
  for (let i = 0; i < positions.length; i++) (isMissing(keys[i] ?? MISSING) ? missing : present).push(i);
  const sign = descending ? -1 : 1;
  // Slots index `positions`, which is ascending, so `a - b` breaks ties in file order.
  present.sort((a, b) => sign * compare(keys[a] ?? MISSING, keys[b] ?? MISSING) || a - b);
  return [...present, ...missing].map((slot) => positions[slot] ?? 0);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const foldAscii = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);

/**
 * Natural, ASCII-case-insensitive order: digit runs compare as numbers (`q-2` < `q-10`), letters ignore case; equal
 * under both, code-unit order decides. Written out (and allocation-free) rather than `Intl.Collator` because a
 * million-row sort makes twenty million comparisons.
 */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  // Skip the common prefix (most ids share one), backing up to the start of a digit run it ends inside.
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  while (i > 0 && isDigit(a.charCodeAt(i - 1))) i--;
  let j = i;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      const endA = digitRunEnd(a, i);
      const endB = digitRunEnd(b, j);
      const byValue = compareDigitRuns(a, skipZeros(a, i, endA), endA, b, skipZeros(b, j, endB), endB);
      if (byValue !== 0) return byValue;
      i = endA;
      j = endB;
      continue;
    }
    const fa = foldAscii(ca);
    const fb = foldAscii(cb);
    if (fa !== fb) return fa - fb;
    i++;
    j++;
  }
  if (i < a.length || j < b.length) return i < a.length ? 1 : -1;
  return a < b ? -1 : 1;
}

function digitRunEnd(s: string, from: number): number {
  let end = from;
  while (end < s.length && isDigit(s.charCodeAt(end))) end++;
  return end;
}

/** The first significant digit of the run `[from, end)` (its last digit when all are zeros). */
function skipZeros(s: string, from: number, end: number): number {
  let i = from;
  while (i < end - 1 && s.charCodeAt(i) === 48) i++;
  return i;
}

/** Compares two runs of significant digits by value: the longer is larger, else the first differing digit. */
function compareDigitRuns(a: string, fromA: number, endA: number, b: string, fromB: number, endB: number): number {
  const lengths = endA - fromA - (endB - fromB);
  if (lengths !== 0) return lengths;
  for (let k = 0; k < endA - fromA; k++) {
    const d = a.charCodeAt(fromA + k) - b.charCodeAt(fromB + k);
    if (d !== 0) return d;
  }
  return 0;
}
