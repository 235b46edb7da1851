// One function per plot of the dashboard: pre-binned data in, a section's content out (a plot with hover titles,
// its figures and a table view). The host bins, so every plot draws a few dozen marks whatever the file's size.
import * as Plot from '@observablehq/plot';
import type { StepLabel } from '../../src/core/dataset/types.js';
import type { AccuracyBars } from '../../src/core/report/plots/subsetAccuracy.js';
import type { BestOfNCurve } from '../../src/core/report/plots/bestOfNCurve.js';
import type { FirstErrorHeatmap } from '../../src/core/report/plots/firstErrorHeatmap.js';
import type { MarginHistogram } from '../../src/core/report/plots/marginHistogram.js';
import type { ReliabilityPlot, ReliabilityPlotBin } from '../../src/core/report/plots/reliabilityDiagram.js';
import type { RmBenchMatrix, RmBenchMatrixPanel } from '../../src/core/report/plots/rmBenchMatrix.js';
import { STEP_LABELS, type StepScoreHistogram } from '../../src/core/report/plots/stepScoreHistogram.js';
import {
  capitalise,
  COLOURS,
  compactCount,
  count,
  displayText,
  drawPlot,
  el,
  legend,
  note,
  num,
  pct,
  plotBox,
  plural,
  range,
  statLine,
  table,
  tableView,
  type Cell,
} from './dashboardDom.js';

/** Width of the full-size plots in SVG units; the SVG scales down to its box (max-width: 100%). */
const WIDTH = 560;

const LABEL_COLOUR: Readonly<Record<StepLabel, string>> = { good: COLOURS.good, bad: COLOURS.bad, neutral: COLOURS.neutral, unknown: COLOURS.unknown };

/** Tick labels of dataset text (subset names) are cut to this many characters; the table has them whole. */
const TICK_TEXT = 28;

const percentTicks = (x: number): string => `${Math.round(x * 100)}%`;

/** Step-score histogram, stacked by the dataset's step label. */
export function renderStepScores(doc: Document, h: StepScoreHistogram): Node[] {
  const last = h.bins.length - 1;
  const rows = h.bins.flatMap((b, i) =>
    STEP_LABELS.filter((label) => b.counts[label] > 0).map((label) => ({ ...b, label, n: b.counts[label], closed: i === last })),
  );
  const svg = drawPlot(
    doc,
    {
      width: WIDTH,
      height: 260,
      x: { domain: [0, 1], label: 'Step score' },
      y: { label: 'Steps', grid: true, nice: true },
      marks: [
        Plot.rectY(rows, {
          x1: 'lo',
          x2: 'hi',
          y: 'n',
          fill: (d: (typeof rows)[number]) => LABEL_COLOUR[d.label],
          insetLeft: 0.5,
          insetRight: 0.5,
          title: (d: (typeof rows)[number]) => `score ${range(d.lo, d.hi, d.closed)}\n${d.label}: ${plural(d.n, 'step')}`,
        }),
        Plot.ruleY([0]),
      ],
    },
    'Histogram of step scores, stacked by step label',
  );
  const binned = STEP_LABELS.reduce((a, l) => a + h.totals[l], 0);
  const left = [h.nonFinite > 0 ? `${plural(h.nonFinite, 'step')} without a finite score` : '', h.outside > 0 ? `${plural(h.outside, 'step')} scored outside [0, 1]` : ''].filter((s) => s !== '');
  const out: Node[] = [
    plotBox(doc, legend(doc, STEP_LABELS.map((l) => [l, `${l} (${count(h.totals[l])})`] as const)), svg),
    note(doc, `${plural(binned, 'step')} binned${left.length > 0 ? `; left out: ${left.join(', ')}` : ''}.`),
  ];
  const tableRows = h.bins.map((b, i) => [range(b.lo, b.hi, i === last), ...STEP_LABELS.map((l) => count(b.counts[l]))]);
  out.push(tableView(doc, table(doc, 'Steps per score bin and step label', ['Score', ...STEP_LABELS], tableRows)));
  return out;
}

const nonEmpty = (b: ReliabilityPlotBin): b is ReliabilityPlotBin & { meanScore: number; observed: number } => b.count > 0 && b.meanScore !== null && b.observed !== null;

/** A reliability diagram: observed rate per bin (bars), mean predicted score vs observed (dots), the diagonal. */
export function renderReliability(doc: Document, r: ReliabilityPlot): Node[] {
  const what = r.unit === 'step' ? 'labelled good' : 'correct';
  const points = r.bins.filter(nonEmpty);
  const maxCount = points.reduce((a, b) => Math.max(a, b.count), 1);
  const unit = r.unit === 'step' ? 'step' : 'trace';
  const title = (b: ReliabilityPlotBin & { meanScore: number; observed: number }): string =>
    `score ${range(b.lo, b.hi, b.hi === 1)}: ${plural(b.count, unit)}\nmean score ${num(b.meanScore)}, observed ${what} ${pct(b.observed)}`;
  const svg = drawPlot(
    doc,
    {
      width: WIDTH,
      height: 300,
      x: { domain: [0, 1], label: `Mean predicted ${unit} score` },
      y: { domain: [0, 1], label: `Fraction ${what}`, grid: true, tickFormat: percentTicks },
      r: { type: 'sqrt', domain: [0, maxCount], range: [2.5, 9] },
      marks: [
        Plot.rectY(points, { x1: 'lo', x2: 'hi', y: 'observed', fill: COLOURS.primary, fillOpacity: 0.22, insetLeft: 1, insetRight: 1, title }),
        Plot.line(
          [
            [0, 0],
            [1, 1],
          ],
          { stroke: COLOURS.muted, strokeDasharray: '4 3' },
        ),
        Plot.line(points, { x: 'meanScore', y: 'observed', stroke: COLOURS.primary, strokeWidth: 1.5 }),
        Plot.dot(points, { x: 'meanScore', y: 'observed', r: 'count', fill: COLOURS.primary, stroke: COLOURS.background, title }),
      ],
    },
    `Reliability diagram of ${unit} scores, ECE ${num(r.ece)}`,
  );
  const figures = statLine(doc, [
    ['ECE', num(r.ece)],
    [`${capitalise(unit)}s`, count(r.count)],
    ...(r.skipped > 0 ? [['Left out (score not in [0, 1])', count(r.skipped)] as const] : []),
  ]);
  const k = legend(doc, [
    ['primary', `observed fraction ${what} per bin (dot size: ${unit}s in the bin)`],
    ['diagonal', 'perfect calibration'],
  ]);
  const rows = r.bins.map((b, i) => [range(b.lo, b.hi, i === r.bins.length - 1), count(b.count), num(b.meanScore), pct(b.observed)]);
  return [figures, plotBox(doc, k, svg), tableView(doc, table(doc, `Calibration of ${unit} scores per bin`, ['Score bin', `${capitalise(unit)}s`, 'Mean score', `Observed ${what}`], rows))];
}

/** ProcessBench: labelled vs predicted first error as a heat map (opacity by count), with accuracies and F1. */
export function renderFirstError(doc: Document, h: FirstErrorHeatmap): Node[] {
  // Buckets are 0-based step indices ("0", …, "≥cap", "none"); steps are shown 1-based, as everywhere else.
  const shown = h.buckets.map((b) => (/^\d+$/.test(b) ? String(Number(b) + 1) : b.startsWith('≥') ? `≥${Number(b.slice(1)) + 1}` : b));
  const cells = h.counts.flatMap((row, r) => row.flatMap((n, c) => (n > 0 ? [{ labelled: shown[r] ?? '', predicted: shown[c] ?? '', n, hit: r === c }] : [])));
  // The axes stop after the last step bucket any trace uses (a small file does not draw 15 empty rows); "none" stays.
  const used = new Set(cells.flatMap((c) => [c.labelled, c.predicted]));
  const lastUsed = shown.reduce((last, b, i) => (used.has(b) && b !== 'none' ? i : last), 0);
  const domain = [...shown.slice(0, lastUsed + 1), ...shown.slice(lastUsed + 1).filter((b) => b === 'none')];
  const max = cells.reduce((a, c) => Math.max(a, c.n), 1);
  // Opacity by the square root of the count: a single trace is still visible next to a cell of thousands.
  const opacity = (n: number): number => 0.12 + 0.78 * Math.sqrt(n / max);
  const title = (c: (typeof cells)[number]): string => `labelled ${c.labelled}, predicted ${c.predicted}: ${plural(c.n, 'trace')}${c.hit ? ' (exact)' : ''}`;
  const size = Math.max(260, 26 * domain.length + 90);
  const svg = drawPlot(
    doc,
    {
      width: size + 20,
      height: size,
      marginLeft: 60,
      marginBottom: 44,
      x: { domain, label: 'Predicted first error (step)', labelAnchor: 'center', labelOffset: 36 },
      y: { domain, label: 'Labelled first error (step)', labelAnchor: 'center', labelOffset: 48 },
      marks: [
        Plot.cell(cells, { x: 'predicted', y: 'labelled', fill: COLOURS.primary, fillOpacity: (c: (typeof cells)[number]) => opacity(c.n), inset: 0.5, title }),
        // Exact agreement outlined, so the diagonal reads without a colour ramp.
        Plot.cell(
          cells.filter((c) => c.hit),
          { x: 'predicted', y: 'labelled', fill: 'none', stroke: COLOURS.good, strokeWidth: 1.5, inset: 1 },
        ),
        Plot.text(cells, { x: 'predicted', y: 'labelled', text: (c: (typeof cells)[number]) => compactCount(c.n), fill: COLOURS.foreground, fontSize: 10, title }),
      ],
    },
    'Heat map of labelled against predicted first error',
  );
  const figures = statLine(doc, [
    ['Erroneous accuracy', pct(h.erroneousAccuracy)],
    ['Correct accuracy', pct(h.correctAccuracy)],
    ['F1', pct(h.f1)],
    ['Traces', count(h.count)],
  ]);
  const out: Node[] = [figures, plotBox(doc, legend(doc, [['primary', 'traces (darker: more)'], ['good', 'exact first error']]), svg)];
  out.push(
    tableView(
      doc,
      table(
        doc,
        'Traces per labelled and predicted first error (non-empty cells)',
        ['Labelled', 'Predicted', 'Traces'],
        cells.map((c) => [c.labelled, c.predicted, count(c.n)]),
      ),
      h.subsetF1.length > 0 ? 'Table: heat map' : 'Table',
    ),
  );
  if (h.subsetF1.length > 0) {
    const subsetRows: Cell[][] = h.subsetF1.map((s) => [displayText(s.subset, 60), pct(s.f1)]);
    out.push(tableView(doc, table(doc, 'ProcessBench F1 per subset', ['Subset', 'F1'], subsetRows), 'Table: F1 per subset'));
  }
  return out;
}

const SOURCE_TEXT: Readonly<Record<AccuracyBars['source'], { readonly what: string; readonly unit: string }>> = {
  pairwise: { what: 'Pairwise accuracy', unit: 'pair' },
  rewardbench: { what: 'Section score', unit: 'subset' },
  rewardbench2: { what: 'Subset score', unit: 'set' },
};

/** Horizontal accuracy bars per subset or section, the overall figure as a rule; unmeasured bars say n/a. */
export function renderAccuracyBars(doc: Document, a: AccuracyBars): Node[] {
  const { what, unit } = SOURCE_TEXT[a.source];
  // Subset names are dataset text: keyed raw (two may share a display form), shown cut and neutralised.
  const domain = a.bars.map((b) => b.label);
  const longest = domain.reduce((m, l) => Math.max(m, Math.min(TICK_TEXT, displayText(l, TICK_TEXT).length)), 4);
  const measured = a.bars.filter((b): b is typeof b & { value: number } => b.value !== null);
  const missing = a.bars.filter((b) => b.value === null);
  const barTitle = (b: (typeof a.bars)[number]): string =>
    `${displayText(b.label, 200)}${b.group !== null ? ` (${displayText(b.group, 60)})` : ''}\n${what}: ${b.value === null ? `n/a (${b.reason ?? 'not measured'})` : pct(b.value)}${b.count !== null ? `, ${plural(b.count, unit)}` : ''}`;
  const svg = drawPlot(
    doc,
    {
      width: WIDTH,
      height: 40 + 24 * a.bars.length,
      marginLeft: 12 + 6.2 * longest,
      marginRight: 56,
      x: { domain: [0, 1], label: what, grid: true, tickFormat: percentTicks, axis: 'top' },
      y: { domain, label: null, tickFormat: (l: string) => displayText(l, TICK_TEXT) },
      marks: [
        Plot.barX(measured, { y: 'label', x: 'value', fill: COLOURS.primary, title: barTitle }),
        ...(a.overall === null
          ? []
          : [
              Plot.ruleX([a.overall], { stroke: COLOURS.reference, strokeWidth: 2, strokeDasharray: '5 3', title: () => `overall: ${pct(a.overall)}` }),
            ]),
        // Values in a column right of 100%, where the overall rule (≤ 100%) never runs through them.
        Plot.text(measured, { y: 'label', x: 1, text: (b: (typeof measured)[number]) => pct(b.value), textAnchor: 'start', dx: 6, fill: COLOURS.foreground }),
        Plot.text(missing, { y: 'label', x: 1, text: () => 'n/a', textAnchor: 'start', dx: 6, fill: COLOURS.muted, title: barTitle }),
        Plot.ruleX([0]),
      ],
    },
    `${what} per ${a.source === 'rewardbench' ? 'section' : 'subset'}`,
  );
  // RewardBench sections are weighted means of their subsets: they have no record count of their own.
  const counted = a.source !== 'rewardbench';
  const figures = statLine(doc, [['Overall', pct(a.overall)], ...(counted ? [[`${capitalise(unit)}s`, count(a.bars.reduce((s, b) => s + (b.count ?? 0), 0))] as const] : [])]);
  const key = legend(doc, [['primary', what.toLowerCase()], ...(a.overall === null ? [] : [['reference', `overall (${pct(a.overall)})`] as const])]);
  const hasGroups = a.bars.some((b) => b.group !== null);
  const rows: Cell[][] = a.bars.map((b) => [
    displayText(b.label, 120),
    ...(hasGroups ? [b.group === null ? '' : displayText(b.group, 60)] : []),
    b.value === null ? `n/a: ${b.reason ?? 'not measured'}` : pct(b.value),
    ...(counted ? [b.count === null ? '' : count(b.count)] : []),
  ]);
  const columns = [counted ? 'Subset' : 'Section', ...(hasGroups ? ['Section'] : []), what, ...(counted ? [`${capitalise(unit)}s`] : [])];
  return [figures, plotBox(doc, key, svg), tableView(doc, table(doc, `${what} per ${columns[0]?.toLowerCase() ?? 'subset'}`, columns, rows))];
}

/** Best-of-N selection accuracy against N, with the oracle (pass@N) as the ceiling. */
export function renderBestOfN(doc: Document, c: BestOfNCurve): Node[] {
  const maxN = c.points.reduce((a, p) => Math.max(a, p.n), 1);
  const title = (p: (typeof c.points)[number]): string => `N = ${p.n}: accuracy ${pct(p.accuracy)}, oracle ${pct(p.oracle)}\n${plural(p.count, 'prompt')} with ≥ ${p.n} samples`;
  const svg = drawPlot(
    doc,
    {
      width: WIDTH,
      height: 280,
      // Sizes double past 16, so a log axis keeps the points evenly spaced.
      x:
        maxN > 16
          ? { type: 'log', base: 2, label: 'N (samples per prompt)', domain: [1, maxN], tickFormat: (n: number) => String(n) }
          : { label: 'N (samples per prompt)', domain: [1, Math.max(2, maxN)], ticks: c.points.map((p) => p.n), tickFormat: (n: number) => String(n) },
      y: { domain: [0, 1], label: 'Accuracy', grid: true, tickFormat: percentTicks },
      marks: [
        Plot.line(c.points, { x: 'n', y: 'oracle', stroke: COLOURS.good, strokeDasharray: '5 3', strokeWidth: 1.5 }),
        Plot.dot(c.points, { x: 'n', y: 'oracle', fill: COLOURS.good, r: 3, title }),
        Plot.line(c.points, { x: 'n', y: 'accuracy', stroke: COLOURS.primary, strokeWidth: 2 }),
        Plot.dot(c.points, { x: 'n', y: 'accuracy', fill: COLOURS.primary, r: 3.5, title }),
      ],
    },
    'Best-of-N selection accuracy against N',
  );
  const lastPoint = c.points[c.points.length - 1];
  const figures = statLine(doc, [
    [`Accuracy at N = ${lastPoint?.n ?? 0}`, pct(lastPoint?.accuracy)],
    ['Oracle', pct(lastPoint?.oracle)],
    ['Prompts', count(c.groups)],
    ...(c.skipped > 0 ? [['Left out (unscored)', count(c.skipped)] as const] : []),
  ]);
  const key = legend(doc, [
    ['primary', 'top-scored sample is correct'],
    ['good', 'oracle: some sample is correct (pass@N)'],
  ]);
  const rows = c.points.map((p) => [String(p.n), pct(p.accuracy), pct(p.oracle), count(p.count)]);
  return [figures, plotBox(doc, key, svg), tableView(doc, table(doc, 'Best-of-N accuracy per N', ['N', 'Accuracy', 'Oracle', 'Prompts'], rows))];
}

function rmBenchPanel(doc: Document, styles: readonly string[], p: RmBenchMatrixPanel): HTMLElement {
  const name = p.subset === null ? 'All items' : displayText(p.subset, 40);
  const cells = p.cells.flatMap((row, i) => row.map((v, j) => ({ chosen: styles[i] ?? String(i), rejected: styles[j] ?? String(j), v })));
  const title = (c: (typeof cells)[number]): string => `${name}: chosen ${c.chosen} vs rejected ${c.rejected}\n${pct(c.v)} of ${plural(p.count, 'item')}`;
  const svg = drawPlot(
    doc,
    {
      width: 300,
      height: 250,
      marginLeft: 110,
      marginBottom: 58,
      // Two-word styles break onto two lines rather than rotate into the axis label.
      x: { domain: [...styles], label: 'Rejected style', labelAnchor: 'center', labelOffset: 52, tickFormat: (s: string) => s.replace(' ', '\n') },
      y: { domain: [...styles], label: 'Chosen style' },
      marks: [
        Plot.cell(cells, { x: 'rejected', y: 'chosen', fill: COLOURS.primary, fillOpacity: (c: (typeof cells)[number]) => 0.1 + 0.8 * c.v, inset: 0.5, title }),
        Plot.text(cells, { x: 'rejected', y: 'chosen', text: (c: (typeof cells)[number]) => pct(c.v), fill: COLOURS.foreground, stroke: COLOURS.background, strokeWidth: 2.5, paintOrder: 'stroke', title }),
      ],
    },
    `RM-Bench matrix, ${name}`,
  );
  const fig = el(doc, 'figure', 'rm-panel');
  const cap = el(doc, 'figcaption');
  cap.append(el(doc, 'strong', '', name), doc.createTextNode(` · ${plural(p.count, 'item')} · hard ${pct(p.hard)} · normal ${pct(p.normal)} · easy ${pct(p.easy)} · average ${pct(p.average)}`));
  const rows = p.cells.map((row, i) => [styles[i] ?? String(i), ...row.map((v) => pct(v))]);
  fig.append(cap, svg, tableView(doc, table(doc, `${name}: fraction of items with the chosen response (row style) scored above the rejected one (column style)`, ['Chosen \\ rejected', ...styles], rows), `Table: ${name}`));
  return fig;
}

/** RM-Bench's 3×3 style matrices: all items, then one per subset. */
export function renderRmBench(doc: Document, m: RmBenchMatrix): Node[] {
  const o = m.overall;
  const figures = statLine(doc, [
    ['Hard', pct(o.hard)],
    ['Normal', pct(o.normal)],
    ['Easy', pct(o.easy)],
    ['Average', pct(o.average)],
    ['Items', count(o.count)],
  ]);
  const grid = el(doc, 'div', 'rm-grid');
  grid.append(...[o, ...m.bySubset].map((p) => rmBenchPanel(doc, m.styles, p)));
  return [figures, note(doc, 'Cell: how often the chosen response in the row style scores above the rejected one in the column style. Hard is above the diagonal, easy below.'), grid];
}

/** The margin distribution r(chosen) − r(rejected): disagreeing bars red, agreeing green; ties counted apart. */
export function renderMargins(doc: Document, m: MarginHistogram): Node[] {
  const last = m.bins.length - 1;
  const bins = m.bins.map((b, i) => ({ ...b, closed: i === last })).filter((b) => b.count > 0);
  const title = (b: (typeof bins)[number]): string => `margin ${range(b.lo, b.hi, b.closed)}: ${plural(b.count, 'set')}\n${b.hi <= 0 ? 'disagrees with the label' : 'agrees with the label'}`;
  const svg = drawPlot(
    doc,
    {
      width: WIDTH,
      height: 260,
      x: { domain: [-m.limit, m.limit], label: 'Margin r(chosen) − r(rejected)' },
      y: { label: 'Preference sets', grid: true, nice: true },
      marks: [
        Plot.rectY(bins, { x1: 'lo', x2: 'hi', y: 'count', fill: (b: (typeof bins)[number]) => (b.hi <= 0 ? COLOURS.bad : COLOURS.good), insetLeft: 0.5, insetRight: 0.5, title }),
        Plot.ruleX([0], { stroke: COLOURS.foreground, strokeDasharray: '3 2' }),
        Plot.ruleY([0]),
      ],
    },
    'Histogram of preference margins',
  );
  const below = m.bins.filter((b) => b.hi <= 0).reduce((a, b) => a + b.count, 0);
  const above = m.bins.filter((b) => b.lo >= 0).reduce((a, b) => a + b.count, 0);
  const figures = statLine(doc, [
    ['Agree (margin > 0)', count(above)],
    ['Disagree (margin < 0)', count(below)],
    ['Ties (margin 0)', count(m.ties)],
    ['No margin', count(m.noMargin)],
    ...(m.outside > 0 ? [['Beyond ±' + num(m.limit), count(m.outside)] as const] : []),
  ]);
  const key = legend(doc, [
    ['good', 'chosen scored higher'],
    ['bad', 'rejected scored higher'],
  ]);
  const rows = m.bins.map((b, i) => [range(b.lo, b.hi, i === last), count(b.count)]);
  return [
    figures,
    plotBox(doc, key, svg),
    note(doc, `Ties (exactly 0) are not in the bars; "no margin" sets miss a side or a score.`),
    tableView(doc, table(doc, 'Preference sets per margin bin', ['Margin', 'Sets'], rows)),
  ];
}
