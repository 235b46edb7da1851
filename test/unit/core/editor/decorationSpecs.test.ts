import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { badgeText, bucketOf, compareBadgeText, decorationSpecs } from '../../../../src/core/editor/decorationSpecs.js';
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

describe('compared badges (Compare With…)', () => {
  const side = (score: number | undefined, stale = false): { score: { score: number } | undefined; stale: boolean } => ({ score: score === undefined ? undefined : { score }, stale });

  it('reads A | B, each side marked by its own score against the threshold', () => {
    assert.equal(compareBadgeText(side(0.91), side(0.42), S), '0.91 | 0.42 ✗');
    assert.equal(compareBadgeText(side(0.31), side(0.88), S), '0.31 ✗ | 0.88');
    assert.equal(compareBadgeText(side(0.1), side(0.2), S), '0.10 ✗ | 0.20 ✗');
    assert.equal(compareBadgeText(side(0.6), side(0.7), S), '0.60 | 0.70');
    // The threshold itself is not low, on either side.
    assert.equal(compareBadgeText(side(0.5), side(0.499), S), '0.50 | 0.50 ✗');
  });

  it('shows – for a side without a score', () => {
    assert.equal(compareBadgeText(side(undefined), side(0.42), S), '– | 0.42 ✗');
    assert.equal(compareBadgeText(side(0.91), side(undefined), S), '0.91 | –');
    // A sidecar's null (an unscorable step's NaN) is no score either; a judge's explicit "not judged" says so.
    assert.equal(compareBadgeText({ score: { score: null as unknown as number }, stale: false }, side(0.9), S), '– | 0.90');
    assert.equal(compareBadgeText({ score: { score: Number.NaN, verdict: 'not-judged' }, stale: false }, side(0.9), S), 'not judged | 0.90');
  });

  it('marks each stale side on its own', () => {
    assert.equal(compareBadgeText(side(0.91, true), side(0.42), S), '0.91 (stale) | 0.42 ✗');
    assert.equal(compareBadgeText(side(0.91), side(0.42, true), S), '0.91 | 0.42 ✗ (stale)');
    assert.equal(compareBadgeText(side(undefined, true), side(0.42, true), S), '– | 0.42 ✗ (stale)');
  });

  describe('decorationSpecs with a compared run', () => {
    const doc = parseDocument(TEXT, 'a.jsonl');
    const [t0, t1] = doc.records as Trace[];
    const a = new ScoreStore(emptySidecar(), 'a');
    a.put(t0 as Trace, [{ steps: [{ score: 0.91 }, { score: 0.2 }, { score: 0.95 }], device: 'cpu' }]);
    const b = new ScoreStore(a.data, 'b');
    b.put(t0 as Trace, [{ steps: [{ score: 0.42 }, { score: 0.9 }], device: 'cpu' }]);
    b.put(t1 as Trace, [{ steps: [{ score: 0.3 }], device: 'cpu' }]);
    const lines = new LineIndex(TEXT);
    const lookupIn = (store: ScoreStore) => (i: number) => store.lookup(doc.records[i] as Trace);

    it('badges every step either run scored as A | B; tint, first error and score stay A\'s', () => {
      const specs = decorationSpecs(doc.records, lookupIn(a), lines, S, lookupIn(b));
      assert.deepEqual(
        specs.map((s) => [s.recordIndex, s.stepIndex, s.badge, s.bucket, s.firstError]),
        [
          [0, 0, '0.91 | 0.42 ✗', 'high', false],
          [0, 1, '0.20 ✗ | 0.90', 'low', true],
          [0, 2, '0.95 | –', 'high', false],
          // Only B scored record 2: decorated, untinted, never A's first error.
          [1, 0, '– | 0.30 ✗', 'unjudged', false],
        ],
      );
      assert.ok(Number.isNaN(specs[3]?.score));
      // Without a compared run the badges are unchanged.
      assert.deepEqual(
        decorationSpecs(doc.records, lookupIn(a), lines, S).map((s) => s.badge),
        ['0.91', '0.20 ✗', '0.95'],
      );
    });

    it('marks the side whose text changed since it scored as stale', () => {
      const edited = TEXT.replace('"one"', '"one, edited"');
      const doc2 = parseDocument(edited, 'a.jsonl');
      const specs = decorationSpecs(doc2.records, (i) => a.lookup(doc2.records[i] as Trace), new LineIndex(edited), S, (i) => b.lookup(doc2.records[i] as Trace));
      assert.deepEqual(specs.map((s) => s.badge), ['0.91 (stale) | 0.42 ✗ (stale)', '0.20 ✗ (stale) | 0.90 (stale)', '0.95 (stale) | –', '– | 0.30 ✗']);
      assert.ok(specs.slice(0, 3).every((s) => s.bucket === 'stale' && !s.firstError));
    });
  });
});
