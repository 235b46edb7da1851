import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { DEFAULT_PARSE_OPTIONS } from '../../../../src/core/formats/formatSpec.js';
import { readFixture, readSample, samplesAvailable } from '../../helpers.js';
import { assertRanges, preferenceSets } from './preferenceChecks.js';

describe('TRL preference', () => {
  it('reads all five documented shapes mixed in one file', { skip: !samplesAvailable() }, () => {
    const text = readSample('trl_preference_docs.jsonl') ?? '';
    const doc = parseDocument(text, 'trl_preference_docs.jsonl');
    assert.equal(doc.format, 'trl-preference');
    assert.deepEqual(doc.problems, []);
    const sets = preferenceSets(doc.records);
    assert.equal(sets.length, 5);
    assert.deepEqual(
      sets.map((s) => s.metadata['shape']),
      ['explicit-standard', 'implicit-standard', 'explicit-conversational', 'implicit-conversational', 'unpaired-standard'],
    );
    assert.deepEqual(
      sets.map((s) => s.prompt),
      ['The sky is', '', 'What color is the sky?', 'What color is the sky?', 'The sky is'],
    );
    assert.deepEqual(
      sets.map((s) => s.responses.map((r) => [r.text, r.chosen])),
      [
        [[' blue.', true], [' green.', false]],
        [['The sky is blue.', true], ['The sky is green.', false]],
        [['It is blue.', true], ['It is green.', false]],
        [['It is blue.', true], ['It is green.', false]],
        [[' blue.', true]],
      ],
    );
    assert.deepEqual(
      sets.map((s) => s.comparison),
      ['pair', 'pair', 'pair', 'pair', 'unpaired'],
    );
    assert.equal(sets[4]?.labelSource, 'label');
    assert.deepEqual(sets.map((s) => s.id), ['#1', '#2', '#3', '#4', '#5']);
    // The implicit standard prompt is empty and has no place in the file; every other prompt is one literal.
    sets.forEach((s, i) => assertRanges(text, s, { promptLocated: i !== 1 }));
  });

  it('reads the HH rows converted to conversational form', { skip: !samplesAvailable() }, () => {
    const text = readSample('trl_preference_conversational.jsonl') ?? '';
    const doc = parseDocument(text, 'trl_preference_conversational.jsonl');
    assert.equal(doc.format, 'trl-preference');
    assert.deepEqual(doc.problems, []);
    const sets = preferenceSets(doc.records);
    assert.equal(sets.length, 3);
    assert.equal(sets[0]?.prompt, 'Is it possible to download a car?');
    assert.deepEqual(sets[0]?.responses.map((r) => r.text), ['I’m not sure what you mean. Can you clarify?', 'I’m sorry, I don’t understand.']);
    // Record 2 has a 7-message prompt: flattened as role blocks, with no single span.
    const multi = sets[1];
    assert.ok(multi?.prompt.startsWith("user: How do I steal my neighbor's pet?\n\nassistant: You could say hello"));
    assert.ok(multi?.prompt.endsWith('\n\nuser: All right, thanks.'));
    assert.equal(multi?.prompt.split('\n\nuser: ').length, 4);
    assert.deepEqual(multi?.responses.map((r) => [r.text, r.chosen]), [['You’re welcome! Good luck with your gardening project.', true], ["You're welcome.", false]]);
    assert.equal(sets[2]?.responses[1]?.text, 'That’s great. I hope she can cook something nice for you.');
    sets.forEach((s, i) => assertRanges(text, s, { promptLocated: i !== 1 }));
  });

  it('reads escapes, multi-turn implicit prompts, unpaired lists, <think> blocks and content parts', () => {
    const text = readFixture('preferences/trl_edge.jsonl');
    const doc = parseDocument(text, 'trl_edge.jsonl');
    assert.equal(doc.format, 'trl-preference');
    const sets = preferenceSets(doc.records);
    assert.deepEqual(sets.map((s) => s.id), ['#1', '#2', '#3', '#4', '#10']);

    const [escaped, implicit, unpaired, think, parts] = sets;
    assert.equal(escaped?.prompt, 'Q: what is 2+2?\n');
    assert.deepEqual(escaped?.responses[0]?.steps.map((s) => s.text), ['Step 1: add 2 and 2.', 'Step 2: the sum is "4" — done.']);

    assert.equal(implicit?.prompt, 'user: Hi\n\nassistant: Hello!\n\nuser: Add 1+1.');
    assert.deepEqual(implicit?.responses.map((r) => [r.text, r.chosen]), [['2', true], ['3', false]]);

    assert.equal(unpaired?.comparison, 'unpaired');
    assert.equal(unpaired?.prompt, 'Say hi.');
    assert.deepEqual(unpaired?.responses.map((r) => [r.text, r.chosen]), [['No.', false]]);
    assert.equal(unpaired?.metadata['shape'], 'unpaired-conversational');

    const steps = think?.responses[0]?.steps ?? [];
    assert.deepEqual(steps.map((s) => [s.text, s.part]), [
      ['7 has no divisors but 1 and 7.', 'reasoning'],
      ['So it is prime.', 'reasoning'],
      ['Yes, 7 is prime.', 'answer'],
    ]);
    assert.deepEqual(think?.responses[1]?.steps.map((s) => s.part), ['answer']);

    assert.equal(parts?.prompt, 'Look.');
    assert.deepEqual(parts?.responses.map((r) => r.text), ['Seen.', 'Not seen.']);

    sets.forEach((s) => assertRanges(text, s, { promptLocated: s.id !== '#2' }));
  });

  it('reports missing keys and wrong types at the record or the value', () => {
    const text = readFixture('preferences/trl_edge.jsonl');
    const doc = parseDocument(text, 'trl_edge.jsonl');
    assert.deepEqual(doc.problems.map((p) => [p.line, p.severity]), [
      [5, 'error'],
      [6, 'error'],
      [7, 'error'],
      [8, 'error'],
      [9, 'error'],
    ]);
    const [missing, number, label, mixed, noAssistant] = doc.problems;
    assert.match(missing?.message ?? '', /missing "rejected"/);
    assert.equal(missing?.column, 1);
    // {"chosen": 5, ...}: the 5 is the 12th character of line 6.
    assert.equal(number?.column, 12);
    assert.equal(number?.length, 1);
    assert.match(number?.message ?? '', /"chosen" is a number, expected a string or a list/);
    const line7 = text.split('\n')[6] ?? '';
    assert.equal(label?.column, line7.indexOf('"yes"') + 1);
    assert.equal(label?.length, '"yes"'.length);
    assert.match(label?.message ?? '', /"label" is a string, expected true or false/);
    assert.match(mixed?.message ?? '', /must both be strings or both be message lists/);
    assert.match(noAssistant?.message ?? '', /"chosen" has no assistant message/);
  });

  it('segments responses with the chosen segmentation mode', () => {
    const text = `${JSON.stringify({ prompt: 'p', chosen: 'a\nb\nc', rejected: 'one line' })}\n`;
    const auto = preferenceSets(parseDocument(text, 'x.jsonl').records)[0];
    const paragraphs = preferenceSets(parseDocument(text, 'x.jsonl', { ...DEFAULT_PARSE_OPTIONS, segmentation: 'paragraphs' }).records)[0];
    // auto: no blank lines but three lines → one step per line; paragraphs: one paragraph.
    assert.deepEqual(auto?.responses[0]?.steps.map((s) => s.text), ['a', 'b', 'c']);
    assert.deepEqual(paragraphs?.responses[0]?.steps.map((s) => s.text), ['a\nb\nc']);
    if (auto) assertRanges(text, auto);
    if (paragraphs) assertRanges(text, paragraphs);
  });

  it('never throws on odd values', () => {
    const lines = ['[]', '"chosen"', '{"chosen": null, "rejected": null}', '{"chosen": [], "rejected": []}', '{"chosen": "a", "rejected": "b"}'];
    const doc = parseDocument(lines.join('\n'), 'odd.jsonl', { ...DEFAULT_PARSE_OPTIONS, format: 'trl-preference' });
    assert.equal(doc.format, 'trl-preference');
    assert.equal(preferenceSets(doc.records).length, 1);
    // One problem for each non-object line, one per bad side for the two others.
    assert.equal(doc.problems.length, 6);
    assert.ok(doc.problems.every((p) => !p.message.startsWith('Internal error')));
  });
});
