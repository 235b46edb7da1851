import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { pairRuns, type RunRow } from '../../../../../src/core/metrics/compareRuns.js';
import { compareScatter, type CompareScatter } from '../../../../../src/core/report/plots/compareScatter.js';

const trace = (id: string, value: number | null): RunRow => ({ file: 'd.jsonl', id, kind: 'trace', value, firstError: null, agrees: null });
const pref = (id: string, value: number | null): RunRow => ({ file: 'd.jsonl', id, kind: 'preference', value, firstError: null, agrees: value === null ? null : value > 0 });

const scatterOf = (a: readonly RunRow[], b: readonly RunRow[], bins: number): CompareScatter => {
  const s = compareScatter(pairRuns(a, b), bins);
  assert.equal(s.kind, 'compareScatter');
  return s as CompareScatter;
};

describe('compareScatter: A against B, binned', () => {
  it('bins trace scores on [0, 1] with B as the row and A as the column (hand-counted)', () => {
    // bins of 0.25: A 0.1 → col 0, B 0.9 → row 3; A 0.6/B 0.6 → (2, 2); A 1 → last col (1 is in the last bin).
    const a = [trace('x', 0.1), trace('y', 0.6), trace('z', 1), trace('w', 0.3)];
    const b = [trace('x', 0.9), trace('y', 0.6), trace('z', 0.25), trace('w', 0.3)];
    const s = scatterOf(a, b, 4);
    assert.equal(s.panels.length, 1);
    const p = s.panels[0]!;
    assert.deepEqual([p.value, p.lo, p.hi, p.count, p.equal], ['trace score', 0, 1, 4, 2]);
    assert.deepEqual(p.counts, [
      [0, 0, 0, 0],
      [0, 1, 0, 1],
      [0, 0, 1, 0],
      [1, 0, 0, 0],
    ]);
  });

  it('widens the axes to the values when a score lies outside [0, 1] (logits), both axes alike', () => {
    const s = scatterOf([trace('x', -2), trace('y', 3)], [trace('x', 1), trace('y', 0)], 5);
    const p = s.panels[0]!;
    assert.deepEqual([p.lo, p.hi], [-2, 3]);
    // Bins of width 1: A −2 → col 0, B 1 → row 3; A 3 → col 4 (the top edge), B 0 → row 2.
    assert.equal(p.counts[3]![0], 1);
    assert.equal(p.counts[2]![4], 1);
  });

  it('gives margins their own panel, symmetric about 0, after the traces', () => {
    const s = scatterOf([trace('t', 0.5), pref('p', 0.5), pref('q', -2)], [trace('t', 0.5), pref('p', 1), pref('q', 0.25)], 4);
    assert.deepEqual(s.panels.map((p) => p.value), ['trace score', 'preference margin']);
    const m = s.panels[1]!;
    assert.deepEqual([m.lo, m.hi, m.count], [-2, 2, 2]);
    // Width 1: A 0.5 → col 2, B 1 → row 3; A −2 → col 0, B 0.25 → row 2.
    assert.equal(m.counts[3]![2], 1);
    assert.equal(m.counts[2]![0], 1);
  });

  it('leaves unpaired and unscored records out, and says so when nothing is left', () => {
    const s = compareScatter(pairRuns([trace('x', 0.5), trace('y', null)], [trace('y', 0.5), trace('z', 0.1)]));
    assert.equal(s.kind, 'notApplicable');
    assert.match(s.kind === 'notApplicable' ? s.reason : '', /No record is scored in both runs/);
  });

  it('a constant run still gets a non-empty domain', () => {
    const s = scatterOf([trace('x', 5), trace('y', 5)], [trace('x', 5), trace('y', 5)], 2);
    const p = s.panels[0]!;
    assert.ok(p.hi > p.lo);
    assert.equal(p.equal, 2);
  });

  it('rejects a bin count that is not a positive integer', () => {
    assert.throws(() => compareScatter(pairRuns([], []), 0), RangeError);
    assert.throws(() => compareScatter(pairRuns([], []), 2.5), RangeError);
  });

  it('every compared pair lands in exactly one cell, inside the grid (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true })), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 12 }), (values, bins) => {
        const a = values.map(([x], i) => trace(`r${i}`, x));
        const b = values.map(([, y], i) => trace(`r${i}`, y));
        const p = scatterOf(a, b, bins).panels[0]!;
        assert.equal(p.counts.length, bins);
        assert.ok(p.counts.every((row) => row.length === bins));
        assert.equal(p.counts.flat().reduce((s, c) => s + c, 0), values.length);
        assert.equal(p.count, values.length);
      }),
    );
  });
});
