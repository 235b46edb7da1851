// Draws the Judgment Diff: verdict, label and margin, the prompt, a ranked list for best-of-N sets, and two panes with a
// word diff. Every dataset string goes through `.text()` / textContent.
import { select } from 'd3-selection';
import type { DiffPart, Judgment } from '../../src/core/diff/alignResponses.js';
import type { JudgmentDiffView, ScoringState } from '../../src/protocol/messages.js';
import { formatMargin, formatScore } from '../format/numbers.js';
import { scoreClass } from '../format/scoreColor.js';
import type { HostApi } from '../host.js';
import { displayLine } from '../tree/layoutTree.js';
import { displayText, el, scoreLegend, toolbarButton } from '../ui.js';
import { layoutPanes, pick, verdictOf, type Pane, type PaneCritique } from './layoutDiff.js';

/** The live Judgment Diff view. */
export interface DiffViewHandle {
  update(view: JudgmentDiffView): void;
  setScoring(state: ScoringState, message?: string): void;
}

/** Builds the Judgment Diff view inside `container`. */
export function createDiffView(container: HTMLElement, host: HostApi): DiffViewHandle {
  const doc = container.ownerDocument;
  let view: JudgmentDiffView | undefined;
  let pair: { left: number; right?: number } | undefined;
  const saved = host.getState().diff;

  container.replaceChildren();
  const root = el(doc, 'div', 'diff-view');
  const toolbar = el(doc, 'header', 'toolbar');
  const title = el(doc, 'h1', 'title');
  const summary = el(doc, 'span', 'summary');
  const status = el(doc, 'span', 'status');
  status.setAttribute('role', 'status');
  const scoreButton = toolbarButton(doc, 'Score', 'Score this record with the current reward model');
  const legend = el(doc, 'span', 'legend');
  toolbar.append(title, summary, legend, status, scoreButton);
  const verdict = el(doc, 'div', 'verdict');
  verdict.setAttribute('role', 'status');
  const facts = el(doc, 'dl', 'facts judgment-facts');
  const prompt = el(doc, 'details', 'prompt');
  const ranked = el(doc, 'div', 'ranked');
  const panes = el(doc, 'div', 'panes');
  root.append(toolbar, verdict, facts, prompt, ranked, panes);
  container.append(root);

  scoreButton.addEventListener('click', () => host.post({ type: 'score' }));

  function choose(side: 'left' | 'right', index: number, refocus = false): void {
    if (!pair) return;
    pair = pick(pair, side, index);
    host.patchState({ diff: pair });
    render();
    // The list is rebuilt; keep keyboard users on the item they acted on.
    if (refocus) ranked.querySelector<HTMLElement>(`li[data-index="${index}"]`)?.focus();
  }

  function renderRanked(j: Judgment): void {
    ranked.replaceChildren();
    if (j.layout !== 'ranked' || !view) return;
    const s = view.scoring;
    ranked.append(el(doc, 'h2', '', `${j.responses.length} responses ranked by score`), el(doc, 'p', 'hint', 'Click a response (or press Enter) to compare it on the right; press L to put it on the left.'));
    const list = select(el(doc, 'ol', 'rank-list'));
    list.attr('role', 'listbox').attr('aria-label', 'Responses ranked by score');
    const items = list
      .selectAll('li')
      .data(j.ranking.map((i) => j.responses[i]).filter((r) => r !== undefined))
      .join('li')
      .attr('role', 'option')
      .attr('data-index', (r) => r.index)
      .attr('tabindex', (r) => (r.index === pair?.right ? 0 : -1))
      .attr('aria-selected', (r) => String(r.index === pair?.left || r.index === pair?.right))
      .attr('class', (r) => `rank-item score-${scoreClass(r.score, s)}${r.chosen ? ' chosen' : ' rejected'}${r.index === pair?.left ? ' is-left' : ''}${r.index === pair?.right ? ' is-right' : ''}`);
    items.append('span').attr('class', 'rank').text((r) => (r.rank === undefined ? '–' : `#${r.rank}`));
    items.append('span').attr('class', 'side-mark').text((r) => (r.index === pair?.left ? 'L' : r.index === pair?.right ? 'R' : ''));
    items.append('span').attr('class', (r) => `role ${r.chosen ? 'chosen' : 'rejected'}`).text((r) => (r.chosen ? 'chosen' : 'rejected'));
    items.append('span').attr('class', 'name').text((r) => `response ${r.index + 1}`);
    items.append('span').attr('class', 'score').text((r) => formatScore(r.score));
    items.append('span').attr('class', 'preview').text((r) => displayLine(r.text, 120));
    items
      .on('click', (_e, r) => choose('right', r.index))
      .on('keydown', (event: KeyboardEvent, r) => {
        const li = event.currentTarget as HTMLElement;
        if (event.key === 'Enter' || event.key === ' ') choose('right', r.index, true);
        else if (event.key === 'l' || event.key === 'L') choose('left', r.index, true);
        else if (event.key === 'ArrowDown') (li.nextElementSibling as HTMLElement | null)?.focus();
        else if (event.key === 'ArrowUp') (li.previousElementSibling as HTMLElement | null)?.focus();
        else return;
        event.preventDefault();
      });
    const listNode = list.node();
    if (listNode) ranked.append(listNode);
  }

  function renderPane(p: Pane): HTMLElement {
    const section = el(doc, 'section', `pane ${p.side} ${p.chosen ? 'chosen' : 'rejected'}`);
    section.setAttribute('aria-label', p.heading);
    section.dataset['response'] = String(p.index);
    const head = el(doc, 'header', 'pane-head');
    const h = el(doc, 'h2', '', p.heading);
    const score = el(doc, 'span', `score-pill score-${p.scoreClass}`, p.scoreText);
    const meta = el(doc, 'span', 'pane-facts', p.facts.join(' · '));
    const reveal = toolbarButton(doc, 'Reveal', 'Select this response in the data file', true);
    reveal.addEventListener('click', () => {
      if (view) host.post({ type: 'reveal', target: { recordIndex: view.recordIndex, responseIndex: p.index } });
    });
    head.append(h, score, meta, reveal);
    section.append(head);
    if (p.compared !== undefined) section.append(el(doc, 'p', 'compared-scores', p.compared));
    if (p.notice !== undefined) section.append(el(doc, 'p', 'note', p.notice));
    if (p.judge !== undefined) {
      const judge = el(doc, 'div', `judge${p.judge.consistent === false ? ' inconsistent' : ''}`);
      judge.append(el(doc, 'p', 'judge-summary', p.judge.summary));
      for (const r of p.judge.reasoning) {
        const details = el(doc, 'details', 'judge-reasoning');
        details.append(el(doc, 'summary', '', r.title), el(doc, 'div', 'full-text', displayText(r.text, 50_000)));
        judge.append(details);
      }
      section.append(judge);
    }
    const body = el(doc, 'div', 'diff-text');
    body.tabIndex = 0;
    body.setAttribute('aria-label', `${p.heading} text${p.critiques.length > 0 ? `, with ${p.critiques.length} step critique${p.critiques.length === 1 ? '' : 's'}` : ''}`);
    // Each critique sits in the text right after its step, so it is read (and seen) next to what it explains.
    let next = 0;
    const critiques = p.critiques;
    const appendCritiquesAt = (at: number): void => {
      for (let c = critiques[next]; c !== undefined && c.at === at; c = critiques[++next]) body.append(renderCritique(c));
    };
    p.parts.forEach((d: DiffPart, i) => {
      appendCritiquesAt(i);
      body.append(el(doc, 'span', `part ${d.kind}`, d.text));
    });
    appendCritiquesAt(p.parts.length);
    section.append(body);
    return section;
  }

  function renderCritique(c: PaneCritique): HTMLElement {
    const note = el(doc, 'span', `critique score-${c.scoreClass}${c.placed ? '' : ' unplaced'}`);
    note.setAttribute('role', 'note');
    note.dataset['step'] = String(c.step);
    note.append(el(doc, 'span', 'critique-head', `${c.heading} · critique`), el(doc, 'span', 'critique-text', c.text));
    return note;
  }

  function render(): void {
    if (!view || !pair) return;
    const j = view.judgment;
    const v = verdictOf(j);
    verdict.className = `verdict ${v.kind}`;
    verdict.textContent = `${v.kind === 'disagree' ? '✗ ' : v.kind === 'agree' ? '✓ ' : ''}${displayText(v.text, 400)}`;

    facts.replaceChildren();
    const rows: [string, string][] = [
      ['Dataset label', j.labelText],
      ['Margin', j.margin === null ? '—' : `${formatMargin(j.margin)}${j.comparison === 'best-of-n' ? ' (lowest chosen − highest rejected)' : j.comparison === 'matrix3x3' ? ' (mean chosen − mean rejected)' : ''}`],
      ['Model', `${view.scoring.model} · step scores combined by ${view.scoring.aggregation}${view.scoring.stale ? ' · stale (text changed since scoring)' : ''}`],
    ];
    if (view.compared !== undefined) rows.push(['Compared with', `B · ${view.compared.name} (A is ${view.scoring.model})${view.compared.stale ? ' · stale (text changed since it scored)' : ''}`]);
    if (j.subset !== undefined) rows.push(['Subset', j.subset]);
    for (const [k, val] of rows) facts.append(el(doc, 'dt', '', k), el(doc, 'dd', '', displayText(val, 500)));

    prompt.replaceChildren(el(doc, 'summary', '', `Prompt · ${displayLine(j.prompt === '' ? '(none)' : j.prompt, 100)}`), el(doc, 'div', 'full-text', displayText(j.prompt, 50_000)));
    renderRanked(j);
    panes.replaceChildren(...layoutPanes(j, view.scoring, pair.left, pair.right, view.compared).map(renderPane));
    panes.classList.toggle('single', pair.right === undefined);
  }

  return {
    update(next) {
      const first = view === undefined;
      view = next;
      const j = next.judgment;
      const valid = (i: number | undefined): i is number => i !== undefined && i >= 0 && i < j.responses.length;
      // Keep the user's pick across updates (rescoring, edits) while it still names responses of this record.
      if (first && saved && valid(saved.left)) pair = { left: saved.left, ...(valid(saved.right) ? { right: saved.right } : {}) };
      else if (!pair || !valid(pair.left) || (pair.right !== undefined && !valid(pair.right))) pair = { left: j.left, ...(j.right !== undefined ? { right: j.right } : {}) };
      title.textContent = `Judgment Diff · ${displayText(j.id, 120)}`;
      summary.textContent = `${displayText(next.fileName, 200)} · ${j.comparison} · ${j.scoredCount} of ${j.responses.length} scored`;
      legend.replaceChildren(...scoreLegend(doc, next.scoring));
      const unscored = j.scoredCount < j.responses.length;
      scoreButton.textContent = unscored ? 'Score' : 'Rescore';
      scoreButton.toggleAttribute('secondary', !unscored);
      render();
    },
    setScoring(state, message) {
      scoreButton.toggleAttribute('disabled', state === 'running');
      status.textContent = state === 'running' ? 'Scoring…' : state === 'failed' ? `Scoring failed: ${displayText(message ?? 'unknown error', 300)}` : '';
      status.classList.toggle('error', state === 'failed');
    },
  };
}
