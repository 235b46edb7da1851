import { strict as assert } from 'node:assert';
import type { DatasetRecord, Trace } from '../../../../src/core/dataset/types.js';
import { decodeAt } from '../../helpers.js';

/**
 * Asserts the source-range property for every located step and prompt of `records`: the raw characters at the
 * range, JSON-decoded, are the text. With `allLocated`, every step must also have a range. Returns how many
 * steps were checked.
 */
export function assertRanges(text: string, records: readonly DatasetRecord[], allLocated = true): number {
  let checked = 0;
  for (const r of records) {
    assert.equal(r.kind, 'trace');
    const t = r as Trace;
    if (t.promptRange) assert.equal(decodeAt(text, t.promptRange), t.prompt, `prompt of ${t.id}`);
    for (const s of t.steps) {
      if (s.range === undefined) {
        assert.ok(!allLocated, `step ${s.index} of ${t.id} has no range`);
        continue;
      }
      assert.equal(decodeAt(text, s.range), s.text, `step ${s.index} of ${t.id}`);
      checked++;
    }
  }
  return checked;
}

/** The traces of a parse result, asserting every record is a trace. */
export function tracesOf(records: readonly DatasetRecord[]): Trace[] {
  return records.map((r) => {
    assert.equal(r.kind, 'trace');
    return r as Trace;
  });
}

/** `[part, text]` pairs of a trace's steps, for compact comparisons. */
export function stepPairs(t: Trace | undefined): [string, string][] {
  return (t?.steps ?? []).map((s) => [s.part, s.text]);
}
