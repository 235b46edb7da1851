import type { GeneratedToken } from './generation.js';

/** Where a character offset of the output falls among the generated tokens. */
export interface TokenHit {
  /** Index into the token list. */
  readonly index: number;
  /** Offset in the output text where that token starts. */
  readonly start: number;
}

/**
 * The generated token that covers `charOffset` of the output (token texts concatenate to the output), or
 * undefined when the offset lies outside the tokens (or falls on an empty token only).
 */
export function tokenAt(tokens: readonly GeneratedToken[], charOffset: number): TokenHit | undefined {
  if (charOffset < 0) return undefined;
  let start = 0;
  for (let i = 0; i < tokens.length; i++) {
    const len = tokens[i]?.text.length ?? 0;
    if (charOffset < start + len) return { index: i, start };
    start += len;
  }
  return undefined;
}

/** Which verdict word a candidate token text begins (or spells out), if exactly one of them. */
function sideOf(candidate: string, positive: string, negative: string): 'positive' | 'negative' | undefined {
  const t = candidate.trim().toLowerCase();
  if (t === '') return undefined;
  const p = positive.toLowerCase();
  const n = negative.toLowerCase();
  // A token may hold a prefix of the word ("cor" of "correct") or the word and what follows ("Yes,").
  const fits = (word: string): boolean => word.startsWith(t) || t.startsWith(word);
  const pos = fits(p);
  const neg = fits(n);
  if (pos && !neg) return 'positive';
  if (neg && !pos) return 'negative';
  return undefined;
}

/**
 * The probability of the positive verdict against the negative one at the verdict word that starts at
 * `charOffset` of the output: p(positive) / (p(positive) + p(negative)), summed over the alternatives known
 * at the generated position covering that character (its `top` list and the chosen token itself).
 *
 * An alternative counts for a side when its text, trimmed and lower-cased, is a non-empty prefix of that
 * side's word (or starts with the whole word) and does not fit the other word: for `correct` vs `incorrect`,
 * "cor" is positive and "in" negative; for `Yes`/`No`, " Yes" is positive. When the token starts before the
 * verdict word (e.g. the token is `{c`), the text before `charOffset` must be shared by the alternative and
 * is removed before comparing; leading whitespace alone (` correct`) is ignored. Returns undefined when neither side is seen (callers then
 * fall back to the verdict text).
 */
export function verdictProbability(tokens: readonly GeneratedToken[], charOffset: number, positive: string, negative: string): number | undefined {
  const hit = tokenAt(tokens, charOffset);
  const token = hit === undefined ? undefined : tokens[hit.index];
  if (hit === undefined || token === undefined) return undefined;
  const lead = token.text.slice(0, charOffset - hit.start);
  const seen = new Map<string, number>();
  for (const alt of [{ token: token.text, logprob: token.logprob }, ...token.top]) {
    if (!seen.has(alt.token)) seen.set(alt.token, alt.logprob);
  }
  let pPos = 0;
  let pNeg = 0;
  for (const [text, logprob] of seen) {
    // Whitespace before the word is not part of the choice ("correct" and " correct" are the same verdict).
    const rest = lead.trim() === '' ? text : text.startsWith(lead) ? text.slice(lead.length) : undefined;
    if (rest === undefined) continue;
    const side = sideOf(rest, positive, negative);
    const p = Math.exp(logprob);
    if (!Number.isFinite(p)) continue;
    if (side === 'positive') pPos += p;
    else if (side === 'negative') pNeg += p;
  }
  if (pPos + pNeg <= 0) return undefined;
  return pPos / (pPos + pNeg);
}
