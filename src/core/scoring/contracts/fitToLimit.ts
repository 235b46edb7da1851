/**
 * The overlong-trace policy. A trace whose input exceeds `maxTokens` is never cut silently:
 * - step contracts: the steps are split into consecutive windows, each encoded with the prompt and as
 *   many following steps as fit; every step is scored once, and steps after the first window are scored
 *   without the earlier steps in context. A single step that does not fit even alone keeps the end of the
 *   prompt (then the end of the step) that fits, since the score is read at the step's end;
 * - sequence contracts: the middle of the token sequence is dropped, keeping the first and last halves
 *   (the template's head and the response's end, where the score is pooled).
 * Each case adds a warning that says what was done.
 */
import { ContractError, type ResolvedContract, type TokenizerPort } from './contractTypes.js';
import { encodeInput, type EncodeRequest, type EncodedWithNotes } from './encodeInput.js';

/** One encoded window: steps `[firstStep, firstStep + input.reads.length)` of the request. */
export interface InputWindow {
  readonly firstStep: number;
  readonly input: EncodedWithNotes;
}

/** A request encoded within the token limit. */
export interface FittedInput {
  readonly windows: readonly InputWindow[];
  /** Total tokens before fitting (what the whole trace would need). */
  readonly fullTokens: number;
  readonly warnings: readonly string[];
}

function largestFitting(lo: number, hi: number, fits: (k: number) => boolean): number {
  // Largest k in [lo, hi] with fits(k), assuming fits is monotone decreasing in k and fits(lo).
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = Math.ceil((a + b) / 2);
    if (fits(mid)) a = mid;
    else b = mid - 1;
  }
  return a;
}

/** Encodes `req` so that every window has at most `maxTokens` tokens. */
export function encodeWithinLimit(c: ResolvedContract, tok: TokenizerPort, req: EncodeRequest, maxTokens: number): FittedInput {
  const full = encodeInput(c, tok, req);
  const fullTokens = full.ids.length;
  if (fullTokens <= maxTokens) return { windows: [{ firstStep: 0, input: full }], fullTokens, warnings: full.notes };
  const warnings = [...full.notes];

  if (c.output === 'sequence-classification') {
    const head = Math.floor(maxTokens / 2);
    const tail = maxTokens - head;
    const ids = [...full.ids.slice(0, head), ...full.ids.slice(fullTokens - tail)];
    warnings.push(`The input is ${fullTokens} tokens, over the ${maxTokens}-token limit: ${fullTokens - maxTokens} tokens from the middle were left out (the first ${head} and last ${tail} were scored).`);
    return { windows: [{ firstStep: 0, input: { ids, reads: [], notes: full.notes } }], fullTokens, warnings };
  }

  const steps = req.steps;
  const enc = (prompt: string, part: readonly string[]): EncodedWithNotes => encodeInput(c, tok, { prompt, steps: part });
  const windows: InputWindow[] = [];
  let a = 0;
  while (a < steps.length) {
    const alone = enc(req.prompt, steps.slice(a, a + 1));
    if (alone.ids.length > maxTokens) {
      windows.push({ firstStep: a, input: shrinkSingle(enc, req.prompt, steps[a] ?? '', a, maxTokens, warnings) });
      a += 1;
      continue;
    }
    const b = largestFitting(a + 1, steps.length, (k) => k === a + 1 || enc(req.prompt, steps.slice(a, k)).ids.length <= maxTokens);
    windows.push({ firstStep: a, input: b === a + 1 ? alone : enc(req.prompt, steps.slice(a, b)) });
    a = b;
  }
  const later = windows.slice(1).map((w) => `${w.firstStep + 1}–${w.firstStep + w.input.reads.length}`);
  warnings.push(
    `The trace is ${fullTokens} tokens, over the ${maxTokens}-token limit: scored in ${windows.length} windows; steps ${later.join(', ')} were scored without the steps before them in context.`,
  );
  return { windows, fullTokens, warnings };
}

function shrinkSingle(enc: (prompt: string, part: readonly string[]) => EncodedWithNotes, prompt: string, step: string, index: number, maxTokens: number, warnings: string[]): EncodedWithNotes {
  const withPrompt = (k: number): EncodedWithNotes => enc(prompt.slice(prompt.length - k), [step]);
  if (withPrompt(0).ids.length <= maxTokens) {
    const k = largestFitting(0, prompt.length, (n) => n === 0 || withPrompt(n).ids.length <= maxTokens);
    warnings.push(`Step ${index + 1} does not fit the ${maxTokens}-token limit with the prompt: only the last ${k} of the prompt's ${prompt.length} characters were kept for it.`);
    return withPrompt(k);
  }
  const withStep = (k: number): EncodedWithNotes => enc('', [step.slice(step.length - k)]);
  if (withStep(0).ids.length > maxTokens) {
    throw new ContractError(`the limit of ${maxTokens} tokens is smaller than the contract's fixed text`, 'maxTokens', 'Raise maxTokens.');
  }
  const k = largestFitting(0, step.length, (n) => n === 0 || withStep(n).ids.length <= maxTokens);
  warnings.push(`Step ${index + 1} alone exceeds the ${maxTokens}-token limit: it was scored without the prompt, on its last ${k} of ${step.length} characters.`);
  return withStep(k);
}
