/**
 * The final answer of a response, found in its text: the one extraction shared by the parsers (`Trace.answer`
 * when a format has no answer field), the built-in verifier, the Trace Tree and `inspect --json`.
 */
import type { StepPart } from '../dataset/types.js';
import { splitThink } from '../formats/thinkSplit.js';
import type { TextSpan } from './segmentSteps.js';

/** An answer found in a text, with where it sits in that text. */
export interface ExtractedAnswer {
  /** The answer as written, trimmed (`30`, `\frac{3}{4}`, `(B)`). */
  readonly text: string;
  /** Offsets of `text` in the searched text. */
  readonly span: TextSpan;
}

/** Which pattern found an answer, strongest first; `short-answer` is a whole one-line visible answer. */
export type AnswerPattern = 'boxed' | 'gsm8k' | 'heading' | 'phrase' | 'short-answer';

/** One piece of a response to search: a step, or a span of a decoded string. */
export interface AnswerSource {
  readonly text: string;
  /** `answer` for the visible answer (after `</think>`); absent or `reasoning` otherwise. */
  readonly part?: StepPart;
}

/** The final answer of a response and where it was found. */
export interface FinalAnswer extends ExtractedAnswer {
  /** Index, in the searched sources, of the one holding the answer (`span` is an offset into its text). */
  readonly sourceIndex: number;
  readonly pattern: AnswerPattern;
}

/** The longest visible answer taken whole when no pattern matches (one line only). */
export const SHORT_ANSWER_MAX_CHARS = 80;

function trimmed(text: string, start: number, end: number): ExtractedAnswer | undefined {
  while (start < end && /\s/.test(text[start] ?? '')) start++;
  while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
  return end > start ? { text: text.slice(start, end), span: { start, end } } : undefined;
}

function lastMatch(re: RegExp, text: string): RegExpExecArray | undefined {
  re.lastIndex = 0;
  let last: RegExpExecArray | undefined;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) last = m;
  return last;
}

/** The content of the last `\boxed{…}` (or `\fbox{…}`) with balanced braces, or undefined. */
export function lastBoxed(text: string): ExtractedAnswer | undefined {
  const re = /\\(?:boxed|fbox)\s*\{/g;
  let found: ExtractedAnswer | undefined;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const open = m.index + m[0].length;
    let depth = 1;
    let k = open;
    for (; k < text.length && depth > 0; k++) {
      if (text[k] === '{') depth++;
      else if (text[k] === '}') depth--;
    }
    if (depth === 0) found = trimmed(text, open, k - 1) ?? found;
  }
  return found;
}

/** GSM8K's `#### 42` (a number only, so a Markdown `#### Step 2` heading is not an answer). */
const GSM8K = /(?:^|\s)####[ \t]*([-+−]?\$?\d[\d,]*(?:\.\d+)?(?:\/\d+)?)[ \t]*$/gm;

function lastGsm8k(text: string): ExtractedAnswer | undefined {
  const m = lastMatch(GSM8K, text);
  if (!m) return undefined;
  const value = m[1] ?? '';
  const start = m.index + m[0].lastIndexOf(value);
  return trimmed(text, start, start + value.length);
}

const ANSWER_HEADING = /^#{1,6}[ \t]*Answer[ \t]*:?[ \t]*$/gim;

/** The first non-blank line under the last `# Answer` heading (PRM800K). */
function lastHeading(text: string): ExtractedAnswer | undefined {
  const heading = lastMatch(ANSWER_HEADING, text);
  if (!heading) return undefined;
  const line = /\S[^\n]*/g;
  line.lastIndex = heading.index + heading[0].length;
  const m = line.exec(text);
  return m ? trimmed(text, m.index, m.index + m[0].length) : undefined;
}

const ANSWER_PHRASE = /(?:\b(?:the\s+)?final\s+answer|\bthe\s+answer)(?:\s+is\s*:?|\s*:)|\banswer\s*:/gi;

/** The rest of the sentence after the last "The answer is", "The final answer is", "Final answer:" or "Answer:". */
function lastPhrase(text: string): ExtractedAnswer | undefined {
  const phrase = lastMatch(ANSWER_PHRASE, text);
  if (!phrase) return undefined;
  const start = phrase.index + phrase[0].length;
  const rest = text.slice(start);
  const stop = /\.(?=\s|$)|\n/.exec(rest);
  let end = start + (stop ? stop.index : rest.length);
  let begin = start;
  // Markdown bold around the answer: `**42**`.
  while (text.startsWith('*', begin) || /\s/.test(text[begin] ?? '')) begin++;
  while (end > begin && /[*\s]/.test(text[end - 1] ?? '')) end--;
  return trimmed(text, begin, end);
}

/** `find`, run only on texts holding `literal` (a plain substring search rules most steps out before any regex). */
function onlyWith(literal: RegExp | string, find: (text: string) => ExtractedAnswer | undefined): (text: string) => ExtractedAnswer | undefined {
  return typeof literal === 'string' ? (text) => (text.includes(literal) ? find(text) : undefined) : (text) => (literal.test(text) ? find(text) : undefined);
}

const PATTERNS: readonly (readonly [Exclude<AnswerPattern, 'short-answer'>, (text: string) => ExtractedAnswer | undefined])[] = [
  ['boxed', onlyWith('box', lastBoxed)],
  ['gsm8k', onlyWith('####', lastGsm8k)],
  ['heading', onlyWith('#', lastHeading)],
  ['phrase', onlyWith(/answer/i, lastPhrase)],
];

/**
 * The answer stated in one text by the strongest pattern that matches, each taking its last occurrence: the last
 * `\boxed{…}`/`\fbox{…}` (nested braces balanced); GSM8K's `#### 42`; the line under a `# Answer` heading
 * (PRM800K); the rest of the sentence after "The answer is", "The final answer is", "Final answer:" or "Answer:"
 * (Math-Shepherd's `The answer is: 52`). Undefined when the text states no answer.
 */
export function answerInText(text: string): ExtractedAnswer | undefined {
  for (const [, find] of PATTERNS) {
    const found = find(text);
    if (found) return found;
  }
  return undefined;
}

function search(sources: readonly AnswerSource[], indices: readonly number[]): FinalAnswer | undefined {
  for (const [pattern, find] of PATTERNS) {
    for (let k = indices.length - 1; k >= 0; k--) {
      const i = indices[k] ?? 0;
      const found = find(sources[i]?.text ?? '');
      if (found) return { ...found, sourceIndex: i, pattern };
    }
  }
  return undefined;
}

/**
 * The final answer of a response given as its steps (or other pieces) in order. The visible answer (sources with
 * `part: 'answer'`, the text after `</think>`) is searched first, then every source. Within a scope the patterns
 * of `answerInText` are tried strongest first, each from the last source backwards, so a `\boxed{}` anywhere beats
 * a later "The answer is". When the visible answer states no answer by a pattern but is a single line of at most
 * `SHORT_ANSWER_MAX_CHARS` characters (`Paris.`, `B`), that line is the answer. Undefined when nothing is found.
 */
export function locateFinalAnswer(sources: readonly AnswerSource[]): FinalAnswer | undefined {
  const all = sources.map((_, i) => i);
  const visible = all.filter((i) => sources[i]?.part === 'answer');
  if (visible.length > 0) {
    const found = search(sources, visible);
    if (found) return found;
    const nonBlank = visible.filter((i) => (sources[i]?.text ?? '').trim().length > 0);
    const only = nonBlank.length === 1 ? nonBlank[0] : undefined;
    if (only !== undefined) {
      const text = sources[only]?.text ?? '';
      const line = trimmed(text, 0, text.length);
      if (line && !line.text.includes('\n') && line.text.length <= SHORT_ANSWER_MAX_CHARS) {
        return { ...line, sourceIndex: only, pattern: 'short-answer' };
      }
    }
  }
  return visible.length === all.length ? undefined : search(sources, all);
}

/**
 * The final answer of a response as a string: `locateFinalAnswer` of its steps, or of a whole text split on
 * `<think>…</think>` (text outside the think block is the visible answer). The answer is returned exactly as
 * written (trimmed), never interpreted: markup in it stays text.
 */
export function finalAnswer(source: string | readonly AnswerSource[]): string | undefined {
  if (typeof source !== 'string') return locateFinalAnswer(source)?.text;
  const split = splitThink(source);
  const pieces = split.spans.map((s): AnswerSource => ({ text: source.slice(s.start, s.end), part: s.part }));
  return locateFinalAnswer(pieces)?.text;
}
