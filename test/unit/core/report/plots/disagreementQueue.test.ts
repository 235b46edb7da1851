import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { PreferenceSet, StepLabel } from '../../../../../src/core/dataset/types.js';
import { evalReport } from '../../../../../src/core/report/evalReport.js';
import { dashboardData } from '../../../../../src/core/report/plots/dashboardData.js';
import { disagreementQueue, type DisagreementEntry } from '../../../../../src/core/report/plots/disagreementQueue.js';
import { DEFAULT_SCORING, type ScoredRecord } from '../../../../../src/core/scoring/scoreRecords.js';
import { scoredPreference, scoredTrace } from './builders.js';

// Threshold 0.5 throughout. Scores are dyadic fractions, so every confidence below is exact and ties are real ties.
const settings = { threshold: 0.5 };
const MIX: readonly ScoredRecord[] = [
  /* 0 */ scoredTrace([[0.875, 'good'], [0.0625, 'good'], [0.75, 'bad']], { id: 'early' }), // L=2, P=1: 0.5 − 0.0625 = 0.4375
  /* 1 */ scoredTrace([[0.875, 'good'], [0.75, 'bad']], { id: 'missed' }), // L=1, P=none: 0.75 − 0.5 = 0.25
  /* 2 */ scoredTrace([[0.875, 'good'], [0.25, 'bad']], { id: 'agrees' }), // L=1, P=1: agreement
  /* 3 */ scoredTrace([[0.75, 'good'], [0.625, 'good'], [0.125, 'good']], { id: 'clean' }), // L=none, P=2: 0.5 − 0.125 = 0.375
  /* 4 */ scoredPreference([0.25], [0.5], { id: 'pair' }), // margin −0.25: 0.25 (ties with 1, after it)
  /* 5 */ scoredPreference([0.75], [0.25], { id: 'pair-ok' }), // margin 0.5: agreement
  /* 6 */ scoredTrace([[0.25, 'unknown'], [0.875, 'unknown']], { id: 'final-correct', correct: true }), // min 0.25 < 0.5: 0.25 (ties again)
  /* 7 */ scoredTrace([[1, 'unknown']], { id: 'final-incorrect', correct: false }), // 1 ≥ 0.5: 1 − 0.5 = 0.5
  /* 8 */ scoredTrace([[0.125, 'unknown']], { id: 'no-label' }), // unlabelled
  /* 9 */ scoredPreference([undefined], [0.5], { id: 'pair-unscored' }), // unscored
  /* 10 */ scoredTrace([[0.875, 'good'], [Number.NaN, 'bad']], { id: 'bad-unscored' }), // labelled bad step has no score: unscored
  /* 11 */ scoredPreference([0.5, 0.25], [0.375, 0.125], { id: 'bon', comparison: 'best-of-n' }), // 0.25 − 0.375 = −0.125
  /* 12 */ scoredPreference([0.5], [0.5], { id: 'tie' }), // margin 0: agreesWithLabel false, confidence 0
  /* 13 */ scoredTrace([[0.875, 'good'], [0.25, 'unknown']], { id: 'silent' }), // P=1 where the labels are silent: agreement
];

const EXPECTED: readonly DisagreementEntry[] = [
  { recordIndex: 7, id: 'final-incorrect', kind: 'trace', reason: 'labelled incorrect; model scores the trace 1.000, at or over the threshold 0.500', confidence: 0.5, score: 1, firstError: null },
  {
    recordIndex: 0,
    id: 'early',
    kind: 'trace',
    reason: 'labelled first error at step 3; model puts it earlier, at step 2 (score 0.063)',
    confidence: 0.4375,
    score: 0.0625,
    firstError: 1,
    labelledFirstError: 2,
  },
  {
    recordIndex: 3,
    id: 'clean',
    kind: 'trace',
    reason: 'labelled correct at every step; model puts the first error at step 3 (score 0.125)',
    confidence: 0.375,
    score: 0.125,
    firstError: 2,
    labelledFirstError: null,
  },
  {
    recordIndex: 1,
    id: 'missed',
    kind: 'trace',
    reason: 'labelled first error at step 2; model passes it (score 0.750) and finds no error',
    confidence: 0.25,
    score: 0.75,
    firstError: null,
    labelledFirstError: 1,
  },
  { recordIndex: 4, id: 'pair', kind: 'preference', reason: 'chosen response scored 0.250 below the rejected one', confidence: 0.25, score: 0.25, margin: -0.25 },
  { recordIndex: 6, id: 'final-correct', kind: 'trace', reason: 'labelled correct; model scores the trace 0.250, under the threshold 0.500', confidence: 0.25, score: 0.25, firstError: 0 },
  { recordIndex: 11, id: 'bon', kind: 'preference', reason: 'lowest chosen response scored 0.125 below the highest rejected one', confidence: 0.125, score: 0.25, margin: -0.125 },
  { recordIndex: 12, id: 'tie', kind: 'preference', reason: 'chosen and rejected responses scored the same (margin 0)', confidence: 0, score: 0.5, margin: 0 },
];

describe('disagreementQueue', () => {
  it('ranks traces and preference sets by confidence, ties in record order, and counts the rest', () => {
    const q = disagreementQueue(MIX, settings);
    assert.deepEqual(q, { kind: 'disagreementQueue', entries: EXPECTED, disagreements: 8, considered: 11, unlabeled: 1, unscored: 2 });
  });

  it('keeps the most confident `limit` entries and still counts every disagreement', () => {
    const q = disagreementQueue(MIX, settings, 3);
    assert.deepEqual(
      q.entries.map((e) => e.recordIndex),
      [7, 0, 3],
    );
    assert.equal(q.disagreements, 8);
    assert.deepEqual(disagreementQueue(MIX, settings, 0).entries, []);
    assert.throws(() => disagreementQueue(MIX, settings, -1), RangeError);
    assert.throws(() => disagreementQueue(MIX, settings, 1.5), RangeError);
  });

  it('judges first errors at the given threshold, not the one the records were scored with', () => {
    // At 0.7 step 1 (0.625) of record 3 is the model's first error: confidence 0.7 − 0.625.
    const q = disagreementQueue([MIX[3] as ScoredRecord], { threshold: 0.7 });
    assert.equal(q.entries[0]?.firstError, 1);
    assert.ok(Math.abs((q.entries[0]?.confidence ?? 0) - 0.075) < 1e-12);
  });

  it('says "no step labelled bad" when the labels are partial or neutral, and cuts long ids', () => {
    const long = 'x'.repeat(500);
    const q = disagreementQueue([scoredTrace([[0.25, 'neutral'], [0.875, 'good']], { id: long })], settings);
    const e = q.entries[0];
    assert.equal(e?.reason, 'no step labelled bad; model puts the first error at step 1 (score 0.250)');
    assert.equal(e?.id.length, 160);
    assert.ok(e?.id.endsWith('…'));
  });

  it('counts a NaN margin as unscored, not as a contradiction (agreesWithLabel is false for it)', () => {
    const nan = scoredPreference([Number.NaN], [0.5]);
    assert.equal(nan.agreesWithLabel, false);
    assert.deepEqual(disagreementQueue([nan, scoredPreference([0.5], [])], settings), { kind: 'disagreementQueue', entries: [], disagreements: 0, considered: 0, unlabeled: 1, unscored: 1 });
  });

  it('lists only real disagreements, most confident first (property)', () => {
    const label = fc.constantFrom<StepLabel>('good', 'bad', 'neutral', 'unknown');
    const score = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(Number.NaN));
    const trace = fc
      .record({ steps: fc.array(fc.tuple(score, label), { maxLength: 6 }), correct: fc.option(fc.boolean(), { nil: undefined }) })
      .map(({ steps, correct }) => scoredTrace(steps, correct === undefined ? {} : { correct }));
    const side = fc.array(fc.option(fc.double({ min: -3, max: 3, noNaN: true }), { nil: undefined, freq: 8 }), { maxLength: 3 });
    const pref = fc
      .record({ chosen: side, rejected: side, comparison: fc.constantFrom<PreferenceSet['comparison']>('pair', 'best-of-n', 'matrix3x3') })
      .map(({ chosen, rejected, comparison }) => scoredPreference(chosen, rejected, { comparison }));
    const record = fc.oneof(trace, pref);
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), fc.nat(40), (scored, limit) => {
        const q = disagreementQueue(scored, settings, limit);
        assert.equal(q.considered + q.unlabeled + q.unscored, scored.length);
        assert.equal(q.entries.length, Math.min(limit, q.disagreements));
        assert.ok(q.disagreements <= q.considered);
        q.entries.forEach((e, i) => {
          const prev = q.entries[i - 1];
          if (prev) assert.ok(prev.confidence > e.confidence || (prev.confidence === e.confidence && prev.recordIndex < e.recordIndex));
          assert.ok(e.confidence >= 0 && Number.isFinite(e.confidence));
          assertDisagrees(scored, e);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('is part of the dashboard data, small and plain JSON', () => {
    const d = dashboardData(evalReport({ format: 'x' }, MIX, DEFAULT_SCORING, 'm'), MIX);
    assert.ok(d.disagreements.kind === 'disagreementQueue');
    assert.deepEqual(d.disagreements.entries, EXPECTED);
    assert.deepEqual(JSON.parse(JSON.stringify(d.disagreements)), d.disagreements);
    const none = [scoredTrace([[0.125, 'unknown']])];
    const empty = dashboardData(evalReport({ format: 'x' }, none, DEFAULT_SCORING, 'm'), none);
    assert.deepEqual(empty.disagreements, { kind: 'notApplicable', reason: 'No record has both a label and a model verdict on it (1 unlabelled, 0 unscored).' });
  });
});

/** Checks from the record itself that the entry contradicts its label, by the entry's confidence. */
function assertDisagrees(scored: readonly ScoredRecord[], e: DisagreementEntry): void {
  const s = scored[e.recordIndex];
  assert.ok(s !== undefined && s.kind === e.kind);
  if (s.kind === 'preference') {
    assert.equal(s.agreesWithLabel, false);
    assert.equal(e.margin, s.margin);
    assert.equal(e.confidence, -(s.margin ?? Number.NaN));
    return;
  }
  assert.equal(e.confidence, Math.abs(e.score - 0.5));
  if (e.labelledFirstError === undefined) {
    // Final flag only: the trace score is on the wrong side of the threshold.
    assert.equal(e.score, s.score);
    assert.notEqual(e.score >= 0.5, s.record.correct);
    return;
  }
  const labels = s.record.steps.map((st) => st.label);
  const firstBad = labels.indexOf('bad');
  assert.equal(e.labelledFirstError, firstBad === -1 ? null : firstBad);
  assert.notEqual(e.firstError, e.labelledFirstError);
  const model = e.firstError;
  if (model !== null && model !== undefined && (firstBad === -1 || model < firstBad)) {
    // The model's first error falls on a step the labels count as fine.
    assert.equal(e.score, s.steps[model]?.score);
    assert.ok(e.score < 0.5 && labels[model] !== 'bad');
  } else {
    // The labelled bad step passes the threshold.
    assert.equal(e.score, s.steps[firstBad]?.score);
    assert.ok(e.score >= 0.5);
  }
}
