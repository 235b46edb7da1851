// The dashboard page's door to the extension host: the dashboard protocol over the API webview/host.ts acquires (the
// one place that calls acquireVsCodeApi). Tests and the preview define `acquireVsCodeApi` before the bundle loads
// and deliver host messages with `window.postMessage`, the path VS Code uses.
import type { DashboardToHost, HostToDashboard } from '../../src/protocol/dashboardMessages.js';
import { acquireWebviewApi } from '../host.js';

/** What the dashboard needs from its host. It keeps no state: the host re-sends the view after `ready`. */
export interface DashboardHostApi {
  post(message: DashboardToHost): void;
  /** Calls `handler` for every well-formed host message; returns an unsubscribe function. */
  onMessage(handler: (message: HostToDashboard) => void): () => void;
}

/** Connects to the host of this page (VS Code, or whatever defined `acquireVsCodeApi` first). */
export function connectDashboardHost(win: Window = window): DashboardHostApi {
  const api = acquireWebviewApi<undefined>();
  return {
    post: (message) => api.postMessage(message),
    onMessage(handler) {
      const listener = (event: MessageEvent<unknown>): void => {
        // Stray or malformed messages (another extension's frame, a skewed bundle) are dropped here.
        if (isHostToDashboard(event.data)) handler(event.data);
      };
      win.addEventListener('message', listener);
      return () => win.removeEventListener('message', listener);
    },
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** Each plot is its data (an object with its `kind`) or a not-applicable note with a reason. */
const isPlot = (v: unknown): boolean => isObj(v) && typeof v['kind'] === 'string' && (v['kind'] !== 'notApplicable' || typeof v['reason'] === 'string');
const isRecordIndices = (v: unknown): boolean => v === undefined || (Array.isArray(v) && v.every((i) => i === null || isCount(i)));

const PLOT_KEYS = ['stepScores', 'stepReliability', 'traceReliability', 'firstError', 'bestOfN', 'pairwise', 'rewardBench', 'rewardBench2', 'rmBench', 'margins', 'disagreements'] as const;

function isView(v: unknown): boolean {
  if (!isObj(v) || typeof v['file'] !== 'string' || !isRecordIndices(v['disagreementRecords'])) return false;
  const coverage = v['coverage'];
  if (!isObj(coverage) || !isCount(coverage['records']) || !isCount(coverage['scored'])) return false;
  const data = v['data'];
  if (data !== undefined && !(isObj(data) && isObj(data['header']) && PLOT_KEYS.every((k) => isPlot(data[k])))) return false;
  const probes = v['probes'];
  if (probes !== undefined && !(isObj(probes) && typeof probes['model'] === 'string' && Array.isArray(probes['rows']) && probes['rows'].every(isObj))) return false;
  const compare = v['compare'];
  if (compare === undefined) return true;
  return isObj(compare) && typeof compare['nameA'] === 'string' && typeof compare['nameB'] === 'string' && isObj(compare['report']) && isPlot(compare['scatter']) && isRecordIndices(compare['disagreementRecords']);
}

/**
 * True for a host → dashboard message of a known `type` whose fields are typed as the page reads them. The host is
 * trusted, so plot payloads are checked to their `kind` only; this keeps stray events out and a malformed message
 * from throwing halfway through a render.
 */
export function isHostToDashboard(value: unknown): value is HostToDashboard {
  if (!isObj(value)) return false;
  switch (value['type']) {
    case 'view':
      return isView(value['view']);
    case 'progress':
      return isCount(value['done']) && isCount(value['total']) && isFiniteNumber(value['perSecond']) && (value['etaSeconds'] === null || isFiniteNumber(value['etaSeconds']));
    case 'progressEnd':
      return value['message'] === undefined || typeof value['message'] === 'string';
    default:
      return false;
  }
}
