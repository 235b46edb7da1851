import type { JsonEntry } from '../json/readJsonDocument.js';
import { mapDecodedSpan, mapDecodedSpans } from '../json/locateStrings.js';
import type { PromptMessage, SourceRange, Step, StepLabel, StepPart, Trace } from '../dataset/types.js';
import { segmentSteps, type SegmentationMode, type TextSpan } from '../text/segmentSteps.js';
import { finalAnswer } from '../text/finalAnswer.js';
import type { RecordOutcome, RecordProblem } from './formatSpec.js';

/** A plain JSON object (not an array, not null). */
export type JsonObject = Readonly<Record<string, unknown>>;

/** True for a plain JSON object. */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when `v` is an object holding every key. */
export function hasKeys(v: unknown, ...keys: string[]): v is JsonObject {
  return isObject(v) && keys.every((k) => k in v);
}

/** A decoded string together with its literal span in the file (absent when it is not a located literal). */
export interface LocatedText {
  readonly text: string;
  readonly range?: SourceRange;
  /** For a prompt read from chat messages: the turns themselves (`text` is their flattening). */
  readonly messages?: readonly PromptMessage[];
}

/**
 * `container[key]` when it is a string, with its span. A literal without escapes (raw length = decoded length) is
 * returned as a slice of the file text rather than the parsed copy: V8 keeps such slices as views of the file
 * string, so parsed values can be dropped at once and big files do not hold every string twice.
 */
export function locatedString(entry: JsonEntry, container: object, key: string | number): LocatedText | undefined {
  const v: unknown = (container as Record<string | number, unknown>)[key];
  if (typeof v !== 'string') return undefined;
  const range = entry.locator.rangeOf(container, key);
  if (!range) return { text: v };
  return { text: range.end - range.start === v.length ? entry.source.slice(range.start, range.end) : v, range };
}

/** The span of a decoded substring `[from, to)` of a located string. */
export function subRange(text: string, located: LocatedText, from: number, to: number): SourceRange | undefined {
  return located.range ? mapDecodedSpan(text, located.range, from, to) : undefined;
}

/** Makes a step from a located string (whole string = one step). */
export function stepOf(index: number, located: LocatedText, label: StepLabel = 'unknown', part: StepPart = 'reasoning'): Step {
  return located.range ? { index, text: located.text, range: located.range, label, part } : { index, text: located.text, label, part };
}

/** Steps from an array of strings `container[key]`; non-strings are reported. */
export function stepsFromArray(
  entry: JsonEntry,
  arr: readonly unknown[],
  labels: (i: number) => StepLabel = () => 'unknown',
  problems?: RecordProblem[],
): Step[] {
  const steps: Step[] = [];
  arr.forEach((item, i) => {
    const located = locatedString(entry, arr, i);
    if (located) steps.push(stepOf(steps.length, located, labels(i)));
    else problems?.push({ message: `Step ${i + 1} is ${describe(item)}, expected a string; it is skipped.` });
  });
  return steps;
}

/**
 * Segments the decoded substring `[from, to)` of a located string into steps, with exact spans.
 * `firstIndex` numbers the steps (so reasoning and answer parts can continue one sequence).
 */
export function segmentLocated(
  fileText: string,
  located: LocatedText,
  mode: SegmentationMode,
  part: StepPart,
  firstIndex = 0,
  from = 0,
  to = located.text.length,
): Step[] {
  const piece = located.text.slice(from, to);
  const spans = segmentSteps(piece, mode);
  const ranges = located.range
    ? mapDecodedSpans(fileText, located.range, located.text.length, spans.map((s: TextSpan) => ({ start: from + s.start, end: from + s.end })))
    : undefined;
  return spans.map((span: TextSpan, i): Step => {
    const text = piece.slice(span.start, span.end);
    const range = ranges?.[i];
    return range ? { index: firstIndex + i, text, range, label: 'unknown', part } : { index: firstIndex + i, text, label: 'unknown', part };
  });
}

/** A short description of a JSON value's type for messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  return `a ${typeof v}`;
}

/** An outcome with no records and one problem about the record's shape. */
export function wrongShape(format: string, expected: string): RecordOutcome {
  return { records: [], problems: [{ message: `Not a ${format} record: expected ${expected}.` }] };
}

/** The record id: the dataset's own `id`-like key when present, else `#<ordinal+1>`. */
export function recordId(entry: JsonEntry, value: JsonObject, ...keys: string[]): string {
  for (const k of [...keys, 'id', 'uuid', 'unique_id', 'pair_id', 'prompt_id']) {
    const v = value[k];
    if (typeof v === 'string' && v.length > 0) return v;
    if (typeof v === 'number') return String(v);
  }
  return `#${entry.ordinal + 1}`;
}

/** Text of a chat message's `content` (string, or a list of `{type:'text', text}` parts). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p: unknown) => (isObject(p) && typeof p['text'] === 'string' ? p['text'] : typeof p === 'string' ? p : ''))
      .filter((s) => s.length > 0)
      .join('\n');
  }
  return '';
}

/** Flattens a list of chat messages into a readable prompt: `role: content` blocks, or the content alone for one message. */
export function messagesText(messages: readonly unknown[]): string {
  const msgs = messages.filter(isObject);
  if (msgs.length === 1) return contentText(msgs[0]?.['content']);
  return msgs.map((m) => `${String(m['role'] ?? 'user')}: ${contentText(m['content'])}`).join('\n\n');
}

const ASSISTANT_ROLE_NAMES = new Set(['assistant', 'gpt', 'model', 'bot']);

/** A dataset's role name as a chat-template role (see {@link PromptMessage}). */
export function normaliseRole(role: unknown): PromptMessage['role'] {
  const r = typeof role === 'string' ? role.toLowerCase() : '';
  if (r === 'system' || r === 'developer') return 'system';
  if (ASSISTANT_ROLE_NAMES.has(r)) return 'assistant';
  return r === 'tool' ? 'tool' : 'user';
}

/** The chat turns of a message list (objects only), roles normalised, content as text. */
export function promptMessagesOf(messages: readonly unknown[], roleKey = 'role', contentKey = 'content'): PromptMessage[] {
  return messages.filter(isObject).map((m) => ({ role: normaliseRole(m[roleKey]), content: contentText(m[contentKey]) }));
}

/** A prompt read from a message list: the flattened text (see {@link messagesText}) and the turns. */
export function messagesLocated(messages: readonly unknown[]): LocatedText {
  return { text: messagesText(messages), messages: promptMessagesOf(messages) };
}

/** Optional facts of a trace; each is kept only when it has the right type (strings, a boolean). */
export interface TraceFacts {
  readonly answer?: unknown;
  readonly reference?: unknown;
  readonly correct?: unknown;
}

/**
 * A trace record from its parts: the prompt's range and the optional facts appear only when present. A format's own
 * answer field wins; without one, the answer is the one its steps state (`finalAnswer`), if any.
 */
export function buildTrace(
  entry: JsonEntry,
  id: string,
  prompt: LocatedText | undefined,
  steps: readonly Step[],
  facts: TraceFacts,
  metadata: Readonly<Record<string, unknown>>,
): Trace {
  return {
    kind: 'trace',
    id,
    recordRange: entry.range,
    prompt: prompt?.text ?? '',
    ...(prompt?.range ? { promptRange: prompt.range } : {}),
    ...(prompt?.messages ? { promptMessages: prompt.messages } : {}),
    steps,
    ...(entry.summaryOnly === true ? {} : answerFact(facts.answer, steps)),
    ...(typeof facts.reference === 'string' ? { reference: facts.reference } : {}),
    ...(typeof facts.correct === 'boolean' ? { correct: facts.correct } : {}),
    metadata,
  };
}

function answerFact(given: unknown, steps: readonly Step[]): { answer?: string } {
  const answer = typeof given === 'string' ? given : finalAnswer(steps);
  return answer === undefined ? {} : { answer };
}
