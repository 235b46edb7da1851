import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareRuns, kendallTauB, parseRun, spearman, type RunRow } from '../../../../src/core/metrics/compareRuns.js';
import { formatCompareReport } from '../../../../src/core/report/compareReport.js';

const near = (actual: number | null, expected: number, what = ''): void => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${what} ${actual} ≈ ${expected}`);
};

/** τ-b by definition, O(n²): the reference the fast version is checked against. */
function kendallBrute(a: readonly number[], b: readonly number[]): number | null {
  let c = 0;
  let d = 0;
  let tiesA = 0;
  let tiesB = 0;
  const n = a.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = Math.sign((a[i] as number) - (a[j] as number)) * Math.sign((b[i] as number) - (b[j] as number));
      if (a[i] === a[j]) tiesA++;
      if (b[i] === b[j]) tiesB++;
      if (s > 0) c++;
      else if (s < 0) d++;
    }
  }
  const n0 = (n * (n - 1)) / 2;
  const den = Math.sqrt((n0 - tiesA) * (n0 - tiesB));
  return n < 2 || den === 0 ? null : (c - d) / den;
}

describe('spearman and kendallTauB', () => {
  it('are 1 and −1 for the same and a perfectly reversed order', () => {
    near(spearman([1, 2, 3, 4, 5], [10, 20, 30, 40, 50]), 1);
    near(kendallTauB([1, 2, 3, 4, 5], [10, 20, 30, 40, 50]), 1);
    near(spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]), -1);
    near(kendallTauB([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]), -1);
  });

  it('match hand-computed values without ties', () => {
    // a = [1,2,3,4], b = [2,1,4,3]: rank differences ±1, Σd² = 4, ρ = 1 − 6·4/(4·15) = 0.6.
    near(spearman([1, 2, 3, 4], [2, 1, 4, 3]), 0.6);
    // Pairs (1,2) and (3,4) discordant, the other 4 concordant: τ = (4 − 2)/6 = 1/3.
    near(kendallTauB([1, 2, 3, 4], [2, 1, 4, 3]), 1 / 3);
  });

  it('match hand-computed values with ties', () => {
    // a = [1,2,2,3] → ranks [1,2.5,2.5,4]; b = [1,3,2,4] → ranks [1,3,2,4]; both centred on 2.5:
    // da = [−1.5,0,0,1.5], db = [−1.5,0.5,−0.5,1.5]; Σda·db = 4.5, Σda² = 4.5, Σdb² = 5 → ρ = 4.5/√22.5 = 3/√10.
    near(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 3 / Math.sqrt(10));
    // 6 pairs: (2,3) tied in a, the other 5 concordant. n₁ = 1, n₂ = 0 → τ-b = 5/√(5·6) = 5/√30.
    near(kendallTauB([1, 2, 2, 3], [1, 3, 2, 4]), 5 / Math.sqrt(30));
    // a = [1,1,2,2], b = [1,2,1,2]: (1,4) concordant, (2,3) discordant, the rest tied → τ-b = 0/√(4·4) = 0;
    // ranks [1.5,1.5,3.5,3.5] and [1.5,3.5,1.5,3.5] centred: Σda·db = 1 − 1 − 1 + 1 = 0 → ρ = 0.
    near(kendallTauB([1, 1, 2, 2], [1, 2, 1, 2]), 0);
    near(spearman([1, 1, 2, 2], [1, 2, 1, 2]), 0);
  });

  it('are null (undefined, not zero) for fewer than two points or a constant side', () => {
    assert.equal(spearman([], []), null);
    assert.equal(kendallTauB([0.5], [0.7]), null);
    assert.equal(spearman([1, 2, 3], [4, 4, 4]), null);
    assert.equal(kendallTauB([4, 4, 4], [1, 2, 3]), null);
  });

  const list = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 2, maxLength: 40 });
  const pairsOf = fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 })), { minLength: 0, maxLength: 60 });

  it('property: a list correlates 1 with itself (when not constant) and −1 with its reversed order (when no ties)', () => {
    fc.assert(
      fc.property(list, (xs) => {
        if (new Set(xs).size < 2) return;
        near(spearman(xs, xs), 1);
        near(kendallTauB(xs, xs), 1);
        if (new Set(xs).size === xs.length) {
          const reversed = xs.map((x) => -x);
          near(spearman(xs, reversed), -1);
          near(kendallTauB(xs, reversed), -1);
        }
      }),
    );
  });

  it('property: symmetric in a and b, within [−1, 1], and τ-b equals the O(n²) definition', () => {
    fc.assert(
      fc.property(pairsOf, (ps) => {
        const a = ps.map((p) => p[0]);
        const b = ps.map((p) => p[1]);
        const [s, sr, k, kr] = [spearman(a, b), spearman(b, a), kendallTauB(a, b), kendallTauB(b, a)];
        assert.equal(s === null, sr === null);
        assert.equal(k === null, kr === null);
        if (s !== null) near(sr, s);
        if (k !== null) near(kr, k);
        for (const r of [s, k]) if (r !== null) assert.ok(r >= -1 && r <= 1);
        const brute = kendallBrute(a, b);
        if (brute === null) assert.equal(k, null);
        else near(k, brute, 'τ-b vs definition');
      }),
    );
  });
});

const trace = (id: string, value: number | null, firstError: number | null, file = 'd.jsonl'): RunRow => ({ file, id, kind: 'trace', value, firstError, agrees: null });
const pref = (id: string, value: number | null, subset?: string, file = 'd.jsonl'): RunRow => ({
  file,
  id,
  kind: 'preference',
  value,
  firstError: null,
  agrees: value === null ? null : value > 0,
  ...(subset !== undefined ? { subset } : {}),
});

describe('parseRun', () => {
  it('reads score --out lines and locates malformed ones, keeping the rest', () => {
    const text = [
      '{"file":"d.jsonl","kind":"trace","id":"t1","score":0.9,"first_error":null}',
      'not json',
      '{"file":"d.jsonl","kind":"preference","id":"p1","subset":"chat","margin":-0.5,"agrees_with_label":false}',
      '{"file":"d.jsonl","kind":"trace","score":0.9,"first_error":null}',
      '',
      '{"file":"d.jsonl","kind":"trace","id":"t2","score":"high","first_error":null}',
      '[1,2]',
      '{"file":"d.jsonl","kind":"judge","id":"t3"}',
      '{"file":"d.jsonl","kind":"trace","id":"t4","score":null,"first_error":1.5}',
      '{"kind":"trace","id":"t5","score":0.5,"first_error":null}',
    ].join('\n');
    const run = parseRun(text, 'a.jsonl');
    assert.deepEqual(run.rows, [trace('t1', 0.9, null), { ...pref('p1', -0.5, 'chat') }]);
    assert.equal(run.problems.length, 7);
    assert.match(run.problems[0] ?? '', /^a\.jsonl:2: not valid JSON/u);
    assert.deepEqual(run.problems.slice(1), [
      'a.jsonl:4: no "id" string',
      'a.jsonl:6: "score" is not a number or null',
      'a.jsonl:7: not a JSON object',
      'a.jsonl:8: "kind" is "judge", not "trace" or "preference"',
      'a.jsonl:9: "first_error" is not a step index or null',
      'a.jsonl:10: no "file" string (is this a `reward-lens score --out` file?)',
    ]);
  });
});

describe('compareRuns', () => {
  // Five traces: a scores [1, 0.9, 0.05, 0.05, 0.9], b scores [1, 0.95, 0.525, 0.65, 0.9] (the same values the CLI test
  // gets from the verifier with min/0.5 and mean/0.95). ρ = 3/√10 and τ-b = 8/√80 (worked out in compareCli.test.ts).
  const A = [trace('t0', 1, null), trace('t1', 0.9, null), trace('t2', 0.05, 0), trace('t3', 0.05, 2), trace('t4', 0.9, null)];
  const B = [trace('t0', 1, null), trace('t1', 0.95, 0), trace('t2', 0.525, 0), trace('t3', 0.65, 1), trace('t4', 0.9, 0)];

  it('compares paired traces: agreement, correlations, metrics and disagreements', () => {
    const r = compareRuns(A, B);
    assert.equal(r.records, 5);
    assert.equal(r.paired_by, 'file+id');
    assert.deepEqual(r.left_out, { only_in_a: 0, only_in_b: 0, unscored_a: 0, unscored_b: 0, different_kind: 0, duplicate: 0 });
    near(r.first_error_agreement, 2 / 5); // t0 (none = none) and t2 (0 = 0)
    near(r.spearman, 3 / Math.sqrt(10));
    near(r.kendall, 8 / Math.sqrt(80));
    near(r.a.mean_score, 2.9 / 5);
    near(r.b.mean_score, 4.025 / 5);
    near(r.difference.mean_score, (4.025 - 2.9) / 5);
    assert.equal(r.a.first_error_rate, 2 / 5);
    assert.equal(r.b.first_error_rate, 4 / 5);
    assert.equal(r.a.pairwise_accuracy, null);
    assert.equal(r.difference.pairwise_accuracy, null);
    // t0 agrees entirely and is not listed; t4 has the same score but a different first error.
    assert.deepEqual(r.disagreements.map((d) => d.id), ['t3', 't2', 't1', 't4']);
    assert.deepEqual(r.disagreements[0], { file: 'd.jsonl', id: 't3', kind: 'trace', a: 0.05, b: 0.65, first_error_a: 2, first_error_b: 1 });
    assert.deepEqual(compareRuns(A, B, { top: 2 }).disagreements.map((d) => d.id), ['t3', 't2']);
  });

  it('compares on the intersection and counts what was left out', () => {
    const a = [...A, trace('only-a', 0.5, null), trace('dup', 0.5, null), trace('dup', 0.6, null), pref('kind', 0.5)];
    const b = [trace('t0', null, null), trace('t1', 0.95, 0), trace('t2', 0.525, 0), trace('t3', 0.65, 1), trace('t4', 0.9, 0), trace('only-b', 1, null), trace('kind', 1, null)];
    const withNull = a.map((r) => (r.id === 't1' ? { ...r, value: null } : r));
    const r = compareRuns(withNull, b);
    // t0 is unscored in b, t1 unscored in a: t2, t3, t4 are compared.
    assert.equal(r.records, 3);
    assert.deepEqual(r.left_out, { only_in_a: 1, only_in_b: 1, unscored_a: 1, unscored_b: 1, different_kind: 1, duplicate: 2 });
    assert.equal(r.a.traces, 3);
  });

  it('pairs by id alone when the runs share no file name', () => {
    const r = compareRuns(A, B.map((x) => ({ ...x, file: 'd-v2.jsonl' })));
    assert.equal(r.paired_by, 'id');
    assert.equal(r.records, 5);
  });

  it('computes pairwise accuracy per subset from preference verdicts, and null where nothing applies', () => {
    const a = [pref('p1', 0.5, 'chat'), pref('p2', -0.2, 'chat'), pref('p3', 0.1, 'code'), pref('p4', 0.3)];
    const b = [pref('p1', 0.4, 'chat'), pref('p2', 0.3, 'chat'), pref('p3', -0.1, 'code'), pref('p4', 0.6)];
    const r = compareRuns(a, b);
    assert.equal(r.records, 4);
    assert.equal(r.first_error_agreement, null);
    assert.equal(r.a.mean_score, null);
    assert.equal(r.a.first_error_rate, null);
    assert.equal(r.a.pairwise_accuracy, 3 / 4);
    assert.equal(r.b.pairwise_accuracy, 3 / 4);
    assert.equal(r.difference.pairwise_accuracy, 0);
    assert.deepEqual(r.a.by_subset, [
      { subset: 'chat', count: 2, pairwise_accuracy: 1 / 2 },
      { subset: 'code', count: 1, pairwise_accuracy: 1 },
    ]);
    assert.deepEqual(r.difference.by_subset, [
      { subset: 'chat', pairwise_accuracy: 1 / 2 },
      { subset: 'code', pairwise_accuracy: -1 },
    ]);
    near(r.a.mean_margin, 0.7 / 4);
    assert.deepEqual(r.disagreements[0], { file: 'd.jsonl', id: 'p2', kind: 'preference', a: -0.2, b: 0.3 });
    // ρ: a ranks [4,1,2,3], b ranks [3,2,1,4]; centred [1.5,−1.5,−0.5,0.5]·[0.5,−0.5,−1.5,1.5] = 0.75+0.75+0.75+0.75 = 3, Σd² = 5 → 0.6.
    near(r.spearman, 0.6);
    const text = formatCompareReport('a.jsonl', 'b.jsonl', r);
    assert.match(text, /mean trace score +n\/a \(no traces\)/u);
    assert.match(text, /first-error agreement +n\/a \(no traces compared\)/u);
    assert.match(text, /pairwise accuracy +75\.0% +75\.0% +0\.0 pts/u);
    assert.doesNotMatch(text, /mean trace score +0/u);
  });

  it('says why correlations are missing rather than printing zero', () => {
    const r = compareRuns([trace('t0', 0.5, null)], [trace('t0', 0.7, null)]);
    assert.equal(r.spearman, null);
    assert.match(formatCompareReport('a', 'b', r), /Spearman ρ +n\/a \(fewer than 2 records\)/u);
  });
});
