import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { evalReport } from '../../../../../src/core/report/evalReport.js';
import { pairwiseBars, rewardBench2Bars, rewardBenchBars } from '../../../../../src/core/report/plots/subsetAccuracy.js';
import { DEFAULT_SCORING, type ScoredRecord } from '../../../../../src/core/scoring/scoreRecords.js';
import { scoredPreference } from './builders.js';

const report = (format: string, scored: readonly ScoredRecord[]) => evalReport({ format }, scored, DEFAULT_SCORING, 'm').metrics;

describe('subset accuracy bars', () => {
  const pairs = [
    scoredPreference([0.9], [0.1], { subset: 'alpacaeval-easy' }), // win
    scoredPreference([0.2], [0.8], { subset: 'alpacaeval-easy' }), // loss
    scoredPreference([0.7], [0.3], { subset: 'math-prm' }), // win
    scoredPreference([0.5], [0.5], { subset: 'foo' }), // tie: half credit in pairwise, none in RewardBench
  ];

  it('pairwise: one bar per subset, grouped by RewardBench section', () => {
    const bars = pairwiseBars(report('rewardbench', pairs).pairwise);
    assert.deepEqual(bars, {
      kind: 'accuracyBars',
      source: 'pairwise',
      overall: 0.625, // (2 wins + 0.5 · 1 tie) / 4
      bars: [
        { label: 'alpacaeval-easy', group: 'Chat', value: 0.5, count: 2 },
        { label: 'math-prm', group: 'Reasoning', value: 1, count: 1 },
        { label: 'foo', group: null, value: 0.5, count: 1 },
      ],
    });
  });

  it('RewardBench: one bar per measured section', () => {
    const bars = rewardBenchBars(report('rewardbench', pairs).rewardbench);
    // Chat = alpacaeval-easy alone = 0.5; Reasoning = math-prm alone = 1; overall = (0.5 + 1) / 2.
    assert.deepEqual(bars, {
      kind: 'accuracyBars',
      source: 'rewardbench',
      overall: 0.75,
      bars: [
        { label: 'Chat', group: null, value: 0.5, count: null },
        { label: 'Reasoning', group: null, value: 1, count: null },
      ],
    });
  });

  it('RewardBench 2: best-of-4 subsets and Ties', () => {
    const sets = [
      scoredPreference([0.9], [0.1, 0.2, 0.3], { comparison: 'best-of-n', subset: 'Math' }), // accurate
      scoredPreference([0.5], [0.6, 0.1, 0.1], { comparison: 'best-of-n', subset: 'Math' }), // not
      // Ties (simplified): accurate (0.7 > 0.1); margin 0.7 − 0.1 = 0.6 > spread 0.8 − 0.7 = 0.1 → score (1 + 1) / 2.
      scoredPreference([0.8, 0.7], [0.1], { comparison: 'best-of-n', subset: 'Ties' }),
    ];
    const bars = rewardBench2Bars(report('rewardbench2', sets).rewardbench2);
    assert.ok(bars.kind === 'accuracyBars');
    assert.deepEqual(bars.bars, [
      { label: 'Math', group: null, value: 0.5, count: 2 },
      { label: 'Ties', group: null, value: 1, count: 1 },
    ]);
    assert.equal(bars.overall, 0.75);
  });

  it('pairs that name no subset get one bar, all pairs, with the overall accuracy (hand-counted: 2 of 3 right)', () => {
    const bars = pairwiseBars(report('trl-preference', [scoredPreference([0.9], [0.1]), scoredPreference([0.8], [0.3]), scoredPreference([0.2], [0.7])]).pairwise);
    assert.equal(bars.kind, 'accuracyBars');
    if (bars.kind !== 'accuracyBars') return;
    assert.deepEqual(bars.bars, [{ label: 'all pairs', group: null, value: 2 / 3, count: 3 }]);
    assert.equal(bars.overall, 2 / 3);
  });

  it('is not applicable, never zero, when nothing was measured', () => {
    assert.equal(pairwiseBars(undefined).kind, 'notApplicable');
    assert.equal(rewardBenchBars(undefined).kind, 'notApplicable');
    assert.equal(rewardBench2Bars(undefined).kind, 'notApplicable');
    // Only unscored pairs: evalReport has no pairwise metric at all.
    assert.equal(pairwiseBars(report('x', [scoredPreference([undefined], [0.1])]).pairwise).kind, 'notApplicable');
  });
});
