/// <reference lib="dom" />
// The dashboard renderer in plain Node through linkedom, as the CLI's standalone report runs it: no window, no canvas,
// no inline <style> (the webview CSP refuses it) and no style attributes, open buttons only when interactive, and the
// same sections as in the webview. (The DOM lib is referenced for the renderer's parameter types only; the document
// here is linkedom's.)
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseHTML } from 'linkedom';
import type { DashboardView } from '../../../src/protocol/dashboardMessages.js';
import { renderDashboard } from '../../../webview/dashboard/render.js';
import { compareView, dashboardView, HOSTILE_IMG, scoredPreferences, scoredTraces } from './dashboardViews.js';

function render(view: DashboardView, interactive: boolean): { root: HTMLElement; html: string } {
  const { document } = parseHTML('<!doctype html><html><head></head><body></body></html>');
  const doc = document as unknown as Document;
  const root = renderDashboard(doc, view, { interactive });
  doc.body.append(root);
  return { root, html: document.toString() };
}

describe('renderDashboard under linkedom (the standalone report)', () => {
  const traces = scoredTraces(300, 21, { hostile: true });
  const traceView: DashboardView = { ...dashboardView(`pb-${HOSTILE_IMG}.jsonl`, 'processbench', traces), compare: compareView(traces, 22) };
  const prefView = dashboardView('rb.jsonl', 'rewardbench', scoredPreferences(23));

  for (const [name, view] of [
    ['traces', traceView],
    ['preferences', prefView],
  ] as const) {
    it(`(${name}) builds every section with SVG plots, hover titles and no inline style`, () => {
      const { root, html } = render(view, false);
      const data = view.data;
      assert.ok(data);
      for (const [key, plot] of Object.entries(data)) {
        if (key === 'header') continue;
        const section = root.querySelector(`section[data-plot="${key}"]`);
        assert.ok(section, key);
        const applicable = (plot as { kind: string }).kind !== 'notApplicable';
        assert.equal(section.querySelector('.not-applicable') === null, applicable, `${key}: reason only when not applicable`);
        if (applicable && key !== 'disagreements') assert.ok(section.querySelector('svg title'), `${key}: a plot with titles`);
        if (!applicable) assert.equal(section.querySelector('svg'), null, `${key}: no plot`);
      }
      assert.equal((html.match(/<style/g) ?? []).length, 0, 'no <style> element');
      assert.equal((html.match(/\sstyle="/g) ?? []).length, 0, 'no style attribute');
      assert.equal(root.querySelectorAll('img, script').length, 0, 'no element from dataset text');
    });
  }

  it('puts open buttons on the queues only when interactive, carrying record and target', () => {
    const still = render(traceView, false).root;
    assert.equal(still.querySelectorAll('[data-action]').length, 0, 'a static report has no buttons');
    const live = render(traceView, true).root;
    const q = traceView.data?.disagreements;
    assert.ok(q && q.kind === 'disagreementQueue');
    const buttons = Array.from(live.querySelectorAll('section[data-plot="disagreements"] [data-action="open"]'));
    assert.equal(buttons.length, 2 * q.entries.length);
    assert.deepEqual(
      buttons.slice(0, 2).map((b) => [b.getAttribute('data-record'), b.getAttribute('data-target')]),
      [
        [String(traceView.disagreementRecords?.[0]), 'record'],
        [String(traceView.disagreementRecords?.[0]), 'traceTree'],
      ],
    );
    const compareButtons = live.querySelectorAll('section[data-plot="compare"] [data-action="open"]');
    const openable = traceView.compare?.disagreementRecords?.filter((r) => r !== null).length ?? 0;
    assert.ok(openable > 0);
    assert.equal(compareButtons.length, 2 * openable);
  });

  it('gives preference records a Judgment Diff and no Trace Tree', () => {
    const live = render(prefView, true).root;
    const targets = new Set(Array.from(live.querySelectorAll('[data-action="open"]')).map((b) => b.getAttribute('data-target')));
    assert.deepEqual([...targets].sort(), ['judgmentDiff', 'record']);
  });

  it('says that nothing is scored instead of drawing', () => {
    const { root } = render({ file: 'x.jsonl', coverage: { records: 12, scored: 0 } }, false);
    assert.match(root.textContent ?? '', /0 of 12 records scored/);
    assert.match(root.textContent ?? '', /No record is scored/);
    assert.equal(root.querySelectorAll('section, svg').length, 0);
  });
});
