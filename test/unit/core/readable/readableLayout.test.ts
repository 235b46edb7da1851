import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { DatasetRecord, PreferenceResponse, PreferenceSet, PromptMessage, Step, StepLabel, StepPart, Trace } from '../../../../src/core/dataset/types.js';
import { requestKey } from '../../../../src/core/editor/scoreStore.js';
import { buildStepSlots, recordAt, stepAt } from '../../../../src/core/editor/stepLocator.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { normalizeLineEnds } from '../../../../src/core/readable/normalizeLineEnds.js';
import { layoutReadable, preferenceLabels, sectionHeading, stepHeading, traceLabels, type ReadableLayout } from '../../../../src/core/readable/readableLayout.js';
import { requestsOf } from '../../../../src/core/scoring/scoreRecords.js';

const CONTEXT = { fileName: 'gsm8k.jsonl', position: 'record 18', format: 'trl-stepwise' };

function step(index: number, text: string, label: StepLabel = 'unknown', part: StepPart = 'reasoning'): Step {
  return { index, text, label, part, range: { start: 1000 + index, end: 1000 + index + text.length } };
}

function trace(steps: readonly Step[], extra: Partial<Trace> = {}): Trace {
  return { kind: 'trace', id: 'problem-17', recordRange: { start: 5, end: 900 }, prompt: 'What is 12 × 8 − 15?', promptRange: { start: 10, end: 30 }, steps, metadata: {}, ...extra };
}

function response(chosen: boolean, steps: readonly Step[], text = steps.map((s) => s.text).join('\n\n')): PreferenceResponse {
  return { text, chosen, steps, range: { start: 400, end: 400 + text.length } };
}

function preference(responses: readonly PreferenceResponse[], extra: Partial<PreferenceSet> = {}): PreferenceSet {
  return { kind: 'preference', id: 'pair-3', recordRange: { start: 0, end: 999 }, prompt: 'Is it possible to download a car?', responses, labelSource: 'chosen/rejected keys', comparison: 'pair', metadata: {}, ...extra };
}

const stepsOf = (r: DatasetRecord): Step[] => (r.kind === 'trace' ? [...r.steps] : r.responses.flatMap((x) => x.steps));
const keysOf = (r: DatasetRecord): string[] => requestsOf(r).map(requestKey);

/** The invariants every layout keeps: verbatim step texts at their ranges, unchanged request keys, ordered ranges. */
function checkLayout(original: DatasetRecord, laid: ReadableLayout): void {
  const { text, record } = laid;
  assert.deepEqual(record.recordRange, { start: 0, end: text.length });
  let last = 0;
  for (const s of stepsOf(record)) {
    assert.ok(s.range, `step ${s.index} has a range`);
    assert.equal(text.slice(s.range.start, s.range.end), s.text);
    assert.ok(s.range.start >= last, 'steps are laid out in order, without overlap');
    last = s.range.end;
  }
  assert.deepEqual(
    stepsOf(record).map((s) => [s.index, s.text, s.label, s.part]),
    stepsOf(original).map((s) => [s.index, s.text, s.label, s.part]),
  );
  assert.deepEqual(keysOf(record), keysOf(original));
  assert.ok(record.promptRange && record.promptRange.start >= 0 && record.promptRange.end <= text.length);
  if (record.kind === 'preference') {
    for (const r of record.responses) {
      assert.ok(r.range && r.range.start >= 0 && r.range.end <= text.length);
      for (const s of r.steps) assert.ok(s.range && r.range.start <= s.range.start && s.range.end <= r.range.end, 'steps sit inside their response');
    }
  }
}

describe('layoutReadable', () => {
  it('lays a trace out: header, prompt, one heading per step with the dataset label, answer', () => {
    const t = trace([step(0, 'There are 12 × 8 = 96 apples.', 'good'), step(1, '96 - 15 = 71 apples are good.\nSo 71.', 'bad'), step(2, 'The answer is: 71')], {
      answer: '71',
      reference: '81',
      correct: false,
    });
    const laid = layoutReadable(t, CONTEXT);
    assert.equal(
      laid.text,
      [
        'Reward Lens · readable view (read-only)',
        '',
        '  Record  problem-17',
        '  File    gsm8k.jsonl · record 18',
        '  Format  TRL stepwise supervision',
        '  Labels  steps 1 good, 1 bad, 1 unlabelled · first bad step 2 · final answer incorrect',
        '',
        sectionHeading('Prompt'),
        'What is 12 × 8 − 15?',
        '',
        stepHeading('Step 1', 'good'),
        'There are 12 × 8 = 96 apples.',
        '',
        stepHeading('Step 2', 'bad'),
        '96 - 15 = 71 apples are good.',
        'So 71.',
        '',
        stepHeading('Step 3', undefined),
        'The answer is: 71',
        '',
        sectionHeading('Answer'),
        'final answer  71',
        'reference     81',
        'dataset says  incorrect',
        '',
      ].join('\n'),
    );
    checkLayout(t, laid);
    assert.equal(laid.text.slice(laid.record.promptRange?.start, laid.record.promptRange?.end), t.prompt);
  });

  it('lays a what-if edit out: its own title, the variant rows in the header, `edited` on the edited steps', () => {
    const t = trace([step(0, 'There are 12 × 8 = 96 apples.', 'good'), step(1, '96 - 15 = 81 apples are good.'), step(2, 'The answer is: 81')], { id: 'problem-17 ✎ edited', answer: '81' });
    const whatIf = {
      baseId: 'problem-17',
      rows: [
        ['Variant', 'unsaved edit'],
        ['Edited', 'steps 2 and 3'],
        ['Trace', 'min 0.050 → 0.900'],
      ] as const,
      edited: [
        { responseIndex: 0, stepIndex: 1 },
        { responseIndex: 0, stepIndex: 2 },
      ],
    };
    const laid = layoutReadable(t, { ...CONTEXT, whatIf });
    assert.equal(
      laid.text,
      [
        'Reward Lens · what-if edit (read-only; the data file is unchanged)',
        '',
        '  Record  problem-17',
        '  File    gsm8k.jsonl · record 18',
        '  Format  TRL stepwise supervision',
        '  Labels  steps 1 good, 2 unlabelled · no bad step',
        '  Variant unsaved edit',
        '  Edited  steps 2 and 3',
        '  Trace   min 0.050 → 0.900',
        '',
        sectionHeading('Prompt'),
        'What is 12 × 8 − 15?',
        '',
        stepHeading('Step 1', 'good'),
        'There are 12 × 8 = 96 apples.',
        '',
        stepHeading('Step 2 · edited', undefined),
        '96 - 15 = 81 apples are good.',
        '',
        stepHeading('Step 3 · edited', undefined),
        'The answer is: 81',
        '',
        sectionHeading('Answer'),
        'final answer  81',
        '',
      ].join('\n'),
    );
    checkLayout(t, laid);
    // A key longer than the column keeps a space before its value; a response with an edited step says so.
    const set = preference([response(true, [step(0, 'a')]), response(false, [step(0, 'b'), step(1, 'c')])]);
    const pref = layoutReadable(set, { ...CONTEXT, whatIf: { baseId: 'pair-3', rows: [['Response 2', 'min 0.300 → 0.600']], edited: [{ responseIndex: 1, stepIndex: 1 }] } });
    assert.ok(pref.text.includes('\n  Response 2 min 0.300 → 0.600\n'), pref.text);
    assert.ok(pref.text.includes(`\n${sectionHeading('Response 2 — rejected · edited')}\n`), pref.text);
    assert.ok(pref.text.includes(`\n${stepHeading('Step 2 · edited', undefined)}\nc\n`), pref.text);
    assert.ok(pref.text.includes(`\n${sectionHeading('Response 1 — chosen')}\n`), pref.text);
  });

  it('draws headings to one width, the label at the right', () => {
    assert.equal(sectionHeading('Prompt').length, 40);
    assert.equal(stepHeading('Step 12', 'neutral').length, 40);
    assert.match(stepHeading('Step 2', 'bad'), /^── Step 2 ─+ label: bad ──$/);
  });

  it('keeps multi-line, escaped-looking and empty step text exactly as it is', () => {
    const t = trace([step(0, 'line one\n\n  indented "quoted" \\n not a newline'), step(1, ''), step(2, '\t$x^2$\r\nend')]);
    checkLayout(t, layoutReadable(t, CONTEXT));
  });

  it('shows chat turns with their roles, and the prompt range spans them', () => {
    const messages: PromptMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Sum 2+2?' },
    ];
    const t = trace([step(0, '2 + 2 = 4.')], { promptMessages: messages, prompt: 'Be brief.\n\nHi\n\nHello!\n\nSum 2+2?' });
    const laid = layoutReadable(t, CONTEXT);
    assert.ok(laid.text.includes('[system]\nBe brief.\n\n[user]\nHi\n\n[assistant]\nHello!\n\n[user]\nSum 2+2?\n'), laid.text);
    const span = laid.text.slice(laid.record.promptRange?.start, laid.record.promptRange?.end);
    assert.ok(span.startsWith('[system]') && span.endsWith('Sum 2+2?'), span);
    checkLayout(t, laid);
  });

  it('a single user turn is shown as the bare prompt', () => {
    const t = trace([step(0, 'x')], { promptMessages: [{ role: 'user', content: 'What is 12 × 8 − 15?' }] });
    assert.ok(!layoutReadable(t, CONTEXT).text.includes('[user]'));
  });

  it('tags thinking and response steps only when a trace mixes both', () => {
    const mixed = layoutReadable(trace([step(0, 'think', 'unknown', 'reasoning'), step(1, 'say', 'unknown', 'answer')]), CONTEXT).text;
    assert.ok(mixed.includes('── Step 1 · thinking ─') && mixed.includes('── Step 2 · response ─'), mixed);
    const plain = layoutReadable(trace([step(0, 'say', 'unknown', 'answer')]), CONTEXT).text;
    assert.ok(!plain.includes(' · response'), plain);
  });

  it('lays a preference set out response by response, with its verdict, rating and model', () => {
    const chosen = response(true, [step(0, 'No, a car is a physical object.', 'unknown', 'answer'), step(1, 'You can download a 3D model of one.', 'unknown', 'answer')]);
    const rejected = { ...response(false, [step(0, 'Yes, on carz.example.', 'unknown', 'answer')]), rating: 1.5, model: 'gpt-x' };
    const p = preference([rejected, chosen], { subset: 'Factuality' });
    const laid = layoutReadable(p, CONTEXT);
    assert.ok(laid.text.includes(`${sectionHeading('Response 1 — rejected · rating 1.5 · gpt-x')}\nYes, on carz.example.\n\n━━`), laid.text);
    assert.ok(laid.text.includes(`${sectionHeading('Response 2 — chosen')}\n\n${stepHeading('Step 1', undefined)}\nNo, a car is a physical object.\n`), laid.text);
    assert.ok(laid.text.includes('  Labels  prefers response 2 of 2 · from chosen/rejected keys · subset Factuality\n'), laid.text);
    assert.ok(!laid.text.includes('━━ Answer'));
    checkLayout(p, laid);
  });

  it('shows a response without steps as its whole text (it is scored as one step)', () => {
    const p = preference([response(true, [], 'Whole answer.'), response(false, [], 'Other.')]);
    const laid = layoutReadable(p, CONTEXT);
    const r0 = laid.record.kind === 'preference' ? laid.record.responses[0]?.range : undefined;
    assert.equal(laid.text.slice(r0?.start, r0?.end), 'Whole answer.');
    checkLayout(p, laid);
  });

  it('names unpaired responses desirable or undesirable', () => {
    const p = preference([response(false, [step(0, 'meh')])], { comparison: 'unpaired' });
    assert.equal(preferenceLabels(p), 'undesirable response · from chosen/rejected keys');
    assert.ok(layoutReadable(p, CONTEXT).text.includes('Response 1 — undesirable'));
  });

  it('summarises step labels and correctness, or says nothing when the dataset has none', () => {
    assert.equal(traceLabels(trace([step(0, 'a', 'good'), step(1, 'b', 'neutral')], { correct: true })), 'steps 1 good, 1 neutral · no bad step · final answer correct');
    assert.equal(traceLabels(trace([step(0, 'a')])), '');
    assert.ok(!layoutReadable(trace([step(0, 'a')]), { fileName: 'x.jsonl', format: 'unknown' }).text.includes('Labels'));
  });

  it('keeps ids and file names on their header lines', () => {
    const laid = layoutReadable(trace([step(0, 'a')], { id: 'two\nlines' }), { fileName: 'f.jsonl', format: 'no-such-format' });
    assert.ok(laid.text.includes('  Record  two lines\n  File    f.jsonl\n  Format  no-such-format\n'), laid.text);
  });

  it('the layout of a parsed record locates every step for the editor (slots, record at any offset)', () => {
    const text = `${JSON.stringify({ prompt: 'p', completions: ['alpha step', 'beta\\nstep'], labels: [true, false] })}\n`;
    const original = parseDocument(text, 'x.jsonl').records[0];
    assert.ok(original);
    const laid = layoutReadable(original, CONTEXT);
    const slots = buildStepSlots([laid.record]);
    const beta = laid.text.indexOf('beta');
    assert.equal(stepAt(slots, beta)?.stepIndex, 1);
    assert.equal(recordAt([laid.record], 0), 0);
    assert.equal(recordAt([laid.record], laid.text.length), 0);
  });
});

// Arbitrary records: texts with line breaks of every kind, JSON-looking characters and astral code points.
const anyText = fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', '\r\n', '"', '\\', '━', '─', '😀', 'é', '\t'), maxLength: 30 });
const anySteps = fc.array(fc.record({ text: anyText, label: fc.constantFrom<StepLabel>('good', 'bad', 'neutral', 'unknown'), part: fc.constantFrom<StepPart>('reasoning', 'answer') }), { maxLength: 6 }).map((xs) => xs.map((x, i) => step(i, x.text, x.label, x.part)));
const anyMessages = fc.option(fc.array(fc.record({ role: fc.constantFrom<PromptMessage['role']>('system', 'user', 'assistant', 'tool'), content: anyText }), { minLength: 1, maxLength: 4 }), { nil: undefined });
const anyTrace = fc
  .record({ id: anyText, prompt: anyText, messages: anyMessages, steps: anySteps, answer: fc.option(anyText, { nil: undefined }), reference: fc.option(anyText, { nil: undefined }), correct: fc.option(fc.boolean(), { nil: undefined }) })
  .map(
    ({ id, prompt, messages, steps, answer, reference, correct }): DatasetRecord =>
      trace(steps, { id, prompt, ...(messages ? { promptMessages: messages } : {}), ...(answer !== undefined ? { answer } : {}), ...(reference !== undefined ? { reference } : {}), ...(correct !== undefined ? { correct } : {}) }),
  );
const anyPreference = fc
  .record({
    prompt: anyText,
    messages: anyMessages,
    responses: fc.array(fc.record({ chosen: fc.boolean(), steps: anySteps, text: anyText }), { minLength: 1, maxLength: 4 }),
    comparison: fc.constantFrom<PreferenceSet['comparison']>('pair', 'best-of-n', 'matrix3x3', 'unpaired'),
  })
  .map(({ prompt, messages, responses, comparison }): DatasetRecord =>
    preference(
      responses.map((r) => response(r.chosen, r.steps, r.text)),
      { prompt, comparison, ...(messages ? { promptMessages: messages } : {}) },
    ),
  );
const anyRecord = fc.oneof(anyTrace, anyPreference);

describe('layoutReadable properties', () => {
  it('every step of any record sits verbatim at its range, and request keys are unchanged', () => {
    fc.assert(
      fc.property(anyRecord, (record) => {
        checkLayout(record, layoutReadable(record, CONTEXT));
      }),
      { numRuns: 400 },
    );
  });

  it('after line endings are normalised, every step sits at its range with only its line breaks changed', () => {
    fc.assert(
      fc.property(anyRecord, (record) => {
        const laid = normalizeLineEnds(layoutReadable(record, CONTEXT));
        assert.ok(!laid.text.includes('\r'));
        assert.deepEqual(laid.record.recordRange, { start: 0, end: laid.text.length });
        for (const s of stepsOf(laid.record)) {
          assert.ok(s.range);
          // A text ending in a lone \r makes one line break with the layout's \n after it.
          assert.equal(laid.text.slice(s.range.start, s.range.end), s.text.replace(/\r$/, '').replace(/\r\n?/g, '\n'));
        }
        assert.deepEqual(keysOf(laid.record), keysOf(record));
      }),
      { numRuns: 400 },
    );
  });
});
