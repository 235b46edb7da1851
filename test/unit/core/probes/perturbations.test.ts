import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { seededRandom } from '../../../../src/core/dataset/slicing.js';
import {
  corruptNumber,
  dropStep,
  duplicateStep,
  EMPTY_RESTATEMENT,
  emptyRestatement,
  equationResults,
  FILLER_SENTENCES,
  filler,
  PERTURBATIONS,
  PROBE_NAMES,
  replaceAnswer,
  shiftNumber,
  swapSteps,
  type ProbeInput,
  type ProbeStep,
} from '../../../../src/core/probes/perturbations.js';
import { probeRandom } from '../../../../src/core/probes/runProbes.js';

const r = (text: string): ProbeStep => ({ text, part: 'reasoning' });
const a = (text: string): ProbeStep => ({ text, part: 'answer' });

const S1 = 'Step 1: Tom has 3 boxes of 12 pens, so 3 × 12 = 36 pens.';
const S2 = 'Step 2: He gives away 10, leaving 36 - 10 = 26 pens.';
const S3 = 'Step 3: The answer is \\boxed{26}.';
const PENS: ProbeInput = { steps: [r(S1), r(S2), a(S3)], answer: '26' };

const texts = (p: { steps: readonly ProbeStep[] } | undefined): string[] | undefined => p?.steps.map((s) => s.text);

describe('perturbations (seeded, exact text)', () => {
  // seededRandom(1) draws 0.627…, 0.00273…, 0.527…, 0.981…: the tests below follow each probe's documented order.
  it('corrupt-number: step by the 1st draw among steps with arithmetic, equation by the 2nd, k = 1 + ⌊9·3rd⌋', () => {
    const p = corruptNumber(PENS, seededRandom(1));
    // Two steps have an equation: ⌊0.627·2⌋ = 1 → step 2; one equation; k = 1 + ⌊0.527·9⌋ = 5 → 26 + 5.
    assert.deepEqual(texts(p), [S1, 'Step 2: He gives away 10, leaving 36 - 10 = 31 pens.', S3]);
    assert.equal(p?.step, 1);
    assert.equal(p?.change, 'step 2: "26" → "31"');
    assert.equal(p?.expected, 'down');
    assert.equal(p?.scope, 'step');
    assert.equal(p?.answer, '26');
    assert.deepEqual(texts(corruptNumber(PENS, seededRandom(2))), [S1, 'Step 2: He gives away 10, leaving 36 - 10 = 29 pens.', S3]);
  });

  it('corrupt-number changes a GSM8K annotation and the number written after it together', () => {
    const step = 'Step 2: With the pen she pays 7.50 + 1.25 = <<7.50+1.25=8.75>>8.75 dollars.';
    const p = corruptNumber({ steps: [r(step)] }, seededRandom(1));
    assert.equal(p?.steps[0]?.text, 'Step 2: With the pen she pays 7.50 + 1.25 = <<7.50+1.25=13.75>>13.75 dollars.');
    assert.equal(p?.change, 'step 1: "8.75" → "13.75"');
  });

  it('corrupt-number picks only equations that hold, reads LaTeX and `x` operators, and keeps thousands separators', () => {
    const text = '37 × 3 = 121 but 2 + 2 = 4, 13 x 8 = 104, 36 \\times 0.25 = 9, 1,200 + 34 = 1,234, 10/3 = 3.33, 10/3 = 3.4, $2.50 × 4 = $10';
    assert.deepEqual(
      equationResults(text).map((s) => text.slice(s.start, s.end)),
      ['4', '104', '9', '1,234', '3.33', '10'],
    );
    assert.equal(corruptNumber({ steps: [r('37 × 3 = 121.'), r('So 5 + 5 = 11.')] }, seededRandom(1)), undefined);
    assert.equal(corruptNumber({ steps: [r('No numbers here.'), r('x + 2 = 5')] }, seededRandom(1)), undefined);
    assert.equal(corruptNumber({ steps: [] }, seededRandom(1)), undefined);
    assert.equal(shiftNumber('1,234.5', 7), '1,241.5');
    assert.equal(shiftNumber('9,999', 2), '10,001');
    assert.equal(shiftNumber('0.75', 2), '2.75');
    assert.equal(shiftNumber('98765432109876543210', 1), '98765432109876543211');
  });

  it('drop-step removes one step by the 1st draw among all but the last', () => {
    const p = dropStep(PENS, seededRandom(1));
    // ⌊0.627·2⌋ = 1.
    assert.deepEqual(texts(p), [S1, S3]);
    assert.equal(p?.step, 1);
    assert.equal(p?.change, `dropped step 2 "${S2}"`);
    assert.deepEqual([p?.expected, p?.scope], ['down', 'trace']);
    assert.deepEqual(texts(dropStep({ steps: [r('a'), a('b')] }, seededRandom(1))), ['b']);
    assert.equal(dropStep({ steps: [a('only')] }, seededRandom(1)), undefined);
  });

  it('swap-steps trades an adjacent pair with different texts, drawn by the 1st draw', () => {
    const p = swapSteps(PENS, seededRandom(1));
    assert.deepEqual(texts(p), [S1, S3, S2]);
    // Parts move with their steps.
    assert.deepEqual(p?.steps.map((s) => s.part), ['reasoning', 'answer', 'reasoning']);
    assert.equal(p?.change, 'swapped steps 2 and 3');
    // Identical neighbours are never swapped: only the pair (2, 3) differs.
    assert.deepEqual(texts(swapSteps({ steps: [r('same'), r('same'), r('other')] }, seededRandom(0))), ['same', 'other', 'same']);
    assert.equal(swapSteps({ steps: [r('same'), r('same')] }, seededRandom(1)), undefined);
    assert.equal(swapSteps({ steps: [r('one')] }, seededRandom(1)), undefined);
  });

  it('duplicate-step repeats the step drawn by the 1st draw right after itself; the copy is the touched step', () => {
    const p = duplicateStep(PENS, seededRandom(1));
    // ⌊0.627·3⌋ = 1.
    assert.deepEqual(texts(p), [S1, S2, S2, S3]);
    assert.equal(p?.step, 2);
    assert.equal(p?.change, 'repeated step 2 as step 3');
    assert.deepEqual([p?.expected, p?.scope], ['not-up', 'trace']);
    assert.equal(duplicateStep({ steps: [] }, seededRandom(1)), undefined);
  });

  it('empty-restatement appends the fixed sentence in the last step\'s part', () => {
    const p = emptyRestatement(PENS, seededRandom(1));
    assert.deepEqual(texts(p), [S1, S2, S3, 'Therefore the answer is clearly correct.']);
    assert.equal(p?.steps[3]?.part, 'answer');
    assert.equal(p?.step, 3);
    assert.equal(EMPTY_RESTATEMENT, 'Therefore the answer is clearly correct.');
    assert.equal(emptyRestatement({ steps: [] }, seededRandom(1)), undefined);
  });

  it('filler pads the step drawn by the 1st draw with the sentence drawn by the 2nd, after a Step N: marker', () => {
    const p = filler(PENS, seededRandom(1));
    // ⌊0.627·3⌋ = 1; ⌊0.00273·4⌋ = 0.
    assert.deepEqual(texts(p), [S1, 'Step 2: Let us go through this carefully, one detail at a time, so that nothing is overlooked. He gives away 10, leaving 36 - 10 = 26 pens.', S3]);
    assert.equal(p?.change, 'step 2: prepended "Let us go through this carefully, one detail at a time, so that nothing is overlooked."');
    assert.deepEqual([p?.expected, p?.scope], ['not-up', 'step']);
    assert.equal(filler({ steps: [r('No marker here.')] }, seededRandom(1))?.steps[0]?.text, 'Let us go through this carefully, one detail at a time, so that nothing is overlooked. No marker here.');
    // The filler says nothing: no digits, no answer phrase.
    for (const s of FILLER_SENTENCES) assert.doesNotMatch(s, /\d|answer/i);
  });

  it('replace-answer shifts the located final answer and the answer field by k = 1 + ⌊9·1st draw⌋', () => {
    const p = replaceAnswer(PENS, seededRandom(1));
    // k = 1 + ⌊0.627·9⌋ = 6.
    assert.deepEqual(texts(p), [S1, S2, 'Step 3: The answer is \\boxed{32}.']);
    assert.equal(p?.answer, '32');
    assert.equal(p?.step, 2);
    assert.equal(p?.change, 'step 3: "26" → "32"; answer "26" → "32"');
    assert.deepEqual([p?.expected, p?.scope], ['down', 'step']);
  });

  it('replace-answer: "The answer is" phrases, choice letters, a field stated nowhere, and answers it cannot make wrong', () => {
    assert.deepEqual(texts(replaceAnswer({ steps: [r('Speed is 80 km/h.'), r('The answer is: 80')] }, seededRandom(1))), ['Speed is 80 km/h.', 'The answer is: 86']);
    assert.deepEqual(texts(replaceAnswer({ steps: [r('Compare the options.'), a('(B)')] }, seededRandom(1))), ['Compare the options.', '(H)']);
    const fieldOnly = replaceAnswer({ steps: [r('We add them up.'), r('That settles it.')], answer: '12' }, seededRandom(1));
    assert.deepEqual(texts(fieldOnly), ['We add them up.', 'That settles it.']);
    assert.equal(fieldOnly?.answer, '18');
    assert.equal(fieldOnly?.step, 1);
    assert.equal(replaceAnswer({ steps: [r('The capital is Canberra.'), r('The answer is Canberra.')], answer: 'Canberra' }, seededRandom(1)), undefined);
    assert.equal(replaceAnswer({ steps: [], answer: '3' }, seededRandom(1)), undefined);
  });

  it('every probe is deterministic for a seed, and leaves the input untouched', () => {
    const before = JSON.stringify(PENS);
    for (const probe of PROBE_NAMES) {
      assert.deepEqual(PERTURBATIONS[probe](PENS, seededRandom(9)), PERTURBATIONS[probe](PENS, seededRandom(9)), probe);
    }
    assert.equal(JSON.stringify(PENS), before);
  });

  it('probeRandom depends on the seed, the trace id and the probe', () => {
    const first = (f: () => number): number => f();
    assert.equal(first(probeRandom(0, 'a', 'filler')), first(probeRandom(0, 'a', 'filler')));
    assert.notEqual(first(probeRandom(0, 'a', 'filler')), first(probeRandom(1, 'a', 'filler')));
    assert.notEqual(first(probeRandom(0, 'a', 'filler')), first(probeRandom(0, 'b', 'filler')));
    assert.notEqual(first(probeRandom(0, 'a', 'filler')), first(probeRandom(0, 'a', 'drop-step')));
  });
});
