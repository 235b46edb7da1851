import type { JsonEntry } from '../json/readJsonDocument.js';
import type { PreferenceResponse } from '../dataset/types.js';
import { describe, isObject, locatedString, recordId } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';
import { checkRecord, preferenceResponse, preferenceSet, problemAt, promptOf, stringOf, wrongType } from './preferenceSteps.js';

/** RM-Bench's response styles by index: 0 concise, 1 detailed plain text, 2 detailed markdown. */
export const RM_BENCH_STYLES = ['concise', 'detailed', 'markdown'] as const;

const FORMAT = 'RM-Bench';
const EXPECTED = 'an object with "prompt" (string), "chosen" and "rejected" (3 strings each: concise, detailed, markdown) and "subset"';

function isTriple(v: unknown): boolean {
  return Array.isArray(v) && v.length === 3 && v.every((s) => typeof s === 'string');
}

/**
 * RM-Bench (`THU-KEG/RM-Bench`, JSON arrays): `{id, subset, prompt, chosen: [3 str], rejected: [3 str],
 * error_key?, error?}`. Responses are chosen[0..2] then rejected[0..2]; index i of each list has style
 * `metadata.style[i]`. Accuracy is the 3×3 matrix chosen[i] vs rejected[j]. The README calls the subset key
 * `domain` while the repository files use `subset`; either is read.
 */
export const rmBench: FormatSpec = {
  id: 'rm-bench',
  label: 'RM-Bench',
  detect(v) {
    if (!isObject(v) || !('prompt' in v) || 'num_correct' in v || !isTriple(v['chosen']) || !isTriple(v['rejected'])) return 0;
    return 'subset' in v || 'domain' in v ? 3 : 2;
  },
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const rec = checkRecord(FORMAT, EXPECTED, entry.value, ['prompt', 'chosen', 'rejected']);
    if (!rec.ok) return rec.outcome;
    const v = rec.value;
    const problems: RecordProblem[] = [];
    const responses: PreferenceResponse[] = [];
    for (const key of ['chosen', 'rejected'] as const) {
      const list = v[key];
      if (!Array.isArray(list) || list.length !== 3) {
        const found = Array.isArray(list) ? `a list of ${list.length}` : describe(list);
        problems.push(problemAt(ctx, entry, [key], `"${key}" is ${found}, expected a list of 3 strings (concise, detailed, markdown); the record is skipped.`));
        continue;
      }
      list.forEach((item: unknown, i) => {
        const located = locatedString(entry, list, i);
        if (located) responses.push(preferenceResponse(ctx, located, key === 'chosen'));
        else problems.push(problemAt(ctx, entry, [key, i], `"${key}" item ${i + 1} is ${describe(item)}, expected a string; the record is skipped.`));
      });
    }
    let prompt = promptOf(entry, v, 'prompt');
    if (!prompt) {
      problems.push(wrongType(ctx, entry, ['prompt'], v['prompt'], 'a string', 'the prompt is left empty'));
      prompt = { text: '' };
    }
    // The 3×3 comparison needs all six responses in place.
    if (responses.length !== 6) return { records: [], problems };
    const subset = stringOf(v['subset']) ?? stringOf(v['domain']);
    const metadata: Record<string, unknown> = { style: [...RM_BENCH_STYLES] };
    for (const key of ['domain', 'error_key', 'error']) if (key in v) metadata[key] = v[key];
    return {
      records: [preferenceSet(entry, { id: recordId(entry, v), prompt, responses, subset, labelSource: 'chosen/rejected keys', comparison: 'matrix3x3', metadata })],
      problems,
    };
  },
};
