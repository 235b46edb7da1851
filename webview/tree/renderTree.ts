// Draws the Trace Tree with d3-selection: an SVG of boxes and links (pan/zoom with d3-zoom), a details pane, and a
// toolbar. Every dataset string goes through `.text()` / textContent; nothing is parsed as HTML.
import { select } from 'd3-selection';
import { zoom as d3zoom, zoomIdentity, zoomTransform, type D3ZoomEvent, type ZoomBehavior } from 'd3-zoom';
import { labelCounts } from '../../src/core/tree/buildStepTree.js';
import type { TreeTrace } from '../../src/core/tree/treeTypes.js';
import type { ScoringState, TraceTreeView } from '../../src/protocol/messages.js';
import { formatRange, formatScore } from '../format/numbers.js';
import type { HostApi } from '../host.js';
import { displayText, el, scoreLegend, toolbarButton } from '../ui.js';
import { boxInside, fitTransform, layoutBounds, nodeBox, scrollIntoView, type PanelSize, type ViewTransform } from './fitView.js';
import { curveTargetOf } from './layoutCurve.js';
import { DEFAULT_TREE_LAYOUT, findNode, layoutTree, navigate, revealTarget, type LayoutNode, type NavKey, type TreeLayout } from './layoutTree.js';
import { renderCurve } from './renderCurve.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Drops at least this large get a ▼ marker: where the reward falls is what the tree is for. */
const DROP_MARK = 0.2;
/** The first view never shrinks the tree below this scale; Fit does, on request. */
const READABLE_SCALE = 0.6;
/** The smallest zoom (Fit on a huge tree, or the wheel). */
const MIN_SCALE = 0.1;
/** Panel pixels kept free around a fitted tree or a box scrolled into view. */
const FIT_PADDING = 12;
/** Responses listed in the details pane of one node. */
const MAX_LISTED = 50;

/** The live Trace Tree view; `update` re-renders with a new snapshot and keeps selection, zoom and collapsed nodes. */
export interface TreeViewHandle {
  update(view: TraceTreeView): void;
  setScoring(state: ScoringState, message?: string): void;
}

/** Builds the Trace Tree view inside `container`. */
export function createTreeView(container: HTMLElement, host: HostApi): TreeViewHandle {
  const doc = container.ownerDocument;
  const saved = host.getState().tree;
  let view: TraceTreeView | undefined;
  let layout: TreeLayout | undefined;
  let selected = saved?.selected;
  const collapsed = new Set(saved?.collapsed ?? []);

  container.replaceChildren();
  const root = el(doc, 'div', 'tree-view');
  const toolbar = el(doc, 'header', 'toolbar');
  const title = el(doc, 'h1', 'title');
  const summary = el(doc, 'span', 'summary');
  const status = el(doc, 'span', 'status');
  status.setAttribute('role', 'status');
  const scoreButton = toolbarButton(doc, 'Score', 'Score the responses of this prompt with the current reward model');
  const fitButton = toolbarButton(doc, 'Fit', 'Fit the whole tree in view', true);
  const expandButton = toolbarButton(doc, 'Expand All', 'Show every collapsed branch', true);
  const legend = el(doc, 'span', 'legend');
  toolbar.append(title, summary, legend, status, scoreButton, expandButton, fitButton);

  const main = el(doc, 'div', 'tree-main');
  const svgNode = doc.createElementNS(SVG, 'svg');
  svgNode.classList.add('tree-canvas');
  const details = el(doc, 'aside', 'details');
  details.setAttribute('aria-live', 'polite');
  details.setAttribute('aria-label', 'Selected node');
  main.append(svgNode, details);
  root.append(toolbar, main);
  container.append(root);

  const svg = select(svgNode).attr('role', 'tree').attr('aria-label', 'Trace tree: arrow keys move, Enter reveals the step in the editor, Space collapses');
  const viewport = svg.append('g').attr('class', 'viewport');
  const linkLayer = viewport.append('g').attr('class', 'links');
  const nodeLayer = viewport.append('g').attr('class', 'nodes');

  /**
   * How the view follows the panel: `readable` refits on every resize at no less than a readable scale (the first
   * view), `whole` refits the whole tree (after Fit), and `manual` once the user pans or zooms: nothing moves then.
   */
  let mode: 'readable' | 'whole' | 'manual' = 'readable';
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const zoomBehavior: ZoomBehavior<SVGSVGElement, unknown> = d3zoom<SVGSVGElement, unknown>()
    .scaleExtent([MIN_SCALE, 2.5])
    .on('zoom', (event: D3ZoomEvent<SVGSVGElement, unknown>) => {
      viewport.attr('transform', event.transform.toString());
      // Only user gestures carry a source event; our own fits and scrolls do not.
      if (event.sourceEvent) mode = 'manual';
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => saveState(), 250);
    });
  // Double-click stays free for the nodes; wheel and drag pan and zoom.
  svg.call(zoomBehavior).on('dblclick.zoom', null);
  // A transform is saved only once the user has moved the view; otherwise the view is fitted afresh.
  const t0 = saved?.transform;
  if (t0) {
    svg.call(zoomBehavior.transform, zoomIdentity.translate(t0.x, t0.y).scale(t0.k));
    mode = 'manual';
  }
  let fitted = t0 !== undefined;

  function saveState(): void {
    const t = zoomTransform(svgNode);
    host.patchState({
      tree: {
        ...(selected !== undefined ? { selected } : {}),
        collapsed: [...collapsed],
        ...(mode === 'manual' ? { transform: { x: t.x, y: t.y, k: t.k } } : {}),
      },
    });
  }

  scoreButton.addEventListener('click', () => host.post({ type: 'score' }));
  fitButton.addEventListener('click', () => {
    mode = 'whole';
    fit();
  });
  expandButton.addEventListener('click', () => {
    collapsed.clear();
    render();
    saveState();
  });

  function panelSize(): PanelSize {
    const r = svgNode.getBoundingClientRect();
    return { width: r.width, height: r.height };
  }

  function setTransform(t: ViewTransform): void {
    svg.call(zoomBehavior.transform, zoomIdentity.translate(t.x, t.y).scale(t.k));
  }

  /**
   * Fits the tree to the panel (see `fitTransform`): the first view and resizes keep a readable scale with the root
   * in view, Fit shows the whole tree however small. The selected box is brought in too where the root stays in view.
   * Returns false while the panel has no size yet (the resize observer fits it once it has).
   */
  function fit(): boolean {
    if (!layout || mode === 'manual') return false;
    const panel = panelSize();
    if (panel.width < 1 || panel.height < 1) return false;
    const root = layout.nodes[0];
    const sel = selected === undefined ? undefined : layout.byId.get(selected);
    const content = layoutBounds(layout);
    setTransform(
      fitTransform(content, panel, root ? nodeBox(root) : content, { padding: FIT_PADDING, maxScale: 1, minScale: mode === 'readable' ? READABLE_SCALE : MIN_SCALE }, sel ? nodeBox(sel) : undefined),
    );
    return true;
  }

  // Refit when the panel changes size (editor split, sidebar toggled, window resized) until the user takes over.
  const resizeObserver = new ResizeObserver(() => {
    if (!layout) return;
    if (!fitted) fitted = fit();
    else if (mode !== 'manual') fit();
  });
  resizeObserver.observe(svgNode);

  function ensureVisible(node: LayoutNode): void {
    const panel = panelSize();
    if (panel.width < 1 || panel.height < 1) return;
    const t = zoomTransform(svgNode);
    const box = nodeBox(node);
    if (!boxInside(t, box, panel, 0)) setTransform(scrollIntoView(t, box, panel, FIT_PADDING));
  }

  function selectNode(id: string, opts: { focus: boolean; reveal: boolean }): void {
    if (!layout || !view) return;
    const node = layout.byId.get(id);
    if (!node) return;
    selected = id;
    nodeLayer
      .selectAll<SVGGElement, LayoutNode>('g.node')
      .classed('selected', (d) => d.id === id)
      .attr('tabindex', (d) => (d.id === id ? 0 : -1))
      .attr('aria-selected', (d) => String(d.id === id));
    renderDetails(node);
    if (opts.focus) {
      ensureVisible(node);
      nodeLayer.select<SVGGElement>(`g.node[data-id="${CSS.escape(id)}"]`).node()?.focus();
    }
    if (opts.reveal) reveal(node);
    saveState();
  }

  function reveal(node: LayoutNode): void {
    if (!view) return;
    const target = revealTarget(view.tree, node, view.focusRecordIndex);
    if (target) host.post({ type: 'reveal', target });
  }

  function toggle(node: LayoutNode): void {
    if (!node.collapsible) return;
    if (collapsed.has(node.treeNodeId)) collapsed.delete(node.treeNodeId);
    else collapsed.add(node.treeNodeId);
    render();
    selectNode(node.id, { focus: true, reveal: false });
  }

  function onKey(event: KeyboardEvent): void {
    if (!layout || selected === undefined) return;
    const node = layout.byId.get(selected);
    if (!node) return;
    const nav: readonly string[] = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home'];
    if (event.key === 'Enter') reveal(node);
    else if (event.key === ' ') toggle(node);
    else if (event.key === 'ArrowRight' && node.collapsed) toggle(node);
    else if (nav.includes(event.key)) selectNode(navigate(layout, node.id, event.key as NavKey), { focus: true, reveal: false });
    else return;
    event.preventDefault();
  }
  nodeLayer.on('keydown', onKey);

  function render(): void {
    if (!view) return;
    const v = view;
    layout = layoutTree(v.tree, v.scoring, { ...DEFAULT_TREE_LAYOUT, collapsed, focusRecordIndex: v.focusRecordIndex });
    const l = layout;

    linkLayer
      .selectAll<SVGPathElement, (typeof l.links)[number]>('path.link')
      .data(l.links, (d) => d.target)
      .join('path')
      .attr('class', (d) => `link score-${d.scoreClass}${d.onFocusPath ? ' focus-path' : ''}`)
      .attr('d', (d) => d.path);

    const nodes = nodeLayer
      .selectAll<SVGGElement, LayoutNode>('g.node')
      .data(l.nodes, (d) => d.id)
      .join((enter) => {
        const g = enter.append('g').attr('role', 'treeitem');
        g.append('rect').attr('class', 'box');
        g.append('text').attr('class', 'label');
        g.append('text').attr('class', 'meta');
        g.append('text').attr('class', 'drop');
        const t = g.append('g').attr('class', 'toggle');
        t.append('circle').attr('r', 7);
        t.append('text').attr('class', 'toggle-sign');
        g.append('title');
        return g;
      });
    nodes
      .attr('class', (d) => `node kind-${d.kind} score-${d.scoreClass}${d.stale ? ' stale' : ''}${d.onFocusPath ? ' focus-path' : ''}${d.correct === true ? ' correct' : d.correct === false ? ' incorrect' : ''}`)
      .attr('data-id', (d) => d.id)
      .attr('transform', (d) => `translate(${d.x},${d.y - d.height / 2})`)
      .attr('aria-level', (d) => d.depth + 1)
      .attr('aria-label', (d) => d.ariaLabel)
      .attr('aria-expanded', (d) => (d.collapsible ? String(!d.collapsed) : null))
      .attr('tabindex', -1)
      .on('click', (event: MouseEvent, d) => {
        event.stopPropagation();
        selectNode(d.id, { focus: true, reveal: true });
      });
    nodes
      .select('rect.box')
      .attr('width', (d) => d.width)
      .attr('height', (d) => d.height)
      .attr('rx', (d) => (d.kind === 'end' ? 12 : 4));
    nodes.select('text.label').attr('x', 10).attr('y', 18).text((d) => d.label);
    nodes.select('text.meta').attr('x', 10).attr('y', 35).text((d) => d.meta);
    nodes
      .select('text.drop')
      .attr('x', (d) => d.width - 12)
      .attr('y', 35)
      .attr('text-anchor', 'end')
      .text((d) => (d.drop !== undefined && d.drop >= DROP_MARK ? `▼${d.drop.toFixed(2)}` : ''));
    nodes.select('title').text((d) => d.ariaLabel);
    const toggles = nodes
      .select<SVGGElement>('g.toggle')
      .attr('transform', (d) => `translate(${d.width},${d.height / 2})`)
      .classed('hidden', (d) => !d.collapsible)
      .on('click', (event: MouseEvent, d) => {
        event.stopPropagation();
        toggle(d);
      });
    toggles.select('text.toggle-sign').attr('text-anchor', 'middle').attr('dy', '0.35em').text((d) => (d.collapsed ? '+' : '−'));

    const keep = selected !== undefined && l.byId.has(selected) ? selected : initialSelection(l, v);
    selected = keep;
    if (!fitted) fitted = fit();
    selectNode(keep, { focus: false, reveal: false });
  }

  function renderDetails(node: LayoutNode): void {
    if (!view) return;
    const tree = view.tree;
    details.replaceChildren();
    const head = el(doc, 'h2', 'details-title');
    const body = el(doc, 'div', 'details-body');
    const rows: [string, string][] = [];
    let text = '';
    if (node.kind === 'root') {
      head.textContent = 'Prompt';
      rows.push(['Responses', String(tree.traces.length)], ['Distinct steps', String(tree.nodeCount)]);
      text = tree.prompt;
    } else if (node.kind === 'step') {
      const n = findNode(tree.root, node.treeNodeId);
      head.textContent = `Step ${node.depth}`;
      if (n) {
        rows.push(['Score', n.score === undefined ? 'not scored' : n.scoreMin !== undefined && n.scoreMax !== undefined && n.scoreMin !== n.scoreMax ? `${formatScore(n.score)} (mean of ${formatRange(n.scoreMin, n.scoreMax)})` : formatScore(n.score)]);
        if (node.drop !== undefined) rows.push(['Change from previous step', node.drop > 0 ? `drops by ${node.drop.toFixed(3)}` : `rises by ${(-node.drop).toFixed(3)}`]);
        rows.push(['Responses through this step', String(n.traceCount)]);
        const labels = Object.entries(labelCounts(n.occurrences)).filter(([k]) => k !== 'unknown');
        if (labels.length > 0) rows.push(['Dataset labels', labels.map(([k, c]) => `${k} ×${c}`).join(', ')]);
        text = n.text;
      }
    } else {
      const t = node.trace === undefined ? undefined : tree.traces[node.trace];
      head.textContent = 'Final answer';
      if (t) {
        rows.push(...traceRows(t));
        text = t.answer ?? '(no final answer found)';
      }
    }
    const dl = el(doc, 'dl', 'facts');
    for (const [k, v] of rows) {
      dl.append(el(doc, 'dt', '', k), el(doc, 'dd', '', displayText(v, 500)));
    }
    const caption = el(doc, 'h3', 'caption', node.kind === 'root' ? 'Prompt text' : node.kind === 'step' ? 'Step text' : 'Answer');
    const pre = el(doc, 'div', 'full-text', displayText(text, 50_000));
    if (text.length > 50_000) body.append(el(doc, 'p', 'note', `Showing the first 50,000 of ${text.length.toLocaleString('en-US')} characters; reveal it in the editor to read the rest.`));
    const revealButton = toolbarButton(doc, 'Reveal in Editor', 'Select this text in the data file', true);
    revealButton.addEventListener('click', () => reveal(node));
    body.prepend(dl);
    // The response's reward curve (for a step: the opened record's response through it), its first error in red.
    const target = curveTargetOf(tree, node, view.focusRecordIndex);
    const curve = target && renderCurve(doc, tree, target, view.scoring.threshold);
    if (curve) dl.after(curve);
    body.append(caption, pre);
    if (node.kind === 'step') body.append(throughList(node));
    details.append(head, revealButton, body);
  }

  function throughList(node: LayoutNode): HTMLElement {
    const wrap = el(doc, 'div', 'through');
    if (!view) return wrap;
    const n = findNode(view.tree.root, node.treeNodeId);
    if (!n) return wrap;
    wrap.append(el(doc, 'h3', '', 'Responses through this step'));
    const ul = el(doc, 'ul', 'trace-list');
    for (const occ of n.occurrences.slice(0, MAX_LISTED)) {
      const t = view.tree.traces[occ.trace];
      if (!t) continue;
      const correct = t.correct === undefined ? '' : t.correct ? ' ✓' : ' ✗';
      ul.append(el(doc, 'li', '', displayText(`${t.id} · step ${formatScore(occ.score)} · trace ${formatScore(t.score)}${correct}`, 300)));
    }
    wrap.append(ul);
    if (n.occurrences.length > MAX_LISTED) wrap.append(el(doc, 'p', 'note', `and ${n.occurrences.length - MAX_LISTED} more`));
    return wrap;
  }

  return {
    update(next) {
      view = next;
      title.textContent = `Trace Tree · ${displayText(next.fileName, 200)}`;
      const scored = next.scoreSource === 'model' ? `scores: ${next.scoring.model}` : next.scoreSource === 'dataset' ? "scores: the dataset's own (not yet scored by the model)" : 'not scored';
      summary.textContent = `${next.tree.traces.length} responses · ${next.tree.nodeCount} distinct steps · ${displayText(scored, 200)}${next.scoring.stale ? ' · some scores are stale' : ''}`;
      legend.replaceChildren(...scoreLegend(doc, next.scoring));
      scoreButton.textContent = next.unscoredCount > 0 ? `Score ${next.unscoredCount} Response${next.unscoredCount === 1 ? '' : 's'}` : 'Rescore';
      scoreButton.toggleAttribute('secondary', next.unscoredCount === 0);
      render();
    },
    setScoring(state, message) {
      scoreButton.toggleAttribute('disabled', state === 'running');
      status.textContent = state === 'running' ? 'Scoring…' : state === 'failed' ? `Scoring failed: ${displayText(message ?? 'unknown error', 300)}` : '';
      status.classList.toggle('error', state === 'failed');
    },
  };
}

function traceRows(t: TreeTrace): [string, string][] {
  const rows: [string, string][] = [['Record', t.id]];
  if (t.reference !== undefined) rows.push(['Reference answer', t.reference]);
  if (t.correct !== undefined) {
    const word = t.correctSource === 'preference' ? (t.correct ? 'chosen by the dataset' : 'rejected by the dataset') : t.correct ? 'correct' : 'incorrect';
    const source = t.correctSource === 'dataset' ? ' (dataset label)' : t.correctSource === 'reference' ? ' (answer matches the reference)' : '';
    rows.push(['Correctness', `${word}${t.correctSource === 'reference' && !t.correct ? ' (answer differs from the reference)' : source}`]);
  } else rows.push(['Correctness', 'unknown']);
  rows.push(['Trace score', `${formatScore(t.score)}${t.stale ? ' (stale)' : ''}`], ['Steps', String(t.stepCount)]);
  return rows;
}

function initialSelection(layout: TreeLayout, view: TraceTreeView): string {
  // Start on the answer box of the record the view was opened from, so its path is in view.
  const end = layout.nodes.find((n) => n.kind === 'end' && n.trace !== undefined && view.tree.traces[n.trace]?.ref.recordIndex === view.focusRecordIndex);
  return end?.id ?? layout.nodes[0]?.id ?? 'r';
}

