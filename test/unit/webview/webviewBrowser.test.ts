// The real webview page (host HTML shell + CSP, media/webview.css, dist/webview.js) in Debian's headless chromium with
// the preview's fake host: the Trace Tree opens fitted to a small panel and keeps the root / the selection in view, and
// the Judgment Diff shows each step critique, as inert text, in its response's column right after its step.
// Needs dist/webview.js (`npm test` builds before `test:unit`; a missing or older bundle is rebuilt here).
// Without /usr/bin/chromium the suite is skipped, except under CI=true where it fails.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, ensureBundle, launchChromium } from './browserKit.js';
import type { PreferenceSet } from '../../../src/core/dataset/types.js';
import type { JudgeReport } from '../../../src/core/scoring/scorer.js';
import { parseDocument } from '../../../src/core/parseDocument.js';
import { neutraliseBidi } from '../../../src/core/text/escape.js';
import { bestOfNJsonl, critiquedSteps, datasetScores, diffView, fixture, PREVIEW_OUT, treeView, writePreviewPage } from '../../../scripts/webviewPreviewPage.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const THEMES = ['dark', 'light'] as const;

/** Five best-of-N responses with long steps and shared openings: wider and taller than a 700×450 panel. */
function longStepsJsonl(): string {
  const long = (s: string): string => `${s} ${'Checking the arithmetic again carefully before moving on to the next part. '.repeat(3)}`;
  const a = long('Maya buys 4 pens at $3 each, so we first work out the total cost of the pens.');
  const b = long('The pens cost 4 × 3 = 12 dollars in total.');
  const rows = [
    [a, b, long('Her change is 20 − 12 = 8 dollars.'), 'The answer is 8.'],
    [a, b, long('Her change is 20 − 12 = 6 dollars.'), 'The answer is 6.'],
    [a, long('The pens cost 4 + 3 = 7 dollars.'), long('Her change is 20 − 7 = 13 dollars.'), 'The answer is 13.'],
    [a, long('The pens cost 4 + 3 = 7 dollars.'), long('Her change is 20 − 7 = 13 dollars, subtracting once more.'), long('So she gets 13 back.'), 'The answer is 13.'],
    [long('Each pen costs $3, so 4 pens cost $12.'), long('She pays $20, so her change is $8.'), 'The answer is 8.'],
  ];
  const probs = [
    [0.97, 0.95, 0.93, 0.9],
    [0.97, 0.95, 0.12, 0.08],
    [0.97, 0.31, 0.22, 0.2],
    [0.97, 0.31, 0.22, 0.2, 0.2],
    [0.92, 0.9, 0.86],
  ];
  return bestOfNJsonl('A shop sells pens at $3 each. Maya buys 4 pens and pays with a $20 bill. How much change does she get?', rows, probs);
}

/** Rebuilds dist/webview.js when it is missing or older than a webview or protocol source. */

interface Rect {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

// In-page scripts are plain JavaScript strings, as in the code-server harness (inPage.ts): the test tsconfig has no DOM
// types, and tsx's keepNames would wrap real functions in `__name(…)` calls the page does not have.
const rectOf = (page: Page, selector: string): Promise<Rect | null> =>
  page.evaluate(`(() => {
    const r = document.querySelector(${JSON.stringify(selector)})?.getBoundingClientRect();
    return r ? { left: r.left, top: r.top, right: r.right, bottom: r.bottom } : null;
  })()`);

async function assertInside(page: Page, selector: string, what: string): Promise<void> {
  const box = await rectOf(page, selector);
  const canvas = await rectOf(page, 'svg.tree-canvas');
  assert.ok(box && canvas, `${what}: ${selector} and the canvas are drawn`);
  const inside = box.left >= canvas.left - 0.5 && box.top >= canvas.top - 0.5 && box.right <= canvas.right + 0.5 && box.bottom <= canvas.bottom + 0.5;
  assert.ok(inside, `${what}: ${selector} ${JSON.stringify(box)} lies inside the panel ${JSON.stringify(canvas)}`);
}

/** Two animation frames: the resize observer and the zoom transform have run. */
const settle = (page: Page): Promise<void> => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))');

/** Every critique note: its pane's response, its step, its text and role, and the response text before it. */
const READ_CRITIQUES = `[...document.querySelectorAll('.critique')].map((c) => {
  let before = '';
  for (let n = c.parentElement.firstChild; n && n !== c; n = n.nextSibling) if (!(n.classList && n.classList.contains('critique'))) before += n.textContent;
  return {
    response: Number(c.closest('section.pane').dataset.response),
    step: Number(c.dataset.step),
    text: c.querySelector('.critique-text')?.textContent ?? '',
    role: c.getAttribute('role'),
    before,
  };
})`;

/** What an executed payload would leave: images, handler attributes, the fake host's logged alerts; and the text. */
const READ_INJECTED = `({
  img: document.querySelectorAll('img').length,
  handlers: document.querySelectorAll('[onerror], [onload]').length,
  alerted: (document.getElementById('preview-log')?.textContent ?? '').includes('ALERT'),
  text: document.body.innerText,
})`;

interface ReadCurve {
  readonly caption: string;
  readonly note: string;
  readonly dots: readonly { readonly cx: number; readonly cy: number; readonly error: boolean; readonly title: string; readonly fill: string }[];
  readonly thresholdY: number;
  readonly polylines: number;
  readonly rings: number;
  readonly width: number;
  readonly height: number;
}

/** The details pane's reward curve: caption, note, dots (position, first-error mark, tooltip, computed fill), threshold. */
const READ_CURVE = `(() => {
  const c = document.querySelector('.details .reward-curve');
  if (!c) return null;
  const svg = c.querySelector('svg.curve');
  const r = svg.getBoundingClientRect();
  return {
    caption: c.querySelector('h3').textContent,
    note: c.querySelector('.curve-note').textContent,
    dots: [...svg.querySelectorAll('.curve-dot')].map((d) => ({
      cx: Number(d.getAttribute('cx')),
      cy: Number(d.getAttribute('cy')),
      error: d.classList.contains('first-error'),
      title: d.querySelector('title').textContent,
      fill: getComputedStyle(d).fill,
    })),
    thresholdY: Number(svg.querySelector('.curve-threshold').getAttribute('y1')),
    polylines: svg.querySelectorAll('polyline.curve-line').length,
    rings: svg.querySelectorAll('.curve-ring').length,
    width: r.width,
    height: r.height,
  };
})()`;

interface FoundCritique {
  readonly response: number;
  readonly step: number;
  readonly text: string;
  readonly role: string | null;
  readonly before: string;
}

async function open(browser: Browser, name: string, view: Parameters<typeof writePreviewPage>[0]['view'], theme: 'dark' | 'light', size: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport: size });
  const file = writePreviewPage({ name, view, theme }, join(PREVIEW_OUT, 'browser-test'));
  await page.goto(pathToFileURL(file).toString());
  await page.waitForSelector('#app[aria-busy="false"]');
  await settle(page);
  return page;
}

describe('webviews in headless chromium', () => {
  let browser: Browser | undefined;
  const skip = chromiumSkip('webview browser tests');

  before(async () => {
    if (skip) return;
    ensureBundle('webview.js', ['webview', 'src/protocol', 'src/core', 'media']);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  for (const theme of THEMES) {
    it(`Trace Tree (${theme}) opens fitted to a small panel, refits on resize and keeps the selection in view`, { skip }, async () => {
      assert.ok(browser);
      const text = longStepsJsonl();
      const view = treeView('pens.jsonl', text, 1, datasetScores, 'dataset');
      const page = await open(browser, `tree-fit-${theme}`, view, theme, { width: 700, height: 450 });
      try {
        const shot = (s: string): Promise<Buffer> => page.screenshot({ path: join(PREVIEW_OUT, `browser-tree-${s}-${theme}.png`) });
        assert.ok((await page.locator('g.node').count()) >= 12, 'the tree has its steps');
        await assertInside(page, 'g.node.kind-root', 'on open');
        // The first steps next to the root are in view too.
        await assertInside(page, 'g.node.kind-step[aria-level="2"]', 'on open');
        await shot('open');

        await page.setViewportSize({ width: 1100, height: 700 });
        await settle(page);
        await assertInside(page, 'g.node.kind-root', 'after growing the panel');
        await shot('resized');
        await page.setViewportSize({ width: 560, height: 420 });
        await settle(page);
        await assertInside(page, 'g.node.kind-root', 'after shrinking the panel');

        // Keyboard: to the root, then right to the deepest leaf of the first branch; each selection is kept in view.
        await page.focus('g.node.selected');
        await page.keyboard.press('Home');
        await assertInside(page, 'g.node.selected', 'after Home');
        for (let i = 0; i < 8; i++) {
          await page.keyboard.press('ArrowRight');
          await settle(page);
          await assertInside(page, 'g.node.selected', `after ArrowRight ×${i + 1}`);
        }
        assert.equal(await page.locator('g.node.selected.kind-end').count(), 1, 'the selection reached an answer box (a leaf)');
        await shot('leaf');
        for (let i = 0; i < 3; i++) {
          await page.keyboard.press('ArrowDown');
          await settle(page);
          await assertInside(page, 'g.node.selected', `after ArrowDown ×${i + 1}`);
        }
      } finally {
        await page.close();
      }
    });

    it(`Trace Tree (${theme}) details draw the selected response's reward curve, its first error in the low colour`, { skip }, async () => {
      assert.ok(browser);
      // Record 2 of the file (index 1) is opened; its dataset scores are 0.97, 0.95, 0.12, 0.08 (threshold 0.5).
      const view = treeView('pens.jsonl', longStepsJsonl(), 1, datasetScores, 'dataset');
      const page = await open(browser, `tree-curve-${theme}`, view, theme, { width: 1100, height: 700 });
      try {
        const curve = await page.evaluate<ReadCurve | null>(READ_CURVE);
        assert.ok(curve, 'the details pane has a reward curve');
        await page.locator('.details .reward-curve').screenshot({ path: join(PREVIEW_OUT, `browser-tree-curve-${theme}.png`) });
        assert.match(curve.caption, /^Reward curve · /);
        assert.equal(curve.note, '4 steps · dashed: threshold 0.5 · first error at step 3');
        // 240 × 48, padding 5: x = 5 + k·230/3, y = 5 + (1 − s)·38; the threshold at y = 24.
        assert.deepEqual(
          curve.dots.map((d) => [d.cx, d.cy, d.error, d.title]),
          [
            [5, 6.1, false, 'step 1: 0.970'],
            [81.7, 6.9, false, 'step 2: 0.950'],
            [158.3, 38.4, true, 'step 3: 0.120 · first error'],
            [235, 40, false, 'step 4: 0.080'],
          ],
        );
        assert.equal(curve.thresholdY, 24);
        assert.equal(curve.polylines, 1);
        assert.equal(curve.rings, 0, 'an answer box rings no step');
        const low = theme === 'dark' ? 'rgb(248, 81, 73)' : 'rgb(207, 34, 46)';
        assert.equal(curve.dots[2]?.fill, low, 'the first error is drawn in the theme colour for low scores');
        assert.notEqual(curve.dots[0]?.fill, low);
        assert.ok(curve.width > 100 && curve.height > 20, `drawn at a visible size (${curve.width}×${curve.height})`);

        // A step box rings its step on the opened record's curve.
        await page.focus('g.node.selected');
        await page.keyboard.press('Home');
        await page.keyboard.press('ArrowRight');
        await settle(page);
        const step = await page.evaluate<ReadCurve | null>(READ_CURVE);
        assert.ok(step);
        assert.equal(step.note, '4 steps · dashed: threshold 0.5 · first error at step 3 · ring: step 1');
        assert.equal(step.rings, 1);
      } finally {
        await page.close();
      }
    });

    it(`Judgment Diff (${theme}) shows each step critique, inert, in its response's column after its step`, { skip }, async () => {
      assert.ok(browser);
      const pairs = fixture('hostile_preference.jsonl');
      const record = parseDocument(pairs, 'hostile_preference.jsonl').records[0] as PreferenceSet;
      const view = diffView('hostile_preference.jsonl', pairs, 0, [0.31, 0.77], undefined, critiquedSteps);
      const page = await open(browser, `diff-critiques-${theme}`, view, theme, { width: 1100, height: 700 });
      try {
        await page.screenshot({ path: join(PREVIEW_OUT, `browser-diff-critiques-${theme}.png`), fullPage: true });
        const expected = critiquedSteps(record).flatMap((steps, response) => steps.flatMap((s, step) => (s.critique === undefined ? [] : [{ response, step, critique: s.critique }])));
        assert.ok(expected.length >= 4);
        // The response text before each critique, critiques left out, must end with the critiqued step.
        const found = await page.evaluate<FoundCritique[]>(READ_CRITIQUES);
        for (const e of expected) {
          const hit = found.find((f) => f.response === e.response && f.step === e.step);
          assert.ok(hit, `the critique of response ${e.response + 1} step ${e.step + 1} is in that response's column`);
          assert.equal(hit.text, e.critique, 'shown as text, markup and all');
          assert.equal(hit.role, 'note');
          const stepText = neutraliseBidi(record.responses[e.response]?.steps[e.step]?.text ?? '\u0000');
          assert.ok(hit.before.trimEnd().endsWith(stepText), `response ${e.response + 1}: the critique follows step ${e.step + 1} (${JSON.stringify(stepText)})`);
        }
        // The fake host replaces window.alert with a logger: an executed payload would show up in its log.
        const injected = await page.evaluate<{ img: number; handlers: number; alerted: boolean; text: string }>(READ_INJECTED);
        assert.equal(injected.alerted, false, 'no script ran');
        assert.equal(injected.img, 0, 'no <img> was created');
        assert.equal(injected.handlers, 0);
        assert.ok(injected.text.includes(HOSTILE), 'the hostile markup reads as text');
      } finally {
        await page.close();
      }
    });

    it(`Judgment Diff (${theme}) shows a pairwise judge's verdicts in both orders and its reasoning, inert`, { skip }, async () => {
      assert.ok(browser);
      const pairs = fixture('hostile_preference.jsonl');
      // A position-biased judge: "A" in both orders, so each response wins one game (0.5 / 0.5).
      const judge = (textAb: string, textBa: string): JudgeReport => ({ name: 'pairwise', model: 'Skywork-Critic', text: textAb, textBa, verdict: 'A', orderAb: 'A', orderBa: 'A', consistent: false, truncated: false, source: 'logprob' });
      const judges = [judge(`${HOSTILE} Assistant A is better. [[A]]`, 'B restates it. [[A]]'), judge('A is better here. [[A]]', `${HOSTILE} [[A]]`)];
      const view = diffView('hostile_preference.jsonl', pairs, 0, [0.5, 0.5], undefined, undefined, judges);
      const page = await open(browser, `diff-judge-${theme}`, view, theme, { width: 1100, height: 700 });
      try {
        await page.evaluate(`document.querySelectorAll('.judge-reasoning').forEach((d) => { d.open = true; })`);
        await page.screenshot({ path: join(PREVIEW_OUT, `browser-diff-judge-${theme}.png`), fullPage: true });
        const read = await page.evaluate<{ summary: string; titles: string[]; texts: string[]; inconsistent: boolean }[]>(`[...document.querySelectorAll('.pane .judge')].map((j) => ({
          summary: j.querySelector('.judge-summary').textContent,
          titles: [...j.querySelectorAll('summary')].map((s) => s.textContent),
          texts: [...j.querySelectorAll('.full-text')].map((t) => t.textContent),
          inconsistent: j.classList.contains('inconsistent'),
        }))`);
        assert.equal(read.length, 2, 'a judge section in each pane');
        for (const j of read) {
          assert.equal(j.summary, 'pairwise judge · as A: A · as B: A · inconsistent (position bias) · scored from verdict-token probabilities');
          assert.deepEqual(j.titles, ['Judge reasoning (this response as A)', 'Judge reasoning (this response as B)']);
          assert.equal(j.inconsistent, true);
        }
        assert.ok(read.some((j) => j.texts.includes(`${HOSTILE} Assistant A is better. [[A]]`)), 'the judge text reads as text');
        const injected = await page.evaluate<{ img: number; handlers: number; alerted: boolean }>(READ_INJECTED);
        assert.deepEqual([injected.alerted, injected.img, injected.handlers], [false, 0, 0]);
      } finally {
        await page.close();
      }
    });
  }

  it("Judgment Diff shows both compared runs' scores on each response, named, the run's name inert", { skip }, async () => {
    assert.ok(browser);
    const pairs = fixture('hostile_preference.jsonl');
    const base = diffView('hostile_preference.jsonl', pairs, 0, [0.31, 0.77]);
    assert.equal(base.kind, 'judgmentDiff');
    const view = { ...base, compared: { name: `${HOSTILE}.jsonl`, scores: [0.9, null], stale: false } };
    const page = await open(browser, 'diff-compared', view, 'dark', { width: 1100, height: 700 });
    try {
      await page.screenshot({ path: join(PREVIEW_OUT, 'browser-diff-compared.png'), fullPage: true });
      const read = await page.evaluate<{ response: number; text: string }[]>(
        `[...document.querySelectorAll('section.pane')].map((p) => ({ response: Number(p.dataset.response), text: p.querySelector('.compared-scores')?.textContent ?? '' }))`,
      );
      assert.deepEqual(read, [
        { response: 0, text: `A · Skywork-Reward-V2 (onnx) 0.310 | B · ${HOSTILE}.jsonl 0.900 · A \u2212 B \u22120.590` },
        { response: 1, text: `A · Skywork-Reward-V2 (onnx) 0.770 | B · ${HOSTILE}.jsonl not scored` },
      ]);
      const facts = await page.evaluate<string>(`document.querySelector('.judgment-facts').textContent`);
      assert.ok(facts.includes(`Compared withB · ${HOSTILE}.jsonl (A is Skywork-Reward-V2 (onnx))`), facts);
      const injected = await page.evaluate<{ img: number; handlers: number; alerted: boolean }>(READ_INJECTED);
      assert.deepEqual([injected.alerted, injected.img, injected.handlers], [false, 0, 0]);
    } finally {
      await page.close();
    }
  });
});
