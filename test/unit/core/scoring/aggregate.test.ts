import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AGGREGATIONS, aggregate, aggregateAll, firstUnder } from '../../../../src/core/scoring/aggregate.js';
import { readSample, samplesAvailable } from '../../helpers.js';

/** Floating-point equality to `eps`, with both numbers in the message. */
function near(actual: number | undefined, expected: number, eps = 1e-12): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);
}

// Binary-exact step scores, so every aggregate below is exact.
const STEPS = [0.75, 0.5, 1, 0.25];

describe('aggregate', () => {
  it('lists the aggregations in display order', () => {
    assert.deepEqual(AGGREGATIONS, ['min', 'product', 'mean', 'last']);
  });

  it('combines step scores by each method', () => {
    assert.equal(aggregate(STEPS, 'min'), 0.25); // smallest of 0.75, 0.5, 1, 0.25
    assert.equal(aggregate(STEPS, 'product'), 0.09375); // 0.75 · 0.5 = 0.375; · 1 = 0.375; · 0.25 = 0.09375
    assert.equal(aggregate(STEPS, 'mean'), 0.625); // (0.75 + 0.5 + 1 + 0.25) / 4 = 2.5 / 4
    assert.equal(aggregate(STEPS, 'last'), 0.25); // the fourth step
  });

  it('gives the single score for a one-step trace', () => {
    for (const m of AGGREGATIONS) assert.equal(aggregate([0.3], m), 0.3);
  });

  it('has nothing to say about an empty trace', () => {
    for (const m of AGGREGATIONS) assert.equal(aggregate([], m), undefined);
    assert.deepEqual(aggregateAll([]), { min: undefined, product: undefined, mean: undefined, last: undefined });
  });

  it('aggregateAll matches the single-method values', () => {
    assert.deepEqual(aggregateAll(STEPS), { min: 0.25, product: 0.09375, mean: 0.625, last: 0.25 });
  });
});

describe('firstUnder', () => {
  it('finds the first step strictly under the threshold', () => {
    // 0.9 ≥ 0.5, 0.5 is not strictly under 0.5, 0.4 < 0.5 → index 2 (0.1 comes later).
    assert.equal(firstUnder([0.9, 0.5, 0.4, 0.1], 0.5), 2);
    assert.equal(firstUnder([0.2], 0.5), 0);
  });

  it('returns null when no step is under, or there are no steps', () => {
    assert.equal(firstUnder([0.9, 0.5, 0.4, 0.1], 0.05), null);
    assert.equal(firstUnder([0.5, 0.5], 0.5), null);
    assert.equal(firstUnder([], 0.5), null);
  });

  it("flags ProcessBench gsm8k-0's labelled step with Qwen2.5-Math-PRM-7B's published rewards", { skip: !samplesAvailable() }, () => {
    const [record] = JSON.parse(readSample('processbench.json') ?? '[]') as { id: string; label: number; steps: string[] }[];
    assert.equal(record?.id, 'gsm8k-0');
    assert.equal(record?.label, 1);
    // FORMATS.md §2: the model card's step rewards for gsm8k-0's four steps.
    const rewards = [1.0, 0.1904296875, 0.9765625, 1.0];
    assert.equal(record?.steps.length, rewards.length);
    assert.equal(firstUnder(rewards, 0.5), record?.label); // 0.1904… is the first under 0.5 → step 1 = the label
    assert.equal(aggregate(rewards, 'min'), 0.1904296875);
    // 0.1904296875 = 195/1024 and 0.9765625 = 125/128, so the product is 195·125 / 131072 = 24375/131072 exactly.
    assert.equal(aggregate(rewards, 'product'), 24375 / 131072);
    // (1 + 0.1904296875 + 0.9765625 + 1) / 4 = 3.1669921875 / 4
    assert.equal(aggregate(rewards, 'mean'), 0.791748046875);
  });

  it("reproduces a PRM800K scored sample's prm_score as a product over steps", { skip: !samplesAvailable() }, () => {
    const line = (readSample('prm800k_scored_samples.jsonl') ?? '').split('\n')[0] ?? '{}';
    const rec = JSON.parse(line) as { prm_score: number; rating_probs: Record<string, number>[] };
    assert.equal(rec.rating_probs.length, 4);
    // OpenAI's prm_score is Π P(step not rated −1): with P(−1) = 0.5931, 0.0571, 0.0424, 0.7508 that is
    // 0.40693 · 0.94290 · 0.95759 · 0.24924 ≈ 0.091576, the record's 0.09157553704097245.
    const notBad = rec.rating_probs.map((p) => 1 - (p['-1'] ?? 0));
    near(aggregate(notBad, 'product'), rec.prm_score);
    near(aggregate(notBad, 'product'), 0.09157553704097245);
  });
});

describe('aggregate with unscorable steps', () => {
  it('leaves NaN scores out of every aggregation', () => {
    // Finite scores 0.5 and 0.2: min 0.2, product 0.1, mean 0.35, last 0.2.
    const s = [0.5, Number.NaN, 0.2];
    assert.equal(aggregate(s, 'min'), 0.2);
    assert.ok(Math.abs((aggregate(s, 'product') ?? 0) - 0.1) < 1e-12);
    assert.ok(Math.abs((aggregate(s, 'mean') ?? 0) - 0.35) < 1e-12);
    assert.equal(aggregate(s, 'last'), 0.2);
    assert.equal(aggregate([Number.NaN], 'mean'), undefined);
  });
});
