/**
 * Runtime checks at the trust boundary between host and webview. Inbound messages are `unknown` until one of these
 * says otherwise; anything malformed is dropped by the caller.
 */
import type { FromWebview, ToWebview } from './messages.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * True for a well-formed webview → host message: a known `type` with exactly-typed fields (indices are
 * non-negative safe integers). Extra keys are tolerated, missing or mistyped ones are not.
 */
export function isFromWebview(value: unknown): value is FromWebview {
  if (!isObj(value)) return false;
  switch (value['type']) {
    case 'ready':
      return typeof value['version'] === 'number';
    case 'score':
      return true;
    case 'reveal': {
      const t = value['target'];
      return isObj(t) && isIndex(t['recordIndex']) && isIndex(t['responseIndex']) && (t['stepIndex'] === undefined || isIndex(t['stepIndex']));
    }
    default:
      return false;
  }
}

/**
 * True for a host → webview message of a known `type` with the fields the webview switches on (the view's `kind`).
 * The host is trusted, so view payloads are not checked deeply; this keeps stray `message` events out.
 */
export function isToWebview(value: unknown): value is ToWebview {
  if (!isObj(value)) return false;
  switch (value['type']) {
    case 'init':
      return typeof value['version'] === 'number' && isView(value['view']);
    case 'update':
      return isView(value['view']);
    case 'scoring':
      return (value['state'] === 'running' || value['state'] === 'done' || value['state'] === 'failed') && (value['message'] === undefined || typeof value['message'] === 'string');
    case 'unavailable':
      return typeof value['message'] === 'string';
    default:
      return false;
  }
}

function isView(v: unknown): boolean {
  if (!isObj(v)) return false;
  if (v['kind'] === 'traceTree') return isObj(v['tree']) && isObj(v['scoring']);
  if (v['kind'] === 'judgmentDiff') return isObj(v['judgment']) && isObj(v['scoring']);
  return false;
}
