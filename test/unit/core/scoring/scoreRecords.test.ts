import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { PreferenceSet, Trace } from '../../../../src/core/dataset/types.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { preferenceMargin, scoreRecords, type ScoredRecord } from '../../../../src/core/scoring/scoreRecords.js';
import type { ScoreRequest, ScoreResult, Scorer } from '../../../../src/core/scoring/scorer.js';

/** A scorer whose step score is the step's length / 10 (capped at 1): easy to compute by hand. */
function lengthScorer(calls: number[] = []): Scorer {
  return {
    id: 'len',
    description: 'length',
    granularity: 'step',
    score: (reqs: readonly ScoreRequest[], signal?: AbortSignal) => {
      calls.push(reqs.length);
      if (signal?.aborted) return Promise.reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      return Promise.resolve(reqs.map((r): ScoreResult => ({ steps: r.steps.map((s) => ({ score: Math.min(1, s.length / 10) })), device: 'test' })));
    },
    dispose: () => Promise.resolve(),
  };
}

const TRACES = parseDocument(
  [JSON.stringify({ prompt: 'p', completions: ['abcde', 'ab', 'abcdefghijkl'], labels: [true, false, true] }), JSON.stringify({ prompt: 'q', completions: ['abcdefgh'], labels: [true] })].join('\n'),
  'a.jsonl',
).records as Trace[];

describe('scoreRecords', () => {
  it('aggregates step scores and finds the first step under the threshold', async () => {
    const [a] = await scoreRecords(TRACES, lengthScorer(), { threshold: 0.5, aggregation: 'min', batchSize: 8 });
    assert.ok(a?.kind === 'trace');
    // Scores 0.5, 0.2, 1.0: min 0.2, product 0.1, mean 1.7/3, last 1; first under 0.5 is index 1.
    assert.deepEqual(a.steps.map((s) => s.score), [0.5, 0.2, 1]);
    assert.equal(a.scores.min, 0.2);
    assert.ok(Math.abs((a.scores.product ?? 0) - 0.1) < 1e-12);
    assert.ok(Math.abs((a.scores.mean ?? 0) - 1.7 / 3) < 1e-12);
    assert.equal(a.scores.last, 1);
    assert.equal(a.firstError, 1);
    assert.equal(a.score, 0.2);
  });

  it('batches whole records and keeps order', async () => {
    const calls: number[] = [];
    const out = await scoreRecords(TRACES, lengthScorer(calls), { threshold: 0.5, aggregation: 'mean', batchSize: 1 });
    assert.deepEqual(calls, [1, 1]);
    assert.deepEqual(out.map((o) => o.record.id), TRACES.map((t) => t.id));
  });

  it('keeps records finished before a cancel and then rejects', async () => {
    const controller = new AbortController();
    const kept: ScoredRecord[] = [];
    await assert.rejects(
      scoreRecords(TRACES, lengthScorer(), { threshold: 0.5, aggregation: 'min', batchSize: 1 }, {
        signal: controller.signal,
        onRecord: (r) => {
          kept.push(r);
          controller.abort();
        },
      }),
      { name: 'AbortError' },
    );
    assert.equal(kept.length, 1);
  });

  it('computes preference margins per comparison kind', () => {
    const pref = (comparison: PreferenceSet['comparison'], chosen: boolean[]): PreferenceSet => ({
      kind: 'preference', id: 'x', recordRange: { start: 0, end: 0 }, prompt: '', labelSource: 't', comparison, metadata: {},
      responses: chosen.map((c) => ({ text: '', chosen: c, steps: [] })),
    });
    assert.equal(preferenceMargin(pref('pair', [true, false]), [0.9, 0.4]), 0.9 - 0.4);
    // best-of-n: lowest chosen minus highest rejected.
    assert.equal(preferenceMargin(pref('best-of-n', [true, false, false, false]), [0.7, 0.2, 0.8, 0.1]), 0.7 - 0.8);
    assert.equal(preferenceMargin(pref('unpaired', [true]), [0.7]), null);
    assert.equal(preferenceMargin(pref('pair', [true, false]), [0.7, undefined]), null);
  });
});
