// A prompt read from a conversation keeps its turns (roles, system prompt, earlier turns) beside the
// flattened `prompt` text, so chat-template contracts render it as the model's reference code does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DatasetRecord, PromptMessage } from '../../../../src/core/dataset/types.js';
import { hhTurns } from '../../../../src/core/formats/hhRlhf.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { requestsOf } from '../../../../src/core/scoring/scoreRecords.js';
import { readSample } from '../../helpers.js';

function parse(text: string, file = 'x.jsonl'): DatasetRecord[] {
  const doc = parseDocument(text, file);
  assert.deepEqual(doc.problems, []);
  return [...doc.records];
}

const line = (v: unknown): string => `${JSON.stringify(v)}\n`;

describe('prompt messages', () => {
  it('HH-RLHF: the shared dialogue becomes alternating user/assistant turns', () => {
    const chosen = '\n\nHuman: Hi there\n\nAssistant: Hello!\n\nHuman: What is 2+2?\n\nAssistant: 4.';
    const rejected = '\n\nHuman: Hi there\n\nAssistant: Hello!\n\nHuman: What is 2+2?\n\nAssistant: 5.';
    const [r] = parse(line({ chosen, rejected }));
    assert.equal(r?.kind, 'preference');
    assert.deepEqual(r.promptMessages, [
      { role: 'user', content: 'Hi there' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'What is 2+2?' },
    ]);
    // Each request carries the turns and the response as written.
    const reqs = requestsOf(r);
    assert.deepEqual(
      reqs.map((q) => [q.messages?.length, q.response]),
      [
        [3, '4.'],
        [3, '5.'],
      ],
    );
  });

  it('hhTurns splits on the markers only, keeping text with blank lines inside a turn', () => {
    assert.deepEqual(hhTurns('\n\nHuman: a\n\nb\n\nAssistant: c'), [
      { role: 'user', content: 'a\n\nb' },
      { role: 'assistant', content: 'c' },
    ]);
    assert.deepEqual(hhTurns('no markers'), []);
  });

  it('HH-RLHF sample: the multi-turn record keeps every turn', () => {
    const text = readSample('hh_rlhf.jsonl');
    if (text === undefined) return;
    const records = parse(text, 'hh_rlhf.jsonl');
    for (const r of records) {
      assert.ok(r.promptMessages && r.promptMessages.length > 0, r.id);
      assert.equal(r.promptMessages[r.promptMessages.length - 1]?.role, 'user');
      r.promptMessages.forEach((m, i) => assert.equal(m.role, i % 2 === 0 ? 'user' : 'assistant'));
    }
    assert.ok(records.some((r) => (r.promptMessages?.length ?? 0) >= 3), 'the sample has a multi-turn record');
  });

  it('TRL conversational preference: the prompt list is kept as is', () => {
    const text = readSample('trl_preference_conversational.jsonl');
    if (text === undefined) return;
    const records = parse(text, 'trl_preference_conversational.jsonl');
    const raw = text
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map((l) => (JSON.parse(l) as { prompt: PromptMessage[] }).prompt);
    assert.deepEqual(
      records.map((r) => r.promptMessages),
      raw.map((p) => p.map((m) => ({ role: m.role, content: m.content }))),
    );
  });

  it('chat messages: system prompt first, developer read as system, ShareGPT roles and its top-level system', () => {
    const [chat] = parse(
      line({
        messages: [
          { role: 'developer', content: 'Be exact.' },
          { role: 'user', content: 'Q1' },
          { role: 'assistant', content: 'A1' },
          { role: 'user', content: [{ type: 'text', text: 'Q2' }] },
          { role: 'assistant', content: 'Final.' },
        ],
      }),
    );
    assert.deepEqual(chat?.promptMessages, [
      { role: 'system', content: 'Be exact.' },
      { role: 'user', content: 'Q1' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'Q2' },
    ]);
    const [share] = parse(
      line({
        system: 'You are helpful.',
        conversations: [
          { from: 'human', value: 'Solve it.' },
          { from: 'gpt', value: 'Done.' },
        ],
      }),
    );
    assert.deepEqual(share?.promptMessages, [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Solve it.' },
    ]);
  });

  it('a plain-text prompt has no turns, and its requests carry none', () => {
    const [r] = parse(line({ prompt: 'What is 1+1?', completions: ['1+1 = 2.'], labels: [true] }));
    assert.equal(r?.kind, 'trace');
    assert.equal(r.promptMessages, undefined);
    assert.equal(requestsOf(r)[0]?.messages, undefined);
  });
});
