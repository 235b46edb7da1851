import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isFromWebview, isToWebview } from '../../../src/protocol/guards.js';
import { PROTOCOL_VERSION, type FromWebview, type ToWebview } from '../../../src/protocol/messages.js';

const scoring = { model: 'm', threshold: 0.5, highThreshold: 0.8, aggregation: 'min', stale: false };

describe('isFromWebview', () => {
  it('accepts every well-formed message type', () => {
    const ok: FromWebview[] = [
      { type: 'ready', version: PROTOCOL_VERSION },
      { type: 'score' },
      { type: 'reveal', target: { recordIndex: 0, responseIndex: 0 } },
      { type: 'reveal', target: { recordIndex: 12, responseIndex: 3, stepIndex: 7 } },
    ];
    for (const m of ok) assert.equal(isFromWebview(m), true, JSON.stringify(m));
  });

  it('rejects malformed messages', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      {},
      { type: 'readyy', version: 1 },
      { type: 'ready' },
      { type: 'ready', version: '1' },
      { type: 'reveal' },
      { type: 'reveal', target: null },
      { type: 'reveal', target: { recordIndex: -1, responseIndex: 0 } },
      { type: 'reveal', target: { recordIndex: 1.5, responseIndex: 0 } },
      { type: 'reveal', target: { recordIndex: 0 } },
      { type: 'reveal', target: { recordIndex: 0, responseIndex: 0, stepIndex: '2' } },
      { type: 'reveal', target: { recordIndex: Number.MAX_SAFE_INTEGER + 1, responseIndex: 0 } },
      { type: 'init', version: 1, view: {} },
    ];
    for (const m of bad) assert.equal(isFromWebview(m), false, JSON.stringify(m));
  });
});

describe('isToWebview', () => {
  it('accepts the host messages the webview switches on', () => {
    const ok: unknown[] = [
      { type: 'init', version: 1, view: { kind: 'traceTree', tree: {}, scoring } },
      { type: 'update', view: { kind: 'judgmentDiff', judgment: {}, scoring } },
      { type: 'scoring', state: 'running' },
      { type: 'scoring', state: 'failed', message: 'no model' },
      { type: 'unavailable', message: 'gone' },
    ];
    for (const m of ok) assert.equal(isToWebview(m), true, JSON.stringify(m));
  });

  it('rejects stray and malformed messages', () => {
    const bad: unknown[] = [
      undefined,
      { type: 'init', view: { kind: 'traceTree', tree: {}, scoring } },
      { type: 'init', version: 1, view: { kind: 'dashboard', tree: {}, scoring } },
      { type: 'update', view: { kind: 'traceTree', scoring } },
      { type: 'scoring', state: 'paused' },
      { type: 'scoring', state: 'failed', message: 3 },
      { type: 'unavailable' },
      { type: 'ready', version: 1 },
      // What another extension's script might post into the frame.
      { data: '<img src=x onerror=alert(1)>' },
    ];
    for (const m of bad) assert.equal(isToWebview(m), false, JSON.stringify(m));
  });

  it('types line up: a ToWebview value passes the guard', () => {
    const msg: ToWebview = { type: 'scoring', state: 'done' };
    assert.equal(isToWebview(msg), true);
  });
});
