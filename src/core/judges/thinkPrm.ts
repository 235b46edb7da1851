/**
 * ThinkPRM (mukhal/ThinkPRM, `launch/ThinkPRM-*`): a verification chain of thought that ends each step with
 * `\boxed{correct}` or `\boxed{incorrect}` and the solution with `Is the solution correct? Yes|No`.
 * Prompt from `utils/helper.py` (`format_verification_cot_for_thinkprm`, inference branch) and
 * `prm/thinkprm_api.py` (`process_example` in process-verifier mode), commit 0beccfb2.
 */
import type { ScoreResult } from '../scoring/scorer.js';
import type { GenerationRequest, GenerationResult } from './generation.js';
import { findHeadings, partsInOrder, sectionsOf, splitThinking, type Section, type TextRange } from './judgeText.js';
import { noVerdictWarning, truncatedWarning, unalignedWarning } from './judgeWarnings.js';
import { scoreStepJudgements, type PlacedVerdict, type StepJudgement } from './stepVerdicts.js';
import { verdictProbability } from './verdictProbability.js';

/** Text the reply starts with, appended after the generation prompt by the released scorer. */
export const THINKPRM_ASSISTANT_PREFIX = "\nLet's verify step by step:";

/** The question before the solution-level decision. */
export const THINKPRM_QUESTION = 'Is the solution correct?';

const INSTRUCTION = 'Review and critique each step in the proposed solution to determine whether each step is correct. If the solution is incomplete, only verify the provided steps.';

/**
 * The solution as ThinkPRM reads it: every `Step n:` already in a step is removed, the step trimmed and
 * prefixed `Step {i}: ` (1-based), and the steps joined by `\n`.
 */
export function formatThinkPrmSolution(steps: readonly string[]): string {
  return steps.map((s, i) => `Step ${i + 1}: ${s.replace(/Step \d+:/g, '').trim()}`).join('\n');
}

/** The one user turn ThinkPRM was trained on. */
export function buildThinkPrmPrompt(problem: string, steps: readonly string[]): string {
  return `You are given a math problem and a proposed step-by-step solution:\n\n[Math Problem]\n\n${problem}\n\n[Solution]\n\n${formatThinkPrmSolution(steps)}\n\n${INSTRUCTION}`;
}

/**
 * The generation request: the user turn, the assistant prefix, and a stop at `Step {n+1}:` as the released
 * scorer has (so the judge does not verify steps that do not exist). The judge is left to write its own
 * `Is the solution correct?`; {@link buildThinkPrmFollowUp} asks it when it does not.
 */
export function buildThinkPrmRequest(problem: string, steps: readonly string[], maxTokens: number): GenerationRequest {
  return {
    messages: [{ role: 'user', content: buildThinkPrmPrompt(problem, steps) }],
    assistantPrefix: THINKPRM_ASSISTANT_PREFIX,
    maxTokens,
    stop: [`Step ${steps.length + 1}:`],
    verdictWords: ['correct', 'incorrect', 'Yes', 'No'],
  };
}

/** The text appended to the output before the follow-up: the question, unless the output already ends with it. */
export function followUpQuestion(output: string): string {
  return output.trimEnd().endsWith(THINKPRM_QUESTION) ? '' : `\n${THINKPRM_QUESTION}`;
}

/**
 * The one-token follow-up when the output has no readable decision (cut short, or stopped): the same turn,
 * with the output and `\nIs the solution correct?` continuing the assistant prefix, as the released scorer
 * appends its pre-decision string and reads `yes`/`no`.
 */
export function buildThinkPrmFollowUp(first: GenerationRequest, output: string): GenerationRequest {
  const { stop: _stop, ...rest } = first;
  return { ...rest, assistantPrefix: `${first.assistantPrefix ?? ''}${output}${followUpQuestion(output)}`, maxTokens: 1, verdictWords: ['Yes', 'No'] };
}

/** The solution-level decision as written, with the offset of its first letter. */
export interface ThinkPrmDecision {
  readonly word: string;
  readonly offset: number;
}

/** What {@link parseThinkPrm} found. */
export interface ThinkPrmParse {
  /** One entry per request step. */
  readonly steps: readonly StepJudgement[];
  /** Verdicts that could not be placed on a step, quoted raw. */
  readonly unaligned: readonly string[];
  /** `heading`: by the `Step k` heading before each verdict; `order`: no headings at all, placed in order. */
  readonly alignedBy: 'heading' | 'order' | 'none';
  /** Where the step verdicts were read. */
  readonly part: 'visible' | 'thinking' | null;
  /** Whether the output asks `Is the solution correct?`. */
  readonly asked: boolean;
  /** The answer after the last question, or null. */
  readonly decision: ThinkPrmDecision | null;
}

interface FoundVerdict extends PlacedVerdict {
  readonly verdict: 'correct' | 'incorrect';
  readonly wordOffset: number;
  readonly start: number;
  readonly end: number;
}

const BOXED = /\\boxed\{\s*(?:\\text(?:bf|rm|it)?\{\s*([^{}]*?)\s*\}|([^{}]*?))\s*\}/dg;

/** `\boxed{correct}` / `\boxed{incorrect}` (also `\boxed{\text{…}}`, any case) inside a range; other boxes are ignored. */
export function findBoxedVerdicts(text: string, range: TextRange): FoundVerdict[] {
  const out: FoundVerdict[] = [];
  const slice = text.slice(range.start, range.end);
  for (const m of slice.matchAll(BOXED)) {
    const group = m[1] !== undefined ? 1 : 2;
    const word = (m[group] ?? '').toLowerCase();
    if (word !== 'correct' && word !== 'incorrect') continue;
    const at = m.indices?.[group]?.[0] ?? m.index ?? 0;
    const start = range.start + (m.index ?? 0);
    out.push({ verdict: word, wordOffset: range.start + at, start, end: start + m[0].length });
  }
  return out;
}

function lastQuestion(text: string): { start: number; end: number } | null {
  let found: { start: number; end: number } | null = null;
  for (const m of text.matchAll(/is the solution correct\?/gi)) found = { start: m.index ?? 0, end: (m.index ?? 0) + m[0].length };
  return found;
}

/** The `Yes`/`No` right after a question (Markdown emphasis allowed), or null. */
export function parseDecisionAt(text: string, from: number): ThinkPrmDecision | null {
  const m = /^[\s*_]*(yes|no)\b/i.exec(text.slice(from));
  if (m === null || m[1] === undefined) return null;
  return { word: m[1], offset: from + m[0].length - m[1].length };
}

function sectionOf(sections: readonly Section[], offset: number): Section | undefined {
  let found: Section | undefined;
  for (const s of sections) if (s.start <= offset) found = s;
  return found;
}

const NO_VERDICT = 'Not judged: the judge discussed this step but wrote no \\boxed{correct} or \\boxed{incorrect} for it.';
const NOT_REACHED = 'Not judged: the judge wrote no verdict for this step.';

function alignByHeading(text: string, range: TextRange, verdicts: readonly FoundVerdict[], sections: readonly Section[], stepCount: number): { steps: StepJudgement[]; unaligned: string[] } {
  const won: ({ v: FoundVerdict; s: Section } | undefined)[] = Array.from({ length: stepCount }, () => undefined);
  const lastSection: (Section | undefined)[] = Array.from({ length: stepCount }, () => undefined);
  for (const s of sections) if (s.number >= 1 && s.number <= stepCount) lastSection[s.number - 1] = s;
  const unaligned: string[] = [];
  for (const v of verdicts) {
    const s = sectionOf(sections, v.start);
    if (s === undefined || s.number < 1 || s.number > stepCount) {
      // Quote from the heading (or the line the verdict is on) so a reader sees what it was about.
      const from = s?.start ?? Math.max(range.start, text.lastIndexOf('\n', v.start - 1) + 1);
      unaligned.push(text.slice(from, v.end).trim());
      continue;
    }
    won[s.number - 1] = { v, s }; // a later verdict for the same step replaces an earlier one
  }
  const steps = won.map((w, i): StepJudgement => {
    if (w !== undefined) return { verdict: { verdict: w.v.verdict, wordOffset: w.v.wordOffset }, span: { start: w.s.start, end: w.s.end } };
    const s = lastSection[i];
    return s !== undefined ? { verdict: null, span: { start: s.start, end: s.end }, reason: NO_VERDICT } : { verdict: null, span: null, reason: NOT_REACHED };
  });
  return { steps, unaligned };
}

function alignByOrder(text: string, range: TextRange, verdicts: readonly FoundVerdict[], stepCount: number): { steps: StepJudgement[]; unaligned: string[] } {
  const steps: StepJudgement[] = [];
  let from = range.start;
  for (let i = 0; i < stepCount; i++) {
    const v = verdicts[i];
    if (v === undefined) {
      steps.push({ verdict: null, span: null, reason: NOT_REACHED });
      continue;
    }
    steps.push({ verdict: { verdict: v.verdict, wordOffset: v.wordOffset }, span: { start: from, end: v.end } });
    from = v.end;
  }
  const unaligned = verdicts.slice(stepCount).map((v) => text.slice(v.start, v.end));
  return { steps, unaligned };
}

/**
 * Reads a ThinkPRM output: per-step verdicts and the solution decision. Verdicts are read from the visible
 * reply, or from the thinking when the visible reply has none (ThinkPRM writes them in its thinking), up to
 * the last `Is the solution correct?`. Each verdict goes to the step of the `Step k` heading (at a line
 * start) before it; a verdict with no heading before it, or under a heading outside 1…stepCount, is
 * unaligned, never moved to another step. When the same step gets several verdicts the last one wins.
 * Only when the part has no `Step k` heading at all are verdicts placed in order.
 */
export function parseThinkPrm(text: string, stepCount: number): ThinkPrmParse {
  const question = lastQuestion(text);
  const decision = question === null ? null : parseDecisionAt(text, question.end);
  const notReached = (): StepJudgement[] => Array.from({ length: stepCount }, () => ({ verdict: null, span: null, reason: NOT_REACHED }));
  for (const { part, range: whole } of partsInOrder(splitThinking(text))) {
    const range = question !== null && question.start >= whole.start && question.start < whole.end ? { start: whole.start, end: question.start } : whole;
    const verdicts = findBoxedVerdicts(text, range);
    if (verdicts.length === 0) continue;
    const headings = findHeadings(text, range, 'step');
    if (headings.length === 0) return { ...alignByOrder(text, range, verdicts, stepCount), alignedBy: 'order', part, asked: question !== null, decision };
    return { ...alignByHeading(text, range, verdicts, sectionsOf(headings, range), stepCount), alignedBy: 'heading', part, asked: question !== null, decision };
  }
  return { steps: notReached(), unaligned: [], alignedBy: 'none', part: null, asked: question !== null, decision };
}

/** The decision of a follow-up generation (`" Yes"`), with its offset in the follow-up text. */
export function parseFollowUpDecision(text: string): ThinkPrmDecision | null {
  return parseDecisionAt(text, 0);
}

/**
 * Builds the result of a ThinkPRM run from its output and, when the output had no readable decision, the
 * follow-up's. Step scores come from {@link scoreStepJudgements}; the solution score (`sequenceScore`) is
 * P(Yes) against P(No) at the decision when the tokens show them, else 1 for Yes and 0 for No, absent when
 * there is no decision. The report's text is the output, followed (after a follow-up) by the question and
 * the follow-up's answer.
 */
export function thinkPrmResult(stepCount: number, first: GenerationResult, followUp?: GenerationResult): ScoreResult {
  const parse = parseThinkPrm(first.text, stepCount);
  const scoring = scoreStepJudgements(first.text, parse.steps, first.tokens);
  const tail = followUp === undefined ? '' : followUpQuestion(first.text);
  const text = followUp === undefined ? first.text : `${first.text}${tail}${followUp.text}`;
  const fromFollowUp = followUp === undefined ? null : parseFollowUpDecision(followUp.text);
  const decision = parse.decision ?? fromFollowUp;
  const decisionTokens = parse.decision !== null ? first.tokens : followUp?.tokens;
  const pYes = decision === null || decisionTokens === undefined ? undefined : verdictProbability(decisionTokens, decision.offset, 'Yes', 'No');
  const sequenceScore = decision === null ? undefined : (pYes ?? (decision.word.toLowerCase() === 'yes' ? 1 : 0));

  const warnings: string[] = [];
  if (first.finish === 'length') warnings.push(truncatedWarning('thinkprm'));
  if (parse.alignedBy === 'none') warnings.push(noVerdictWarning('thinkprm', '\\boxed{correct} or \\boxed{incorrect} after each "Step k"'));
  if (parse.alignedBy === 'order') warnings.push(`The thinkprm judge wrote no "Step k" headings; its ${Math.min(stepCount, parse.steps.filter((s) => s.verdict !== null).length)} verdicts were placed on the steps in the order written.`);
  if (parse.unaligned.length > 0) warnings.push(unalignedWarning(parse.unaligned.length));
  if (followUp !== undefined) warnings.push(`The thinkprm judge did not answer "${THINKPRM_QUESTION}"; it was asked again for that answer alone.`);
  if (decision === null) warnings.push(`The thinkprm judge gave no Yes/No answer to "${THINKPRM_QUESTION}"; the solution has no score.`);

  return {
    steps: scoring.steps,
    ...(sequenceScore !== undefined ? { sequenceScore } : {}),
    device: first.device,
    ...(warnings.length > 0 ? { warnings } : {}),
    judge: {
      name: 'thinkprm',
      model: first.model,
      text,
      verdict: decision?.word ?? null,
      truncated: first.finish === 'length',
      source: scoring.usedLogprobs || pYes !== undefined ? 'logprob' : 'verdict',
      ...(parse.unaligned.length > 0 ? { unaligned: parse.unaligned } : {}),
      stepSpans: parse.steps.map((s) => s.span),
    },
  };
}
