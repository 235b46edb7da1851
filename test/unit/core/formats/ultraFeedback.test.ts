import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { readFixture, readSample, samplesAvailable } from '../../helpers.js';
import { assertRanges, preferenceSets } from './preferenceChecks.js';

describe('UltraFeedback binarized', () => {
  it('reads the documented shape with ratings from the scores', { skip: !samplesAvailable() }, () => {
    const text = readSample('ultrafeedback_binarized_SHAPE_ONLY.jsonl') ?? '';
    const doc = parseDocument(text, 'ultrafeedback_binarized_SHAPE_ONLY.jsonl');
    assert.equal(doc.format, 'ultrafeedback');
    assert.deepEqual(doc.problems, []);
    const [set, ...rest] = preferenceSets(doc.records);
    assert.equal(rest.length, 0);
    assert.equal(set?.id, '<sha256 hex>');
    assert.equal(set?.prompt, '<str>');
    assert.deepEqual(set?.responses.map((r) => [r.text, r.chosen, r.rating]), [
      ['<str>', true, 8],
      ['<str>', false, 3],
    ]);
    // The response is the assistant message, not the user turn that chosen/rejected also hold.
    const end = set?.responses[0]?.range?.end ?? 0;
    assert.equal(text.slice(end, end + 23), '", "role": "assistant"}');
    // …and it is the one inside "chosen" (resp. "rejected"), not the copy in "messages".
    const rejectedStart = set?.responses[1]?.range?.start ?? 0;
    assert.ok(end < text.indexOf('"rejected"') && rejectedStart > text.indexOf('"rejected"') && rejectedStart < text.indexOf('"messages"'));
    if (set) assertRanges(text, set, { promptLocated: true });
  });

  it('reads escapes, warns about a non-numeric score and rejects a non-list side', () => {
    const text = readFixture('preferences/ultrafeedback_edge.jsonl');
    const doc = parseDocument(text, 'ultrafeedback_edge.jsonl');
    assert.equal(doc.format, 'ultrafeedback');
    const sets = preferenceSets(doc.records);
    assert.deepEqual(sets.map((s) => s.id), ['5f1e', '77aa']);
    const [first, second] = sets;
    assert.equal(first?.prompt, 'Explain "recursion" in one line — briefly.');
    assert.deepEqual(first?.responses.map((r) => [r.rating, r.steps.map((s) => s.text)]), [
      [9.5, ['A function that calls itself.', 'It stops at a base case.']],
      [4, ['A loop.']],
    ]);
    assert.deepEqual(second?.responses.map((r) => [r.text, r.rating]), [
      ['A1', undefined],
      ['A2', undefined],
    ]);
    for (const s of sets) assertRanges(text, s, { promptLocated: true });
    assert.deepEqual(doc.problems.map((p) => [p.line, p.severity]), [
      [2, 'warning'],
      [3, 'error'],
    ]);
    const line2 = text.split('\n')[1] ?? '';
    assert.equal(doc.problems[0]?.column, line2.indexOf('"high"') + 1);
    assert.match(doc.problems[1]?.message ?? '', /"chosen" is a string, expected a list of \{role, content\} messages/);
  });
});

describe('Skywork preference', () => {
  it('reads the documented shape with the source as subset', { skip: !samplesAvailable() }, () => {
    const text = readSample('skywork_preference_SHAPE_ONLY.jsonl') ?? '';
    const doc = parseDocument(text, 'skywork_preference_SHAPE_ONLY.jsonl');
    assert.equal(doc.format, 'skywork-preference');
    assert.deepEqual(doc.problems, []);
    const [set, ...rest] = preferenceSets(doc.records);
    assert.equal(rest.length, 0);
    assert.equal(set?.subset, '<str>');
    assert.equal(set?.prompt, '<str>');
    assert.deepEqual(set?.responses.map((r) => r.chosen), [true, false]);
    assert.equal(set?.metadata['promptMessages'], 1);
    if (set) assertRanges(text, set, { promptLocated: true });
  });

  it('takes the shared messages of multi-turn rows as the prompt', () => {
    const text = readFixture('preferences/skywork_edge.jsonl');
    const doc = parseDocument(text, 'skywork_edge.jsonl');
    assert.equal(doc.format, 'skywork-preference');
    const [multi, single, ...rest] = preferenceSets(doc.records);
    assert.equal(rest.length, 0);
    assert.equal(multi?.prompt, 'user: Hi\n\nassistant: Hello\n\nuser: Solve x+1=2.');
    assert.equal(multi?.metadata['promptMessages'], 3);
    assert.equal(multi?.subset, 'magpie_ultra');
    assert.deepEqual(multi?.responses[0]?.steps.map((s) => s.text), ['x = 1.', 'Check: 1+1=2.']);
    assert.equal(multi?.responses[1]?.text, 'x = 3.');
    assert.equal(single?.prompt, 'Name a prime.');
    assert.deepEqual(single?.responses.map((r) => [r.text, r.chosen]), [['7', true], ['9', false]]);
    if (multi) assertRanges(text, multi, { promptLocated: false });
    if (single) assertRanges(text, single, { promptLocated: true });
    assert.deepEqual(doc.problems.map((p) => [p.line, p.severity]), [[3, 'error']]);
    assert.match(doc.problems[0]?.message ?? '', /"rejected" has no assistant message/);
  });
});
