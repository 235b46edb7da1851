import type { JsonEntry } from '../json/readJsonDocument.js';
import type { SourceRange, Step, StepPart, Trace } from '../dataset/types.js';
import { describe, isObject, locatedString, normaliseRole, recordId, segmentLocated, wrongShape, type JsonObject, type LocatedText } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';
import { finalAnswer } from '../text/finalAnswer.js';
import { splitThink } from './thinkSplit.js';
import type { LogprobPiece } from '../confidence/tokenLogprobs.js';

/**
 * Maps a located string to the text it stands for. Inspect logs replace long strings by `attachment://<md5>`
 * references; their resolver returns the attached text without a range. Everything else uses the identity.
 */
export type ResolveText = (located: LocatedText) => LocatedText;

const identity: ResolveText = (l) => l;

/** What a response's steps add up to. */
export interface BuiltResponse {
  readonly steps: readonly Step[];
  /** The response's final answer (`finalAnswer` of its reasoning steps and last visible answer). */
  readonly answer?: string;
  /** Facts about the response worth showing: tool calls, redacted reasoning, a truncated think block. */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * Collects the steps of one model response from its pieces (reasoning fields, content strings with `<think>`,
 * typed content parts of the OpenAI, Anthropic, Responses and Inspect shapes), numbering them in one sequence and
 * keeping each step's exact range inside its string literal.
 */
export class ResponseStepBuilder {
  private readonly steps: Step[] = [];
  private readonly answers: string[] = [];
  private readonly toolCalls: string[] = [];
  private readonly pieceList: LogprobPiece[] = [];
  private redacted = 0;
  private truncated = false;
  private missingOpener = false;

  /**
   * `entry` is the record whose strings are located; a response spread over several entries (a Codex rollout)
   * switches it with `forEntry` before adding each entry's pieces.
   */
  constructor(
    private entry: JsonEntry,
    private readonly ctx: FormatContext,
    private readonly resolve: ResolveText = identity,
  ) {}

  /** Locates the following pieces in `entry` (their containers must come from its value). */
  forEntry(entry: JsonEntry): this {
    this.entry = entry;
    return this;
  }

  /** How many steps have been added so far. */
  get stepCount(): number {
    return this.steps.length;
  }

  /** Every string added so far, in order, with the steps cut from it (token log-probabilities are matched to these). */
  get pieces(): readonly LogprobPiece[] {
    return this.pieceList;
  }

  /** Starts a new answer message: only the last message's text makes the trace's visible answer. */
  beginAnswer(): void {
    this.answers.length = 0;
  }

  /** `container[key]` as a located string, resolved; `undefined` when it is not a string. */
  located(container: object, key: string | number): LocatedText | undefined {
    const l = locatedString(this.entry, container, key);
    return l === undefined ? undefined : this.resolve(l);
  }

  /** Segments a whole string as one part (a reasoning field, a thinking block, an output text). */
  addPart(located: LocatedText, part: StepPart): void {
    const firstStep = this.steps.length;
    this.steps.push(...segmentLocated(this.ctx.text, located, this.ctx.options.segmentation, part, this.steps.length));
    this.pieceList.push({ text: located.text, firstStep, endStep: this.steps.length });
    if (part === 'answer') this.answers.push(located.text);
  }

  /** Segments a content string that may hold `<think>` / begin_of_thought blocks into reasoning and answer steps. */
  addContent(located: LocatedText): void {
    const firstStep = this.steps.length;
    const split = splitThink(located.text);
    for (const s of split.spans) {
      this.steps.push(...segmentLocated(this.ctx.text, located, this.ctx.options.segmentation, s.part, this.steps.length, s.start, s.end));
      if (s.part === 'answer') this.answers.push(located.text.slice(s.start, s.end));
    }
    this.pieceList.push({ text: located.text, firstStep, endStep: this.steps.length });
    this.truncated ||= split.truncated;
    this.missingOpener ||= split.missingOpener;
  }

  /** Records a tool call by name. */
  addToolCall(name: string): void {
    this.toolCalls.push(name);
  }

  /** Counts a reasoning block whose text is encrypted or redacted. */
  addRedacted(): void {
    this.redacted++;
  }

  /**
   * Adds `container[key]` when it is message content: a string (split on think tags) or a list of typed parts.
   * Returns a problem message for any other non-empty value.
   */
  addContentValue(container: JsonObject, key: string): string | undefined {
    const v = container[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') {
      const l = this.located(container, key);
      if (l) this.addContent(l);
      return undefined;
    }
    if (Array.isArray(v)) {
      this.addParts(v);
      return undefined;
    }
    return `"${key}" is ${describe(v)}, expected a string or a list of content parts.`;
  }

  /**
   * Adds typed content parts: text (`text`, `output_text`, `input_text`, bare strings) as content, `thinking`
   * (Anthropic), `reasoning` (Inspect), `reasoning_text` / `summary_text` (Responses) as reasoning, `refusal` as
   * answer; redacted reasoning (and thinking blocks with no text) is counted and tool calls are named. Other parts
   * (images, audio) carry no steps.
   */
  addParts(parts: readonly unknown[]): void {
    parts.forEach((p, i) => {
      if (typeof p === 'string') {
        const l = this.located(parts, i);
        if (l) this.addContent(l);
        return;
      }
      if (!isObject(p)) return;
      const type = p['type'];
      const text = (key: string): LocatedText | undefined => this.located(p, key);
      switch (type) {
        case 'thinking': {
          // Claude 4 can omit the thinking text (display "omitted"): only the signature remains.
          const thinking = nonBlank(text('thinking'));
          if (thinking) this.addPart(thinking, 'reasoning');
          else this.addRedacted();
          return;
        }
        case 'reasoning':
          // Inspect: a redacted part holds the encrypted blob in `reasoning`; its `summary`, if any, is readable.
          if (p['redacted'] === true) this.addRedacted();
          this.addNonBlank(p['redacted'] === true ? text('summary') : (nonBlank(text('reasoning')) ?? text('summary')), 'reasoning');
          return;
        case 'reasoning_text':
        case 'summary_text':
          this.addNonBlank(text('text'), 'reasoning');
          return;
        case 'redacted_thinking':
          this.addRedacted();
          return;
        case 'refusal':
          this.addNonBlank(text('refusal'), 'answer');
          return;
        case 'tool_use':
        case 'server_tool_use':
        case 'tool_call':
        case 'function_call':
          this.addToolCall(typeof p['name'] === 'string' ? p['name'] : String(type));
          return;
        default: {
          const t = type === undefined || type === 'text' || type === 'output_text' || type === 'input_text' ? text('text') : undefined;
          if (t) this.addContent(t);
        }
      }
    });
  }

  /**
   * Adds a chat message's reasoning and content: `reasoning_content` (DeepSeek, vLLM ≤ 0.10), else `reasoning`
   * (vLLM ≥ 0.11, OpenRouter), else `reasoning_details` (OpenRouter); then `content`; then names its tool calls.
   */
  addChatMessage(msg: JsonObject): string[] {
    const problems: string[] = [];
    const field = nonBlank(this.located(msg, 'reasoning_content')) ?? nonBlank(this.located(msg, 'reasoning'));
    if (field) this.addPart(field, 'reasoning');
    else if (Array.isArray(msg['reasoning_details'])) this.addReasoningDetails(msg['reasoning_details']);
    const p = this.addContentValue(msg, 'content');
    if (p !== undefined) problems.push(p);
    const calls = msg['tool_calls'];
    if (Array.isArray(calls)) for (const c of calls) this.addToolCall(toolCallName(c));
    return problems;
  }

  /** OpenRouter `reasoning_details`: `reasoning.text` (`text`) and `reasoning.summary` (`summary`); encrypted ones are counted. */
  addReasoningDetails(details: readonly unknown[]): void {
    for (const d of details) {
      if (!isObject(d)) continue;
      if (d['type'] === 'reasoning.text') this.addNonBlank(this.located(d, 'text'), 'reasoning');
      else if (d['type'] === 'reasoning.summary') this.addNonBlank(this.located(d, 'summary'), 'reasoning');
      else if (d['type'] === 'reasoning.encrypted') this.addRedacted();
    }
  }

  /** The visible answer text so far, pieces joined by a blank line, trimmed. */
  visibleAnswer(): string {
    return this.answers
      .map((a) => a.trim())
      .filter((a) => a.length > 0)
      .join('\n\n');
  }

  /** The steps, final answer and response facts. */
  build(): BuiltResponse {
    const metadata: Record<string, unknown> = {};
    if (this.toolCalls.length > 0) metadata['toolCalls'] = [...this.toolCalls];
    if (this.redacted > 0) metadata['redactedReasoning'] = this.redacted;
    if (this.truncated) metadata['reasoningTruncated'] = true;
    if (this.missingOpener) metadata['thinkOpenerMissing'] = true;
    const visible = this.visibleAnswer();
    const reasoning = this.steps.filter((s) => s.part === 'reasoning');
    const answer = finalAnswer(visible.length > 0 ? [...reasoning, { text: visible, part: 'answer' }] : reasoning);
    return { steps: this.steps, ...(answer !== undefined ? { answer } : {}), metadata };
  }

  private addNonBlank(l: LocatedText | undefined, part: StepPart): void {
    if (l && l.text.trim().length > 0) this.addPart(l, part);
  }
}

function nonBlank(l: LocatedText | undefined): LocatedText | undefined {
  return l && l.text.trim().length > 0 ? l : undefined;
}

/** The function name of a tool call in the OpenAI (`function.name`), Inspect (`function`) or plain (`name`) shape. */
function toolCallName(c: unknown): string {
  if (!isObject(c)) return 'tool';
  const f = c['function'];
  if (isObject(f) && typeof f['name'] === 'string') return f['name'];
  if (typeof f === 'string') return f;
  return typeof c['name'] === 'string' ? c['name'] : 'tool';
}

/** Role names of the assistant across chat shapes (OpenAI, ShareGPT, Gemini). */
const ASSISTANT_ROLES = new Set(['assistant', 'gpt', 'model', 'bot']);
const SYSTEM_ROLES = new Set(['system', 'developer']);

/** Index of the last assistant message in a list, or -1. */
export function lastAssistantIndex(messages: readonly unknown[], roleKey = 'role'): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (isObject(m) && ASSISTANT_ROLES.has(String(m[roleKey]))) return i;
  }
  return -1;
}

/** A prompt read from messages, with the system prompt kept apart. */
export interface MessagesPrompt {
  readonly prompt: LocatedText;
  readonly system?: string;
}

/**
 * The prompt of a conversation: the messages before the final assistant turn, system/developer messages aside.
 * One message gives its content with its range; several are flattened to `role: content` blocks (no range).
 */
export function promptFromMessages(
  entry: JsonEntry,
  messages: readonly unknown[],
  resolve: ResolveText = identity,
  roleKey = 'role',
  contentKey = 'content',
): MessagesPrompt {
  const msgs = messages.filter(isObject);
  const system = msgs.filter((m) => SYSTEM_ROLES.has(String(m[roleKey])));
  const rest = msgs.filter((m) => !SYSTEM_ROLES.has(String(m[roleKey])));
  const textOf = (m: JsonObject): LocatedText => contentOf(entry, m, contentKey, resolve);
  const systemText = system.map((m) => textOf(m).text).join('\n\n');
  const only = rest.length === 1 ? rest[0] : undefined;
  const turns = msgs.map((m) => ({ role: normaliseRole(m[roleKey]), content: textOf(m).text }));
  const prompt: LocatedText = only
    ? { ...textOf(only), messages: turns }
    : { text: rest.map((m) => `${String(m[roleKey] ?? 'user')}: ${textOf(m).text}`).join('\n\n'), messages: turns };
  return { prompt, ...(systemText.length > 0 ? { system: systemText } : {}) };
}

/** A message's content as text: a located string, the located text of a single text part, or parts joined. */
function contentOf(entry: JsonEntry, m: JsonObject, key: string, resolve: ResolveText): LocatedText {
  const c = m[key];
  const at = (container: object, k: string | number): LocatedText | undefined => {
    const l = locatedString(entry, container, k);
    return l === undefined ? undefined : resolve(l);
  };
  if (typeof c === 'string') return at(m, key) ?? { text: c };
  if (!Array.isArray(c)) return { text: '' };
  const texts: LocatedText[] = [];
  c.forEach((p: unknown, i) => {
    const l = typeof p === 'string' ? at(c, i) : isObject(p) && typeof p['text'] === 'string' ? at(p, 'text') : undefined;
    if (l) texts.push(l);
  });
  if (texts.length === 1 && texts[0]) return texts[0];
  return { text: texts.map((t) => t.text).join('\n') };
}

/** Assembles a trace from its parts (shared by the response formats). */
export function responseTrace(
  id: string,
  recordRange: SourceRange,
  prompt: LocatedText | undefined,
  built: BuiltResponse,
  extra: { readonly reference?: string; readonly correct?: boolean; readonly metadata?: Readonly<Record<string, unknown>> } = {},
): Trace {
  return {
    kind: 'trace',
    id,
    recordRange,
    prompt: prompt?.text ?? '',
    ...(prompt?.range ? { promptRange: prompt.range } : {}),
    ...(prompt?.messages ? { promptMessages: prompt.messages } : {}),
    steps: built.steps,
    ...(built.answer !== undefined ? { answer: built.answer } : {}),
    ...(extra.reference !== undefined ? { reference: extra.reference } : {}),
    ...(extra.correct !== undefined ? { correct: extra.correct } : {}),
    metadata: { ...extra.metadata, ...built.metadata },
  };
}

/** True for a record that a preference format owns (chosen/rejected keys). */
function isPreferenceRecord(v: JsonObject): boolean {
  return 'chosen' in v || 'rejected' in v;
}

/** Reads a conversation whose final assistant turn is the response. */
function parseConversation(
  entry: JsonEntry,
  ctx: FormatContext,
  v: JsonObject,
  list: readonly unknown[],
  keys: { readonly role: string; readonly content: string; readonly listKey: string },
): RecordOutcome {
  const problems: RecordProblem[] = [];
  list.forEach((m, i) => {
    if (!isObject(m)) problems.push({ message: `"${keys.listKey}" item ${i + 1} is ${describe(m)}, expected a message object; it is skipped.` });
  });
  const last = lastAssistantIndex(list, keys.role);
  const final = list[last];
  if (last === -1 || !isObject(final)) {
    problems.push({
      message: `No assistant turn in "${keys.listKey}": expected a message with ${keys.role} "assistant"${keys.role === 'from' ? ' or "gpt"' : ''} to read as the response.`,
      severity: 'warning',
    });
    return { records: [], problems };
  }
  const builder = new ResponseStepBuilder(entry, ctx);
  if (keys.content === 'content') {
    for (const p of builder.addChatMessage(final)) problems.push({ message: `Assistant message ${last + 1}: ${p}` });
  } else {
    const l = builder.located(final, keys.content);
    if (l) builder.addContent(l);
    else problems.push({ message: `Assistant turn ${last + 1} has "${keys.content}" ${describe(final[keys.content])}, expected a string.` });
  }
  const read = promptFromMessages(entry, list.slice(0, last), identity, keys.role, keys.content);
  const { system } = read;
  const topSystem = v['system'];
  // ShareGPT keeps the system prompt beside the turns; it is the conversation's first turn all the same.
  const prompt: LocatedText =
    typeof topSystem === 'string' && topSystem.length > 0 ? { ...read.prompt, messages: [{ role: 'system', content: topSystem }, ...(read.prompt.messages ?? [])] } : read.prompt;
  const metadata: Record<string, unknown> = {};
  if (typeof topSystem === 'string' && topSystem.length > 0) metadata['system'] = topSystem;
  else if (system !== undefined) metadata['system'] = system;
  if (typeof v['model'] === 'string') metadata['model'] = v['model'];
  if (last < list.length - 1) metadata['messagesAfterResponse'] = list.length - 1 - last;
  return { records: [responseTrace(recordId(entry, v), entry.range, prompt, builder.build(), { metadata })], problems };
}

/**
 * OpenAI-style chat records (FORMATS.md §8e): `{"messages":[{role, content: str | [parts], reasoning_content?,
 * reasoning?, reasoning_details?, tool_calls?}], tools?}`. The final assistant message is the response: its
 * reasoning field or `<think>` block gives reasoning steps, its visible content the answer steps.
 */
export const openaiChat: FormatSpec = {
  id: 'openai-chat',
  label: 'OpenAI chat messages',
  detect(v) {
    if (!isObject(v) || !Array.isArray(v['messages']) || isPreferenceRecord(v) || 'choices' in v) return 0;
    const msgs = v['messages'].filter(isObject);
    if (msgs.length === 0 || !msgs.some((m) => typeof m['role'] === 'string' && 'content' in m)) return 0;
    const reasoning = msgs.some(
      (m) =>
        m['role'] === 'assistant' &&
        (typeof m['reasoning_content'] === 'string' ||
          typeof m['reasoning'] === 'string' ||
          Array.isArray(m['reasoning_details']) ||
          (typeof m['content'] === 'string' && m['content'].includes('</think>'))),
    );
    return reasoning ? 3 : 2;
  },
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const v = entry.value;
    if (!isObject(v) || !Array.isArray(v['messages'])) {
      return wrongShape('chat messages', 'an object with "messages": a list of {role, content} objects');
    }
    return parseConversation(entry, ctx, v, v['messages'], { role: 'role', content: 'content', listKey: 'messages' });
  },
};

/**
 * ShareGPT conversations (Bespoke-Stratos, OpenThoughts, Sky-T1): `{system?, conversations:[{from, value}]}` with
 * `<|begin_of_thought|>…<|end_of_thought|>` reasoning and a `<|begin_of_solution|>…` answer in the last `gpt` turn.
 */
export const shareGpt: FormatSpec = {
  id: 'sharegpt',
  label: 'ShareGPT conversations',
  detect(v) {
    if (!isObject(v) || !Array.isArray(v['conversations']) || isPreferenceRecord(v)) return 0;
    const turns = v['conversations'].filter(isObject);
    if (!turns.some((t) => typeof t['from'] === 'string' && typeof t['value'] === 'string')) return 0;
    const thought = turns.some((t) => typeof t['value'] === 'string' && /<\|begin_of_thought\|>|<\|end_of_thought\|>|<\/think>/.test(t['value']));
    return thought ? 3 : 2;
  },
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const v = entry.value;
    if (!isObject(v) || !Array.isArray(v['conversations'])) {
      return wrongShape('ShareGPT', 'an object with "conversations": a list of {from, value} objects');
    }
    return parseConversation(entry, ctx, v, v['conversations'], { role: 'from', content: 'value', listKey: 'conversations' });
  },
};
