import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { badgeText, bucketOf, decorationSpecs } from '../../../../src/core/editor/decorationSpecs.js';
import { emptySidecar, readSidecarData, requestKey, ScoreStore } from '../../../../src/core/editor/scoreStore.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { requestsOf } from '../../../../src/core/scoring/scoreRecords.js';
import { LineIndex } from '../../../../src/core/text/positions.js';

const S = { threshold: 0.5, high: 0.8 };
const TEXT = `${JSON.stringify({ prompt: 'p', completions: ['one', 'two\nlines', 'three'], labels: [true, true, false] })}\n${JSON.stringify({ prompt: 'q', completions: ['x'], labels: [true] })}\n`;

describe('score buckets and badges', () => {
  it('buckets by threshold and high mark', () => {
    assert.deepEqual([0, 0.49, 0.5, 0.79, 0.8, 1].map((x) => bucketOf(x, S)), ['low', 'low', 'mid', 'mid', 'high', 'high']);
  });
  it('writes two decimals, a cross under the threshold and a stale mark', () => {
    assert.equal(badgeText(0.191, S, false), '0.19 ✗');
    assert.equal(badgeText(0.9, S, true), '0.90 (stale)');
  });
});

describe('decorationSpecs', () => {
  const doc = parseDocument(TEXT, 'a.jsonl');
  const traces = doc.records as Trace[];
  const store = new ScoreStore(emptySidecar(), 'm');
  store.put(traces[0] as Trace, [{ steps: [{ score: 0.9 }, { score: 0.2 }, { score: 0.1 }], device: 'cpu' }]);

  it('places one spec per scored step at its line and column, marking only the first low step', () => {
    const specs = decorationSpecs(doc.records, (i) => store.lookup(doc.records[i] as Trace), new LineIndex(TEXT), S);
    assert.equal(specs.length, 3);
    const two = TEXT.indexOf('two\\nlines');
    assert.deepEqual([specs[1]?.startLine, specs[1]?.startChar, specs[1]?.endChar], [0, two, two + 'two\\nlines'.length]);
    assert.deepEqual(specs.map((s) => s.bucket), ['high', 'low', 'low']);
    assert.deepEqual(specs.map((s) => s.firstError), [false, true, false]);
  });

  it('shows scores of edited text as stale, never current', () => {
    const edited = TEXT.replace('"two\\nlines"', '"two\\nlines, edited"');
    const doc2 = parseDocument(edited, 'a.jsonl');
    const specs = decorationSpecs(doc2.records, (i) => store.lookup(doc2.records[i] as Trace), new LineIndex(edited), S);
    assert.equal(specs.length, 3);
    assert.ok(specs.every((s) => s.bucket === 'stale' && !s.firstError && s.badge.endsWith('(stale)')));
  });

  it('round-trips through sidecar JSON and keys by exact text', () => {
    const copy = new ScoreStore(readSidecarData(JSON.parse(JSON.stringify(store.data))), 'm');
    assert.deepEqual(copy.current(traces[0] as Trace)?.[0]?.steps.map((s) => s.score), [0.9, 0.2, 0.1]);
    assert.equal(copy.current(traces[1] as Trace), undefined);
    assert.equal(new ScoreStore(store.data, 'other-model').current(traces[0] as Trace), undefined);
    const key = requestKey(requestsOf(traces[0] as Trace)[0] ?? { prompt: '', steps: [] });
    assert.ok(key in (store.data.models['m'] ?? {}));
    assert.deepEqual(readSidecarData({ version: 2 }), emptySidecar());
  });
});
