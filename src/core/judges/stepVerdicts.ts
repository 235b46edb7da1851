import type { StepScore } from '../scoring/scorer.js';
import type { GeneratedToken } from './generation.js';
import { trimmedText, type TextRange } from './judgeText.js';
import { verdictProbability } from './verdictProbability.js';

/** A per-step verdict a steps judge wrote. */
export interface PlacedVerdict {
  readonly verdict: 'correct' | 'incorrect';
  /**
   * Offset in the output of the verdict word's first character (`c` of `\boxed{correct}`), where the
   * verdict-token probability is read; undefined when the verdict is implied (ProcessBench's steps before
   * the earliest error), which is then scored from the text.
   */
  readonly wordOffset?: number;
}

/** What a steps judge said about one step of the request. */
export interface StepJudgement {
  /** Null when nothing can be placed on this step. */
  readonly verdict: PlacedVerdict | null;
  /** The part of the output about this step, or null when none can be located. */
  readonly span: TextRange | null;
  /** Why the step is not judged (shown as its critique); used only when `verdict` is null. */
  readonly reason?: string;
}

/** Per-step scores and where they came from. */
export interface StepScoring {
  readonly steps: readonly StepScore[];
  /** True when at least one step's score came from verdict-token probabilities. */
  readonly usedLogprobs: boolean;
}

/**
 * Turns per-step judgements into step scores. A judged step scores P(correct) against P(incorrect) at its
 * verdict word when `tokens` are given and show either word there (source `logprob`), else 1 or 0 from the
 * verdict (source `verdict`); its critique is the trimmed text of its span, kept whole. A step with no
 * verdict scores NaN with verdict `not-judged` and a critique saying why, followed by what the judge wrote
 * about it, if anything.
 */
export function scoreStepJudgements(text: string, judgements: readonly StepJudgement[], tokens: readonly GeneratedToken[] | undefined): StepScoring {
  let usedLogprobs = false;
  const steps = judgements.map((j): StepScore => {
    const said = j.span === null ? undefined : trimmedText(text, j.span);
    if (j.verdict === null) {
      const reason = j.reason ?? 'Not judged: the judge wrote no verdict that can be placed on this step.';
      return { score: Number.NaN, verdict: 'not-judged', critique: said === undefined ? reason : `${reason}\n\n${said}` };
    }
    const p = tokens !== undefined && j.verdict.wordOffset !== undefined ? verdictProbability(tokens, j.verdict.wordOffset, 'correct', 'incorrect') : undefined;
    if (p !== undefined) usedLogprobs = true;
    const score = p ?? (j.verdict.verdict === 'correct' ? 1 : 0);
    return { score, verdict: j.verdict.verdict, source: p !== undefined ? 'logprob' : 'verdict', ...(said !== undefined ? { critique: said } : {}) };
  });
  return { steps, usedLogprobs };
}
