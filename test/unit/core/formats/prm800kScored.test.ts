import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { assertLocated, readSample, samplesAvailable } from '../../helpers.js';


const probs = (p1: number): object => ({ '-1': (1 - p1) / 2, '0': (1 - p1) / 2, '1': p1 });
const SMALL = [
  {
    problem: 'Compute $\\frac{1}{2}+\\frac{1}{2}$.',
    answer: '1',
    is_correct: true,
    subject: 'Algebra',
    level: 1,
    unique_id: 'test/algebra/1.json',
    steps: ['Add the halves: $\\frac{2}{2}$.', 'That is 1.\n\n# Answer\n\n1'],
    rating_probs: [probs(0.75), probs(0.5)],
    orm_score: 0.9,
    prm_score: 0.375,
  },
  // The same problem sampled again: given_answer, is_correct false, no rating_probs.
  {
    problem: 'Compute $\\frac{1}{2}+\\frac{1}{2}$.',
    given_answer: '2',
    is_correct: false,
    unique_id: 'test/algebra/1.json',
    steps: ['Add tops and bottoms: 2/4… “no”.', 'So 2.'],
    prm_score: 0.125,
  },
  // One rating_probs entry too few.
  { problem: 'q', answer: 'a', is_correct: true, steps: ['s1', 's2'], rating_probs: [probs(0.25)], ground_truth_answer: 'a' },
];
const TEXT = SMALL.map((r) => JSON.stringify(r)).join('\n');

describe('PRM800K scored samples', () => {
  it('reads steps unlabelled, with P(rating = 1) as dataset step scores', () => {
    const doc = parseDocument(TEXT, 'scored.jsonl');
    assert.equal(doc.format, 'prm800k-scored');
    const [a, b, d] = doc.records as Trace[];
    assert.equal(doc.records.length, 3);

    assert.equal(a?.id, 'test/algebra/1.json#1');
    assert.equal(a?.prompt, 'Compute $\\frac{1}{2}+\\frac{1}{2}$.');
    assert.deepEqual(a?.steps.map((s) => s.label), ['unknown', 'unknown']);
    assert.deepEqual(a?.metadata['datasetStepScores'], [0.75, 0.5]);
    assert.equal(a?.metadata['prm_score'], 0.375);
    assert.equal(a?.metadata['orm_score'], 0.9);
    assert.equal(a?.answer, '1');
    assert.equal(a?.correct, true);
    assert.equal(a?.reference, undefined);

    assert.equal(b?.id, 'test/algebra/1.json#2');
    assert.equal(b?.answer, '2');
    assert.equal(b?.correct, false);
    assert.equal('datasetStepScores' in (b?.metadata ?? {}), false);

    assert.equal(d?.id, '#3');
    assert.equal(d?.reference, 'a');
    assert.equal('datasetStepScores' in (d?.metadata ?? {}), false);
    assert.equal(doc.problems.length, 1);
    assert.equal(doc.problems[0]?.line, 3);
    assert.equal(doc.problems[0]?.severity, 'warning');
    assert.match(doc.problems[0]?.message ?? '', /"rating_probs" has 1 entries for 2 steps/);

    assertLocated(TEXT, doc.records);
  });

  it('keeps scores aligned with the steps that are kept', () => {
    const text = JSON.stringify({ problem: 'q', answer: 'a', steps: ['s1', 5, 's3'], rating_probs: [probs(0.25), probs(0.5), probs(1)] });
    const doc = parseDocument(text, 'x.jsonl');
    const t = doc.records[0] as Trace;
    assert.deepEqual(t.steps.map((s) => s.text), ['s1', 's3']);
    assert.deepEqual(t.metadata['datasetStepScores'], [0.25, 1]);
    assert.deepEqual(doc.problems.map((p) => p.message), ['Step 2 is a number, expected a string; it is skipped.']);
  });

  it('reads the shared sample', { skip: !samplesAvailable() }, () => {
    const text = readSample('prm800k_scored_samples.jsonl') ?? '';
    const doc = parseDocument(text, 'prm800k_scored_samples.jsonl');
    assert.equal(doc.format, 'prm800k-scored');
    assert.deepEqual(doc.problems, []);
    assert.equal(doc.records.length, 1);
    const t = doc.records[0] as Trace;
    assert.equal(t.id, 'test/precalculus/779.json#1');
    assert.equal(t.steps.length, 4);
    assert.deepEqual(t.steps.map((s) => s.label), ['unknown', 'unknown', 'unknown', 'unknown']);
    assert.equal(t.steps[1]?.text, 'So, I can write the rotation as $(7 + 2i)i = 7i + 2i^2.$');
    assert.deepEqual(t.metadata['datasetStepScores'], [0.387681464904673, 0.9101000509718192, 0.9291714977657496, 0.1384993425138924]);
    assert.equal(t.metadata['prm_score'], 0.09157553704097245);
    assert.equal(t.metadata['orm_score'], 0.6326445937156677);
    assert.equal(t.metadata['subject'], 'Precalculus');
    assert.equal(t.answer, '7i - 2');
    assert.equal(t.reference, '-2+7i');
    assert.equal(t.correct, true);
    assertLocated(text, doc.records);
  });
});
