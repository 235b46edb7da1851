/**
 * The built-in verifier: the default scorer, needing no download and no model. It scores each step from
 * rule-based checks and writes a critique for every failed one.
 */
import type { ScoreRequest, ScoreResult, Scorer, StepCheck, StepScore } from '../scoring/scorer.js';
import { locateFinalAnswer } from '../text/finalAnswer.js';
import { checkArithmetic, type ArithmeticFinding } from './arithmetic.js';
import { answersMatch } from './answers.js';
import { findRepeatedSteps, REPEAT_MIN_CHARS, REPEAT_THRESHOLD } from './duplicates.js';

/** Which checks run, and how near-duplicates are judged. Every check is on by default. */
export interface BuiltinVerifierOptions {
  /** Re-evaluate arithmetic written in steps (default true). */
  readonly arithmetic?: boolean;
  /** Compare the final answer with the request's `reference` (default true). */
  readonly finalAnswer?: boolean;
  /** Flag steps that repeat an earlier step (default true). */
  readonly repeats?: boolean;
  /** Token-set Jaccard similarity for a near-duplicate (default 0.9). */
  readonly repeatThreshold?: number;
  /** Shortest step, in characters, that can count as a repeat (default 20). */
  readonly repeatMinChars?: number;
}

/**
 * The score scale. A step takes the lowest score that applies:
 * - `arithmeticError` 0.05: an equation in the step does not hold;
 * - `wrongAnswer` 0.05: the step holding the final answer disagrees with the reference;
 * - `repeat` 0.25: the step repeats an earlier step;
 * - `verified` 1.0: at least one check (arithmetic or final answer) ran and all passed;
 * - `unverified` 0.9: nothing could be checked, and nothing suggests an error.
 */
export const BUILTIN_SCORES = {
  arithmeticError: 0.05,
  wrongAnswer: 0.05,
  repeat: 0.25,
  verified: 1,
  unverified: 0.9,
} as const;

/** `Step 2: wrote "13 x 8 / 13 = 6" but 13 × 8 / 13 = 8.` (1-based step number). */
export function formatArithmeticCritique(stepNumber: number, f: ArithmeticFinding): string {
  const value = f.rounded !== undefined && f.expression === f.expected ? `${f.expression} ≈ ${f.rounded}` : `${f.expression} = ${f.expected}${f.rounded !== undefined ? ` ≈ ${f.rounded}` : ''}`;
  const other = f.other ? ` and ${f.other.expression} = ${f.other.value}` : '';
  return `Step ${stepNumber}: wrote "${f.written}" but ${value}${other}.`;
}

/** `Step 3: final answer "52" does not match the reference "28".` */
export function formatAnswerCritique(stepNumber: number, answer: string, reference: string): string {
  return `Step ${stepNumber}: final answer "${answer}" does not match the reference "${reference}".`;
}

/** `Step 5 repeats step 2.` */
export function formatRepeatCritique(stepNumber: number, repeatedNumber: number): string {
  return `Step ${stepNumber} repeats step ${repeatedNumber}.`;
}

/**
 * Where the final answer is, when one can be found: the step stating it (`locateFinalAnswer`, the same extraction
 * the parsers use for `Trace.answer`), with the request's own `answer` as its text when given (a format's answer
 * field), else the stated one; a given answer stated nowhere sits on the last step.
 */
function locateAnswer(request: ScoreRequest): { index: number; text: string } | undefined {
  const { steps, parts } = request;
  const located = locateFinalAnswer(steps.map((text, i) => (parts?.[i] !== undefined ? { text, part: parts[i] } : { text })));
  const answer = request.answer?.trim();
  if (answer) return { index: located?.sourceIndex ?? steps.length - 1, text: answer };
  return located ? { index: located.sourceIndex, text: located.text } : undefined;
}

/** The order checks are listed in. */
const STEP_CHECKS: readonly StepCheck[] = ['arithmetic', 'final-answer', 'repeat'];

/**
 * Verifies one request synchronously: one `StepScore` per step, scored on the `BUILTIN_SCORES` scale, with the
 * critiques of a step joined by a space in the order arithmetic (in text order), repeat, final answer, and the
 * checks that applied to it (`checks`: arithmetic found in the step, the final answer compared there, the repeat
 * comparison, which covers every step when on).
 */
export function verifyRequest(request: ScoreRequest, options: BuiltinVerifierOptions = {}): ScoreResult {
  const { steps } = request;
  const scores: number[] = steps.map(() => BUILTIN_SCORES.unverified);
  const checks: Set<StepCheck>[] = steps.map(() => new Set());
  const critiques: string[][] = steps.map(() => []);
  const lower = (i: number, score: number): void => {
    scores[i] = Math.min(scores[i] ?? score, score);
  };

  if (options.arithmetic ?? true) {
    steps.forEach((text, i) => {
      for (const f of checkArithmetic(text)) {
        checks[i]?.add('arithmetic');
        if (!f.ok) {
          lower(i, BUILTIN_SCORES.arithmeticError);
          critiques[i]?.push(formatArithmeticCritique(i + 1, f));
        }
      }
    });
  }

  if (options.repeats ?? true) {
    const repeats = findRepeatedSteps(steps, {
      threshold: options.repeatThreshold ?? REPEAT_THRESHOLD,
      minChars: options.repeatMinChars ?? REPEAT_MIN_CHARS,
    });
    repeats.forEach((of, i) => {
      checks[i]?.add('repeat');
      if (of === undefined) return;
      lower(i, BUILTIN_SCORES.repeat);
      critiques[i]?.push(formatRepeatCritique(i + 1, of + 1));
    });
  }

  const reference = request.reference?.trim();
  if ((options.finalAnswer ?? true) && reference && steps.length > 0) {
    const answer = locateAnswer(request);
    if (answer) {
      checks[answer.index]?.add('final-answer');
      if (!answersMatch(answer.text, reference)) {
        lower(answer.index, BUILTIN_SCORES.wrongAnswer);
        critiques[answer.index]?.push(formatAnswerCritique(answer.index + 1, answer.text, reference));
      }
    }
  }

  const out: StepScore[] = steps.map((_, i) => {
    const notes = critiques[i] ?? [];
    const applied = STEP_CHECKS.filter((c) => checks[i]?.has(c));
    let score = scores[i] ?? BUILTIN_SCORES.unverified;
    if (notes.length === 0 && (applied.includes('arithmetic') || applied.includes('final-answer'))) score = BUILTIN_SCORES.verified;
    return { score, ...(notes.length > 0 ? { critique: notes.join(' ') } : {}), checks: applied };
  });
  return { steps: out, device: 'builtin' };
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const error = new Error(reason instanceof Error && reason.message ? reason.message : 'The operation was aborted.');
  error.name = 'AbortError';
  return error;
}

/** Lets pending events (an abort) run during a long batch, without stalling short ones. */
const YIELD_EVERY_MS = 10;

function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * The built-in verifier as a `Scorer` (id `builtin`, step granularity, device `builtin`). Each step scores 0.05 when
 * an equation in it is wrong or it holds a final answer that disagrees with the reference, 0.25 when it repeats an
 * earlier step, 1.0 when checks ran and passed, and 0.9 when nothing could be checked (`BUILTIN_SCORES`); failed
 * checks come back as critiques such as `Step 2: wrote "13 x 8 / 13 = 6" but 13 × 8 / 13 = 8.`
 * Requests are verified one by one; the returned promise rejects with an `Error` named `AbortError` when `signal`
 * is aborted before the batch or between two requests.
 */
export function createBuiltinVerifier(options: BuiltinVerifierOptions = {}): Scorer {
  return {
    id: 'builtin',
    description: 'Built-in verifier: exact arithmetic re-evaluation, final answer against the reference, repeated steps (no model)',
    granularity: 'step',
    // Arithmetic is checked within each step and a repeat only against earlier steps, so without a reference a
    // step's score depends on the steps up to it alone; the final-answer check (reference only) searches the
    // whole trace for the answer, which is why `prefixStable` excludes requests with a reference.
    prefixStable: true,
    async score(requests: readonly ScoreRequest[], signal?: AbortSignal): Promise<readonly ScoreResult[]> {
      const results: ScoreResult[] = [];
      let since = Date.now();
      for (const request of requests) {
        if (signal?.aborted) throw abortError(signal);
        results.push(verifyRequest(request, options));
        if (Date.now() - since > YIELD_EVERY_MS) {
          await nextTask();
          since = Date.now();
        }
      }
      return results;
    },
    async dispose(): Promise<void> {},
  };
}
