/**
 * Shared pieces of the preference parsers (TRL, HH-RLHF, UltraFeedback, Skywork, HelpSteer, RewardBench,
 * RM-Bench, JudgeBench): response segmentation with exact spans, chat-message helpers, and located problems.
 */
import { findNodeAtLocation, parseTree, type JSONPath } from 'jsonc-parser';
import type { JsonEntry } from '../json/readJsonDocument.js';
import type { PreferenceResponse, PreferenceSet, SourceRange, Step } from '../dataset/types.js';
import { contentText, describe, isObject, locatedString, messagesText, promptMessagesOf, segmentLocated, subRange, type JsonObject, type LocatedText } from './fields.js';
import type { FormatContext, RecordOutcome, RecordProblem } from './formatSpec.js';
import { splitThink } from './thinkSplit.js';

/**
 * Segments the decoded part `[from, to)` of a located response into steps with exact spans
 * (`ctx.options.segmentation`). Inline reasoning (`<think>…</think>`, a lone `</think>` as R1 emits it, or the
 * `<|begin_of_thought|>` family; see `splitThink`) becomes `reasoning` steps, everything else `answer` steps.
 * Indices run over the whole response.
 */
export function responseSteps(ctx: FormatContext, located: LocatedText, from = 0, to = located.text.length): Step[] {
  const split = splitThink(located.text.slice(from, to));
  const steps: Step[] = [];
  for (const span of split.spans) {
    steps.push(...segmentLocated(ctx.text, located, ctx.options.segmentation, span.part, steps.length, from + span.start, from + span.end));
  }
  return steps;
}

/** Optional extras of a response. */
export interface ResponseExtras {
  readonly model?: string;
  readonly rating?: number;
}

/**
 * A response from the decoded part `[from, to)` of a located string (the whole string by default): its text,
 * exact range, steps and the dataset's chosen flag.
 */
export function preferenceResponse(
  ctx: FormatContext,
  located: LocatedText,
  chosen: boolean,
  extras: ResponseExtras = {},
  from = 0,
  to = located.text.length,
): PreferenceResponse {
  const whole = from === 0 && to === located.text.length;
  const range = whole ? located.range : subRange(ctx.text, located, from, to);
  return {
    text: whole ? located.text : located.text.slice(from, to),
    ...(range ? { range } : {}),
    chosen,
    steps: responseSteps(ctx, located, from, to),
    ...(extras.model !== undefined ? { model: extras.model } : {}),
    ...(extras.rating !== undefined ? { rating: extras.rating } : {}),
  };
}

/** The fields of a preference set that vary by format. */
export interface PreferenceFields {
  readonly id: string;
  readonly prompt: LocatedText;
  readonly responses: readonly PreferenceResponse[];
  readonly labelSource: string;
  readonly comparison: PreferenceSet['comparison'];
  readonly subset?: string | undefined;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Defaults to the entry's span (HelpSteer2 pairs span two lines). */
  readonly recordRange?: SourceRange;
}

/** Assembles a `PreferenceSet` for one entry. */
export function preferenceSet(entry: JsonEntry, f: PreferenceFields): PreferenceSet {
  return {
    kind: 'preference',
    id: f.id,
    recordRange: f.recordRange ?? entry.range,
    prompt: f.prompt.text,
    ...(f.prompt.range ? { promptRange: f.prompt.range } : {}),
    ...(f.prompt.messages ? { promptMessages: f.prompt.messages } : {}),
    responses: f.responses,
    ...(f.subset !== undefined ? { subset: f.subset } : {}),
    labelSource: f.labelSource,
    comparison: f.comparison,
    metadata: f.metadata ?? {},
  };
}

/** True for a chat message: an object with a string `role`. */
export function isMessage(v: unknown): v is JsonObject {
  return isObject(v) && typeof v['role'] === 'string';
}

/** True for a non-empty list of chat messages. */
export function isMessageList(v: unknown): v is readonly JsonObject[] {
  return Array.isArray(v) && v.length > 0 && v.every(isMessage);
}

/**
 * A message's content with its span: a string `content`, or the single text part of a parts list. Other
 * content (several parts) keeps its text but has no single span.
 */
export function messageContent(entry: JsonEntry, message: JsonObject): LocatedText {
  const content = message['content'];
  if (typeof content === 'string') return locatedString(entry, message, 'content') ?? { text: content };
  if (Array.isArray(content)) {
    const parts = content.filter((p: unknown) => typeof p === 'string' || (isObject(p) && typeof p['text'] === 'string'));
    const only: unknown = parts[0];
    if (parts.length === 1 && only !== undefined) {
      const located = typeof only === 'string' ? locatedString(entry, content, content.indexOf(only)) : isObject(only) ? locatedString(entry, only, 'text') : undefined;
      if (located) return located;
    }
  }
  return { text: contentText(content) };
}

/** The content of the last `assistant` message of a list, or undefined when there is none. */
export function finalAssistant(entry: JsonEntry, messages: readonly unknown[]): LocatedText | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (isMessage(m) && m['role'] === 'assistant') return messageContent(entry, m);
  }
  return undefined;
}

/**
 * A prompt made of chat messages: `messagesText` (the content alone for one message, `role: content` blocks
 * otherwise). Only a single message has a span (its content literal); a multi-turn prompt has none.
 */
export function messagesPrompt(entry: JsonEntry, messages: readonly unknown[]): LocatedText {
  const msgs = messages.filter(isObject);
  const only = msgs[0];
  const turns = promptMessagesOf(msgs);
  if (msgs.length === 1 && only !== undefined) return { ...messageContent(entry, only), messages: turns };
  return { text: messagesText(msgs), messages: turns };
}

/** A prompt that is either a string `container[key]` (with its span) or a list of chat messages. */
export function promptOf(entry: JsonEntry, container: JsonObject, key: string): LocatedText | undefined {
  const v = container[key];
  if (typeof v === 'string') return locatedString(entry, container, key);
  if (Array.isArray(v) && v.every(isObject)) return messagesPrompt(entry, v);
  return undefined;
}

function sameMessage(a: unknown, b: unknown): boolean {
  return isObject(a) && isObject(b) && a['role'] === b['role'] && JSON.stringify(a['content']) === JSON.stringify(b['content']);
}

/** An implicit-prompt conversation pair split into the shared prompt and each side's final assistant reply. */
export interface SplitConversation {
  readonly prompt: LocatedText;
  /** How many leading messages the two lists share (the prompt's messages). */
  readonly promptMessages: number;
  readonly chosen?: LocatedText;
  readonly rejected?: LocatedText;
}

/**
 * Splits two full conversations (implicit prompt: both include the user turns) into the common prefix of
 * messages, which is the prompt, and the last assistant message after it on each side. The prefix never
 * takes a side's last message, so identical lists still yield one response each.
 */
export function splitConversation(entry: JsonEntry, chosen: readonly unknown[], rejected: readonly unknown[]): SplitConversation {
  const limit = Math.min(chosen.length, rejected.length) - 1;
  let shared = 0;
  while (shared < limit && sameMessage(chosen[shared], rejected[shared])) shared++;
  const c = finalAssistant(entry, chosen.slice(shared));
  const r = finalAssistant(entry, rejected.slice(shared));
  return {
    prompt: messagesPrompt(entry, chosen.slice(0, shared)),
    promptMessages: shared,
    ...(c ? { chosen: c } : {}),
    ...(r ? { rejected: r } : {}),
  };
}

/** Both sides of an implicit-prompt conversation pair, each with its final assistant reply. */
export interface ConversationPair {
  readonly prompt: LocatedText;
  readonly promptMessages: number;
  readonly chosen: LocatedText;
  readonly rejected: LocatedText;
}

/**
 * Reads `v.chosen` / `v.rejected` as full conversations (implicit prompt) and splits them with
 * `splitConversation`. Wrong types and a side without an assistant reply become problems and yield undefined.
 */
export function conversationPair(ctx: FormatContext, entry: JsonEntry, v: JsonObject, problems: RecordProblem[]): ConversationPair | undefined {
  const c = v['chosen'];
  const r = v['rejected'];
  if (!isMessageList(c)) problems.push(wrongType(ctx, entry, ['chosen'], c, 'a list of {role, content} messages', 'the record is skipped'));
  if (!isMessageList(r)) problems.push(wrongType(ctx, entry, ['rejected'], r, 'a list of {role, content} messages', 'the record is skipped'));
  if (!isMessageList(c) || !isMessageList(r)) return undefined;
  const split = splitConversation(entry, c, r);
  if (!split.chosen) problems.push(problemAt(ctx, entry, ['chosen'], '"chosen" has no assistant message after the prompt; the record is skipped.'));
  if (!split.rejected) problems.push(problemAt(ctx, entry, ['rejected'], '"rejected" has no assistant message after the prompt; the record is skipped.'));
  if (!split.chosen || !split.rejected) return undefined;
  return { prompt: split.prompt, promptMessages: split.promptMessages, chosen: split.chosen, rejected: split.rejected };
}

/** The span of the JSON value at `path` inside the entry (any type), for problems about non-string values. */
export function valueRange(ctx: FormatContext, entry: JsonEntry, path: JSONPath): SourceRange | undefined {
  const root = parseTree(ctx.text.slice(entry.range.start, entry.range.end));
  const node = root ? findNodeAtLocation(root, path) : undefined;
  return node ? { start: entry.range.start + node.offset, end: entry.range.start + node.offset + node.length } : undefined;
}

/** A problem located at the value at `path` (the record's span when that value cannot be found). */
export function problemAt(
  ctx: FormatContext,
  entry: JsonEntry,
  path: JSONPath,
  message: string,
  severity: 'error' | 'warning' = 'error',
): RecordProblem {
  const range = valueRange(ctx, entry, path);
  return { message, ...(range ? { range } : {}), severity };
}

/** A problem saying the value at `path` has the wrong type. */
export function wrongType(ctx: FormatContext, entry: JsonEntry, path: JSONPath, value: unknown, expected: string, consequence: string): RecordProblem {
  return problemAt(ctx, entry, path, `"${path.join('.')}" is ${describe(value)}, expected ${expected}; ${consequence}.`);
}

/** An entry checked for its required keys: the object, or the outcome to return instead. */
export type CheckedRecord = { readonly ok: true; readonly value: JsonObject } | { readonly ok: false; readonly outcome: RecordOutcome };

/**
 * Checks that an entry is an object holding every key; otherwise an outcome with one problem (at the record)
 * naming the missing keys and the expected shape.
 */
export function checkRecord(format: string, expected: string, value: unknown, keys: readonly string[]): CheckedRecord {
  if (!isObject(value)) {
    return { ok: false, outcome: { records: [], problems: [{ message: `Not a ${format} record: found ${describe(value)}, expected ${expected}.` }] } };
  }
  const missing = keys.filter((k) => !(k in value));
  if (missing.length === 0) return { ok: true, value };
  const names = missing.map((k) => `"${k}"`).join(', ');
  return { ok: false, outcome: { records: [], problems: [{ message: `Not a ${format} record: missing ${names}; expected ${expected}.` }] } };
}

/** `v` when it is a finite number. */
export function finiteNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `v` when it is a string. */
export function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
