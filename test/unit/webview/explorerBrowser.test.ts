// The Dataset Explorer page (host HTML shell + CSP, media/webview.css + explorer.css, dist/explorer.js) in Debian's
// headless chromium with an in-page fake host over a million synthetic rows (scripts/explorerPreviewHost.ts): only
// the rows in view are in the DOM, the keyboard reaches the last row, header clicks and typed filters send queries
// and re-render, hostile text stays text. Screenshots go to .test-output/webview/explorer-*.png.
// Needs dist/explorer.js (rebuilt here when missing or older than its sources). Without /usr/bin/chromium the suite
// is skipped, except under CI=true where it fails.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, ensureBundle, launchChromium } from './browserKit.js';
import { buildExplorerView } from '../../../src/core/dataset/explorerView.js';
import type { ExplorerQuery, FromExplorer } from '../../../src/protocol/explorerMessages.js';
import { BIDI_OVERRIDE, HOSTILE_IMG, HOSTILE_SCRIPT, scoringRun, syntheticScore, syntheticSummary, type ExplorerPreviewOptions } from '../../../scripts/explorerPreviewData.js';
import { EXPLORER_PREVIEW_OUT, writeExplorerPreviewPage } from '../../../scripts/explorerPreviewPage.js';
import { formatCount, formatEta, MAX_SCROLL_PX, ROW_HEIGHT } from '../../../webview/explorer/layoutTable.js';

const MILLION = 1_000_000;
const THEMES = ['dark', 'light'] as const;
const source = { count: MILLION, summaryAt: syntheticSummary, scoreAt: syntheticScore };

/** Rebuilds dist/explorer.js when it is missing or older than a webview, protocol, core or media source. */

// In-page scripts are plain JavaScript strings (the test tsconfig has no DOM types; tsx's keepNames would wrap real
// functions in `__name(…)` calls the page does not have).
interface GridState {
  readonly role: string | null;
  readonly rowCount: string | null;
  readonly colCount: string | null;
  readonly rendered: number;
  readonly headers: { text: string; sort: string | null }[];
  readonly active: { rowIndex: string | null; number: string; inView: boolean } | null;
  readonly activeDescendant: string | null;
  readonly focused: boolean;
  readonly scrollHeight: number;
}
const READ_GRID = `(() => {
  const grid = document.querySelector('.grid');
  const scroller = document.querySelector('.grid-scroller').getBoundingClientRect();
  const active = document.querySelector('.grid-body .grid-row.active');
  const r = active && active.getBoundingClientRect();
  return {
    role: grid.getAttribute('role'),
    rowCount: grid.getAttribute('aria-rowcount'),
    colCount: grid.getAttribute('aria-colcount'),
    rendered: document.querySelectorAll('.grid-body .grid-row').length,
    headers: [...document.querySelectorAll('[role=columnheader]')].map((h) => ({ text: h.querySelector('.sort-title').textContent, sort: h.getAttribute('aria-sort') })),
    active: active && {
      rowIndex: active.getAttribute('aria-rowindex'),
      number: active.querySelector('.col-position').textContent,
      inView: r.top >= scroller.top - 0.5 && r.bottom <= scroller.bottom + 0.5,
    },
    activeDescendant: grid.getAttribute('aria-activedescendant'),
    focused: grid.contains(document.activeElement),
    scrollHeight: document.querySelector('.grid-scroller').scrollHeight,
  };
})()`;

/** The # column of the rendered rows from the top, loaded rows only. */
const READ_NUMBERS = `[...document.querySelectorAll('.grid-body .grid-row:not(.pending)')]
  .map((r) => ({ top: r.getBoundingClientRect().top, n: r.querySelector('.col-position').textContent }))
  .filter((r) => r.top >= document.querySelector('.grid-scroller').getBoundingClientRect().top - 1)
  .sort((a, b) => a.top - b.top)
  .map((r) => r.n)`;

const posted = (page: Page): Promise<FromExplorer[]> => page.evaluate<FromExplorer[]>('window.__explorerPosted');
const queries = async (page: Page): Promise<Extract<FromExplorer, { type: 'query' }>[]> => (await posted(page)).filter((m): m is Extract<FromExplorer, { type: 'query' }> => m.type === 'query');

/** Two animation frames: renders and the fake host's answers have landed. */
const settle = (page: Page): Promise<void> => page.evaluate('new Promise((r) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => r())), 0))');

/**
 * Polls an in-page expression until it is true. (Playwright's waitForFunction compiles its predicate with `eval`,
 * which the page's CSP forbids, as it should.)
 */
async function waitUntil(page: Page, expression: string, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the top visible row is `#n` (a re-render after a query or scroll). */
const waitForTop = (page: Page, n: number): Promise<void> => waitUntil(page, `(${READ_NUMBERS})[0] === ${JSON.stringify(formatCount(n))}`, `row #${n} at the top`);

/** The view of `query` over the million synthetic rows, built once per query for both themes. */
const expectedViews = new Map<string, Int32Array>();
function expectedView(query: ExplorerQuery): Int32Array {
  const key = JSON.stringify(query);
  let positions = expectedViews.get(key);
  if (!positions) {
    positions = buildExplorerView(source, query).positions;
    expectedViews.set(key, positions);
  }
  return positions;
}

/** The file positions (as `#` text) the view of `query` starts with. */
function expectedTop(query: ExplorerQuery, k: number): string[] {
  return Array.from(expectedView(query).subarray(0, k), (p) => formatCount(p + 1));
}

async function open(browser: Browser, name: string, options: ExplorerPreviewOptions, theme: 'dark' | 'light', size = { width: 1200, height: 700 }): Promise<Page> {
  const page = await browser.newPage({ viewport: size });
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') violations.push(m.text());
  });
  page.on('pageerror', (e) => violations.push(e.message));
  const file = writeExplorerPreviewPage({ name, options, theme }, join(EXPLORER_PREVIEW_OUT, 'pages'));
  await page.goto(pathToFileURL(file).toString());
  await page.waitForSelector('#app[aria-busy="false"]');
  if (options.error === undefined) await page.waitForSelector('.grid-body .grid-row:not(.pending)', { timeout: 20_000 });
  await settle(page);
  assert.deepEqual(violations, [], 'no page errors or CSP violations');
  return page;
}

const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: join(EXPLORER_PREVIEW_OUT, `explorer-${name}.png`) });

describe('Dataset Explorer in headless chromium', () => {
  let browser: Browser | undefined;
  const skip = chromiumSkip('explorer browser tests');

  before(async () => {
    if (skip) return;
    ensureBundle('explorer.js', ['webview', 'src/protocol', 'src/core/dataset', 'media']);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  for (const theme of THEMES) {
    it(`(${theme}) shows a million rows as a grid with only the visible rows in the DOM, and the keyboard reaches the last`, { skip }, async () => {
      assert.ok(browser);
      const page = await open(browser, `keyboard-${theme}`, { rows: MILLION }, theme);
      try {
        await shot(page, `open-${theme}`);
        const g = await page.evaluate<GridState>(READ_GRID);
        assert.equal(g.role, 'grid');
        assert.equal(g.rowCount, String(MILLION + 1), 'aria-rowcount counts the header row too');
        assert.equal(g.colCount, '8');
        assert.deepEqual(
          g.headers.map((h) => h.text),
          ['#', 'Id', 'Prompt', 'Steps', 'Label', 'Score', 'First error', 'Agrees'],
        );
        assert.deepEqual(
          g.headers.map((h) => h.sort),
          ['ascending', 'none', 'none', 'none', 'none', 'none', 'none', 'none'],
        );
        assert.ok(g.rendered > 10 && g.rendered < 100, `${g.rendered} rows in the DOM`);
        assert.ok(g.scrollHeight <= MAX_SCROLL_PX + 1000, `scroll height ${g.scrollHeight} stays under the browsers' limits`);
        const status = await page.locator('.explorer-header').innerText();
        for (const text of ['processbench-million.jsonl', 'JSONL · ProcessBench', '1,000,000 rows', '2 problems', 'Qwen2.5-Math-PRM-7B (onnx)']) assert.ok(status.includes(text), `status shows ${text}`);
        assert.deepEqual(await page.evaluate(READ_NUMBERS).then((n) => (n as string[]).slice(0, 3)), ['1', '2', '3']);
        // Rows are placed with CSSOM writes (element.style.transform), which the CSP allows (it blocks style attributes).
        const tops = await page.evaluate<number[]>(`[...document.querySelectorAll('.grid-body .grid-row')].map((r) => r.getBoundingClientRect().top).sort((a, b) => a - b)`);
        assert.ok(tops.slice(1).every((t, i) => Math.abs(t - (tops[i] ?? 0) - ROW_HEIGHT) < 0.5), 'one row height apart');

        // Dragging the scrollbar to the bottom shows the last row.
        await page.evaluate(`(() => { const s = document.querySelector('.grid-scroller'); s.scrollTop = s.scrollHeight; })()`);
        await waitUntil(page, `(${READ_NUMBERS}).includes(${JSON.stringify(formatCount(MILLION))})`, 'the last row after scrolling to the bottom');
        await page.focus('.grid');
        await page.keyboard.press('End');
        await page.waitForSelector('.grid-row.active:not(.pending)');
        let s = await page.evaluate<GridState>(READ_GRID);
        assert.deepEqual(s.active, { rowIndex: String(MILLION + 1), number: formatCount(MILLION), inView: true }, 'End: the last row is active, loaded and in view');
        assert.equal(s.activeDescendant, `rl-row-${MILLION - 1}`);
        assert.ok(s.focused && s.rendered < 100, `${s.rendered} rows in the DOM at the end`);
        await shot(page, `end-${theme}`);

        await page.keyboard.press('ArrowUp');
        s = await page.evaluate<GridState>(READ_GRID);
        assert.equal(s.active?.number, formatCount(MILLION - 1), 'ArrowUp');
        await page.keyboard.press('Home');
        await waitForTop(page, 1);
        // The scroll area is scaled (a million rows are taller than a browser allows), yet the wheel moves row-exact.
        await page.mouse.move(600, 400);
        await page.mouse.wheel(0, 26 * 10);
        await waitForTop(page, 11);
        await page.mouse.wheel(0, -26 * 10);
        await waitForTop(page, 1);
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('ArrowDown');
        s = await page.evaluate<GridState>(READ_GRID);
        assert.deepEqual(s.active, { rowIndex: '4', number: '3', inView: true }, 'Home, then ArrowDown twice');
        await page.keyboard.press('PageDown');
        s = await page.evaluate<GridState>(READ_GRID);
        const page1 = Number(s.active?.number);
        assert.ok(page1 > 15 && s.active?.inView === true, `PageDown moves a page (to #${page1}) and keeps the row in view`);
        await page.keyboard.press('PageUp');
        await page.keyboard.press('Enter');
        await settle(page);
        const opened = (await posted(page)).filter((m) => m.type === 'open');
        assert.deepEqual(opened, [{ type: 'open', position: 2 }], 'Enter opens the active row by its file position');
        await shot(page, `keyboard-${theme}`);
      } finally {
        await page.close();
      }
    });

    it(`(${theme}) sorts on a header click and filters on typing, with queries that re-render the view`, { skip }, async () => {
      assert.ok(browser);
      const page = await open(browser, `query-${theme}`, { rows: MILLION }, theme);
      try {
        const before = (await queries(page)).length;
        await page.click('.col-score .sort-button');
        const byScore: ExplorerQuery = { sort: { column: 'score', descending: false }, filter: {} };
        const top = expectedTop(byScore, 3);
        await waitForTop(page, Number(top[0]?.replace(/,/g, '')));
        let q = await queries(page);
        assert.equal(q.length, before + 1);
        assert.deepEqual(q.at(-1)?.query, byScore);
        assert.ok((q.at(-1)?.queryId ?? 0) > (q.at(-2)?.queryId ?? 0), 'query ids increase');
        assert.equal(await page.getAttribute('.col-score[role=columnheader]', 'aria-sort'), 'ascending');
        assert.deepEqual((await page.evaluate<string[]>(READ_NUMBERS)).slice(0, 3), top, 'lowest scores first');

        await page.click('.col-score .sort-button');
        const descending: ExplorerQuery = { sort: { column: 'score', descending: true }, filter: {} };
        const topDesc = expectedTop(descending, 3);
        await waitForTop(page, Number(topDesc[0]?.replace(/,/g, '')));
        assert.equal(await page.getAttribute('.col-score[role=columnheader]', 'aria-sort'), 'descending', 'a second click reverses');
        assert.deepEqual((await page.evaluate<string[]>(READ_NUMBERS)).slice(0, 3), topDesc);

        // Typing: one query once the keys stop, not one per key.
        const typedBefore = (await queries(page)).length;
        await page.locator('vscode-textfield.filter-text input').pressSequentially('natalia', { delay: 40 });
        const filtered: ExplorerQuery = { sort: descending.sort, filter: { text: 'natalia' } };
        const matching = expectedView(filtered);
        await waitUntil(page, `document.querySelector('.matches').textContent === ${JSON.stringify(`${formatCount(matching.length)} of ${formatCount(MILLION)} rows`)}`, 'the match count');
        q = await queries(page);
        assert.equal(q.length, typedBefore + 1, 'typing sent one debounced query');
        assert.deepEqual(q.at(-1)?.query, filtered);
        await waitForTop(page, (matching[0] ?? 0) + 1);
        const prompts = await page.evaluate<string[]>(`[...document.querySelectorAll('.grid-body .grid-row:not(.pending) .col-prompt')].map((c) => c.textContent)`);
        assert.ok(prompts.length > 5 && prompts.every((p) => p.toLowerCase().includes('natalia')), 'only matching rows are shown');
        await shot(page, `filtered-${theme}`);

        // A regex that does not compile is shown and not sent.
        const sentBefore = (await queries(page)).length;
        await page.click('vscode-checkbox.filter-regex');
        await page.locator('vscode-textfield.filter-text input').pressSequentially('(', { delay: 20 });
        await page.waitForTimeout(400);
        assert.equal(await page.locator('.filter-error').textContent(), 'Invalid regular expression: Unterminated group');
        const afterRegex = await queries(page);
        assert.equal(afterRegex.length, sentBefore + 1, 'the regex box sent the valid pattern only');
        assert.deepEqual(afterRegex.at(-1)?.query.filter, { text: 'natalia', regex: true });
        await shot(page, `regex-error-${theme}`);
      } finally {
        await page.close();
      }
    });
  }

  it('filters by the label and subset menus, the score range and disagreement; says when nothing matches', { skip }, async () => {
    assert.ok(browser);
    const rows = 1000;
    const small = { count: rows, summaryAt: syntheticSummary, scoreAt: syntheticScore };
    const page = await open(browser, 'menus', { rows }, 'dark');
    try {
      const expectCount = async (filter: ExplorerQuery['filter']): Promise<void> => {
        const total = buildExplorerView(small, { sort: { column: 'position', descending: false }, filter }).positions.length;
        await waitUntil(page, `document.querySelector('.matches').textContent === ${JSON.stringify(`${formatCount(total)} of ${formatCount(rows)} rows`)}`, `${total} rows for ${JSON.stringify(filter)}`);
        assert.deepEqual((await queries(page)).at(-1)?.query.filter, filter);
      };
      await page.click('vscode-single-select.filter-label');
      await page.locator('vscode-single-select.filter-label li[role=option]', { hasText: 'Any error' }).click();
      await expectCount({ label: 'any error' });
      await page.click('vscode-single-select.filter-subset');
      await page.locator('vscode-single-select.filter-subset li[role=option]', { hasText: 'math' }).first().click();
      await expectCount({ label: 'any error', subset: 'math' });
      await page.click('vscode-checkbox.filter-disagrees');
      await expectCount({ label: 'any error', disagrees: true, subset: 'math' });
      await page.locator('vscode-textfield.score-min input').fill('0.3');
      await expectCount({ label: 'any error', scoreMin: 0.3, disagrees: true, subset: 'math' });
      await shot(page, 'menus-dark');
      await page.locator('vscode-textfield.filter-text input').fill('no prompt says this');
      await waitUntil(page, `document.querySelector('.grid-message').textContent === 'No rows match this filter.'`, 'the empty-view message');
      assert.equal(await page.locator('.grid-body .grid-row').count(), 0);
    } finally {
      await page.close();
    }
  });

  it('restores the filter and sort VS Code kept for the page, and asks for them first', { skip }, async () => {
    assert.ok(browser);
    const query: ExplorerQuery = { sort: { column: 'score', descending: true }, filter: { text: 'natalia', label: 'error at step 2' } };
    const page = await open(browser, 'restored', { rows: 1000, state: { query } }, 'light');
    try {
      const q = await queries(page);
      assert.deepEqual(q[0], { type: 'query', queryId: 1, query }, 'the first query is the restored one');
      assert.equal(await page.locator('vscode-textfield.filter-text input').inputValue(), 'natalia');
      assert.equal(await page.evaluate(`document.querySelector('vscode-single-select.filter-label').value`), 'error at step 2');
      assert.equal(await page.getAttribute('.col-score[role=columnheader]', 'aria-sort'), 'descending');
      const small = { count: 1000, summaryAt: syntheticSummary, scoreAt: syntheticScore };
      const top = buildExplorerView(small, query).positions[0] ?? -1;
      await waitForTop(page, top + 1);
    } finally {
      await page.close();
    }
  });

  it('shows hostile dataset text as inert text', { skip }, async () => {
    assert.ok(browser);
    const page = await open(browser, 'hostile', { rows: 1000 }, 'dark');
    try {
      await page.click('.problems-summary');
      await shot(page, 'hostile-dark');
      const read = await page.evaluate<{ img: number; scripts: number; handlers: number; alerts: string[]; prompts: string[]; ids: string[]; body: string; problems: string }>(`({
        img: document.querySelectorAll('img').length,
        scripts: document.scripts.length,
        handlers: document.querySelectorAll('[onerror], [onload]').length,
        alerts: window.__explorerAlerts,
        prompts: [...document.querySelectorAll('.grid-body .grid-row:not(.pending) .col-prompt')].map((c) => c.textContent),
        ids: [...document.querySelectorAll('.grid-body .grid-row:not(.pending) .col-id')].map((c) => c.textContent),
        body: document.body.innerText,
        problems: document.querySelector('.problem-list').textContent,
      })`);
      assert.equal(read.img, 0, 'no <img> was created');
      assert.equal(read.handlers, 0);
      assert.deepEqual(read.alerts, [], 'no script ran');
      assert.equal(read.scripts, 3, 'only the preview data, the fake host and the bundle are scripts');
      assert.ok(read.prompts.includes(`${HOSTILE_IMG} What is 7 × 8? Show each step.`), 'the markup reads as text');
      assert.ok(read.prompts.includes(`${HOSTILE_SCRIPT} Compute 12 + 30 and explain.`));
      assert.ok(read.prompts.includes('U+202Eevil reversedU+202C: a bidi override that must stay inert'), 'bidi controls are shown as markers');
      assert.ok(read.ids.includes(`hostile-${HOSTILE_IMG}`));
      assert.ok(!read.body.includes(BIDI_OVERRIDE), 'no raw bidi control reaches the page');
      assert.ok(read.problems.includes(HOSTILE_IMG), 'problem messages are text too');
      assert.ok(read.prompts.includes('Unreadable row: Unexpected token } in JSON at position 41'));
    } finally {
      await page.close();
    }
  });

  it('shows a scoring run with rate, time left and Cancel, and posts score / cancelScoring', { skip }, async () => {
    assert.ok(browser);
    const page = await open(browser, 'scoring', { rows: 200_000, scoringRun: true, indexing: 0.4 }, 'light');
    try {
      await page.waitForSelector('.scoring-line:not([hidden])');
      let unscored = 0;
      for (let p = 0; p < 80_000; p++) if (syntheticScore(p) === undefined) unscored++;
      const run = scoringRun(unscored);
      assert.equal(await page.locator('.scoring-text').textContent(), `Scoring ${formatCount(run.done)} of ${formatCount(unscored)} · 212 rows/s · about ${formatEta(run.etaSeconds ?? 0)} left`);
      assert.ok((await page.locator('.rows-text').textContent())?.startsWith('Indexing… 80,000 rows (40%)'));
      await shot(page, 'scoring-light');
      await page.click('.scoring-line vscode-button');
      await waitUntil(page, `document.querySelector('.scoring-text').textContent.startsWith('Scoring cancelled')`, 'the cancelled run');
      assert.ok((await posted(page)).some((m) => m.type === 'cancelScoring'));
      assert.equal(await page.locator('.scoring-line vscode-button').isVisible(), false, 'Cancel goes once the run ends');
      await page.click('.status-line vscode-button');
      await settle(page);
      assert.ok((await posted(page)).some((m) => m.type === 'score' && !('positions' in m)), 'Score All scores the whole view');
    } finally {
      await page.close();
    }
  });

  it("replaces the table with the host's error", { skip }, async () => {
    assert.ok(browser);
    const page = await open(browser, 'error', { rows: 10, error: `Cannot read this file: ${HOSTILE_IMG}` }, 'dark');
    try {
      await page.waitForSelector('.unavailable:not([hidden])');
      assert.equal(await page.locator('.unavailable').textContent(), `Cannot read this file: ${HOSTILE_IMG}`);
      assert.equal(await page.locator('.grid').isVisible(), false);
      await shot(page, 'error-dark');
    } finally {
      await page.close();
    }
  });

  it('renders the README screenshot (1400×800, dark)', { skip }, async () => {
    assert.ok(browser);
    const page = await open(browser, 'readme', { rows: MILLION, scoringRun: true }, 'dark', { width: 1400, height: 800 });
    try {
      // Fifty rows down (row-exact), then a click on a row in the middle makes it the active row.
      await page.mouse.move(700, 500);
      await page.mouse.wheel(0, ROW_HEIGHT * 50);
      await waitForTop(page, 51);
      await page.click('#rl-row-59');
      await page.waitForSelector('.grid-row.active:not(.pending)');
      assert.equal(await page.locator('.grid-row.active .col-position').textContent(), '60');
      await waitUntil(page, `!document.querySelector('.grid-body .grid-row.pending')`, 'every row loaded');
      await shot(page, 'readme-dark');
    } finally {
      await page.close();
    }
  });
});
