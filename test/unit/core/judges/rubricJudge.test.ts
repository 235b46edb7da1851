import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { GenerationResult } from '../../../../src/core/judges/generation.js';
import type { Principle, PrincipleRubric } from '../../../../src/core/judges/rubric.js';
import { buildRubricPrompt, buildRubricRequest, parseRubricAnswers, rubricResult, rubricScore, type RubricAnswer } from '../../../../src/core/judges/rubricJudge.js';

const RUBRIC: PrincipleRubric = {
  kind: 'principles',
  principles: [
    { text: 'States the final answer', weight: 2 },
    { text: 'Shows the work', weight: 1 },
    { text: 'Invents facts', description: 'Claims something false', weight: -1 },
  ],
};

describe('rubric prompt', () => {
  it('lists the principles numbered and fixes the answer format', () => {
    const expected =
      'You are grading a response against a list of principles. For each principle, decide whether it holds for the response.\n\n' +
      '[Question]\nQ?\n\n' +
      '[Response]\nR.\n\n' +
      '[Principles]\n' +
      '1. States the final answer\n' +
      '2. Shows the work\n' +
      '3. Invents facts — Claims something false\n\n' +
      'Answer all 3 principles in order, one line each, in exactly this format:\n' +
      'Principle 1: yes - <a one-line reason>\n' +
      'Principle 2: no - <a one-line reason>\n\n' +
      'Write "yes" when the principle holds for the response and "no" when it does not. Write nothing after the last line.';
    assert.equal(buildRubricPrompt('Q?', 'R.', RUBRIC), expected);
  });

  it('adds the reference answer when there is one', () => {
    const req = buildRubricRequest('Q?', 'R.', RUBRIC, '42', 100);
    assert.match(req.messages[0]?.content ?? '', /\[Response\]\nR\.\n\n\[Reference Answer\]\n42\n\n\[Principles\]/);
    assert.equal(req.maxTokens, 100);
  });
});

const answersOf = (text: string, n: number): (string | null)[] => parseRubricAnswers(text, n).answers.map((a) => (a === null ? null : `${a.satisfied ? 'yes' : 'no'}:${a.reason}`));

describe('parseRubricAnswers', () => {
  it('reads the documented format and common variants', () => {
    const text = 'Principle 1: yes - the answer is 14\n**Principle 2:** No — no work shown\n3. YES: claims 2+2=5';
    assert.deepEqual(answersOf(text, 3), ['yes:the answer is 14', 'no:no work shown', 'yes:claims 2+2=5']);
    assert.equal(parseRubricAnswers(text, 3).answers[1]?.word, 'No');
  });

  it('places answers by number whatever their order, keeps the last repeat, and reports out-of-range numbers', () => {
    const text = 'Principle 3: no - fine\nPrinciple 1: no - missing\nPrinciple 1: yes - found it later\nPrinciple 7: yes - ?';
    const p = parseRubricAnswers(text, 3);
    assert.deepEqual(answersOf(text, 3), ['yes:found it later', null, 'no:fine']);
    assert.deepEqual(p.unaligned, ['Principle 7: yes - ?']);
  });

  it('uses answers in the thinking only when the visible part has none', () => {
    assert.deepEqual(answersOf('<think>Principle 1: no - x</think>\nPrinciple 1: yes - y', 1), ['yes:y']);
    assert.deepEqual(answersOf('<think>Principle 1: no - x</think>\nAll good.', 1), ['no:x']);
  });

  it('reads nothing from a judge that ignores the format', () => {
    assert.deepEqual(answersOf('The response is great overall, yes.', 2), [null, null]);
    // "not" is not "no".
    assert.deepEqual(answersOf('Principle 1: nothing to say', 1), [null]);
  });
});

const yes = (reason = ''): RubricAnswer => ({ satisfied: true, word: 'yes', reason });
const no = (reason = ''): RubricAnswer => ({ satisfied: false, word: 'no', reason });

describe('rubricScore', () => {
  const P: readonly Principle[] = RUBRIC.principles;
  it('is the weighted share of positive principles met, less met pitfalls', () => {
    assert.equal(rubricScore(P, [yes(), yes(), no()]), 1); // (2 + 1 − 0) / 3
    assert.equal(rubricScore(P, [yes(), no(), no()]), 2 / 3); // 2 / 3
    assert.equal(rubricScore(P, [yes(), no(), yes()]), 1 / 3); // (2 − 1) / 3
  });
  it('clamps to [0, 1]', () => {
    assert.equal(rubricScore(P, [no(), no(), yes()]), 0); // (0 − 1) / 3 → 0
  });
  it('leaves skipped principles out', () => {
    assert.equal(rubricScore(P, [null, yes(), null]), 1); // 1 / 1
    assert.equal(rubricScore(P, [yes(), null, yes()]), 0.5); // (2 − 1) / 2
  });
  it('scores pitfalls alone as the share avoided, and nothing answered as undefined', () => {
    assert.equal(rubricScore(P, [null, null, no()]), 1);
    assert.equal(rubricScore(P, [null, null, yes()]), 0);
    assert.equal(rubricScore(P, [null, null, null]), undefined);
  });
});

function gen(text: string): GenerationResult {
  return { text, finish: 'stop', model: 'qwen', device: 'cpu' };
}

describe('rubricResult', () => {
  it('reports each principle and the answers as written, warning about skipped ones', () => {
    const r = rubricResult(RUBRIC, gen('Principle 1: yes - says 14\nPrinciple 3: No - nothing false'));
    assert.equal(r.sequenceScore, 1); // 2 / 2
    assert.deepEqual(r.judge?.principles, [
      { principle: 'States the final answer', weight: 2, satisfied: true, reason: 'says 14' },
      { principle: 'Shows the work', weight: 1, satisfied: null, reason: '' },
      { principle: 'Invents facts', weight: -1, satisfied: false, reason: 'nothing false' },
    ]);
    assert.equal(r.judge?.verdict, 'yes - No');
    assert.deepEqual(r.warnings, ['The rubric judge did not answer principle 2; left out of the score.']);
  });
  it('has no score when the judge ignores the format', () => {
    const r = rubricResult(RUBRIC, gen('Nice answer.'));
    assert.equal(r.sequenceScore, undefined);
    assert.equal(r.judge?.verdict, null);
    assert.match(r.warnings?.[0] ?? '', /no verdict in the expected format/);
  });
});
