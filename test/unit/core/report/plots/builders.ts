// Test builders: real `assembleScored` over hand-made records, so scores, margins and first errors are computed
// the way the scorer pipeline computes them.
import type { PreferenceSet, StepLabel, Trace } from '../../../../../src/core/dataset/types.js';
import { assembleScored, DEFAULT_SCORING, type ScoredPreference, type ScoredTrace } from '../../../../../src/core/scoring/scoreRecords.js';

let nextId = 0;

/** A trace whose steps have the given scores and labels, scored with threshold 0.5 and `min` aggregation. */
export function scoredTrace(
  steps: readonly (readonly [score: number, label: StepLabel])[],
  opts: { readonly prompt?: string; readonly correct?: boolean; readonly label?: number; readonly id?: string } = {},
): ScoredTrace {
  const record: Trace = {
    kind: 'trace',
    id: opts.id ?? `t${nextId++}`,
    recordRange: { start: 0, end: 0 },
    prompt: opts.prompt ?? `prompt ${nextId}`,
    steps: steps.map(([, label], index) => ({ index, text: `step ${index}`, label, part: 'reasoning' })),
    ...(opts.correct !== undefined ? { correct: opts.correct } : {}),
    metadata: opts.label !== undefined ? { label: opts.label } : {},
  };
  const s = assembleScored(record, [{ steps: steps.map(([score]) => ({ score })), device: 'test' }], DEFAULT_SCORING);
  if (s.kind !== 'trace') throw new Error('expected a trace');
  return s;
}

/** A preference set: `chosen` and `rejected` sequence scores (undefined = unscored). */
export function scoredPreference(
  chosen: readonly (number | undefined)[],
  rejected: readonly (number | undefined)[],
  opts: { readonly comparison?: PreferenceSet['comparison']; readonly subset?: string; readonly id?: string } = {},
): ScoredPreference {
  const scores = [...chosen, ...rejected];
  const record: PreferenceSet = {
    kind: 'preference',
    id: opts.id ?? `p${nextId++}`,
    recordRange: { start: 0, end: 0 },
    prompt: 'q',
    responses: scores.map((_, i) => ({ text: `r${i}`, chosen: i < chosen.length, steps: [] })),
    ...(opts.subset !== undefined ? { subset: opts.subset } : {}),
    labelSource: 'test',
    comparison: opts.comparison ?? 'pair',
    metadata: {},
  };
  const results = scores.map((s) => (s === undefined ? { steps: [], device: 'test' } : { steps: [], sequenceScore: s, device: 'test' }));
  const p = assembleScored(record, results, DEFAULT_SCORING);
  if (p.kind !== 'preference') throw new Error('expected a preference');
  return p;
}
