import type { JsonEntry } from '../json/readJsonDocument.js';
import { isObject, recordId, wrongShape, type JsonObject } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome } from './formatSpec.js';
import { responseTrace, ResponseStepBuilder } from './chatMessages.js';

/** The message of a record: the record itself, or a Message Batches result `{custom_id, result:{message}}`. */
function messageOf(v: unknown): JsonObject | undefined {
  if (!isObject(v)) return undefined;
  if (v['type'] === 'message' && Array.isArray(v['content'])) return v;
  const result = v['result'];
  const message = isObject(result) ? result['message'] : undefined;
  return isObject(message) && message['type'] === 'message' && Array.isArray(message['content']) ? message : undefined;
}

/**
 * Anthropic Messages API responses with extended thinking (FORMATS.md §8c): `{type:"message", role:"assistant",
 * content:[{type:"thinking", thinking, signature}, {type:"redacted_thinking", data}, {type:"text", text},
 * {type:"tool_use", name, input}]}`. Thinking blocks become reasoning steps and text blocks answer steps, in block
 * order (thinking can interleave with tool use); redacted blocks are counted in `metadata.redactedReasoning`.
 * The response carries no prompt, so the prompt is empty.
 */
export const anthropicMessages: FormatSpec = {
  id: 'anthropic-messages',
  label: 'Anthropic Messages response',
  detect(v) {
    const m = messageOf(v);
    if (m === undefined) return 0;
    const blocks = (m['content'] as unknown[]).filter(isObject);
    const typed = blocks.some((b) => ['thinking', 'redacted_thinking', 'text', 'tool_use'].includes(String(b['type'])));
    return typed && (m['role'] === 'assistant' || m['role'] === undefined) ? 3 : 0;
  },
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const v = entry.value;
    const m = messageOf(v);
    if (!isObject(v) || m === undefined) {
      return wrongShape('Anthropic message', 'an object with type "message" and "content": a list of thinking/text blocks');
    }
    const builder = new ResponseStepBuilder(entry, ctx);
    builder.addParts(m['content'] as unknown[]);
    const metadata: Record<string, unknown> = {};
    if (typeof m['model'] === 'string') metadata['model'] = m['model'];
    if (typeof m['stop_reason'] === 'string') metadata['stopReason'] = m['stop_reason'];
    const id = typeof m['id'] === 'string' ? m['id'] : recordId(entry, v, 'custom_id');
    return { records: [responseTrace(id, entry.range, undefined, builder.build(), { metadata })], problems: [] };
  },
};
