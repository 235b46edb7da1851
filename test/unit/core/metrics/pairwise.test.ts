import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { pairwiseMetrics, type PairScore } from '../../../../src/core/metrics/pairwise.js';
import { readSample, samplesAvailable } from '../../helpers.js';

const PAIRS: PairScore[] = [
  { subset: 'a', chosen: 2, rejected: 1 }, // win, margin 1
  { subset: 'a', chosen: 0.5, rejected: 0.5 }, // tie, margin 0
  { subset: 'b', chosen: -1, rejected: 0.5 }, // loss, margin −1.5
  { subset: 'b', chosen: 3, rejected: -1 }, // win, margin 4
  { chosen: 1, rejected: 0 }, // win, margin 1, no subset
  { subset: 'a', chosen: Number.NaN, rejected: 0 }, // skipped
];

describe('pairwiseMetrics', () => {
  it('pools every pair for the overall figures, a tie worth half', () => {
    const m = pairwiseMetrics(PAIRS);
    // 5 counted: 3 wins, 1 tie, 1 loss → (3 + 0.5) / 5 = 0.7; margins (1 + 0 − 1.5 + 4 + 1) / 5 = 4.5 / 5 = 0.9
    assert.deepEqual(m.overall, { count: 5, wins: 3, ties: 1, losses: 1, accuracy: 0.7, meanMargin: 0.9 });
    assert.equal(m.skipped, 1);
  });

  it('reports each subset in order of first appearance', () => {
    const m = pairwiseMetrics(PAIRS);
    assert.deepEqual(m.bySubset, [
      // a: win + tie → (1 + 0.5) / 2 = 0.75; margins (1 + 0) / 2 = 0.5 (the NaN pair is not counted)
      { subset: 'a', count: 2, wins: 1, ties: 1, losses: 0, accuracy: 0.75, meanMargin: 0.5 },
      // b: win + loss → 1 / 2 = 0.5; margins (−1.5 + 4) / 2 = 1.25
      { subset: 'b', count: 2, wins: 1, ties: 0, losses: 1, accuracy: 0.5, meanMargin: 1.25 },
    ]);
  });

  it('lets the caller choose what a tie is worth', () => {
    assert.equal(pairwiseMetrics(PAIRS, { tieCredit: 0 }).overall.accuracy, 0.6); // 3 / 5
    assert.equal(pairwiseMetrics(PAIRS, { tieCredit: 0 }).bySubset[0]?.accuracy, 0.5); // a: 1 / 2
    assert.equal(pairwiseMetrics(PAIRS, { tieCredit: 1 }).overall.accuracy, 0.8); // (3 + 1) / 5
  });

  it('gives undefined, not NaN, for empty input', () => {
    assert.deepEqual(pairwiseMetrics([]), {
      overall: { count: 0, wins: 0, ties: 0, losses: 0, accuracy: undefined, meanMargin: undefined },
      bySubset: [],
      skipped: 0,
    });
  });

  it('leaves out a subset whose pairs were all skipped', () => {
    const m = pairwiseMetrics([{ subset: 'x', chosen: Number.POSITIVE_INFINITY, rejected: 0 }]);
    assert.deepEqual(m.bySubset, []);
    assert.equal(m.skipped, 1);
    assert.equal(m.overall.accuracy, undefined);
  });

  it("reads a real reward model's two position-swapped JudgeBench trials as one win and one loss", { skip: !samplesAvailable() }, () => {
    const line = (readSample('judgebench_rm_output.jsonl') ?? '').split('\n')[0] ?? '{}';
    const rec = JSON.parse(line) as { label: string; judgments: { judgment: { scores: number[] } }[] };
    const trials = rec.judgments.map((j) => j.judgment.scores);
    // Skywork-Reward-Llama-3.1-8B's scores for the two orders: [5.625, 14.625] then [14.625, 5.625].
    assert.deepEqual(trials, [
      [5.625, 14.625],
      [14.625, 5.625],
    ]);
    // Read positionally (first response as "chosen"): −9 then +9 → 1 win, 1 loss, mean margin 0. A reward model
    // scores each response alone, so swapping the order only mirrors the pair.
    const m = pairwiseMetrics(trials.map(([a = Number.NaN, b = Number.NaN]) => ({ chosen: a, rejected: b })));
    assert.deepEqual(m.overall, { count: 2, wins: 1, ties: 0, losses: 1, accuracy: 0.5, meanMargin: 0 });
  });
});
