// The Dataset Explorer page's only door to the extension host: the explorer protocol's messages over the API that
// webview/host.ts acquires (the one place that calls acquireVsCodeApi). Tests and the preview swap the host by
// defining `acquireVsCodeApi` before the bundle loads and deliver host messages with `window.postMessage`, exactly
// the path VS Code uses.
import type { ExplorerQuery, FromExplorer, ToExplorer } from '../../src/protocol/explorerMessages.js';
import { acquireWebviewApi } from '../host.js';

/** UI state only (what the user filtered and sorted by); rows and status are always re-sent after `ready`. */
export interface ExplorerState {
  readonly query?: ExplorerQuery;
}

/** What the explorer needs from its host. */
export interface ExplorerHostApi {
  post(message: FromExplorer): void;
  getState(): ExplorerState;
  setState(state: ExplorerState): void;
  /** Calls `handler` for every well-formed host message; returns an unsubscribe function. */
  onMessage(handler: (message: ToExplorer) => void): () => void;
}

/** Connects to the host of this page (VS Code, or whatever defined `acquireVsCodeApi` first). */
export function connectExplorerHost(win: Window = window): ExplorerHostApi {
  const api = acquireWebviewApi<ExplorerState>();
  return {
    post: (message) => api.postMessage(message),
    getState: () => api.getState() ?? {},
    setState: (state) => {
      api.setState(state);
    },
    onMessage(handler) {
      const listener = (event: MessageEvent<unknown>): void => {
        // Stray or malformed messages (another extension's frame, a skewed bundle) are dropped here.
        if (isToExplorer(event.data)) handler(event.data);
      };
      win.addEventListener('message', listener);
      return () => win.removeEventListener('message', listener);
    },
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');

/**
 * True for a host → explorer message of a known `type` with the fields the page reads typed as it reads them. The
 * host is trusted; this keeps stray `message` events out and a malformed one from throwing halfway through a render.
 */
function isToExplorer(value: unknown): value is ToExplorer {
  if (!isObj(value)) return false;
  switch (value['type']) {
    case 'status': {
      const s = value['status'];
      return (
        isObj(s) &&
        typeof s['fileName'] === 'string' &&
        typeof s['format'] === 'string' &&
        typeof s['container'] === 'string' &&
        isCount(s['rows']) &&
        typeof s['complete'] === 'boolean' &&
        typeof s['progress'] === 'number' &&
        isCount(s['problemCount']) &&
        isStrings(s['problems']) &&
        isStrings(s['labels']) &&
        isStrings(s['subsets']) &&
        typeof s['model'] === 'string' &&
        isCount(s['scored']) &&
        typeof s['threshold'] === 'number'
      );
    }
    case 'view':
      return isCount(value['total']) && typeof value['queryId'] === 'number' && typeof value['searching'] === 'boolean';
    case 'rows':
      return typeof value['requestId'] === 'number' && typeof value['queryId'] === 'number' && isCount(value['start']) && Array.isArray(value['rows']) && value['rows'].every(isObj);
    case 'scoring':
      return ['running', 'done', 'failed', 'cancelled'].includes(String(value['state'])) && typeof value['done'] === 'number' && typeof value['total'] === 'number';
    case 'error':
      return typeof value['message'] === 'string';
    default:
      return false;
  }
}
