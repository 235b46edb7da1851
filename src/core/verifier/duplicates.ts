/**
 * Repeated and near-duplicate steps: a trace that restates an earlier step adds length without progress, a
 * common reward-hacking pattern against step-counting or length-biased reward models.
 */

/** Tuning for `findRepeatedSteps`. */
export interface RepeatOptions {
  /** Token-set Jaccard similarity at or above which two steps count as the same (default 0.9). */
  readonly threshold?: number;
  /** Steps shorter than this many characters (trimmed, without a `Step N:` prefix) are never flagged (default 20). */
  readonly minChars?: number;
}

/** Default similarity threshold. */
export const REPEAT_THRESHOLD = 0.9;
/** Default minimum step length in characters. */
export const REPEAT_MIN_CHARS = 20;

const STEP_PREFIX = /^\s*(?:#{1,6}\s*)?\**\s*step\s*\d+\s*\**\s*[:.)-]?\s*/i;
const TOKEN = /[\p{L}\p{N}]+(?:[.,]\p{N}+)*|[+\-−*/=×÷^<>%]/gu;

function body(text: string): string {
  return text.replace(STEP_PREFIX, '').trim();
}

/** Lower-cased word, number and operator tokens (`5 + 3 = 8` and `5 - 3 = 8` differ). */
function tokens(text: string): string[] {
  return body(text).toLowerCase().match(TOKEN) ?? [];
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/**
 * For each step, the 0-based index of the earliest earlier step it repeats, or undefined. Two steps are the same
 * when their token sequences are identical after normalisation (case, punctuation, whitespace and a `Step N:`
 * prefix ignored) or when their token sets have Jaccard similarity ≥ `threshold`. Both must be at least `minChars`
 * long.
 */
export function findRepeatedSteps(steps: readonly string[], options: RepeatOptions = {}): readonly (number | undefined)[] {
  const threshold = options.threshold ?? REPEAT_THRESHOLD;
  const minChars = options.minChars ?? REPEAT_MIN_CHARS;
  const seqs = steps.map((s) => (body(s).length >= minChars ? tokens(s) : []));
  const keys = seqs.map((t) => t.join(' '));
  const sets = seqs.map((t) => new Set(t));
  return steps.map((_, j) => {
    const sj = sets[j];
    if (!sj || sj.size === 0) return undefined;
    for (let i = 0; i < j; i++) {
      const si = sets[i];
      if (!si || si.size === 0) continue;
      if (keys[i] === keys[j]) return i;
      // Jaccard ≤ min/max size, so most pairs are ruled out without counting.
      if (Math.min(si.size, sj.size) / Math.max(si.size, sj.size) < threshold) continue;
      if (jaccard(si, sj) >= threshold) return i;
    }
    return undefined;
  });
}
