import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { chatCompletion } from '../../../../src/core/formats/chatCompletion.js';
import { DEFAULT_PARSE_OPTIONS } from '../../../../src/core/formats/formatSpec.js';
import { readFixture, readSample, samplesAvailable } from '../../helpers.js';
import { assertRanges, stepPairs, tracesOf } from './responseTestUtils.js';

const squash = (s: string): string => s.replace(/\s+/g, '');

describe('OpenAI chat completion responses', () => {
  it('reads the shared vLLM R1 response: <think> reasoning first, then the answer', { skip: !samplesAvailable() }, () => {
    const text = readSample('r1_trace_openai_chat_vllm.json') ?? '';
    const doc = parseDocument(text, 'r1_trace_openai_chat_vllm.json');
    assert.equal(doc.format, 'openai-chat-completion');
    assert.deepEqual(doc.problems, []);
    const [t] = tracesOf(doc.records);
    assert.equal(doc.records.length, 1);
    assert.equal(t?.id, 'chatcmpl-d532bd1c1738493ab9c8c906550044bf');
    assert.equal(t?.prompt, '');
    assert.equal(t?.metadata['model'], 'deepseek-ai/DeepSeek-R1-Distill-Llama-70B');
    assert.equal(t?.metadata['finishReason'], 'stop');
    // Expected texts come from the sample itself, cut at the tags by hand.
    const content = (JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
    const reasoning = content.slice('<think>'.length, content.indexOf('</think>'));
    const visible = content.slice(content.indexOf('</think>') + '</think>'.length);
    const steps = t?.steps ?? [];
    const firstAnswer = steps.findIndex((s) => s.part === 'answer');
    assert.ok(firstAnswer > 0);
    assert.ok(steps.slice(firstAnswer).every((s) => s.part === 'answer'));
    assert.equal(squash(steps.slice(0, firstAnswer).map((s) => s.text).join('')), squash(reasoning));
    assert.equal(squash(steps.slice(firstAnswer).map((s) => s.text).join('')), squash(visible));
    assert.ok(steps[0]?.text.startsWith("Okay, so I need to figure out how many times the letter 'R' appears"));
    assert.ok(steps.at(-1)?.text.endsWith('Answer: There are 3 Rs in "strawberry."'));
    // The visible answer ends 'Answer: There are 3 Rs in "strawberry."'; the reasoning's "the answer should be three" loses.
    assert.equal(t?.answer, 'There are 3 Rs in "strawberry."');
    assert.equal(assertRanges(text, doc.records), steps.length);
  });

  const text = readFixture('responses/completions.jsonl');
  const doc = parseDocument(text, 'completions.jsonl');
  const traces = tracesOf(doc.records);

  it('reads one trace per choice, text completions and Batch output lines', () => {
    assert.equal(doc.format, 'openai-chat-completion');
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(
      traces.map((t) => t.id),
      ['cmpl-2:0', 'cmpl-2:1', 'txt-1', 'chatcmpl-7'],
    );
  });

  it('splits a <think> block and takes the boxed answer', () => {
    const t = traces[0];
    assert.deepEqual(stepPairs(t), [
      ['reasoning', 'Try 9.'],
      ['reasoning', '9 works.'],
      ['answer', '\\boxed{9}'],
    ]);
    assert.equal(t?.answer, '9');
    assert.equal(t?.metadata['reasoningTokens'], 30);
    assert.equal(t?.metadata['model'], 'qwq');
  });

  it('reads a length-truncated choice as reasoning only', () => {
    const t = traces[1];
    assert.deepEqual(stepPairs(t), [
      ['reasoning', 'Start.'],
      ['reasoning', 'Still thinking'],
    ]);
    assert.equal(t?.answer, undefined);
    assert.equal(t?.metadata['reasoningTruncated'], true);
    assert.equal(t?.metadata['finishReason'], 'length');
  });

  it('reads a text completion that starts inside the think block', () => {
    const t = traces[2];
    assert.deepEqual(stepPairs(t), [
      ['reasoning', 'Half of 10 is 5.'],
      ['answer', '5'],
    ]);
    assert.equal(t?.metadata['thinkOpenerMissing'], true);
  });

  it('takes the prompt from a request and reasoning_content from the message', () => {
    const t = traces[3];
    assert.equal(t?.prompt, 'Why is the sky blue?');
    assert.ok(t?.promptRange);
    assert.deepEqual(stepPairs(t), [
      ['reasoning', 'Blue light scatters more.'],
      ['answer', 'Rayleigh scattering.'],
    ]);
    assert.equal(t?.metadata['customId'], 'req-7');
    assert.equal(t?.metadata['model'], 'deepseek-reasoner');
  });

  it('locates every step and prompt exactly', () => {
    assert.equal(assertRanges(text, doc.records), 9);
  });

  it('reports streaming chunks and non-object choices without throwing', () => {
    const line = JSON.stringify({ id: 'c', object: 'chat.completion', choices: [{ index: 0, delta: { content: 'x' } }, 'oops'] });
    const d = parseDocument(line, 'x.json', { ...DEFAULT_PARSE_OPTIONS, format: 'openai-chat-completion' });
    assert.equal(d.records.length, 0);
    assert.deepEqual(
      d.problems.map((p) => p.message),
      [
        'Choice 1 has no "message" object or "text" string (this is a streaming chunk; join the deltas into one message first).',
        'Choice 2 is a string, expected an object with "message".',
      ],
    );
  });

  it('detects completions by object type or choices, never preference records', () => {
    assert.equal(chatCompletion.detect({ object: 'chat.completion', choices: [] }), 3);
    assert.equal(chatCompletion.detect({ choices: [{ message: { content: 'a' } }] }), 2);
    assert.equal(chatCompletion.detect({ choices: [{ message: { content: 'a' } }], chosen: 'a', rejected: 'b' }), 0);
    assert.equal(chatCompletion.detect({ messages: [] }), 0);
  });
});
