import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ANY_ERROR_LABEL, buildExplorerView, compileFilterText, NO_LABEL, toExplorerRow, type ExplorerViewSource, type RowScore } from '../../../../src/core/dataset/explorerView.js';
import type { RowSummary } from '../../../../src/core/dataset/rowSummary.js';
import type { ExplorerColumn, ExplorerFilter, ExplorerQuery } from '../../../../src/protocol/explorerMessages.js';

const COLUMNS: readonly ExplorerColumn[] = ['position', 'id', 'prompt', 'steps', 'label', 'score', 'firstError', 'agrees'];

function trace(position: number, id: string, prompt: string, steps: number, label: string, extra: Partial<RowSummary> = {}): RowSummary {
  return { position, id, kind: 'trace', prompt, steps, responses: 1, label, records: 1, ...extra };
}

/** Seven rows covering every label shape, an unreadable row, hostile text and unscored rows. */
const ROWS: readonly RowSummary[] = [
  trace(0, 'q-10', 'Add 2 and 3', 3, 'error at step 2', { labelledFirstError: 1, subset: 'math' }),
  trace(1, 'q-2', 'What is the capital of France?', 2, 'no error', { labelledFirstError: null, subset: 'geo' }),
  trace(2, 'Q-1', 'add 10 and 20', 4, 'incorrect', { subset: 'math' }),
  { position: 3, id: 'p-1', kind: 'preference', prompt: 'Write a poem', steps: 6, responses: 2, label: 'chosen 1 of 2', subset: 'chat', records: 1 },
  { position: 4, id: '', kind: 'none', prompt: '', steps: 0, responses: 0, label: '', records: 0, problem: 'Unexpected token' },
  trace(5, 'q-3', 'Multiply <img src=x onerror=alert(1)>', 5, 'correct'),
  trace(6, 'q-4', 'divide 9 by 3', 3, ''),
];

const SCORES: readonly (RowScore | undefined)[] = [
  { score: 0.2, firstError: 1, agrees: true },
  { score: 0.9, firstError: null, agrees: true },
  { score: 0.9, firstError: 0, agrees: false },
  { score: -0.5, agrees: false },
  undefined,
  { score: 0.6, firstError: null, agrees: true },
  undefined,
];

function source(rows: readonly RowSummary[] = ROWS, scores: readonly (RowScore | undefined)[] = SCORES, textMatch?: (p: number) => boolean): ExplorerViewSource & { summaryCalls: number } {
  const s = {
    count: rows.length,
    summaryCalls: 0,
    summaryAt(p: number): RowSummary {
      s.summaryCalls++;
      const row = rows[p];
      assert.ok(row, `row ${p} exists`);
      return row;
    },
    scoreAt: (p: number) => scores[p],
    ...(textMatch ? { textMatch } : {}),
  };
  return s;
}

const query = (column: ExplorerColumn, descending = false, filter: ExplorerFilter = {}): ExplorerQuery => ({ sort: { column, descending }, filter });
const order = (q: ExplorerQuery, src: ExplorerViewSource = source()): number[] => Array.from(buildExplorerView(src, q).positions);

describe('buildExplorerView: sorting', () => {
  // Hand-computed: ties in file order in both directions, rows without a value last in both directions.
  const expected: Record<ExplorerColumn, readonly [number[], number[]]> = {
    position: [
      [0, 1, 2, 3, 4, 5, 6],
      [6, 5, 4, 3, 2, 1, 0],
    ],
    // Natural and case-insensitive: p-1, Q-1, q-2, q-3, q-4, q-10; the empty id last.
    id: [
      [3, 2, 1, 5, 6, 0, 4],
      [0, 6, 5, 1, 2, 3, 4],
    ],
    // "Add 2 …" before "add 10 …" (2 < 10, case ignored); the empty prompt last.
    prompt: [
      [0, 2, 6, 5, 1, 3, 4],
      [3, 1, 5, 6, 2, 0, 4],
    ],
    steps: [
      [4, 1, 0, 6, 2, 5, 3],
      [3, 5, 2, 0, 6, 1, 4],
    ],
    label: [
      [3, 5, 0, 2, 1, 4, 6],
      [1, 2, 0, 5, 3, 4, 6],
    ],
    score: [
      [3, 0, 5, 1, 2, 4, 6],
      [1, 2, 5, 0, 3, 4, 6],
    ],
    // Step 0, step 1, then "none" (rows 1 and 5); no first error known (3, 4, 6) last.
    firstError: [
      [2, 0, 1, 5, 3, 4, 6],
      [1, 5, 0, 2, 3, 4, 6],
    ],
    // ✗ before ✓ ascending.
    agrees: [
      [2, 3, 0, 1, 5, 4, 6],
      [0, 1, 5, 2, 3, 4, 6],
    ],
  };
  for (const column of COLUMNS) {
    it(`sorts by ${column}, both directions`, () => {
      const [ascending, descending] = expected[column];
      assert.deepEqual(order(query(column)), ascending, 'ascending');
      assert.deepEqual(order(query(column, true)), descending, 'descending');
    });
  }

  it('compares digit runs by value and leading zeros by code unit', () => {
    const rows = ['item-10', 'item-2', 'item-002', 'Item-1', 'item-1a', 'item-1'].map((id, p) => trace(p, id, '', 1, ''));
    assert.deepEqual(
      order(query('id'), source(rows, [])).map((p) => rows[p]?.id),
      ['Item-1', 'item-1', 'item-1a', 'item-002', 'item-2', 'item-10'],
    );
  });

  it('reads no summary for a position or score sort without summary filters', () => {
    for (const column of ['position', 'score'] as const) {
      const src = source();
      order(query(column, false, { scoreMin: 0 }), src);
      assert.equal(src.summaryCalls, 0, column);
    }
    const src = source();
    order(query('id'), src);
    assert.equal(src.summaryCalls, ROWS.length, 'one summary per row');
  });
});

describe('buildExplorerView: filters', () => {
  const cases: readonly [string, ExplorerFilter, number[]][] = [
    ['text, case-insensitive, in the prompt', { text: 'ADD' }, [0, 2]],
    ['text in the id', { text: 'q-1' }, [0, 2]],
    ['hostile text as plain text', { text: '<img src=x' }, [5]],
    ['regex', { text: '^(add|divide)', regex: true }, [0, 2, 6]],
    ['regex metacharacters taken literally without regex', { text: '^(add', regex: false }, []],
    ['any error: labelled first error or incorrect', { label: ANY_ERROR_LABEL }, [0, 2]],
    ['no label', { label: NO_LABEL }, [4, 6]],
    ['an exact label', { label: 'correct' }, [5]],
    ['score at least', { scoreMin: 0.5 }, [1, 2, 5]],
    ['score at most, inclusive', { scoreMax: 0.2 }, [0, 3]],
    ['score range', { scoreMin: 0.2, scoreMax: 0.6 }, [0, 5]],
    ['unscored rows fail a score filter', { scoreMin: -10 }, [0, 1, 2, 3, 5]],
    ['model disagrees', { disagrees: true }, [2, 3]],
    ['subset', { subset: 'math' }, [0, 2]],
    ['all given filters hold', { subset: 'math', scoreMin: 0.5, text: 'add' }, [2]],
    ['empty values filter nothing', { text: '', label: '', subset: '', disagrees: false }, [0, 1, 2, 3, 4, 5, 6]],
  ];
  for (const [name, filter, expected] of cases) {
    it(name, () => assert.deepEqual(order(query('position', false, filter)), expected));
  }

  it('filters, then sorts', () => {
    assert.deepEqual(order(query('score', true, { label: ANY_ERROR_LABEL })), [2, 0]);
  });

  it("uses the host's full-text search instead of the summary when given", () => {
    const src = source(ROWS, SCORES, (p) => p === 1 || p === 6);
    assert.deepEqual(order(query('position', false, { text: 'not in any summary' }), src), [1, 6]);
    assert.equal(src.summaryCalls, 0);
  });

  it('answers an invalid regex with no rows and a message, not an exception', () => {
    const view = buildExplorerView(source(), query('id', false, { text: '(unclosed', regex: true }));
    assert.equal(view.positions.length, 0);
    assert.equal(view.filterError, 'Invalid regular expression: Unterminated group');
  });
});

describe('compileFilterText', () => {
  it('matches everything when empty, substrings case-insensitively, regexes case-insensitively', () => {
    const all = compileFilterText('', true);
    assert.ok(all.ok && all.test('anything'));
    const plain = compileFilterText('a.C', false);
    assert.ok(plain.ok && plain.test('xA.cx') && !plain.test('abc'));
    const re = compileFilterText('a.C', true);
    assert.ok(re.ok && re.test('xabcx'));
  });

  it('is stateless from one row to the next', () => {
    const re = compileFilterText('step', true);
    assert.ok(re.ok);
    assert.deepEqual([re.test('step 1'), re.test('step 2'), re.test('step 3')], [true, true, true]);
  });

  for (const bad of ['[', '(', 'a{2,1}', '*', '(?<n>a)(?<n>b)']) {
    it(`reports ${JSON.stringify(bad)} with a message`, () => {
      const r = compileFilterText(bad, true);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && /^Invalid regular expression: \S/.test(r.message) && !r.message.includes('/i:'), !r.ok ? r.message : '');
    });
  }
});

describe('toExplorerRow', () => {
  const summary = ROWS[1] as RowSummary;
  it('is the summary alone when unscored', () => {
    assert.deepEqual(toExplorerRow(summary, undefined), summary);
    assert.ok(!('score' in toExplorerRow(summary, {})));
  });
  it('adds the fields the scores give, keeping "no first error" (null) apart from "unknown" (absent)', () => {
    assert.deepEqual(toExplorerRow(summary, { score: 0.9, firstError: null, agrees: true }), { ...summary, score: 0.9, firstError: null, agrees: true });
    const partial = toExplorerRow(summary, { score: -0.25 });
    assert.equal(partial.score, -0.25);
    assert.ok(!('firstError' in partial) && !('agrees' in partial));
  });
});

describe('buildExplorerView: properties', () => {
  const label = fc.constantFrom('', 'correct', 'incorrect', 'no error', 'error at step 1', 'chosen 1 of 2');
  const row = fc.record({
    id: fc.string({ maxLength: 6 }),
    prompt: fc.string({ maxLength: 12 }),
    steps: fc.nat(20),
    label,
    subset: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
    score: fc.option(
      fc.record({ score: fc.option(fc.double({ min: -2, max: 2, noNaN: true }), { nil: undefined }), firstError: fc.option(fc.option(fc.nat(5), { nil: null }), { nil: undefined }), agrees: fc.option(fc.boolean(), { nil: undefined }) }),
      { nil: undefined },
    ),
  });
  const filter = fc.record(
    {
      text: fc.constantFrom('', 'a', 'B', '1', '.', '[a-c]'),
      regex: fc.boolean(),
      label: fc.constantFrom('', ANY_ERROR_LABEL, NO_LABEL, 'correct'),
      scoreMin: fc.double({ min: -2, max: 2, noNaN: true }),
      scoreMax: fc.double({ min: -2, max: 2, noNaN: true }),
      disagrees: fc.boolean(),
      subset: fc.constantFrom('', 'a'),
    },
    { requiredKeys: [] },
  );
  type GenRow = typeof row extends fc.Arbitrary<infer T> ? T : never;
  const toSource = (rows: readonly GenRow[]): ExplorerViewSource => {
    const summaries = rows.map((r, p): RowSummary => ({ position: p, id: r.id, kind: 'trace', prompt: r.prompt, steps: r.steps, responses: 1, label: r.label, records: 1, ...(r.subset !== undefined ? { subset: r.subset } : {}) }));
    const scores = rows.map((r): RowScore | undefined =>
      r.score === undefined
        ? undefined
        : { ...(r.score.score !== undefined ? { score: r.score.score } : {}), ...(r.score.firstError !== undefined ? { firstError: r.score.firstError } : {}), ...(r.score.agrees !== undefined ? { agrees: r.score.agrees } : {}) },
    );
    return source(summaries, scores);
  };

  it('every sort is a permutation of the filtered rows, which are distinct rows of the file', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), filter, fc.constantFrom(...COLUMNS), fc.boolean(), (rows, f, column, descending) => {
        const src = toSource(rows);
        const filtered = order(query('position', false, f), src);
        assert.ok(filtered.every((p, i) => p >= 0 && p < rows.length && (i === 0 || p > (filtered[i - 1] ?? -1))), 'filtered ⊆ all, in file order');
        const sorted = order(query(column, descending, f), src);
        assert.deepEqual([...sorted].sort((a, b) => a - b), filtered);
      }),
    );
  });

  it('sorted scores are monotone, unscored rows last, ties in file order', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), fc.boolean(), (rows, descending) => {
        const src = toSource(rows);
        const sorted = order(query('score', descending), src);
        const scoreOf = (p: number): number | undefined => src.scoreAt(p)?.score;
        const firstUnscored = sorted.findIndex((p) => scoreOf(p) === undefined);
        const scored = firstUnscored === -1 ? sorted : sorted.slice(0, firstUnscored);
        assert.ok(sorted.slice(scored.length).every((p) => scoreOf(p) === undefined), 'unscored last');
        for (let i = 1; i < scored.length; i++) {
          const [a, b] = [scored[i - 1] ?? 0, scored[i] ?? 0];
          const d = ((scoreOf(b) ?? 0) - (scoreOf(a) ?? 0)) * (descending ? -1 : 1);
          assert.ok(d > 0 || (d === 0 && b > a), `rows ${a} then ${b}`);
        }
      }),
    );
  });
});
