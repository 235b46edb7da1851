// The perturbation probes' section of the dashboard: a bar per probe of the fraction of traces where the score moved
// the right way, with hover titles, and the sensitivity table as a table view. Its size is one row per probe.
import * as Plot from '@observablehq/plot';
import type { ProbeRow, ProbesView } from '../../src/protocol/dashboardMessages.js';
import { COLOURS, count, displayText, drawPlot, el, legend, note, pct, plotBox, signed, table, tableView } from './dashboardDom.js';

const WIDTH = 560;

/** What a probe's rule asks, in words. */
function rule(r: ProbeRow): string {
  return `${r.scope === 'step' ? "the touched step's score" : 'the trace score'} must ${r.expected === 'down' ? 'fall' : 'not rise'}`;
}

/** The section element (`data-plot="probes"`), built like the dashboard's other sections. */
function probesSection(doc: Document): HTMLElement {
  const s = el(doc, 'section', 'plot-section wide');
  s.dataset['plot'] = 'probes';
  const h = el(doc, 'h2', '', 'Perturbation probes');
  h.id = 'dashboard-probes-title';
  s.setAttribute('aria-labelledby', h.id);
  s.append(h);
  return s;
}

/** The probes' section: bars of the ok fraction (error probes and no-reward-for-padding probes coloured apart). */
export function renderProbes(doc: Document, view: ProbesView): HTMLElement {
  const s = probesSection(doc);
  const drawn = view.rows.filter((r) => r.okFraction !== null);
  const title = (r: ProbeRow): string => `${r.probe}: ${rule(r)}\nright way on ${pct(r.okFraction)} of ${count(r.traces)} traces\nmean change ${signed(r.meanDelta)}`;
  const colour = (r: ProbeRow): string => (r.expected === 'down' ? COLOURS.primary : COLOURS.reference);
  if (drawn.length > 0) {
    const svg = drawPlot(
      doc,
      {
        width: WIDTH,
        height: 40 + 28 * drawn.length,
        marginLeft: 130,
        x: { domain: [0, 1], label: 'Traces where the score moved the right way', grid: true, tickFormat: (x: number) => `${Math.round(x * 100)}%` },
        y: { domain: drawn.map((r) => r.probe), label: null },
        marginRight: 50,
        marks: [
          Plot.barX(drawn, { y: 'probe', x: 'okFraction', fill: colour, title }),
          // The figure at the bar's end, so a 0% bar still reads as measured rather than missing.
          Plot.text(drawn, { y: 'probe', x: 'okFraction', text: (r: ProbeRow) => pct(r.okFraction), dx: 4, textAnchor: 'start', fill: COLOURS.foreground, title }),
          Plot.ruleX([0]),
        ],
      },
      'Fraction of traces where the score moved the right way, per probe',
    );
    s.append(
      plotBox(
        doc,
        legend(doc, [
          ['primary', 'an error: the score must fall'],
          ['reference', 'padding or repetition: the score must not rise'],
        ]),
        svg,
      ),
    );
  }
  const untold = view.rows.filter((r) => r.okFraction === null).map((r) => r.probe);
  s.append(note(doc, `Model ${displayText(view.model, 120)}.${untold.length > 0 ? ` Not drawn (applied to no trace, or no score to compare): ${untold.join(', ')}.` : ''}`));
  const rows = view.rows.map((r) => [r.probe, count(r.traces), pct(r.okFraction), signed(r.meanDelta), rule(r)]);
  s.append(tableView(doc, table(doc, 'Perturbation probes: traces, right-way fraction and mean score change', ['Probe', 'Traces', 'Right way', 'Mean change', 'Rule'], rows)));
  return s;
}
