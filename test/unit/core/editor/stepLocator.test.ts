import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { buildStepSlots, recordAt, stepAt } from '../../../../src/core/editor/stepLocator.js';

const TEXT = [
  JSON.stringify({ prompt: 'p1', completions: ['alpha step', 'beta step'], labels: [true, false] }),
  JSON.stringify({ prompt: 'p2', completions: ['gamma'], labels: [true] }),
].join('\n');

describe('step locator', () => {
  const doc = parseDocument(TEXT, 'x.jsonl');
  const slots = buildStepSlots(doc.records);
  it('finds the step under an offset, at both ends and inside', () => {
    const beta = TEXT.indexOf('beta step');
    assert.deepEqual(stepAt(slots, beta), { start: beta, end: beta + 9, recordIndex: 0, responseIndex: 0, stepIndex: 1 });
    assert.equal(stepAt(slots, beta + 9)?.stepIndex, 1);
    assert.equal(stepAt(slots, TEXT.indexOf('gamma') + 2)?.recordIndex, 1);
    assert.equal(stepAt(slots, TEXT.indexOf('"prompt"')), undefined);
  });
  it('finds the record at an offset', () => {
    assert.equal(recordAt(doc.records, 0), 0);
    assert.equal(recordAt(doc.records, TEXT.indexOf('gamma')), 1);
  });
});
