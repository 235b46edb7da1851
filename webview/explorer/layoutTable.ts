// The Dataset Explorer table's pure parts: columns, cell text, scroll geometry for millions of rows, keyboard moves
// and which rows to ask the host for. No DOM; unit-tested in plain Node (test/unit/webview/layoutTable.test.ts).
import { ANY_ERROR_LABEL, NO_LABEL } from '../../src/core/dataset/explorerView.js';
import type { ExplorerColumn, ExplorerQuery, ExplorerRow } from '../../src/protocol/explorerMessages.js';

/** Pixel height of one table row (fixed: the virtualiser never measures rows). */
export const ROW_HEIGHT = 26;

/**
 * The tallest scroll area the table creates. Browsers cap an element's height (Chromium near 33.5M px, Firefox near
 * 17.9M px; code-server shows webviews in whatever browser the user has), so past this the scrollbar maps onto the
 * rows proportionally and wheel and keys move through rows exactly (see `scrollGeometry`).
 */
export const MAX_SCROLL_PX = 8_000_000;

/** Rows rendered above and below the visible ones. */
export const OVERSCAN = 6;

/** One table column: the sort key it stands for, its header and the header's tooltip. */
export interface ColumnSpec {
  readonly column: ExplorerColumn;
  readonly title: string;
  readonly tooltip: string;
}

/** Table columns in display order; media/explorer.css sizes them in the same order. */
export const COLUMNS: readonly ColumnSpec[] = [
  { column: 'position', title: '#', tooltip: 'Row in the file' },
  { column: 'id', title: 'Id', tooltip: "The record's id" },
  { column: 'prompt', title: 'Prompt', tooltip: 'The prompt, shortened' },
  { column: 'steps', title: 'Steps', tooltip: 'Responses and steps' },
  { column: 'label', title: 'Label', tooltip: "The dataset's own label" },
  { column: 'score', title: 'Score', tooltip: 'Trace score (preference sets: margin) under the current model' },
  { column: 'firstError', title: 'First error', tooltip: 'First step under the threshold by the model' },
  { column: 'agrees', title: 'Agrees', tooltip: "Whether the model agrees with the dataset's label" },
];

/** `1,234,567`: counts read the same in every locale the webview runs in. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `14 steps`, `1 step`, or for a preference set `2 resp · 14 steps`. */
export function formatSteps(row: Pick<ExplorerRow, 'kind' | 'responses' | 'steps'>): string {
  const steps = `${formatCount(row.steps)} step${row.steps === 1 ? '' : 's'}`;
  return row.kind === 'preference' ? `${row.responses} resp · ${steps}` : steps;
}

/** The model's first error as a 1-based step (`step 3`), `none`, or '' when unscored. */
export function formatFirstError(firstError: number | null | undefined): string {
  if (firstError === undefined) return '';
  return firstError === null ? 'none' : `step ${firstError + 1}`;
}

/** The agreement cell: a symbol and the words a screen reader says for it. */
export function formatAgreement(agrees: boolean | undefined): { readonly symbol: string; readonly words: string } {
  if (agrees === undefined) return { symbol: '—', words: 'no verdict' };
  return agrees ? { symbol: '✓', words: 'agrees' } : { symbol: '✗', words: 'disagrees' };
}

/** `42s`, `3m 05s`, `1h 02m`: a scoring run's time left. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

/** `850 rows/s`, `2.4 rows/s`. */
export function formatRate(rowsPerSecond: number): string {
  return `${rowsPerSecond >= 10 ? formatCount(rowsPerSecond) : rowsPerSecond.toFixed(1)} rows/s`;
}

/** One option of a filter menu: the value sent in the query ('' = no filter) and what the menu shows. */
export interface Choice {
  readonly value: string;
  readonly label: string;
}

/** The label menu: no filter, the two summaries of labels, then each label once. */
export function labelChoices(labels: readonly string[]): Choice[] {
  const fixed = [
    { value: '', label: 'All labels' },
    { value: ANY_ERROR_LABEL, label: 'Any error' },
    { value: NO_LABEL, label: 'No label' },
  ];
  return [...fixed, ...distinct(labels, fixed)];
}

/** The subset menu: no filter, then each subset once. */
export function subsetChoices(subsets: readonly string[]): Choice[] {
  const fixed = [{ value: '', label: 'All subsets' }];
  return [...fixed, ...distinct(subsets, fixed)];
}

/** `values` as choices, each once, leaving out those `fixed` already offers. */
function distinct(values: readonly string[], fixed: readonly Choice[]): Choice[] {
  const seen = new Set(fixed.map((c) => c.value));
  const choices: Choice[] = [];
  for (const value of values) {
    if (seen.has(value)) continue;
    seen.add(value);
    choices.push({ value, label: value });
  }
  return choices;
}

/** The sort after a click on `column`'s header: the same column reverses, another starts ascending. */
export function nextSort(sort: ExplorerQuery['sort'], column: ExplorerColumn): ExplorerQuery['sort'] {
  return { column, descending: sort.column === column ? !sort.descending : false };
}

/** `aria-sort` of a column header. */
export function ariaSort(sort: ExplorerQuery['sort'], column: ExplorerColumn): 'ascending' | 'descending' | 'none' {
  if (sort.column !== column) return 'none';
  return sort.descending ? 'descending' : 'ascending';
}

/**
 * How the rows' virtual height (rows × row height) maps onto a real scroll area no taller than `maxScrollPx`.
 * Offsets are the top of the viewport; `scale` is virtual px per real px (1 while everything fits). The map is
 * linear and exact at both ends, so the scrollbar's bottom is the last row.
 */
export interface ScrollGeometry {
  readonly contentPx: number;
  readonly scrollPx: number;
  readonly viewportPx: number;
  readonly maxVirtual: number;
  readonly maxReal: number;
  readonly scale: number;
}

/** The geometry of `rows` rows of `rowHeight` in a viewport `viewportPx` tall. */
export function scrollGeometry(rows: number, rowHeight: number, viewportPx: number, maxScrollPx: number): ScrollGeometry {
  const contentPx = Math.max(0, rows) * rowHeight;
  const scrollPx = Math.min(contentPx, Math.max(maxScrollPx, viewportPx));
  const maxVirtual = Math.max(0, contentPx - viewportPx);
  const maxReal = Math.max(0, scrollPx - viewportPx);
  return { contentPx, scrollPx, viewportPx, maxVirtual, maxReal, scale: maxReal > 0 ? maxVirtual / maxReal : 1 };
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The virtual offset of a real scroll position. */
export function toVirtualOffset(realPx: number, g: ScrollGeometry): number {
  return clamp(realPx * g.scale, 0, g.maxVirtual);
}

/** The real scroll position showing a virtual offset (rounded to what the browser can hold). */
export function toRealOffset(virtualPx: number, g: ScrollGeometry): number {
  return clamp(virtualPx / g.scale, 0, g.maxReal);
}

/** The virtual offset that shows row `index` whole, moving as little as possible from `offset`. */
export function offsetToReveal(index: number, offset: number, rowHeight: number, viewportPx: number): number {
  const top = index * rowHeight;
  if (top < offset) return top;
  const bottom = top + rowHeight;
  return bottom > offset + viewportPx ? Math.max(0, bottom - viewportPx) : offset;
}

/** Keys that move the active row. */
export type NavKey = 'ArrowUp' | 'ArrowDown' | 'PageUp' | 'PageDown' | 'Home' | 'End';

/** True for the keys `moveActive` handles. */
export function isNavKey(key: string): key is NavKey {
  return key === 'ArrowUp' || key === 'ArrowDown' || key === 'PageUp' || key === 'PageDown' || key === 'Home' || key === 'End';
}

/** The active row after `key` in a view of `total` rows, `pageRows` of them visible at once. */
export function moveActive(key: NavKey, active: number, total: number, pageRows: number): number {
  if (total <= 0) return 0;
  const page = Math.max(1, pageRows - 1);
  const next = {
    ArrowUp: active - 1,
    ArrowDown: active + 1,
    PageUp: active - page,
    PageDown: active + page,
    Home: 0,
    End: total - 1,
  }[key];
  return clamp(next, 0, total - 1);
}

/**
 * The one request window `[start, end)` covering every row of `[first, last]` that `needed` says to fetch, or
 * undefined when none is needed.
 */
export function missingWindow(first: number, last: number, needed: (index: number) => boolean): { readonly start: number; readonly end: number } | undefined {
  let start = -1;
  let end = -1;
  for (let i = first; i <= last; i++) {
    if (!needed(i)) continue;
    if (start === -1) start = i;
    end = i + 1;
  }
  return start === -1 ? undefined : { start, end };
}
