import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paddingWaste, planBatches } from '../../../../../src/core/scoring/contracts/planBatches.js';

describe('planBatches', () => {
  it('sorts by length and packs within the token budget, batch size and padding bound', () => {
    const lengths = [10, 100, 12, 98, 11, 50];
    const batches = planBatches(lengths, { maxBatchTokens: 300, maxBatchSize: 8, maxPaddingFraction: 0.1 });
    // sorted: 10(0) 11(4) 12(2) | 50(5) | 98(3) 100(1)
    assert.deepEqual(batches, [[0, 4, 2], [5], [3, 1]]);
    // cells: 3*12 + 50 + 2*100 = 286; real tokens 281
    assert.equal(paddingWaste(lengths, batches), 5 / 286);
  });

  it('respects the token budget and batch size; a lone sequence over the budget still gets a batch', () => {
    assert.deepEqual(planBatches([5, 5, 5, 5], { maxBatchTokens: 10, maxBatchSize: 8, maxPaddingFraction: 0 }), [[0, 1], [2, 3]]);
    assert.deepEqual(planBatches([5, 5, 5], { maxBatchTokens: 100, maxBatchSize: 2, maxPaddingFraction: 0 }), [[0, 1], [2]]);
    assert.deepEqual(planBatches([500], { maxBatchTokens: 10, maxBatchSize: 2, maxPaddingFraction: 0 }), [[0]]);
    assert.deepEqual(planBatches([], { maxBatchTokens: 10, maxBatchSize: 2, maxPaddingFraction: 0 }), []);
  });

  it('uses every index exactly once', () => {
    const lengths = Array.from({ length: 200 }, (_, i) => 20 + ((i * 37) % 300));
    const batches = planBatches(lengths, { maxBatchTokens: 4096, maxBatchSize: 64, maxPaddingFraction: 0.05 });
    assert.deepEqual(batches.flat().sort((a, b) => a - b), lengths.map((_, i) => i));
    for (const b of batches) assert.ok(b.length * Math.max(...b.map((i) => lengths[i] ?? 0)) <= 4096);
    assert.ok(paddingWaste(lengths, batches) <= 0.05);
  });
});
