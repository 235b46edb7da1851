import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { codexRollout, openaiResponses } from '../../../../src/core/formats/openaiResponses.js';
import { readFixture, readSample, samplesAvailable } from '../../helpers.js';
import { assertRanges, stepPairs, tracesOf } from './responseTestUtils.js';

describe('OpenAI Responses API', () => {
  it('reads the shared shape sample: an empty summary counts as redacted reasoning', { skip: !samplesAvailable() }, () => {
    const text = readSample('openai_responses_reasoning_SHAPE.json') ?? '';
    const doc = parseDocument(text, 'openai_responses_reasoning_SHAPE.json');
    assert.equal(doc.format, 'openai-responses');
    assert.deepEqual(doc.problems, []);
    const [t] = tracesOf(doc.records);
    assert.equal(t?.id, 'resp_m3_generation_001');
    assert.equal(t?.prompt, '');
    assert.deepEqual(stepPairs(t), [['answer', '\u2026final answer text\u2026']]);
    assert.equal(t?.answer, '\u2026final answer text\u2026');
    assert.equal(t?.metadata['redactedReasoning'], 1);
    assert.equal(t?.metadata['status'], 'completed');
    assert.equal(assertRanges(text, doc.records), 1);
  });

  it('prefers raw reasoning_text over the summary, names function calls', () => {
    const text = readFixture('responses/responses_gpt_oss.json');
    const doc = parseDocument(text, 'responses_gpt_oss.json');
    assert.equal(doc.format, 'openai-responses');
    const [t] = tracesOf(doc.records);
    assert.equal(t?.id, 'resp_9');
    assert.deepEqual(stepPairs(t), [
      ['reasoning', 'The user wants a haiku.'],
      ['reasoning', 'Count syllables: 5, 7, 5.'],
      ['reasoning', 'Check the last line.'],
      ['answer', 'Autumn moonlight\u2014'],
      ['answer', 'a worm digs silently'],
      ['answer', 'into the chestnut.'],
    ]);
    // A three-line haiku states no final answer: it is not taken whole (only one-line answers are).
    assert.equal(t?.answer, undefined);
    assert.deepEqual(t?.metadata['toolCalls'], ['count_syllables']);
    assert.equal(t?.metadata['redactedReasoning'], undefined);
    assert.equal(t?.metadata['model'], 'gpt-oss-20b');
    assert.equal(assertRanges(text, doc.records), 6);
  });

  it('detects responses by object type or reasoning/message items', () => {
    assert.equal(openaiResponses.detect({ object: 'response', output: [] }), 3);
    assert.equal(openaiResponses.detect({ output: [{ type: 'reasoning', summary: [] }] }), 2);
    assert.equal(openaiResponses.detect({ output: 'text' }), 0);
  });
});

describe('Codex CLI rollouts', () => {
  it('reads the shared shape sample as one trace', { skip: !samplesAvailable() }, () => {
    const text = readSample('codex_rollout_SHAPE.jsonl') ?? '';
    const doc = parseDocument(text, 'codex_rollout_SHAPE.jsonl');
    assert.equal(doc.format, 'codex-rollout');
    assert.deepEqual(doc.problems, []);
    assert.equal(doc.records.length, 1);
    const [t] = tracesOf(doc.records);
    assert.equal(t?.prompt, '');
    assert.deepEqual(stepPairs(t), [
      ['reasoning', '**Plan**'],
      ['answer', 'done'],
    ]);
    assert.deepEqual(t?.metadata['toolCalls'], ['shell']);
    assert.equal(t?.answer, 'done');
    assert.equal(assertRanges(text, doc.records), 2);
  });

  it('joins a session: user prompt without the injected context, steps in order, last message as answer', () => {
    const text = readFixture('responses/codex_session.jsonl');
    const doc = parseDocument(text, 'codex_session.jsonl');
    assert.equal(doc.format, 'codex-rollout');
    assert.deepEqual(doc.problems, []);
    const [t] = tracesOf(doc.records);
    assert.equal(doc.records.length, 1);
    assert.equal(t?.id, 'sess-42');
    assert.equal(t?.prompt, 'Fix the failing test.');
    assert.ok(t?.promptRange);
    assert.deepEqual(stepPairs(t), [
      ['reasoning', '**Inspecting tests**'],
      ['answer', 'Looking at the test.'],
      ['answer', 'Fixed: the expected value was off by one.'],
    ]);
    assert.equal(t?.answer, 'Fixed: the expected value was off by one.');
    assert.equal(t?.metadata['model'], 'gpt-5-codex');
    assert.deepEqual(t?.metadata['toolCalls'], ['shell']);
    assert.equal(t?.metadata['redactedReasoning'], 1);
    assert.deepEqual(t?.recordRange, { start: 0, end: text.trimEnd().length });
    assert.equal(assertRanges(text, doc.records), 3);
  });

  it('reports malformed lines and keeps reading', () => {
    const text = [
      JSON.stringify({ type: 'response_item', payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] } }),
      JSON.stringify({ type: 'response_item', payload: 'x' }),
      JSON.stringify({ type: 'mystery', payload: {} }),
      JSON.stringify([1]),
    ].join('\n');
    const doc = parseDocument(text, 'rollout.jsonl');
    assert.equal(doc.format, 'codex-rollout');
    assert.deepEqual(stepPairs(tracesOf(doc.records)[0]), [['answer', 'ok']]);
    assert.deepEqual(
      doc.problems.map((p) => [p.line, p.severity, p.message]),
      [
        [2, 'error', '"payload" is a string, expected a response item object.'],
        [3, 'warning', 'Unknown Codex rollout line type "mystery"; it is skipped.'],
        [4, 'error', 'Not a Codex rollout line: expected {"type", "payload"}, got an array.'],
      ],
    );
  });

  it('detects response_item lines surely and other session lines weakly', () => {
    assert.equal(codexRollout.detect({ type: 'response_item', payload: {} }), 3);
    assert.equal(codexRollout.detect({ type: 'session_meta', payload: {} }), 2);
    assert.equal(codexRollout.detect({ type: 'message', content: [] }), 0);
  });
});
