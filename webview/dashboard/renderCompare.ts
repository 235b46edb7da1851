// The comparison of two runs over the same records: counts (what was compared, what was left out and why),
// agreement and rank correlations, each run's metrics with their difference, the binned A-vs-B scatter, and the
// records where the runs differ most.
import * as Plot from '@observablehq/plot';
import type { RunMetrics } from '../../src/core/metrics/compareRuns.js';
import type { ScatterPanel } from '../../src/core/report/plots/compareScatter.js';
import type { CompareView } from '../../src/protocol/dashboardMessages.js';
import { bdi, capitalise, COLOURS, count, displayText, drawPlot, el, legend, notApplicableNote, note, num, pct, plotBox, plural, range, signed, statLine, table, tableView, type Cell } from './dashboardDom.js';
import { openButtons } from './renderQueue.js';

type MetricRow = readonly [label: string, a: string, b: string, difference: string];

/** The metrics table's rows: each run's figure and B − A (n/a where either side has none). */
function metricRows(a: RunMetrics, b: RunMetrics, d: CompareView['report']['difference']): MetricRow[] {
  const rows: MetricRow[] = [
    ['Traces', count(a.traces), count(b.traces), ''],
    ['Preference sets', count(a.preferences), count(b.preferences), ''],
    ['Mean trace score', num(a.mean_score), num(b.mean_score), signed(d.mean_score)],
    ['First-error rate', pct(a.first_error_rate), pct(b.first_error_rate), signed(d.first_error_rate)],
    ['Mean margin', num(a.mean_margin), num(b.mean_margin), signed(d.mean_margin)],
    ['Pairwise accuracy', pct(a.pairwise_accuracy), pct(b.pairwise_accuracy), signed(d.pairwise_accuracy)],
  ];
  const accuracy = (m: RunMetrics, subset: string): number | null => m.by_subset.find((s) => s.subset === subset)?.pairwise_accuracy ?? null;
  for (const s of d.by_subset) rows.push([`Pairwise accuracy: ${displayText(s.subset, 60)}`, pct(accuracy(a, s.subset)), pct(accuracy(b, s.subset)), signed(s.pairwise_accuracy)]);
  return rows;
}

/** One scatter grid: cells over [lo, hi]², opacity by count, with the y = x diagonal. */
function scatterPanel(doc: Document, p: ScatterPanel, nameA: string, nameB: string): HTMLElement {
  const bins = p.counts.length;
  const w = (p.hi - p.lo) / bins;
  const edge = (i: number): number => (i === bins ? p.hi : p.lo + i * w);
  const cells = p.counts.flatMap((row, r) => row.flatMap((n, c) => (n > 0 ? [{ x1: edge(c), x2: edge(c + 1), y1: edge(r), y2: edge(r + 1), n, lastX: c === bins - 1, lastY: r === bins - 1 }] : [])));
  const max = cells.reduce((m, c) => Math.max(m, c.n), 1);
  const title = (c: (typeof cells)[number]): string => `A ${range(c.x1, c.x2, c.lastX)}, B ${range(c.y1, c.y2, c.lastY)}\n${plural(c.n, 'record')}`;
  const svg = drawPlot(
    doc,
    {
      width: 340,
      height: 320,
      x: { domain: [p.lo, p.hi], label: `A: ${displayText(nameA, 30)}` },
      y: { domain: [p.lo, p.hi], label: `B: ${displayText(nameB, 30)}` },
      marks: [
        Plot.frame({ stroke: COLOURS.muted, strokeOpacity: 0.4 }),
        Plot.rect(cells, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: COLOURS.primary, fillOpacity: (c: (typeof cells)[number]) => 0.15 + 0.85 * Math.sqrt(c.n / max), title }),
        Plot.line(
          [
            [p.lo, p.lo],
            [p.hi, p.hi],
          ],
          { stroke: COLOURS.reference, strokeDasharray: '4 3' },
        ),
      ],
    },
    `${p.value} in run A against run B`,
  );
  const fig = el(doc, 'figure', 'scatter-panel');
  const cap = el(doc, 'figcaption');
  cap.append(el(doc, 'strong', '', capitalise(p.value)), doc.createTextNode(` · ${plural(p.count, 'record')} · ${count(p.equal)} equal in both runs`));
  const rows = cells.map((c) => [range(c.x1, c.x2, c.lastX), range(c.y1, c.y2, c.lastY), count(c.n)]);
  fig.append(cap, svg, tableView(doc, table(doc, `Records per A and B bin of ${p.value} (non-empty cells)`, ['A', 'B', 'Records'], rows), `Table: ${p.value}`));
  return fig;
}

function metricsTable(doc: Document, r: CompareView['report']): HTMLTableElement {
  const t = table(doc, 'Each run’s metrics over the compared records, and the difference B − A', ['Metric', 'A', 'B', 'B − A'], metricRows(r.a, r.b, r.difference));
  t.classList.add('metrics-table');
  return t;
}

/** The comparison section's content. */
export function renderCompare(doc: Document, c: CompareView, interactive: boolean): Node[] {
  const r = c.report;
  const names = el(doc, 'p', 'compare-names');
  names.append(el(doc, 'span', 'run-tag', 'A'), bdi(doc, c.nameA, 80), doc.createTextNode('  '), el(doc, 'span', 'run-tag', 'B'), bdi(doc, c.nameB, 80));
  const lo = r.left_out;
  const leftOut = lo.only_in_a + lo.only_in_b + lo.unscored_a + lo.unscored_b + lo.different_kind + lo.duplicate;
  const out: Node[] = [
    names,
    statLine(doc, [
      ['Records compared', count(r.records)],
      ['Paired by', r.paired_by],
      ['First-error agreement', pct(r.first_error_agreement)],
      ['Spearman', num(r.spearman)],
      ['Kendall τ-b', num(r.kendall)],
    ]),
    el(doc, 'h3', '', `Left out (${count(leftOut)})`),
    statLine(doc, [
      ['Only in A', count(lo.only_in_a)],
      ['Only in B', count(lo.only_in_b)],
      ['Unscored in A', count(lo.unscored_a)],
      ['Unscored in B', count(lo.unscored_b)],
      ['Trace in one, preference in the other', count(lo.different_kind)],
      ['Duplicate ids', count(lo.duplicate)],
    ]),
    el(doc, 'h3', '', 'Metrics'),
    metricsTable(doc, r),
    el(doc, 'h3', '', 'A against B'),
  ];
  if (c.scatter.kind === 'notApplicable') out.push(notApplicableNote(doc, c.scatter.reason));
  else {
    const grid = el(doc, 'div', 'scatter-grid');
    grid.append(...c.scatter.panels.map((p) => scatterPanel(doc, p, c.nameA, c.nameB)));
    out.push(plotBox(doc, legend(doc, [['primary', 'records (darker: more)'], ['reference', 'same value in both runs (y = x)']]), grid));
  }
  out.push(el(doc, 'h3', '', 'Where the runs differ most'));
  if (r.disagreements.length === 0) out.push(note(doc, 'No compared record differs between the runs.'));
  else {
    const rows: Cell[][] = r.disagreements.map((d, i) => {
      const firstErrors = d.kind === 'trace' ? `${d.first_error_a === null || d.first_error_a === undefined ? 'none' : `step ${d.first_error_a + 1}`} | ${d.first_error_b === null || d.first_error_b === undefined ? 'none' : `step ${d.first_error_b + 1}`}` : '';
      const buttons = interactive ? openButtons(doc, c.disagreementRecords?.[i], d.kind, d.id) : undefined;
      return [bdi(doc, d.id, 60), d.kind, num(d.a), num(d.b), signed(d.b - d.a), firstErrors, ...(interactive ? [buttons ?? '—'] : [])];
    });
    const t = table(doc, 'Compared records with the largest difference between the runs (trace score or margin)', ['Id', 'Kind', 'A', 'B', 'B − A', 'First error A | B', ...(interactive ? ['Open'] : [])], rows);
    const scroll = el(doc, 'div', 'table-scroll');
    scroll.append(t);
    out.push(scroll);
  }
  return out;
}
