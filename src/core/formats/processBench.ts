import type { JsonEntry } from '../json/readJsonDocument.js';
import type { StepLabel } from '../dataset/types.js';
import { hasKeys, locatedString, recordId, stepsFromArray, wrongShape, buildTrace } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';

/**
 * ProcessBench (Qwen/ProcessBench): `{id, generator, problem, steps:[str], final_answer_correct, label}` where
 * `label` is the 0-based index of the earliest wrong step or -1. Steps before the label are good, the labelled
 * one is bad, later ones are unlabelled by design.
 */
export const processBench: FormatSpec = {
  id: 'processbench',
  label: 'ProcessBench',
  detect: (v) => (hasKeys(v, 'problem', 'steps', 'label') ? (hasKeys(v, 'final_answer_correct') || hasKeys(v, 'generator') ? 3 : 2) : 0),
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const v = entry.value;
    if (!hasKeys(v, 'problem', 'steps', 'label') || !Array.isArray(v['steps'])) {
      return wrongShape('ProcessBench', 'an object with "problem" (string), "steps" (array of strings) and "label" (integer)');
    }
    const problems: RecordProblem[] = [];
    const label = v['label'];
    if (typeof label !== 'number' || !Number.isInteger(label) || label < -1) {
      problems.push({ message: `"label" is ${JSON.stringify(label)}, expected -1 or the 0-based index of the first wrong step.` });
    }
    const first = typeof label === 'number' ? label : Number.NaN;
    const labelOf = (i: number): StepLabel =>
      Number.isNaN(first) ? 'unknown' : first === -1 || i < first ? 'good' : i === first ? 'bad' : 'unknown';
    const steps = stepsFromArray(entry, v['steps'], labelOf, problems);
    const prompt = locatedString(entry, v, 'problem');
    void ctx;
    const correct = v['final_answer_correct'];
    const metadata: Record<string, unknown> = { label };
    if (typeof v['generator'] === 'string') metadata['generator'] = v['generator'];
    return {
      records: [buildTrace(entry, recordId(entry, v), prompt, steps, { correct }, metadata)],
      problems,
    };
  },
};
