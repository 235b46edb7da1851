import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bestOfNMetrics, selectionCredit, type CandidateGroup } from '../../../../src/core/metrics/bestOfN.js';
import { readSample, samplesAvailable } from '../../helpers.js';

function near(actual: number | undefined, expected: number, eps = 1e-12): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);
}

const c = (score: number, correct: boolean) => ({ score, correct });

const GROUPS: CandidateGroup[] = [
  { subset: 'x', candidates: [c(0.9, true), c(0.5, false), c(0.1, false)] }, // top 0.9 correct → 1
  { subset: 'x', candidates: [c(0.2, true), c(0.8, false)] }, // top 0.8 wrong → 0 (solvable)
  { subset: 'y', candidates: [c(0.7, true), c(0.7, false), c(0.7, false), c(0.1, true)] }, // 3 tied at top, 1 correct → 1/3
  { subset: 'y', candidates: [c(0.4, false), c(0.3, false)] }, // no correct candidate → 0 (unsolvable)
  { candidates: [c(1, true)] }, // no subset → 1
  { subset: 'x', candidates: [] }, // skipped
  { subset: 'y', candidates: [c(Number.NaN, true), c(0.5, false)] }, // skipped
];

describe('selectionCredit', () => {
  it('is 1 or 0 for a unique top candidate', () => {
    assert.equal(selectionCredit([c(0.9, true), c(0.5, false)]), 1);
    assert.equal(selectionCredit([c(0.9, false), c(0.5, true)]), 0);
  });

  it('splits the credit among candidates tied at the top', () => {
    near(selectionCredit([c(0.7, true), c(0.7, false), c(0.7, false)]), 1 / 3); // 1 correct of 3 tied
    assert.equal(selectionCredit([c(2, true), c(2, true), c(1, false)]), 1); // 2 of 2
  });

  it('is undefined for an empty group or a non-finite score', () => {
    assert.equal(selectionCredit([]), undefined);
    assert.equal(selectionCredit([c(Number.NaN, true)]), undefined);
  });
});

describe('bestOfNMetrics', () => {
  it('averages the per-group credit overall and per subset', () => {
    const m = bestOfNMetrics(GROUPS);
    assert.equal(m.overall.count, 5);
    near(m.overall.accuracy, 7 / 15); // (1 + 0 + 1/3 + 0 + 1) / 5 = (7/3) / 5
    assert.equal(m.overall.oracle, 0.8); // groups 1, 2, 3, 5 have a correct candidate: 4 / 5
    assert.equal(m.skipped, 2);
    assert.deepEqual(
      m.bySubset.map((s) => s.subset),
      ['x', 'y'],
    );
    const [x, y] = m.bySubset;
    assert.deepEqual(x, { subset: 'x', count: 2, accuracy: 0.5, oracle: 1 }); // (1 + 0) / 2; both solvable
    assert.equal(y?.count, 2);
    near(y?.accuracy, 1 / 6); // (1/3 + 0) / 2
    assert.equal(y?.oracle, 0.5); // 1 of 2 solvable
  });

  it('gives undefined, not NaN, for empty input', () => {
    assert.deepEqual(bestOfNMetrics([]), { overall: { count: 0, accuracy: undefined, oracle: undefined }, bySubset: [], skipped: 0 });
  });

  it('selects the PRM800K scored sample, which is correct', { skip: !samplesAvailable() }, () => {
    const line = (readSample('prm800k_scored_samples.jsonl') ?? '').split('\n')[0] ?? '{}';
    const rec = JSON.parse(line) as { is_correct: boolean; prm_score: number; orm_score: number; subject: string };
    assert.equal(rec.is_correct, true);
    assert.equal(rec.subject, 'Precalculus');
    // A group of one: whatever the score, the pick is this sample, and it is correct.
    const m = bestOfNMetrics([{ subset: rec.subject, candidates: [c(rec.prm_score, rec.is_correct)] }]);
    assert.deepEqual(m.bySubset, [{ subset: 'Precalculus', count: 1, accuracy: 1, oracle: 1 }]);
  });
});
