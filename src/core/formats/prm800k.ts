import type { JsonEntry } from '../json/readJsonDocument.js';
import type { Step, StepLabel } from '../dataset/types.js';
import { describe, hasKeys, isObject, locatedString, recordId, stepOf, wrongShape, type JsonObject, type LocatedText, buildTrace } from './fields.js';
import type { FormatContext, FormatSpec, ParseOptions, RecordOutcome, RecordProblem } from './formatSpec.js';

/**
 * The label of a PRM800K `rating`: 1 good, -1 bad, 0 as `ratingZero` says (the conventions disagree on it),
 * null or absent unknown. Any other value is `undefined` so the caller can report it.
 */
export function prm800kLabel(rating: unknown, ratingZero: ParseOptions['prm800kRatingZero']): StepLabel | undefined {
  if (rating === 1) return 'good';
  if (rating === -1) return 'bad';
  if (rating === 0) return ratingZero;
  if (rating === null || rating === undefined) return 'unknown';
  return undefined;
}

/** The step shown for one element of `label.steps`, with the rating it carries. */
interface PickedCompletion {
  readonly text: LocatedText;
  readonly rating: unknown;
}

/** `completion.text` located, for a completion object. */
function completionText(entry: JsonEntry, completion: unknown): PickedCompletion | undefined {
  if (!isObject(completion)) return undefined;
  const text = locatedString(entry, completion, 'text');
  return text ? { text, rating: completion['rating'] } : undefined;
}

/** `human_completion`: an object `{text, rating, ...}` in real data, a plain string in the README's comment. */
function humanText(entry: JsonEntry, step: JsonObject): PickedCompletion | undefined {
  const human = step['human_completion'];
  if (typeof human === 'string') {
    const text = locatedString(entry, step, 'human_completion');
    return text ? { text, rating: null } : undefined;
  }
  return completionText(entry, human);
}

/**
 * PRM800K (openai/prm800k): one labelled solution per line, `{labeler, generation, question:{problem,
 * ground_truth_answer, ...}, label:{steps:[{completions, human_completion, chosen_completion}], finish_reason}}`.
 * The trajectory is rebuilt from the chosen completion of each step, else the human completion. At the terminal
 * error step nothing is chosen; the first completion rated -1 is shown so the error is visible, and the number of
 * completions offered there is kept as `metadata.alternatives`.
 */
export const prm800k: FormatSpec = {
  id: 'prm800k',
  label: 'PRM800K',
  detect: (v) => (hasKeys(v, 'question', 'label') && isObject(v['question']) && isObject(v['label']) ? (hasKeys(v['label'], 'steps') ? 3 : 2) : 0),
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const v = entry.value;
    const question = isObject(v) ? v['question'] : undefined;
    const label = isObject(v) ? v['label'] : undefined;
    if (!isObject(v) || !isObject(question) || !isObject(label) || !Array.isArray(label['steps'])) {
      return wrongShape('PRM800K', 'an object with "question" ({problem, ground_truth_answer}) and "label" ({steps: [...]})');
    }
    const problems: RecordProblem[] = [];
    const rawSteps: readonly unknown[] = label['steps'];
    const steps: Step[] = [];
    const metadata: Record<string, unknown> = {};
    rawSteps.forEach((raw, i) => {
      const where = `label.steps[${i}]`;
      if (!isObject(raw)) {
        problems.push({ message: `${where} is ${describe(raw)}, expected an object with "completions" and "chosen_completion"; it is skipped.` });
        return;
      }
      const completions = raw['completions'];
      if (completions !== null && completions !== undefined && !Array.isArray(completions)) {
        problems.push({ message: `${where}.completions is ${describe(completions)}, expected an array or null.` });
      }
      const list: readonly unknown[] = Array.isArray(completions) ? completions : [];
      const chosen = raw['chosen_completion'];
      const isLast = i === rawSteps.length - 1;
      let picked: PickedCompletion | undefined;
      if (typeof chosen === 'number') {
        picked = Number.isInteger(chosen) ? completionText(entry, list[chosen]) : undefined;
        if (!picked) {
          problems.push({ message: `${where}.chosen_completion is ${chosen}, but there is no completion with a "text" string at that index (${list.length} completions); the step is skipped.` });
          return;
        }
      } else if (chosen !== null && chosen !== undefined) {
        problems.push({ message: `${where}.chosen_completion is ${describe(chosen)}, expected an integer index or null.` });
      }
      picked ??= humanText(entry, raw);
      if (!picked) {
        // The terminal (error) step: several alternatives, none chosen. Show the first one rated -1.
        const errorAt = list.findIndex((c) => isObject(c) && c['rating'] === -1);
        picked = errorAt === -1 ? undefined : completionText(entry, list[errorAt]);
        if (isLast && list.length > 0) metadata['alternatives'] = list.length;
        if (!picked) {
          if (!isLast) {
            problems.push({
              message: `${where} has no chosen completion, no human completion and no completion rated -1; it is skipped.`,
              severity: 'warning',
            });
          }
          return;
        }
      }
      let stepLabel = prm800kLabel(picked.rating, ctx.options.prm800kRatingZero);
      if (stepLabel === undefined) {
        problems.push({ message: `${where} has rating ${JSON.stringify(picked.rating)}, expected 1, 0, -1 or null; the step is unlabelled.`, severity: 'warning' });
        stepLabel = 'unknown';
      }
      steps.push(stepOf(steps.length, picked.text, stepLabel));
    });

    const prompt = locatedString(entry, question, 'problem');
    if (!prompt) problems.push({ message: `"question.problem" is ${describe(question['problem'])}, expected a string.` });
    const reference = question['ground_truth_answer'];
    if (label['finish_reason'] !== undefined) metadata['finish_reason'] = label['finish_reason'];
    for (const key of ['generation', 'labeler'] as const) if (v[key] !== undefined) metadata[key] = v[key];
    return {
      records: [buildTrace(entry, recordId(entry, v), prompt, steps, { reference }, metadata)],
      problems,
    };
  },
};
