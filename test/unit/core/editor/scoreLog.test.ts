import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { loggedResults, mergeScoreLog, readScoreLog, scoreLogLines, withoutModel } from '../../../../src/core/editor/scoreLog.js';
import { emptySidecar, requestKey } from '../../../../src/core/editor/scoreStore.js';
import { requestsOf } from '../../../../src/core/scoring/scoreRecords.js';

const trace = (id: string, step: string): Trace => ({ kind: 'trace', id, recordRange: { start: 0, end: 1 }, prompt: 'p', steps: [{ index: 0, text: step, label: 'unknown', part: 'reasoning' }], metadata: {} });
const result = (score: number) => ({ steps: [{ score }], device: 'cpu' });

describe('score log', () => {
  it('writes one line per request, keyed by model, row and the hash of the scored text, and reads them back', () => {
    const a = trace('a', '1 + 1 = 2');
    const text = scoreLogLines('m1', 7, a, [result(0.9)]) + scoreLogLines('m2', 7, a, [result(0.1)]);
    const log = readScoreLog(text);
    assert.equal(log.skipped, 0);
    assert.deepEqual([...(log.rows.get('m1')?.get(7) ?? [])], [requestKey(requestsOf(a)[0]!)]);
    assert.equal(loggedResults(log, 'm1', a)?.[0]?.steps[0]?.score, 0.9);
    assert.equal(loggedResults(log, 'm2', a)?.[0]?.recordId, 'a');
    // Another text of the same record is not a hit: scores follow the text, not the id.
    assert.equal(loggedResults(log, 'm1', trace('a', '1 + 1 = 3')), undefined);
  });

  it('skips torn and foreign lines, later lines win, and Clear drops exactly one model', () => {
    const a = trace('a', 'x');
    const text = `${scoreLogLines('m1', 0, a, [result(0.2)])}not json\n{"v":2}\n${scoreLogLines('m1', 0, a, [result(0.8)])}{"v":1,"model":"m1","ro`;
    const log = readScoreLog(text);
    assert.equal(log.skipped, 3);
    assert.equal(loggedResults(log, 'm1', a)?.[0]?.steps[0]?.score, 0.8);
    const kept = withoutModel(`${text}\n${scoreLogLines('m2', 3, a, [result(0.5)])}`, 'm1');
    assert.equal(kept.trim().split('\n').length, 1);
    assert.equal(readScoreLog(kept).rows.has('m1'), false);
    assert.equal(loggedResults(readScoreLog(kept), 'm2', a)?.[0]?.steps[0]?.score, 0.5);
  });

  it('merges into a sidecar, the log winning for the same key', () => {
    const a = trace('a', 'x');
    const side = emptySidecar();
    const key = requestKey(requestsOf(a)[0]!);
    side.models['m1'] = { [key]: { ...result(0.1), recordId: 'a' }, other: { ...result(0.3), recordId: 'b' } };
    const merged = mergeScoreLog(side, readScoreLog(scoreLogLines('m1', 0, a, [result(0.7)])).data);
    assert.equal(merged.models['m1']?.[key]?.steps[0]?.score, 0.7);
    assert.equal(merged.models['m1']?.['other']?.steps[0]?.score, 0.3);
  });
});
