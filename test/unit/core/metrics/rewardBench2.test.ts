import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  TIES_SUBSET,
  promptMargins,
  rewardBench2Scores,
  tiesScoreRewardBench2,
  tiesScoreSimplified,
  type BestOfNItem,
} from '../../../../src/core/metrics/rewardBench2.js';
import { readSample, samplesAvailable } from '../../helpers.js';

function near(actual: number | undefined, expected: number, eps = 1e-12): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);
}

const item = (subset: string, correct: number[], incorrect: number[], id?: string): BestOfNItem => ({
  subset,
  correct,
  incorrect,
  ...(id !== undefined ? { id } : {}),
});

// Per-prompt facts, by hand (margin = min(correct) − max(incorrect), spread = max(correct) − min(correct)):
const TIES = [
  item(TIES_SUBSET, [4, 5, 4.5], [1, 3], 'tied:0'), // accurate (4 > 3), margin 1, spread 1 → 1 > 1 false
  item(TIES_SUBSET, [5], [1, 2], 'ref:0'), // accurate, margin 3
  item(TIES_SUBSET, [6, 5.5], [1], 'tied:1'), // accurate, margin 4.5, spread 0.5 → preferred
  item(TIES_SUBSET, [2], [3], 'ref:1'), // not accurate, margin −1
  item(TIES_SUBSET, [10], [0], 'ref:2'), // accurate, margin 10
  item(TIES_SUBSET, [9, 8], [2], 'tied:2'), // accurate, margin 6, spread 1 → preferred
];

// RewardBench 2's Ties score for TIES, worked out in the tiesScoreRewardBench2 test below:
// 0.7 + 0.01 · (tanh(0) + tanh(−3) + tanh(5)) / 3 = 0.7 + 0.01 · 0.0048544505758646 / 3 ≈ 0.7000161815
const RB2_TIES_SCORE = 0.7 + (0.01 * (0 - 0.9950547536867305 + 0.9999092042625951)) / 3;

describe('promptMargins', () => {
  it('measures a best-of-4 prompt', () => {
    assert.deepEqual(promptMargins([3], [1, 2, 2.5]), { accurate: true, correctIncorrectMargin: 0.5, correctSpread: undefined });
    assert.deepEqual(promptMargins([4, 6], [5]), { accurate: false, correctIncorrectMargin: -1, correctSpread: 2 });
  });

  it('counts a tie with an incorrect answer as not accurate', () => {
    assert.equal(promptMargins([2], [2, 1])?.accurate, false); // 2 − 2 = 0, not > 0
  });

  it('is undefined for an empty side or a non-finite score', () => {
    assert.equal(promptMargins([], [1]), undefined);
    assert.equal(promptMargins([1], []), undefined);
    assert.equal(promptMargins([1], [Number.NaN]), undefined);
  });
});

describe('tiesScoreSimplified', () => {
  it('averages all-correct-above accuracy with the margin test on multi-answer prompts', () => {
    const t = tiesScoreSimplified(TIES);
    // (a) 5 of 6 accurate (ref:1 is not); (b) over tied:0/1/2: preferred for 1 and 2 → 2/3;
    // score = (5/6 + 2/3) / 2 = (5/6 + 4/6) / 2 = 9/12 = 0.75
    assert.equal(t.count, 6);
    near(t.accuracy, 5 / 6);
    assert.equal(t.marginCount, 3);
    near(t.marginPreferred, 2 / 3);
    near(t.score, 0.75);
  });

  it('falls back to accuracy alone when no prompt has two correct answers', () => {
    const t = tiesScoreSimplified([item(TIES_SUBSET, [5], [1, 2]), item(TIES_SUBSET, [2], [3])]);
    assert.deepEqual(t, { count: 2, accuracy: 0.5, marginCount: 0, marginPreferred: undefined, score: 0.5 });
  });

  it('gives undefined for empty input', () => {
    assert.deepEqual(tiesScoreSimplified([]), { count: 0, accuracy: undefined, marginCount: 0, marginPreferred: undefined, score: undefined });
  });
});

describe('tiesScoreRewardBench2', () => {
  it('combines ref/tied accuracy and the paired margin tests with the upstream weights', () => {
    const t = tiesScoreRewardBench2(TIES);
    assert.ok(t);
    // ref: 0 and 2 accurate, 1 not → 2/3; tied: all three accurate → 1.
    assert.equal(t.refCount, 3);
    near(t.refAccuracy, 2 / 3);
    assert.equal(t.tiedCount, 3);
    assert.equal(t.tiedAccuracy, 1);
    assert.equal(t.pairedCount, 3);
    // Per prompt n (tied margin > spread; min(ref, tied margin) > spread; tanh(min / spread − 1)):
    //   0: 1 > 1 no; min(3, 1) = 1 > 1 no;   tanh(1/1 − 1) = tanh(0) = 0
    //   1: 4.5 > 0.5 yes; min(−1, 4.5) = −1 > 0.5 no; tanh(−1/0.5 − 1) = tanh(−3) = −0.9950547536867305
    //   2: 6 > 1 yes; min(10, 6) = 6 > 1 yes; tanh(6/1 − 1) = tanh(5) = 0.9999092042625951
    near(t.correctnessPreferred, 2 / 3);
    near(t.correctnessPreferredHard, 1 / 3);
    near(t.marginScore, (0 - 0.9950547536867305 + 0.9999092042625951) / 3); // 0.0048544505758646 / 3
    // 0.3·1 + 0.3·2/3 + 0.2·2/3 + 0.2·1/3 + 0.01·0.0016181501919549 = 0.7 + 0.000016181501919549
    near(t.score, RB2_TIES_SCORE);
  });

  it('reads a zero spread as IEEE division does upstream', () => {
    // tied:7 spread 0, margin 3; ref:7 margin 2 → min 2 > 0 both tests pass; tanh(2/0 − 1) = tanh(∞) = 1
    const inf = tiesScoreRewardBench2([item(TIES_SUBSET, [3], [1], 'ref:7'), item(TIES_SUBSET, [4, 4], [1], 'tied:7')]);
    near(inf?.score, 1.01); // 0.3 + 0.3 + 0.2 + 0.2 + 0.01·1: upstream's score can pass 1
    // tied:8 spread 0, margin 0; ref:8 margin 0 → both tests fail, nobody accurate; tanh(0/0 − 1) = NaN → 0
    const nan = tiesScoreRewardBench2([item(TIES_SUBSET, [1], [1], 'ref:8'), item(TIES_SUBSET, [1, 1], [1], 'tied:8')]);
    assert.equal(nan?.marginScore, 0);
    assert.equal(nan?.score, 0);
  });

  it('is undefined without a paired ref:/tied: prompt', () => {
    assert.equal(tiesScoreRewardBench2([]), undefined);
    assert.equal(tiesScoreRewardBench2([item(TIES_SUBSET, [5], [1], 'ref:0')]), undefined);
    assert.equal(tiesScoreRewardBench2([item(TIES_SUBSET, [5], [1], 'x:0'), item(TIES_SUBSET, [5, 4], [1], 'tied:0')]), undefined);
  });
});

describe('rewardBench2Scores', () => {
  const ITEMS = [
    item('Factuality', [0.9], [0.1, 0.2, 0.3]), // correct
    item('Factuality', [0.5], [0.6, 0.1, 0.2]), // 0.5 < 0.6: wrong
    item('Factuality', [0.5], [0.5, 0.1, 0.2]), // tie with a rejected: wrong
    item('Factuality', [1], [0, 0, 0]), // correct
    item('Math', [2], [1, 1, 1]), // correct
    item('Math', [], [1]), // skipped
    ...TIES,
  ];

  it('scores best-of-4 subsets by accuracy and Ties by the simplified score', () => {
    const r = rewardBench2Scores(ITEMS);
    assert.deepEqual(
      r.bySubset.map((s) => [s.subset, s.count]),
      [
        ['Factuality', 4],
        ['Math', 1],
        ['Ties', 6],
      ],
    );
    assert.equal(r.bySubset[0]?.score, 0.5); // 2 of 4
    assert.equal(r.bySubset[1]?.score, 1); // 1 of 1
    near(r.bySubset[2]?.score, 0.75); // simplified Ties, as above
    assert.equal(r.bySubset[0]?.ties, undefined);
    near(r.bySubset[2]?.ties?.rewardBench2?.score, RB2_TIES_SCORE);
    near(r.overall, 0.75); // (0.5 + 1 + 0.75) / 3
    assert.equal(r.skipped, 1);
  });

  it('can score Ties with the RewardBench 2 formula', () => {
    const r = rewardBench2Scores(ITEMS, { ties: 'rewardbench2' });
    near(r.bySubset[2]?.score, RB2_TIES_SCORE);
    near(r.overall, (0.5 + 1 + RB2_TIES_SCORE) / 3);
  });

  it('gives undefined overall for empty input', () => {
    assert.deepEqual(rewardBench2Scores([]), { bySubset: [], overall: undefined, skipped: 0 });
  });

  it('turns the shape sample into one best-of-4 item', { skip: !samplesAvailable() }, () => {
    const rec = JSON.parse((readSample('rewardbench2_SHAPE_ONLY.jsonl') ?? '').split('\n')[0] ?? '{}') as {
      subset: string;
      chosen: string[];
      rejected: string[];
      num_correct: number;
      total_completions: number;
    };
    assert.equal(rec.subset, 'Factuality');
    assert.equal(rec.num_correct, 1);
    assert.equal(rec.total_completions, 4);
    // Flattened chosen + rejected; positions < num_correct are correct. Score completion k as −k (the first best).
    const scores = [...rec.chosen, ...rec.rejected].map((_, k) => -k);
    const r = rewardBench2Scores([item(rec.subset, scores.slice(0, rec.num_correct), scores.slice(rec.num_correct))]);
    assert.deepEqual(r.bySubset, [{ subset: 'Factuality', count: 1, score: 1 }]); // 0 > max(−1, −2, −3)
  });
});
