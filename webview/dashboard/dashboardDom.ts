// DOM and number helpers of the dashboard renderer. Everything takes the document it builds in (the webview's, or
// linkedom's when the CLI writes a standalone report), touches no globals and sets text only through textContent.
import * as Plot from '@observablehq/plot';
import { neutraliseBidi, truncate } from '../../src/core/text/escape.js';

/**
 * Theme colours. Only CSS variables, so every VS Code theme (and the standalone page's light/dark definitions)
 * recolours the plots; Plot passes `var(…)` through as a constant colour.
 */
export const COLOURS = {
  good: 'var(--vscode-charts-green)',
  bad: 'var(--vscode-charts-red)',
  neutral: 'var(--vscode-charts-yellow)',
  unknown: 'var(--vscode-descriptionForeground)',
  primary: 'var(--vscode-charts-blue)',
  reference: 'var(--vscode-charts-orange)',
  foreground: 'var(--vscode-foreground)',
  muted: 'var(--vscode-descriptionForeground)',
  background: 'var(--vscode-editor-background)',
} as const;

/** An element with an optional class and text (textContent, never parsed). */
export function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, className = '', text?: string): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (className !== '') node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Dataset text (ids, subset names, run names) as one safe display line: bidi controls made visible, cut to `max`. */
export function displayText(text: string, max = 80): string {
  const line = text.length > 4 * max ? text.slice(0, 4 * max) : text;
  return truncate(neutraliseBidi(line.replace(/\s+/g, ' ')), max);
}

/** Dataset text in a `<bdi>`, so even what survives neutralising cannot reorder the text around it. */
export function bdi(doc: Document, text: string, max = 80): HTMLElement {
  const node = el(doc, 'bdi', '', displayText(text, max));
  // The full text on hover when it was cut.
  if (text.length > max) node.title = displayText(text, 4 * max);
  return node;
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers

/** A fraction as a percentage with one decimal (`81.3%`), or `n/a`. */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`;
}

/** A score, correlation or error with three decimals (`0.812`, `−0.130` with a real minus sign), or `n/a`. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  const s = Math.abs(x).toFixed(3);
  return x < 0 && s !== '0.000' ? `\u2212${s}` : s;
}

/** A difference with its sign always shown (`+0.050`, `−0.020`), or `n/a`. */
export function signed(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  return x > 0 && x.toFixed(3) !== '0.000' ? `+${x.toFixed(3)}` : num(x);
}

/** A count with thousands separators (`12,345`), the same in every locale so reports compare. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A count short enough for a heat-map cell: `950`, `1.2k`, `34k`, `1.5M`. */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** `[lo, hi)` with three decimals; `closed` gives `[lo, hi]` (the last bin of a histogram). */
export function range(lo: number, hi: number, closed = false): string {
  return `[${num(lo)}, ${num(hi)}${closed ? ']' : ')'}`;
}

/** "steps" → "Steps" (for headers built from a unit name). */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "1 step", "2 steps". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Sections, notes, tables

/** The dashboard's sections, named after the keys of `DashboardData` (and `compare`). */
export type SectionKey =
  | 'stepScores'
  | 'stepReliability'
  | 'traceReliability'
  | 'firstError'
  | 'bestOfN'
  | 'pairwise'
  | 'rewardBench'
  | 'rewardBench2'
  | 'rmBench'
  | 'margins'
  | 'disagreements'
  | 'compare';

/** A `<section data-plot=key aria-labelledby>` with its h2; append the content to `body`. */
export function section(doc: Document, key: SectionKey, title: string): HTMLElement {
  const s = el(doc, 'section', 'plot-section');
  s.dataset['plot'] = key;
  const h = el(doc, 'h2', '', title);
  h.id = `dashboard-${key}-title`;
  s.setAttribute('aria-labelledby', h.id);
  s.append(h);
  return s;
}

/** The sentence a plot becomes when nothing in the file feeds it: never an empty or zero plot. */
export function notApplicableNote(doc: Document, reason: string): HTMLElement {
  const p = el(doc, 'p', 'not-applicable');
  p.append(el(doc, 'strong', '', 'Not applicable. '), doc.createTextNode(reason));
  return p;
}

/** A short line of figures under a plot's heading. */
export function statLine(doc: Document, items: readonly (readonly [label: string, value: string])[]): HTMLElement {
  const dl = el(doc, 'dl', 'stats');
  for (const [label, value] of items) {
    const div = el(doc, 'div', 'stat');
    div.append(el(doc, 'dt', '', label), el(doc, 'dd', '', value));
    dl.append(div);
  }
  return dl;
}

/** A note in muted text. */
export function note(doc: Document, text: string): HTMLElement {
  return el(doc, 'p', 'note', text);
}

/** A table cell's content: text, or a node built by the caller (dataset text in a `<bdi>`, buttons). */
export type Cell = string | Node;

/** A table: `columns` are column headers; with `rowHeaders`, each row's first cell is its row header. */
export function table(doc: Document, caption: string, columns: readonly string[], rows: readonly (readonly Cell[])[], rowHeaders = true): HTMLTableElement {
  const t = el(doc, 'table', 'data-table');
  t.append(el(doc, 'caption', '', caption));
  const head = el(doc, 'thead');
  const hr = el(doc, 'tr');
  for (const c of columns) {
    const th = el(doc, 'th', '', c);
    th.scope = 'col';
    hr.append(th);
  }
  head.append(hr);
  const body = el(doc, 'tbody');
  for (const row of rows) {
    const tr = el(doc, 'tr');
    row.forEach((cell, i) => {
      const header = rowHeaders && i === 0;
      const td = el(doc, header ? 'th' : 'td');
      if (header) (td as HTMLTableCellElement).scope = 'row';
      td.append(typeof cell === 'string' ? doc.createTextNode(cell) : cell);
      tr.append(td);
    });
    body.append(tr);
  }
  t.append(head, body);
  return t;
}

/**
 * A plot's table view: folded under its summary ("Table" unless a section has several) so the plot comes first,
 * one Tab stop away for keyboard users.
 */
export function tableView(doc: Document, t: HTMLTableElement, summary = 'Table'): HTMLDetailsElement {
  const d = el(doc, 'details', 'table-view');
  d.append(el(doc, 'summary', '', summary), t);
  return d;
}

/** A colour key: swatches named by class (`swatch-good`, …), coloured in dashboard.css, not inline (CSP). */
export function legend(doc: Document, items: readonly (readonly [swatch: string, label: string])[]): HTMLElement {
  const ul = el(doc, 'ul', 'plot-legend');
  for (const [swatch, label] of items) {
    const li = el(doc, 'li');
    const s = el(doc, 'span', `swatch swatch-${swatch}`);
    s.setAttribute('aria-hidden', 'true');
    li.append(s, doc.createTextNode(label));
    ul.append(li);
  }
  return ul;
}

// ---------------------------------------------------------------------------------------------------------------
// Plots

/** Class of every plot's SVG; its base style is in dashboard.css (see {@link drawPlot}). */
export const PLOT_CLASS = 'rl-plot';

/**
 * An Observable Plot SVG built in `doc`. Plot adds a `<style>` element for its base style; the webview's CSP allows
 * no inline styles, so it is dropped and dashboard.css carries the same rules for `.rl-plot`. No legends, titles or
 * captions go through Plot (they would wrap the SVG in a figure and colour legends need canvas): the dashboard
 * builds its own, in HTML.
 */
export function drawPlot(doc: Document, options: Plot.PlotOptions, ariaLabel: string): Element {
  const node = Plot.plot({ ...options, document: doc, className: PLOT_CLASS, ariaLabel });
  for (const style of Array.from(node.querySelectorAll('style'))) style.remove();
  node.setAttribute('role', 'img');
  return node;
}

/** A plot and what goes with it (legend, figures), in one box that scrolls sideways rather than overflow. */
export function plotBox(doc: Document, ...children: readonly Node[]): HTMLElement {
  const div = el(doc, 'div', 'plot');
  div.append(...children);
  return div;
}
