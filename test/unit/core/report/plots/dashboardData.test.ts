import { seededRandom } from '../../../../../src/core/dataset/slicing.js';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { StepLabel } from '../../../../../src/core/dataset/types.js';
import { evalReport } from '../../../../../src/core/report/evalReport.js';
import { DEFAULT_DASHBOARD, dashboardData, type DashboardData } from '../../../../../src/core/report/plots/dashboardData.js';
import { DEFAULT_SCORING, type ScoredRecord } from '../../../../../src/core/scoring/scoreRecords.js';
import { scoredPreference, scoredTrace } from './builders.js';

const build = (format: string, scored: readonly ScoredRecord[]): DashboardData =>
  dashboardData(evalReport({ format }, scored, DEFAULT_SCORING, 'test-model'), scored);

/** Deterministic PRNG (mulberry32) in [0, 1). */
const random = seededRandom;

describe('dashboardData', () => {
  it('fills the trace plots for a trace file and marks the preference plots not applicable', () => {
    const traces = [
      scoredTrace([[0.9, 'good'], [0.2, 'bad']], { prompt: 'a', correct: false, label: 1 }),
      scoredTrace([[0.8, 'good'], [0.7, 'good']], { prompt: 'a', correct: true, label: -1 }),
    ];
    const d = build('processbench', traces);
    assert.deepEqual(d.header, { format: 'processbench', model: 'test-model', records: 2, threshold: 0.5, aggregation: 'min' });
    for (const key of ['stepScores', 'stepReliability', 'traceReliability', 'firstError', 'bestOfN'] as const) assert.notEqual(d[key].kind, 'notApplicable', key);
    for (const key of ['pairwise', 'rewardBench', 'rewardBench2', 'rmBench', 'margins'] as const) {
      const plot = d[key];
      assert.ok(plot.kind === 'notApplicable' && plot.reason.length > 0, key);
    }
    // Plain JSON: a round trip changes nothing (no undefined, NaN or class instances inside).
    assert.deepEqual(JSON.parse(JSON.stringify(d)), d);
  });

  it('fills the preference plots for a preference file and marks the trace plots not applicable', () => {
    const prefs = [scoredPreference([0.9], [0.1], { subset: 'math-prm' }), scoredPreference([2, 1, 0], [1.5, 0.5, -1], { comparison: 'matrix3x3' })];
    const d = build('rewardbench', prefs);
    for (const key of ['pairwise', 'rewardBench', 'rmBench', 'margins'] as const) assert.notEqual(d[key].kind, 'notApplicable', key);
    for (const key of ['stepScores', 'stepReliability', 'traceReliability', 'firstError', 'bestOfN', 'rewardBench2'] as const) assert.equal(d[key].kind, 'notApplicable', key);
    assert.deepEqual(JSON.parse(JSON.stringify(d)), d);
  });

  it('stays small for 100,000 scored traces (size, not time)', () => {
    const rand = random(9);
    const labels: readonly StepLabel[] = ['good', 'bad', 'neutral', 'unknown'];
    const scored: ScoredRecord[] = [];
    for (let i = 0; i < 100_000; i++) {
      const steps = Array.from({ length: 1 + Math.floor(rand() * 20) }, () => {
        const score = rand() < 0.02 ? Number.NaN : rand();
        return [score, labels[Math.floor(rand() * labels.length)] ?? 'unknown'] as const;
      });
      const label = rand() < 0.4 ? -1 : Math.floor(rand() * steps.length);
      // Eight samples per prompt, so the best-of-N curve and the heat map are both populated.
      scored.push(scoredTrace(steps, { prompt: `p${Math.floor(i / 8)}`, correct: rand() < 0.5, label, id: `math-${i}` }));
    }
    const d = build('processbench', scored);
    for (const key of ['stepScores', 'stepReliability', 'traceReliability', 'firstError', 'bestOfN'] as const) assert.notEqual(d[key].kind, 'notApplicable', key);
    assert.equal(d.firstError.kind === 'firstErrorHeatmap' ? d.firstError.count : -1, 100_000);
    const bytes = JSON.stringify(d).length;
    assert.ok(bytes < 50_000, `dashboard data is ${bytes} characters`);
  });

  it('honours the settings', () => {
    const d = dashboardData(
      evalReport({ format: 'x' }, [scoredTrace([[0.3, 'good']], { label: 0 })], DEFAULT_SCORING, 'm'),
      [scoredTrace([[0.3, 'good']], { label: 0 })],
      { ...DEFAULT_DASHBOARD, stepHistogramBins: 5, reliabilityBins: 4, firstErrorCap: 3 },
    );
    assert.equal(d.stepScores.kind === 'stepScoreHistogram' ? d.stepScores.bins.length : 0, 5);
    assert.equal(d.stepReliability.kind === 'reliability' ? d.stepReliability.bins.length : 0, 4);
    assert.equal(d.firstError.kind === 'firstErrorHeatmap' ? d.firstError.buckets.length : 0, 5);
  });
});
