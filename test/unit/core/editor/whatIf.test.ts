// What-if edits: applying edits to a record, the delta badges, trace scores before → after and the sidecar's
// `variants` list. Expected values are worked out by hand (see each test).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { PreferenceResponse, PreferenceSet, Step, StepLabel, Trace } from '../../../../src/core/dataset/types.js';
import type { DecorationSpec } from '../../../../src/core/editor/decorationSpecs.js';
import { readSidecarData, requestKey } from '../../../../src/core/editor/scoreStore.js';
import {
  applyEdits,
  checkVariantName,
  deltaBadge,
  describeEdits,
  editProblems,
  formatAggregations,
  formatBeforeAfter,
  formatDelta,
  fromInputLine,
  putVariant,
  readVariants,
  stepText,
  toInputLine,
  upsertEdit,
  variantRecordId,
  variantScoreLine,
  variantsOf,
  whatIfRows,
  withDeltas,
  type StepEdit,
  type StoredVariant,
} from '../../../../src/core/editor/whatIf.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { requestsOf } from '../../../../src/core/scoring/scoreRecords.js';
import type { ScoreResult } from '../../../../src/core/scoring/scorer.js';
import type { Char0, Line0 } from '../../../../src/core/text/positions.js';

// test/integration/workspace/errors.jsonl's first record: step 2's arithmetic is wrong (96 - 15 = 81).
const ERRORS = JSON.stringify({
  prompt: 'A crate holds 12 boxes of 8 apples and 15 apples are bruised. How many apples are good?',
  completions: ['Step 1: There are 12 × 8 = 96 apples.', 'Step 2: Without the bruised ones, 96 - 15 = 71 apples are good.', 'Step 3: The answer is: 71'],
  labels: [true, false, false],
});
const base = parseDocument(ERRORS, 'errors.jsonl').records[0] as Trace;
const FIXED = 'Step 2: Without the bruised ones, 96 - 15 = 81 apples are good.';
const edit = (stepIndex: number, text: string, responseIndex = 0): StepEdit => ({ responseIndex, stepIndex, was: stepText(base, responseIndex, stepIndex) ?? '', text });

function step(index: number, text: string, label: StepLabel = 'unknown'): Step {
  return { index, text, label, part: 'reasoning', range: { start: 100 + index * 20, end: 100 + index * 20 + text.length } };
}

function preference(responses: readonly PreferenceResponse[]): PreferenceSet {
  return { kind: 'preference', id: 'pair-1', recordRange: { start: 0, end: 500 }, prompt: 'p', responses, labelSource: 'chosen/rejected keys', comparison: 'pair', metadata: {} };
}

const result = (...scores: (number | null)[]): ScoreResult => ({ steps: scores.map((score) => ({ score: score as number })), device: 'builtin' });

function spec(stepIndex: number, score: number, badge: string, bucket: DecorationSpec['bucket'] = 'high', responseIndex = 0): DecorationSpec {
  return { startLine: 0 as Line0, startChar: 0 as Char0, endLine: 0 as Line0, endChar: 1 as Char0, bucket, badge, firstError: false, recordIndex: 0, responseIndex, stepIndex, score };
}

describe('applyEdits', () => {
  it('replaces the edited step text under the variant id, unlabels it and leaves the other steps and the original alone', () => {
    const v = applyEdits(base, [edit(1, FIXED)], variantRecordId(base.id, undefined)) as Trace;
    assert.equal(v.id, '#1 ✎ edited');
    assert.deepEqual(
      v.steps.map((s) => [s.text, s.label]),
      [
        ['Step 1: There are 12 × 8 = 96 apples.', 'good'],
        [FIXED, 'unknown'],
        ['Step 3: The answer is: 71', 'bad'],
      ],
    );
    assert.equal(v.steps[1]?.range, undefined, 'an edited step has no place in the data file');
    assert.deepEqual(v.steps[0]?.range, base.steps[0]?.range);
    assert.equal(base.steps[1]?.text, 'Step 2: Without the bruised ones, 96 - 15 = 71 apples are good.');
    // The scorer sees exactly the edited texts: the variant's request differs from the original's in step 2 only.
    const [req] = requestsOf(v);
    assert.deepEqual(req?.steps, ['Step 1: There are 12 × 8 = 96 apples.', FIXED, 'Step 3: The answer is: 71']);
    assert.notEqual(requestKey(req ?? { prompt: '', steps: [] }), requestKey(requestsOf(base)[0] ?? { prompt: '', steps: [] }));
    assert.equal(v.answer, '71');
  });

  it('gives a trace the final answer its edited steps state when the answer came from its steps, dropping `correct`', () => {
    const withVerdict: Trace = { ...base, correct: false };
    const v = applyEdits(withVerdict, [edit(2, 'Step 3: The answer is: 81')], 'v') as Trace;
    assert.equal(v.answer, '81');
    assert.equal(v.correct, undefined, 'the dataset judged the answer 71, not 81');
    // An edit elsewhere keeps the answer and the verdict.
    const same = applyEdits(withVerdict, [edit(1, FIXED)], 'v') as Trace;
    assert.deepEqual([same.answer, same.correct], ['71', false]);
  });

  it("keeps a format's own answer field, which no step states", () => {
    const t: Trace = { ...base, answer: '81', reference: '81', correct: true };
    const v = applyEdits(t, [edit(2, 'Step 3: The answer is: 80')], 'v') as Trace;
    assert.deepEqual([v.answer, v.reference, v.correct], ['81', '81', true]);
  });

  it("rebuilds a preference response's whole text around its edited step, and replaces a step-less response's text", () => {
    const stepped: PreferenceResponse = { text: 'First step.\n\nSecond step.', chosen: true, steps: [step(0, 'First step.'), step(1, 'Second step.')] };
    const whole: PreferenceResponse = { text: 'Whole answer.', chosen: false, steps: [] };
    const set = preference([stepped, whole]);
    const v = applyEdits(
      set,
      [
        { responseIndex: 0, stepIndex: 1, was: 'Second step.', text: 'Second, edited.' },
        { responseIndex: 1, stepIndex: 0, was: 'Whole answer.', text: 'Another answer.' },
      ],
      'pair-1 ✎ x',
    ) as PreferenceSet;
    assert.equal(v.responses[0]?.text, 'First step.\n\nSecond, edited.');
    assert.deepEqual(
      v.responses[0]?.steps.map((s) => s.text),
      ['First step.', 'Second, edited.'],
    );
    assert.equal(v.responses[1]?.text, 'Another answer.');
    // Every response's request carries its siblings: both see the edits.
    assert.deepEqual(requestsOf(v)[0]?.siblings?.responses, ['First step.\n\nSecond, edited.', 'Another answer.']);
    assert.equal(stepText(set, 1, 0), 'Whole answer.');
    assert.equal(stepText(set, 1, 1), undefined);
  });

  it('leaves out edits that name no step', () => {
    const v = applyEdits(base, [edit(7, 'nowhere')], 'v') as Trace;
    assert.deepEqual(
      v.steps.map((s) => s.text),
      base.steps.map((s) => s.text),
    );
  });
});

describe('edit lists', () => {
  it('replaces an edit of the same step, drops an edit back to the original text, and sorts by step', () => {
    let edits = upsertEdit([], edit(2, 'three'));
    edits = upsertEdit(edits, edit(0, 'one'));
    edits = upsertEdit(edits, edit(2, 'THREE'));
    assert.deepEqual(
      edits.map((e) => [e.stepIndex, e.text]),
      [
        [0, 'one'],
        [2, 'THREE'],
      ],
    );
    edits = upsertEdit(edits, edit(0, 'Step 1: There are 12 × 8 = 96 apples.'));
    assert.deepEqual(
      edits.map((e) => e.stepIndex),
      [2],
    );
  });

  it('names the edited steps', () => {
    assert.equal(describeEdits(base, []), 'no step');
    assert.equal(describeEdits(base, [edit(1, 'x')]), 'step 2');
    assert.equal(describeEdits(base, [edit(0, 'x'), edit(2, 'y')]), 'steps 1 and 3');
    assert.equal(describeEdits(base, [edit(0, 'x'), edit(1, 'y'), edit(2, 'z')]), 'steps 1, 2 and 3');
    assert.equal(describeEdits({ kind: 'preference' }, [{ responseIndex: 1, stepIndex: 0 }]), 'response 2, step 1');
  });

  it('says which edits no longer fit the record', () => {
    const stale: StepEdit = { responseIndex: 0, stepIndex: 1, was: 'Step 2: an older text', text: FIXED };
    assert.deepEqual(editProblems(base, [edit(1, FIXED)]), []);
    assert.deepEqual(editProblems(base, [stale, edit(5, 'x')]), ['step 2 has changed in the data file since this edit', 'step 6 is no longer in the record']);
  });
});

describe('delta badges', () => {
  it('signs a change with + or − and rounds to two decimals; a change that rounds to zero has no sign', () => {
    assert.equal(formatDelta(1 - 0.05), '+0.95');
    assert.equal(formatDelta(0.31 - 0.92), '−0.61');
    assert.equal(formatDelta(-0.004), '0.00');
    assert.equal(formatDelta(0), '0.00');
    assert.equal(formatDelta(0.006), '+0.01');
  });

  it("writes the old score and the change after the new badge, before a judge's critique", () => {
    assert.equal(deltaBadge('0.31 ✗', 0.31, 0.92), '0.31 ✗ (was 0.92, Δ −0.61)');
    assert.equal(deltaBadge('1.00', 1, 0.05), '1.00 (was 0.05, Δ +0.95)');
    assert.equal(deltaBadge('0.90', 0.9, undefined), '0.90 (was –)');
    assert.equal(deltaBadge('0.90', 0.9, null), '0.90 (was –)');
    assert.equal(deltaBadge('not judged', Number.NaN, 0.7), 'not judged (was 0.70)');
    assert.equal(deltaBadge('0.20 ✗ · wrong sum', 0.2, 0.8), '0.20 ✗ (was 0.80, Δ −0.60) · wrong sum');
  });

  it('adds the change from the first edited step on, and to earlier steps only when their score moved', () => {
    const before = [result(1, 0.05, 0.9)];
    const specs = [spec(0, 1, '1.00'), spec(1, 1, '1.00'), spec(2, 0.9, '0.90')];
    assert.deepEqual(
      withDeltas(specs, before, [edit(1, FIXED)]).map((s) => s.badge),
      ['1.00', '1.00 (was 0.05, Δ +0.95)', '0.90 (was 0.90, Δ 0.00)'],
    );
    // Step 1 moved although the edit is at step 3 (a judge that reads the whole trace).
    const moved = [spec(0, 0.4, '0.40 ✗', 'low'), spec(1, 0.05, '0.05 ✗', 'low'), spec(2, 0.9, '0.90')];
    assert.deepEqual(
      withDeltas(moved, before, [edit(2, 'x')]).map((s) => s.badge),
      ['0.40 ✗ (was 1.00, Δ −0.60)', '0.05 ✗', '0.90 (was 0.90, Δ 0.00)'],
    );
  });

  it('leaves stale badges alone, and says `was –` when the original is not scored', () => {
    const specs = [spec(1, 1, '1.00 (stale)', 'stale'), spec(2, 0.9, '0.90')];
    assert.deepEqual(
      withDeltas(specs, undefined, [edit(1, FIXED)]).map((s) => s.badge),
      ['1.00 (stale)', '0.90 (was –)'],
    );
  });

  it('compares each response of a preference record with its own original', () => {
    const before = [result(0.8), result(0.3)];
    const specs = [spec(0, 0.8, '0.80', 'high', 0), spec(0, 0.6, '0.60', 'mid', 1)];
    assert.deepEqual(
      withDeltas(specs, before, [{ responseIndex: 1, stepIndex: 0, was: 'a', text: 'b' }]).map((s) => s.badge),
      ['0.80', '0.60 (was 0.30, Δ +0.30)'],
    );
  });
});

describe('trace scores before → after', () => {
  it('gives every aggregation before and after (hand-computed: [1, 0.05, 0.9] → [1, 1, 0.9])', () => {
    // min 0.05 → 0.9; product 1 × 0.05 × 0.9 = 0.045 → 0.9; mean 1.95 / 3 = 0.65 → 2.9 / 3 = 0.9667; last 0.9 → 0.9.
    assert.equal(formatBeforeAfter(result(1, 0.05, 0.9), result(1, 1, 0.9)), 'min 0.050 → 0.900 · product 0.045 → 0.900 · mean 0.650 → 0.967 · last 0.900 → 0.900');
  });

  it('marks a side not scored yet, skips unscorable steps, and uses a sequence score when there is one', () => {
    assert.equal(formatBeforeAfter(undefined, result(1, 1, 0.9)), 'min – → 0.900 · product – → 0.900 · mean – → 0.967 · last – → 0.900');
    assert.equal(formatBeforeAfter(undefined, undefined), 'not scored yet');
    // A sidecar stores an unscorable step as null: left out ([1, 0.5]: min 0.5, product 0.5, mean 0.75, last 0.5).
    assert.equal(formatBeforeAfter(result(1, null, 0.5), result(1, 0.5)), 'min 0.500 → 0.500 · product 0.500 → 0.500 · mean 0.750 → 0.750 · last 0.500 → 0.500');
    assert.equal(formatBeforeAfter({ steps: [], sequenceScore: 1.25, device: 'cpu' }, { steps: [], sequenceScore: 2, device: 'cpu' }), 'score 1.250 → 2.000');
    assert.equal(formatAggregations(result(1, 0.05, 0.9)), 'min 0.050 · product 0.045 · mean 0.650 · last 0.900');
    assert.equal(formatAggregations(undefined), 'not scored yet');
  });

  it("heads a what-if view with the variant, the edited steps and the trace's scores", () => {
    assert.deepEqual(whatIfRows({ base, edits: [edit(1, FIXED)], name: undefined, before: [result(1, 0.05, 0.9)], after: [result(1, 1, 0.9)] }), [
      ['Variant', 'unsaved edit (Keep as Variant… names it and keeps it in the sidecar)'],
      ['Edited', 'step 2'],
      ['Trace', 'min 0.050 → 0.900 · product 0.045 → 0.900 · mean 0.650 → 0.967 · last 0.900 → 0.900'],
    ]);
    const stale: StepEdit = { responseIndex: 0, stepIndex: 1, was: 'older', text: FIXED };
    assert.deepEqual(whatIfRows({ base, edits: [stale], name: 'fixed', before: undefined, after: undefined }), [
      ['Variant', 'fixed (kept in the sidecar)'],
      ['Edited', 'step 2'],
      ['Note', 'step 2 has changed in the data file since this edit'],
      ['Trace', 'not scored yet'],
    ]);
    const set = preference([
      { text: 'a', chosen: true, steps: [] },
      { text: 'b', chosen: false, steps: [] },
    ]);
    assert.deepEqual(
      whatIfRows({ base: set, edits: [{ responseIndex: 1, stepIndex: 0, was: 'b', text: 'c' }], name: undefined, before: [result(0.8), result(0.3)], after: [result(0.8), result(0.6)] }).slice(1),
      [
        ['Edited', 'response 2, step 1'],
        ['Response 1', 'min 0.800 → 0.800 · product 0.800 → 0.800 · mean 0.800 → 0.800 · last 0.800 → 0.800'],
        ['Response 2', 'min 0.300 → 0.600 · product 0.300 → 0.600 · mean 0.300 → 0.600 · last 0.300 → 0.600'],
      ],
    );
  });

  it("lists a variant's score against the original's under the chosen aggregation", () => {
    const original = [result(1, 0.05, 0.9)];
    assert.equal(variantScoreLine(original, original, 'min'), 'min 0.050');
    assert.equal(variantScoreLine([result(1, 1, 0.9)], original, 'min'), 'min 0.900 (+0.85 vs original)');
    assert.equal(variantScoreLine([result(0.05, 1, 0.9)], original, 'mean'), 'mean 0.650 (0.00 vs original)');
    assert.equal(variantScoreLine(undefined, original, 'min'), 'not scored yet');
    assert.equal(variantScoreLine([result(1, 1, 0.9)], undefined, 'last'), 'last 0.900');
  });
});

describe('the input box', () => {
  it('shows line breaks as ↵ and brings them back as the step wrote them', () => {
    assert.equal(toInputLine('a\nb\r\nc'), 'a↵b↵c');
    assert.equal(fromInputLine('a↵b', 'x\ny'), 'a\nb');
    assert.equal(fromInputLine('a↵b', 'x\r\ny'), 'a\r\nb');
    // LaTeX keeps its backslashes: `\neq` is not a line break.
    const latex = 'x \\neq 2\n\\frac{1}{2}';
    assert.equal(fromInputLine(toInputLine(latex), latex), latex);
  });

  it('accepts a one-line name of up to 80 characters', () => {
    assert.equal(checkVariantName('fixed arithmetic'), undefined);
    assert.equal(checkVariantName('  '), 'Give the variant a name.');
    assert.equal(checkVariantName('x'.repeat(81)), 'At most 80 characters.');
    assert.equal(checkVariantName('a\nb'), 'A name is one line of text.');
  });
});

describe("the sidecar's variants", () => {
  const fixed: StoredVariant = { name: 'fixed', recordId: '#1', ref: { record: 0 }, edits: [edit(1, FIXED)], saved: '2026-12-01T10:00:00.000Z' };

  it('reads well-formed variants and drops malformed ones one by one; the later of two same-named wins', () => {
    const later = { ...fixed, edits: [edit(0, 'other')] };
    const read = readVariants([
      fixed,
      { name: 'no edits', recordId: '#1', edits: [], saved: '' },
      { name: 'bad edit', recordId: '#1', edits: [{ responseIndex: -1, stepIndex: 0, was: '', text: 'x' }] },
      { name: '', recordId: '#1', edits: [edit(0, 'x')] },
      { name: 'row', recordId: '#9', ref: { row: 4 }, edits: [edit(0, 'x')] },
      'garbage',
      later,
    ]);
    assert.deepEqual(
      read.map((v) => [v.name, v.recordId, v.ref, v.edits.length, v.saved]),
      [
        ['fixed', '#1', { record: 0 }, 1, '2026-12-01T10:00:00.000Z'],
        ['row', '#9', { row: 4 }, 1, ''],
      ],
    );
    assert.equal(read[0]?.edits[0]?.text, 'other');
    assert.deepEqual(readVariants({ fixed }), []);
    assert.deepEqual(readVariants(undefined), []);
  });

  it('keeps variants per record: same name on another record is another variant', () => {
    const other = { ...fixed, recordId: '#2' };
    const list = putVariant(putVariant([fixed], other), { ...fixed, saved: 'later' });
    assert.deepEqual(
      list.map((v) => [v.recordId, v.saved]),
      [
        ['#1', 'later'],
        ['#2', '2026-12-01T10:00:00.000Z'],
      ],
    );
    assert.deepEqual(
      variantsOf(list, '#2').map((v) => v.recordId),
      ['#2'],
    );
    assert.deepEqual(variantsOf(undefined, '#1'), []);
  });

  it('round-trips through a sidecar; an old sidecar has none, and broken variants never cost the scores', () => {
    const models = { builtin: { k: { steps: [{ score: 1 }], device: 'builtin', recordId: '#1' } } };
    const data = readSidecarData(JSON.parse(JSON.stringify({ version: 1, models, variants: [fixed] })));
    assert.deepEqual(data.variants, [fixed]);
    assert.deepEqual(data.models, models);
    const old = readSidecarData({ version: 1, models });
    assert.equal(old.variants, undefined);
    assert.equal('variants' in old, false, 'an old sidecar is written back without a variants key');
    const broken = readSidecarData({ version: 1, models, variants: 'not a list' });
    assert.deepEqual(broken.models, models);
    assert.equal(broken.variants, undefined);
  });
});
