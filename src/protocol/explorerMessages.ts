/**
 * Messages between the Dataset Explorer's host (src/vscode/datasetExplorer.ts) and its webview
 * (webview/explorer/). Types only. The table is a window onto a view (the file's rows, filtered and sorted on the
 * host): the webview asks for the rows it shows, the host answers with those rows only.
 * All text is untrusted dataset text: the webview renders it with text APIs only.
 */
import type { RowSummary } from '../core/dataset/rowSummary.js';

export const EXPLORER_PROTOCOL_VERSION = 1;

/** A table row: the row's summary plus what the current model's scores say of it. */
export interface ExplorerRow extends RowSummary {
  /** Trace score (or, for preference sets, the margin) under the current model; absent when unscored. */
  readonly score?: number;
  /** 0-based first step under the threshold by the model; `null` = none; absent when unscored. */
  readonly firstError?: number | null;
  /** Whether the model agrees with the dataset's label; absent when unscored or nothing to agree with. */
  readonly agrees?: boolean;
}

/** Sortable columns. `position` is file order. */
export type ExplorerColumn = 'position' | 'id' | 'prompt' | 'steps' | 'label' | 'score' | 'firstError' | 'agrees';

/** What the user filters by; every field optional, all given ones must hold. */
export interface ExplorerFilter {
  /** Text searched (case-insensitive) in the prompt and every step; with `regex`, a JavaScript regular expression. */
  readonly text?: string;
  readonly regex?: boolean;
  /** Exact label text (`error at step 3`, `chosen 1 of 2`...) or `any error` / `no label`. */
  readonly label?: string;
  readonly scoreMin?: number;
  readonly scoreMax?: number;
  /** Only rows where the model disagrees with the dataset's label. */
  readonly disagrees?: boolean;
  readonly subset?: string;
}

export interface ExplorerQuery {
  readonly sort: { readonly column: ExplorerColumn; readonly descending: boolean };
  readonly filter: ExplorerFilter;
}

/** The file and its index. */
export interface ExplorerStatus {
  readonly fileName: string;
  readonly container: 'jsonl' | 'json' | 'parquet';
  readonly format: string;
  /** Rows indexed so far, and whether indexing is done. */
  readonly rows: number;
  readonly complete: boolean;
  /** Fraction of the file indexed, 0..1. */
  readonly progress: number;
  /** Problems so far (broken lines...), and the first few messages. */
  readonly problemCount: number;
  readonly problems: readonly string[];
  /** Distinct labels and subsets seen, for the filter menus. */
  readonly labels: readonly string[];
  readonly subsets: readonly string[];
  /** Display name of the current model, and how many rows it has scored. */
  readonly model: string;
  readonly scored: number;
  readonly threshold: number;
}

/** Host → webview. */
export type ToExplorer =
  | { readonly type: 'status'; readonly status: ExplorerStatus }
  /** The current view's length changed (new query, more rows indexed, scores arrived): re-request visible rows. */
  | { readonly type: 'view'; readonly total: number; readonly queryId: number; readonly searching: boolean }
  /** The answer to `rows`. `rows[i]` is view row `start + i`. */
  | { readonly type: 'rows'; readonly requestId: number; readonly queryId: number; readonly start: number; readonly rows: readonly ExplorerRow[] }
  /** Progress of a scoring run (Score All / Score Selected). */
  | { readonly type: 'scoring'; readonly state: 'running' | 'done' | 'failed' | 'cancelled'; readonly done: number; readonly total: number; readonly rate?: number; readonly etaSeconds?: number; readonly message?: string }
  /** A message the table shows in place of rows (unreadable file, unknown schema...). */
  | { readonly type: 'error'; readonly message: string };

/** Webview → host. */
export type FromExplorer =
  | { readonly type: 'ready'; readonly version: number }
  | { readonly type: 'query'; readonly queryId: number; readonly query: ExplorerQuery }
  /** Rows [start, end) of the current view. */
  | { readonly type: 'rows'; readonly requestId: number; readonly start: number; readonly end: number }
  /** Open the row's record as a readable document. */
  | { readonly type: 'open'; readonly position: number }
  /** Score every row of the current view, or the given rows. */
  | { readonly type: 'score'; readonly positions?: readonly number[] }
  | { readonly type: 'cancelScoring' };
