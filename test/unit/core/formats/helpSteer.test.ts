import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { DEFAULT_PARSE_OPTIONS } from '../../../../src/core/formats/formatSpec.js';
import { helpSteer2 } from '../../../../src/core/formats/helpSteer.js';
import { readJsonDocument } from '../../../../src/core/json/readJsonDocument.js';
import { readFixture, readSample, samplesAvailable } from '../../helpers.js';
import { assertRanges, preferenceSets } from './preferenceChecks.js';

describe('HelpSteer2', () => {
  it('detects the documented row shape; a single row has no partner', { skip: !samplesAvailable() }, () => {
    const text = readSample('helpsteer2_SHAPE_ONLY.jsonl') ?? '';
    const doc = parseDocument(text, 'helpsteer2_SHAPE_ONLY.jsonl');
    assert.equal(doc.format, 'helpsteer2');
    assert.equal(doc.records.length, 0);
    assert.deepEqual(doc.problems.map((p) => [p.line, p.severity]), [[1, 'warning']]);
    assert.match(doc.problems[0]?.message ?? '', /no partner/);
  });

  it('pairs consecutive rows with the same prompt; higher helpfulness is chosen, ties choose neither', () => {
    const text = readFixture('preferences/helpsteer2_pairs.jsonl');
    const doc = parseDocument(text, 'helpsteer2_pairs.jsonl');
    assert.equal(doc.format, 'helpsteer2');
    const sets = preferenceSets(doc.records);
    assert.deepEqual(sets.map((s) => s.id), ['#1', '#3', '#6']);
    const [better, tie, second] = sets;
    assert.equal(better?.prompt, 'What is 2+2?');
    assert.deepEqual(better?.responses.map((r) => [r.text, r.chosen, r.rating]), [
      ['2+2 = 4.', true, 3],
      ['It is 5.', false, 1],
    ]);
    assert.equal(better?.labelSource, 'helpfulness');
    assert.deepEqual(better?.metadata['attributes'], [
      { helpfulness: 3, correctness: 3, coherence: 4, complexity: 2, verbosity: 1 },
      { helpfulness: 1, correctness: 0, coherence: 4, complexity: 2, verbosity: 1 },
    ]);
    // A pair spans both of its lines.
    const lines = text.split('\n');
    assert.deepEqual(better?.recordRange, { start: 0, end: (lines[0]?.length ?? 0) + 1 + (lines[1]?.length ?? 0) });

    assert.deepEqual(tie?.responses.map((r) => [r.text, r.chosen]), [
      ['Blue.', false],
      ['Red — a warm colour.', false],
    ]);
    assert.match(tie?.labelSource ?? '', /tie/);
    assert.equal(tie?.comparison, 'pair');

    assert.equal(second?.prompt, 'Say "hi".');
    assert.deepEqual(second?.responses.map((r) => [r.chosen, r.steps.map((s) => s.text)]), [
      [false, ['hi']],
      [true, ['"hi"', 'There you go.']],
    ]);
    for (const s of sets) assertRanges(text, s, { promptLocated: true });
  });

  it('warns about odd rows out and reports a bad helpfulness at its value', () => {
    const text = readFixture('preferences/helpsteer2_pairs.jsonl');
    const doc = parseDocument(text, 'helpsteer2_pairs.jsonl');
    assert.deepEqual(doc.problems.map((p) => [p.line, p.severity]), [
      [5, 'warning'],
      [8, 'error'],
      [9, 'warning'],
    ]);
    const line8 = text.split('\n')[7] ?? '';
    assert.equal(doc.problems[1]?.column, line8.indexOf('"high"') + 1);
    assert.match(doc.problems[1]?.message ?? '', /"helpfulness" is a string, expected a number/);
  });
});

describe('HelpSteer3 preference', () => {
  it('reads the documented shape: negative overall_preference prefers response1', { skip: !samplesAvailable() }, () => {
    const text = readSample('helpsteer3_preference_SHAPE_ONLY.jsonl') ?? '';
    const doc = parseDocument(text, 'helpsteer3_preference_SHAPE_ONLY.jsonl');
    assert.equal(doc.format, 'helpsteer3');
    assert.deepEqual(doc.problems, []);
    const [set, ...rest] = preferenceSets(doc.records);
    assert.equal(rest.length, 0);
    assert.equal(set?.subset, 'general');
    assert.equal(set?.metadata['language'], 'english');
    assert.equal(set?.metadata['overall_preference'], -2);
    assert.deepEqual(set?.responses.map((r) => r.chosen), [true, false]);
    assert.equal(set?.labelSource, 'overall_preference');
    if (set) assertRanges(text, set, { promptLocated: true });
  });

  it('reads ties, positive preferences and multi-turn contexts; rejects bad preferences', () => {
    const text = readFixture('preferences/helpsteer3_edge.jsonl');
    const doc = parseDocument(text, 'helpsteer3_edge.jsonl');
    assert.equal(doc.format, 'helpsteer3');
    const sets = preferenceSets(doc.records);
    assert.deepEqual(sets.map((s) => s.id), ['#1', '#2', '#6']);
    const [tie, second, first] = sets;
    assert.deepEqual(tie?.responses.map((r) => [r.text, r.chosen]), [
      ["print('hello')", false],
      ['print("hello world")', false],
    ]);
    assert.match(tie?.labelSource ?? '', /tie/);
    assert.equal(tie?.subset, 'code');
    assert.equal(second?.prompt, 'user: Hi\n\nassistant: Hello!\n\nuser: Tell me a fact.');
    assert.deepEqual(second?.responses.map((r) => r.chosen), [false, true]);
    assert.deepEqual(second?.responses[1]?.steps.map((s) => s.text), ['Water boils at 100 °C at sea level.', 'That is 212 °F.']);
    assert.deepEqual(first?.responses.map((r) => [r.text, r.chosen]), [
      ['Hallo!', true],
      ['Tschüss.', false],
    ]);
    if (tie) assertRanges(text, tie, { promptLocated: true });
    if (second) assertRanges(text, second, { promptLocated: false });
    if (first) assertRanges(text, first, { promptLocated: true });

    assert.deepEqual(doc.problems.map((p) => [p.line, p.severity]), [
      [3, 'error'],
      [4, 'error'],
      [5, 'error'],
    ]);
    const [outOfRange, missing, fractional] = doc.problems;
    assert.match(outOfRange?.message ?? '', /"overall_preference" is 5, expected an integer from -3/);
    const line3 = text.split('\n')[2] ?? '';
    assert.equal(outOfRange?.column, line3.indexOf(': 5}') + 3);
    assert.match(missing?.message ?? '', /missing "response2"/);
    assert.match(fractional?.message ?? '', /"overall_preference" is -1.5/);
  });
});

describe('HelpSteer2 single-entry parse', () => {
  it('reports a lone row when called per entry', () => {
    const text = '{"prompt": "p", "response": "r", "helpfulness": 1}';
    const doc = parseDocument(text, 'x.jsonl', { ...DEFAULT_PARSE_OPTIONS, format: 'helpsteer2' });
    assert.equal(doc.records.length, 0);
    assert.deepEqual(doc.problems.map((p) => p.severity), ['warning']);
    const entry = readJsonDocument(text).entries[0];
    assert.ok(entry);
    const outcome = helpSteer2.parse(entry, { text, options: DEFAULT_PARSE_OPTIONS });
    assert.equal(outcome.records.length, 0);
    assert.match(outcome.problems[0]?.message ?? '', /no partner/);
  });
});
