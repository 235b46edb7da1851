import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { rmBenchMetrics, type RmBenchItem } from '../../../../src/core/metrics/rmBench.js';
import { readSample, samplesAvailable } from '../../helpers.js';

function near(actual: number | undefined, expected: number, eps = 1e-12): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);
}

// Matrices by hand, cell (i, j) = chosen[i] > rejected[j]:
const ITEMS: RmBenchItem[] = [
  // A: 3 vs [2,4,7] → [1,0,0]; 5 → [1,1,0]; 6 → [1,1,0]. hard (0,1)(0,2)(1,2) = 0; normal 1,1,0 = 2/3; easy (1,0)(2,0)(2,1) = 1
  { subset: 'chat', chosen: [3, 5, 6], rejected: [2, 4, 7] },
  // B: 1 vs [1,0,0] → [0 (tie),1,1] on every row. hard = 1; normal 0,1,1 = 2/3; easy (1,0)=0,(2,0)=0,(2,1)=1 = 1/3
  { subset: 'chat', chosen: [1, 1, 1], rejected: [1, 0, 0] },
  // C: every cell 0
  { subset: 'math', chosen: [0, 0, 0], rejected: [1, 1, 1] },
  // D: every cell 1, no subset
  { chosen: [2, 2, 2], rejected: [1, 1, 1] },
  { subset: 'chat', chosen: [1, 2], rejected: [0, 0, 0] }, // skipped: two chosen scores
  { subset: 'chat', chosen: [1, 2, 3], rejected: [0, Number.NaN, 0] }, // skipped: NaN
];

describe('rmBenchMetrics', () => {
  it('averages the 3×3 matrix over a subset and reads hard / normal / easy from it', () => {
    const chat = rmBenchMetrics(ITEMS).bySubset[0];
    assert.equal(chat?.subset, 'chat');
    assert.equal(chat?.count, 2);
    // (A + B) / 2: [[1,0,0]+[0,1,1], [1,1,0]+[0,1,1], [1,1,0]+[0,1,1]] / 2
    assert.deepEqual(chat?.matrix, [
      [0.5, 0.5, 0.5],
      [0.5, 1, 0.5],
      [0.5, 1, 0.5],
    ]);
    near(chat?.hard, 0.5); // (0 + 1) / 2, or the upper cells 0.5, 0.5, 0.5
    near(chat?.normal, 2 / 3); // (2/3 + 2/3) / 2, or the diagonal 0.5, 1, 0.5
    near(chat?.easy, 2 / 3); // (1 + 1/3) / 2, or the lower cells 0.5, 0.5, 1
    near(chat?.average, 5.5 / 9); // all nine cells sum to 1.5 + 2 + 2
  });

  it('pools every counted item for the overall figures', () => {
    const m = rmBenchMetrics(ITEMS);
    assert.equal(m.overall.count, 4);
    assert.equal(m.skipped, 2);
    // (A + B + C + D) / 4 = [[2,2,2],[2,3,2],[2,3,2]] / 4
    assert.deepEqual(m.overall.matrix, [
      [0.5, 0.5, 0.5],
      [0.5, 0.75, 0.5],
      [0.5, 0.75, 0.5],
    ]);
    near(m.overall.hard, 0.5);
    near(m.overall.normal, 1.75 / 3); // (0.5 + 0.75 + 0.5) / 3
    near(m.overall.easy, 1.75 / 3); // (0.5 + 0.5 + 0.75) / 3
    near(m.overall.average, 5 / 9); // (1.5 + 1.75 + 1.75) / 9
    assert.deepEqual(
      m.bySubset.map((s) => [s.subset, s.count]),
      [
        ['chat', 2],
        ['math', 1],
      ],
    );
    assert.deepEqual([m.bySubset[1]?.hard, m.bySubset[1]?.normal, m.bySubset[1]?.easy, m.bySubset[1]?.average], [0, 0, 0, 0]); // C alone
  });

  it('gives undefined, not NaN, for empty input', () => {
    assert.deepEqual(rmBenchMetrics([]), {
      overall: { count: 0, matrix: undefined, hard: undefined, normal: undefined, easy: undefined, average: undefined },
      bySubset: [],
      skipped: 0,
    });
  });

  it('shows a length-loving reward model failing the RM-Bench sample on every hard cell', { skip: !samplesAvailable() }, () => {
    const [rec] = JSON.parse(readSample('rm_bench.json') ?? '[]') as { id: number; subset: string; chosen: string[]; rejected: string[] }[];
    assert.equal(rec?.id, 622);
    const length = (xs: string[] | undefined) => (xs ?? []).map((x) => x.length);
    // Lengths read from the sample: concise / detailed / markdown.
    assert.deepEqual(length(rec?.chosen), [29, 286, 346]);
    assert.deepEqual(length(rec?.rejected), [29, 388, 412]);
    // Reward = length: 29 vs [29, 388, 412] → [0 (tie), 0, 0]; 286 → [1, 0, 0]; 346 → [1, 0, 0].
    // hard = (0 + 0 + 0)/3 = 0; normal = (0 + 0 + 0)/3 = 0; easy = (1 + 1 + 0)/3 = 2/3
    const m = rmBenchMetrics([{ subset: rec?.subset ?? '', chosen: length(rec?.chosen), rejected: length(rec?.rejected) }]);
    const s = m.bySubset[0];
    assert.equal(s?.subset, 'alpacaeval');
    assert.deepEqual(s?.matrix, [
      [0, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
    ]);
    assert.equal(s?.hard, 0);
    assert.equal(s?.normal, 0);
    near(s?.easy, 2 / 3);
  });
});
