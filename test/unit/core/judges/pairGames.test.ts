import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { GeneratedToken, GenerationResult } from '../../../../src/core/judges/generation.js';
import { pairResult, type PairGame } from '../../../../src/core/judges/pairGames.js';
import { parseArenaHardVerdict, parseSkyworkCriticVerdict } from '../../../../src/core/judges/pairwise.js';

function game(text: string, parse: (t: string) => PairGame['parse'] = parseSkyworkCriticVerdict, tokens?: readonly GeneratedToken[]): PairGame {
  const gen: GenerationResult = { text, finish: 'stop', model: 'critic', device: 'cpu', ...(tokens !== undefined ? { tokens } : {}) };
  return { gen, parse: parse(text) };
}

/** Scores of the two responses of a pair from its two games: g1 with response 0 as A, g2 with response 1 as A. */
function scorePair(g1: PairGame, g2: PairGame): [number | undefined, number | undefined] {
  const r0 = pairResult('pairwise', [{ asA: g1, asB: g2 }], '[[A]] or [[B]]');
  const r1 = pairResult('pairwise', [{ asA: g2, asB: g1 }], '[[A]] or [[B]]');
  return [r0.sequenceScore, r1.sequenceScore];
}

describe('pairResult', () => {
  it('gives 1 and 0 for a consistent win and fills both orders of the report', () => {
    const g1 = game('A is right. [[A]]');
    const g2 = game('B is right. [[B]]');
    assert.deepEqual(scorePair(g1, g2), [1, 0]);
    const r = pairResult('pairwise', [{ asA: g1, asB: g2 }], '[[A]] or [[B]]');
    assert.equal(r.judge?.orderAb, 'A');
    assert.equal(r.judge?.orderBa, 'B');
    assert.equal(r.judge?.text, 'A is right. [[A]]');
    assert.equal(r.judge?.textBa, 'B is right. [[B]]');
    assert.equal(r.judge?.consistent, true);
    assert.equal(r.judge?.verdict, 'A');
    assert.deepEqual(r.steps, []);
    assert.equal(r.warnings, undefined);
  });

  it('makes an inconsistent pair (same letter both orders) a tie', () => {
    assert.deepEqual(scorePair(game('[[A]]'), game('[[A]]')), [0.5, 0.5]);
    const r = pairResult('pairwise', [{ asA: game('[[A]]'), asB: game('[[A]]') }], '[[A]] or [[B]]');
    assert.equal(r.judge?.consistent, false);
    assert.ok((r.warnings ?? []).some((w) => /position bias/.test(w)));
  });

  it('counts five-way ties half and >> as a plain win', () => {
    assert.deepEqual(scorePair(game('[[A=B]]', parseArenaHardVerdict), game('[[A=B]]', parseArenaHardVerdict)), [0.5, 0.5]);
    assert.deepEqual(scorePair(game('[[A>>B]]', parseArenaHardVerdict), game('[[B>A]]', parseArenaHardVerdict)), [1, 0]);
    // A tie in both orders is consistent; a tie against a win is not.
    const tie = game('[[A=B]]', parseArenaHardVerdict);
    assert.equal(pairResult('arena-hard', [{ asA: tie, asB: tie }], '').judge?.consistent, true);
    assert.equal(pairResult('arena-hard', [{ asA: tie, asB: game('[[B>A]]', parseArenaHardVerdict) }], '').judge?.consistent, false);
  });

  it('uses P(A) against P(B) at the verdict letter when the tokens show it', () => {
    const tokens = (pA: number): GeneratedToken[] => [
      { text: '[[', logprob: 0, top: [] },
      { text: 'A', logprob: Math.log(pA), top: [{ token: 'B', logprob: Math.log(1 - pA) }] },
      { text: ']]', logprob: 0, top: [] },
    ];
    const g1 = game('[[A]]', parseSkyworkCriticVerdict, tokens(0.9)); // response 0 as A: P(A) = 0.9
    const g2 = game('[[A]]', parseSkyworkCriticVerdict, tokens(0.2)); // response 1 as A: P(A) = 0.2
    const [s0, s1] = scorePair(g1, g2);
    // response 0: (0.9 + (1 − 0.2)) / 2 = 0.85; response 1: ((1 − 0.9) + 0.2) / 2 = 0.15
    assert.ok(Math.abs((s0 ?? NaN) - 0.85) < 1e-12 && Math.abs((s1 ?? NaN) - 0.15) < 1e-12, `${s0} ${s1}`);
    assert.equal(pairResult('pairwise', [{ asA: g1, asB: g2 }], '').judge?.source, 'logprob');
  });

  it('leaves unreadable games out, and has no score when no game is readable', () => {
    assert.deepEqual(scorePair(game('[[A]]'), game('no idea')), [1, 0]);
    const r = pairResult('pairwise', [{ asA: game('hmm'), asB: game('hmm') }], '[[A]] or [[B]]');
    assert.equal(r.sequenceScore, undefined);
    assert.equal(r.judge?.consistent, undefined);
    assert.ok((r.warnings ?? []).some((w) => /2 of 2 games/.test(w)));
  });

  it('warns and does not score without another response', () => {
    const r = pairResult('pairwise', [], '[[A]] or [[B]]');
    assert.equal(r.sequenceScore, undefined);
    assert.equal(r.judge, undefined);
    assert.match(r.warnings?.[0] ?? '', /no other response/);
  });

  it('averages over every other response of a larger set', () => {
    // This response wins both games against one sibling and loses both against another: 2 of 4.
    const r = pairResult(
      'pairwise',
      [
        { asA: game('[[A]]'), asB: game('[[B]]') },
        { asA: game('[[B]]'), asB: game('[[A]]') },
      ],
      '',
    );
    assert.equal(r.sequenceScore, 0.5);
  });

  it('margin > 0 exactly when JudgeBench counts the pair correct (property)', () => {
    // JudgeBench utils/metrics.py, restated: decision1 from the (chosen, rejected) game, decision2 from the swapped
    // game flipped; +1 per decision equal to the label "A>B", −1 per flipped label; correct when the sum is > 0.
    const flip = (d: string | null): string | null => (d === 'A>B' ? 'B>A' : d === 'B>A' ? 'A>B' : d);
    const LABELS = ['[[A>>B]]', '[[A>B]]', '[[A=B]]', '[[B>A]]', '[[B>>A]]', 'no verdict'];
    fc.assert(
      fc.property(fc.constantFrom(...LABELS), fc.constantFrom(...LABELS), (t1, t2) => {
        const decision = (t: string): string | null => {
          const v = parseArenaHardVerdict(t).verdict;
          return v === null ? null : v.label.replace('>>', '>');
        };
        let counter = 0;
        for (const d of [decision(t1), flip(decision(t2))]) counter += d === 'A>B' ? 1 : d === 'B>A' ? -1 : 0;
        const [chosen, rejected] = scorePair(game(t1, parseArenaHardVerdict), game(t2, parseArenaHardVerdict));
        const margin = chosen !== undefined && rejected !== undefined ? chosen - rejected : null;
        assert.equal(margin !== null && margin > 0, counter > 0, `${t1} / ${t2}`);
      }),
      { numRuns: 200 },
    );
  });
});
