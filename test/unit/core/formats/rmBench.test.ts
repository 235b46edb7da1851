import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { readFixture, readSample, samplesAvailable } from '../../helpers.js';
import { assertRanges, preferenceSets } from './preferenceChecks.js';

describe('RM-Bench', () => {
  it('reads the real JSON-array record as a 3×3 matrix', { skip: !samplesAvailable() }, () => {
    const text = readSample('rm_bench.json') ?? '';
    const doc = parseDocument(text, 'rm_bench.json');
    assert.equal(doc.format, 'rm-bench');
    assert.deepEqual(doc.problems, []);
    const [set, ...rest] = preferenceSets(doc.records);
    assert.equal(rest.length, 0);
    assert.equal(set?.id, '622');
    assert.equal(set?.subset, 'alpacaeval');
    assert.equal(set?.comparison, 'matrix3x3');
    assert.equal(set?.prompt, 'Using a given amount, determine an appropriate tip.\n\n14% tip on $47.50');
    assert.deepEqual(set?.metadata['style'], ['concise', 'detailed', 'markdown']);
    assert.equal(set?.metadata['error_key'], '7.65');
    assert.deepEqual(set?.responses.map((r) => r.chosen), [true, true, true, false, false, false]);
    assert.equal(set?.responses[0]?.text, 'A 14% tip on $47.50 is $6.65.');
    assert.equal(set?.responses[3]?.text, 'A 14% tip on $47.50 is $7.65.');
    // Concise and detailed-plain chosen are one paragraph; the markdown one is an intro plus a 3-item list;
    // detailed-plain rejected has three paragraphs; markdown rejected is an intro plus three bullets.
    assert.deepEqual(set?.responses.map((r) => r.steps.length), [1, 1, 4, 1, 3, 4]);
    const markdown = set?.responses[2]?.steps ?? [];
    assert.equal(markdown[0]?.text, 'To calculate a 14% tip on $47.50, you can follow these steps:');
    assert.ok(markdown[3]?.text.startsWith('3. Perform the multiplication:'));
    assert.ok(markdown[3]?.text.endsWith('So, a 14% tip on $47.50 is $6.65.'));
    if (set) assertRanges(text, set, { promptLocated: true });
  });

  it('accepts the README "domain" key and rejects lists that are not three long', () => {
    const text = readFixture('preferences/rm_bench_edge.json');
    const doc = parseDocument(text, 'rm_bench_edge.json');
    assert.equal(doc.format, 'rm-bench');
    const [set, ...rest] = preferenceSets(doc.records);
    assert.equal(rest.length, 0);
    assert.equal(set?.id, '1');
    assert.equal(set?.subset, 'math');
    assert.deepEqual(set?.responses.map((r) => r.text.split('\n')[0]), ['3/4', 'Add the fractions: 1/2 = 2/4, so 2/4 + 1/4 = 3/4.', '**Answer:** 3/4', '2/6', 'Add tops and bottoms: 2/6.', '**Answer:** 2/6']);
    assert.deepEqual(set?.responses[2]?.steps.map((s) => s.text), ['**Answer:** 3/4', '- 1/2 = 2/4', '- 2/4 + 1/4 = 3/4']);
    if (set) assertRanges(text, set, { promptLocated: true });
    assert.equal(doc.problems.length, 1);
    assert.match(doc.problems[0]?.message ?? '', /"chosen" is a list of 2, expected a list of 3 strings/);
    // Located at the short list itself.
    const at = doc.problems[0]?.offset ?? 0;
    assert.equal(text.slice(at, at + (doc.problems[0]?.length ?? 0)).replace(/\s/g, ''), '["a","b"]');
  });
});
