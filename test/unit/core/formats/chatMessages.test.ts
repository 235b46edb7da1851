import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { openaiChat, shareGpt } from '../../../../src/core/formats/chatMessages.js';
import { DEFAULT_PARSE_OPTIONS } from '../../../../src/core/formats/formatSpec.js';
import { readFixture, readSample, samplesAvailable } from '../../helpers.js';
import { assertRanges, stepPairs, tracesOf } from './responseTestUtils.js';

describe('OpenAI chat messages', () => {
  const text = readFixture('responses/chat_reasoning.jsonl');
  const doc = parseDocument(text, 'chat_reasoning.jsonl');
  const traces = tracesOf(doc.records);
  const byId = new Map(traces.map((t) => [t.id, t]));

  it('detects the format and reads one trace per conversation with an assistant turn', () => {
    assert.equal(doc.format, 'openai-chat');
    assert.deepEqual(
      traces.map((t) => t.id),
      ['ds-1', 'vllm-011', 'openrouter', 'r1-no-opener', 'multi-turn'],
    );
    assert.equal(doc.problems.length, 1);
    const p = doc.problems[0];
    assert.equal(p?.line, 6);
    assert.equal(p?.severity, 'warning');
    assert.match(p?.message ?? '', /No assistant turn/);
  });

  it('reads reasoning_content, the system prompt apart, and a boxed answer', () => {
    const t = byId.get('ds-1');
    assert.equal(t?.prompt, 'What is 6 \u00d7 7?');
    assert.ok(t?.promptRange);
    assert.equal(t?.metadata['system'], 'Reason step by step.');
    assert.deepEqual(stepPairs(t), [
      ['reasoning', 'We need 6 \u00d7 7.'],
      ['reasoning', '6 \u00d7 7 = 42, "forty-two".'],
      ['answer', 'The product is \\boxed{42}.'],
    ]);
    assert.deepEqual(
      t?.steps.map((s) => s.index),
      [0, 1, 2],
    );
    assert.equal(t?.answer, '42');
  });

  it('reads the vLLM >= 0.11 `reasoning` field', () => {
    const t = byId.get('vllm-011');
    assert.deepEqual(stepPairs(t), [
      ['reasoning', '11 is prime.'],
      ['reasoning', 'It is above 10.'],
      ['answer', '11'],
    ]);
    assert.equal(t?.answer, '11');
  });

  it('reads OpenRouter reasoning_details and content parts, counting encrypted reasoning', () => {
    const t = byId.get('openrouter');
    assert.equal(t?.prompt, 'Capital of France?');
    assert.ok(t?.promptRange);
    assert.deepEqual(stepPairs(t), [
      ['reasoning', 'Recall European capitals.'],
      ['reasoning', "France's capital is Paris."],
      ['answer', 'Paris.'],
    ]);
    assert.equal(t?.metadata['redactedReasoning'], 1);
  });

  it('reads a <think> block whose opener is missing', () => {
    const t = byId.get('r1-no-opener');
    assert.deepEqual(stepPairs(t), [
      ['reasoning', 'Add two and two.'],
      ['reasoning', 'That makes 4.'],
      ['answer', 'The answer is \\boxed{4}.'],
    ]);
    assert.equal(t?.answer, '4');
    assert.equal(t?.metadata['thinkOpenerMissing'], true);
  });

  it('flattens a multi-turn prompt and names tool calls (object arguments allowed)', () => {
    const t = byId.get('multi-turn');
    assert.equal(t?.prompt, 'user: Hi\n\nassistant: Hello!\n\nuser: List files.');
    assert.equal(t?.promptRange, undefined);
    assert.deepEqual(stepPairs(t), [['answer', 'Running ls.']]);
    assert.deepEqual(t?.metadata['toolCalls'], ['ls']);
  });

  it('locates every step and prompt exactly', () => {
    assert.equal(assertRanges(text, doc.records), 13);
  });

  it('honours the segmentation option', () => {
    const line = JSON.stringify({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', reasoning_content: 'a\nb', content: 'c' }] });
    const auto = tracesOf(parseDocument(line, 'x.jsonl').records)[0];
    assert.deepEqual(stepPairs(auto), [
      ['reasoning', 'a\nb'],
      ['answer', 'c'],
    ]);
    const byLines = parseDocument(line, 'x.jsonl', { ...DEFAULT_PARSE_OPTIONS, segmentation: 'lines' });
    assert.deepEqual(stepPairs(tracesOf(byLines.records)[0]), [
      ['reasoning', 'a'],
      ['reasoning', 'b'],
      ['answer', 'c'],
    ]);
    assert.equal(assertRanges(line, byLines.records), 3);
  });

  it('reports a non-object message and a content of the wrong type', () => {
    const line = JSON.stringify({ messages: [42, { role: 'user', content: 'q' }, { role: 'assistant', content: 7 }] });
    const d = parseDocument(line, 'x.jsonl', { ...DEFAULT_PARSE_OPTIONS, format: 'openai-chat' });
    assert.equal(d.records.length, 1);
    assert.deepEqual(
      d.problems.map((p) => p.message),
      ['"messages" item 1 is a number, expected a message object; it is skipped.', 'Assistant message 3: "content" is a number, expected a string or a list of content parts.'],
    );
  });

  it('leaves records with chosen/rejected keys to the preference formats', () => {
    const pref = { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }], chosen: 'a', rejected: 'b' };
    assert.equal(openaiChat.detect(pref), 0);
    assert.equal(openaiChat.detect({ messages: [{ role: 'user', content: 'q' }], choices: [] }), 0);
    assert.equal(openaiChat.detect({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] }), 2);
    assert.equal(openaiChat.detect({ messages: [{ role: 'assistant', content: 'x</think>a' }] }), 3);
  });

  it('reads the shared sample (real hh-rlhf transcript)', { skip: !samplesAvailable() }, () => {
    const sample = readSample('openai_chat_messages.jsonl') ?? '';
    const d = parseDocument(sample, 'openai_chat_messages.jsonl');
    assert.equal(d.format, 'openai-chat');
    assert.deepEqual(d.problems, []);
    const [t] = tracesOf(d.records);
    assert.equal(t?.id, '#1');
    assert.equal(t?.prompt, 'Is it possible to download a car?');
    assert.deepEqual(stepPairs(t), [['answer', 'I\u2019m not sure what you mean. Can you clarify?']]);
    assert.equal(t?.answer, 'I\u2019m not sure what you mean. Can you clarify?');
    assert.equal(assertRanges(sample, d.records), 1);
  });
});

describe('ShareGPT conversations', () => {
  const text = readFixture('responses/sharegpt_thought.jsonl');
  const doc = parseDocument(text, 'sharegpt_thought.jsonl');

  it('splits begin_of_thought reasoning from the solution in the last assistant turn', () => {
    assert.equal(doc.format, 'sharegpt');
    assert.deepEqual(doc.problems, []);
    const [t] = tracesOf(doc.records);
    assert.equal(t?.prompt, 'Return your final response within \\boxed{}. What is 3+5?');
    assert.ok(t?.promptRange);
    assert.equal(t?.metadata['system'], 'Your role as an assistant involves thoroughly exploring questions.');
    assert.deepEqual(stepPairs(t), [
      ['reasoning', 'Start with 3.'],
      ['reasoning', 'Add 5 to get 8.'],
      ['answer', '3 + 5 = \\boxed{8}'],
    ]);
    assert.equal(t?.answer, '8');
    assert.equal(assertRanges(text, doc.records), 3);
  });

  it('detects ShareGPT by from/value turns, more surely with thought delimiters', () => {
    assert.equal(shareGpt.detect({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }] }), 2);
    assert.equal(shareGpt.detect({ conversations: [{ from: 'gpt', value: '<|begin_of_thought|>x' }] }), 3);
    assert.equal(shareGpt.detect({ conversations: [{ from: 'gpt', value: 'a' }], chosen: {}, rejected: {} }), 0);
  });
});
