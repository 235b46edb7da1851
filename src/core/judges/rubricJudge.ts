/**
 * The `rubric` judge: any instruction model answers each of the user's binary principles with `yes` or `no`
 * and a one-line reason, one line per principle, in this fixed format:
 *
 *     Principle 1: yes - <one-line reason>
 *     Principle 2: no - <one-line reason>
 *
 * The parser also accepts `1. yes: reason`, `**Principle 1:** No — reason`, and so on. The score is the
 * weighted share of principles met (see {@link rubricScore}).
 */
import type { PrincipleVerdict, ScoreResult } from '../scoring/scorer.js';
import type { GenerationRequest, GenerationResult } from './generation.js';
import { partsInOrder, splitThinking } from './judgeText.js';
import { noVerdictWarning, truncatedWarning, unalignedWarning } from './judgeWarnings.js';
import type { Principle, PrincipleRubric } from './rubric.js';

/** One principle as the prompt lists it: `N. text` or `N. text — description`. */
function listPrinciple(p: Principle, i: number): string {
  return `${i + 1}. ${p.text}${p.description !== undefined ? ` — ${p.description}` : ''}`;
}

/**
 * The user turn. Weights are not shown: the judge says whether each principle holds, and the weighting
 * (pitfalls included) happens in {@link rubricScore}.
 */
export function buildRubricPrompt(question: string, response: string, rubric: PrincipleRubric, reference?: string): string {
  const n = rubric.principles.length;
  return (
    'You are grading a response against a list of principles. For each principle, decide whether it holds for the response.\n\n' +
    `[Question]\n${question}\n\n[Response]\n${response}\n\n` +
    (reference !== undefined ? `[Reference Answer]\n${reference}\n\n` : '') +
    `[Principles]\n${rubric.principles.map(listPrinciple).join('\n')}\n\n` +
    `${n === 1 ? 'Answer the principle on one line' : `Answer all ${n} principles in order, one line each`}, in exactly this format:\n` +
    'Principle 1: yes - <a one-line reason>\n' +
    'Principle 2: no - <a one-line reason>\n\n' +
    'Write "yes" when the principle holds for the response and "no" when it does not. Write nothing after the last line.'
  );
}

/** The request: one user turn. */
export function buildRubricRequest(question: string, response: string, rubric: PrincipleRubric, reference: string | undefined, maxTokens: number): GenerationRequest {
  return { messages: [{ role: 'user', content: buildRubricPrompt(question, response, rubric, reference) }], maxTokens, verdictWords: ['yes', 'no'] };
}

/** One principle's answer as read from the output. */
export interface RubricAnswer {
  readonly satisfied: boolean;
  /** As written (`yes`, `No`). */
  readonly word: string;
  readonly reason: string;
}

/** What {@link parseRubricAnswers} found. */
export interface RubricAnswers {
  /** Per principle, its answer or null when the judge skipped it. */
  readonly answers: readonly (RubricAnswer | null)[];
  /** Answer lines numbered outside 1…n, quoted raw. */
  readonly unaligned: readonly string[];
}

const LINE = /^[ \t>*#-]*(?:principle|criterion)?[ \t]*(\d+)[*_ \t]*[:.)\]]?[*_ \t]*(yes|no)\b[*_ \t]*(?:[-—–:,.;][ \t]*)?(.*)$/gim;

/**
 * Reads the numbered yes/no lines of the visible reply, or of the thinking when the visible reply has none.
 * Each answer goes to the principle of its number, never by order; numbers outside 1…n are unaligned; a
 * principle answered twice keeps the last answer.
 */
export function parseRubricAnswers(text: string, principleCount: number): RubricAnswers {
  for (const { range } of partsInOrder(splitThinking(text))) {
    const matches = [...text.slice(range.start, range.end).matchAll(LINE)];
    if (matches.length === 0) continue;
    const answers: (RubricAnswer | null)[] = Array.from({ length: principleCount }, () => null);
    const unaligned: string[] = [];
    for (const m of matches) {
      const k = Number(m[1]);
      const word = m[2] ?? '';
      if (!(k >= 1 && k <= principleCount)) {
        unaligned.push(m[0].trim());
        continue;
      }
      answers[k - 1] = { satisfied: word.toLowerCase() === 'yes', word, reason: (m[3] ?? '').trim() };
    }
    return { answers, unaligned };
  }
  return { answers: Array.from({ length: principleCount }, () => null), unaligned: [] };
}

/**
 * The weighted share of principles met, over the principles the judge answered (skipped ones are left
 * out): (Σ weight of met positive principles − Σ |weight| of met pitfalls) / Σ weight of answered positive
 * principles, clamped to [0, 1]. With no answered positive principle, it is 1 − (Σ |weight| of met
 * pitfalls / Σ |weight| of answered pitfalls). Undefined when nothing with a non-zero weight was answered.
 */
export function rubricScore(principles: readonly Principle[], answers: readonly (RubricAnswer | null)[]): number | undefined {
  let metPos = 0;
  let totalPos = 0;
  let metNeg = 0;
  let totalNeg = 0;
  principles.forEach((p, i) => {
    const a = answers[i];
    if (a === null || a === undefined) return;
    if (p.weight > 0) {
      totalPos += p.weight;
      if (a.satisfied) metPos += p.weight;
    } else if (p.weight < 0) {
      totalNeg += -p.weight;
      if (a.satisfied) metNeg += -p.weight;
    }
  });
  if (totalPos > 0) return Math.min(1, Math.max(0, (metPos - metNeg) / totalPos));
  if (totalNeg > 0) return 1 - metNeg / totalNeg;
  return undefined;
}

/**
 * Builds the result of a rubric run: `sequenceScore` from {@link rubricScore}, the report's `principles`
 * (satisfied null for skipped ones) and `verdict` = the answers as written in principle order, `-` for a
 * skipped one (e.g. `yes no - yes`), or null when none was answered.
 */
export function rubricResult(rubric: PrincipleRubric, gen: GenerationResult): ScoreResult {
  const parsed = parseRubricAnswers(gen.text, rubric.principles.length);
  const score = rubricScore(rubric.principles, parsed.answers);
  const principles: PrincipleVerdict[] = rubric.principles.map((p, i) => {
    const a = parsed.answers[i] ?? null;
    return { principle: p.text, weight: p.weight, satisfied: a === null ? null : a.satisfied, reason: a?.reason ?? '' };
  });
  const answered = parsed.answers.filter((a) => a !== null).length;
  const skipped = parsed.answers.flatMap((a, i) => (a === null ? [i + 1] : []));
  const warnings: string[] = [];
  if (gen.finish === 'length') warnings.push(truncatedWarning('rubric'));
  if (answered === 0) warnings.push(noVerdictWarning('rubric', '"Principle k: yes|no - reason", one line per principle'));
  else if (skipped.length > 0) warnings.push(`The rubric judge did not answer principle${skipped.length === 1 ? '' : 's'} ${skipped.join(', ')}; left out of the score.`);
  if (parsed.unaligned.length > 0) warnings.push(unalignedWarning(parsed.unaligned.length));
  return {
    steps: [],
    ...(score !== undefined ? { sequenceScore: score } : {}),
    device: gen.device,
    ...(warnings.length > 0 ? { warnings } : {}),
    judge: {
      name: 'rubric',
      model: gen.model,
      text: gen.text,
      verdict: answered === 0 ? null : parsed.answers.map((a) => a?.word ?? '-').join(' '),
      truncated: gen.finish === 'length',
      source: 'verdict',
      ...(parsed.unaligned.length > 0 ? { unaligned: parsed.unaligned } : {}),
      principles,
    },
  };
}
