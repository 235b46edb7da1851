/**
 * The token-level heat map of a trace with log-probabilities: which characters of a document each token covers,
 * and how strongly to tint them (low probability = strong tint). Pure: the editor adapter turns spans into
 * decorations.
 */
import type { Step, Trace } from '../dataset/types.js';
import { mapDecodedSpans } from '../json/locateStrings.js';
import { stepTokenSpan } from './tokenLogprobs.js';

/** How strongly a token is tinted: 0 = not at all … 4 = the strongest tint. */
export type HeatLevel = 0 | 1 | 2 | 3 | 4;

/**
 * Probability floors of levels 0–3: a token with p ≥ 0.9 is level 0 (untinted), ≥ 0.6 level 1, ≥ 0.3 level 2,
 * ≥ 0.1 level 3, below 0.1 level 4.
 */
export const HEAT_FLOORS: readonly number[] = [0.9, 0.6, 0.3, 0.1];

/** A token's tint level from its log-probability (nats). */
export function heatLevel(logprob: number): HeatLevel {
  const p = Math.exp(logprob);
  const at = HEAT_FLOORS.findIndex((floor) => p >= floor);
  return (at === -1 ? 4 : at) as HeatLevel;
}

/** One token's characters in a document. */
export interface TokenHeatSpan {
  /** Document offsets `[start, end)` (UTF-16), clipped to the step the token is shown in. */
  readonly start: number;
  readonly end: number;
  /** The token's index in `trace.logprobs`. */
  readonly token: number;
  /** The step's index in `trace.steps`. */
  readonly step: number;
  readonly level: HeatLevel;
}

/**
 * How a document holds each step's text: `verbatim` (the readable view: the text as is, except that the editor turned
 * every `\r\n` into `\n`), or `json` (a data file: inside a JSON string literal, escapes and all).
 */
export type StepTextEncoding = 'verbatim' | 'json';

/** Token spans `[start, end)` local to a step's decoded text, in order, non-empty, with their token index. */
function localTokens(trace: Trace, step: Step): { readonly start: number; readonly end: number; readonly token: number }[] {
  const lp = trace.logprobs;
  const span = stepTokenSpan(trace, step.index);
  if (lp === undefined || span === undefined) return [];
  const out: { start: number; end: number; token: number }[] = [];
  for (let t = span.firstToken; t < span.endToken; t++) {
    const start = Math.max(lp.offsets[t] ?? 0, span.start) - span.start;
    const end = Math.min(lp.offsets[t + 1] ?? 0, span.end) - span.start;
    if (end > start) out.push({ start, end, token: t });
  }
  return out;
}

/** `\r` positions of `\r\n` pairs in a text (the editor drops each such `\r`). */
function droppedReturns(text: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf('\r\n'); i !== -1; i = text.indexOf('\r\n', i + 2)) out.push(i);
  return out;
}

/** Local decoded offsets of a step → document offsets; undefined when the document does not hold the step's text there. */
function stepMapper(docText: string, base: number, step: Step, encoding: StepTextEncoding): ((spans: readonly { start: number; end: number }[]) => { start: number; end: number }[]) | undefined {
  const range = step.range;
  if (range === undefined) return undefined;
  if (encoding === 'json') {
    if (range.start < base || range.end > base + docText.length) return undefined;
    const literal = { start: range.start - base, end: range.end - base };
    return (spans) => mapDecodedSpans(docText, literal, step.text.length, spans).map((s) => ({ start: s.start + base, end: s.end + base }));
  }
  const dropped = droppedReturns(step.text);
  if (range.end - range.start !== step.text.length - dropped.length) return undefined;
  if (dropped.length === 0) return (spans) => spans.map((s) => ({ start: range.start + s.start, end: range.start + s.end }));
  return (spans) => {
    // Spans are in order, so the count of dropped returns below an offset only grows: one pass.
    let below = 0;
    const moved = (o: number): number => {
      while (below < dropped.length && (dropped[below] ?? 0) < o) below++;
      return range.start + o - below;
    };
    return spans.map((s) => ({ start: moved(s.start), end: moved(s.end) }));
  };
}

/**
 * Every token of every step of `trace` as a document span, in document order, with its tint level. `trace` must be
 * the record as the document holds it (its step ranges are document offsets). `docText` is the document's text from
 * offset `base` on (the record's own text is enough); only `json` reads it, to step over escapes. Steps without a
 * range, without tokens, or whose range no longer fits their text, give no spans.
 */
export function tokenHeatSpans(trace: Trace, docText: string, encoding: StepTextEncoding, base = 0): TokenHeatSpan[] {
  const lp = trace.logprobs;
  if (lp === undefined) return [];
  const out: TokenHeatSpan[] = [];
  for (const step of trace.steps) {
    const local = localTokens(trace, step);
    if (local.length === 0) continue;
    const map = stepMapper(docText, base, step, encoding);
    if (map === undefined) continue;
    const mapped = map(local);
    local.forEach((l, i) => {
      const m = mapped[i];
      if (m !== undefined && m.end > m.start) out.push({ start: m.start, end: m.end, token: l.token, step: step.index, level: heatLevel(lp.logprobs[l.token] ?? 0) });
    });
  }
  return out;
}

/** The span holding document offset `offset` (spans sorted by start, as {@link tokenHeatSpans} gives them), or undefined. */
export function heatSpanAt(spans: readonly TokenHeatSpan[], offset: number): TokenHeatSpan | undefined {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((spans[mid]?.end ?? 0) <= offset) lo = mid + 1;
    else hi = mid;
  }
  const s = spans[lo];
  return s !== undefined && s.start <= offset && offset < s.end ? s : undefined;
}

/** The characters of token `token` that lie in step `stepIndex`'s text (the whole token unless it straddles steps). */
export function tokenTextInStep(trace: Trace, stepIndex: number, token: number): string {
  const step = trace.steps[stepIndex];
  const span = stepTokenSpan(trace, stepIndex);
  const lp = trace.logprobs;
  if (step === undefined || span === undefined || lp === undefined) return '';
  const start = Math.max(lp.offsets[token] ?? 0, span.start) - span.start;
  const end = Math.min(lp.offsets[token + 1] ?? 0, span.end) - span.start;
  return end > start ? step.text.slice(start, end) : '';
}
