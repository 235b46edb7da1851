import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { trlStepLabel } from '../../../../src/core/formats/trlStepwise.js';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { assertLocated, readSample, samplesAvailable } from '../../helpers.js';


const LINES = [
  { prompt: 'Is 7 prime?\tThink "carefully".', completions: ['7 has no divisors but 1 and 7.', 'So yes.\nThe answer is: yes'], labels: [true, true] },
  { prompt: 'Soft labels', completions: ['a', 'b', 'c'], labels: [0.9, 0.5, 0.49] },
  { prompt: 'Too few labels', completions: ['a', 'b'], labels: [false] },
  { prompt: 'Odd label', completions: ['a', 'b'], labels: ['yes', true] },
];
const TEXT = LINES.map((l) => JSON.stringify(l)).join('\r\n');

describe('TRL stepwise supervision', () => {
  it('reads booleans and floats as labels, with answers after "The answer is:"', () => {
    const doc = parseDocument(TEXT, 'steps.jsonl');
    assert.equal(doc.format, 'trl-stepwise');
    const [a, b, c, d] = doc.records as Trace[];
    assert.equal(doc.records.length, 4);
    assert.equal(a?.id, '#1');
    assert.equal(a?.prompt, 'Is 7 prime?\tThink "carefully".');
    assert.deepEqual(a?.steps.map((s) => s.label), ['good', 'good']);
    assert.equal(a?.answer, 'yes');
    assert.deepEqual(a?.metadata, {});

    assert.deepEqual(b?.steps.map((s) => s.label), ['good', 'good', 'bad']);
    assert.deepEqual(b?.metadata['datasetStepScores'], [0.9, 0.5, 0.49]);
    assert.equal(b?.answer, undefined);

    assert.deepEqual(c?.steps.map((s) => s.label), ['bad', 'unknown']);
    assert.deepEqual(d?.steps.map((s) => s.label), ['unknown', 'good']);

    assert.deepEqual(
      doc.problems.map((p) => [p.line, p.severity]),
      [
        [3, 'warning'],
        [4, 'warning'],
      ],
    );
    assert.match(doc.problems[0]?.message ?? '', /"labels" has 1 entries for 2 completions/);
    assert.match(doc.problems[1]?.message ?? '', /Label 1 is not a boolean or number/);
    assertLocated(TEXT, doc.records);
  });

  it('maps labels at the 0.5 threshold', () => {
    assert.equal(trlStepLabel(true), 'good');
    assert.equal(trlStepLabel(0.5), 'good');
    assert.equal(trlStepLabel(0.4999), 'bad');
    assert.equal(trlStepLabel(false), 'bad');
    assert.equal(trlStepLabel(null), undefined);
  });

  it('reports a record whose completions are not an array', () => {
    const text = `${JSON.stringify(LINES[0])}\n{"prompt":"p","completions":"one","labels":[true]}`;
    const doc = parseDocument(text, 'x.jsonl', { prm800kRatingZero: 'neutral', segmentation: 'auto', format: 'trl-stepwise' });
    assert.equal(doc.records.length, 1);
    assert.match(doc.problems[0]?.message ?? '', /Not a TRL stepwise record/);
    assert.equal(doc.problems[0]?.line, 2);
  });

  it('reads the shared sample', { skip: !samplesAvailable() }, () => {
    const text = readSample('trl_stepwise.jsonl') ?? '';
    const doc = parseDocument(text, 'trl_stepwise.jsonl');
    assert.equal(doc.format, 'trl-stepwise');
    assert.deepEqual(doc.problems, []);
    const traces = doc.records as Trace[];
    assert.deepEqual(
      traces.map((t) => t.id),
      ['#1', '#2', '#3'],
    );
    assert.deepEqual(
      traces.map((t) => t.steps.map((s) => s.label)),
      [
        ['good', 'bad', 'bad'],
        ['good', 'bad', 'bad', 'bad', 'bad'],
        ['good', 'bad'],
      ],
    );
    assert.ok(traces[0]?.prompt.startsWith('Musa is the class teacher of a class of 45 students.'));
    assert.equal(traces[0]?.answer, '20');
    assert.equal(traces[1]?.answer, '52');
    assert.equal(traces[2]?.answer, undefined);
    assert.equal(traces[2]?.prompt, 'Which number is larger, 9.8 or 9.11?');
    assert.equal(traces[2]?.steps[1]?.text, 'Since 0.11 is greater than 0.8, the number 9.11 is larger than 9.8.');
    assertLocated(text, doc.records);
  });
});
