import type { JsonEntry } from '../json/readJsonDocument.js';
import type { DatasetRecord } from '../dataset/types.js';
import { describe, isObject, locatedString, recordId, wrongShape, type JsonObject, type LocatedText } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';
import { promptFromMessages, responseTrace, ResponseStepBuilder } from './chatMessages.js';
import { firstTokenObject, readResponseLogprobs } from '../confidence/tokenLogprobs.js';

/** The completion object of a record and the request that produced it, when the record carries one. */
interface Unwrapped {
  readonly completion: JsonObject;
  /** Where the prompt may be found (`messages` or `prompt`). */
  readonly request: JsonObject | undefined;
}

/**
 * Finds the completion: the record itself (`{choices}`), `{request?, response:{choices}}`, or an OpenAI Batch
 * output line `{custom_id, response:{body:{choices}}}`.
 */
function unwrap(v: JsonObject): Unwrapped | undefined {
  const request = isObject(v['request']) ? v['request'] : undefined;
  if (Array.isArray(v['choices'])) return { completion: v, request: request ?? v };
  const response = v['response'];
  if (!isObject(response)) return undefined;
  if (Array.isArray(response['choices'])) return { completion: response, request };
  const body = response['body'];
  if (isObject(body) && Array.isArray(body['choices'])) return { completion: body, request };
  return undefined;
}

const COMPLETION_OBJECTS = new Set(['chat.completion', 'text_completion']);

function promptOf(entry: JsonEntry, request: JsonObject | undefined): LocatedText | undefined {
  if (request === undefined) return undefined;
  const messages = request['messages'];
  if (Array.isArray(messages)) return promptFromMessages(entry, messages).prompt;
  return locatedString(entry, request, 'prompt');
}

/**
 * OpenAI-compatible completion responses (FORMATS.md §8a/§8b): `{object:"chat.completion", choices:[{message:
 * {content, reasoning_content | reasoning | reasoning_details}}]}` from DeepSeek, vLLM, SGLang or OpenRouter, and
 * legacy `text_completion` `{choices:[{text}]}`. One trace per choice; reasoning comes from the reasoning field or a
 * `<think>` block in the content (an R1 completion that starts inside the block is handled). The prompt is empty
 * unless the record carries its request (`request.messages`, `messages` or `prompt`). A JSONL of such objects reads
 * line by line. A choice's `logprobs` (`{content: [{token, logprob, top_logprobs}]}`, or the legacy completions shape)
 * become `Trace.logprobs` when they spell the content, or the reasoning then the content (see `readResponseLogprobs`).
 */
export const chatCompletion: FormatSpec = {
  id: 'openai-chat-completion',
  label: 'OpenAI chat completion response',
  detect(v) {
    if (!isObject(v) || 'chosen' in v || 'rejected' in v) return 0;
    const u = unwrap(v);
    if (u === undefined) return 0;
    if (COMPLETION_OBJECTS.has(String(u.completion['object']))) return 3;
    const choices = u.completion['choices'] as unknown[];
    return choices.some((c) => isObject(c) && (isObject(c['message']) || typeof c['text'] === 'string')) ? 2 : 0;
  },
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const v = entry.value;
    const u = isObject(v) ? unwrap(v) : undefined;
    if (!isObject(v) || u === undefined) {
      return wrongShape('chat completion', 'an object with "choices": a list of {message:{content}} or {text} objects');
    }
    const { completion, request } = u;
    const problems: RecordProblem[] = [];
    const records: DatasetRecord[] = [];
    const choices = completion['choices'] as unknown[];
    const base = typeof completion['id'] === 'string' ? completion['id'] : recordId(entry, v, 'custom_id');
    const prompt = promptOf(entry, request);
    const usage = completion['usage'];
    const details = isObject(usage) ? usage['completion_tokens_details'] : undefined;
    const reasoningTokens = isObject(details) ? details['reasoning_tokens'] : undefined;
    if (choices.length === 0) problems.push({ message: '"choices" is empty: the response has no output to read.', severity: 'warning' });
    choices.forEach((choice, i) => {
      if (!isObject(choice)) {
        problems.push({ message: `Choice ${i + 1} is ${describe(choice)}, expected an object with "message".` });
        return;
      }
      const builder = new ResponseStepBuilder(entry, ctx);
      const message = choice['message'];
      if (isObject(message)) {
        for (const p of builder.addChatMessage(message)) problems.push({ message: `Choice ${i + 1}: ${p}` });
      } else if (typeof choice['text'] === 'string') {
        const l = builder.located(choice, 'text');
        if (l) builder.addContent(l);
      } else {
        const what = isObject(choice['delta']) ? ' (this is a streaming chunk; join the deltas into one message first)' : '';
        problems.push({ message: `Choice ${i + 1} has no "message" object or "text" string${what}.` });
        return;
      }
      const index = typeof choice['index'] === 'number' ? choice['index'] : i;
      const metadata: Record<string, unknown> = {};
      if (typeof completion['model'] === 'string') metadata['model'] = completion['model'];
      if (typeof choice['finish_reason'] === 'string') metadata['finishReason'] = choice['finish_reason'];
      if (typeof reasoningTokens === 'number') metadata['reasoningTokens'] = reasoningTokens;
      if (typeof v['custom_id'] === 'string') metadata['customId'] = v['custom_id'];
      const id = choices.length > 1 ? `${base}:${index}` : base;
      const built = builder.build();
      // vLLM / OpenAI `logprobs` cover the generated text: the content alone, or reasoning then content.
      const lp = readResponseLogprobs([choice['logprobs']], builder.pieces, built.steps);
      if (lp.warning !== undefined) {
        const first = firstTokenObject(choice['logprobs']);
        const range = first && entry.locator.rangeOf(first, 'token');
        problems.push({ message: `Choice ${i + 1}: ${lp.warning}`, severity: 'warning', ...(range ? { range } : {}) });
      }
      const trace = responseTrace(id, entry.range, prompt, built, { metadata });
      records.push(lp.logprobs === undefined ? trace : { ...trace, logprobs: lp.logprobs });
    });
    return { records, problems };
  },
};
