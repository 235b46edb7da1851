// The Evaluate Dataset dashboard page (host HTML shell + CSP, media/webview.css + dashboard.css, dist/dashboard.js) in
// Debian's headless chromium with an in-page fake host (scripts/dashboardPreviewHost.ts). Views are built by the real
// core over synthetic scored records (dashboardViews.ts); every expected figure is read from the view itself.
// Checks: each applicable plot is an SVG with hover titles and a table, each inapplicable one is its reason and no
// SVG; keyboard reaches and activates the queue's open buttons and the toolbar; hostile ids and subsets stay text; no
// CSP violation; a 100k-record view stays as small in the DOM as a small one. Screenshots go to
// .test-output/webview/dashboard-*.png. Without /usr/bin/chromium the suite is skipped, except under CI=true.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { DashboardData } from '../../../src/core/report/plots/dashboardData.js';
import type { DashboardToHost, DashboardView } from '../../../src/protocol/dashboardMessages.js';
import type { DashboardPreviewOptions } from '../../../scripts/dashboardPreviewHost.js';
import { DASHBOARD_PREVIEW_OUT, writeDashboardPreviewPage } from '../../../scripts/dashboardPreviewPage.js';
import { chromiumSkip, ensureBundle, launchChromium } from './browserKit.js';
import { BIDI_OVERRIDE, compareView, dashboardView, HOSTILE_IMG, HOSTILE_SCRIPT, scoredPreferences, scoredTraces } from './dashboardViews.js';

const THEMES = ['dark', 'light'] as const;
type PlotKey = Exclude<keyof DashboardData, 'header'>;
const PLOT_KEYS: readonly PlotKey[] = ['stepScores', 'stepReliability', 'traceReliability', 'firstError', 'bestOfN', 'pairwise', 'rewardBench', 'rewardBench2', 'rmBench', 'margins', 'disagreements'];

// Formats as a reader sees them (thousands separators; percentages with one decimal).
const count = (n: number): string => n.toLocaleString('en-US');
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** What the page shows of one section (in-page scripts are plain JavaScript strings: the test tsconfig has no DOM). */
interface SectionState {
  readonly key: string;
  readonly heading: string | null;
  readonly svgs: number;
  readonly tables: number;
  readonly captions: number;
  readonly colHeaders: number;
  readonly titles: string[];
  readonly notApplicable: string | null;
  readonly text: string;
}
const READ_SECTIONS = `[...document.querySelectorAll('section[data-plot]')].map((s) => {
  const labelledBy = s.getAttribute('aria-labelledby');
  const h = labelledBy && document.getElementById(labelledBy);
  return {
    key: s.dataset.plot,
    heading: h && h.tagName === 'H2' && s.contains(h) ? h.textContent : null,
    svgs: s.querySelectorAll('svg').length,
    tables: s.querySelectorAll('table').length,
    captions: s.querySelectorAll('table > caption').length,
    colHeaders: s.querySelectorAll('th[scope=col]').length,
    titles: [...s.querySelectorAll('svg title')].map((t) => t.textContent),
    notApplicable: s.querySelector('.not-applicable') && s.querySelector('.not-applicable').textContent,
    text: s.textContent,
  };
})`;

const posted = (page: Page): Promise<DashboardToHost[]> => page.evaluate<DashboardToHost[]>('window.__dashboardPosted');

/** Polls an in-page expression until it is true (Playwright's waitForFunction uses eval, which the CSP forbids). */
async function waitUntil(page: Page, expression: string, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens the dashboard on `view` and waits until it is drawn; collects page errors and CSP reports. */
async function open(browser: Browser, name: string, view: DashboardView, theme: 'dark' | 'light', width = 1280): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  const options: DashboardPreviewOptions = { view };
  const file = writeDashboardPreviewPage({ name, options, theme }, join(DASHBOARD_PREVIEW_OUT, 'pages'));
  await page.goto(pathToFileURL(file).toString());
  await page.waitForSelector('#app[aria-busy="false"] .dashboard');
  return { page, errors };
}

/** No page error, console error, CSP violation or executed payload. */
async function assertClean(page: Page, errors: readonly string[]): Promise<void> {
  assert.deepEqual(errors, [], 'no page or console errors');
  assert.deepEqual(await page.evaluate<string[]>('window.__dashboardCsp'), [], 'no CSP violations');
  assert.deepEqual(await page.evaluate<string[]>('window.__dashboardAlerts'), [], 'no payload ran');
}

/** Presses Tab until the focused element matches `selector`; returns how many presses it took. */
async function tabTo(page: Page, selector: string, limit = 400): Promise<number> {
  for (let i = 1; i <= limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate<boolean>(`!!document.activeElement && document.activeElement.matches(${JSON.stringify(selector)})`)) return i;
  }
  throw new Error(`Tab never reached ${selector}`);
}

const focused = (page: Page): Promise<{ record: string | null; target: string | null; visible: boolean }> =>
  page.evaluate(`(() => { const a = document.activeElement; return { record: a.getAttribute('data-record'), target: a.getAttribute('data-target'), visible: a.matches(':focus-visible') }; })()`);

describe('Evaluate Dataset dashboard in headless chromium', () => {
  let browser: Browser | undefined;
  const skip = chromiumSkip('dashboard browser tests');
  // Built by the real core: ProcessBench-like traces (three with hostile ids), 50 records left unscored, compared with
  // a second run; preference sets of every kind (one subset with a hostile name); nothing scored; 100k traces.
  const traces = scoredTraces(800, 11, { hostile: true });
  const traceView: DashboardView = { ...dashboardView(`processbench-${HOSTILE_IMG}${BIDI_OVERRIDE}.jsonl`, 'processbench', traces, 850), compare: compareView(traces, 12) };
  const prefView = dashboardView('rewardbench-sample.jsonl', 'rewardbench', scoredPreferences(13));
  const emptyView: DashboardView = { file: 'new-dataset.jsonl', coverage: { records: 40, scored: 0 } };

  before(async () => {
    if (skip) return;
    ensureBundle('dashboard.js', ['webview', 'src/protocol', 'src/core/report', 'src/core/metrics', 'media']);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  for (const theme of THEMES) {
    for (const [name, view] of [
      ['traces', traceView],
      ['preferences', prefView],
    ] as const) {
      it(`(${theme}, ${name}) draws every applicable plot as an SVG with a table, and each inapplicable one as its reason`, { skip }, async () => {
        assert.ok(browser);
        const { page, errors } = await open(browser, `${name}-${theme}`, view, theme);
        try {
          const data = view.data;
          assert.ok(data);
          const sections = await page.evaluate<SectionState[]>(READ_SECTIONS);
          for (const key of PLOT_KEYS) {
            const s = sections.find((x) => x.key === key);
            assert.ok(s, `section ${key}`);
            assert.ok(s.heading !== null && s.heading.length > 0, `${key} is labelled by its h2`);
            const plot = data[key];
            if (plot.kind === 'notApplicable') {
              assert.equal(s.svgs, 0, `${key} not applicable: no plot`);
              assert.equal(s.tables, 0, `${key} not applicable: no table`);
              assert.ok(s.notApplicable?.includes(plot.reason), `${key} says why: ${plot.reason}`);
            } else {
              assert.equal(s.notApplicable, null, `${key} applicable`);
              // The queue is a table of records, not a plot.
              if (key !== 'disagreements') assert.ok(s.svgs >= 1, `${key} has a plot`);
              assert.ok(s.tables >= 1 && s.captions === s.tables && s.colHeaders > 0, `${key} has captioned tables with column headers`);
            }
          }
          const compare = sections.find((x) => x.key === 'compare');
          assert.equal(compare !== undefined, view.compare !== undefined, 'a compare section exactly when there is a comparison');
          if (view.compare !== undefined && compare !== undefined) {
            const r = view.compare.report;
            assert.ok(compare.svgs >= 1 && compare.tables >= 3, 'compare: scatter, metrics, scatter table, disagreements');
            assert.ok(compare.text.includes(`Records compared${count(r.records)}`), 'compared count');
            assert.ok(compare.text.includes(`Only in A${count(r.left_out.only_in_a)}`) && r.left_out.only_in_a > 0, 'left-out count');
            assert.ok(r.first_error_agreement !== null && compare.text.includes(pct(r.first_error_agreement)), 'first-error agreement');
            assert.ok(r.spearman !== null && compare.text.includes(`Spearman${r.spearman.toFixed(3)}`), 'Spearman');
            assert.ok(r.kendall !== null && compare.text.includes(r.kendall.toFixed(3)), 'Kendall');
            assert.ok(compare.text.includes('Mean margin') && compare.text.includes('n/a'), 'n/a where a metric is null');
            const scatter = view.compare.scatter;
            assert.ok(scatter.kind === 'compareScatter');
            const cells = scatter.panels[0]?.counts.flat().filter((n) => n > 0) ?? [];
            assert.equal(compare.titles.filter((t) => /record/.test(t)).length, cells.length, 'one titled scatter cell per non-empty bin');
          }
          await page.screenshot({ path: join(DASHBOARD_PREVIEW_OUT, `dashboard-${name}-${theme}.png`), fullPage: true });
          await assertClean(page, errors);
        } finally {
          await page.close();
        }
      });
    }
  }

  it('carries the numbers in hover titles', { skip }, async () => {
    assert.ok(browser);
    const { page, errors } = await open(browser, 'titles', traceView, 'dark');
    try {
      const data = traceView.data;
      assert.ok(data);
      const sections = await page.evaluate<SectionState[]>(READ_SECTIONS);
      const titles = (key: string): string[] => sections.find((s) => s.key === key)?.titles ?? [];
      const h = data.stepScores;
      assert.ok(h.kind === 'stepScoreHistogram');
      for (const bin of h.bins) {
        for (const [label, n] of Object.entries(bin.counts)) {
          if (n === 0) continue;
          const want = `${label}: ${count(n)} step${n === 1 ? '' : 's'}`;
          assert.ok(titles('stepScores').some((t) => t.includes(bin.lo.toFixed(3)) && t.includes(want)), `histogram title "${want}" at ${bin.lo}`);
        }
      }
      const r = data.stepReliability;
      assert.ok(r.kind === 'reliability');
      assert.ok(sections.find((s) => s.key === 'stepReliability')?.text.includes(`ECE${r.ece.toFixed(3)}`), 'ECE stated');
      for (const b of r.bins) if (b.observed !== null) assert.ok(titles('stepReliability').some((t) => t.includes(pct(b.observed ?? 0)) && t.includes(count(b.count))), `reliability bin ${b.lo}`);
      const f = data.firstError;
      assert.ok(f.kind === 'firstErrorHeatmap');
      // Buckets are 0-based indices, shown as 1-based steps: bucket i < cap is step i + 1, then "≥cap+1", then "none".
      const cap = f.buckets.length - 2;
      const step = (i: number): string => (i < cap ? String(i + 1) : i === cap ? `≥${cap + 1}` : 'none');
      f.counts.forEach((row, i) =>
        row.forEach((n, j) => {
          if (n > 0) assert.ok(titles('firstError').includes(`labelled ${step(i)}, predicted ${step(j)}: ${count(n)} trace${n === 1 ? '' : 's'}${i === j ? ' (exact)' : ''}`), `heat map cell ${i},${j}`);
        }),
      );
      assert.ok(f.f1 !== null && sections.find((s) => s.key === 'firstError')?.text.includes(`F1${pct(f.f1)}`), 'F1 stated');
      const c = data.bestOfN;
      assert.ok(c.kind === 'bestOfNCurve');
      for (const p of c.points) assert.ok(titles('bestOfN').some((t) => t.startsWith(`N = ${p.n}: accuracy ${pct(p.accuracy)}, oracle ${pct(p.oracle)}`)), `best-of-N point ${p.n}`);
      await assertClean(page, errors);
    } finally {
      await page.close();
    }
    const pref = await open(browser, 'titles-pref', prefView, 'dark');
    try {
      const data = prefView.data;
      assert.ok(data);
      const sections = await pref.page.evaluate<SectionState[]>(READ_SECTIONS);
      for (const key of ['pairwise', 'rewardBench', 'rewardBench2'] as const) {
        const bars = data[key];
        assert.ok(bars.kind === 'accuracyBars');
        const ts = sections.find((s) => s.key === key)?.titles ?? [];
        for (const b of bars.bars) assert.ok(ts.some((t) => t.includes(b.value === null ? 'n/a' : pct(b.value))), `${key} bar ${b.label}`);
        if (bars.overall !== null) assert.ok(ts.includes(`overall: ${pct(bars.overall)}`), `${key} overall rule`);
      }
      const m = data.margins;
      assert.ok(m.kind === 'marginHistogram');
      const marginSection = sections.find((s) => s.key === 'margins');
      assert.ok(marginSection);
      assert.ok(marginSection.text.includes(`Ties (margin 0)${count(m.ties)}`) && m.ties > 0, 'ties stated');
      assert.ok(marginSection.text.includes(`No margin${count(m.noMargin)}`) && m.noMargin > 0, 'no-margin count stated');
      for (const b of m.bins) if (b.count > 0) assert.ok(marginSection.titles.some((t) => t.includes(`${count(b.count)} set`)), `margin bin ${b.lo}`);
      const rm = data.rmBench;
      assert.ok(rm.kind === 'rmBenchMatrix');
      const rmTitles = sections.find((s) => s.key === 'rmBench')?.titles ?? [];
      for (const row of rm.overall.cells) for (const v of row) assert.ok(rmTitles.some((t) => t.startsWith('All items') && t.includes(pct(v))), `RM-Bench cell ${v}`);
      await assertClean(pref.page, pref.errors);
    } finally {
      await pref.page.close();
    }
  });

  it('reaches the open buttons and the toolbar by keyboard, and posts what they do', { skip }, async () => {
    assert.ok(browser);
    const { page, errors } = await open(browser, 'keyboard', traceView, 'dark');
    try {
      const q = traceView.data?.disagreements;
      assert.ok(q && q.kind === 'disagreementQueue' && q.entries.length > 0);
      const first = q.entries[0];
      assert.ok(first);
      // Tab from the top: Evaluate is the first stop, then the queue's first button (Record), then its Trace Tree.
      await tabTo(page, 'vscode-button', 3);
      assert.equal(await page.evaluate<string>('document.activeElement.textContent'), 'Evaluate');
      await tabTo(page, 'section[data-plot=disagreements] [data-action=open]');
      assert.deepEqual(await focused(page), { record: String(traceView.disagreementRecords?.[0]), target: 'record', visible: true });
      await page.keyboard.press('Tab');
      assert.deepEqual(await focused(page), { record: String(traceView.disagreementRecords?.[0]), target: 'traceTree', visible: true });
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      await page.keyboard.press(' ');
      await waitUntil(page, `window.__dashboardPosted.filter((m) => m.type === 'open').length === 2`, 'two open messages');
      const opens = (await posted(page)).filter((m) => m.type === 'open');
      assert.deepEqual(opens, [
        { type: 'open', record: first.recordIndex, target: 'traceTree' },
        { type: 'open', record: q.entries[1]?.recordIndex, target: 'record' },
      ]);

      // The comparison's disagreements open too.
      const cmp = traceView.compare;
      assert.ok(cmp);
      await page.click('section[data-plot=compare] [data-action=open][data-target=traceTree]');
      await waitUntil(page, `window.__dashboardPosted.filter((m) => m.type === 'open').length === 3`, 'a compare open message');
      assert.deepEqual((await posted(page)).filter((m) => m.type === 'open')[2], { type: 'open', record: cmp.disagreementRecords?.[0], target: 'traceTree' });

      // Evaluate by keyboard: a progress line with Cancel, which ends it with the host's message.
      await page.focus('.dashboard-toolbar vscode-button');
      await page.keyboard.press('Enter');
      await waitUntil(page, `!document.querySelector('.progress-line').hidden && document.querySelector('.progress-text').textContent.includes('records/s')`, 'progress');
      const progress = await page.evaluate<string>(`document.querySelector('.progress-text').textContent`);
      assert.equal(progress, `Scoring ${count(Math.floor(50 / 3))} of 50 records · 43 records/s · about 1m 35s left`);
      await page.screenshot({ path: join(DASHBOARD_PREVIEW_OUT, 'dashboard-progress-dark.png') });
      await page.focus('.progress-line vscode-button');
      await page.keyboard.press('Enter');
      await waitUntil(page, `document.querySelector('.progress-line').hidden && !document.querySelector('.progress-end').hidden`, 'progress end');
      assert.match(await page.evaluate<string>(`document.querySelector('.progress-end').textContent`), /cancelled/);

      // Clear comparison, then Compare With… brings it back.
      assert.equal(await page.evaluate<boolean>(`[...document.querySelectorAll('.dashboard-toolbar vscode-button')][2].hidden`), false);
      await page.evaluate(`[...document.querySelectorAll('.dashboard-toolbar vscode-button')][2].click()`);
      await waitUntil(page, `!document.querySelector('section[data-plot=compare]')`, 'comparison cleared');
      assert.equal(await page.evaluate<boolean>(`[...document.querySelectorAll('.dashboard-toolbar vscode-button')][2].hidden`), true);
      await page.evaluate(`[...document.querySelectorAll('.dashboard-toolbar vscode-button')][1].click()`);
      await waitUntil(page, `!!document.querySelector('section[data-plot=compare]')`, 'comparison back');
      // Probe asks the host to run the perturbation probes.
      assert.equal(await page.evaluate<string>(`[...document.querySelectorAll('.dashboard-toolbar vscode-button')][3].textContent.trim()`), 'Probe');
      await page.evaluate(`[...document.querySelectorAll('.dashboard-toolbar vscode-button')][3].click()`);
      await waitUntil(page, `window.__dashboardPosted.some((m) => m.type === 'probe')`, 'a probe message');
      assert.deepEqual(
        (await posted(page)).map((m) => m.type).filter((t) => t !== 'open'),
        ['ready', 'evaluate', 'cancel', 'clearCompare', 'compare', 'probe'],
      );
      await assertClean(page, errors);
    } finally {
      await page.close();
    }
  });

  it('shows hostile ids, subsets, file and run names as inert text', { skip }, async () => {
    assert.ok(browser);
    for (const [name, view] of [
      ['hostile-traces', traceView],
      ['hostile-prefs', prefView],
    ] as const) {
      const { page, errors } = await open(browser, name, view, 'light');
      try {
        const state = await page.evaluate<{ imgs: number; handlers: number; scripts: number; text: string; hasOverride: boolean; ticks: string[] }>(`(() => ({
          imgs: document.querySelectorAll('img').length,
          handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
          scripts: [...document.scripts].filter((s) => !s.nonce).length,
          text: document.body.textContent,
          hasOverride: document.body.textContent.includes(${JSON.stringify(BIDI_OVERRIDE)}),
          ticks: [...document.querySelectorAll('svg text')].map((t) => t.textContent),
        }))()`);
        assert.equal(state.imgs, 0, 'no <img> element');
        assert.equal(state.handlers, 0, 'no on* attribute');
        assert.equal(state.scripts, 0, 'no script without the nonce');
        assert.equal(state.hasOverride, false, 'no live bidi override anywhere');
        assert.ok(state.text.includes(HOSTILE_IMG), 'the img markup is shown as text');
        assert.ok(state.text.includes('U+202E'), 'the bidi override is shown as a visible marker');
        if (name === 'hostile-traces') assert.ok(state.text.includes(HOSTILE_SCRIPT.slice(0, 40)), 'the script markup is shown as text (cut to the column)');
        else assert.ok(state.ticks.some((t) => t.startsWith('<img src=x')), 'a hostile subset name is a tick label, as text');
        await assertClean(page, errors);
      } finally {
        await page.close();
      }
    }
  });

  it('says when nothing is scored, and draws nothing', { skip }, async () => {
    assert.ok(browser);
    const { page, errors } = await open(browser, 'empty', emptyView, 'dark', 900);
    try {
      const text = await page.evaluate<string>(`document.querySelector('.dashboard').innerText`);
      assert.match(text, /0 of 40 records scored/);
      assert.match(text, /No record is scored yet\. Run Evaluate/);
      assert.equal(await page.evaluate<number>(`document.querySelectorAll('section, svg').length`), 0);
      await assertClean(page, errors);
    } finally {
      await page.close();
    }
  });

  it('keeps the DOM as small for 100,000 records as for 800', { skip }, async () => {
    assert.ok(browser);
    const big = dashboardView('big.jsonl', 'processbench', scoredTraces(100_000, 14));
    const nodes = async (view: DashboardView, name: string): Promise<number> => {
      const { page, errors } = await open(browser as Browser, name, view, 'dark');
      try {
        await assertClean(page, errors);
        return await page.evaluate<number>(`document.getElementsByTagName('*').length`);
      } finally {
        await page.close();
      }
    };
    const { compare: _compare, ...withoutCompare } = traceView;
    const small = await nodes(withoutCompare, 'small');
    const large = await nodes(big, 'big');
    // Same bins, same queue limit: the counts differ only by which cells and bins are non-empty.
    assert.ok(large < 6000, `100k records drew ${large} elements`);
    assert.ok(large < small * 1.5, `100k records: ${large} elements vs ${small} for 800`);
  });
});
