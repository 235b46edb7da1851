// The Evaluate Dataset dashboard as DOM: one pure build from a DashboardView, shared by the webview
// (webview/dashboard/main.ts) and the CLI's standalone report (`eval --html`, rendered through linkedom). No globals,
// no listeners, no canvas: everything is built in the document passed in, all dataset text through text APIs.
import type { DashboardData } from '../../src/core/report/plots/dashboardData.js';
import type { NotApplicable } from '../../src/core/report/plots/notApplicable.js';
import type { DashboardView } from '../../src/protocol/dashboardMessages.js';
import { bdi, count, el, notApplicableNote, num, section, type SectionKey } from './dashboardDom.js';
import { renderCompare } from './renderCompare.js';
import { renderAccuracyBars, renderBestOfN, renderFirstError, renderMargins, renderReliability, renderRmBench, renderStepScores } from './renderPlots.js';
import { renderProbes } from './renderProbes.js';
import { renderQueue } from './renderQueue.js';

/** How the dashboard is drawn. */
export interface RenderOptions {
  /** Open buttons on the queues (the webview); false for a static report, which has no host to open anything in. */
  readonly interactive: boolean;
}

type PlotKey = Exclude<keyof DashboardData, 'header'>;

/** The plots in reading order (half-width ones in pairs, then the wide one of their kind), with their headings. */
const PLOTS: readonly (readonly [PlotKey, string])[] = [
  ['stepScores', 'Step scores by label'],
  ['stepReliability', 'Step calibration'],
  ['traceReliability', 'Trace calibration'],
  ['bestOfN', 'Best-of-N accuracy'],
  ['firstError', 'First error (ProcessBench)'],
  ['pairwise', 'Pairwise accuracy by subset'],
  ['rewardBench', 'RewardBench sections'],
  ['rewardBench2', 'RewardBench 2 subsets'],
  ['margins', 'Preference margins'],
  ['rmBench', 'RM-Bench style matrices'],
  ['disagreements', 'Disagreement queue'],
];

/** Sections that take the whole width: a big matrix, a row of matrices, a wide table. */
const WIDE: ReadonlySet<PlotKey> = new Set(['firstError', 'rmBench', 'disagreements']);

/** A plot's content; each renderer takes its own data type, so the switch keeps the pairing checked. */
function plotContent(doc: Document, key: PlotKey, data: DashboardData, view: DashboardView, options: RenderOptions): Node[] {
  switch (key) {
    case 'stepScores':
      return data.stepScores.kind === 'notApplicable' ? [] : renderStepScores(doc, data.stepScores);
    case 'stepReliability':
    case 'traceReliability': {
      const r = data[key];
      return r.kind === 'notApplicable' ? [] : renderReliability(doc, r);
    }
    case 'firstError':
      return data.firstError.kind === 'notApplicable' ? [] : renderFirstError(doc, data.firstError);
    case 'pairwise':
    case 'rewardBench':
    case 'rewardBench2': {
      const bars = data[key];
      return bars.kind === 'notApplicable' ? [] : renderAccuracyBars(doc, bars);
    }
    case 'bestOfN':
      return data.bestOfN.kind === 'notApplicable' ? [] : renderBestOfN(doc, data.bestOfN);
    case 'rmBench':
      return data.rmBench.kind === 'notApplicable' ? [] : renderRmBench(doc, data.rmBench);
    case 'margins':
      return data.margins.kind === 'notApplicable' ? [] : renderMargins(doc, data.margins);
    case 'disagreements':
      return data.disagreements.kind === 'notApplicable' ? [] : renderQueue(doc, data.disagreements, view.disagreementRecords, options.interactive);
  }
}

const isNotApplicable = (x: DashboardData[PlotKey]): x is NotApplicable => x.kind === 'notApplicable';

/** The title and the line saying what the figures cover: model, format, coverage, threshold, aggregation. */
function renderHeader(doc: Document, view: DashboardView, options: RenderOptions): HTMLElement {
  const header = el(doc, 'header', 'dashboard-header');
  const h1 = el(doc, 'h1', '', view.data === undefined && view.compare !== undefined ? 'Comparison: ' : view.data === undefined && view.probes !== undefined ? 'Reward model probes: ' : 'Dataset dashboard: ');
  h1.append(bdi(doc, view.file, 100));
  header.append(h1);
  const { records, scored } = view.coverage;
  const parts: string[] = [];
  const h = view.data?.header;
  if (h !== undefined) parts.push(`model ${h.model}`, `format ${h.format}`);
  parts.push(`${count(scored)} of ${count(records)} records scored`);
  if (h !== undefined) parts.push(`threshold ${num(h.threshold)}`, `aggregation ${h.aggregation}`);
  const line = el(doc, 'p', 'dashboard-summary');
  // Model ids and format names can come from files too: text nodes, each in a bdi.
  parts.forEach((p, i) => {
    if (i > 0) line.append(doc.createTextNode(' · '));
    line.append(bdi(doc, p, 120));
  });
  header.append(line);
  const unscored = records - scored;
  // A comparison page (`compare --html`) or a probes page (`probe --html`) has no dashboard of its own: its
  // section says what it holds.
  if (view.data === undefined && (view.compare !== undefined || view.probes !== undefined)) return header;
  if (view.data === undefined || scored === 0) {
    const p = el(doc, 'p', 'coverage-warning', options.interactive ? 'No record is scored yet. Run Evaluate to score the file and draw the figures.' : 'No record is scored, so there is nothing to draw.');
    p.setAttribute('role', 'status');
    header.append(p);
  } else if (unscored > 0) {
    const p = el(doc, 'p', 'coverage-warning', `${count(unscored)} of ${count(records)} records are not scored yet: every figure below covers the ${count(scored)} scored records only.`);
    p.setAttribute('role', 'status');
    header.append(p);
  }
  return header;
}

/**
 * The whole dashboard for `view`, built in `doc`: the title line, a section per plot (applicable ones first; a plot
 * with nothing to draw is a sentence with its reason), and the comparison when `view.compare` is present. Each plot
 * section is `<section data-plot=KEY aria-labelledby>` with an SVG whose marks carry hover titles, and a table view.
 * The size of the DOM depends on the bins and the queue limit, never on the number of records.
 */
export function renderDashboard(doc: Document, view: DashboardView, options: RenderOptions): HTMLElement {
  const root = el(doc, 'div', 'dashboard');
  root.append(renderHeader(doc, view, options));
  const data = view.data;
  if (data !== undefined) {
    const applicable = PLOTS.filter(([key]) => !isNotApplicable(data[key]));
    const inapplicable = PLOTS.filter(([key]) => isNotApplicable(data[key]));
    const grid = el(doc, 'div', 'plot-grid');
    for (const [key, title] of applicable) {
      const s = section(doc, key, title);
      if (WIDE.has(key)) s.classList.add('wide');
      s.append(...plotContent(doc, key, data, view, options));
      grid.append(s);
    }
    root.append(grid);
    if (inapplicable.length > 0) {
      const grid2 = el(doc, 'div', 'plot-grid compact');
      for (const [key, title] of inapplicable) {
        const s = section(doc, key, title);
        s.classList.add('inapplicable');
        const plot = data[key];
        if (isNotApplicable(plot)) s.append(notApplicableNote(doc, plot.reason));
        grid2.append(s);
      }
      root.append(grid2);
    }
  }
  if (view.probes !== undefined) root.append(renderProbes(doc, view.probes));
  if (view.compare !== undefined) {
    const key: SectionKey = 'compare';
    const s = section(doc, key, 'Comparison of two runs');
    s.classList.add('wide', 'compare');
    s.append(...renderCompare(doc, view.compare, options.interactive));
    root.append(s);
  }
  return root;
}
