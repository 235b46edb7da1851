import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { histogram, reliabilityBins, type CalibrationPoint } from '../../../../src/core/metrics/calibration.js';
import { readSample, samplesAvailable } from '../../helpers.js';

function near(actual: number | undefined, expected: number, eps = 1e-12): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);
}

const p = (score: number, correct: boolean): CalibrationPoint => ({ score, correct });

describe('reliabilityBins', () => {
  const POINTS = [p(0.1, false), p(0.2, true), p(0.3, false), p(0.6, true), p(0.7, true), p(0.75, false), p(1, true), p(-0.1, true), p(Number.NaN, true), p(1.5, false)];

  it('bins scores and computes the expected calibration error', () => {
    const r = reliabilityBins(POINTS, { bins: 4 });
    assert.deepEqual(
      r.bins.map((b) => [b.lo, b.hi, b.count, b.fracCorrect]),
      [
        [0, 0.25, 2, 0.5], // 0.1 ✗, 0.2 ✓
        [0.25, 0.5, 1, 0], // 0.3 ✗
        [0.5, 0.75, 2, 1], // 0.6 ✓, 0.7 ✓
        [0.75, 1, 2, 0.5], // 0.75 ✗ (lower edge belongs here), 1 ✓ (the last bin keeps its upper edge)
      ],
    );
    near(r.bins[0]?.meanScore, 0.15); // (0.1 + 0.2) / 2
    near(r.bins[1]?.meanScore, 0.3);
    near(r.bins[2]?.meanScore, 0.65); // (0.6 + 0.7) / 2
    near(r.bins[3]?.meanScore, 0.875); // (0.75 + 1) / 2
    assert.equal(r.count, 7);
    assert.equal(r.skipped, 3); // −0.1 and 1.5 are outside [0, 1]; NaN
    // ECE = (2/7)·|0.15 − 0.5| + (1/7)·|0.3 − 0| + (2/7)·|0.65 − 1| + (2/7)·|0.875 − 0.5|
    //     = (0.7 + 0.3 + 0.7 + 0.75) / 7 = 2.45 / 7 = 0.35
    near(r.ece, 0.35);
  });

  it('puts a score on a decimal edge in the bin that starts there', () => {
    // Tenths of [0, 1]: 0.3 belongs to [0.3, 0.4), 0.7 to [0.7, 0.8), 1 to the last bin.
    const r = reliabilityBins([p(0, true), p(0.1, true), p(0.3, true), p(0.7, true), p(1, true)]);
    assert.equal(r.bins.length, 10);
    assert.deepEqual(
      r.bins.map((b) => b.count),
      [1, 1, 0, 1, 0, 0, 0, 1, 0, 1],
    );
    assert.equal(r.bins[3]?.lo, 0.3);
    assert.equal(r.bins[3]?.hi, 0.4);
  });

  it('is zero for a perfectly calibrated bin', () => {
    assert.equal(reliabilityBins([p(0.5, true), p(0.5, false)], { bins: 1 }).ece, 0); // |0.5 − 1/2|
  });

  it('gives empty bins and undefined ECE for empty input', () => {
    const r = reliabilityBins([]);
    assert.equal(r.bins.length, 10);
    assert.ok(r.bins.every((b) => b.count === 0 && b.meanScore === undefined && b.fracCorrect === undefined));
    assert.equal(r.ece, undefined);
    assert.equal(r.count, 0);
  });

  it('rejects a bad bin count or range', () => {
    assert.throws(() => reliabilityBins([], { bins: 0 }), RangeError);
    assert.throws(() => reliabilityBins([], { bins: 2.5 }), RangeError);
    assert.throws(() => reliabilityBins([], { lo: 1, hi: 1 }), RangeError);
  });

  it('measures the PRM800K scored sample: confident it is wrong, but it is right', { skip: !samplesAvailable() }, () => {
    const line = (readSample('prm800k_scored_samples.jsonl') ?? '').split('\n')[0] ?? '{}';
    const rec = JSON.parse(line) as { prm_score: number; is_correct: boolean };
    assert.equal(rec.prm_score, 0.09157553704097245);
    assert.equal(rec.is_correct, true);
    const r = reliabilityBins([p(rec.prm_score, rec.is_correct)]);
    assert.equal(r.bins[0]?.count, 1); // 0.0916 is in [0, 0.1)
    assert.equal(r.bins[0]?.fracCorrect, 1);
    near(r.ece, 1 - 0.09157553704097245); // |0.0916 − 1| = 0.90842446295902755
  });
});

describe('histogram', () => {
  it('spans the data when no range is given', () => {
    // [1, 4] in 3 bins of width 1: [1,2) holds 1; [2,3) holds 2, 2; [3,4] holds 3 and 4.
    assert.deepEqual(histogram([1, 2, 2, 3, 4, Number.NaN], 3), {
      bins: [
        { lo: 1, hi: 2, count: 1 },
        { lo: 2, hi: 3, count: 2 },
        { lo: 3, hi: 4, count: 2 },
      ],
      outside: 0,
      skipped: 1,
    });
  });

  it('counts values outside a given range', () => {
    assert.deepEqual(histogram([-1, 0, 1, 2, 3], 2, { lo: 0, hi: 2 }), {
      bins: [
        { lo: 0, hi: 1, count: 1 }, // 0
        { lo: 1, hi: 2, count: 2 }, // 1, 2
      ],
      outside: 2, // −1, 3
      skipped: 0,
    });
  });

  it('puts a value on an edge in the bin that starts there, even when the division lands one short', () => {
    // [1, 4] in fifths has edges 1, 1.6, 2.2, 2.8, 3.4, 4. For 3.4, (3.4 − 1) / 3 · 5 is 3.9999999999999996 in
    // floating point, which would floor to bin 3; 3.4 is the lower edge of bin 4.
    const h = histogram([3.4, 2.8, 1.6], 5, { lo: 1, hi: 4 });
    assert.deepEqual(
      h.bins.map((b) => [b.lo, b.hi, b.count]),
      [
        [1, 1.6, 0],
        [1.6, 2.2, 1],
        [2.2, 2.8, 0],
        [2.8, 3.4, 1],
        [3.4, 4, 1],
      ],
    );
  });

  it('widens a single repeated value to ±0.5', () => {
    // [4.5, 5.5] in 2 bins: 5 sits on the middle edge, so both land in [5, 5.5].
    assert.deepEqual(histogram([5, 5], 2).bins, [
      { lo: 4.5, hi: 5, count: 0 },
      { lo: 5, hi: 5.5, count: 2 },
    ]);
  });

  it('has no bins without values or range, and rejects a bad bin count', () => {
    assert.deepEqual(histogram([], 4), { bins: [], outside: 0, skipped: 0 });
    assert.deepEqual(histogram([Number.NaN], 4), { bins: [], outside: 0, skipped: 1 });
    assert.throws(() => histogram([], 0), RangeError);
    assert.throws(() => histogram([1], 2, { lo: 2, hi: 1 }), RangeError);
  });
});
