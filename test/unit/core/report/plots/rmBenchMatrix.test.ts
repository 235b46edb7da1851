import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { rmBenchMetrics } from '../../../../../src/core/metrics/rmBench.js';
import { rmBenchMatrix } from '../../../../../src/core/report/plots/rmBenchMatrix.js';

describe('rmBenchMatrix', () => {
  it('lays out the 3×3 matrix with its triangle means, overall and per subset', () => {
    // chosen [3, 2, 1] vs rejected [2.5, 1.5, 0.5]: row 3 beats all; row 2 beats 1.5 and 0.5; row 1 beats 0.5.
    const m = rmBenchMetrics([{ subset: 'chat', chosen: [3, 2, 1], rejected: [2.5, 1.5, 0.5] }]);
    const plot = rmBenchMatrix(m);
    assert.ok(plot.kind === 'rmBenchMatrix');
    assert.deepEqual(plot.styles, ['concise', 'detailed', 'detailed markdown']);
    const expected = {
      count: 1,
      cells: [
        [1, 1, 1],
        [0, 1, 1],
        [0, 0, 1],
      ],
      hard: 1, // above the diagonal: 1, 1, 1
      normal: 1, // diagonal
      easy: 0, // below: 0, 0, 0
      average: 6 / 9,
    };
    assert.deepEqual(plot.overall, { subset: null, ...expected });
    assert.deepEqual(plot.bySubset, [{ subset: 'chat', ...expected }]);
  });

  it('is not applicable when no item was counted', () => {
    assert.equal(rmBenchMatrix(undefined).kind, 'notApplicable');
    assert.equal(rmBenchMatrix(rmBenchMetrics([{ chosen: [1, 2], rejected: [1, 2, 3] }])).kind, 'notApplicable');
  });
});
