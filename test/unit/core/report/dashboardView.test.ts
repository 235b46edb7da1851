import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseRun } from '../../../../src/core/metrics/compareRuns.js';
import { compareView, dashboardView, runRowOfScored } from '../../../../src/core/report/dashboardView.js';
import { scoreRecordJson } from '../../../../src/core/report/jsonReports.js';
import { DEFAULT_SCORING } from '../../../../src/core/scoring/scoreRecords.js';
import { scoredPreference, scoredTrace } from './plots/builders.js';

describe('dashboardView', () => {
  it('with nothing scored, has no figures and says how many records wait', () => {
    const v = dashboardView({ file: 'd.jsonl', format: 'processbench', model: 'builtin', records: 7, scored: [] }, DEFAULT_SCORING);
    assert.deepEqual(v, { file: 'd.jsonl', coverage: { records: 7, scored: 0 } });
  });

  it('counts scored records of all, and maps each disagreement back to the number its record opens by', () => {
    // t1: step 2 labelled bad but scored 0.9 (the model misses the error) → a disagreement; t0 agrees.
    const t0 = scoredTrace([[0.9, 'good'], [0.1, 'bad']], { id: 'ok' });
    const t1 = scoredTrace([[0.9, 'good'], [0.95, 'bad']], { id: 'missed' });
    const v = dashboardView({ file: 'd.jsonl', format: 'prm800k', model: 'builtin', records: 5, scored: [t0, t1], refs: [10, 42] }, DEFAULT_SCORING);
    assert.deepEqual(v.coverage, { records: 5, scored: 2 });
    assert.equal(v.data?.header.records, 2);
    const q = v.data?.disagreements;
    assert.equal(q?.kind, 'disagreementQueue');
    if (q?.kind !== 'disagreementQueue') return;
    assert.deepEqual(q.entries.map((e) => e.id), ['missed']);
    assert.deepEqual(v.disagreementRecords, [42]);
  });

  it('without refs (a CLI report), disagreements open nothing', () => {
    const t = scoredTrace([[0.95, 'bad']], { id: 'x' });
    const v = dashboardView({ file: 'd.jsonl', format: 'prm800k', model: 'm', records: 1, scored: [t] }, DEFAULT_SCORING);
    assert.equal(v.disagreementRecords, undefined);
  });
});

describe('runRowOfScored', () => {
  it('reads the same as the record\'s score --out line read back by parseRun', () => {
    const records = [
      scoredTrace([[0.9, 'good'], [0.2, 'bad']], { id: 'a' }),
      scoredTrace([[0.8, 'good']], { id: 'b' }),
      scoredPreference([0.7], [0.2], { id: 'c', subset: 'math-prm' }),
      scoredPreference([0.1], [undefined], { id: 'd' }),
    ];
    const text = records.map((s) => JSON.stringify({ file: 'f.jsonl', ...scoreRecordJson(s) })).join('\n');
    const parsed = parseRun(text, 'run');
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(records.map((s) => runRowOfScored(s, 'f.jsonl')), parsed.rows);
  });
});

describe('compareView', () => {
  it('compares two runs on the intersection, with the scatter and which record each disagreement opens', () => {
    const a = [scoredTrace([[0.9, 'good']], { id: 'x' }), scoredTrace([[0.2, 'bad']], { id: 'y' }), scoredTrace([[0.6, 'good']], { id: 'only-a' })];
    const b = [scoredTrace([[0.3, 'good']], { id: 'x' }), scoredTrace([[0.2, 'bad']], { id: 'y' })];
    const refs = new Map([['x', 0], ['y', 1], ['only-a', 2]]);
    const v = compareView('A', 'B', a.map((s) => runRowOfScored(s, 'f')), b.map((s) => runRowOfScored(s, 'f')), { refOf: (_f, id) => refs.get(id) });
    assert.equal(v.report.records, 2);
    assert.equal(v.report.left_out.only_in_a, 1);
    assert.deepEqual(v.report.disagreements.map((d) => d.id), ['x']);
    assert.deepEqual(v.disagreementRecords, [0]);
    assert.equal(v.scatter.kind, 'compareScatter');
    if (v.scatter.kind === 'compareScatter') assert.equal(v.scatter.panels[0]?.count, 2);
  });
});
