// The reusable part of the webview preview: snapshots built the way the host builds them, and the real webview page
// (the host's HTML shell with its CSP, media/webview.css, dist/webview.js) wired to a fake in-memory host. Used by
// scripts/renderWebviewPreview.ts (screenshots) and test/unit/webview/webviewBrowser.test.ts (assertions).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PreferenceSet, Trace } from '../src/core/dataset/types.js';
import { buildJudgment } from '../src/core/diff/alignResponses.js';
import { groupTracesByPrompt } from '../src/core/formats/groupTraces.js';
import { parseDocument } from '../src/core/parseDocument.js';
import { aggregate } from '../src/core/scoring/aggregate.js';
import type { JudgeReport, StepScore } from '../src/core/scoring/scorer.js';
import { buildStepTree, datasetStepScores, treeInputOfTrace, type TreeResponseScores } from '../src/core/tree/buildStepTree.js';
import { PROTOCOL_VERSION, type ViewData, type ViewScoring } from '../src/protocol/messages.js';
// eslint-disable-next-line no-restricted-imports -- webviewHtml.ts is pure string building (no `vscode` import); the preview must use the host's exact page and CSP.
import { buildWebviewHtml, makeNonce } from '../src/vscode/webviewHtml.js';

export const ROOT = resolve(__dirname, '..');
/** Where previews, screenshots and DOM dumps go. */
export const PREVIEW_OUT = join(ROOT, '.test-output', 'webviews');

/** Flags for Debian's chromium: headless, no sandbox (root in CI), nothing that phones home (as the code-server harness). */
export const CHROMIUM_ARGS: readonly string[] = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A user action the fake host performs after `init`: a key on the focused element, or a click on a selector. */
export type Action = { readonly key: string } | { readonly click: string } | { readonly focus: string };

/** Display settings of a preview view. */
export const scoring = (model: string, stale = false): ViewScoring => ({ model, threshold: 0.5, highThreshold: 0.8, aggregation: 'min', stale });

/** A file of test/fixtures/hostile. */
export function fixture(name: string): string {
  return readFileSync(join(ROOT, 'test', 'fixtures', 'hostile', name), 'utf8');
}

/** The Trace Tree snapshot the host would send for record `recordIndex` of a file's text. */
export function treeView(fileName: string, text: string, recordIndex: number, scoresOf: (t: Trace) => TreeResponseScores | undefined, source: 'model' | 'dataset' | 'none'): ViewData {
  const records = parseDocument(text, fileName).records;
  const traces = records.filter((r): r is Trace => r.kind === 'trace');
  const focus = records[recordIndex];
  const group = groupTracesByPrompt(traces).find((g) => g.traces.some((t) => t === focus));
  if (!group) throw new Error(`record ${recordIndex} of ${fileName} is not a trace`);
  const inputs = group.traces.map((t) => treeInputOfTrace(t, records.indexOf(t), scoresOf(t)));
  return {
    kind: 'traceTree',
    fileName,
    focusRecordIndex: recordIndex,
    tree: buildStepTree(group.prompt, inputs),
    scoreSource: source,
    unscoredCount: source === 'model' ? 0 : group.traces.length,
    scoring: scoring('built-in verifier'),
  };
}

/** The Judgment Diff snapshot the host would send for a preference record, with response (and step) scores. */
export function diffView(
  fileName: string,
  text: string,
  recordIndex: number,
  scores: readonly (number | undefined)[],
  extra?: (s: PreferenceSet) => PreferenceSet,
  stepScores?: (s: PreferenceSet) => readonly (readonly StepScore[] | undefined)[],
  judges?: readonly (JudgeReport | undefined)[],
): ViewData {
  const record = parseDocument(text, fileName).records[recordIndex];
  if (record?.kind !== 'preference') throw new Error(`record ${recordIndex} of ${fileName} is not a preference set`);
  const set = extra ? extra(record) : record;
  return { kind: 'judgmentDiff', fileName, recordIndex, judgment: buildJudgment(set, scores, stepScores?.(set) ?? [], judges ?? []), scoring: scoring('Skywork-Reward-V2 (onnx)') };
}

/** A trace's own (dataset) step scores as the tree's scores. */
export function datasetScores(t: Trace): TreeResponseScores | undefined {
  const steps = datasetStepScores(t);
  const trace = steps && aggregate(steps, 'min');
  return steps ? { steps, ...(trace !== undefined ? { trace } : {}), stale: false } : undefined;
}

/** Eight best-of-N samples with shared openings, model scores falling where they go wrong. */
export function syntheticBestOfN(): string {
  const problem = 'A shop sells pens at $3 each. Maya buys 4 pens and pays with a $20 bill. How much change does she get?';
  const a = 'Maya buys 4 pens at $3 each.';
  const b = 'The pens cost 4 × 3 = 12 dollars.';
  const rows = [
    [a, b, 'Her change is 20 − 12 = 8 dollars.', 'The answer is 8.'],
    [a, b, 'Her change is 20 − 12 = 8 dollars.', 'So she gets $8 back. The answer is 8.'],
    [a, b, 'Her change is 20 − 12 = 6 dollars.', 'The answer is 6.'],
    [a, 'The pens cost 4 + 3 = 7 dollars.', 'Her change is 20 − 7 = 13 dollars.', 'The answer is 13.'],
    [a, 'The pens cost 4 + 3 = 7 dollars.', 'Her change is 20 − 7 = 13 dollars.', 'The answer is 13.'],
    ['Each pen costs $3, so 4 pens cost $12.', 'She pays $20, so her change is $8.', 'The answer is 8.'],
    [a, b, 'Subtracting from 20 leaves 8.', 'The answer is 8.'],
    ['Each pen costs $3, so 4 pens cost $12.', 'She pays $20, so her change is $7.', 'The answer is 7.'],
  ];
  const probs = [
    [0.97, 0.95, 0.93, 0.9],
    [0.97, 0.95, 0.93, 0.88],
    [0.97, 0.95, 0.12, 0.08],
    [0.97, 0.31, 0.22, 0.2],
    [0.97, 0.31, 0.22, 0.2],
    [0.92, 0.9, 0.86],
    [0.97, 0.95, 0.71, 0.7],
    [0.92, 0.4, 0.3],
  ];
  return bestOfNJsonl(problem, rows, probs);
}

/** PRM800K-style JSONL of best-of-N samples of one problem (reference answer 8), step `i` of row `r` scored `probs[r][i]`. */
export function bestOfNJsonl(problem: string, rows: readonly (readonly string[])[], probs: readonly (readonly number[])[]): string {
  return rows
    .map((steps, i) => {
      const last = steps[steps.length - 1] ?? '';
      const answer = /(\d+)\.$/.exec(last)?.[1] ?? '';
      return JSON.stringify({ problem, answer, ground_truth_answer: '8', unique_id: 'synthetic/pens.json', steps, rating_probs: (probs[i] ?? []).map((p) => ({ '1': p, '0': 0, '-1': 1 - p })) });
    })
    .join('\n');
}

/** The theme variables VS Code would inject, dark and light. */
export const THEMES = {
  dark: `:root{--vscode-foreground:#cccccc;--vscode-descriptionForeground:#9d9d9d;--vscode-editor-background:#1f1f1f;--vscode-sideBar-background:#181818;--vscode-editorWidget-background:#202020;--vscode-panel-border:#2b2b2b;--vscode-focusBorder:#0078d4;--vscode-font-family:system-ui,"Ubuntu","Droid Sans",sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:"Droid Sans Mono",monospace;--vscode-editor-font-size:13px;--vscode-textLink-foreground:#4daafc;--vscode-errorForeground:#f85149;--vscode-list-hoverBackground:#2a2d2e;--vscode-list-inactiveSelectionBackground:#37373d;--vscode-button-background:#0078d4;--vscode-button-foreground:#ffffff;--vscode-button-hoverBackground:#026ec1;--vscode-button-secondaryBackground:#313131;--vscode-button-secondaryForeground:#cccccc;--vscode-diffEditor-insertedTextBackground:#9ccc2c33;--vscode-diffEditor-removedTextBackground:#ff000033;--vscode-rewardLens-scoreHighForeground:#3fb950;--vscode-rewardLens-scoreMidForeground:#d29922;--vscode-rewardLens-scoreLowForeground:#f85149;--vscode-rewardLens-scoreHighBackground:#2ea04326;--vscode-rewardLens-scoreMidBackground:#d2992226;--vscode-rewardLens-scoreLowBackground:#f8514933}`,
  light: `:root{--vscode-foreground:#3b3b3b;--vscode-descriptionForeground:#717171;--vscode-editor-background:#ffffff;--vscode-sideBar-background:#f8f8f8;--vscode-editorWidget-background:#f8f8f8;--vscode-panel-border:#e5e5e5;--vscode-focusBorder:#005fb8;--vscode-font-family:system-ui,"Ubuntu","Droid Sans",sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:"Droid Sans Mono",monospace;--vscode-editor-font-size:13px;--vscode-textLink-foreground:#005fb8;--vscode-errorForeground:#f85149;--vscode-list-hoverBackground:#f2f2f2;--vscode-list-inactiveSelectionBackground:#e4e6f1;--vscode-button-background:#005fb8;--vscode-button-foreground:#ffffff;--vscode-button-hoverBackground:#0258a8;--vscode-button-secondaryBackground:#e5e5e5;--vscode-button-secondaryForeground:#3b3b3b;--vscode-diffEditor-insertedTextBackground:#9ccc2c40;--vscode-diffEditor-removedTextBackground:#ff000033;--vscode-rewardLens-scoreHighForeground:#1a7f37;--vscode-rewardLens-scoreMidForeground:#9a6700;--vscode-rewardLens-scoreLowForeground:#cf222e;--vscode-rewardLens-scoreHighBackground:#2ea0431f;--vscode-rewardLens-scoreMidBackground:#d299221f;--vscode-rewardLens-scoreLowBackground:#f8514926}`,
};

// Runs in the page before the bundle: the stand-in for VS Code's acquireVsCodeApi and the extension host.
export const FAKE_HOST = `(() => {
  const data = window.__PREVIEW__;
  const log = [];
  const write = () => {
    let pre = document.getElementById('preview-log');
    if (!pre) { pre = document.createElement('pre'); pre.id = 'preview-log'; pre.className = 'preview-log'; document.body.append(pre); }
    pre.textContent = JSON.stringify(log, null, 1);
  };
  const record = (entry) => { log.push(entry); write(); };
  window.alert = (m) => record({ ALERT: String(m) });
  document.addEventListener('securitypolicyviolation', (e) => record({ cspViolation: e.violatedDirective, blocked: e.blockedURI, sample: e.sample }));
  let state = undefined;
  window.acquireVsCodeApi = () => ({
    postMessage(m) {
      record({ posted: m });
      if (m.type === 'ready') window.postMessage({ type: 'init', version: ${PROTOCOL_VERSION}, view: data.view }, '*');
      if (m.type === 'score') window.postMessage({ type: 'scoring', state: 'running' }, '*');
    },
    getState: () => state,
    setState: (s) => { state = s; return s; },
  });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  window.addEventListener('load', async () => {
    await sleep(200);
    for (const a of data.actions || []) {
      if (a.focus) document.querySelector(a.focus)?.focus();
      if (a.click) document.querySelector(a.click)?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      if (a.key) (document.activeElement || document.body).dispatchEvent(new KeyboardEvent('keydown', { key: a.key, bubbles: true, cancelable: true }));
      record({ did: a, focused: document.activeElement && (document.activeElement.getAttribute('data-id') || document.activeElement.tagName) });
      await sleep(50);
    }
    const attr = document.createElement('div'); attr.setAttribute('style', 'color: rgb(1, 2, 3)'); document.body.append(attr);
    const cssom = document.createElement('div'); cssom.style.color = 'rgb(4, 5, 6)'; document.body.append(cssom);
    record({ cspProbe: { styleAttribute: getComputedStyle(attr).color, cssomWrite: getComputedStyle(cssom).color } });
    record({ injected: { img: document.querySelectorAll('img').length, scriptsWithoutNonce: [...document.scripts].filter((s) => !s.nonce).length, svgOnload: document.querySelectorAll('svg [onload], [onerror]').length } });
    record({ textHasHostile: document.body.innerText.includes('<img src=x onerror=alert(1)>'), textHasBidiMarker: document.body.innerText.includes('U+202E') });
    attr.remove(); cssom.remove();
  });
})();`;

/** What one preview page shows. */
export interface PreviewPage {
  readonly name: string;
  readonly view: ViewData;
  readonly actions?: readonly Action[];
  readonly theme?: 'dark' | 'light';
}

/**
 * Writes the page for `p` under `outDir` (with its data script, the fake host and the theme CSS) and returns the page's
 * path. The page is the host's `buildWebviewHtml` output, with the data and fake-host scripts added under its nonce.
 */
export function writePreviewPage(p: PreviewPage, outDir = PREVIEW_OUT): string {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'fake-host.js'), FAKE_HOST);
  writeFileSync(join(outDir, 'theme-dark.css'), THEMES.dark);
  writeFileSync(join(outDir, 'theme-light.css'), THEMES.light);
  const url = (path: string): string => pathToFileURL(path).toString();
  const nonce = makeNonce();
  writeFileSync(join(outDir, `${p.name}.data.js`), `window.__PREVIEW__ = ${JSON.stringify({ view: p.view, actions: p.actions ?? [] })};`);
  const html = buildWebviewHtml({
    cspSource: 'file:',
    scriptUri: url(join(ROOT, 'dist', 'webview.js')),
    styleUris: [url(join(outDir, `theme-${p.theme ?? 'dark'}.css`)), url(join(ROOT, 'media', 'webview.css'))],
    nonce,
    title: p.name,
  }).replace(`<script nonce="${nonce}" src=`, `<script nonce="${nonce}" src="${url(join(outDir, `${p.name}.data.js`))}"></script>\n    <script nonce="${nonce}" src="${url(join(outDir, 'fake-host.js'))}"></script>\n    <script nonce="${nonce}" src=`);
  const page = join(outDir, `${p.name}.html`);
  writeFileSync(page, html);
  return page;
}

/**
 * Step scores for every response of `set` with a hostile critique on each response's first and last steps (the
 * built-in verifier's wording, plus markup that must stay text), so the diff has critiques to place.
 */
export function critiquedSteps(set: PreferenceSet): (readonly StepScore[])[] {
  return set.responses.map((r, ri) =>
    r.steps.map((_, si): StepScore => {
      const score = si === 0 ? 0.9 : 0.15;
      const critiqued = si === 0 || si === r.steps.length - 1;
      return critiqued ? { score, critique: `wrote 0.15 × 80 = 10 but 0.15 × 80 = 12 <img src=x onerror=alert(1)> [response ${ri + 1}, step ${si + 1}]` } : { score };
    }),
  );
}
