import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { DEFAULT_PARSE_OPTIONS, type ParseOptions } from '../../../../src/core/formats/formatSpec.js';
import { prm800kLabel } from '../../../../src/core/formats/prm800k.js';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { assertLocated, readSample, samplesAvailable } from '../../helpers.js';


const c = (text: string, rating: number | null, flagged: boolean | null = null): object => ({ text, rating, flagged });
const step = (completions: object[] | null, chosen: number | null, human: object | string | null = null): object => ({
  completions,
  human_completion: human,
  chosen_completion: chosen,
});
const record = (steps: object[], finish = 'solution', problem = 'What is "6 × 7"?\nAnswer briefly.'): object => ({
  labeler: 'lab-1',
  timestamp: '2022-11-22T16:51:29.980606',
  generation: 3,
  is_quality_control_question: false,
  is_initial_screening_question: false,
  question: { problem, ground_truth_answer: '42' },
  label: { steps, total_time: 1000, finish_reason: finish },
});

const SMALL = [
  // 1: chosen completions, a rating-0 step, a final "# Answer".
  record([
    step([c('Multiply 6 by 7.', 1)], 0),
    step([c('Note that \\(6 \\times 7\\) is a product.', 0)], 0),
    step([c('wrong', -1), c('So it is 42.\n\n# Answer\n\n42', 1)], 1),
  ]),
  // 2: a human completion object replaces a -1 step; the terminal step has alternatives and none chosen.
  record(
    [
      step([c('First, 6·7 — “easy”.', -1), c('6*7=41', -1)], null, { text: 'Six sevens are 42.', rating: null, source: 'human', flagged: false }),
      step([c('Maybe 43?', 1), c('It is 41.', -1), c('It is 40.', -1)], null),
    ],
    'found_error',
  ),
  // 3: a human completion as a plain string, and completions null.
  record([step(null, null, 'Just 42.\n\n# Answer\n\n 42 '), step(null, null)], 'give_up'),
];
const TEXT = SMALL.map((r) => JSON.stringify(r)).join('\n') + '\n';

function parse(text: string, options: Partial<ParseOptions> = {}): ReturnType<typeof parseDocument> {
  return parseDocument(text, 'x.jsonl', { ...DEFAULT_PARSE_OPTIONS, ...options });
}

describe('PRM800K', () => {
  it('rebuilds trajectories from chosen, human and error-step completions', () => {
    const doc = parse(TEXT);
    assert.equal(doc.format, 'prm800k');
    assert.deepEqual(doc.problems, []);
    const [a, b, d] = doc.records as Trace[];
    assert.equal(doc.records.length, 3);

    assert.equal(a?.id, '#1');
    assert.equal(a?.prompt, 'What is "6 × 7"?\nAnswer briefly.');
    assert.deepEqual(a?.steps.map((s) => s.text), ['Multiply 6 by 7.', 'Note that \\(6 \\times 7\\) is a product.', 'So it is 42.\n\n# Answer\n\n42']);
    assert.deepEqual(a?.steps.map((s) => s.label), ['good', 'neutral', 'good']);
    assert.deepEqual(a?.steps.map((s) => s.index), [0, 1, 2]);
    assert.equal(a?.answer, '42');
    assert.equal(a?.reference, '42');
    assert.deepEqual(a?.metadata, { finish_reason: 'solution', generation: 3, labeler: 'lab-1' });

    assert.deepEqual(b?.steps.map((s) => s.text), ['Six sevens are 42.', 'It is 41.']);
    assert.deepEqual(b?.steps.map((s) => s.label), ['unknown', 'bad']);
    assert.equal(b?.answer, undefined);
    assert.equal(b?.metadata['alternatives'], 3);
    assert.equal(b?.metadata['finish_reason'], 'found_error');

    // A plain-string human completion; the empty terminal step (no completions at all) adds nothing.
    assert.deepEqual(d?.steps.map((s) => s.text), ['Just 42.\n\n# Answer\n\n 42 ']);
    assert.deepEqual(d?.steps.map((s) => s.label), ['unknown']);
    assert.equal(d?.answer, '42');
    assert.equal('alternatives' in (d?.metadata ?? {}), false);
  });

  it('locates every step and prompt at its exact characters', () => {
    assertLocated(TEXT, parse(TEXT).records);
  });

  it('maps rating 0 per the chosen convention', () => {
    const label1 = (o: Partial<ParseOptions>): string[] => ((parse(TEXT, o).records[0] as Trace).steps.map((s) => s.label));
    assert.deepEqual(label1({}), ['good', 'neutral', 'good']);
    assert.deepEqual(label1({ prm800kRatingZero: 'good' }), ['good', 'good', 'good']);
    assert.deepEqual(label1({ prm800kRatingZero: 'bad' }), ['good', 'bad', 'good']);
    assert.equal(prm800kLabel(null, 'good'), 'unknown');
    assert.equal(prm800kLabel(2, 'neutral'), undefined);
  });

  it('reports bad chosen indices, odd ratings and stuck middle steps without throwing', () => {
    const text = [
      record([step([c('a', 1)], 4), step([c('b', 7)], 0), step([c('c', 1)], 0)]),
      record([step([c('x', 1), c('y', 0)], null), step([c('z', 1)], 0)]),
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const doc = parse(text);
    assert.equal(doc.format, 'prm800k');
    const [a, b] = doc.records as Trace[];
    assert.deepEqual(a?.steps.map((s) => [s.text, s.label]), [['b', 'unknown'], ['c', 'good']]);
    assert.deepEqual(b?.steps.map((s) => s.text), ['z']);
    const messages = doc.problems.map((p) => p.message);
    assert.equal(messages.length, 3);
    assert.match(messages[0] ?? '', /label\.steps\[0\]\.chosen_completion is 4.*1 completions/);
    assert.match(messages[1] ?? '', /label\.steps\[1\] has rating 7/);
    assert.match(messages[2] ?? '', /label\.steps\[0\] has no chosen completion/);
    assert.equal(doc.problems[2]?.line, 2);
    assert.equal(doc.problems[1]?.severity, 'warning');
  });

  it('turns a wrong shape into a problem, keeping the other lines', () => {
    const text = `${JSON.stringify(SMALL[0])}\n{"question":{"problem":"p"},"label":{"steps":"none"}}\n`;
    const doc = parse(text);
    assert.equal(doc.format, 'prm800k');
    assert.equal(doc.records.length, 1);
    assert.equal(doc.problems.length, 1);
    assert.equal(doc.problems[0]?.line, 2);
    assert.match(doc.problems[0]?.message ?? '', /Not a PRM800K record: expected an object with "question"/);
  });

  it('reads the shared sample (phase 2 found_error, phase 1 with human completions)', { skip: !samplesAvailable() }, () => {
    const text = readSample('prm800k.jsonl') ?? '';
    const doc = parse(text);
    assert.equal(doc.format, 'prm800k');
    assert.deepEqual(doc.problems, []);
    assert.equal(doc.records.length, 2);
    const [p2, p1] = doc.records as Trace[];

    assert.equal(p2?.id, '#1');
    assert.ok(p2?.prompt.startsWith('A Senate committee has 5 Democrats, 5 Republicans, and 1 Independent.'));
    assert.equal(p2?.reference, '28800');
    assert.equal(p2?.answer, undefined);
    assert.deepEqual(p2?.steps.map((s) => s.label), ['good', 'neutral', 'good', 'good', 'good', 'good', 'bad']);
    assert.equal(
      p2?.steps[6]?.text,
      'For the Democrats, there are 5! ways to order them in a line, but only half of them are distinct around a circle, since reversing the order gives the same seating.',
    );
    assert.deepEqual(p2?.metadata, { alternatives: 4, finish_reason: 'found_error', generation: 6, labeler: 'cc88bf76-df08-4041-be67-3464279cb3b1' });

    assert.equal(p1?.id, '#2');
    assert.deepEqual(p1?.steps.map((s) => s.label), ['good', 'unknown', 'good', 'good', 'good', 'good']);
    assert.equal(p1?.steps[1]?.text, 'We have $3p+e=1.24$ and $5p+e=1.82$.');
    assert.equal(p1?.steps[5]?.text, 'That means a pencil costs 29 cents.\n\n# Answer\n\n29');
    assert.equal(p1?.answer, '29');
    assert.equal(p1?.reference, '29');
    assert.equal(p1?.metadata['generation'], null);
    assert.equal(p1?.metadata['finish_reason'], 'solution');

    assertLocated(text, doc.records);

    const zeroGood = parse(text, { prm800kRatingZero: 'good' }).records[0] as Trace;
    assert.deepEqual(zeroGood.steps.map((s) => s.label), ['good', 'good', 'good', 'good', 'good', 'good', 'bad']);
    const zeroBad = parse(text, { prm800kRatingZero: 'bad' }).records[0] as Trace;
    assert.deepEqual(zeroBad.steps.map((s) => s.label), ['good', 'bad', 'good', 'good', 'good', 'good', 'bad']);
  });
});
