import type { DatasetRecord } from '../dataset/types.js';
import { requestsOf } from '../scoring/scoreRecords.js';
import type { ScoreResult } from '../scoring/scorer.js';
import { requestKey, type SidecarData, type StoredResult } from './scoreStore.js';

/**
 * The append-only score log of a data file (`<file>.reward-lens.scores.jsonl`): one JSON line per scored request,
 * keyed by model id, row position and the hash of the scored text. Runs over whole datasets append a batch at a
 * time, so a killed run loses at most the batch in flight (a torn last line is skipped on reading) and a new run
 * resumes where the last one stopped. The editor merges it into the file's sidecar: one sidecar, every view.
 */
export const SCORE_LOG_SUFFIX = '.reward-lens.scores.jsonl';

/** One line of the log. */
export interface ScoreLogLine {
  readonly v: 1;
  readonly model: string;
  readonly row: number;
  readonly key: string;
  readonly result: StoredResult;
}

/** The log lines (each ending in a newline) for one record's results (`requestsOf(record)` order). */
export function scoreLogLines(model: string, row: number, record: DatasetRecord, results: readonly ScoreResult[]): string {
  return requestsOf(record)
    .map((req, i) => {
      const r = results[i];
      if (r === undefined) return '';
      const line: ScoreLogLine = { v: 1, model, row, key: requestKey(req), result: { ...r, recordId: record.id } };
      return `${JSON.stringify(line)}\n`;
    })
    .join('');
}

/** A log read back: results per model and key (the sidecar's shape), and how many lines were unreadable. */
export interface ScoreLog {
  readonly data: SidecarData;
  /** Per model: row position → the keys logged for it. */
  readonly rows: ReadonlyMap<string, ReadonlyMap<number, ReadonlySet<string>>>;
  readonly skipped: number;
}

function isLine(v: unknown): v is ScoreLogLine {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return o['v'] === 1 && typeof o['model'] === 'string' && typeof o['row'] === 'number' && typeof o['key'] === 'string' && typeof o['result'] === 'object' && o['result'] !== null;
}

/** Reads a log's text; later lines win; unreadable lines (a torn last line) are counted, never thrown. */
export function readScoreLog(text: string): ScoreLog {
  const data: SidecarData = { version: 1, models: {} };
  const rows = new Map<string, Map<number, Set<string>>>();
  let skipped = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      skipped++;
      continue;
    }
    if (!isLine(v)) {
      skipped++;
      continue;
    }
    (data.models[v.model] ??= {})[v.key] = v.result;
    let perModel = rows.get(v.model);
    if (perModel === undefined) rows.set(v.model, (perModel = new Map()));
    let keys = perModel.get(v.row);
    if (keys === undefined) perModel.set(v.row, (keys = new Set()));
    keys.add(v.key);
  }
  return { data, rows, skipped };
}

/** Adds a log's results to a sidecar's (the log's are newer: a run over the dataset appends as it goes). */
export function mergeScoreLog(into: SidecarData, log: SidecarData): SidecarData {
  for (const [model, table] of Object.entries(log.models)) Object.assign((into.models[model] ??= {}), table);
  return into;
}

/** The stored results of a record when the log has every one of its requests for this model, else undefined. */
export function loggedResults(log: ScoreLog, model: string, record: DatasetRecord): StoredResult[] | undefined {
  const table = log.data.models[model];
  if (table === undefined) return undefined;
  const out: StoredResult[] = [];
  for (const req of requestsOf(record)) {
    const r = table[requestKey(req)];
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out;
}

/** The log's text without the lines of `model` (what Clear Scores leaves); unreadable lines are dropped too. */
export function withoutModel(text: string, model: string): string {
  return text
    .split('\n')
    .filter((raw) => {
      if (raw.trim() === '') return false;
      try {
        const v: unknown = JSON.parse(raw);
        return isLine(v) && v.model !== model;
      } catch {
        return false;
      }
    })
    .map((l) => `${l}\n`)
    .join('');
}
