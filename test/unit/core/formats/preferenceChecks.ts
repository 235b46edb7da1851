import { strict as assert } from 'node:assert';
import type { DatasetRecord, PreferenceSet } from '../../../../src/core/dataset/types.js';
import { decodeAt } from '../../helpers.js';

/** The records as preference sets, failing when any is not one. */
export function preferenceSets(records: readonly DatasetRecord[]): PreferenceSet[] {
  return records.map((r) => {
    assert.equal(r.kind, 'preference', `record ${r.id} is a ${r.kind}`);
    return r as PreferenceSet;
  });
}

/**
 * The source-range property for one preference set: the prompt (when it has a range), every response and every
 * step decode to their text at their range; each response has a range (when `responsesLocated`), and every
 * step lies inside its response's range, in order, with indices 0..n-1.
 */
export function assertRanges(text: string, set: PreferenceSet, opts: { promptLocated?: boolean } = {}): void {
  if (opts.promptLocated === true) assert.ok(set.promptRange, `${set.id}: prompt has no range`);
  if (opts.promptLocated === false) assert.equal(set.promptRange, undefined, `${set.id}: prompt should have no range`);
  if (set.promptRange) assert.equal(decodeAt(text, set.promptRange), set.prompt, `${set.id}: prompt range`);
  assert.ok(set.recordRange.start < set.recordRange.end);
  for (const [i, r] of set.responses.entries()) {
    assert.ok(r.range, `${set.id}: response ${i} has no range`);
    assert.equal(decodeAt(text, r.range), r.text, `${set.id}: response ${i} range`);
    assert.ok(r.range.start >= set.recordRange.start && r.range.end <= set.recordRange.end, `${set.id}: response ${i} outside its record`);
    assert.ok(r.steps.length > 0 || r.text.trim() === '', `${set.id}: response ${i} has no steps`);
    let last = r.range.start;
    for (const [k, s] of r.steps.entries()) {
      assert.equal(s.index, k);
      assert.ok(s.range, `${set.id}: response ${i} step ${k} has no range`);
      assert.equal(decodeAt(text, s.range), s.text, `${set.id}: response ${i} step ${k} range`);
      assert.ok(s.range.start >= last && s.range.end <= r.range.end, `${set.id}: response ${i} step ${k} out of order or outside the response`);
      last = s.range.end;
    }
  }
}
