import type { JsonEntry } from '../json/readJsonDocument.js';
import type { SourceRange } from '../dataset/types.js';
import { describe, isObject, recordId, wrongShape, type JsonObject, type LocatedText } from './fields.js';
import type { EntriesOutcome, FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';
import { responseTrace, ResponseStepBuilder } from './chatMessages.js';
import { firstTokenObject, readResponseLogprobs, type LogprobPiece } from '../confidence/tokenLogprobs.js';

/** The `output_text.logprobs` met so far, each with the piece of text (and steps) it covers, in output order. */
interface LogprobParts {
  readonly values: unknown[];
  readonly pieces: LogprobPiece[];
}

/** Pairs each `output_text` part that carries log-probabilities with the piece its text became. */
function collectLogprobs(builder: ResponseStepBuilder, content: readonly unknown[], piecesBefore: number, into: LogprobParts): void {
  const added = builder.pieces.slice(piecesBefore);
  let next = 0;
  content.forEach((part) => {
    if (!isObject(part) || typeof part['text'] !== 'string') return;
    const value = part['logprobs'];
    const text = builder.located(part, 'text')?.text;
    const at = added.findIndex((p, k) => k >= next && p.text === text);
    if (at === -1) return;
    next = at + 1;
    const piece = added[at];
    // An empty list means log-probabilities were not requested: nothing to read for this part.
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0) || piece === undefined) return;
    into.values.push(value);
    into.pieces.push(piece);
  });
}

/** Output item types that are tool invocations; they carry no steps but are named in `metadata.toolCalls`. */
const TOOL_ITEMS = new Set([
  'function_call',
  'custom_tool_call',
  'local_shell_call',
  'web_search_call',
  'file_search_call',
  'computer_call',
  'code_interpreter_call',
  'image_generation_call',
  'mcp_call',
]);

/**
 * Adds one Responses API output item: `reasoning` → reasoning steps from its raw `content` (`reasoning_text`,
 * open models) or else its `summary` (`summary_text`), counted as redacted when neither has text; an assistant
 * `message` → answer steps from its `output_text` parts; tool calls → named. Other items (tool outputs) are skipped.
 */
function addOutputItem(builder: ResponseStepBuilder, item: JsonObject, logprobs?: LogprobParts): void {
  const type = item['type'];
  if (type === 'reasoning') {
    const before = builder.stepCount;
    const content = item['content'];
    if (Array.isArray(content)) builder.addParts(content);
    const summary = item['summary'];
    if (builder.stepCount === before && Array.isArray(summary)) builder.addParts(summary);
    if (builder.stepCount === before) builder.addRedacted();
    return;
  }
  if (type === 'message' && (item['role'] === 'assistant' || item['role'] === undefined)) {
    const content = item['content'];
    builder.beginAnswer();
    const piecesBefore = builder.pieces.length;
    if (Array.isArray(content)) builder.addParts(content);
    else builder.addContentValue(item, 'content');
    if (logprobs !== undefined && Array.isArray(content)) collectLogprobs(builder, content, piecesBefore, logprobs);
    return;
  }
  if (typeof type === 'string' && TOOL_ITEMS.has(type)) builder.addToolCall(typeof item['name'] === 'string' ? item['name'] : type);
}

function isPreferenceRecord(v: JsonObject): boolean {
  return 'chosen' in v || 'rejected' in v;
}

/**
 * OpenAI Responses API objects (FORMATS.md §8d): `{object:"response", output:[{type:"reasoning", summary:[{text}],
 * content?:[{type:"reasoning_text", text}]}, {type:"message", content:[{type:"output_text", text}]},
 * {type:"function_call"}]}`. One trace per response, items in order; the prompt is empty (a response does not
 * carry its input). `output_text.logprobs` of the message parts become `Trace.logprobs` (reasoning items have none).
 */
export const openaiResponses: FormatSpec = {
  id: 'openai-responses',
  label: 'OpenAI Responses API response',
  detect(v) {
    if (!isObject(v) || !Array.isArray(v['output']) || isPreferenceRecord(v)) return 0;
    if (v['object'] === 'response') return 3;
    const items = v['output'].filter(isObject);
    return items.some((i) => i['type'] === 'reasoning' || (i['type'] === 'message' && Array.isArray(i['content']))) ? 2 : 0;
  },
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const v = entry.value;
    if (!isObject(v) || !Array.isArray(v['output'])) {
      return wrongShape('Responses API', 'an object with "output": a list of reasoning / message items');
    }
    const problems: RecordProblem[] = [];
    const builder = new ResponseStepBuilder(entry, ctx);
    const logprobs: LogprobParts = { values: [], pieces: [] };
    v['output'].forEach((item: unknown, i) => {
      if (isObject(item)) addOutputItem(builder, item, logprobs);
      else problems.push({ message: `Output item ${i + 1} is ${describe(item)}, expected an object with "type".` });
    });
    const metadata: Record<string, unknown> = {};
    if (typeof v['model'] === 'string') metadata['model'] = v['model'];
    if (typeof v['status'] === 'string') metadata['status'] = v['status'];
    const built = builder.build();
    // Each `output_text` part's log-probabilities cover that part's text; reasoning items carry none.
    const lp = readResponseLogprobs(logprobs.values, logprobs.pieces, built.steps);
    if (lp.warning !== undefined) {
      const first = firstTokenObject(logprobs.values.find((x) => firstTokenObject(x) !== undefined));
      const range = first && entry.locator.rangeOf(first, 'token');
      problems.push({ message: lp.warning, severity: 'warning', ...(range ? { range } : {}) });
    }
    const trace = responseTrace(recordId(entry, v), entry.range, undefined, built, { metadata });
    return { records: [lp.logprobs === undefined ? trace : { ...trace, logprobs: lp.logprobs }], problems };
  },
};

/** Codex's own context messages, sent with role "user" but not written by the user. */
const CODEX_CONTEXT = /^\s*<(?:environment_context|user_instructions)>/;

/** Codex rollout line types other than `response_item` (they carry session facts, not steps). */
const CODEX_OTHER_LINES = new Set(['session_meta', 'turn_context', 'event_msg', 'compacted']);

/** Reads a whole rollout (or one line of it) as one trace. */
function parseRollout(entries: readonly JsonEntry[], ctx: FormatContext): EntriesOutcome {
  const problems: (RecordProblem & { readonly entry: JsonEntry })[] = [];
  const first = entries[0];
  const lastEntry = entries[entries.length - 1];
  if (first === undefined || lastEntry === undefined) return { records: [], problems };
  const builder = new ResponseStepBuilder(first, ctx);
  const prompts: LocatedText[] = [];
  const metadata: Record<string, unknown> = {};
  let sessionId: string | undefined;
  let items = 0;
  for (const entry of entries) {
    const v = entry.value;
    if (!isObject(v) || typeof v['type'] !== 'string') {
      problems.push({ entry, message: `Not a Codex rollout line: expected {"type", "payload"}, got ${describe(v)}${isObject(v) ? ' without "type"' : ''}.` });
      continue;
    }
    const payload = v['payload'];
    if (v['type'] !== 'response_item') {
      if (!CODEX_OTHER_LINES.has(v['type'])) {
        problems.push({ entry, message: `Unknown Codex rollout line type "${v['type']}"; it is skipped.`, severity: 'warning' });
      } else if (isObject(payload) && v['type'] === 'session_meta' && typeof payload['id'] === 'string') {
        sessionId = payload['id'];
      } else if (isObject(payload) && v['type'] === 'turn_context' && typeof payload['model'] === 'string') {
        metadata['model'] = payload['model'];
      }
      continue;
    }
    if (!isObject(payload)) {
      problems.push({ entry, message: `"payload" is ${describe(payload)}, expected a response item object.` });
      continue;
    }
    items++;
    builder.forEntry(entry);
    if (payload['type'] === 'message' && payload['role'] === 'user') {
      const text = userText(builder, payload);
      if (text && !CODEX_CONTEXT.test(text.text)) prompts.push(text);
    } else {
      addOutputItem(builder, payload);
    }
  }
  if (items === 0) {
    problems.push({ entry: first, message: 'No "response_item" lines: this rollout holds no model output to read.', severity: 'warning' });
    return { records: [], problems };
  }
  const only = prompts.length === 1 ? prompts[0] : undefined;
  const prompt: LocatedText = only ?? { text: prompts.map((p) => p.text).join('\n\n') };
  if (prompts.length > 1) metadata['userTurns'] = prompts.length;
  const recordRange: SourceRange = { start: first.range.start, end: lastEntry.range.end };
  const id = sessionId ?? (isObject(first.value) ? recordId(first, first.value) : '#1');
  return { records: [responseTrace(id, recordRange, prompt, builder.build(), { metadata })], problems };
}

/** The text of a user message item: its single `input_text` part (located), or its parts joined. */
function userText(builder: ResponseStepBuilder, item: JsonObject): LocatedText | undefined {
  const content = item['content'];
  if (typeof content === 'string') return builder.located(item, 'content');
  if (!Array.isArray(content)) return undefined;
  const texts: LocatedText[] = [];
  for (const p of content) {
    const l = isObject(p) && typeof p['text'] === 'string' ? builder.located(p, 'text') : undefined;
    if (l) texts.push(l);
  }
  return texts.length === 1 ? texts[0] : texts.length === 0 ? undefined : { text: texts.map((t) => t.text).join('\n') };
}

/**
 * Codex CLI session rollouts (`~/.codex/sessions/**.jsonl`): lines `{"type":"response_item","payload":{…}}`
 * (plus `session_meta`, `turn_context`, `event_msg` lines) that together make one session. The whole file is
 * one trace: the user's messages (Codex's injected `<environment_context>` aside) are the prompt, and every
 * reasoning and assistant message item, in order, gives the steps; the last assistant message is the answer.
 */
export const codexRollout: FormatSpec = {
  id: 'codex-rollout',
  label: 'Codex CLI rollout',
  detect(v) {
    if (!isObject(v) || !isObject(v['payload'])) return 0;
    if (v['type'] === 'response_item') return 3;
    return CODEX_OTHER_LINES.has(String(v['type'])) ? 2 : 0;
  },
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const outcome = parseRollout([entry], ctx);
    return { records: outcome.records, problems: outcome.problems.map(({ message, range, severity }) => ({ message, ...(range ? { range } : {}), ...(severity ? { severity } : {}) })) };
  },
  parseEntries: parseRollout,
};
