import type { JsonEntry } from '../json/readJsonDocument.js';
import type { StepLabel } from '../dataset/types.js';
import { describe, hasKeys, locatedString, messagesLocated, recordId, stepsFromArray, wrongShape, type LocatedText, buildTrace } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';

/** A TRL stepwise label: `true` or a number ≥ 0.5 is good, `false` or a number < 0.5 bad; anything else undefined. */
export function trlStepLabel(value: unknown): StepLabel | undefined {
  if (typeof value === 'boolean') return value ? 'good' : 'bad';
  if (typeof value === 'number' && Number.isFinite(value)) return value >= 0.5 ? 'good' : 'bad';
  return undefined;
}

/**
 * TRL stepwise supervision (`trl.experimental.prm.PRMTrainer`): `{prompt: str, completions: [str], labels:
 * [bool | float]}`, one label per step. Float labels (soft or Monte-Carlo estimates) are also kept as
 * `metadata.datasetStepScores`.
 */
export const trlStepwise: FormatSpec = {
  id: 'trl-stepwise',
  label: 'TRL stepwise supervision',
  detect: (v) => (hasKeys(v, 'prompt', 'completions', 'labels') && Array.isArray(v['completions']) && Array.isArray(v['labels']) ? 3 : 0),
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    void ctx;
    const v = entry.value;
    if (!hasKeys(v, 'prompt', 'completions', 'labels') || !Array.isArray(v['completions'])) {
      return wrongShape('TRL stepwise', 'an object with "prompt" (string), "completions" (array of strings) and "labels" (array of booleans or numbers)');
    }
    const problems: RecordProblem[] = [];
    const completions: readonly unknown[] = v['completions'];
    const rawLabels = v['labels'];
    const labels: readonly unknown[] = Array.isArray(rawLabels) ? rawLabels : [];
    if (!Array.isArray(rawLabels)) {
      problems.push({ message: `"labels" is ${describe(rawLabels)}, expected an array of booleans or numbers; steps are unlabelled.`, severity: 'warning' });
    } else if (labels.length !== completions.length) {
      problems.push({
        message: `"labels" has ${labels.length} entries for ${completions.length} completions; steps without a label are unlabelled.`,
        severity: 'warning',
      });
    }
    const badLabels: number[] = [];
    const labelOf = (i: number): StepLabel => {
      if (i >= labels.length) return 'unknown';
      const label = trlStepLabel(labels[i]);
      if (label === undefined) badLabels.push(i);
      return label ?? 'unknown';
    };
    const steps = stepsFromArray(entry, completions, labelOf, problems);
    if (badLabels.length > 0) {
      problems.push({
        message: `Label${badLabels.length > 1 ? 's' : ''} ${badLabels.map((i) => i + 1).join(', ')} ${badLabels.length > 1 ? 'are' : 'is'} not a boolean or number; ${badLabels.length > 1 ? 'those steps are' : 'that step is'} unlabelled.`,
        severity: 'warning',
      });
    }

    const metadata: Record<string, unknown> = {};
    const scores = completions.flatMap((c, i) => (typeof c === 'string' ? [labels[i]] : []));
    if (labels.some((l) => typeof l === 'number') && scores.length === steps.length && scores.every((s) => typeof s === 'number')) {
      metadata['datasetStepScores'] = scores;
    }

    const rawPrompt = v['prompt'];
    const prompt: LocatedText | undefined =
      typeof rawPrompt === 'string' ? locatedString(entry, v, 'prompt') : Array.isArray(rawPrompt) ? messagesLocated(rawPrompt) : undefined;
    if (!prompt) problems.push({ message: `"prompt" is ${describe(rawPrompt)}, expected a string.` });
    return {
      records: [buildTrace(entry, recordId(entry, v), prompt, steps, {}, metadata)],
      problems,
    };
  },
};
