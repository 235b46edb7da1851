import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { StepLabel } from '../../../../src/core/dataset/types.js';
import { cohensKappa, stepAgreement, type StepVerdict } from '../../../../src/core/metrics/agreement.js';
import { readSample, samplesAvailable } from '../../helpers.js';

function near(actual: number | undefined, expected: number, eps = 1e-12): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);
}

const v = (predicted: boolean, label: StepLabel): StepVerdict => ({ predicted, label });
const repeat = (n: number, x: StepVerdict): StepVerdict[] => Array.from({ length: n }, () => x);

describe('cohensKappa', () => {
  it("matches the textbook 2×2 example (Wikipedia, \"Cohen's kappa\": 50 proposals, readers A and B)", () => {
    // Both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    // pₒ = (20 + 15) / 50 = 0.7; A yes 25/50 = 0.5, B yes 30/50 = 0.6; pₑ = 0.5·0.6 + 0.5·0.4 = 0.5;
    // κ = (0.7 − 0.5) / (1 − 0.5) = 0.4
    near(cohensKappa({ truePositive: 20, falsePositive: 5, falseNegative: 10, trueNegative: 15 }), 0.4);
  });

  it('is −1 for systematic disagreement and 1 for perfect agreement with both classes', () => {
    // pₒ = 0, pₑ = 0.5·0.5 + 0.5·0.5 = 0.5 → (0 − 0.5) / 0.5 = −1
    assert.equal(cohensKappa({ truePositive: 0, falsePositive: 5, falseNegative: 5, trueNegative: 0 }), -1);
    // pₒ = 1, pₑ = (1/3)² + (2/3)² = 5/9 → (1 − 5/9) / (4/9) = 1
    near(cohensKappa({ truePositive: 1, falsePositive: 0, falseNegative: 0, trueNegative: 2 }), 1);
  });

  it('is undefined in the degenerate pₑ = 1 case and for an empty table', () => {
    assert.equal(cohensKappa({ truePositive: 7, falsePositive: 0, falseNegative: 0, trueNegative: 0 }), undefined);
    assert.equal(cohensKappa({ truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 4 }), undefined);
    assert.equal(cohensKappa({ truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0 }), undefined);
  });
});

describe('stepAgreement', () => {
  it('builds the confusion table from verdicts and labels', () => {
    const steps = [...repeat(20, v(true, 'good')), ...repeat(5, v(true, 'bad')), ...repeat(10, v(false, 'good')), ...repeat(15, v(false, 'bad'))];
    const m = stepAgreement(steps);
    assert.deepEqual(m.confusion, { truePositive: 20, falsePositive: 5, falseNegative: 10, trueNegative: 15 });
    assert.equal(m.count, 50);
    near(m.accuracy, 0.7); // 35 / 50
    near(m.kappa, 0.4); // the textbook table above
  });

  const MIXED = [v(true, 'good'), v(true, 'neutral'), v(false, 'neutral'), v(false, 'bad'), v(true, 'unknown'), v(false, 'bad')];

  it('leaves out unknown labels, and neutral ones by default', () => {
    const m = stepAgreement(MIXED);
    // Counted: (good, good) TP, (bad, bad) TN ×2 → accuracy 1; κ as the 1/0/0/2 table above = 1
    assert.deepEqual(m.confusion, { truePositive: 1, falsePositive: 0, falseNegative: 0, trueNegative: 2 });
    assert.equal(m.accuracy, 1);
    near(m.kappa, 1);
    assert.deepEqual(m.excluded, { unknown: 1, neutral: 2 });
  });

  it('can count neutral as good', () => {
    const m = stepAgreement(MIXED, { neutral: 'good' });
    // TP 2 (good, neutral→good predicted good), FN 1 (neutral predicted bad), TN 2.
    // pₒ = 4/5; predicted good 2/5, labelled good 3/5; pₑ = 0.4·0.6 + 0.6·0.4 = 0.48; κ = 0.32 / 0.52 = 8/13
    assert.deepEqual(m.confusion, { truePositive: 2, falsePositive: 0, falseNegative: 1, trueNegative: 2 });
    near(m.accuracy, 0.8);
    near(m.kappa, 8 / 13);
    assert.deepEqual(m.excluded, { unknown: 1, neutral: 0 });
  });

  it('can count neutral as bad', () => {
    const m = stepAgreement(MIXED, { neutral: 'bad' });
    // TP 1, FP 1 (neutral predicted good), TN 3. pₒ = 4/5; predicted good 2/5, labelled good 1/5;
    // pₑ = 0.4·0.2 + 0.6·0.8 = 0.56; κ = 0.24 / 0.44 = 6/11
    assert.deepEqual(m.confusion, { truePositive: 1, falsePositive: 1, falseNegative: 0, trueNegative: 3 });
    near(m.accuracy, 0.8);
    near(m.kappa, 6 / 11);
  });

  it('gives κ = 0 for a constant predictor against mixed labels', () => {
    // pₒ = 2/3; predicted good 1, labelled good 2/3 → pₑ = 2/3 → κ = 0
    near(stepAgreement([v(true, 'good'), v(true, 'good'), v(true, 'bad')]).kappa, 0);
  });

  it('reports accuracy 1 but no κ when everything is one class on both sides', () => {
    const m = stepAgreement([v(true, 'good'), v(true, 'good')]);
    assert.equal(m.accuracy, 1);
    assert.equal(m.kappa, undefined);
  });

  it('gives undefined, not NaN, for empty input', () => {
    const empty = { truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0 };
    assert.deepEqual(stepAgreement([]), { count: 0, confusion: empty, accuracy: undefined, kappa: undefined, excluded: { unknown: 0, neutral: 0 } });
    assert.equal(stepAgreement([v(true, 'unknown')]).accuracy, undefined);
  });

  it("scores an always-good verifier against a PRM800K labeller's ratings", { skip: !samplesAvailable() }, () => {
    const line = (readSample('prm800k.jsonl') ?? '').split('\n')[0] ?? '{}';
    const rec = JSON.parse(line) as { label: { finish_reason: string; steps: { chosen_completion: number | null; completions: { rating: number }[] }[] } };
    assert.equal(rec.label.finish_reason, 'found_error');
    // The steps the labeller moved past (chosen_completion set) and their ratings: 1, 0, 1, 1, 1, 1.
    const ratings = rec.label.steps.flatMap((s) => (s.chosen_completion === null ? [] : [s.completions[s.chosen_completion]?.rating]));
    assert.deepEqual(ratings, [1, 0, 1, 1, 1, 1]);
    const labelOf = (r: number | undefined): StepLabel => (r === 1 ? 'good' : r === 0 ? 'neutral' : r === -1 ? 'bad' : 'unknown');
    const steps = ratings.map((r) => v(true, labelOf(r)));
    // Neutral left out: five good steps, all predicted good → accuracy 1, κ undefined (one class on both sides).
    const excluded = stepAgreement(steps);
    assert.equal(excluded.count, 5);
    assert.equal(excluded.accuracy, 1);
    assert.equal(excluded.kappa, undefined);
    // Neutral as bad: TP 5, FP 1 → accuracy 5/6; pₑ = 1·5/6 = pₒ → κ = 0.
    const strict = stepAgreement(steps, { neutral: 'bad' });
    near(strict.accuracy, 5 / 6);
    near(strict.kappa, 0);
  });
});
