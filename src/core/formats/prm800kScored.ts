import type { JsonEntry } from '../json/readJsonDocument.js';
import { describe, hasKeys, isObject, locatedString, recordId, stepsFromArray, wrongShape, buildTrace } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';

/**
 * PRM800K scored best-of-N samples (`scored-test-samples.jsonl`): `{problem, answer|given_answer, is_correct,
 * unique_id, steps:[str], rating_probs:[{"-1","0","1"}], prm_score, orm_score, ...}`, one sampled solution per line.
 * `rating_probs` are a PRM's predictions, not human labels: steps stay `unknown` and each step's P(rating = 1) goes
 * to `metadata.datasetStepScores` (one number per kept step) for a score overlay. Ids are `<unique_id>#<record
 * ordinal + 1>`, since all samples of a problem share its `unique_id`.
 */
export const prm800kScored: FormatSpec = {
  id: 'prm800k-scored',
  label: 'PRM800K scored samples',
  detect: (v) =>
    hasKeys(v, 'problem', 'steps') ? (hasKeys(v, 'rating_probs') ? 3 : hasKeys(v, 'prm_score') || hasKeys(v, 'orm_score') ? 2 : 0) : 0,
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    void ctx;
    const v = entry.value;
    if (!hasKeys(v, 'problem', 'steps') || !Array.isArray(v['steps'])) {
      return wrongShape('PRM800K scored sample', 'an object with "problem" (string), "steps" (array of strings) and "rating_probs"');
    }
    const problems: RecordProblem[] = [];
    const rawSteps: readonly unknown[] = v['steps'];
    const steps = stepsFromArray(entry, rawSteps, () => 'unknown', problems);
    const metadata: Record<string, unknown> = {};

    const probs = v['rating_probs'];
    if (Array.isArray(probs)) {
      const kept = rawSteps.flatMap((s, i) => (typeof s === 'string' ? [i] : []));
      const scores = kept.map((i) => {
        const p: unknown = probs[i];
        return isObject(p) && typeof p['1'] === 'number' ? p['1'] : undefined;
      });
      if (probs.length !== rawSteps.length) {
        problems.push({
          message: `"rating_probs" has ${probs.length} entries for ${rawSteps.length} steps; the dataset's step scores are not shown.`,
          severity: 'warning',
        });
      } else if (scores.some((s) => s === undefined)) {
        problems.push({
          message: '"rating_probs" has an entry without a numeric "1" probability; the dataset\'s step scores are not shown.',
          severity: 'warning',
        });
      } else {
        metadata['datasetStepScores'] = scores;
      }
    } else if (probs !== undefined) {
      problems.push({ message: `"rating_probs" is ${describe(probs)}, expected an array of {"-1","0","1"} probabilities.`, severity: 'warning' });
    }
    for (const key of ['prm_score', 'orm_score', 'unique_id', 'subject', 'level'] as const) {
      if (v[key] !== undefined) metadata[key] = v[key];
    }

    const prompt = locatedString(entry, v, 'problem');
    if (!prompt) problems.push({ message: `"problem" is ${describe(v['problem'])}, expected a string.` });
    const answer = typeof v['answer'] === 'string' ? v['answer'] : v['given_answer'];
    const reference = v['ground_truth_answer'];
    const correct = v['is_correct'];
    // `unique_id` names the problem, shared by its N samples: the record ordinal makes the id unique.
    const id = typeof v['unique_id'] === 'string' ? `${v['unique_id']}#${entry.ordinal + 1}` : recordId(entry, v);
    return { records: [buildTrace(entry, id, prompt, steps, { answer, reference, correct }, metadata)], problems };
  },
};
