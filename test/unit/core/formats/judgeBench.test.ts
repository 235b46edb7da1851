import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { judgeBenchCategory } from '../../../../src/core/formats/judgeBench.js';
import { readFixture, readSample, samplesAvailable } from '../../helpers.js';
import { assertRanges, preferenceSets } from './preferenceChecks.js';

describe('JudgeBench', () => {
  it('reads the real pairs with the source category as subset', { skip: !samplesAvailable() }, () => {
    const text = readSample('judgebench.jsonl') ?? '';
    const doc = parseDocument(text, 'judgebench.jsonl');
    assert.equal(doc.format, 'judgebench');
    assert.deepEqual(doc.problems, []);
    const sets = preferenceSets(doc.records);
    assert.deepEqual(sets.map((s) => s.id), ['857131ea-e0ef-517b-9f31-996edf4dc832', '8ac653fc-14f9-58aa-8306-e008d51ca0eb']);
    assert.deepEqual(sets.map((s) => s.subset), ['livecodebench', 'mmlu-pro']);
    assert.deepEqual(sets.map((s) => s.metadata['source']), ['livecodebench', 'mmlu-pro-math']);
    assert.deepEqual(sets.map((s) => s.metadata['original_id']), [null, 8716]);
    assert.deepEqual(sets.map((s) => s.labelSource), ['label A>B', 'label B>A']);
    assert.deepEqual(sets.map((s) => s.responses.map((r) => r.chosen)), [[true, false], [false, true]]);
    assert.ok(sets.every((s) => s.responses.every((r) => r.model === 'gpt-4o-2024-05-13')));
    assert.ok(sets[0]?.prompt.startsWith('You are given an integer n that consists of exactly 3 digits.'));
    // The code answers have no blank lines: one step per line (5 and 7 lines), indentation trimmed.
    assert.deepEqual(sets[0]?.responses.map((r) => r.steps.length), [5, 7]);
    assert.equal(sets[0]?.responses[0]?.steps[1]?.text, 'def isFascinating(self, n: int) -> bool:');
    for (const s of sets) assertRanges(text, s, { promptLocated: true });
  });

  it('reads a fixture and reports bad labels and missing responses', () => {
    const text = readFixture('preferences/judgebench_edge.jsonl');
    const doc = parseDocument(text, 'judgebench_edge.jsonl');
    assert.equal(doc.format, 'judgebench');
    const sets = preferenceSets(doc.records);
    assert.deepEqual(sets.map((s) => s.id), ['p-1', 'p-2']);
    assert.equal(sets[0]?.prompt, 'Is 91 prime?\nAnswer yes or no.');
    assert.deepEqual(sets[0]?.responses[0]?.steps.map((s) => s.text), ['91 = 7 × 13.', 'So no.']);
    assert.deepEqual(sets.map((s) => [s.subset, s.responses.map((r) => r.chosen)]), [
      ['livebench-reasoning', [true, false]],
      ['mmlu-pro', [false, true]],
    ]);
    for (const s of sets) assertRanges(text, s, { promptLocated: true });
    assert.deepEqual(doc.problems.map((p) => [p.line, p.severity]), [
      [3, 'error'],
      [4, 'error'],
    ]);
    assert.match(doc.problems[0]?.message ?? '', /"label" is "A=B", expected "A>B" or "B>A"/);
    assert.equal(doc.problems[0]?.column, (text.split('\n')[2] ?? '').indexOf('"A=B"') + 1);
    assert.match(doc.problems[1]?.message ?? '', /missing "response_B"/);
  });

  it('names subsets by category', () => {
    assert.equal(judgeBenchCategory('mmlu-pro-law'), 'mmlu-pro');
    assert.equal(judgeBenchCategory('livebench-math'), 'livebench-math');
    assert.equal(judgeBenchCategory('livecodebench'), 'livecodebench');
  });
});

describe('JudgeBench judge outputs', () => {
  it('keeps the judge decisions and scores of the real reward-model output', { skip: !samplesAvailable() }, () => {
    const text = readSample('judgebench_rm_output.jsonl') ?? '';
    const doc = parseDocument(text, 'judgebench_rm_output.jsonl');
    assert.equal(doc.format, 'judgebench-judgments');
    assert.deepEqual(doc.problems, []);
    const [set, ...rest] = preferenceSets(doc.records);
    assert.equal(rest.length, 0);
    assert.equal(set?.id, 'e302b0a0-28d5-5a3c-b1af-fedcf5543e72');
    assert.equal(set?.subset, 'mmlu-pro');
    assert.equal(set?.metadata['source'], 'mmlu-pro-law');
    assert.equal(set?.metadata['label'], 'A>B');
    assert.deepEqual(set?.responses.map((r) => r.chosen), [true, false]);
    assert.equal(set?.metadata['judge_name'], 'reward_model');
    assert.equal(set?.metadata['judge_model'], 'Skywork/Skywork-Reward-Llama-3.1-8B');
    assert.deepEqual(set?.metadata['judgments'], [
      { decision: 'B>A', swapped: false, scores: [5.625, 14.625] },
      { decision: 'A>B', swapped: true, scores: [14.625, 5.625] },
    ]);
    if (set) assertRanges(text, set, { promptLocated: true });
  });

  it('keeps every trial in place, null ones included, and warns about malformed ones', () => {
    const text = readFixture('preferences/judgebench_judgments_edge.jsonl');
    const doc = parseDocument(text, 'judgebench_judgments_edge.jsonl');
    assert.equal(doc.format, 'judgebench-judgments');
    const sets = preferenceSets(doc.records);
    assert.deepEqual(sets.map((s) => s.id), ['p-1', 'p-6', 'p-7', 'p-8']);
    assert.deepEqual(sets.map((s) => s.metadata['judgments']), [
      [
        { decision: 'A>B', swapped: false },
        { decision: 'B>A', swapped: true },
      ],
      [
        { decision: 'B>A', swapped: false, scores: [1.5, 2] },
        { decision: null, swapped: true },
      ],
      [
        { decision: null, swapped: false },
        { decision: 'A>B', swapped: true },
      ],
      [],
    ]);
    assert.deepEqual(sets.map((s) => s.metadata['judge_model']), ['gpt-4o', 'gpt-4o', 'gpt-4o', undefined]);
    assert.deepEqual(doc.problems.map((p) => [p.line, p.severity]), [
      [3, 'warning'],
      [4, 'warning'],
    ]);
    assert.match(doc.problems[0]?.message ?? '', /Judgment 1 has no "decision"/);
    assert.match(doc.problems[1]?.message ?? '', /"judgments" is a string/);
    for (const s of sets) assertRanges(text, s, { promptLocated: true });
  });
});
