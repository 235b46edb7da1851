import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { DatasetRecord, PreferenceSet, Trace } from '../../../../src/core/dataset/types.js';
import { parseScoreOut, sidecarRuns } from '../../../../src/core/editor/comparedRuns.js';
import { emptySidecar, ScoreStore } from '../../../../src/core/editor/scoreStore.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { scoreRecordJson } from '../../../../src/core/report/jsonReports.js';
import { assembleScored } from '../../../../src/core/scoring/scoreRecords.js';
import type { ScoreResult } from '../../../../src/core/scoring/scorer.js';

const SETTINGS = { threshold: 0.5, aggregation: 'min' as const, batchSize: 1 };
const TRACES = [
  { id: 't1', prompt: 'p', completions: ['one', 'two', 'three'], labels: [true, true, false] },
  { id: 't2', prompt: 'q', completions: ['x', 'y'], labels: [true, true] },
]
  .map((r) => JSON.stringify(r))
  .join('\n');
const PAIRS = JSON.stringify({ id: 'p1', prompt: 'Q?', chosen: 'The cat sat.', rejected: 'The dog sat.' });

/** A `score --out` line exactly as the CLI writes it: `{file, ...scoreRecordJson(scored)}`. */
function outLine(file: string, record: DatasetRecord, results: readonly ScoreResult[]): string {
  return JSON.stringify({ file, ...scoreRecordJson(assembleScored(record, results, SETTINGS)) });
}

const stepResult = (...scores: (number | null)[]): ScoreResult => ({ steps: scores.map((score) => ({ score: score ?? Number.NaN })), device: 'cpu' });

describe('parseScoreOut', () => {
  const doc = parseDocument(TRACES, 'data.jsonl');
  const [t1, t2] = doc.records as Trace[];
  const pairs = parseDocument(PAIRS, 'pairs.jsonl');
  const p1 = pairs.records[0] as PreferenceSet;

  it("reads each record's step scores by id, and looks them up as current when the texts match", () => {
    const text = [outLine('/data/data.jsonl', t1 as Trace, [stepResult(0.9, 0.4, null)]), outLine('/data/data.jsonl', t2 as Trace, [stepResult(0.2, 0.8)])].join('\n');
    const parsed = parseScoreOut(`${text}\n`, 'run-b.jsonl', '/work/data.jsonl');
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.records, 2);
    assert.equal(parsed.pairedById, false);
    const found = parsed.scores.lookup(t1 as Trace);
    assert.equal(found?.stale, false);
    const scores = found?.results[0]?.steps.map((s) => s.score);
    assert.deepEqual(scores?.slice(0, 2), [0.9, 0.4]);
    // An unscored step (null in the file) is NaN, as a sidecar's null is read.
    assert.ok(Number.isNaN(scores?.[2]));
    assert.deepEqual(parsed.scores.lookup(t2 as Trace)?.results[0]?.steps.map((s) => s.score), [0.2, 0.8]);
    assert.equal(parsed.scores.hasResultsFor('t1'), true);
    assert.equal(parsed.scores.hasResultsFor('nope'), false);
  });

  it('reports a torn or invalid line with its file and line, and uses the rest', () => {
    const good = outLine('data.jsonl', t2 as Trace, [stepResult(0.2, 0.8)]);
    const torn = outLine('data.jsonl', t1 as Trace, [stepResult(0.9, 0.4, 0.1)]).slice(0, 40);
    const noSteps = JSON.stringify({ file: 'data.jsonl', kind: 'trace', id: 't9', score: 0.5, first_error: null });
    const badStep = JSON.stringify({ file: 'data.jsonl', kind: 'trace', id: 't8', score: 0.5, first_error: null, steps: [{ text: 'a', score: 'high' }] });
    const parsed = parseScoreOut([good, torn, '', noSteps, badStep, '{"id": "x"}'].join('\n'), 'run-b.jsonl', 'data.jsonl');
    assert.equal(parsed.problems.length, 4, parsed.problems.join('\n'));
    assert.match(parsed.problems[0] ?? '', /^run-b\.jsonl:2: not valid JSON/);
    assert.equal(parsed.problems[1], 'run-b.jsonl:4: no "steps" list');
    assert.equal(parsed.problems[2], 'run-b.jsonl:5: "steps"[0].score is not a number or null');
    assert.match(parsed.problems[3] ?? '', /^run-b\.jsonl:6: no "file" string/);
    assert.equal(parsed.records, 1);
    assert.deepEqual(parsed.scores.lookup(t2 as Trace)?.results[0]?.steps.map((s) => s.score), [0.2, 0.8]);
    assert.equal(parsed.scores.lookup(t1 as Trace), undefined);
  });

  it('marks a record whose step texts changed since the run as stale', () => {
    const parsed = parseScoreOut(outLine('data.jsonl', t1 as Trace, [stepResult(0.9, 0.4, 0.1)]), 'b.jsonl', 'data.jsonl');
    const edited = parseDocument(TRACES.replace('"two"', '"two, edited"'), 'data.jsonl').records[0] as Trace;
    assert.equal(parsed.scores.lookup(edited)?.stale, true);
    assert.equal(parsed.scores.lookup(t1 as Trace)?.stale, false);
  });

  it("keeps only the data file's records when the run holds several files, else pairs by id and says so", () => {
    const text = [outLine('a/data.jsonl', t1 as Trace, [stepResult(0.9, 0.4, 0.1)]), outLine('a/other.jsonl', t2 as Trace, [stepResult(0.2, 0.8)])].join('\n');
    const ours = parseScoreOut(text, 'b.jsonl', '/x/data.jsonl');
    assert.deepEqual([ours.records, ours.otherFiles, ours.pairedById], [1, 1, false]);
    assert.equal(ours.scores.lookup(t2 as Trace), undefined);
    const byId = parseScoreOut(text, 'b.jsonl', '/x/renamed.jsonl');
    assert.deepEqual([byId.records, byId.otherFiles, byId.pairedById], [2, 0, true]);
    assert.ok(byId.scores.lookup(t2 as Trace));
  });

  it('keeps the later line of a repeated id and says so', () => {
    const text = [outLine('data.jsonl', t2 as Trace, [stepResult(0.1, 0.1)]), outLine('data.jsonl', t2 as Trace, [stepResult(0.7, 0.6)])].join('\n');
    const parsed = parseScoreOut(text, 'b.jsonl', 'data.jsonl');
    assert.deepEqual(parsed.problems, ['b.jsonl:2: record id "t2" already on line 1; this later line is used']);
    assert.deepEqual(parsed.scores.lookup(t2 as Trace)?.results[0]?.steps.map((s) => s.score), [0.7, 0.6]);
  });

  it("reads a preference record's response scores as whole-response scores", () => {
    const parsed = parseScoreOut(outLine('pairs.jsonl', p1, [stepResult(0.8), stepResult(0.3)]), 'b.jsonl', 'pairs.jsonl');
    assert.deepEqual(parsed.problems, []);
    const found = parsed.scores.lookup(p1);
    assert.equal(found?.stale, false);
    assert.deepEqual(found?.results.map((r) => r.sequenceScore), [0.8, 0.3]);
    const scored = found && assembleScored(p1, found.results, SETTINGS);
    assert.equal(scored?.kind === 'preference' ? scored.margin : undefined, 0.5);
    // A trace with the same id is not this record.
    assert.equal(parseScoreOut(outLine('pairs.jsonl', { ...(t1 as Trace), id: 'p1' }, [stepResult(0.9, 0.4, 0.1)]), 'b.jsonl', 'pairs.jsonl').scores.lookup(p1), undefined);
  });
});

describe('sidecarRuns', () => {
  it('lists the other models with results and how many records each scored', () => {
    const [t1, t2] = parseDocument(TRACES, 'data.jsonl').records;
    const p1 = parseDocument(PAIRS, 'pairs.jsonl').records[0];
    const data = emptySidecar();
    const a = new ScoreStore(data, 'builtin');
    a.put(t1 as Trace, [stepResult(0.9, 0.4, 0.1)]);
    const b = new ScoreStore(data, '/models/Qwen2.5-Math-PRM-7B');
    b.put(t1 as Trace, [stepResult(0.5, 0.5, 0.5)]);
    b.put(t2 as Trace, [stepResult(0.5, 0.5)]);
    // Two results (one per response), one record.
    b.put(p1 as PreferenceSet, [stepResult(0.5), stepResult(0.2)]);
    new ScoreStore(data, 'empty');
    assert.deepEqual(sidecarRuns(data, 'builtin'), [{ modelId: '/models/Qwen2.5-Math-PRM-7B', records: 3 }]);
    assert.deepEqual(sidecarRuns(data, 'other'), [
      { modelId: '/models/Qwen2.5-Math-PRM-7B', records: 3 },
      { modelId: 'builtin', records: 1 },
    ]);
  });
});
