import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { splitHhDialogue } from '../../../../src/core/formats/hhRlhf.js';
import { readFixture, readSample, samplesAvailable } from '../../helpers.js';
import { assertRanges, preferenceSets } from './preferenceChecks.js';

describe('HH-RLHF', () => {
  it('splits real transcripts into the shared dialogue and the final Assistant turns', { skip: !samplesAvailable() }, () => {
    const text = readSample('hh_rlhf.jsonl') ?? '';
    const doc = parseDocument(text, 'hh_rlhf.jsonl');
    assert.equal(doc.format, 'hh-rlhf');
    assert.deepEqual(doc.problems, []);
    const [first, second, ...rest] = preferenceSets(doc.records);
    assert.equal(rest.length, 0);
    assert.equal(first?.prompt, 'Human: Is it possible to download a car?');
    assert.deepEqual(first?.responses.map((r) => [r.text, r.chosen]), [
      ['I’m not sure what you mean. Can you clarify?', true],
      ['I’m sorry, I don’t understand.', false],
    ]);
    assert.equal(first?.metadata['humanTurns'], 1);
    assert.ok(second?.prompt.startsWith("Human: How do I steal my neighbor's pet?\n\nAssistant: You could say hello"));
    assert.ok(second?.prompt.endsWith('\n\nHuman: All right, thanks.'));
    assert.equal(second?.metadata['humanTurns'], 4);
    assert.deepEqual(second?.responses.map((r) => [r.text, r.chosen]), [
      ['You’re welcome! Good luck with your gardening project.', true],
      ["You're welcome.", false],
    ]);
    for (const s of [first, second]) if (s) assertRanges(text, s, { promptLocated: true });
    assert.deepEqual(first?.responses.map((r) => r.steps.length), [1, 1]);
  });

  it('agrees with TRL extract_dialogue: the converted sample has the same responses', { skip: !samplesAvailable() }, () => {
    const hh = preferenceSets(parseDocument(readSample('hh_rlhf.jsonl') ?? '', 'hh_rlhf.jsonl').records);
    const trl = preferenceSets(parseDocument(readSample('trl_preference_conversational.jsonl') ?? '', 'c.jsonl').records);
    hh.forEach((set, i) => assert.deepEqual(set.responses.map((r) => r.text), trl[i]?.responses.map((r) => r.text)));
  });

  it('backs up to the last Assistant marker and keeps exact spans through escapes', () => {
    const text = readFixture('preferences/hh_edge.jsonl');
    const doc = parseDocument(text, 'hh_edge.jsonl');
    assert.equal(doc.format, 'hh-rlhf');
    const sets = preferenceSets(doc.records);
    assert.deepEqual(sets.map((s) => s.id), ['#1', '#2', '#5']);
    const [midAnswer, escaped, empty] = sets;
    assert.equal(midAnswer?.prompt, 'Human: Is the sky blue?');
    assert.deepEqual(midAnswer?.responses.map((r) => r.text), ['I think yes.', 'I think no.']);
    assert.equal(escaped?.prompt, 'Human: Say "hi" ’please’');
    assert.deepEqual(escaped?.responses[0]?.steps.map((s) => s.text), ['"hi" — there.', 'Second paragraph.']);
    assert.equal(escaped?.responses[1]?.text, 'No.');
    assert.equal(empty?.prompt, 'Human: Q');
    assert.deepEqual(empty?.responses.map((r) => [r.text, r.steps.length]), [['', 0], ['A', 1]]);
    for (const s of sets) assertRanges(text, s, { promptLocated: true });
  });

  it('reports transcripts with no shared Assistant turn and non-string sides', () => {
    const text = readFixture('preferences/hh_edge.jsonl');
    const doc = parseDocument(text, 'hh_edge.jsonl');
    assert.deepEqual(doc.problems.map((p) => [p.line, p.severity]), [
      [3, 'error'],
      [4, 'error'],
    ]);
    assert.match(doc.problems[0]?.message ?? '', /share no dialogue ending in an Assistant turn/);
    const line4 = text.split('\n')[3] ?? '';
    assert.equal(doc.problems[1]?.column, line4.indexOf('null') + 1);
    assert.match(doc.problems[1]?.message ?? '', /"rejected" is null, expected a transcript string/);
  });

  it('finds the split offset as extract_dialogue does', () => {
    const c = '\n\nHuman: a\n\nAssistant: b\n\nHuman: c\n\nAssistant: same start, then X';
    const r = '\n\nHuman: a\n\nAssistant: b\n\nHuman: c\n\nAssistant: same start, then Y';
    assert.equal(splitHhDialogue(c, r), c.indexOf('\n\nAssistant: same'));
    assert.equal(splitHhDialogue('\n\nHuman: a', '\n\nHuman: b'), -1);
  });
});
