// Draws one response's reward curve in the Trace Tree's details pane: an SVG built with DOM APIs from the pure layout
// (src/core/hover/sparkline.ts). Colours come from CSS classes (media/webview.css, theme variables); the only dataset
// text, the record id, is set as textContent.
import { buildRewardCurve, curveGlyphs, layoutSparkline } from '../../src/core/hover/sparkline.js';
import type { StepTree } from '../../src/core/tree/treeTypes.js';
import { displayText, el } from '../ui.js';
import { traceStepScores, type CurveTarget } from './layoutCurve.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Drawing size in CSS pixels (the SVG scales down with the pane); points beyond this many are merged. */
const WIDTH = 240;
const HEIGHT = 48;
const MAX_POINTS = 120;

function svgEl(doc: Document, tag: string, cls: string, attrs: Readonly<Record<string, number | string>>): SVGElement {
  const node = doc.createElementNS(SVG, tag) as SVGElement;
  if (cls !== '') node.setAttribute('class', cls);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** The details pane's "Reward curve" section for `target`, or undefined when its response has no steps. */
export function renderCurve(doc: Document, tree: StepTree, target: CurveTarget, threshold: number): HTMLElement | undefined {
  const t = tree.traces[target.trace];
  const scores = traceStepScores(tree, target.trace);
  if (t === undefined || scores.length === 0) return undefined;
  const curve = buildRewardCurve(scores, threshold, MAX_POINTS);
  const l = layoutSparkline(curve, { width: WIDTH, height: HEIGHT, threshold, ...(target.step !== undefined ? { highlightStep: target.step } : {}) });
  const wrap = el(doc, 'div', 'reward-curve');
  wrap.append(el(doc, 'h3', 'caption', `Reward curve · ${displayText(t.id, 80)}`));
  const firstError = curve.firstError === null ? 'no step under the threshold' : `first error at step ${curve.firstError + 1}`;
  const svg = svgEl(doc, 'svg', 'curve', { width: WIDTH, height: HEIGHT, viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img' });
  svg.setAttribute('aria-label', `Step scores of ${scores.length} steps (${curveGlyphs(buildRewardCurve(scores, threshold, 24))}), ${firstError}`);
  svg.append(svgEl(doc, 'line', 'curve-threshold', { x1: 0, y1: l.thresholdY, x2: WIDTH, y2: l.thresholdY }));
  if (l.highlight !== undefined) svg.append(svgEl(doc, 'line', 'curve-guide', { x1: l.highlight.x, y1: 0, x2: l.highlight.x, y2: HEIGHT }));
  for (const run of l.runs) {
    if (run.length > 1) svg.append(svgEl(doc, 'polyline', 'curve-line', { points: run.map((d) => `${d.x},${d.y}`).join(' ') }));
  }
  for (const d of l.dots) {
    const dot = svgEl(doc, 'circle', d === l.firstError ? 'curve-dot first-error' : 'curve-dot', { cx: d.x, cy: d.y, r: d === l.firstError ? 3.5 : 2 });
    const steps = d.point.firstStep === d.point.lastStep ? `step ${d.point.firstStep + 1}` : `steps ${d.point.firstStep + 1}–${d.point.lastStep + 1} (lowest)`;
    const title = svgEl(doc, 'title', '', {});
    title.textContent = `${steps}: ${d.point.score.toFixed(3)}${d.point.firstError ? ' · first error' : ''}`;
    dot.append(title);
    svg.append(dot);
  }
  if (l.highlight?.y !== undefined) svg.append(svgEl(doc, 'circle', 'curve-ring', { cx: l.highlight.x, cy: l.highlight.y, r: 5 }));
  wrap.append(svg);
  const ring = target.step === undefined ? '' : ` · ring: step ${target.step + 1}`;
  wrap.append(el(doc, 'p', 'curve-note', `${scores.length} steps · dashed: threshold ${threshold} · ${firstError}${ring}`));
  return wrap;
}
