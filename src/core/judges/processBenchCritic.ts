/**
 * ProcessBench's critic prompt (QwenLM/ProcessBench `code/templates/critique_template.txt` and
 * `code/run_eval.py`, commit e8024636): any instruction model reads the solution as tagged paragraphs
 * indexed from 0 and puts the index of the earliest wrong paragraph, or -1, in `\boxed{}`.
 */
import type { ScoreResult } from '../scoring/scorer.js';
import type { GenerationRequest, GenerationResult } from './generation.js';
import { findHeadings, partsInOrder, sectionsOf, splitThinking, type TextRange } from './judgeText.js';
import { noVerdictWarning, truncatedWarning, unalignedWarning } from './judgeWarnings.js';
import { scoreStepJudgements, type StepJudgement } from './stepVerdicts.js';

/** The steps as `<paragraph_i>\n…\n</paragraph_i>` (0-based), joined by a blank line. */
export function formatTaggedResponse(steps: readonly string[]): string {
  return steps.map((s, i) => `<paragraph_${i}>\n${s}\n</paragraph_${i}>`).join('\n\n');
}

/** The one user turn: the critique template filled in (`\boxed{{}}` in the template is `str.format`'s `\boxed{}`). */
export function buildProcessBenchPrompt(problem: string, steps: readonly string[]): string {
  return (
    'The following is a math problem and a solution (split into paragraphs, enclosed with tags and indexed from 0):\n\n' +
    `[Math Problem]\n\n${problem}\n\n[Solution]\n\n${formatTaggedResponse(steps)}\n\n` +
    'Your task is to review and critique the solution paragraph by paragraph. Once you identify an error in a paragraph, return the index of the paragraph where the earliest error occurs. Otherwise, return the index of -1 (which typically denotes "not found").\n\n' +
    'Please put your final answer (i.e., the index) in \\boxed{}.'
  );
}

/** The generation request (greedy unless the caller sets sampling). */
export function buildProcessBenchRequest(problem: string, steps: readonly string[], maxTokens: number): GenerationRequest {
  return { messages: [{ role: 'user', content: buildProcessBenchPrompt(problem, steps) }], maxTokens };
}

/** What {@link parseProcessBenchCritic} found. */
export interface ProcessBenchParse {
  /** The content of the last `\boxed{}` as written (trimmed), or null when there is none. */
  readonly answer: string | null;
  /** The index it parses to (-1 … stepCount-1), or null when it is missing, not an integer, or out of range. */
  readonly index: number | null;
  /** Why there is no index: no box, not an integer, or an integer that is not a paragraph index. */
  readonly problem: 'missing' | 'not-an-integer' | 'out-of-range' | null;
  /** One entry per request step. */
  readonly steps: readonly StepJudgement[];
}

/** Python's `int()` on an already-trimmed string: an optional sign and digits (underscores between digits). */
function parsePythonInt(s: string): number | null {
  if (!/^[+-]?\d+(?:_\d+)*$/.test(s)) return null;
  const n = Number(s.replace(/_/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

function lastBoxedContent(text: string): string | null {
  let found: string | null = null;
  for (const m of text.matchAll(/\\boxed\{([^}]*)\}/g)) found = (m[1] ?? '').trim();
  return found;
}

/** Per paragraph (0-based), the last line-start section about it ("Paragraph 2: …"), from the visible reply if it has any, else the thinking. */
export function paragraphSpans(text: string, stepCount: number): (TextRange | null)[] {
  const spans: (TextRange | null)[] = Array.from({ length: stepCount }, () => null);
  for (const { range } of partsInOrder(splitThinking(text))) {
    const headings = findHeadings(text, range, 'paragraph');
    if (headings.length === 0) continue;
    for (const s of sectionsOf(headings, range)) if (s.number >= 0 && s.number < stepCount) spans[s.number] = { start: s.start, end: s.end };
    break;
  }
  return spans;
}

/**
 * Reads the critic's answer as `run_eval.py` does: the last `\boxed{…}` of the whole output (thinking
 * included, so an answer only in the thinking counts), trimmed and read as an integer. With index k, steps
 * before k are correct, step k incorrect, and later steps not judged (the critic says nothing about them);
 * -1 means every step is correct. A missing, non-integer or out-of-range answer judges no step.
 */
export function parseProcessBenchCritic(text: string, stepCount: number): ProcessBenchParse {
  const answer = lastBoxedContent(text);
  const spans = paragraphSpans(text, stepCount);
  const parsed = answer === null ? null : parsePythonInt(answer);
  const problem = answer === null ? 'missing' : parsed === null ? 'not-an-integer' : parsed < -1 || parsed >= stepCount ? 'out-of-range' : null;
  const index = problem === null ? parsed : null;
  const steps = spans.map((span, i): StepJudgement => {
    if (index === null) return { verdict: null, span, reason: answer === null ? 'Not judged: the judge put no paragraph index in \\boxed{}.' : `Not judged: the judge's answer \\boxed{${answer}} is not a paragraph index.` };
    if (index === -1 || i < index) return { verdict: { verdict: 'correct' }, span };
    if (i === index) return { verdict: { verdict: 'incorrect' }, span };
    return { verdict: null, span, reason: `Not judged: this paragraph comes after the earliest error the judge found (paragraph ${index}); the critic says nothing about later paragraphs.` };
  });
  return { answer, index, problem, steps };
}

/** Builds the result of a ProcessBench-critic run. Scores come from the index (source `verdict`). */
export function processBenchResult(stepCount: number, gen: GenerationResult): ScoreResult {
  const parse = parseProcessBenchCritic(gen.text, stepCount);
  const scoring = scoreStepJudgements(gen.text, parse.steps, undefined);
  const warnings: string[] = [];
  if (gen.finish === 'length') warnings.push(truncatedWarning('processbench-critic'));
  if (parse.problem === 'missing' || parse.problem === 'not-an-integer') warnings.push(noVerdictWarning('processbench-critic', 'the index of the earliest wrong paragraph, or -1, in \\boxed{}'));
  if (parse.problem === 'out-of-range') {
    warnings.push(`The processbench-critic judge answered \\boxed{${parse.answer ?? ''}}, which is not a paragraph index (-1 … ${stepCount - 1}); no step was judged.`);
    warnings.push(unalignedWarning(1));
  }
  return {
    steps: scoring.steps,
    device: gen.device,
    ...(warnings.length > 0 ? { warnings } : {}),
    judge: {
      name: 'processbench-critic',
      model: gen.model,
      text: gen.text,
      verdict: parse.answer,
      truncated: gen.finish === 'length',
      source: 'verdict',
      ...(parse.problem === 'out-of-range' || parse.problem === 'not-an-integer' ? { unaligned: [`\\boxed{${parse.answer ?? ''}}`] } : {}),
      stepSpans: parse.steps.map((s) => s.span),
    },
  };
}
