import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { anthropicMessages } from '../../../../src/core/formats/anthropicMessages.js';
import { readFixture, readSample, samplesAvailable } from '../../helpers.js';
import { assertRanges, stepPairs, tracesOf } from './responseTestUtils.js';

describe('Anthropic Messages responses', () => {
  it('reads the shared shape sample: thinking → reasoning, text → answer, redacted counted', { skip: !samplesAvailable() }, () => {
    const text = readSample('anthropic_thinking_message_SHAPE.json') ?? '';
    const doc = parseDocument(text, 'anthropic_thinking_message_SHAPE.json');
    assert.equal(doc.format, 'anthropic-messages');
    assert.deepEqual(doc.problems, []);
    const [t] = tracesOf(doc.records);
    assert.equal(t?.id, 'msg_PLACEHOLDER');
    assert.equal(t?.prompt, '');
    assert.deepEqual(stepPairs(t), [
      ['reasoning', 'Let me analyze this step by step...'],
      ['answer', 'Based on my analysis...'],
    ]);
    assert.equal(t?.answer, 'Based on my analysis...');
    assert.equal(t?.metadata['redactedReasoning'], 1);
    assert.equal(t?.metadata['model'], 'claude-sonnet-4-5');
    assert.equal(t?.metadata['stopReason'], 'end_turn');
    assert.equal(assertRanges(text, doc.records), 2);
  });

  it('keeps block order when thinking interleaves with tool use', () => {
    const text = readFixture('responses/anthropic_interleaved.json');
    const doc = parseDocument(text, 'anthropic_interleaved.json');
    assert.equal(doc.format, 'anthropic-messages');
    const [t] = tracesOf(doc.records);
    assert.equal(t?.id, 'msg_01');
    assert.deepEqual(stepPairs(t), [
      ['reasoning', 'I should check the weather.'],
      ['reasoning', 'Call the tool first.'],
      ['reasoning', 'It is 18\u00b0C.'],
      ['answer', 'It is 18\u00b0C in Paris.'],
    ]);
    assert.deepEqual(
      t?.steps.map((s) => s.index),
      [0, 1, 2, 3],
    );
    assert.deepEqual(t?.metadata['toolCalls'], ['get_weather']);
    assert.equal(t?.metadata['redactedReasoning'], 1);
    assert.equal(assertRanges(text, doc.records), 4);
  });

  it('unwraps a Message Batches result line', () => {
    const line = JSON.stringify({
      custom_id: 'b1',
      result: { type: 'succeeded', message: { id: 'msg_b', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Hi.' }] } },
    });
    const doc = parseDocument(line, 'batch.jsonl');
    assert.equal(doc.format, 'anthropic-messages');
    const [t] = tracesOf(doc.records);
    assert.equal(t?.id, 'msg_b');
    assert.deepEqual(stepPairs(t), [['answer', 'Hi.']]);
    assert.equal(assertRanges(line, doc.records), 1);
  });

  it('counts a thinking block whose text was omitted as redacted', () => {
    const text = JSON.stringify({ id: 'm', type: 'message', role: 'assistant', content: [{ type: 'thinking', thinking: '', signature: 'c2ln' }, { type: 'text', text: 'Done.' }] });
    const [t] = tracesOf(parseDocument(text, 'm.json').records);
    assert.deepEqual(stepPairs(t), [['answer', 'Done.']]);
    assert.equal(t?.metadata['redactedReasoning'], 1);
  });

  it('detects only messages with typed content blocks', () => {
    assert.equal(anthropicMessages.detect({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'a' }] }), 3);
    assert.equal(anthropicMessages.detect({ type: 'message', role: 'assistant', content: 'a' }), 0);
    assert.equal(anthropicMessages.detect({ type: 'assistant', message: { content: [] } }), 0);
  });
});
