// Renders the real webview page (the host's HTML shell with its CSP, media/webview.css, dist/webview.js) in headless
// Chromium with a fake host, for the Trace Tree and the Judgment Diff on the hostile fixtures, and writes screenshots
// plus a DOM dump of what the page posted to .test-output/webviews/. Build first (`npm run build`).
//
//   node --import tsx scripts/renderWebviewPreview.ts [--chromium /usr/bin/chromium] [--only name]
//
// The fake host answers `ready` with `init`, optionally presses keys / clicks, records every message the page posts,
// probes the CSP (style attribute vs CSSOM writes) and counts elements an injection would create; all of it lands in
// a <pre id="preview-log"> that the DOM dump shows.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Trace } from '../src/core/dataset/types.js';
import type { TreeResponseScores } from '../src/core/tree/buildStepTree.js';
import type { ViewData } from '../src/protocol/messages.js';
import { CHROMIUM_ARGS, critiquedSteps, datasetScores, diffView, fixture, PREVIEW_OUT, syntheticBestOfN, treeView, writePreviewPage, type Action } from './webviewPreviewPage.js';

const OUT = PREVIEW_OUT;
const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const chromium = option('--chromium') ?? '/usr/bin/chromium';
const only = option('--only');

interface Scenario {
  readonly name: string;
  readonly view: ViewData;
  readonly actions?: readonly Action[];
  readonly theme?: 'dark' | 'light';
  readonly size?: readonly [number, number];
}

function scenarios(): Scenario[] {
  const hostile = fixture('hostile.jsonl');
  const pairs = fixture('hostile_preference.jsonl');
  const bon = fixture('hostile_bestofn.jsonl');
  const synthetic = syntheticBestOfN();
  const modelScores = (t: Trace): TreeResponseScores | undefined => {
    const d = datasetScores(t);
    return d && { ...d, stale: t.id.endsWith('#7') };
  };
  const huge = 'x '.repeat(150_000);
  return [
    { name: 'tree-hostile', view: treeView('hostile.jsonl', hostile, 1, datasetScores, 'dataset') },
    { name: 'tree-hostile-keyboard', view: treeView('hostile.jsonl', hostile, 1, datasetScores, 'dataset'), actions: [{ focus: 'g.node.selected' }, { key: 'ArrowLeft' }, { key: 'ArrowUp' }, { key: 'Enter' }, { key: ' ' }] },
    { name: 'tree-hostile-click-1mb', view: treeView('hostile.jsonl', hostile, 2, datasetScores, 'dataset'), actions: [{ click: 'g.node.kind-step.focus-path[aria-level="4"]' }] },
    { name: 'tree-synthetic', view: treeView('pens.jsonl', synthetic, 2, modelScores, 'model'), size: [1500, 900] },
    { name: 'tree-synthetic-narrow', view: treeView('pens.jsonl', synthetic, 2, modelScores, 'model'), size: [560, 800] },
    { name: 'tree-synthetic-light', view: treeView('pens.jsonl', synthetic, 2, modelScores, 'model'), theme: 'light', size: [1500, 900] },
    { name: 'tree-unscored', view: treeView('pens.jsonl', synthetic, 0, () => undefined, 'none'), actions: [{ click: 'vscode-button' }] },
    { name: 'diff-hostile-disagree', view: diffView('hostile_preference.jsonl', pairs, 0, [0.31, 0.77]) },
    { name: 'diff-hostile-unscored', view: diffView('hostile_preference.jsonl', pairs, 1, []), actions: [{ click: 'header.toolbar vscode-button' }] },
    { name: 'diff-bestofn', view: diffView('hostile_bestofn.jsonl', bon, 0, [0.62, 0.7, 0.2, 0.1]), size: [1400, 1000] },
    { name: 'diff-bestofn-keyboard', view: diffView('hostile_bestofn.jsonl', bon, 0, [0.62, 0.7, 0.2, 0.1]), actions: [{ focus: 'li.rank-item.is-right' }, { key: 'ArrowDown' }, { key: 'Enter' }], size: [1400, 1000] },
    { name: 'diff-critiques', view: diffView('hostile_preference.jsonl', pairs, 0, [0.31, 0.77], undefined, critiquedSteps) },
    { name: 'diff-critiques-light', view: diffView('hostile_preference.jsonl', pairs, 0, [0.31, 0.77], undefined, critiquedSteps), theme: 'light' },
    { name: 'diff-agree-light', view: diffView('hostile_preference.jsonl', pairs, 0, [0.91, 0.12]), theme: 'light' },
    {
      name: 'diff-too-long',
      view: diffView('hostile_preference.jsonl', pairs, 0, [0.5, 0.4], (s) => ({ ...s, responses: s.responses.map((r, i) => (i === 1 ? { ...r, text: `${r.text}\n${huge}` } : r)) })),
    },
  ];
}

function main(): void {
  const url = (p: string): string => pathToFileURL(p).toString();
  for (const s of scenarios()) {
    if (only !== undefined && s.name !== only) continue;
    const page = writePreviewPage(s, OUT);
    const [w, h] = s.size ?? [1400, 850];
    const common = [...CHROMIUM_ARGS, '--allow-file-access-from-files', '--hide-scrollbars', `--window-size=${w},${h}`, '--virtual-time-budget=4000'];
    execFileSync(chromium, [...common, `--screenshot=${join(OUT, `${s.name}.png`)}`, url(page)], { stdio: 'ignore' });
    const dom = execFileSync(chromium, [...common, '--dump-dom', url(page)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
    writeFileSync(join(OUT, `${s.name}.dom.html`), dom);
    const logText = /<pre id="preview-log" class="preview-log">([\s\S]*?)<\/pre>/.exec(dom)?.[1] ?? '(no log)';
    const decoded = logText.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    writeFileSync(join(OUT, `${s.name}.log.json`), decoded);
    console.log(`${s.name}: ${join(OUT, `${s.name}.png`)}\n${decoded.replace(/\s+/g, ' ').slice(0, 1200)}\n`);
  }
}

main();
