import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { mathShepherd, mathShepherdMarks } from '../../../../src/core/formats/mathShepherd.js';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { assertLocated, readSample, samplesAvailable } from '../../helpers.js';


const row = (input: string, label: string, task?: string): string => JSON.stringify(task === undefined ? { input, label } : { input, label, task });
const LINES = [
  // 1: the tag written as \u escapes, so decoded and raw offsets differ.
  String.raw`{"input": "What is 1+1? Step 1: 1+1 = 2. \u043a\u0438\nStep 2: The answer is: 2 \u043a\u0438", "label": "What is 1+1? Step 1: 1+1 = 2. +\nStep 2: The answer is: 2 -", "task": "GSM8K"}`,
  // 2: lowercase "step 1:".
  row('Find x if 2x=4. step 1: x = 2. ки\nStep 2: The answer is: 2 ки', 'Find x if 2x=4. step 1: x = 2. -\nStep 2: The answer is: 2 +', 'MATH'),
  // 3: no "Step 1:" at all: the question ends at the first "?".
  row('Tom has 3 apples. How many has he? He has 3. ки\nSo 3. The answer is: 3 ки', 'Tom has 3 apples. How many has he? He has 3. +\nSo 3. The answer is: 3 +'),
  // 4: a stray tag inside the question.
  row('Sam ки reads. How many? Step 1: 5 pages. ки\nStep 2: The answer is: 5 ки', 'Sam + reads. How many? Step 1: 5 pages. -\nStep 2: The answer is: 5 +', 'GSM8K'),
  // 5: one mark missing from the label.
  row('Q? Step 1: a ки\nStep 2: b ки', 'Q? Step 1: a +\nStep 2: b', 'GSM8K'),
  // 6: whitespace drift between input and label (a doubled space): marks are read by splitting.
  row('Q? Step 1: a ки\nStep 2: b ки', 'Q?  Step 1: a -\nStep 2: b +', 'GSM8K'),
  // 7: text after the last tag.
  row('Q? Step 1: a ки\nStep 2: b', 'Q? Step 1: a +\nStep 2: b', 'GSM8K'),
];
const TEXT = LINES.join('\n');

describe('Math-Shepherd', () => {
  const doc = parseDocument(TEXT, 'ms.jsonl');
  const traces = doc.records as Trace[];
  const view = (i: number): { prompt: string | undefined; steps: string[] | undefined; labels: string[] | undefined } => ({
    prompt: traces[i]?.prompt,
    steps: traces[i]?.steps.map((s) => s.text),
    labels: traces[i]?.steps.map((s) => s.label),
  });

  it('is detected and reads every line', () => {
    assert.equal(doc.format, 'math-shepherd');
    assert.equal(traces.length, 7);
  });

  it('splits at Step markers and ки tags, labels from + and -', () => {
    assert.deepEqual(view(0), { prompt: 'What is 1+1?', steps: ['Step 1: 1+1 = 2.', 'Step 2: The answer is: 2'], labels: ['good', 'bad'] });
    assert.equal(traces[0]?.answer, '2');
    assert.deepEqual(traces[0]?.metadata, { task: 'GSM8K' });
    assert.equal(traces[0]?.id, '#1');
    assert.deepEqual(view(1), { prompt: 'Find x if 2x=4.', steps: ['step 1: x = 2.', 'Step 2: The answer is: 2'], labels: ['bad', 'good'] });
    assert.deepEqual(view(2), { prompt: 'Tom has 3 apples. How many has he?', steps: ['He has 3.', 'So 3. The answer is: 3'], labels: ['good', 'good'] });
    assert.equal(traces[2]?.answer, '3');
  });

  it('ignores a stray tag in the question with a located warning', () => {
    assert.deepEqual(view(3), { prompt: 'Sam ки reads. How many?', steps: ['Step 1: 5 pages.', 'Step 2: The answer is: 5'], labels: ['bad', 'good'] });
    const stray = doc.problems.find((p) => p.line === 4);
    assert.ok(stray);
    assert.equal(stray.severity, 'warning');
    assert.equal(TEXT.slice(stray.offset, stray.offset + stray.length), 'ки');
  });

  it('warns and leaves steps unlabelled when marks and tags do not match', () => {
    assert.deepEqual(view(4), { prompt: 'Q?', steps: ['Step 1: a', 'Step 2: b'], labels: ['unknown', 'unknown'] });
    const mismatch = doc.problems.find((p) => p.line === 5);
    assert.match(mismatch?.message ?? '', /does not have one \+ or - for each of the 2 ки tags/);
    assert.equal(mismatch?.severity, 'warning');
  });

  it('reads marks despite whitespace drift, and keeps untagged trailing text unlabelled', () => {
    assert.deepEqual(view(5).labels, ['bad', 'good']);
    assert.deepEqual(view(6), { prompt: 'Q?', steps: ['Step 1: a', 'Step 2: b'], labels: ['good', 'unknown'] });
    assert.deepEqual(
      doc.problems.map((p) => p.line),
      [4, 5],
    );
  });

  it('locates every step and prompt at its exact characters, escapes included', () => {
    assertLocated(TEXT, traces);
    // The first step of line 1 ends before the escaped tag.
    const r = traces[0]?.steps[0]?.range;
    assert.ok(r);
    assert.equal(TEXT.slice(r.end, r.end + 13), String.raw` \u043a\u0438`);
  });

  it('reports a record without "input"', () => {
    const bad = parseDocument(`${LINES[1] ?? ''}\n{"label":"x","task":"MATH"}`, 'ms.jsonl');
    assert.equal(bad.format, 'math-shepherd');
    assert.equal(bad.records.length, 1);
    assert.match(bad.problems[0]?.message ?? '', /Not a Math-Shepherd record/);
    assert.equal(bad.problems[0]?.line, 2);
  });

  it('helpers: marks by position and by splitting, detection', () => {
    const input = 'Q? Step 1: a ки\nStep 2: b ки';
    assert.deepEqual(mathShepherdMarks(input, 'Q? Step 1: a -\nStep 2: b +', [13, 26]), ['-', '+']);
    assert.equal(mathShepherdMarks(input, 'Q? Step 1: a -\nStep 2: b', [13, 26]), undefined);
    assert.equal(mathShepherd.detect({ input: 'a', label: 'b', task: 'MATH' }), 2);
    assert.equal(mathShepherd.detect({ input: 'a', label: 'b' }), 0);
  });

  it('reads the shared sample (the Buzz record)', { skip: !samplesAvailable() }, () => {
    const text = readSample('math_shepherd.jsonl') ?? '';
    const sample = parseDocument(text, 'math_shepherd.jsonl');
    assert.equal(sample.format, 'math-shepherd');
    assert.deepEqual(sample.problems, []);
    assert.equal(sample.records.length, 1);
    const t = sample.records[0] as Trace;
    assert.equal(
      t.prompt,
      "If Buzz bought a pizza with 78 slices at a restaurant and then decided to share it with the waiter in the ratio of 5:8, with Buzz's ratio being 5, what's twenty less the number of slices of pizza that the waiter ate?",
    );
    assert.equal(t.steps.length, 5);
    assert.deepEqual(t.steps.map((s) => s.label), ['good', 'bad', 'bad', 'bad', 'bad']);
    assert.equal(t.steps[0]?.text, 'Step 1: The total ratio representing the pizza is 5+8 = <<5+8=13>>13.');
    assert.equal(t.steps[4]?.text, 'Step 5: The waiter ate 52 slices of the pizza. The answer is: 52');
    assert.equal(t.answer, '52');
    assert.deepEqual(t.metadata, { task: 'GSM8K' });
    assertLocated(text, sample.records);
  });

  it('agrees with TRL\'s conversion of the same record', { skip: !samplesAvailable() }, () => {
    const ms = parseDocument(readSample('math_shepherd.jsonl') ?? '', 'math_shepherd.jsonl').records[0] as Trace;
    const converted = JSON.parse((readSample('trl_stepwise.jsonl') ?? '').split('\n')[1] ?? '{}') as { prompt: string; completions: string[]; labels: boolean[] };
    assert.equal(ms.prompt, converted.prompt);
    assert.deepEqual(ms.steps.map((s) => s.text), converted.completions);
    assert.deepEqual(ms.steps.map((s) => s.label === 'good'), converted.labels);
  });
});
