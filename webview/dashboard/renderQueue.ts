// The disagreement queue, and the open buttons it shares with the comparison's disagreements. Buttons carry what
// to open in data attributes only; webview/dashboard/main.ts listens once on the page (no listeners here).
import type { DisagreementQueue } from '../../src/core/report/plots/disagreementQueue.js';
import type { OpenTarget } from '../../src/protocol/dashboardMessages.js';
import { bdi, count, displayText, el, note, num, signed, statLine, table, type Cell } from './dashboardDom.js';

/** The data attribute main.ts delegates clicks by. */
export const OPEN_ACTION = 'open';

const TARGET_TEXT: Readonly<Record<OpenTarget, string>> = { record: 'Record', judgmentDiff: 'Judgment Diff', traceTree: 'Trace Tree' };

/** Where a record of this kind can be opened: always as a record, plus its kind's own view. */
export function openTargets(kind: 'trace' | 'preference'): readonly OpenTarget[] {
  return ['record', kind === 'trace' ? 'traceTree' : 'judgmentDiff'];
}

/**
 * The open buttons of one record (`vscode-button`s, registered by main.ts): `data-action="open"`,
 * `data-record`, `data-target`. None when the record cannot be opened (`record` null: a CLI report).
 */
export function openButtons(doc: Document, record: number | null | undefined, kind: 'trace' | 'preference', id: string): HTMLElement | undefined {
  if (record === null || record === undefined || !Number.isInteger(record) || record < 0) return undefined;
  const span = el(doc, 'span', 'open-buttons');
  for (const target of openTargets(kind)) {
    const b = doc.createElement('vscode-button');
    b.className = 'open-button';
    b.textContent = TARGET_TEXT[target];
    b.setAttribute('secondary', '');
    b.setAttribute('tabindex', '0');
    b.setAttribute('aria-label', `Open ${displayText(id, 60)} as ${TARGET_TEXT[target]}`);
    b.dataset['action'] = OPEN_ACTION;
    b.dataset['record'] = String(record);
    b.dataset['target'] = target;
    span.append(b);
  }
  return span;
}

/** First-error text for a queue entry: 1-based step names, as the entry's reason numbers them. */
function stepText(i: number | null | undefined): string {
  return i === undefined ? '' : i === null ? 'none' : `step ${i + 1}`;
}

/**
 * The queue as a table (most confident first): id, kind, why, confidence, deciding score, first errors or margin,
 * and with `interactive`, the open buttons of each entry whose record index is known.
 */
export function renderQueue(doc: Document, q: DisagreementQueue, records: readonly (number | null)[] | undefined, interactive: boolean): Node[] {
  const shown = q.entries.length;
  const summary = `${count(q.disagreements)} of ${count(q.considered)} labelled records disagree with the model${shown < q.disagreements ? ` (the ${count(shown)} most confident shown)` : ''}.`;
  const figures = statLine(doc, [
    ['Disagree', count(q.disagreements)],
    ['Compared with a label', count(q.considered)],
    ['Unlabelled', count(q.unlabeled)],
    ['Labelled, unscored', count(q.unscored)],
  ]);
  if (shown === 0) return [figures, note(doc, summary)];
  const rows: Cell[][] = q.entries.map((e, i) => {
    const detail = e.kind === 'trace' ? `model ${stepText(e.firstError)}, label ${stepText(e.labelledFirstError)}` : `margin ${signed(e.margin)}`;
    const buttons = interactive ? openButtons(doc, records?.[i], e.kind, e.id) : undefined;
    return [String(i + 1), bdi(doc, e.id, 60), e.kind, displayText(e.reason, 200), num(e.confidence), num(e.score), detail, ...(interactive ? [buttons ?? '—'] : [])];
  });
  const columns = ['#', 'Id', 'Kind', 'Why', 'Confidence', 'Score', 'First error / margin', ...(interactive ? ['Open'] : [])];
  const t = table(doc, 'Records where the model contradicts the label, most confident first', columns, rows);
  t.classList.add('queue');
  // The queue is long and wide: it scrolls in its own box rather than stretch the page.
  const scroll = el(doc, 'div', 'table-scroll queue-scroll');
  scroll.append(t);
  const why = 'Confidence is how far the deciding score lies on the wrong side of the threshold (traces) or of a zero margin (preference sets).';
  return [figures, note(doc, `${summary} ${why}`), scroll];
}
