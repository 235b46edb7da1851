// The standalone page `reward-lens eval --html` writes, opened from disk in Debian's headless chromium under both
// `prefers-color-scheme` values: it loads nothing but itself, logs no error or CSP violation, takes the theme's
// colours (the SVG marks included), and its text is readable on its background. Screenshots go to
// .test-output/webview/report-{light,dark}.png. Without /usr/bin/chromium the suite is skipped, except under CI=true.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumSkip, launchChromium } from './browserKit.js';
import { ROOT } from '../../../scripts/webviewPreviewPage.js';
import { ensureCliBundles, runBuiltCli } from '../cli/htmlReportKit.js';

const OUT = join(ROOT, '.test-output', 'webview');

/** What each scheme must resolve to: the page's light and dark definitions of a few variables. */
const THEMES = {
  light: { background: [255, 255, 255], chartsBlue: [26, 133, 255] },
  dark: { background: [31, 31, 31], chartsBlue: [55, 148, 255] },
} as const;

type Rgb = readonly [number, number, number];

/** WCAG relative luminance and contrast ratio. */
function contrast(a: Rgb, b: Rgb): number {
  const lum = (c: Rgb): number => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `rgb(…)`/`rgba(…)` as numbers; alpha is blended over `under`. */
function rgb(css: string, under: Rgb): Rgb {
  const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/u.exec(css);
  assert.ok(m, `a colour: ${css}`);
  const a = m[4] === undefined ? 1 : Number(m[4]);
  return [1, 2, 3].map((i) => Number(m[i]) * a + (under[i - 1] as number) * (1 - a)) as unknown as Rgb;
}

// In-page expressions are plain strings (the test tsconfig has no DOM types; the page's CSP allows no script of its own).
const READ_COLOURS = `(() => {
  const colour = (el, prop) => el ? getComputedStyle(el)[prop] : null;
  const mark = document.querySelector('section[data-plot="traceReliability"] svg [fill^="var(--vscode-charts-blue"]');
  return {
    background: colour(document.body, 'backgroundColor'),
    mark: colour(mark, 'fill'),
    texts: [...document.querySelectorAll('h1, h2, .dashboard-summary, .note, .not-applicable, dt, dd, th, td, summary, svg text')]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => ({ what: el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className : ''), colour: el.tagName.toLowerCase() === 'text' ? getComputedStyle(el).fill : getComputedStyle(el).color })),
    svgs: document.querySelectorAll('svg').length,
    overflow: document.documentElement.scrollWidth > window.innerWidth,
  };
})()`;

interface Colours {
  background: string;
  mark: string | null;
  texts: { what: string; colour: string }[];
  svgs: number;
  overflow: boolean;
}

describe('the standalone HTML report in headless chromium', () => {
  let browser: Browser | undefined;
  let page = '';
  const skip = chromiumSkip('standalone report browser tests');

  before(async () => {
    if (skip) return;
    ensureCliBundles();
    page = join(mkdtempSync(join(tmpdir(), 'rl-html-browser-')), 'report.html');
    const r = runBuiltCli(['eval', join(ROOT, 'examples/processbench-style.json'), '--html', page]);
    assert.equal(r.code, 0, r.err);
    mkdirSync(OUT, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`(${scheme}) loads nothing but itself, logs no error or CSP violation, and is themed and readable`, { skip }, async () => {
      assert.ok(browser);
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1100, height: 900 } });
      const tab = await context.newPage();
      const messages: string[] = [];
      const requests: string[] = [];
      tab.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') messages.push(m.text());
      });
      tab.on('pageerror', (e) => messages.push(e.message));
      tab.on('request', (req) => requests.push(req.url()));
      try {
        const url = pathToFileURL(page).toString();
        await tab.goto(url, { waitUntil: 'load' });
        await tab.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))');
        assert.deepEqual(messages, [], 'no console errors, warnings or CSP violations');
        assert.deepEqual(requests, [url], 'the page is the only request');

        const c = await tab.evaluate<Colours>(READ_COLOURS);
        const theme = THEMES[scheme];
        assert.deepEqual(rgb(c.background, [0, 0, 0]), theme.background, `the ${scheme} background`);
        assert.ok(c.mark !== null, 'a calibration mark coloured by a theme variable');
        assert.deepEqual(rgb(c.mark, theme.background), theme.chartsBlue, 'SVG marks resolve the theme variable');
        assert.ok(c.svgs >= 4, `${c.svgs} plots drawn`);
        assert.equal(c.overflow, false, 'nothing widens the page past the window');
        assert.ok(c.texts.length > 20, `${c.texts.length} visible texts checked`);
        for (const t of c.texts) {
          const ratio = contrast(rgb(t.colour, theme.background), theme.background);
          assert.ok(ratio >= 4.5, `${t.what} (${t.colour}) has contrast ${ratio.toFixed(2)} ≥ 4.5 on the ${scheme} background`);
        }
        await tab.screenshot({ path: join(OUT, `report-${scheme}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    });
  }
});
