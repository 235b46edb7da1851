import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { segmentSteps } from '../../../../src/core/text/segmentSteps.js';

const cut = (text: string, mode?: Parameters<typeof segmentSteps>[1]): string[] => segmentSteps(text, mode).map((s) => text.slice(s.start, s.end));

describe('segmentSteps', () => {
  it('prefers an explicit numbered list', () => {
    assert.deepEqual(cut('Plan:\n1. Add 2 and 3.\n2. Double it.\n3. Done.'), ['Plan:', '1. Add 2 and 3.', '2. Double it.', '3. Done.']);
  });
  it('uses Step N: markers when there is no list', () => {
    assert.deepEqual(cut('Step 1: a b\nc Step 2: d\nStep 3: e'), ['Step 1: a b\nc Step 2: d', 'Step 3: e']);
    assert.deepEqual(cut('Step 1: x.\n\nStep 2: y.'), ['Step 1: x.', 'Step 2: y.']);
  });
  it('falls back to blank-line paragraphs, keeping single newlines inside', () => {
    assert.deepEqual(cut('First line\nsame para.\n\n  Second para.\n \nThird.'), ['First line\nsame para.', 'Second para.', 'Third.']);
  });
  it('cuts a text of several single lines into lines', () => {
    assert.deepEqual(cut('a\nb\nc'), ['a', 'b', 'c']);
  });
  it('returns one step for one line and none for whitespace', () => {
    assert.deepEqual(cut('  just one  '), ['just one']);
    assert.deepEqual(cut(' \n\n '), []);
  });
  it('honours a forced mode', () => {
    assert.deepEqual(cut('1. a\n2. b\n\nc', 'paragraphs'), ['1. a\n2. b', 'c']);
    assert.deepEqual(cut('x\ny', 'lines'), ['x', 'y']);
  });
});
