import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { readFixture, readSample, samplesAvailable } from '../../helpers.js';
import { assertRanges, preferenceSets } from './preferenceChecks.js';

describe('RewardBench', () => {
  it('reads the documented shape', { skip: !samplesAvailable() }, () => {
    const text = readSample('rewardbench_SHAPE_ONLY.jsonl') ?? '';
    const doc = parseDocument(text, 'rewardbench_SHAPE_ONLY.jsonl');
    assert.equal(doc.format, 'rewardbench');
    assert.deepEqual(doc.problems, []);
    const [set, ...rest] = preferenceSets(doc.records);
    assert.equal(rest.length, 0);
    assert.equal(set?.id, '0');
    assert.equal(set?.subset, 'alpacaeval-easy');
    assert.equal(set?.comparison, 'pair');
    assert.deepEqual(set?.responses.map((r) => [r.text, r.chosen, r.model]), [
      ['<str>', true, '<str>'],
      ['<str>', false, '<str>'],
    ]);
    if (set) assertRanges(text, set, { promptLocated: true });
  });

  it('reads message-list prompts and models; reports wrong types', () => {
    const text = readFixture('preferences/rewardbench_edge.jsonl');
    const doc = parseDocument(text, 'rewardbench_edge.jsonl');
    assert.equal(doc.format, 'rewardbench');
    const sets = preferenceSets(doc.records);
    assert.deepEqual(sets.map((s) => s.id), ['17', '3', '5']);
    const [chat, haiku, numericPrompt] = sets;
    assert.equal(chat?.prompt, 'user: Hi\n\nassistant: Hello\n\nuser: What is 3*3?');
    assert.equal(chat?.subset, 'anthropic_helpful');
    assert.deepEqual(chat?.responses.map((r) => [r.text, r.chosen, r.model]), [
      ['3*3 = 9.', true, 'gpt-4'],
      ['3*3 = 6.', false, 'llama-2'],
    ]);
    assert.equal(haiku?.prompt, 'Write a haiku about "rain".');
    assert.deepEqual(haiku?.responses[0]?.steps.map((s) => s.text), ['Soft rain on the roof', 'whispers to the sleeping town', 'morning comes slowly']);
    assert.equal(numericPrompt?.prompt, '');
    if (chat) assertRanges(text, chat, { promptLocated: false });
    if (haiku) assertRanges(text, haiku, { promptLocated: true });
    if (numericPrompt) assertRanges(text, numericPrompt, { promptLocated: false });

    assert.deepEqual(doc.problems.map((p) => [p.line, p.severity]), [
      [3, 'error'],
      [4, 'error'],
    ]);
    const lines = text.split('\n');
    assert.equal(doc.problems[0]?.column, (lines[2] ?? '').indexOf('["x"]') + 1);
    assert.equal(doc.problems[0]?.length, '["x"]'.length);
    assert.match(doc.problems[0]?.message ?? '', /"chosen" is an array, expected a string/);
    assert.equal(doc.problems[1]?.column, (lines[3] ?? '').indexOf('42') + 1);
    assert.match(doc.problems[1]?.message ?? '', /"prompt" is a number/);
  });
});

describe('RewardBench 2', () => {
  it('reads the documented shape as best-of-4', { skip: !samplesAvailable() }, () => {
    const text = readSample('rewardbench2_SHAPE_ONLY.jsonl') ?? '';
    const doc = parseDocument(text, 'rewardbench2_SHAPE_ONLY.jsonl');
    assert.equal(doc.format, 'rewardbench2');
    assert.deepEqual(doc.problems, []);
    const [set, ...rest] = preferenceSets(doc.records);
    assert.equal(rest.length, 0);
    assert.equal(set?.id, '<str>');
    assert.equal(set?.subset, 'Factuality');
    assert.equal(set?.comparison, 'best-of-n');
    assert.deepEqual(set?.responses.map((r) => r.chosen), [true, false, false, false]);
    assert.deepEqual(set?.responses.map((r) => r.model), ['<str>', '<str>', '<str>', '<str>']);
    assert.equal(set?.metadata['num_correct'], 1);
    assert.equal(set?.metadata['total_completions'], 4);
    if (set) assertRanges(text, set, { promptLocated: true });
  });

  it('marks the first num_correct of chosen + rejected as correct (Ties) and warns on inconsistencies', () => {
    const text = readFixture('preferences/rewardbench2_edge.jsonl');
    const doc = parseDocument(text, 'rewardbench2_edge.jsonl');
    assert.equal(doc.format, 'rewardbench2');
    const [ties, mismatch, noCount, ...rest] = preferenceSets(doc.records);
    assert.equal(rest.length, 0);
    assert.deepEqual(ties?.responses.map((r) => [r.text, r.chosen, r.model]), [
      ['Red.', true, 'm1'],
      ['Blue.', true, 'm2'],
      ['Yellow.', true, 'm3'],
      ['Green.', false, 'm4'],
      ['Purple.', false, 'm5'],
    ]);
    assert.equal(ties?.subset, 'Ties');
    // num_correct 2 with one chosen: the benchmark's rule (first num_correct positions) still applies.
    assert.deepEqual(mismatch?.responses.map((r) => [r.text, r.chosen, r.model]), [
      ['4', true, undefined],
      ['5', true, undefined],
      ['3', false, undefined],
      ['22', false, undefined],
    ]);
    assert.deepEqual(noCount?.responses.map((r) => [r.text, r.chosen]), [
      ['a', true],
      ['b', false],
    ]);
    for (const s of [ties, mismatch, noCount]) if (s) assertRanges(text, s, { promptLocated: true });
    assert.deepEqual(doc.problems.map((p) => [p.line, p.severity]), [
      [2, 'warning'],
      [3, 'warning'],
      [3, 'error'],
    ]);
    assert.match(doc.problems[0]?.message ?? '', /"num_correct" is 2 but "chosen" has 1/);
    assert.match(doc.problems[1]?.message ?? '', /"num_correct" is missing/);
    const line3 = text.split('\n')[2] ?? '';
    assert.equal(doc.problems[2]?.column, line3.indexOf('7]') + 1);
    assert.match(doc.problems[2]?.message ?? '', /"rejected" item 2 is a number/);
  });
});
