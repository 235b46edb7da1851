import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runsOf } from '../core/dataset/slicing.js';
import type { DatasetRecord, Problem } from '../core/dataset/types.js';
import { loggedResults, readScoreLog, scoreLogLines, type ScoreLog } from '../core/editor/scoreLog.js';
import { assembleScored, scoreRecords, type ScoredRecord, type ScoringSettings } from '../core/scoring/scoreRecords.js';
import type { ScoreResult, Scorer } from '../core/scoring/scorer.js';
import type { DatasetSource } from './datasetSource.js';

/** Rows read and scored per step: a killed run loses at most this many rows' work. */
export const DATASET_BATCH_ROWS = 64;

/** Progress of a dataset run. */
export interface DatasetProgress {
  readonly done: number;
  readonly total: number;
  /** Rows per second since the start (scored rows only, so a resumed run's ETA is honest). */
  readonly rate: number;
  readonly etaSeconds: number | undefined;
}

/** One scored row. */
export interface ScoredRow {
  readonly position: number;
  readonly scored: readonly ScoredRecord[];
  readonly problems: readonly Problem[];
  /** True when the results came from the log (an earlier run), not from the scorer now. */
  readonly reused: boolean;
}

export interface DatasetRunOptions {
  readonly modelId: string;
  /** The append-only score log; absent = nothing persisted. */
  readonly logPath?: string;
  readonly signal?: AbortSignal;
  /**
   * Results the caller already holds for a record (the editor's sidecar: records scored in the text editor), used
   * like logged ones; consulted after the log. Not written to the log (they are kept where they came from).
   */
  readonly known?: (record: DatasetRecord) => readonly ScoreResult[] | undefined;
  /** Each batch of rows as it is scored (and logged), in position order. */
  readonly onRows?: (rows: readonly ScoredRow[]) => void;
  readonly onProgress?: (p: DatasetProgress) => void;
}

/** Reads the score log at `path` (a missing one is empty). */
export function loadScoreLog(path: string): ScoreLog {
  return readScoreLog(existsSync(path) ? readFileSync(path, 'utf8') : '');
}

/**
 * Scores the rows at `positions` of a source in batches, reading each batch from the file only when it is its
 * turn: records already in the score log for this model and text are reused (the run resumes), the others are
 * scored and appended to the log before the next batch starts. Throws the scorer's error (or AbortError) after
 * everything finished before it has been handed to `onRows` and logged.
 */
export async function scoreDataset(source: DatasetSource, positions: readonly number[], scorer: Scorer, settings: ScoringSettings, opts: DatasetRunOptions): Promise<{ scored: number; reused: number }> {
  let log: ScoreLog | undefined;
  if (opts.logPath !== undefined) {
    const text = existsSync(opts.logPath) ? readFileSync(opts.logPath, 'utf8') : '';
    log = readScoreLog(text);
    mkdirSync(dirname(opts.logPath), { recursive: true });
    // A run killed mid-write leaves a torn last line: end it, so the next line is not glued to it.
    if (text !== '' && !text.endsWith('\n')) appendFileSync(opts.logPath, '\n');
  }
  const started = Date.now();
  let done = 0;
  let scoredRows = 0;
  let reusedRows = 0;
  for (const run of runsOf(positions, DATASET_BATCH_ROWS)) {
    opts.signal?.throwIfAborted();
    const rows = await source.readRows(run.start, run.end, opts.signal);
    const fresh: { row: number; record: DatasetRecord }[] = [];
    const out = new Map<number, { scored: (ScoredRecord | undefined)[]; problems: readonly Problem[]; reused: boolean }>();
    for (const row of rows) {
      const slots: (ScoredRecord | undefined)[] = [];
      let reused = row.records.length > 0;
      row.records.forEach((record) => {
        const prior = (log !== undefined ? loggedResults(log, opts.modelId, record) : undefined) ?? opts.known?.(record);
        if (prior !== undefined) slots.push(assembleScored(record, prior, settings));
        else {
          reused = false;
          slots.push(undefined);
          fresh.push({ row: row.position, record });
        }
      });
      out.set(row.position, { scored: slots, problems: row.problems, reused });
    }
    // Records arrive one by one, so a run that fails part-way (a server gone, a model error) keeps and logs
    // every record scored before the failure.
    const results: ScoredRecord[] = [];
    let failure: unknown;
    if (fresh.length > 0) {
      try {
        await scoreRecords(
          fresh.map((f) => f.record),
          scorer,
          settings,
          { onRecord: (r) => results.push(r), ...(opts.signal ? { signal: opts.signal } : {}) },
        );
      } catch (err) {
        failure = err;
      }
    }
    if (opts.logPath !== undefined && results.length > 0) {
      appendFileSync(opts.logPath, results.map((r, i) => scoreLogLines(opts.modelId, fresh[i]?.row ?? -1, r.record, r.results)).join(''));
    }
    results.forEach((r, i) => {
      const slots = out.get(fresh[i]?.row ?? -1)?.scored;
      const at = slots?.indexOf(undefined) ?? -1;
      if (slots !== undefined && at >= 0) slots[at] = r;
    });
    const batch: ScoredRow[] = [];
    for (const [position, o] of out) {
      if (o.scored.includes(undefined)) continue;
      batch.push({ position, scored: o.scored.filter((x): x is ScoredRecord => x !== undefined), problems: o.problems, reused: o.reused });
      if (o.reused) reusedRows++;
      else scoredRows++;
    }
    done += batch.length;
    opts.onRows?.(batch);
    if (failure !== undefined) throw failure;
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? scoredRows / secs : 0;
    opts.onProgress?.({ done, total: positions.length, rate, etaSeconds: rate > 0 ? (positions.length - done) / rate : undefined });
  }
  return { scored: scoredRows, reused: reusedRows };
}
