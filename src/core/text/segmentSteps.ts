/**
 * Splits free text (a model response, a reasoning block) into steps. Spans are offsets into the given
 * decoded string, trimmed of surrounding whitespace, in order and non-overlapping.
 */

/** A decoded-text span `[start, end)`. */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * `auto` tries, in order: an explicit numbered or bulleted list (≥ 2 items), `Step N:` markers (≥ 2), blank-line
 * paragraphs, and finally single lines when the text has no blank lines but several lines.
 */
export type SegmentationMode = 'auto' | 'lists' | 'step-markers' | 'paragraphs' | 'lines';

const LIST_ITEM = /^[ \t]*(?:\d{1,3}[.)]|[-*•])[ \t]+\S/gm;
const STEP_MARKER = /(?:^|\n)[ \t]*(?:#{1,6}[ \t]*)?\**[Ss]tep[ \t]+\d+\**[ \t]*[:.)-]/g;

function trimSpan(text: string, start: number, end: number): TextSpan | undefined {
  while (start < end && /\s/.test(text[start] ?? '')) start++;
  while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
  return end > start ? { start, end } : undefined;
}

function cutAt(text: string, cuts: readonly number[]): TextSpan[] {
  const spans: TextSpan[] = [];
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < text.length), text.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const span = trimSpan(text, bounds[i] ?? 0, bounds[i + 1] ?? text.length);
    if (span) spans.push(span);
  }
  return spans;
}

function starts(text: string, re: RegExp): number[] {
  const out: number[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(m[0].startsWith('\n') ? m.index + 1 : m.index);
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

/** Blank-line separated paragraphs; a paragraph keeps its single newlines. */
function paragraphs(text: string): TextSpan[] {
  const cuts: number[] = [];
  const re = /\n[ \t]*\n/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) cuts.push(m.index + m[0].length);
  return cutAt(text, cuts);
}

function lines(text: string): TextSpan[] {
  const cuts: number[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) cuts.push(i + 1);
  return cutAt(text, cuts);
}

/** Splits `text` into step spans. Text that is all whitespace yields no steps. */
export function segmentSteps(text: string, mode: SegmentationMode = 'auto'): TextSpan[] {
  switch (mode) {
    case 'lists':
      return cutAt(text, starts(text, LIST_ITEM));
    case 'step-markers':
      return cutAt(text, starts(text, STEP_MARKER));
    case 'paragraphs':
      return paragraphs(text);
    case 'lines':
      return lines(text);
    case 'auto': {
      const markers = starts(text, STEP_MARKER);
      const items = starts(text, LIST_ITEM);
      // A list wins when it has at least two items and is not just the Step markers seen again.
      if (items.length >= 2 && items.length >= markers.length) return cutAt(text, items);
      if (markers.length >= 2) return cutAt(text, markers);
      const paras = paragraphs(text);
      if (paras.length >= 2) return paras;
      return paras.length === 1 && text.includes('\n') && lines(text).length >= 3 ? lines(text) : paras;
    }
  }
}
