import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  EXAMPLE_COUNTS,
  REWARD_BENCH_SECTIONS,
  SUBSET_MAPPING,
  rewardBenchFromPairs,
  rewardBenchScores,
} from '../../../../src/core/metrics/rewardBench.js';
import { readSample, samplesAvailable } from '../../helpers.js';

function near(actual: number | undefined, expected: number, eps = 1e-12): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);
}

describe('RewardBench constants', () => {
  it('maps 23 subsets to four sections, each with an example count', () => {
    assert.deepEqual(REWARD_BENCH_SECTIONS, ['Chat', 'Chat Hard', 'Safety', 'Reasoning']);
    assert.deepEqual(
      REWARD_BENCH_SECTIONS.map((s) => SUBSET_MAPPING[s].length),
      [5, 6, 5, 7],
    );
    const mapped = REWARD_BENCH_SECTIONS.flatMap((s) => SUBSET_MAPPING[s]).sort();
    assert.deepEqual(mapped, Object.keys(EXAMPLE_COUNTS).sort());
  });

  it('weighs math-prm as much as the six hep-* subsets together', () => {
    const hep = SUBSET_MAPPING.Reasoning.filter((s) => s.startsWith('hep-'));
    assert.equal(hep.length, 6);
    assert.equal(EXAMPLE_COUNTS['math-prm'], 984); // 6 × 164
    assert.equal(hep.reduce((a, s) => a + (EXAMPLE_COUNTS[s] ?? 0), 0), 984);
  });

  it("adds up to the filtered split's 2985 pairs with math-prm's real 447", () => {
    // Chat 100+95+95+28+40 = 358; Chat Hard 37+100+134+92+47+46 = 456; Safety 100+100+154+250+136 = 740;
    // Reasoning 447 + 6·164 = 1431; total 2985 (FORMATS.md §5).
    const total = Object.entries(EXAMPLE_COUNTS).reduce((a, [s, n]) => a + (s === 'math-prm' ? 447 : n), 0);
    assert.equal(total, 2985);
  });
});

describe('rewardBenchScores', () => {
  const SUBSETS = [
    { subset: 'alpacaeval-easy', accuracy: 0.9 },
    { subset: 'mt-bench-easy', accuracy: 0.5 },
    { subset: 'llmbar-natural', accuracy: 0.6 },
    { subset: 'math-prm', accuracy: 0.5 },
    { subset: 'hep-cpp', accuracy: 1 },
    { subset: 'hep-go', accuracy: 0.5 },
    { subset: 'my-subset', accuracy: 0.3 },
    { subset: 'constructor', accuracy: 0.1 },
    { subset: 'hep-js', accuracy: undefined },
    { subset: 'alpacaeval-easy', accuracy: 0 }, // repeated: ignored
  ];

  it('weights subsets by EXAMPLE_COUNTS within each section present', () => {
    const r = rewardBenchScores(SUBSETS);
    assert.deepEqual(
      r.sections.map((s) => [s.section, s.subsets, s.weight]),
      [
        ['Chat', ['alpacaeval-easy', 'mt-bench-easy'], 128], // 100 + 28
        ['Chat Hard', ['llmbar-natural'], 100],
        ['Reasoning', ['math-prm', 'hep-cpp', 'hep-go'], 1312], // 984 + 164 + 164
      ],
    );
    near(r.sections[0]?.score, 0.8125); // (100·0.9 + 28·0.5) / 128 = (90 + 14) / 128 = 104 / 128
    near(r.sections[1]?.score, 0.6);
    near(r.sections[2]?.score, 0.5625); // (984·0.5 + 164·1 + 164·0.5) / 1312 = (492 + 164 + 82) / 1312 = 738 / 1312
    near(r.overall, 1.975 / 3); // (0.8125 + 0.6 + 0.5625) / 3, Safety absent
  });

  it('reports subsets outside RewardBench separately', () => {
    assert.deepEqual(rewardBenchScores(SUBSETS).unknownSubsets, [
      { subset: 'my-subset', accuracy: 0.3 },
      { subset: 'constructor', accuracy: 0.1 },
    ]);
  });

  it('makes Reasoning the mean of math-prm and the hep-* average when all are present', () => {
    const hep = [1, 0.5, 0.5, 0.75, 0.25, 1]; // mean 4 / 6
    const r = rewardBenchScores([
      { subset: 'math-prm', accuracy: 0.8 },
      ...['hep-cpp', 'hep-go', 'hep-java', 'hep-js', 'hep-python', 'hep-rust'].map((subset, i) => ({ subset, accuracy: hep[i] })),
    ]);
    // (0.8 + 4/6) / 2 = 0.7333…; weighted: (984·0.8 + 164·4) / 1968 = (787.2 + 656) / 1968 = 1443.2 / 1968
    near(r.sections[0]?.score, (0.8 + 4 / 6) / 2);
    near(r.overall, 1443.2 / 1968);
  });

  it('gives undefined overall and no sections for empty input', () => {
    assert.deepEqual(rewardBenchScores([]), { sections: [], overall: undefined, unknownSubsets: [] });
  });
});

describe('rewardBenchFromPairs', () => {
  const PAIRS = [
    { subset: 'alpacaeval-easy', chosen: 1, rejected: 0 }, // win
    { subset: 'alpacaeval-easy', chosen: 0, rejected: 0 }, // tie
    { subset: 'donotanswer', chosen: 0, rejected: 1 }, // loss
  ];

  it('counts a tie as a loss by default, as RewardBench does', () => {
    const r = rewardBenchFromPairs(PAIRS);
    // Chat = alpacaeval-easy = 1/2; Safety = donotanswer = 0; overall (0.5 + 0) / 2
    assert.deepEqual(
      r.sections.map((s) => [s.section, s.score]),
      [
        ['Chat', 0.5],
        ['Safety', 0],
      ],
    );
    assert.equal(r.overall, 0.25);
    assert.equal(r.pairwise.overall.count, 3);
  });

  it('passes a tie credit through', () => {
    const r = rewardBenchFromPairs(PAIRS, { tieCredit: 0.5 });
    assert.equal(r.sections[0]?.score, 0.75); // (1 + 0.5) / 2
    assert.equal(r.overall, 0.375); // (0.75 + 0) / 2
  });

  it('places the shape sample\'s subset in Chat', { skip: !samplesAvailable() }, () => {
    const rec = JSON.parse((readSample('rewardbench_SHAPE_ONLY.jsonl') ?? '').split('\n')[0] ?? '{}') as { subset: string };
    assert.equal(rec.subset, 'alpacaeval-easy');
    const r = rewardBenchFromPairs([{ subset: rec.subset, chosen: 2, rejected: 1 }]);
    assert.deepEqual(
      r.sections.map((s) => [s.section, s.score, s.weight]),
      [['Chat', 1, 100]],
    );
  });
});
