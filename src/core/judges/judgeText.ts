/**
 * Shared text helpers for the judge parsers: where the thinking and the visible reply lie in a judge's
 * output, and line-start headings ("Step 3:", "Paragraph 2 …") that cut the output into sections.
 * Every offset is a UTF-16 offset into the whole output text, so verdict positions can be matched with the
 * generator's tokens and shown in the editor.
 */

/** A half-open range `[start, end)` of a judge's output text. */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/** A judge output split into its thinking and its visible reply. */
export interface OutputParts {
  /** The thinking, without the `<think>` / `</think>` tags; null when the output has none. */
  readonly thinking: TextRange | null;
  /** What follows `</think>`; the whole text when there is no thinking, empty when thinking never ended. */
  readonly visible: TextRange;
}

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Splits a judge's output at its thinking tags. Handles a reply whose `<think>` was part of the generation
 * prompt (R1-distilled models: the output starts inside the thinking and only `</think>` appears), a reply
 * rejoined as `<think>…</think>…`, and thinking cut off before `</think>` (then nothing is visible).
 */
export function splitThinking(text: string): OutputParts {
  const open = text.indexOf(OPEN);
  const close = text.indexOf(CLOSE, open === -1 ? 0 : open + OPEN.length);
  if (close !== -1) {
    const start = open !== -1 && open < close ? open + OPEN.length : 0;
    return { thinking: { start, end: close }, visible: { start: close + CLOSE.length, end: text.length } };
  }
  if (open !== -1) return { thinking: { start: open + OPEN.length, end: text.length }, visible: { start: text.length, end: text.length } };
  return { thinking: null, visible: { start: 0, end: text.length } };
}

/**
 * The parts to read verdicts from, in order of preference: the visible reply first, then the thinking
 * (judges that only decide inside their thinking still count, but a visible verdict wins).
 */
export function partsInOrder(parts: OutputParts): readonly { readonly part: 'visible' | 'thinking'; readonly range: TextRange }[] {
  const out: { part: 'visible' | 'thinking'; range: TextRange }[] = [{ part: 'visible', range: parts.visible }];
  if (parts.thinking !== null) out.push({ part: 'thinking', range: parts.thinking });
  return out;
}

/** A numbered heading at the start of a line, e.g. `Step 3:` or `**Paragraph 2**`. */
export interface Heading {
  /** The number as written (1-based for steps, 0-based for ProcessBench paragraphs). */
  readonly number: number;
  /** Offset of the line start where the heading begins. */
  readonly start: number;
}

/**
 * Finds line-start headings `<word> <n>` inside `range`. A heading may be preceded by spaces and Markdown
 * marks (`#`, `*`, `_`, `-`, `>`, `<` as in `<paragraph_2>`) and by "In"; a mention inside a sentence ("as in Step 2, …") is not a
 * heading. `word` is a regular-expression source matched case-insensitively (e.g. `step`).
 */
export function findHeadings(text: string, range: TextRange, word: string): Heading[] {
  const slice = text.slice(range.start, range.end);
  const re = new RegExp(`^[ \\t]*(?:[#>*_\\-<]+[ \\t]*)*(?:in[ \\t]+)?(?:${word})[ \\t_]*(\\d+)(?!\\d)`, 'gim');
  const out: Heading[] = [];
  for (const m of slice.matchAll(re)) {
    const n = Number(m[1]);
    if (Number.isSafeInteger(n)) out.push({ number: n, start: range.start + (m.index ?? 0) });
  }
  return out;
}

/** A heading with the text it governs: from its start to the next heading or the end of the range. */
export interface Section extends Heading {
  readonly end: number;
}

/** Cuts `range` into the sections of `headings` (which must lie inside it, in order). */
export function sectionsOf(headings: readonly Heading[], range: TextRange): Section[] {
  return headings.map((h, i) => ({ ...h, end: headings[i + 1]?.start ?? range.end }));
}

/** The trimmed text of a range, or undefined when it is blank. */
export function trimmedText(text: string, range: TextRange): string | undefined {
  const s = text.slice(range.start, range.end).trim();
  return s === '' ? undefined : s;
}
