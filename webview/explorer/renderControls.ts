// The Dataset Explorer's header: the file's status (indexing, problems, model), the filter bar and a scoring run's
// progress. Controls are @vscode-elements; every dataset string (file name, labels, subsets, problem messages) is
// set as text.
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { compileFilterText } from '../../src/core/dataset/explorerView.js';
import type { ExplorerFilter, ExplorerStatus, ToExplorer } from '../../src/protocol/explorerMessages.js';
import { displayText, el, toolbarButton } from '../ui.js';
import { formatCount, formatEta, formatRate, labelChoices, subsetChoices, type Choice } from './layoutTable.js';

/** Problem messages listed under the problem count. */
const LISTED_PROBLEMS = 5;

type ScoringMessage = Extract<ToExplorer, { type: 'scoring' }>;

/** What the header asks of its owner. */
export interface ControlsCallbacks {
  /** The filter changed; `typing` asks for the debounce (text boxes), menus and boxes apply at once. */
  filter(filter: ExplorerFilter, typing: boolean): void;
  scoreAll(): void;
  cancelScoring(): void;
}

/** The live header. */
export interface ControlsHandle {
  readonly element: HTMLElement;
  setStatus(status: ExplorerStatus): void;
  /** The view's length (`total` of `rows` indexed) and whether the host is still searching. */
  setView(total: number, searching: boolean): void;
  setScoring(msg: ScoringMessage): void;
}

/** Builds the header, its filter controls showing `initial`. */
export function createControls(doc: Document, initial: ExplorerFilter, callbacks: ControlsCallbacks): ControlsHandle {
  const header = el(doc, 'header', 'explorer-header');

  // Status line: file, format, rows / indexing, problems, model.
  const statusLine = el(doc, 'div', 'toolbar status-line');
  const title = el(doc, 'h1', 'title');
  const format = el(doc, 'span', 'summary format');
  const rows = el(doc, 'span', 'rows-status');
  const rowsText = el(doc, 'span', 'rows-text');
  const indexing = doc.createElement('vscode-progress-bar');
  indexing.max = 100;
  indexing.ariaLabel = 'Indexing the file';
  const indexingTrack = track(doc, 'indexing-track', indexing);
  rows.append(rowsText, indexingTrack);
  const problems = el(doc, 'details', 'problems');
  const problemsSummary = el(doc, 'summary', 'problems-summary');
  const problemList = el(doc, 'ul', 'problem-list');
  problems.append(problemsSummary, problemList);
  const model = el(doc, 'span', 'model');
  const scoreAll = toolbarButton(doc, 'Score All', 'Score every row of the current view with the current model');
  scoreAll.addEventListener('click', () => callbacks.scoreAll());
  statusLine.append(title, format, rows, problems, model, scoreAll);

  // Filter bar.
  const filterBar = el(doc, 'div', 'toolbar filter-bar');
  filterBar.setAttribute('role', 'search');
  const textBox = el(doc, 'div', 'text-filter');
  const text = doc.createElement('vscode-textfield');
  text.className = 'filter-text';
  text.placeholder = 'Filter: prompt and steps';
  text.setAttribute('aria-label', 'Filter rows by text in the prompt and steps');
  text.value = initial.text ?? '';
  const textError = el(doc, 'span', 'filter-error');
  textError.setAttribute('role', 'alert');
  textBox.append(text, textError);
  const regex = checkbox(doc, 'filter-regex', 'Regex', 'Read the filter as a JavaScript regular expression', initial.regex === true);
  const label = select(doc, 'filter-label', 'Filter by the dataset label');
  const subset = select(doc, 'filter-subset', 'Filter by subset');
  const scoreMin = numberField(doc, 'score-min', 'min', 'Lowest score shown', initial.scoreMin);
  const scoreMax = numberField(doc, 'score-max', 'max', 'Highest score shown', initial.scoreMax);
  const scoreRange = el(doc, 'span', 'score-range');
  scoreRange.append(el(doc, 'span', 'range-label', 'Score'), scoreMin, el(doc, 'span', 'range-dash', '–'), scoreMax);
  const disagrees = checkbox(doc, 'filter-disagrees', 'Model disagrees', "Only rows where the model disagrees with the dataset's label", initial.disagrees === true);
  const matches = el(doc, 'span', 'matches');
  matches.setAttribute('role', 'status');
  const searching = doc.createElement('vscode-progress-ring');
  searching.className = 'searching';
  searching.ariaLabel = 'Searching';
  searching.hidden = true;
  filterBar.append(textBox, regex, label, subset, scoreRange, disagrees, searching, matches);

  // A scoring run.
  const scoringLine = el(doc, 'div', 'toolbar scoring-line');
  scoringLine.hidden = true;
  const scoringBar = doc.createElement('vscode-progress-bar');
  scoringBar.ariaLabel = 'Scoring';
  const scoringText = el(doc, 'span', 'scoring-text');
  scoringText.setAttribute('role', 'status');
  const cancel = toolbarButton(doc, 'Cancel', 'Stop scoring (rows scored so far are kept)', true);
  cancel.addEventListener('click', () => callbacks.cancelScoring());
  const scoringTrack = track(doc, 'scoring-track', scoringBar);
  scoringLine.append(scoringText, scoringTrack, cancel);

  header.append(statusLine, filterBar, scoringLine);

  let labels: readonly string[] = [];
  let subsets: readonly string[] = [];
  let indexedRows = 0;
  // What the menus filter by. A restored label or subset is kept while the host has not listed it yet (the menus
  // fill from `status`), so the query does not lose it.
  let labelValue = initial.label ?? '';
  let subsetValue = initial.subset ?? '';
  setChoices(label, labelChoices([labelValue]), labelValue);
  setChoices(subset, subsetChoices([subsetValue]), subsetValue);
  subset.hidden = subsetValue === '';

  const read = (): ExplorerFilter => {
    const min = parseScore(scoreMin.value);
    const max = parseScore(scoreMax.value);
    return {
      ...(text.value !== '' ? { text: text.value } : {}),
      ...(regex.checked ? { regex: true } : {}),
      ...(labelValue !== '' ? { label: labelValue } : {}),
      ...(min !== undefined ? { scoreMin: min } : {}),
      ...(max !== undefined ? { scoreMax: max } : {}),
      ...(disagrees.checked ? { disagrees: true } : {}),
      ...(subsetValue !== '' ? { subset: subsetValue } : {}),
    };
  };
  /** Validates the text (a regex that does not compile is shown, not sent) and reports the filter. */
  const changed = (typing: boolean): void => {
    const compiled = compileFilterText(text.value, regex.checked);
    text.invalid = !compiled.ok;
    textError.textContent = compiled.ok ? '' : compiled.message;
    if (compiled.ok) callbacks.filter(read(), typing);
  };
  text.addEventListener('input', () => changed(true));
  for (const box of [scoreMin, scoreMax]) box.addEventListener('input', () => changed(true));
  label.addEventListener('change', () => {
    labelValue = label.value;
    changed(false);
  });
  subset.addEventListener('change', () => {
    subsetValue = subset.value;
    changed(false);
  });
  for (const box of [regex, disagrees]) box.addEventListener('change', () => changed(false));

  return {
    element: header,
    setStatus(s) {
      indexedRows = s.rows;
      title.textContent = displayText(s.fileName, 120);
      title.title = title.textContent;
      format.textContent = `${s.container.toUpperCase()} · ${displayText(s.format, 60)}`;
      rowsText.textContent = s.complete ? `${formatCount(s.rows)} rows` : `Indexing… ${formatCount(s.rows)} rows (${Math.floor(s.progress * 100)}%)`;
      indexingTrack.hidden = s.complete;
      indexing.value = Math.round(s.progress * 1000) / 10;
      problems.hidden = s.problemCount === 0;
      problemsSummary.textContent = `⚠ ${formatCount(s.problemCount)} problem${s.problemCount === 1 ? '' : 's'}`;
      problemList.replaceChildren(...s.problems.slice(0, LISTED_PROBLEMS).map((p) => el(doc, 'li', '', displayText(p, 300))));
      model.textContent = s.model === '' ? 'No model selected' : `${displayText(s.model, 80)} · ${formatCount(s.scored)} of ${formatCount(s.rows)} scored`;
      model.title = model.textContent;
      if (!sameStrings(labels, s.labels)) {
        labels = s.labels;
        setChoices(label, labelChoices([...labels, labelValue]), labelValue);
      }
      if (!sameStrings(subsets, s.subsets)) {
        subsets = s.subsets;
        setChoices(subset, subsetChoices([...subsets, subsetValue]), subsetValue);
        subset.hidden = subsets.length === 0 && subsetValue === '';
      }
    },
    setView(total, isSearching) {
      searching.hidden = !isSearching;
      const filtered = Object.keys(read()).length > 0;
      matches.textContent = isSearching ? `Searching… ${formatCount(total)} found` : filtered ? `${formatCount(total)} of ${formatCount(indexedRows)} rows` : `${formatCount(total)} rows`;
    },
    setScoring(msg) {
      const running = msg.state === 'running';
      scoringLine.hidden = false;
      scoringLine.dataset['state'] = msg.state;
      cancel.hidden = !running;
      scoreAll.toggleAttribute('disabled', running);
      scoringTrack.hidden = !running;
      scoringBar.max = Math.max(1, msg.total);
      scoringBar.value = msg.done;
      scoringText.textContent = scoringSummary(msg);
    },
  };
}

/** One line on a scoring run: `Scoring 1,234 of 10,000 · 850 rows/s · about 10s left`, or how it ended. */
function scoringSummary(msg: ScoringMessage): string {
  const of = `${formatCount(msg.done)} of ${formatCount(msg.total)}`;
  switch (msg.state) {
    case 'running':
      // No rate or time left until the host has measured one (the first batch is still running).
      return [`Scoring ${of}`, msg.rate !== undefined && msg.rate > 0 ? formatRate(msg.rate) : '', msg.etaSeconds !== undefined && Number.isFinite(msg.etaSeconds) ? `about ${formatEta(msg.etaSeconds)} left` : '']
        .filter((s) => s !== '')
        .join(' · ');
    case 'done':
      return `Scored ${formatCount(msg.done)} row${msg.done === 1 ? '' : 's'}.`;
    case 'cancelled':
      return `Scoring cancelled after ${of}.`;
    case 'failed':
      return `Scoring failed after ${of}${msg.message !== undefined ? `: ${displayText(msg.message, 300)}` : '.'}`;
  }
}

/** A progress bar in a track (the bar draws only its filled part). */
function track(doc: Document, className: string, bar: HTMLElement): HTMLElement {
  const t = el(doc, 'span', `bar-track ${className}`);
  t.append(bar);
  return t;
}

/** A score bound from a text box: a finite number, or none when blank or not a number. */
function parseScore(value: string): number | undefined {
  if (value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

const sameStrings = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

function checkbox(doc: Document, className: string, text: string, tooltip: string, checked: boolean): VscodeCheckbox {
  const box = doc.createElement('vscode-checkbox');
  box.className = className;
  box.label = text;
  box.title = tooltip;
  box.checked = checked;
  return box;
}

function select(doc: Document, className: string, label: string): VscodeSingleSelect {
  const s = doc.createElement('vscode-single-select');
  s.className = className;
  s.setAttribute('aria-label', label);
  return s;
}

/** Fills a menu; labels and subsets are dataset text, so what the menu shows has bidi controls made visible. */
function setChoices(s: VscodeSingleSelect, choices: readonly Choice[], value: string): void {
  const selected = choices.some((c) => c.value === value) ? value : '';
  s.options = choices.map((c) => ({ label: displayText(c.label, 60), value: c.value, description: '', selected: c.value === selected, disabled: false }));
  s.value = selected;
}

function numberField(doc: Document, className: string, placeholder: string, label: string, value: number | undefined): VscodeTextfield {
  const f = doc.createElement('vscode-textfield');
  f.className = className;
  f.type = 'number';
  f.step = 0.05;
  f.placeholder = placeholder;
  f.setAttribute('aria-label', label);
  if (value !== undefined) f.value = String(value);
  return f;
}
