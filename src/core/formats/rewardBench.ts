import type { JsonEntry } from '../json/readJsonDocument.js';
import type { PreferenceResponse } from '../dataset/types.js';
import { describe, isObject, locatedString, recordId, type LocatedText } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';
import { checkRecord, finiteNumber, preferenceResponse, preferenceSet, problemAt, promptOf, stringOf, wrongType } from './preferenceSteps.js';

const RB = 'RewardBench';
const RB_EXPECTED =
  'an object with "prompt" (a string or message list), "chosen", "rejected" (strings), "chosen_model", "rejected_model", "subset" and "id"';

/**
 * RewardBench (`allenai/reward-bench`): `{prompt, chosen, chosen_model, rejected, rejected_model, subset, id}`,
 * one chosen/rejected pair per row. `prompt` may be a list of messages (the `pref-test-sets` companion).
 */
export const rewardBench: FormatSpec = {
  id: 'rewardbench',
  label: 'RewardBench',
  detect(v) {
    if (!isObject(v) || !('prompt' in v) || typeof v['chosen'] !== 'string' || typeof v['rejected'] !== 'string') return 0;
    if ('chosen_model' in v || 'rejected_model' in v) return 3;
    return 'subset' in v ? 2 : 0;
  },
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const rec = checkRecord(RB, RB_EXPECTED, entry.value, ['prompt', 'chosen', 'rejected']);
    if (!rec.ok) return rec.outcome;
    const v = rec.value;
    const problems: RecordProblem[] = [];
    const chosen = locatedString(entry, v, 'chosen');
    const rejected = locatedString(entry, v, 'rejected');
    if (!chosen) problems.push(wrongType(ctx, entry, ['chosen'], v['chosen'], 'a string', 'the record is skipped'));
    if (!rejected) problems.push(wrongType(ctx, entry, ['rejected'], v['rejected'], 'a string', 'the record is skipped'));
    let prompt = promptOf(entry, v, 'prompt');
    if (!prompt) {
      problems.push(wrongType(ctx, entry, ['prompt'], v['prompt'], 'a string or a list of {role, content} messages', 'the prompt is left empty'));
      prompt = { text: '' };
    }
    if (!chosen || !rejected) return { records: [], problems };
    const chosenModel = stringOf(v['chosen_model']);
    const rejectedModel = stringOf(v['rejected_model']);
    return {
      records: [
        preferenceSet(entry, {
          id: recordId(entry, v),
          prompt,
          responses: [
            preferenceResponse(ctx, chosen, true, chosenModel !== undefined ? { model: chosenModel } : {}),
            preferenceResponse(ctx, rejected, false, rejectedModel !== undefined ? { model: rejectedModel } : {}),
          ],
          subset: stringOf(v['subset']),
          labelSource: 'chosen/rejected keys',
          comparison: 'pair',
          metadata: {},
        }),
      ],
      problems,
    };
  },
};

const RB2 = 'RewardBench 2';
const RB2_EXPECTED = 'an object with "prompt" (string), "chosen" and "rejected" (lists of strings), "num_correct" and "subset"';

/**
 * RewardBench 2 (`allenai/reward-bench-2`): `{id, prompt, chosen: [str], rejected: [str], num_correct,
 * num_incorrect, total_completions, models, subset, additional_metadata}`. As the benchmark scores it, the
 * responses are `chosen + rejected` flattened and the first `num_correct` are the correct ones (usually one of
 * four; the Ties subset has many). `models` names each flattened completion when its length matches.
 */
export const rewardBench2: FormatSpec = {
  id: 'rewardbench2',
  label: 'RewardBench 2',
  detect: (v) => (isObject(v) && 'prompt' in v && Array.isArray(v['chosen']) && Array.isArray(v['rejected']) && 'num_correct' in v ? 3 : 0),
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const rec = checkRecord(RB2, RB2_EXPECTED, entry.value, ['prompt', 'chosen', 'rejected']);
    if (!rec.ok) return rec.outcome;
    const v = rec.value;
    const problems: RecordProblem[] = [];
    const chosenList = v['chosen'];
    const rejectedList = v['rejected'];
    if (!Array.isArray(chosenList)) problems.push(wrongType(ctx, entry, ['chosen'], chosenList, 'a list of strings', 'the record is skipped'));
    if (!Array.isArray(rejectedList)) problems.push(wrongType(ctx, entry, ['rejected'], rejectedList, 'a list of strings', 'the record is skipped'));
    if (!Array.isArray(chosenList) || !Array.isArray(rejectedList)) return { records: [], problems };
    const correct = correctCount(ctx, entry, v['num_correct'], 'num_correct' in v, chosenList.length, problems);
    const total = chosenList.length + rejectedList.length;
    const models = Array.isArray(v['models']) && v['models'].length === total ? v['models'] : undefined;
    const responses: PreferenceResponse[] = [];
    const flattened = [
      ...chosenList.map((item: unknown, i) => ({ key: 'chosen', list: chosenList, i, item })),
      ...rejectedList.map((item: unknown, i) => ({ key: 'rejected', list: rejectedList, i, item })),
    ];
    flattened.forEach(({ key, list, i, item }, position) => {
      const located = locatedString(entry, list, i);
      const model = stringOf(models?.[position]);
      if (located) responses.push(preferenceResponse(ctx, located, position < correct, model !== undefined ? { model } : {}));
      else problems.push(problemAt(ctx, entry, [key, i], `"${key}" item ${i + 1} is ${describe(item)}, expected a string; it is skipped.`));
    });
    const prompt = promptOf(entry, v, 'prompt') ?? promptProblem(ctx, entry, v['prompt'], problems);
    const metadata: Record<string, unknown> = { num_correct: v['num_correct'] ?? null };
    for (const key of ['num_incorrect', 'total_completions', 'additional_metadata']) if (key in v) metadata[key] = v[key];
    return {
      records: [
        preferenceSet(entry, { id: recordId(entry, v), prompt, responses, subset: stringOf(v['subset']), labelSource: 'num_correct', comparison: 'best-of-n', metadata }),
      ],
      problems,
    };
  },
};

/** `num_correct` when valid; otherwise (with a warning) the number of `chosen` completions. */
function correctCount(ctx: FormatContext, entry: JsonEntry, value: unknown, present: boolean, chosenCount: number, problems: RecordProblem[]): number {
  const n = finiteNumber(value);
  if (n === undefined || !Number.isInteger(n) || n < 0) {
    const found = present ? JSON.stringify(value) : 'missing';
    problems.push({
      ...problemAt(ctx, entry, ['num_correct'], `"num_correct" is ${found}, expected a non-negative integer; the ${chosenCount} "chosen" completions are taken as the correct ones.`),
      severity: 'warning',
    });
    return chosenCount;
  }
  if (n !== chosenCount) {
    problems.push({
      ...problemAt(ctx, entry, ['num_correct'], `"num_correct" is ${n} but "chosen" has ${chosenCount} completions; as RewardBench 2 scores it, the first ${n} of chosen + rejected are the correct ones.`),
      severity: 'warning',
    });
  }
  return n;
}

function promptProblem(ctx: FormatContext, entry: JsonEntry, value: unknown, problems: RecordProblem[]): LocatedText {
  problems.push(wrongType(ctx, entry, ['prompt'], value, 'a string', 'the prompt is left empty'));
  return { text: '' };
}
