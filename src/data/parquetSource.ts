// Node adapter: a Parquet file as a DatasetSource. Rows are decoded on demand, at most SLICE_ROWS at a time, and
// parsed with today's JSON record parsers; row summaries are built in the background, one slice after another, and
// are all that is kept of the rows.
import { resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { summarizeRow, type RowSummary } from '../core/dataset/rowSummary.js';
import { RowTable, type RowSpan } from '../core/dataset/rowTable.js';
import type { Problem } from '../core/dataset/types.js';
import type { FormatSpec, ParseOptions } from '../core/formats/formatSpec.js';
import type { DatasetSource, SourceRow } from './datasetSource.js';
import { unknownFormatMessage } from './parquetColumns.js';
import { openParquetFile, readParquetRows, type ParquetFile } from './parquetFile.js';
import { chooseFormat, parseRow, rowProblem } from './parquetRows.js';
import { toJsonValue, type JsonValue } from './parquetValues.js';

/**
 * Most rows decoded at once. `datasets` ≥ 4.1 writes row groups of up to 100 MB; decoding whole row groups (as
 * viewers that read a row group per visible row do) runs out of memory, so every read is cut into slices this size.
 */
export const SLICE_ROWS = 1000;
/** Rows whose values vote on the format (as `parseDocument` does with its first records). */
const DETECT_ROWS = 8;
/** A slice that fails to decode is retried in this many parts, so one bad page costs about its own rows only. */
const RETRY_PARTS = 10;

/** Progress callbacks of `openParquetSource`. */
export interface ParquetSourceHooks {
  /** After each summarised slice (once with (0, 0) for a file without rows): rows summarised so far, of the file's rows. */
  onProgress?(rowsSummarised: number, totalRows: number): void;
}

/** One decoded row: its JSON value, or why it could not be decoded. */
type DecodedRow = { readonly position: number; readonly value: JsonValue } | { readonly position: number; readonly error: string };

/** A Parquet row has no span of file text: the table's text columns stay 0 and `line` is the row's position. */
const noSpan = (position: number): RowSpan => ({ byteStart: 0, byteEnd: 0, charStart: 0, line: position, column: 0 });

const range = (start: number, end: number): number[] => Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);

/** Rows [start, end) decoded in one read; a row the file does not deliver is an error row. */
async function decodeOnce(file: ParquetFile, start: number, end: number): Promise<DecodedRow[]> {
  const rows = await readParquetRows(file.buffer, file.metadata, start, end);
  return range(start, end).map((position) => {
    const row = rows[position - start];
    return row === undefined ? { position, error: 'the file holds fewer rows than its footer says' } : { position, value: toJsonValue(row) };
  });
}

/**
 * Rows [start, end) decoded; never rejects. A range that fails is retried in RETRY_PARTS parts (one level only, so a
 * wholly corrupt chunk costs RETRY_PARTS + 1 reads, not one per row); the rows of a part that still fails carry the error.
 */
async function decodeRows(file: ParquetFile, start: number, end: number): Promise<DecodedRow[]> {
  const attempt = async (s: number, e: number): Promise<DecodedRow[] | string> => {
    try {
      return await decodeOnce(file, s, e);
    } catch (err) {
      return (err as Error).message;
    }
  };
  const whole = await attempt(start, end);
  if (typeof whole !== 'string') return whole;
  const part = Math.max(1, Math.ceil((end - start) / RETRY_PARTS));
  const out: DecodedRow[] = [];
  for (let s = start; s < end; s += part) {
    const e = Math.min(end, s + part);
    const rows = e - s === end - start ? whole : await attempt(s, e);
    out.push(...(typeof rows === 'string' ? range(s, e).map((position) => ({ position, error: rows })) : rows));
  }
  return out;
}

const decodeMessage = (error: string): string => `cannot decode the Parquet data (${error}); other rows are read.`;

/** File-level problems for rows that failed to decode: one per run of consecutive rows with the same error. */
function decodeProblems(rows: readonly DecodedRow[]): Problem[] {
  const problems: Problem[] = [];
  let run: { first: number; last: number; error: string } | undefined;
  const flush = (): void => {
    if (run === undefined) return;
    const problem = rowProblem(run.first, decodeMessage(run.error));
    problems.push(run.last === run.first ? problem : { ...problem, message: `rows ${run.first}–${run.last}: ${decodeMessage(run.error)}` });
    run = undefined;
  };
  for (const row of rows) {
    if ('error' in row && run !== undefined && row.error === run.error && row.position === run.last + 1) run.last = row.position;
    else {
      flush();
      if ('error' in row) run = { first: row.position, last: row.position, error: row.error };
    }
  }
  flush();
  return problems;
}

class ParquetSource implements DatasetSource {
  readonly container = 'parquet';
  readonly format: string;
  readonly problems: Problem[];
  /** The row summaries, stored column by column (tens of bytes a row rather than an object each). */
  private readonly summaries = new RowTable();
  private allSummarised = false;
  private closing: Promise<void> | undefined;
  private readonly summarising: Promise<void>;
  private readonly reads = new Set<Promise<SourceRow[]>>();

  constructor(
    readonly path: string,
    private readonly file: ParquetFile,
    private readonly rowFormat: FormatSpec | undefined,
    private readonly options: ParseOptions,
    problems: readonly Problem[],
    private readonly hooks: ParquetSourceHooks,
  ) {
    this.format = rowFormat?.id ?? 'unknown';
    this.problems = [...problems];
    this.summarising = this.summariseAll();
  }

  get rowCount(): number {
    return this.summaries.length;
  }

  get complete(): boolean {
    return this.allSummarised;
  }

  /** The background summary pass; it never rejects. */
  get done(): Promise<void> {
    return this.summarising;
  }

  summary(position: number): RowSummary {
    return this.summaries.summary(position);
  }

  distinctLabels(): readonly string[] {
    return this.summaries.distinctLabels();
  }

  distinctSubsets(): readonly string[] {
    return this.summaries.distinctSubsets();
  }

  async readRows(start: number, end: number, signal?: AbortSignal): Promise<readonly SourceRow[]> {
    if (this.closing !== undefined) throw this.closedError();
    const read = this.readRange(Math.max(0, Math.floor(start)), Math.min(this.file.rowCount, Math.ceil(end)), signal);
    // close() waits for reads in flight, so none of them finds the file handle closed under it.
    this.reads.add(read);
    try {
      return await read;
    } finally {
      this.reads.delete(read);
    }
  }

  close(): Promise<void> {
    this.closing ??= Promise.allSettled([this.summarising, ...this.reads]).then(() => this.file.close());
    return this.closing;
  }

  private closedError(): Error {
    return new Error(`${this.file.name}: the file is closed`);
  }

  private async readRange(from: number, to: number, signal: AbortSignal | undefined): Promise<SourceRow[]> {
    const out: SourceRow[] = [];
    for (let s = from; s < to; s += SLICE_ROWS) {
      signal?.throwIfAborted();
      if (this.closing !== undefined) throw this.closedError();
      out.push(...(await this.readSlice(s, Math.min(to, s + SLICE_ROWS))).rows);
    }
    signal?.throwIfAborted();
    return out;
  }

  /** Decodes and parses one slice (≤ SLICE_ROWS rows); `decoded` says which rows failed to decode. */
  private async readSlice(start: number, end: number): Promise<{ rows: SourceRow[]; decoded: DecodedRow[] }> {
    const decoded = await decodeRows(this.file, start, end);
    const rows = decoded.map((row): SourceRow => {
      if ('error' in row) return { position: row.position, records: [], problems: [rowProblem(row.position, decodeMessage(row.error))] };
      if (this.rowFormat === undefined) return { position: row.position, records: [], problems: [] };
      return parseRow(this.rowFormat, row.position, row.value, this.options);
    });
    return { rows, decoded };
  }

  /** Summarises every row, slice by slice, yielding to the event loop between slices; stops early on close. Never rejects. */
  private async summariseAll(): Promise<void> {
    const total = this.file.rowCount;
    try {
      for (let s = 0; s < total && this.closing === undefined; s += SLICE_ROWS) {
        await nextTurn();
        if (this.closing !== undefined) break;
        const { rows, decoded } = await this.readSlice(s, Math.min(total, s + SLICE_ROWS));
        this.problems.push(...decodeProblems(decoded));
        for (const row of rows) this.summaries.push(noSpan(row.position), summarizeRow(row.position, row.records, row.problems));
        this.hooks.onProgress?.(this.summaries.length, total);
      }
      this.allSummarised = this.summaries.length === total;
      // A file without rows has no slice to report, but its listener still learns that it is complete.
      if (total === 0) this.hooks.onProgress?.(0, 0);
    } catch (err) {
      // Decoding and parsing never throw, so this is a bug (or a throwing onProgress): stop with a problem rather than
      // an unhandled rejection. `complete` stays false, as not every row has a summary.
      this.problems.push(rowProblem(this.summaries.length, `summarising stopped: ${(err as Error).message}`));
    }
  }
}

/** The format rows are parsed with, and the file-level problems that choice brings. */
async function chooseRowFormat(file: ParquetFile, options: ParseOptions): Promise<{ format: FormatSpec | undefined; problems: Problem[] }> {
  const sample = await decodeRows(file, 0, Math.min(DETECT_ROWS, file.rowCount));
  const values = sample.flatMap((row) => ('value' in row ? [row.value] : []));
  const errors = sample.flatMap((row) => ('error' in row ? [row.error] : []));
  const choice = chooseFormat(values, options);
  if (choice.format !== undefined) return { format: choice.format, problems: [] };
  const at: Problem = { line: 1, column: 1, offset: 0, length: 0, message: '', severity: 'error' };
  if (choice.problem !== undefined) return { format: undefined, problems: [{ ...at, message: choice.problem }] };
  if (file.rowCount === 0) return { format: undefined, problems: [{ ...at, message: 'The Parquet file has no rows.', severity: 'warning' }] };
  if (values.length === 0 && errors[0] !== undefined) {
    return { format: undefined, problems: [{ ...at, message: `The first rows cannot be decoded (${errors[0]}), so the format cannot be detected.` }] };
  }
  return { format: undefined, problems: [{ ...at, message: unknownFormatMessage(file.schema) }] };
}

/**
 * Opens a Parquet file as a DatasetSource (container `parquet`). The footer is read and checked at once; a file that is
 * missing, not Parquet, truncated or has a corrupt footer rejects with a `DatasetError` whose message names the file.
 * The format is chosen from the first rows as `parseDocument` chooses it (`options.format`, then `options.mapping`,
 * then detection); an unknown schema gives format `unknown` and a problem naming the columns and their types.
 *
 * Rows are then summarised in the background, at most SLICE_ROWS decoded at a time: `rowCount` grows to the file's
 * row count and `complete` turns true, `hooks.onProgress` reporting each step. Only summaries are kept, never rows.
 * `readRows` decodes on demand (any position below the file's row count, summarised or not). Records are parsed from
 * each row's JSON text (`JSON.stringify` of its values, INT64 as numbers or decimal strings, bytes as UTF-8 or base64,
 * timestamps as ISO strings), so their ranges are offsets into that text, not into the file. A page that fails to
 * decode makes problems for its rows (`row N: ...`) and the other rows stay readable. `close()` stops the background
 * work and closes the file.
 */
export async function openParquetSource(path: string, options: ParseOptions, hooks: ParquetSourceHooks = {}): Promise<DatasetSource> {
  const absolute = resolve(path);
  const file = await openParquetFile(absolute);
  try {
    const { format, problems } = await chooseRowFormat(file, options);
    return new ParquetSource(absolute, file, format, options, problems, hooks);
  } catch (err) {
    await file.close();
    throw err;
  }
}
