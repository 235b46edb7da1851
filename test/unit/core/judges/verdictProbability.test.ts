import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { GeneratedToken } from '../../../../src/core/judges/generation.js';
import { tokenAt, verdictProbability } from '../../../../src/core/judges/verdictProbability.js';

/** A token with probability `p` and alternatives given as [text, probability]. */
function tok(text: string, p: number, top: readonly (readonly [string, number])[] = []): GeneratedToken {
  return { text, logprob: Math.log(p), top: top.map(([token, q]) => ({ token, logprob: Math.log(q) })) };
}

function near(actual: number | undefined, expected: number, eps = 1e-12): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);
}

describe('tokenAt', () => {
  const tokens = [tok('ab', 1), tok('', 1), tok('cde', 1)];
  it('finds the token covering a character offset', () => {
    assert.deepEqual(tokenAt(tokens, 0), { index: 0, start: 0 });
    assert.deepEqual(tokenAt(tokens, 1), { index: 0, start: 0 });
    // The empty token covers nothing; offset 2 is the first character of "cde".
    assert.deepEqual(tokenAt(tokens, 2), { index: 2, start: 2 });
    assert.deepEqual(tokenAt(tokens, 4), { index: 2, start: 2 });
  });
  it('returns undefined outside the text', () => {
    assert.equal(tokenAt(tokens, 5), undefined);
    assert.equal(tokenAt(tokens, -1), undefined);
    assert.equal(tokenAt([], 0), undefined);
  });
});

describe('verdictProbability', () => {
  it('sums prefix alternatives per side: "cor" is correct, "in" is incorrect', () => {
    // Text "\\boxed{correct}": tokens "\\boxed{", "cor", "rect", "}"; the verdict word starts at offset 7.
    const tokens = [tok('\\boxed{', 1), tok('cor', 0.6, [['in', 0.3], ['c', 0.05], ['x', 0.05]]), tok('rect', 1), tok('}', 1)];
    // positive: "cor" 0.6 + "c" 0.05 = 0.65; negative: "in" 0.3 → 0.65 / 0.95.
    near(verdictProbability(tokens, 7, 'correct', 'incorrect'), 0.65 / 0.95);
  });

  it('counts the chosen token itself once even when the top list repeats it', () => {
    const tokens = [tok('incorrect', 0.8, [['incorrect', 0.8], ['correct', 0.2]])];
    near(verdictProbability(tokens, 0, 'correct', 'incorrect'), 0.2 / 1.0);
  });

  it('ignores leading whitespace in alternatives (" Yes" vs " No") and is case-insensitive', () => {
    // Follow-up output " Yes": the word starts at offset 1, inside the token " Yes".
    const tokens = [tok(' Yes', 0.7, [[' No', 0.2], [' yes', 0.05], ['Maybe', 0.05]])];
    near(verdictProbability(tokens, 1, 'Yes', 'No'), 0.75 / 0.95);
  });

  it('removes a non-space lead shared by the alternatives before comparing ("{c" vs "{in")', () => {
    const tokens = [tok('\\boxed', 1), tok('{c', 0.9, [['{in', 0.1], ['in', 0.5]])];
    // "in" without the "{" is another path and is not counted.
    near(verdictProbability(tokens, 7, 'correct', 'incorrect'), 0.9 / 1.0);
  });

  it('counts a token that spells the whole word and more ("A]]")', () => {
    const tokens = [tok('[[', 1), tok('A]]', 0.4, [['B]]', 0.4], ['AB', 0.2]])];
    // "AB" starts with "A" and is a prefix of neither word's opposite → positive too: (0.4 + 0.2) / 1.0.
    near(verdictProbability(tokens, 2, 'A', 'B'), 0.6);
  });

  it('gives 1 when only the positive side is seen', () => {
    assert.equal(verdictProbability([tok('Yes', 0.9, [['Sure', 0.1]])], 0, 'Yes', 'No'), 1);
  });

  it('is undefined when neither side is seen or the offset has no token', () => {
    assert.equal(verdictProbability([tok('maybe', 0.9, [['perhaps', 0.1]])], 0, 'Yes', 'No'), undefined);
    assert.equal(verdictProbability([tok('Yes', 0.9)], 3, 'Yes', 'No'), undefined);
    assert.equal(verdictProbability([], 0, 'Yes', 'No'), undefined);
  });
});
