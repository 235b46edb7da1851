// Small DOM helpers shared by the views. Text is only ever set through textContent.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { neutraliseBidi, truncate } from '../src/core/text/escape.js';
import type { ViewScoring } from '../src/protocol/messages.js';

/** An element with a class and, optionally, text (set as textContent, never parsed). */
export function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (className !== '') node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Dataset text made safe to show as text: bidi controls visible (`U+202E`), cut to `max` characters. */
export function displayText(text: string, max: number): string {
  return truncate(neutraliseBidi(text.length > max + 1 ? text.slice(0, max + 1) : text), max);
}

/** A `<vscode-button>`; secondary buttons are the less prominent style. */
export function toolbarButton(doc: Document, label: string, tooltip: string, secondary = false): HTMLElement {
  const b = doc.createElement('vscode-button');
  b.textContent = label;
  b.title = tooltip;
  if (secondary) b.setAttribute('secondary', '');
  return b;
}

/** Swatches explaining the score colours under the current thresholds. */
export function scoreLegend(doc: Document, s: ViewScoring): HTMLElement[] {
  const item = (cls: string, text: string): HTMLElement => {
    const span = el(doc, 'span', `legend-item score-${cls}`);
    span.append(el(doc, 'span', 'swatch'), doc.createTextNode(text));
    return span;
  };
  return [item('high', `≥ ${s.highThreshold}`), item('mid', `≥ ${s.threshold}`), item('low', `< ${s.threshold}`), item('none', 'not scored')];
}
