import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { GenerationResult } from '../../../../src/core/judges/generation.js';
import {
  buildPrometheusAbsoluteRequest,
  buildPrometheusRelativeRequest,
  DEFAULT_SCORE_RUBRIC,
  formatScoreRubric,
  parsePrometheusAbsolute,
  parsePrometheusRelative,
  prometheusAbsoluteResult,
} from '../../../../src/core/judges/prometheus.js';
import type { ScoreRubric } from '../../../../src/core/judges/rubric.js';

// prometheus_eval/prompts.py templates filled with str.format, as the Python strings evaluate.
const RUBRIC =
  "[Is it right?]\nScore 1: s1\nScore 2: s2\nScore 3: s3\nScore 4: s4\nScore 5: s5";
const ABS_WO_REF =
  "###Task Description:\nAn instruction (might include an Input inside it), a response to evaluate, and a score rubric representing a evaluation criteria are given.\n1. Write a detailed feedback that assess the quality of the response strictly based on the given score rubric, not evaluating in general.\n2. After writing a feedback, write a score that is an integer between 1 and 5. You should refer to the score rubric.\n3. The output format should look as follows: \"(write a feedback for criteria) [RESULT] (an integer number between 1 and 5)\"\n4. Please do not generate any other opening, closing, and explanations.\n\n###The instruction to evaluate:\nQ?\n\n###Response to evaluate:\nR.\n\n###Score Rubrics:\n[Is it right?]\nScore 1: s1\nScore 2: s2\nScore 3: s3\nScore 4: s4\nScore 5: s5\n\n###Feedback: ";
const ABS_REF =
  "###Task Description:\nAn instruction (might include an Input inside it), a response to evaluate, a reference answer that gets a score of 5, and a score rubric representing a evaluation criteria are given.\n1. Write a detailed feedback that assess the quality of the response strictly based on the given score rubric, not evaluating in general.\n2. After writing a feedback, write a score that is an integer between 1 and 5. You should refer to the score rubric.\n3. The output format should look as follows: \"(write a feedback for criteria) [RESULT] (an integer number between 1 and 5)\"\n4. Please do not generate any other opening, closing, and explanations.\n\n###The instruction to evaluate:\nQ?\n\n###Response to evaluate:\nR.\n\n###Reference Answer (Score 5):\nRef.\n\n###Score Rubrics:\n[Is it right?]\nScore 1: s1\nScore 2: s2\nScore 3: s3\nScore 4: s4\nScore 5: s5\n\n###Feedback: ";
const REL_WO_REF =
  "###Task Description:\nAn instruction (might include an Input inside it), two responses to evaluate (denoted as Response A and Response B), and an evaluation criteria are given.\n1. Write a detailed feedback that assess the quality of the two responses strictly based on the given evaluation criteria, not evaluating in general.\n2. Make comparisons between Response A, Response B, and the Reference Answer. Instead of examining Response A and Response B separately, go straight to the point and mention about the commonalities and differences between them.\n3. After writing the feedback, indicate the better response, either \"A\" or \"B\".\n4. The output format should look as follows: \"Feedback: (write a feedback for criteria) [RESULT] (Either \"A\" or \"B\")\"\n5. Please do not generate any other opening, closing, and explanations.\n\n###Instruction:\nQ?\n\n###Response A:\nfirst\n\n###Response B:\nsecond\n\n###Score Rubric:\n[Is it right?]\n\n###Feedback: ";
const REL_REF =
  "###Task Description:\nAn instruction (might include an Input inside it), two responses to evaluate (denoted as Response A and Response B), a reference answer, and an evaluation criteria are given.\n1. Write a detailed feedback that assess the quality of the two responses strictly based on the given evaluation criteria, not evaluating in general.\n2. Make comparisons between Response A, Response B, and the Reference Answer. Instead of examining Response A and Response B separately, go straight to the point and mention about the commonalities and differences between them.\n3. After writing the feedback, indicate the better response, either \"A\" or \"B\".\n4. The output format should look as follows: \"Feedback: (write a feedback for criteria) [RESULT] (Either \"A\" or \"B\")\"\n5. Please do not generate any other opening, closing, and explanations.\n\n###Instruction:\nQ?\n\n###Response A:\nfirst\n\n###Response B:\nsecond\n\n###Reference Answer:\nRef.\n\n###Score Rubric:\n[Is it right?]\n\n###Feedback: ";
const ABS_SYS =
  "You are a fair judge assistant tasked with providing clear, objective feedback based on specific criteria, ensuring each assessment reflects the absolute standards set for performance.";
const REL_SYS =
  "You are a fair judge assistant assigned to deliver insightful feedback that compares individual performances, highlighting how each stands relative to others within the same cohort.";

const RUB: ScoreRubric = { kind: 'score', criteria: 'Is it right?', descriptions: ['s1', 's2', 's3', 's4', 's5'] };

describe('Prometheus prompts', () => {
  it('formats a score rubric with SCORE_RUBRIC_TEMPLATE', () => {
    assert.equal(formatScoreRubric(RUB), RUBRIC);
    assert.equal(formatScoreRubric(DEFAULT_SCORE_RUBRIC).split('\n').length, 6);
  });
  it('builds ABSOLUTE_PROMPT_WO_REF without a reference and ABSOLUTE_PROMPT with one', () => {
    assert.deepEqual(buildPrometheusAbsoluteRequest('Q?', 'R.', RUB, undefined, 5).messages, [
      { role: 'system', content: ABS_SYS },
      { role: 'user', content: ABS_WO_REF },
    ]);
    assert.equal(buildPrometheusAbsoluteRequest('Q?', 'R.', RUB, 'Ref.', 5).messages[1]?.content, ABS_REF);
  });
  it('builds RELATIVE_PROMPT(_WO_REF) with the rubric\'s first line, as load_rubric does for relative grading', () => {
    assert.deepEqual(buildPrometheusRelativeRequest('Q?', 'first', 'second', RUB, undefined, 5).messages, [
      { role: 'system', content: REL_SYS },
      { role: 'user', content: REL_WO_REF },
    ]);
    assert.equal(buildPrometheusRelativeRequest('Q?', 'first', 'second', RUB, 'Ref.', 5).messages[1]?.content, REL_REF);
  });
});

describe('parsePrometheusAbsolute', () => {
  it('reads the final [RESULT] n and the variants parser.py accepts', () => {
    assert.equal(parsePrometheusAbsolute('Feedback: solid work. [RESULT] 4')?.score, 4);
    assert.equal(parsePrometheusAbsolute('Good. Score: 3/5\n')?.score, 3);
    assert.equal(parsePrometheusAbsolute('a score of 2 out of 5')?.score, 2);
    assert.equal(parsePrometheusAbsolute('[SCORE] (5)')?.score, 5);
    const text = 'x [RESULT] 4';
    assert.equal(parsePrometheusAbsolute(text)?.offset, text.length - 1);
  });
  it('rejects grades outside 1–5, results not at the end, and outputs without one', () => {
    assert.equal(parsePrometheusAbsolute('[RESULT] 6'), null);
    assert.equal(parsePrometheusAbsolute('[RESULT] 0'), null);
    assert.equal(parsePrometheusAbsolute('[RESULT] 4 because the response is clear.'), null);
    assert.equal(parsePrometheusAbsolute('The response is clear.'), null);
  });
  it('reads a grade only in the thinking when the visible part has none', () => {
    assert.equal(parsePrometheusAbsolute('<think>so [RESULT] 2</think>\nI am done.')?.score, 2);
    assert.equal(parsePrometheusAbsolute('<think>[RESULT] 2</think>\n[RESULT] 5')?.score, 5);
  });
});

describe('parsePrometheusRelative', () => {
  it('reads [RESULT] A|B (any case) with the letter offset, first match', () => {
    const text = 'Feedback: B is clearer. [RESULT] B';
    assert.deepEqual(parsePrometheusRelative(text).verdict, { label: 'B', winA: 0, letterOffset: text.length - 1 });
    assert.equal(parsePrometheusRelative('[RESULT] a\nmore text').verdict?.label, 'A');
    assert.equal(parsePrometheusRelative('...\nResult: B').verdict?.label, 'B');
    assert.equal(parsePrometheusRelative('[RESULT] A then [RESULT] B').verdict?.label, 'B');
  });
  it('has no verdict without one', () => {
    assert.equal(parsePrometheusRelative('Both are fine.').verdict, null);
  });
});

function gen(text: string, finish: GenerationResult['finish'] = 'stop'): GenerationResult {
  return { text, finish, model: 'prometheus-7b', device: 'cuda' };
}

describe('prometheusAbsoluteResult', () => {
  it('rescales the grade to [0, 1]', () => {
    for (const [grade, score] of [
      [1, 0],
      [3, 0.5],
      [5, 1],
    ] as const) {
      const r = prometheusAbsoluteResult(gen(`ok [RESULT] ${grade}`));
      assert.equal(r.sequenceScore, score);
      assert.equal(r.judge?.verdict, String(grade));
    }
  });
  it('has no score and a warning when there is no grade', () => {
    const r = prometheusAbsoluteResult(gen('Feedback: fine', 'length'));
    assert.equal(r.sequenceScore, undefined);
    assert.equal(r.judge?.verdict, null);
    assert.equal(r.judge?.truncated, true);
    assert.equal(r.warnings?.length, 2);
  });
});
