import type { DatasetRecord } from '../dataset/types.js';
import { requestsOf } from '../scoring/scoreRecords.js';
import type { ScoreRequest, ScoreResult } from '../scoring/scorer.js';
import { textHash } from './textHash.js';
import { readVariants, type StoredVariant } from './whatIf.js';

/** Sidecar files are named `<data file>.reward-lens.json`; readers of folders skip them. */
export const SIDECAR_SUFFIX = '.reward-lens.json';

/** The cache key of one scorer request: a hash of exactly the text the scorer saw. */
export function requestKey(request: ScoreRequest): string {
  // A response's siblings are part of what a pairwise judge saw; the key of a request without them is unchanged.
  const key: unknown[] = [request.prompt, request.steps, request.answer ?? null, request.reference ?? null];
  if (request.siblings !== undefined) key.push(request.siblings.responses, request.siblings.index);
  return textHash(JSON.stringify(key));
}

/** A stored result: the scorer's output plus when and for which record it was made. */
export interface StoredResult extends ScoreResult {
  readonly recordId: string;
}

/**
 * Persisted scores of one data file (the sidecar's content): per model id, results keyed by `requestKey`, and the
 * what-if edits kept under a name ("Keep as Variant…"; absent in sidecars written before them). The variants' own
 * results sit in `models` beside the original's, keyed by their text like any other.
 * Plain JSON so it round-trips through the sidecar file unchanged.
 */
export interface SidecarData {
  readonly version: 1;
  readonly models: Record<string, Record<string, StoredResult>>;
  /** Replaced as a whole when a variant is kept (see `putVariant`). */
  variants?: StoredVariant[];
}

/** An empty sidecar. */
export function emptySidecar(): SidecarData {
  return { version: 1, models: {} };
}

/**
 * Validates parsed sidecar JSON; anything unexpected yields an empty sidecar (a broken cache must not break the file),
 * and a malformed `variants` list loses only its malformed entries.
 */
export function readSidecarData(value: unknown): SidecarData {
  if (typeof value !== 'object' || value === null) return emptySidecar();
  const v = value as { version?: unknown; models?: unknown };
  if (v.version !== 1 || typeof v.models !== 'object' || v.models === null) return emptySidecar();
  const variants = readVariants((value as { variants?: unknown }).variants);
  return { version: 1, models: v.models as Record<string, Record<string, StoredResult>>, ...(variants.length > 0 ? { variants } : {}) };
}

/** What the editor shows for a record: the current results, or the last results for this record id if its text changed since. */
export interface RecordScores {
  readonly results: readonly ScoreResult[];
  /** True when the text changed after scoring: show, but never as current. */
  readonly stale: boolean;
}

/**
 * In-memory view of a sidecar for one model: lookups by exact text, and by record id for stale display.
 * Mutations go through `put`; the caller persists `data` after a run.
 */
export class ScoreStore {
  private readonly byRecord = new Map<string, StoredResult[]>();
  /** Request keys per parsed record: records are immutable, so a repaint never re-hashes unchanged text. */
  private readonly keysOf = new WeakMap<DatasetRecord, readonly string[]>();

  private keys(record: DatasetRecord): readonly string[] {
    let k = this.keysOf.get(record);
    if (k === undefined) {
      k = requestsOf(record).map(requestKey);
      this.keysOf.set(record, k);
    }
    return k;
  }

  constructor(
    readonly data: SidecarData,
    readonly modelId: string,
  ) {
    for (const r of Object.values(this.table())) {
      const list = this.byRecord.get(r.recordId) ?? [];
      list.push(r);
      this.byRecord.set(r.recordId, list);
    }
  }

  private table(): Record<string, StoredResult> {
    let t = this.data.models[this.modelId];
    if (t === undefined) {
      t = {};
      this.data.models[this.modelId] = t;
    }
    return t;
  }

  /** Stores the results of `requestsOf(record)` (same order). */
  put(record: DatasetRecord, results: readonly ScoreResult[]): void {
    const keys = this.keys(record);
    const stored = keys.map((_key, i): StoredResult => ({ ...(results[i] ?? { steps: [], device: 'none' }), recordId: record.id }));
    const t = this.table();
    keys.forEach((key, i) => {
      const s = stored[i];
      if (s !== undefined) t[key] = s;
    });
    this.byRecord.set(record.id, stored);
  }

  /** Current results for a record when every request was scored with this exact text. */
  current(record: DatasetRecord): ScoreResult[] | undefined {
    const t = this.table();
    const out: ScoreResult[] = [];
    for (const key of this.keys(record)) {
      const r = t[key];
      if (r === undefined) return undefined;
      out.push(r);
    }
    return out;
  }

  /** Current results, else the last results stored for this record id (marked stale), else undefined. */
  lookup(record: DatasetRecord): RecordScores | undefined {
    const cur = this.current(record);
    if (cur) return { results: cur, stale: false };
    const last = this.byRecord.get(record.id);
    return last ? { results: last, stale: true } : undefined;
  }

  /**
   * True when results were stored for a record with this id (current or not). A record whose id has none can still
   * match by text (an identical record under another id); surfaces that skip unparsed records accept that.
   */
  hasResultsFor(recordId: string): boolean {
    return this.byRecord.has(recordId);
  }

  /** True when this model has any stored result for the file. */
  get hasAny(): boolean {
    return this.byRecord.size > 0;
  }

  /** Forgets every score of this model. */
  clear(): void {
    this.data.models[this.modelId] = {};
    this.byRecord.clear();
  }
}
