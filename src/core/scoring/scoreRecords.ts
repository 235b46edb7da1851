import type { DatasetRecord, PreferenceSet, PromptMessage, Step, Trace } from '../dataset/types.js';
import { aggregate, aggregateAll, firstUnder, type Aggregation } from './aggregate.js';
import type { ScoreRequest, ScoreResult, Scorer, StepScore } from './scorer.js';

/** Settings that turn step scores into verdicts, passed in by the caller (never read globally). */
export interface ScoringSettings {
  /** Steps strictly under this score are low-scoring; the first such step is the predicted first error. */
  readonly threshold: number;
  /** How step scores combine into a trace or response score. */
  readonly aggregation: Aggregation;
  /** Requests per scorer call; between calls the abort signal is checked. */
  readonly batchSize: number;
}

/** Defaults matching the extension's settings. */
export const DEFAULT_SCORING: ScoringSettings = { threshold: 0.5, aggregation: 'min', batchSize: 16 };

/** A trace with its scores. */
export interface ScoredTrace {
  readonly kind: 'trace';
  readonly record: Trace;
  readonly steps: readonly StepScore[];
  /** Every aggregation; `undefined` where there are no step scores. */
  readonly scores: Readonly<Record<Aggregation, number | undefined>>;
  /** The trace score under the chosen aggregation, or the sequence score of an ORM. */
  readonly score: number | undefined;
  /** 0-based index of the first step under the threshold, or null. */
  readonly firstError: number | null;
  readonly device: string;
  readonly warnings: readonly string[];
  /** The scorer's raw results for `requestsOf(record)`, for caches and sidecars. */
  readonly results: readonly ScoreResult[];
}

/** One response of a preference set with its scores. */
export interface ScoredResponse {
  readonly steps: readonly StepScore[];
  readonly score: number | undefined;
}

/** A preference set with its scores. */
export interface ScoredPreference {
  readonly kind: 'preference';
  readonly record: PreferenceSet;
  readonly responses: readonly ScoredResponse[];
  /**
   * `pair`/`matrix3x3`: mean chosen score − mean rejected score; `best-of-n`: lowest chosen − highest rejected
   * (positive iff every chosen response outranks every rejected one). `null` when a side is missing or unscored.
   */
  readonly margin: number | null;
  /** True when the margin is positive, false when not, null when there is no margin. */
  readonly agreesWithLabel: boolean | null;
  readonly device: string;
  readonly warnings: readonly string[];
  /** The scorer's raw results for `requestsOf(record)`, for caches and sidecars. */
  readonly results: readonly ScoreResult[];
}

/** A scored record. */
export type ScoredRecord = ScoredTrace | ScoredPreference;

function requestOfSteps(prompt: string, messages: readonly PromptMessage[] | undefined, steps: readonly Step[], answer?: string, reference?: string): ScoreRequest {
  return {
    prompt,
    ...(messages !== undefined ? { messages } : {}),
    steps: steps.map((s) => s.text),
    parts: steps.map((s) => s.part),
    ...(answer !== undefined ? { answer } : {}),
    ...(reference !== undefined ? { reference } : {}),
  };
}

/** The scorer requests a record needs: one for a trace, one per response for a preference set. */
export function requestsOf(record: DatasetRecord): ScoreRequest[] {
  if (record.kind === 'trace') return [requestOfSteps(record.prompt, record.promptMessages, record.steps, record.answer, record.reference)];
  const messages = record.promptMessages;
  const responses = record.responses.map((r) => r.text);
  return record.responses.map((r, index) => ({
    ...(r.steps.length > 0 ? requestOfSteps(record.prompt, messages, r.steps) : { prompt: record.prompt, ...(messages !== undefined ? { messages } : {}), steps: [r.text] }),
    response: r.text,
    siblings: { responses, index },
  }));
}

function responseScore(result: ScoreResult, method: Aggregation): number | undefined {
  if (result.sequenceScore !== undefined) return result.sequenceScore;
  return aggregate(
    result.steps.map((s) => s.score),
    method,
  );
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Margin of a preference set's scores; see `ScoredPreference.margin`. */
export function preferenceMargin(record: PreferenceSet, scores: readonly (number | undefined)[]): number | null {
  const chosen: number[] = [];
  const rejected: number[] = [];
  for (let i = 0; i < record.responses.length; i++) {
    const s = scores[i];
    if (s === undefined) return null;
    (record.responses[i]?.chosen ? chosen : rejected).push(s);
  }
  if (chosen.length === 0 || rejected.length === 0) return null;
  if (record.comparison === 'best-of-n') return Math.min(...chosen) - Math.max(...rejected);
  return mean(chosen) - mean(rejected);
}

/** Combines a record with the results of `requestsOf(record)` (same order). */
export function assembleScored(record: DatasetRecord, results: readonly ScoreResult[], settings: ScoringSettings): ScoredRecord {
  const device = results[0]?.device ?? 'none';
  const warnings = results.flatMap((r) => r.warnings ?? []);
  if (record.kind === 'trace') {
    const result = results[0] ?? { steps: [], device };
    const stepScores = result.steps.map((s) => s.score);
    return {
      kind: 'trace',
      record,
      steps: result.steps,
      scores: aggregateAll(stepScores),
      score: responseScore(result, settings.aggregation),
      firstError: firstUnder(stepScores, settings.threshold),
      device,
      warnings,
      results,
    };
  }
  const responses = record.responses.map((_, i): ScoredResponse => {
    const r = results[i] ?? { steps: [], device };
    return { steps: r.steps, score: responseScore(r, settings.aggregation) };
  });
  const margin = preferenceMargin(
    record,
    responses.map((r) => r.score),
  );
  return { kind: 'preference', record, responses, margin, agreesWithLabel: margin === null ? null : margin > 0, device, warnings, results };
}

/** Progress reported after each batch. */
export interface ScoreProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * Scores records in batches of requests, in order. Checks `signal` between batches; records completed before an
 * abort are delivered through `onRecord` (so a cancelled run keeps them) and the promise then rejects.
 */
export async function scoreRecords(
  records: readonly DatasetRecord[],
  scorer: Scorer,
  settings: ScoringSettings,
  hooks: { readonly signal?: AbortSignal; readonly onRecord?: (r: ScoredRecord, index: number) => void; readonly onProgress?: (p: ScoreProgress) => void } = {},
): Promise<ScoredRecord[]> {
  const out: ScoredRecord[] = [];
  let next = 0;
  while (next < records.length) {
    if (hooks.signal?.aborted) throw abortError();
    // Gather whole records until the batch is full, so a record is never split across calls.
    const batch: DatasetRecord[] = [];
    const requests: ScoreRequest[] = [];
    while (next < records.length && (requests.length === 0 || requests.length < settings.batchSize)) {
      const record = records[next++];
      if (record === undefined) break;
      batch.push(record);
      requests.push(...requestsOf(record));
    }
    const results = await scorer.score(requests, hooks.signal);
    let at = 0;
    for (const record of batch) {
      const n = record.kind === 'trace' ? 1 : record.responses.length;
      const scored = assembleScored(record, results.slice(at, at + n), settings);
      at += n;
      out.push(scored);
      hooks.onRecord?.(scored, out.length - 1);
    }
    hooks.onProgress?.({ done: out.length, total: records.length });
  }
  return out;
}

/** An Error named `AbortError`, as `AbortSignal` users expect. */
export function abortError(): Error {
  const err = new Error('The operation was cancelled.');
  err.name = 'AbortError';
  return err;
}
