import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { PreferenceSet } from '../../../../src/core/dataset/types.js';
import { buildJudgment, diffResponses, MAX_DIFF_CHARS, sideParts, stepCritiques, type DiffPart } from '../../../../src/core/diff/alignResponses.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { readFixture, readSample } from '../../helpers.js';

function preferences(text: string, name: string): PreferenceSet[] {
  return parseDocument(text, name).records.filter((r): r is PreferenceSet => r.kind === 'preference');
}

const joined = (parts: readonly DiffPart[]): string => parts.map((p) => p.text).join('');

function near(actual: number | null, expected: number): void {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${actual} ≉ ${expected}`);
}

describe('buildJudgment', () => {
  it('pair: chosen left, rejected right, margin and disagreement', () => {
    const [set] = preferences(readFixture('hostile/hostile_preference.jsonl'), 'p.jsonl');
    assert.ok(set);
    const j = buildJudgment(set, [0.31, 0.77]);
    assert.equal(j.layout, 'pair');
    assert.deepEqual([j.left, j.right], [0, 1]);
    near(j.margin, 0.31 - 0.77);
    assert.equal(j.agreesWithLabel, false);
    assert.deepEqual(j.ranking, [1, 0]);
    assert.deepEqual(
      j.responses.map((r) => [r.chosen, r.score, r.rank]),
      [
        [true, 0.31, 2],
        [false, 0.77, 1],
      ],
    );
    assert.equal(j.labelText, 'response 1 preferred over response 2 (chosen/rejected keys)');
    assert.equal(j.scoredCount, 2);
    assert.equal(j.prompt, 'Compute 2 + 2. <img src=x onerror=alert(1)> </script><script>alert(2)</script>');
    assert.equal(j.responses[1]?.text, 'The answer is 5. </script><script>alert(2)</script>\n\nSee user\u202Egnp.exe\u202C.');
  });

  it('unscored: no margin, no ranks, dataset order', () => {
    const [, set] = preferences(readFixture('hostile/hostile_preference.jsonl'), 'p.jsonl');
    assert.ok(set);
    const j = buildJudgment(set, []);
    assert.deepEqual([j.margin, j.agreesWithLabel, j.scoredCount, j.left, j.right], [null, null, 0, 0, 1]);
    assert.deepEqual(j.ranking, [0, 1]);
    assert.ok(j.responses.every((r) => r.rank === undefined && r.score === undefined));
  });

  it('best-of-N: ranked layout; compares the best chosen with the best-scored rejected', () => {
    const [set] = preferences(readFixture('hostile/hostile_bestofn.jsonl'), 'b.jsonl');
    assert.ok(set);
    const j = buildJudgment(set, [0.62, 0.7, 0.2, 0.1]);
    assert.equal(j.layout, 'ranked');
    assert.equal(j.comparison, 'best-of-n');
    assert.deepEqual(j.ranking, [1, 0, 2, 3]);
    assert.deepEqual([j.left, j.right], [0, 1]);
    // Lowest chosen − highest rejected.
    near(j.margin, 0.62 - 0.7);
    assert.equal(j.agreesWithLabel, false);
    assert.equal(j.labelText, 'response 1 preferred over responses 2, 3, 4 (num_correct)');
    assert.equal(j.subset, 'Math <img src=x onerror=alert(1)>');
    assert.deepEqual(
      j.responses.map((r) => r.model),
      ['m<b>1</b>', 'm2', 'm3', 'm4'],
    );
    const agree = buildJudgment(set, [0.9, 0.7, 0.2, 0.1]);
    near(agree.margin, 0.9 - 0.7);
    assert.equal(agree.agreesWithLabel, true);
  });

  it('equal scores keep dataset order in the ranking', () => {
    const [set] = preferences(readFixture('hostile/hostile_bestofn.jsonl'), 'b.jsonl');
    assert.ok(set);
    assert.deepEqual(buildJudgment(set, [0.5, 0.5, 0.5, 0.5]).ranking, [0, 1, 2, 3]);
    assert.deepEqual(buildJudgment(set, [undefined, 0.3, undefined, 0.4]).ranking, [3, 1, 0, 2]);
  });

  it('TRL docs sample: pairs, and the unpaired record as a single pane', (t) => {
    const text = readSample('trl_preference_docs.jsonl');
    if (text === undefined) return t.skip('samples not available');
    const sets = preferences(text, 'trl_preference_docs.jsonl');
    assert.deepEqual(
      sets.map((s) => buildJudgment(s, []).layout),
      ['pair', 'pair', 'pair', 'pair', 'single'],
    );
    const unpaired = buildJudgment(sets[4] as PreferenceSet, [0.8]);
    assert.deepEqual([unpaired.left, unpaired.right, unpaired.margin, unpaired.labelText], [0, undefined, null, 'desirable (label)']);
    const first = buildJudgment(sets[0] as PreferenceSet, [0.9, 0.2]);
    assert.deepEqual(
      first.responses.map((r) => r.text),
      [' blue.', ' green.'],
    );
    near(first.margin, 0.9 - 0.2);
  });

  it('JudgeBench sample: a B>A label puts response 2 on the left', (t) => {
    const text = readSample('judgebench.jsonl');
    if (text === undefined) return t.skip('samples not available');
    const sets = preferences(text, 'judgebench.jsonl');
    const j = buildJudgment(sets[1] as PreferenceSet, []);
    assert.equal(j.id, '8ac653fc-14f9-58aa-8306-e008d51ca0eb');
    assert.deepEqual([j.layout, j.left, j.right], ['pair', 1, 0]);
    assert.equal(j.labelText, 'response 2 preferred over response 1 (label B>A)');
    assert.deepEqual(
      j.responses.map((r) => r.stepCount),
      [9, 3],
    );
  });

  it('RM-Bench sample: a 3×3 matrix ranks six responses, margin of means', (t) => {
    const text = readSample('rm_bench.json');
    if (text === undefined) return t.skip('samples not available');
    const [set] = preferences(text, 'rm_bench.json');
    assert.ok(set);
    const j = buildJudgment(set, [0.9, 0.8, 0.7, 0.6, 0.5, 0.1]);
    assert.equal(j.layout, 'ranked');
    assert.equal(j.labelText, 'responses 1, 2, 3 preferred over responses 4, 5, 6 (chosen/rejected keys)');
    near(j.margin, (0.9 + 0.8 + 0.7) / 3 - (0.6 + 0.5 + 0.1) / 3);
    assert.deepEqual([j.left, j.right], [0, 3]);
  });
});

describe('diffResponses', () => {
  it('diffs word by word, whitespace included', () => {
    assert.deepEqual(diffResponses('The cat sat', 'The dog sat'), [
      { kind: 'same', text: 'The ' },
      { kind: 'removed', text: 'cat' },
      { kind: 'added', text: 'dog' },
      { kind: 'same', text: ' sat' },
    ]);
    assert.deepEqual(diffResponses('same', 'same'), [{ kind: 'same', text: 'same' }]);
    assert.deepEqual(diffResponses('', 'new'), [{ kind: 'added', text: 'new' }]);
  });

  it('each side rebuilds its exact text (property)', () => {
    const word = fc.constantFrom('a', 'b', 'the', '<img src=x onerror=alert(1)>', '\u202E', ' ', '  ', '\n', 'x.', '$5', 'é');
    const text = fc.array(word, { maxLength: 30 }).map((ws) => ws.join(''));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const parts = diffResponses(a, b);
        assert.ok(!('skipped' in parts));
        assert.equal(joined(sideParts(parts, 'left')), a);
        assert.equal(joined(sideParts(parts, 'right')), b);
      }),
      { numRuns: 300 },
    );
  });

  it('gives up on texts too long to diff, saying how long', () => {
    const big = 'x'.repeat(MAX_DIFF_CHARS);
    assert.deepEqual(diffResponses(big, 'y'), { skipped: 'tooLong', chars: MAX_DIFF_CHARS + 1 });
  });

  it('hostile pair: parts are plain strings that rebuild both texts', () => {
    const [set] = preferences(readFixture('hostile/hostile_preference.jsonl'), 'p.jsonl');
    const [a, b] = set?.responses ?? [];
    assert.ok(a && b);
    const parts = diffResponses(a.text, b.text);
    assert.ok(!('skipped' in parts));
    assert.equal(joined(sideParts(parts, 'left')), a.text);
    assert.equal(joined(sideParts(parts, 'right')), b.text);
    assert.ok(parts.some((p) => p.kind === 'removed' && p.text.includes('img src=x onerror=')));
    assert.ok(parts.every((p) => typeof p.text === 'string'));
  });
});

describe('stepCritiques', () => {
  const text = 'Step one.\n\nStep two.\n\nStep one.';
  const steps = ['Step one.', 'Step two.', 'Step one.'].map((t, index) => ({ index, text: t, label: 'unknown' as const, part: 'answer' as const }));
  it('places each critique at its own step, repeated texts included, and drops empty ones', () => {
    const out = stepCritiques(text, steps, [{ score: 0.9, critique: '  ' }, { score: 0.4 }, { score: Number.NaN, critique: ' wrote 1 but 2 ' }]);
    assert.deepEqual(out, [{ step: 2, text: 'wrote 1 but 2', start: 22, end: 31 }]);
  });
  it('unscored responses have none; buildJudgment carries them per response', () => {
    assert.deepEqual(stepCritiques(text, steps, undefined), []);
    const pair: PreferenceSet = { kind: 'preference', id: 'p', recordRange: { start: 0, end: 1 }, prompt: 'Q', labelSource: 'k', comparison: 'pair', metadata: {}, responses: [
      { text, chosen: true, steps },
      { text: 'x', chosen: false, steps: [{ index: 0, text: 'x', label: 'unknown', part: 'answer' }] },
    ] };
    const j = buildJudgment(pair, [0.5, 0.4], [[{ score: 0.5, critique: 'c' }]]);
    assert.deepEqual(j.responses.map((r) => r.critiques), [[{ step: 0, text: 'c', score: 0.5, start: 0, end: 9 }], []]);
  });
});
