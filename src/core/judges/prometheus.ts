/**
 * Prometheus 2 (prometheus-eval/prometheus-eval `libs/prometheus-eval/prometheus_eval/prompts.py`,
 * `parser.py`, `judge.py`, commit dcfb4427): absolute grading (`[RESULT] 1–5` for one response against a
 * score rubric) and relative grading (`[RESULT] A|B` for two responses against the rubric's criteria line).
 * The `_WO_REF` prompt variants are used when the request has no reference answer.
 */
import type { ScoreResult } from '../scoring/scorer.js';
import type { GenerationRequest, GenerationResult } from './generation.js';
import { partsInOrder, splitThinking } from './judgeText.js';
import { noVerdictWarning, truncatedWarning } from './judgeWarnings.js';
import type { PairParse } from './pairGames.js';
import type { ScoreRubric } from './rubric.js';

/** `ABS_SYSTEM_PROMPT`. */
export const PROMETHEUS_ABS_SYSTEM_PROMPT =
  'You are a fair judge assistant tasked with providing clear, objective feedback based on specific criteria, ensuring each assessment reflects the absolute standards set for performance.';

/** `REL_SYSTEM_PROMPT`. */
export const PROMETHEUS_REL_SYSTEM_PROMPT =
  'You are a fair judge assistant assigned to deliver insightful feedback that compares individual performances, highlighting how each stands relative to others within the same cohort.';

/**
 * The score rubric used when none is given: correctness of the reasoning and of the final answer, written for
 * this project (Prometheus ships no rubric for step-by-step solutions).
 */
export const DEFAULT_SCORE_RUBRIC: ScoreRubric = {
  kind: 'score',
  criteria: 'Is the reasoning in the response correct, and does it reach a correct answer to the instruction?',
  descriptions: [
    'The reasoning is mostly wrong or irrelevant, and the final answer is wrong or missing.',
    'The reasoning contains major errors, and the final answer is wrong.',
    'The reasoning is partly sound but contains an error or gap that affects the result.',
    'The reasoning is sound apart from minor slips that do not change the correct final answer.',
    'The reasoning is correct and complete, and the final answer is correct.',
  ],
};

/** A score rubric in `SCORE_RUBRIC_TEMPLATE`: `[{criteria}]` then `Score 1: …` … `Score 5: …`. */
export function formatScoreRubric(rubric: ScoreRubric): string {
  return [`[${rubric.criteria}]`, ...rubric.descriptions.map((d, i) => `Score ${i + 1}: ${d}`)].join('\n');
}

const ABS_TASK_REF =
  '###Task Description:\nAn instruction (might include an Input inside it), a response to evaluate, a reference answer that gets a score of 5, and a score rubric representing a evaluation criteria are given.\n';
const ABS_TASK_WO_REF = '###Task Description:\nAn instruction (might include an Input inside it), a response to evaluate, and a score rubric representing a evaluation criteria are given.\n';
const ABS_STEPS =
  '1. Write a detailed feedback that assess the quality of the response strictly based on the given score rubric, not evaluating in general.\n' +
  '2. After writing a feedback, write a score that is an integer between 1 and 5. You should refer to the score rubric.\n' +
  '3. The output format should look as follows: "(write a feedback for criteria) [RESULT] (an integer number between 1 and 5)"\n' +
  '4. Please do not generate any other opening, closing, and explanations.\n\n';

/** `ABSOLUTE_PROMPT` (with a reference answer) or `ABSOLUTE_PROMPT_WO_REF`, filled in. */
export function buildPrometheusAbsolutePrompt(instruction: string, response: string, rubric: string, reference?: string): string {
  const ref = reference !== undefined ? `###Reference Answer (Score 5):\n${reference}\n\n` : '';
  return `${reference !== undefined ? ABS_TASK_REF : ABS_TASK_WO_REF}${ABS_STEPS}###The instruction to evaluate:\n${instruction}\n\n###Response to evaluate:\n${response}\n\n${ref}###Score Rubrics:\n${rubric}\n\n###Feedback: `;
}

const REL_TASK_REF =
  '###Task Description:\nAn instruction (might include an Input inside it), two responses to evaluate (denoted as Response A and Response B), a reference answer, and an evaluation criteria are given.\n';
const REL_TASK_WO_REF = '###Task Description:\nAn instruction (might include an Input inside it), two responses to evaluate (denoted as Response A and Response B), and an evaluation criteria are given.\n';
const REL_STEPS =
  '1. Write a detailed feedback that assess the quality of the two responses strictly based on the given evaluation criteria, not evaluating in general.\n' +
  '2. Make comparisons between Response A, Response B, and the Reference Answer. Instead of examining Response A and Response B separately, go straight to the point and mention about the commonalities and differences between them.\n' +
  '3. After writing the feedback, indicate the better response, either "A" or "B".\n' +
  '4. The output format should look as follows: "Feedback: (write a feedback for criteria) [RESULT] (Either "A" or "B")"\n' +
  '5. Please do not generate any other opening, closing, and explanations.\n\n';

/** `RELATIVE_PROMPT` or `RELATIVE_PROMPT_WO_REF`, filled in; `rubric` is the criteria line (`[…]`) as `load_rubric` gives for relative grading. */
export function buildPrometheusRelativePrompt(instruction: string, responseA: string, responseB: string, rubric: string, reference?: string): string {
  const ref = reference !== undefined ? `###Reference Answer:\n${reference}\n\n` : '';
  return `${reference !== undefined ? REL_TASK_REF : REL_TASK_WO_REF}${REL_STEPS}###Instruction:\n${instruction}\n\n###Response A:\n${responseA}\n\n###Response B:\n${responseB}\n\n${ref}###Score Rubric:\n${rubric}\n\n###Feedback: `;
}

/** The absolute-grading request: system prompt and user turn. */
export function buildPrometheusAbsoluteRequest(instruction: string, response: string, rubric: ScoreRubric, reference: string | undefined, maxTokens: number): GenerationRequest {
  return {
    messages: [
      { role: 'system', content: PROMETHEUS_ABS_SYSTEM_PROMPT },
      { role: 'user', content: buildPrometheusAbsolutePrompt(instruction, response, formatScoreRubric(rubric), reference) },
    ],
    maxTokens,
  };
}

/** The relative-grading request; the rubric is reduced to its first line, as `load_rubric(…, 'relative')` does. */
export function buildPrometheusRelativeRequest(instruction: string, responseA: string, responseB: string, rubric: ScoreRubric, reference: string | undefined, maxTokens: number): GenerationRequest {
  const criteriaLine = formatScoreRubric(rubric).split('\n')[0] ?? '';
  return {
    messages: [
      { role: 'system', content: PROMETHEUS_REL_SYSTEM_PROMPT },
      { role: 'user', content: buildPrometheusRelativePrompt(instruction, responseA, responseB, criteriaLine, reference) },
    ],
    maxTokens,
    verdictWords: ['A', 'B'],
  };
}

// parser.py's patterns, case-insensitive; the absolute one must end the text (trailing whitespace allowed).
const ABSOLUTE = /(?:\[RESULT\]|\[SCORE\]|Score:?|score:?|Result:?|\[Result\]:?|score\s+of)\s*(?:\(|\[|\s)*(\d+)(?:(?:\)|\]|\s|$)|(?:\/\s*5|\s*out\s*of\s*5))?(?:\s*$)/di;
const RELATIVE = /(?:\[RESULT\]|\[RESULT:\s*|\[Response\s+|\[Result\](?:\s+Response)?|\[Result:\s*|(?:^|\n)Result:?\s*)\s*(A|B)(?:\])?(?:\s*$)/dim;

/** An absolute grade and the offset of its digits. */
export interface PrometheusGrade {
  readonly score: number;
  readonly offset: number;
}

/**
 * Reads an absolute grade with `parser.py`'s pattern (first match, which must close the text; 1–5 only) from
 * the visible reply, else from the thinking.
 */
export function parsePrometheusAbsolute(text: string): PrometheusGrade | null {
  for (const { range } of partsInOrder(splitThinking(text))) {
    const m = ABSOLUTE.exec(text.slice(range.start, range.end));
    if (m === null || m[1] === undefined) continue;
    const score = Number(m[1]);
    return score >= 1 && score <= 5 ? { score, offset: range.start + (m.indices?.[1]?.[0] ?? m.index) } : null;
  }
  return null;
}

/** Reads a relative verdict with `parser.py`'s pattern (first match; the letter upper-cased), visible reply first. */
export function parsePrometheusRelative(text: string): PairParse {
  for (const { range } of partsInOrder(splitThinking(text))) {
    const m = RELATIVE.exec(text.slice(range.start, range.end));
    if (m === null || m[1] === undefined) continue;
    const label = m[1].toUpperCase();
    return { verdict: { label, winA: label === 'A' ? 1 : 0, letterOffset: range.start + (m.indices?.[1]?.[0] ?? m.index) } };
  }
  return { verdict: null };
}

/** Builds the result of an absolute grading: `sequenceScore` = (grade − 1) / 4, absent without a grade. */
export function prometheusAbsoluteResult(gen: GenerationResult): ScoreResult {
  const grade = parsePrometheusAbsolute(gen.text);
  const warnings: string[] = [];
  if (gen.finish === 'length') warnings.push(truncatedWarning('prometheus'));
  if (grade === null) warnings.push(noVerdictWarning('prometheus', '"[RESULT] n" with n from 1 to 5, at the end'));
  return {
    steps: [],
    ...(grade !== null ? { sequenceScore: (grade.score - 1) / 4 } : {}),
    device: gen.device,
    ...(warnings.length > 0 ? { warnings } : {}),
    judge: { name: 'prometheus', model: gen.model, text: gen.text, verdict: grade === null ? null : String(grade.score), truncated: gen.finish === 'length', source: 'verdict' },
  };
}
