/**
 * Splits a model's message content into its reasoning and its visible answer, on the delimiters reasoning models
 * write inline (FORMATS.md §8a). Pure text functions: spans are offsets into the decoded string.
 */
import type { StepPart } from '../dataset/types.js';

/** A span `[start, end)` of the decoded content that belongs to one part. */
export interface PartSpan {
  readonly part: StepPart;
  readonly start: number;
  readonly end: number;
}

/** Which delimiter family the content used. */
export type ThinkDelimiters = 'think' | 'thought' | 'none';

/** The reasoning and answer spans of one content string. */
export interface ThinkSplit {
  /**
   * Spans in text order, tags excluded. Reasoning spans are kept even when empty (an empty `<think></think>`
   * block is a fact worth keeping); answer spans that are only whitespace are dropped.
   */
  readonly spans: readonly PartSpan[];
  readonly delimiters: ThinkDelimiters;
  /** A reasoning block was opened and never closed (a generation cut at `max_tokens`). */
  readonly truncated: boolean;
  /** The content began inside the reasoning: a closing tag with no opening one before it. */
  readonly missingOpener: boolean;
}

interface TagPair {
  readonly open: string;
  readonly close: string;
}

const THINK: TagPair = { open: '<think>', close: '</think>' };
const THOUGHT: TagPair = { open: '<|begin_of_thought|>', close: '<|end_of_thought|>' };
/** Bespoke-Stratos / OpenThoughts wrap the answer too; these markers are cut out of answer spans. */
const SOLUTION_MARKERS = ['<|begin_of_solution|>', '<|end_of_solution|>'] as const;

function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!/\s/.test(text[i] ?? '')) return false;
  return true;
}

/**
 * An opening tag with no closing tag counts as a truncated block only where a block can start: at the start of
 * the remaining text (after whitespace) or at the start of a line. Elsewhere it is prose mentioning the tag.
 */
function startsBlock(text: string, from: number, open: number): boolean {
  if (isBlank(text, from, open)) return true;
  let i = open - 1;
  while (i >= from && (text[i] === ' ' || text[i] === '\t')) i--;
  return text[i] === '\n';
}

/** Answer spans of `[from, to)` with solution markers cut out and blank pieces dropped. */
function answerSpans(text: string, from: number, to: number, markers: readonly string[]): PartSpan[] {
  const spans: PartSpan[] = [];
  let start = from;
  for (;;) {
    let next = -1;
    let length = 0;
    for (const m of markers) {
      const at = text.indexOf(m, start);
      if (at !== -1 && at + m.length <= to && (next === -1 || at < next)) {
        next = at;
        length = m.length;
      }
    }
    const end = next === -1 ? to : next;
    if (!isBlank(text, start, end)) spans.push({ part: 'answer', start, end });
    if (next === -1) return spans;
    start = next + length;
  }
}

/**
 * Splits `text` on `<think>…</think>` or `<|begin_of_thought|>…<|end_of_thought|>` (whichever family appears;
 * the thought family wins when both do). Handles: a missing opener (text before the first closer is reasoning,
 * as R1 outputs forced to start inside `<think>` look), empty blocks, several blocks (interleaved thinking), and
 * a last block with no closer (all remaining text is reasoning, `truncated`). Text with no delimiters is all answer.
 */
export function splitThink(text: string): ThinkSplit {
  const thought = [THOUGHT.open, THOUGHT.close, ...SOLUTION_MARKERS].some((t) => text.includes(t));
  const tags = thought ? THOUGHT : text.includes(THINK.open) || text.includes(THINK.close) ? THINK : undefined;
  if (tags === undefined) {
    return { spans: answerSpans(text, 0, text.length, []), delimiters: 'none', truncated: false, missingOpener: false };
  }
  const markers = thought ? SOLUTION_MARKERS : [];
  const spans: PartSpan[] = [];
  let pos = 0;
  let truncated = false;
  let missingOpener = false;
  const firstClose = text.indexOf(tags.close);
  const firstOpen = text.indexOf(tags.open);
  if (firstClose !== -1 && (firstOpen === -1 || firstOpen > firstClose)) {
    spans.push({ part: 'reasoning', start: 0, end: firstClose });
    pos = firstClose + tags.close.length;
    missingOpener = true;
  }
  for (;;) {
    const open = text.indexOf(tags.open, pos);
    if (open === -1) break;
    const inner = open + tags.open.length;
    const close = text.indexOf(tags.close, inner);
    if (close === -1 && !startsBlock(text, pos, open)) break;
    spans.push(...answerSpans(text, pos, open, markers));
    if (close === -1) {
      spans.push({ part: 'reasoning', start: inner, end: text.length });
      truncated = true;
      pos = text.length;
      break;
    }
    spans.push({ part: 'reasoning', start: inner, end: close });
    pos = close + tags.close.length;
  }
  spans.push(...answerSpans(text, pos, text.length, markers));
  return { spans, delimiters: thought ? 'thought' : 'think', truncated, missingOpener };
}

/** The text of every span of one part, each trimmed, joined by a blank line (blank spans skipped). */
export function partText(text: string, split: ThinkSplit, part: StepPart): string {
  return split.spans
    .filter((s) => s.part === part)
    .map((s) => text.slice(s.start, s.end).trim())
    .filter((t) => t.length > 0)
    .join('\n\n');
}
