import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toFloat16Bits } from '../../../../src/core/scoring/contracts/float16.js';
import fc from 'fast-check';
import { pickGreedy, sumExpBelow } from '../../../../src/core/scoring/pickGreedy.js';

function logSoftmax(row: readonly number[]): number[] {
  const m = Math.max(...row);
  const z = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - z);
}

describe('pickGreedy', () => {
  it('takes the largest logit and the lowest id among ties, as torch.argmax', () => {
    const row = [0.5, 2, -1, 2, 1.5];
    const p = pickGreedy(Float32Array.from(row), 0, row.length, [4, 0]);
    const ls = logSoftmax(row);
    assert.equal(p.id, 1);
    assert.ok(Math.abs(p.logprob - (ls[1] ?? 0)) < 1e-12);
    assert.deepEqual(
      p.watched.map((v) => v.toFixed(10)),
      [ls[4], ls[0]].map((v) => (v ?? 0).toFixed(10)),
    );
  });

  it('reads one row at an offset', () => {
    const data = Float32Array.from([9, 9, 9, 0, 3, 1]);
    assert.equal(pickGreedy(data, 3, 3).id, 1);
  });

  it('decodes float16 bit patterns', () => {
    const row = [-3, 0.25, 7.5, 7.5, -60000];
    const bits = Uint16Array.from(row, toFloat16Bits);
    const p = pickGreedy(bits, 0, row.length, [4]);
    const ls = logSoftmax(row);
    assert.equal(p.id, 2);
    assert.ok(Math.abs(p.logprob - (ls[2] ?? 0)) < 1e-9);
    assert.ok(Math.abs((p.watched[0] ?? 0) - (ls[4] ?? 0)) < 1e-6);
  });

  it('lets NaN win as torch does, and the log-probabilities turn NaN', () => {
    const p = pickGreedy(Float32Array.from([1, Number.NaN, 5]), 0, 3);
    assert.equal(p.id, 1);
    assert.ok(Number.isNaN(p.logprob));
  });

  it('rejects rows outside the data and watched ids outside the vocabulary', () => {
    assert.throws(() => pickGreedy(new Float32Array(4), 2, 3), RangeError);
    assert.throws(() => pickGreedy(new Float32Array(4), 0, 4, [4]), /watched id 4/u);
  });
});

describe('sumExpBelow', () => {
  it('equals the Math.exp sum within 1e-13 relative error on any float32 row', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -200, max: 200, noNaN: true }), { minLength: 1, maxLength: 300 }), (values) => {
        const row = Float32Array.from(values);
        const max = row.reduce((a, b) => Math.max(a, b), -Infinity);
        let expected = 0;
        for (const v of row) expected += Math.exp(v - max);
        const got = sumExpBelow(row, max);
        return Math.abs(got - expected) <= 1e-13 * expected;
      }),
      { numRuns: 500 },
    );
  });
  it('is NaN when the row holds NaN or the max is not finite, as Math.exp sums are', () => {
    assert.ok(Number.isNaN(sumExpBelow(Float32Array.from([1, Number.NaN, 0]), 1)));
    assert.ok(Number.isNaN(sumExpBelow(Float32Array.from([1, Number.POSITIVE_INFINITY]), Number.POSITIVE_INFINITY)));
  });
});
