// The Dataset Explorer's virtual table: an ARIA grid whose body holds only the rows in view (plus a few), placed by
// @tanstack/virtual-core over a scaled scroll area (scaledScroll.ts), so a million rows scroll like a hundred.
// The grid keeps focus and points at the active row with aria-activedescendant. Row text is dataset text: it is set
// with textContent only, bidi controls made visible.
import { Virtualizer } from '@tanstack/virtual-core';
import type { ExplorerColumn, ExplorerQuery, ExplorerRow } from '../../src/protocol/explorerMessages.js';
import { formatMargin } from '../format/numbers.js';
import { scoreClass } from '../format/scoreColor.js';
import { displayText, el } from '../ui.js';
import { ariaSort, COLUMNS, formatAgreement, formatCount, formatFirstError, formatSteps, isNavKey, missingWindow, moveActive, offsetToReveal, OVERSCAN, ROW_HEIGHT } from './layoutTable.js';
import { createScaledScroll } from './scaledScroll.js';

/** Longest id and prompt text put in a cell (the cell ellipsises; the tooltip has the rest of the excerpt). */
const ID_CHARS = 120;
const PROMPT_CHARS = 240;
/** Cached rows kept beyond the rendered window, so scrolling back a little shows rows at once. */
const KEEP_MARGIN = 200;

/** What the table asks of its owner. */
export interface TableCallbacks {
  /** Fetch view rows `[start, end)`; answer with `putRows(start, rows, generation)`. */
  requestRows(start: number, end: number, generation: number): void;
  /** Open the row at file position `position`. */
  open(position: number): void;
  /** The user clicked a column header. */
  sort(column: ExplorerColumn): void;
}

/** The live table. */
export interface TableHandle {
  readonly element: HTMLElement;
  /** A new view (another query): forget cached rows, back to the top. */
  reset(total: number): void;
  /** The same view changed (more rows indexed, scores arrived): keep showing cached rows, fetch them again. */
  refresh(total: number): void;
  /** Rows from the host: those still in or near view are kept and shown. */
  putRows(start: number, rows: readonly ExplorerRow[], generation: number): void;
  setSort(sort: ExplorerQuery['sort']): void;
  setThreshold(threshold: number): void;
  /** Shows `message` in place of rows ('' = rows). */
  setMessage(message: string): void;
}

interface Cached {
  readonly row: ExplorerRow;
  readonly generation: number;
}

/** Builds the grid. */
export function createTable(doc: Document, callbacks: TableCallbacks): TableHandle {
  const grid = el(doc, 'div', 'grid');
  grid.setAttribute('role', 'grid');
  grid.setAttribute('aria-label', 'Dataset rows: arrow keys, Page Up/Down, Home and End move, Enter opens the record');
  grid.setAttribute('aria-colcount', String(COLUMNS.length));
  grid.tabIndex = 0;
  grid.style.setProperty('--rl-row-height', `${ROW_HEIGHT}px`);

  const head = el(doc, 'div', 'grid-head');
  head.setAttribute('role', 'rowgroup');
  const headRow = el(doc, 'div', 'grid-row head-row');
  headRow.setAttribute('role', 'row');
  headRow.setAttribute('aria-rowindex', '1');
  const headers = COLUMNS.map((c, i) => {
    const cell = el(doc, 'div', `cell col-${c.column}`);
    cell.setAttribute('role', 'columnheader');
    cell.setAttribute('aria-colindex', String(i + 1));
    const button = el(doc, 'button', 'sort-button');
    button.type = 'button';
    button.title = `${c.tooltip}. Click to sort; click again to reverse.`;
    const mark = el(doc, 'span', 'sort-mark');
    button.append(el(doc, 'span', 'sort-title', c.title), mark);
    button.addEventListener('click', () => callbacks.sort(c.column));
    cell.append(button);
    headRow.append(cell);
    return { column: c.column, cell, mark };
  });
  head.append(headRow);

  const scroller = el(doc, 'div', 'grid-scroller');
  // Chromium makes a scroller without focusable children a tab stop of its own; the grid is the one tab stop.
  scroller.tabIndex = -1;
  const body = el(doc, 'div', 'grid-body');
  body.setAttribute('role', 'rowgroup');
  const spacer = el(doc, 'div', 'grid-spacer');
  const message = el(doc, 'p', 'grid-message');
  message.hidden = true;
  scroller.append(body, spacer);
  grid.append(head, message, scroller);

  const scroll = createScaledScroll(scroller, spacer, ROW_HEIGHT);
  let total = 0;
  let active = 0;
  let generation = 0;
  let threshold = 0.5;
  const cache = new Map<number, Cached>();
  /** Rows asked for, with the generation they were asked in. */
  const requested = new Map<number, number>();
  /** Row elements by view index, and what each shows. */
  const rendered = new Map<number, HTMLElement>();
  const shown = new WeakMap<HTMLElement, ExplorerRow | undefined>();

  const virtualizer = new Virtualizer<HTMLElement, HTMLElement>({
    count: 0,
    getScrollElement: () => scroller,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    // Virtual pixels in and out: the scaled scroll owns the mapping to the element's real scrollTop.
    observeElementRect: (_v, cb) => scroll.observeViewport((size) => cb(size)),
    observeElementOffset: (_v, cb) => scroll.observeOffset((offset) => cb(offset, false)),
    scrollToFn: (offset) => scroll.scrollTo(offset),
    onChange: () => render(),
  });

  function visibleRange(): { first: number; last: number } | undefined {
    const items = virtualizer.getVirtualItems();
    const first = items[0];
    const last = items[items.length - 1];
    return first && last ? { first: first.index, last: last.index } : undefined;
  }

  function render(): void {
    const items = virtualizer.getVirtualItems();
    const wanted = new Set(items.map((item) => item.index));
    // Rows that scrolled out are reused for the rows that scrolled in (a scrollbar jump replaces them all).
    const free: HTMLElement[] = [];
    for (const [index, row] of rendered) {
      if (wanted.has(index)) continue;
      rendered.delete(index);
      free.push(row);
    }
    for (const item of items) {
      let row = rendered.get(item.index);
      if (!row) {
        row = free.pop() ?? body.appendChild(createRow(doc));
        setRowIndex(row, item.index);
        rendered.set(item.index, row);
      }
      // Whole pixels: a scaled offset is fractional, and text on a fractional offset renders blurred.
      row.style.transform = `translateY(${Math.round(item.start - scroll.offset)}px)`;
      const data = cache.get(item.index)?.row;
      if (!shown.has(row) || shown.get(row) !== data) {
        fillRow(row, data, threshold);
        shown.set(row, data);
      }
      row.classList.toggle('active', item.index === active);
      row.setAttribute('aria-selected', String(item.index === active));
    }
    for (const row of free) row.remove();
    if (rendered.has(active)) grid.setAttribute('aria-activedescendant', rowId(active));
    else grid.removeAttribute('aria-activedescendant');
    requestMissing();
  }

  function requestMissing(): void {
    const w = visibleRange();
    if (!w) return;
    const want = missingWindow(w.first, w.last, (i) => (cache.get(i)?.generation ?? -1) < generation && requested.get(i) !== generation);
    if (!want) return;
    for (let i = want.start; i < want.end; i++) requested.set(i, generation);
    callbacks.requestRows(want.start, want.end, generation);
  }

  function prune(w: { first: number; last: number }): void {
    for (const map of [cache, requested] as const) {
      for (const index of map.keys()) if (index < w.first - KEEP_MARGIN || index > w.last + KEEP_MARGIN) map.delete(index);
    }
  }

  function setTotal(n: number): void {
    total = n;
    grid.setAttribute('aria-rowcount', String(n + 1));
    virtualizer.setOptions({ ...virtualizer.options, count: n });
    virtualizer._willUpdate();
    scroll.setRows(n);
    active = Math.min(active, Math.max(0, n - 1));
    render();
  }

  function setActive(index: number): void {
    active = index;
    scroll.scrollTo(offsetToReveal(index, scroll.offset, ROW_HEIGHT, scroll.viewport.height));
    render();
  }

  function openActive(): void {
    const row = cache.get(active)?.row;
    if (row) callbacks.open(row.position);
  }

  grid.addEventListener('keydown', (e) => {
    // Header buttons keep their own keys (Enter / Space sort).
    if (e.target instanceof HTMLButtonElement) return;
    if (isNavKey(e.key)) {
      e.preventDefault();
      setActive(moveActive(e.key, active, total, Math.floor(scroll.viewport.height / ROW_HEIGHT)));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      openActive();
    }
  });
  scroller.addEventListener('focus', () => grid.focus({ preventScroll: true }));
  body.addEventListener('click', (e) => {
    const index = rowIndexOf(e.target);
    if (index === undefined) return;
    grid.focus({ preventScroll: true });
    setActive(index);
  });
  body.addEventListener('dblclick', (e) => {
    const index = rowIndexOf(e.target);
    if (index === undefined) return;
    active = index;
    openActive();
  });
  scroll.observeViewport(() => {
    // The header lines up with the rows over the scrollbar's width.
    head.style.paddingRight = `${scroller.offsetWidth - scroller.clientWidth}px`;
  });

  return {
    element: grid,
    reset(n) {
      generation++;
      cache.clear();
      requested.clear();
      active = 0;
      scroll.scrollTo(0);
      setTotal(n);
    },
    refresh(n) {
      generation++;
      setTotal(n);
    },
    putRows(start, rows, gen) {
      const w = visibleRange();
      if (!w) return;
      rows.forEach((row, i) => {
        const index = start + i;
        if (index < w.first - KEEP_MARGIN || index > w.last + KEEP_MARGIN || index >= total) return;
        const had = cache.get(index);
        if (had && had.generation > gen) return;
        cache.set(index, { row, generation: gen });
      });
      prune(w);
      render();
    },
    setSort(sort) {
      for (const h of headers) {
        const dir = ariaSort(sort, h.column);
        h.cell.setAttribute('aria-sort', dir);
        h.mark.textContent = dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '';
      }
    },
    setThreshold(t) {
      if (t === threshold) return;
      threshold = t;
      for (const row of rendered.values()) shown.delete(row);
      render();
    },
    setMessage(text) {
      message.textContent = text;
      message.hidden = text === '';
      message.setAttribute('role', text === '' ? 'none' : 'status');
    },
  };
}

const rowId = (index: number): string => `rl-row-${index}`;

function rowIndexOf(target: EventTarget | null): number | undefined {
  const row = target instanceof Element ? target.closest<HTMLElement>('.grid-row') : null;
  const index = Number(row?.dataset['index']);
  return Number.isSafeInteger(index) ? index : undefined;
}

function createRow(doc: Document): HTMLElement {
  const row = el(doc, 'div', 'grid-row');
  row.setAttribute('role', 'row');
  COLUMNS.forEach((c, i) => {
    const cell = el(doc, 'div', `cell col-${c.column}`);
    cell.setAttribute('role', 'gridcell');
    cell.setAttribute('aria-colindex', String(i + 1));
    row.append(cell);
  });
  return row;
}

/** Makes `row` the element of view row `index`. */
function setRowIndex(row: HTMLElement, index: number): void {
  row.id = rowId(index);
  row.dataset['index'] = String(index);
  // The header is row 1.
  row.setAttribute('aria-rowindex', String(index + 2));
}

/** Writes a row's cells (all text via textContent); `undefined` = not loaded yet. */
function fillRow(row: HTMLElement, data: ExplorerRow | undefined, threshold: number): void {
  row.classList.toggle('pending', data === undefined);
  row.classList.toggle('unreadable', data?.kind === 'none');
  const cells = Array.from(row.children) as HTMLElement[];
  const texts = data === undefined ? COLUMNS.map((c) => (c.column === 'position' ? '…' : '')) : cellTexts(data);
  cells.forEach((cell, i) => {
    cell.textContent = texts[i] ?? '';
    cell.className = `cell col-${COLUMNS[i]?.column ?? ''}`;
    cell.removeAttribute('title');
    cell.removeAttribute('aria-label');
  });
  if (data === undefined) return;
  const [, idCell, promptCell, , , scoreCell, errorCell, agreeCell] = cells;
  if (idCell) idCell.title = displayText(String(data.id), ID_CHARS * 4);
  if (promptCell) promptCell.title = data.problem !== undefined ? displayText(String(data.problem), PROMPT_CHARS * 4) : displayText(String(data.prompt), PROMPT_CHARS * 4);
  // Preference margins are not probabilities: no threshold colour, the agreement column carries the verdict.
  if (scoreCell) scoreCell.classList.add(`score-${data.kind === 'preference' ? 'none' : scoreClass(data.score, { threshold, highThreshold: threshold })}`);
  if (errorCell && typeof data.firstError === 'number') errorCell.classList.add('has-error');
  if (agreeCell) {
    const a = formatAgreement(data.agrees);
    agreeCell.setAttribute('aria-label', a.words);
    agreeCell.classList.add(data.agrees === undefined ? 'agree-none' : data.agrees ? 'agree-yes' : 'agree-no');
  }
}

/** The text of each column for one row, in `COLUMNS` order. */
function cellTexts(row: ExplorerRow): string[] {
  const score = row.score === undefined ? '' : row.kind === 'preference' ? formatMargin(row.score) : Number.isFinite(row.score) ? row.score.toFixed(3) : '';
  const byColumn: Record<ExplorerColumn, string> = {
    position: formatCount(row.position + 1),
    id: displayText(String(row.id), ID_CHARS),
    prompt: row.kind === 'none' ? `Unreadable row${row.problem !== undefined ? `: ${displayText(String(row.problem), PROMPT_CHARS)}` : ''}` : displayText(String(row.prompt), PROMPT_CHARS),
    steps: row.kind === 'none' ? '' : formatSteps(row),
    label: displayText(String(row.label), 60),
    score,
    firstError: formatFirstError(row.firstError),
    agrees: formatAgreement(row.agrees).symbol,
  };
  return COLUMNS.map((c) => byColumn[c.column]);
}
