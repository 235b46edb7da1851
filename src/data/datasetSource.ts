import type { DatasetRecord, Problem } from '../core/dataset/types.js';
import type { RowSummary } from '../core/dataset/rowSummary.js';

/**
 * A data file read row by row without holding it in memory: a JSONL / JSON file through its byte-offset index,
 * or a Parquet file through its row groups. Used by the Dataset Explorer and by the CLI for every file size.
 *
 * A "row" is one JSONL line, one element of a top-level JSON array, or one Parquet row. Positions are 0-based
 * and count readable rows only for JSON text (a broken line is a problem, not a row); Parquet rows are all rows.
 */
export interface DatasetSource {
  /** The file read (absolute path). */
  readonly path: string;
  readonly container: 'jsonl' | 'json' | 'parquet';
  /** Detected format id (see core/formats/registry.ts), or `unknown`. */
  readonly format: string;
  /** Rows known so far (all of them once `complete`). */
  readonly rowCount: number;
  readonly complete: boolean;
  /** Settles when indexing ends: every row indexed, or stopped (closed, failed: `problems` then says why). */
  readonly done: Promise<void>;
  /** File-level problems (unknown format, broken lines, a truncated file), located where they can be. */
  readonly problems: readonly Problem[];
  /** The row's summary (position < rowCount). */
  summary(position: number): RowSummary;
  /** Parses the rows [start, end) with today's parsers; ranges are offsets into the file text (absent for Parquet). */
  readRows(start: number, end: number, signal?: AbortSignal): Promise<readonly SourceRow[]>;
  /** Distinct labels and subsets of the rows indexed so far (for the Explorer's filter menus), when the source keeps them. */
  distinctLabels?(): readonly string[];
  distinctSubsets?(): readonly string[];
  /** Releases file handles and workers. */
  close(): Promise<void>;
}

/** One parsed row. */
export interface SourceRow {
  readonly position: number;
  readonly records: readonly DatasetRecord[];
  /** Problems of this row, located in the file (JSON text) or naming the row (Parquet). */
  readonly problems: readonly Problem[];
}
