// Evaluate Dataset dashboard bootstrap (dist/dashboard.js): connect to the host, say `ready`, draw each `view` the
// host sends with the shared renderer, show scoring progress, and turn clicks on the renderer's open buttons into
// `open` messages through one delegated listener.
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import type { DashboardView, HostToDashboard, OpenTarget } from '../../src/protocol/dashboardMessages.js';
import { formatCount, formatEta } from '../explorer/layoutTable.js';
import { displayText, el, toolbarButton } from '../ui.js';
import { connectDashboardHost, type DashboardHostApi } from './dashboardHost.js';
import { renderDashboard } from './render.js';
import { OPEN_ACTION } from './renderQueue.js';

const OPEN_TARGETS: readonly OpenTarget[] = ['record', 'judgmentDiff', 'traceTree'];

/** The open message a clicked element asks for, or undefined when it is not (inside) an open button. */
function openRequest(target: EventTarget | null): { readonly record: number; readonly target: OpenTarget } | undefined {
  const button = target instanceof Element ? target.closest<HTMLElement>(`[data-action="${OPEN_ACTION}"]`) : null;
  if (button === null) return undefined;
  const record = Number(button.dataset['record']);
  const where = OPEN_TARGETS.find((t) => t === button.dataset['target']);
  return Number.isSafeInteger(record) && record >= 0 && where !== undefined ? { record, target: where } : undefined;
}

/** `Scoring 1,200 of 5,000 records · 48.0 records/s · about 1m 19s left`. */
function progressText(done: number, total: number, perSecond: number, etaSeconds: number | null): string {
  const rate = perSecond >= 10 ? formatCount(perSecond) : perSecond.toFixed(1);
  const eta = etaSeconds === null ? 'estimating time left' : `about ${formatEta(etaSeconds)} left`;
  return `Scoring ${formatCount(done)} of ${formatCount(total)} records · ${rate} records/s · ${eta}`;
}

/** What to restore after a re-render: which table views were open, and which open button had focus. */
interface UiMemory {
  readonly openTables: ReadonlySet<string>;
  readonly focus?: string;
}

const tableKey = (d: Element, i: number): string => `${d.closest('[data-plot]')?.getAttribute('data-plot') ?? ''}#${i}`;
const buttonKey = (b: Element): string => `${b.getAttribute('data-record') ?? ''}/${b.getAttribute('data-target') ?? ''}`;

function rememberUi(content: HTMLElement): UiMemory {
  const openTables = new Set(Array.from(content.querySelectorAll('details')).flatMap((d, i) => (d.open ? [tableKey(d, i)] : [])));
  const active = content.ownerDocument.activeElement;
  const focus = active !== null && content.contains(active) && active.getAttribute('data-action') === OPEN_ACTION ? buttonKey(active) : undefined;
  return focus === undefined ? { openTables } : { openTables, focus };
}

function restoreUi(content: HTMLElement, memory: UiMemory): void {
  content.querySelectorAll('details').forEach((d, i) => {
    if (memory.openTables.has(tableKey(d, i))) d.open = true;
  });
  if (memory.focus === undefined) return;
  const again = Array.from(content.querySelectorAll<HTMLElement>(`[data-action="${OPEN_ACTION}"]`)).find((b) => buttonKey(b) === memory.focus);
  again?.focus();
}

function start(host: DashboardHostApi, app: HTMLElement): void {
  const doc = app.ownerDocument;

  const evaluate = toolbarButton(doc, 'Evaluate', 'Score the records that are not scored yet, then draw the figures again');
  const compare = toolbarButton(doc, 'Compare With…', 'Compare with a second run: another model, or a score --out file', true);
  const clear = toolbarButton(doc, 'Clear comparison', 'Drop the comparison', true);
  const probe = toolbarButton(doc, 'Probe', 'Perturb each trace (corrupt a number, drop, swap or repeat a step, add filler…) and see whether the model moves the right way', true);
  clear.hidden = true;
  evaluate.addEventListener('click', () => host.post({ type: 'evaluate' }));
  compare.addEventListener('click', () => host.post({ type: 'compare' }));
  clear.addEventListener('click', () => host.post({ type: 'clearCompare' }));
  probe.addEventListener('click', () => host.post({ type: 'probe' }));
  const toolbar = el(doc, 'div', 'toolbar dashboard-toolbar');
  toolbar.setAttribute('aria-label', 'Dashboard actions');
  toolbar.append(evaluate, compare, clear, probe);

  // The scoring run: text for screen readers (a live region), a bar, and Cancel.
  const progressLine = el(doc, 'div', 'toolbar progress-line');
  progressLine.hidden = true;
  const progressTextEl = el(doc, 'span', 'progress-text');
  progressTextEl.setAttribute('role', 'status');
  const bar = doc.createElement('vscode-progress-bar');
  bar.ariaLabel = 'Scoring';
  const track = el(doc, 'span', 'bar-track progress-track');
  track.append(bar);
  const cancel = toolbarButton(doc, 'Cancel', 'Stop scoring (records scored so far are kept)', true);
  cancel.addEventListener('click', () => host.post({ type: 'cancel' }));
  progressLine.append(progressTextEl, track, cancel);
  const endMessage = el(doc, 'p', 'progress-end');
  endMessage.setAttribute('role', 'status');
  endMessage.hidden = true;

  const content = el(doc, 'div', 'dashboard-content');
  const failure = el(doc, 'p', 'unavailable');
  failure.setAttribute('role', 'alert');
  failure.hidden = true;

  // Toolbar and scoring progress stay in view while the dashboard scrolls.
  const top = el(doc, 'div', 'dashboard-top');
  top.append(toolbar, progressLine, endMessage);
  const root = el(doc, 'div', 'dashboard-page');
  root.append(top, failure, content);
  app.replaceChildren(root);

  // One listener for every open button the renderer draws (vscode-button turns Enter and Space into a click).
  content.addEventListener('click', (event) => {
    const open = openRequest(event.target);
    if (open !== undefined) host.post({ type: 'open', ...open });
  });

  const showView = (view: DashboardView): void => {
    const memory = rememberUi(content);
    try {
      content.replaceChildren(renderDashboard(doc, view, { interactive: true }));
      failure.hidden = true;
    } catch (e) {
      // A view this build cannot draw (a skewed host) says why instead of leaving a half-drawn page.
      failure.textContent = `The dashboard could not be drawn: ${displayText(e instanceof Error ? e.message : String(e), 300)}`;
      failure.hidden = false;
    }
    restoreUi(content, memory);
    clear.hidden = view.compare === undefined;
  };

  host.onMessage((msg: HostToDashboard) => {
    switch (msg.type) {
      case 'view':
        showView(msg.view);
        break;
      case 'progress':
        progressLine.hidden = false;
        endMessage.hidden = true;
        evaluate.toggleAttribute('disabled', true);
        progressTextEl.textContent = progressText(msg.done, msg.total, msg.perSecond, msg.etaSeconds);
        bar.value = msg.total > 0 ? Math.round((msg.done / msg.total) * 1000) / 10 : 0;
        break;
      case 'progressEnd':
        progressLine.hidden = true;
        evaluate.toggleAttribute('disabled', false);
        endMessage.textContent = msg.message === undefined ? '' : displayText(msg.message, 300);
        endMessage.hidden = msg.message === undefined;
        break;
      default:
        assertNever(msg);
    }
    app.setAttribute('aria-busy', 'false');
  });
  host.post({ type: 'ready' });
}

function assertNever(x: never): never {
  throw new Error(`Unhandled message ${JSON.stringify(x)}`);
}

const app = document.getElementById('app');
if (app) start(connectDashboardHost(), app);
