import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { readJsonDocument } from '../../../../src/core/json/readJsonDocument.js';
import { DEFAULT_PARSE_OPTIONS } from '../../../../src/core/formats/formatSpec.js';
import { isObject } from '../../../../src/core/formats/fields.js';
import { checkRecord, messageContent, responseSteps, splitConversation, valueRange } from '../../../../src/core/formats/preferenceSteps.js';
import { decodeAt } from '../../helpers.js';

/** The first entry of a one-record JSON text, with its context. */
function entryOf(text: string) {
  const entry = readJsonDocument(text).entries[0];
  assert.ok(entry);
  return { entry, ctx: { text, options: DEFAULT_PARSE_OPTIONS } };
}

describe('preference helpers', () => {
  it('splits an R1-style response without an opening <think> into reasoning then answer', () => {
    const text = JSON.stringify({ r: 'First idea.\n\nSecond idea.\n</think>\n\nFinal: 42' });
    const { entry, ctx } = entryOf(text);
    const value = entry.value as Record<string, string>;
    const located = { text: value['r'] ?? '', range: entry.locator.rangeOf(value, 'r') ?? { start: 0, end: 0 } };
    const steps = responseSteps(ctx, located);
    assert.deepEqual(steps.map((s) => [s.index, s.text, s.part]), [
      [0, 'First idea.', 'reasoning'],
      [1, 'Second idea.', 'reasoning'],
      [2, 'Final: 42', 'answer'],
    ]);
    for (const s of steps) assert.equal(decodeAt(text, s.range ?? { start: 0, end: 0 }), s.text);
  });

  it('keeps text before <think> as answer steps, in order', () => {
    const text = JSON.stringify({ r: 'Note.\n<think>why</think>Done.' });
    const { entry, ctx } = entryOf(text);
    const value = entry.value as Record<string, string>;
    const located = { text: value['r'] ?? '', range: entry.locator.rangeOf(value, 'r') ?? { start: 0, end: 0 } };
    assert.deepEqual(responseSteps(ctx, located).map((s) => [s.text, s.part]), [
      ['Note.', 'answer'],
      ['why', 'reasoning'],
      ['Done.', 'answer'],
    ]);
  });

  it('locates a single text part of a content list, and only then', () => {
    const text = JSON.stringify({ one: { content: [{ type: 'text', text: 'Hi "you"' }] }, two: { content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] } });
    const { entry } = entryOf(text);
    const v = entry.value as Record<string, unknown>;
    const one = v['one'];
    const two = v['two'];
    assert.ok(isObject(one) && isObject(two));
    const located = messageContent(entry, one);
    assert.equal(located.text, 'Hi "you"');
    assert.equal(decodeAt(text, located.range ?? { start: 0, end: 0 }), 'Hi "you"');
    assert.deepEqual(messageContent(entry, two), { text: 'a\nb' });
  });

  it('splits identical conversations before their last message', () => {
    const msgs = [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ];
    const text = JSON.stringify({ chosen: msgs, rejected: msgs });
    const { entry } = entryOf(text);
    const v = entry.value as Record<string, unknown[]>;
    const split = splitConversation(entry, v['chosen'] ?? [], v['rejected'] ?? []);
    assert.equal(split.promptMessages, 1);
    assert.equal(split.prompt.text, 'q');
    assert.equal(split.chosen?.text, 'a');
    assert.equal(split.rejected?.text, 'a');
    assert.ok(split.chosen?.range && split.rejected?.range && split.chosen.range.start < split.rejected.range.start);
  });

  it('finds the span of any value and names missing keys', () => {
    const text = '\n{"a": {"b": [1, true]}}';
    const { entry, ctx } = entryOf(text);
    const range = valueRange(ctx, entry, ['a', 'b', 1]);
    assert.equal(text.slice(range?.start, range?.end), 'true');
    assert.equal(valueRange(ctx, entry, ['zzz']), undefined);
    const missing = checkRecord('X', 'an object with "a" and "c"', entry.value, ['a', 'c']);
    assert.equal(missing.ok, false);
    if (!missing.ok) assert.match(missing.outcome.problems[0]?.message ?? '', /missing "c"/);
    const notObject = checkRecord('X', 'an object', [1], ['a']);
    if (!notObject.ok) assert.match(notObject.outcome.problems[0]?.message ?? '', /found an array/);
    else assert.fail('an array passed the check');
  });
});
