// Runs in the Dataset Explorer preview page before dist/explorer.js (bundled by explorerPreviewPage.ts): the stand-in
// for VS Code's acquireVsCodeApi and for the extension host. It answers the explorer protocol from synthetic rows
// with the real view logic (src/core/dataset/explorerView.ts), and records every message the page posts in
// `__explorerPosted` for the browser test. Written without DOM types (the scripts' tsconfig has none): the page's
// globals it touches are declared below.
import { buildExplorerView, toExplorerRow } from '../src/core/dataset/explorerView.js';
import { EXPLORER_PROTOCOL_VERSION, type ExplorerQuery, type FromExplorer, type ToExplorer } from '../src/protocol/explorerMessages.js';
import { scoringRun, syntheticScore, syntheticStatus, syntheticSummary, type ExplorerPreviewOptions } from './explorerPreviewData.js';

interface PreviewPage {
  __EXPLORER_PREVIEW__?: ExplorerPreviewOptions;
  __explorerPosted: FromExplorer[];
  __explorerAlerts: string[];
  acquireVsCodeApi: () => { postMessage(m: FromExplorer): void; getState(): unknown; setState(s: unknown): unknown };
  alert: (message: unknown) => void;
  postMessage(message: ToExplorer, targetOrigin: string): void;
}

const page = globalThis as unknown as PreviewPage;
const options: ExplorerPreviewOptions = page.__EXPLORER_PREVIEW__ ?? { rows: 1_000_000 };
const count = options.indexing === undefined ? options.rows : Math.floor(options.rows * options.indexing);
const source = { count, summaryAt: syntheticSummary, scoreAt: syntheticScore };
let scored = 0;
for (let p = 0; p < count; p++) if (syntheticScore(p) !== undefined) scored++;

let view: Int32Array = new Int32Array(0);
let queryId = 0;
let state: unknown = options.state;
page.__explorerPosted = [];
page.__explorerAlerts = [];
// An executed payload would call alert: the test checks that nothing did.
page.alert = (message) => page.__explorerAlerts.push(String(message));

const send = (message: ToExplorer): void => page.postMessage(message, '*');

function runQuery(id: number, query: ExplorerQuery): void {
  const built = buildExplorerView(source, query);
  view = built.positions;
  queryId = id;
  send({ type: 'view', total: view.length, queryId, searching: false });
}

function handle(m: FromExplorer): void {
  switch (m.type) {
    case 'ready':
      send({ type: 'status', status: syntheticStatus(options, scored) });
      // A stale bundle would say another version; the page shows why nothing loads.
      if (m.version !== EXPLORER_PROTOCOL_VERSION) send({ type: 'error', message: `explorer protocol ${m.version} ≠ ${EXPLORER_PROTOCOL_VERSION}` });
      else if (options.error !== undefined) send({ type: 'error', message: options.error });
      return;
    case 'query':
      // A file the host cannot read has no views.
      if (options.error !== undefined) return;
      runQuery(m.queryId, m.query);
      if (options.scoringRun === true && m.queryId === 1) send(scoringRun(count - scored));
      return;
    case 'rows': {
      const positions = Array.from(view.subarray(m.start, Math.min(m.end, view.length)));
      send({ type: 'rows', requestId: m.requestId, queryId, start: m.start, rows: positions.map((p) => toExplorerRow(syntheticSummary(p), syntheticScore(p))) });
      return;
    }
    case 'score':
      send({ type: 'scoring', state: 'running', done: 0, total: view.length, rate: 0 });
      return;
    case 'cancelScoring':
      send({ type: 'scoring', state: 'cancelled', done: 0, total: view.length });
      return;
    case 'open':
      return;
  }
}

page.acquireVsCodeApi = () => ({
  postMessage(m) {
    page.__explorerPosted.push(m);
    // VS Code delivers asynchronously; so does the fake.
    setTimeout(() => handle(m), 0);
  },
  getState: () => state,
  setState: (s) => (state = s),
});
