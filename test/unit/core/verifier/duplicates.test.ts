import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { findRepeatedSteps } from '../../../../src/core/verifier/duplicates.js';

describe('findRepeatedSteps', () => {
  it('flags a later step identical after normalisation, pointing at the first occurrence', () => {
    const steps = [
      'Step 1: Add 5 and 8 to get 13 slices in total.',
      'Step 2: Multiply 13 by 2 to get 26 slices.',
      'Step 3: add 5 and 8 to get 13 slices in total!',
      'Step 4:   Add 5 and 8 to get 13 slices  in total.',
    ];
    assert.deepEqual(findRepeatedSteps(steps), [undefined, undefined, 0, 0]);
  });

  it('flags near-duplicates at Jaccard ≥ 0.9 and not below', () => {
    const base = 'alpha beta gamma delta epsilon zeta eta theta iota kappa';
    // One extra token: 10 shared / 11 in all = 0.909.
    assert.deepEqual(findRepeatedSteps([base, `${base} again`]), [undefined, 0]);
    // Two extra tokens: 10 / 12 = 0.833.
    assert.deepEqual(findRepeatedSteps([base, `${base} once again`]), [undefined, undefined]);
    // A lower threshold accepts it.
    assert.deepEqual(findRepeatedSteps([base, `${base} once again`], { threshold: 0.8 }), [undefined, 0]);
  });

  it('keeps operators and numbers as tokens', () => {
    const a = 'We compute 12 + 30 = 42 for the total.';
    const b = 'We compute 12 - 30 = 42 for the total.';
    const c = 'We compute 12 + 31 = 43 for the total.';
    assert.deepEqual(findRepeatedSteps([a, b, c]), [undefined, undefined, undefined]);
  });

  it('ignores short steps', () => {
    assert.deepEqual(findRepeatedSteps(['So 5 + 3 = 8.', 'So 5 + 3 = 8.']), [undefined, undefined]);
    // 20 characters is long enough; the `Step N:` prefix does not count towards the length.
    assert.deepEqual(findRepeatedSteps(['abcdefghij klmnopqrs', 'abcdefghij klmnopqrs']), [undefined, 0]);
    assert.deepEqual(findRepeatedSteps(['Step 1: short one', 'Step 2: short one']), [undefined, undefined]);
    assert.deepEqual(findRepeatedSteps(['abc', 'abc'], { minChars: 3 }), [undefined, 0]);
  });

  it('handles empty input and punctuation-only steps', () => {
    assert.deepEqual(findRepeatedSteps([]), []);
    assert.deepEqual(findRepeatedSteps(['....................', '....................']), [undefined, undefined]);
  });
});
