import { detectFormat } from '../parseDocument.js';
import { DEFAULT_PARSE_OPTIONS, type FormatSpec, type ParseOptions } from '../formats/formatSpec.js';
import { formatById, FORMATS } from '../formats/registry.js';
import { keyMappingFormat } from '../formats/keyMapping.js';
import { describeJsonError, type JsonEntry } from '../json/readJsonDocument.js';
import { quickRecords } from './entryRecords.js';
import { summarizeRow } from './rowSummary.js';
import { RowTable, type RowSpan } from './rowTable.js';
import { JsonTextIndexer, type TextLayout } from './textIndexer.js';
import type { Problem } from './types.js';

/** How many leading entries vote on the format (as for whole documents). */
const DETECT_SAMPLE = 8;

/** The format a file's first values are in: fixed by options, detected, or the user's key mapping as a fallback. */
export function chooseFormat(values: readonly unknown[], options: ParseOptions): FormatSpec | undefined {
  if (options.format !== undefined) return formatById(options.format);
  const entries = values.map((value, ordinal) => ({ value, ordinal }) as unknown as JsonEntry);
  return detectFormat(entries) ?? (options.mapping !== undefined ? keyMappingFormat(options.mapping) : undefined);
}

/** The file-level problem for values in no known format: names the keys and offers the mapping. */
export function unknownFormatProblem(keys: readonly string[], options: ParseOptions, at: Pick<Problem, 'line' | 'column' | 'offset'>, what = 'keys'): Problem {
  const message =
    options.format !== undefined
      ? `Unknown format "${options.format}". Known formats: ${FORMATS.map((f) => f.id).join(', ')}.`
      : `Unrecognised record format (${what}: ${keys.join(', ') || 'none'}). Expected one of the supported formats; for other files set "rewardLens.mapping" (or --map) to name the prompt and steps keys.`;
  return { ...at, length: 1, message, severity: 'error' };
}

/**
 * Builds a JSON text file's row index while its bytes stream by: splits entries (JsonTextIndexer), parses each
 * once, detects the format on the first entries, and keeps one small summary per row in a RowTable. Nothing else
 * of an entry is kept. Pure: the caller reads the file and decides where the chunks and the table go.
 */
export class DatasetIndexer {
  /**
   * Rows indexed since the last `takeBatch` (every row when batches are never taken), numbered from 0 in this
   * table: a worker hands each batch on, so it never holds more than one batch.
   */
  table = new RowTable();
  readonly problems: Problem[] = [];
  private readonly text: JsonTextIndexer;
  private format: FormatSpec | undefined;
  private decided = false;
  private held: { value: unknown; span: RowSpan }[] = [];
  private ordinal = 0;

  constructor(
    fileName: string,
    private readonly options: ParseOptions = DEFAULT_PARSE_OPTIONS,
  ) {
    this.text = new JsonTextIndexer(fileName, { entry: (t, s) => this.entry(t, s), problem: (p) => this.problems.push(p) });
  }

  get formatId(): string {
    return this.format?.id ?? (this.decided ? 'unknown' : 'pending');
  }

  get layout(): TextLayout | undefined {
    return this.text.decided;
  }

  get bytesRead(): number {
    return this.text.bytesRead;
  }

  push(chunk: Uint8Array): void {
    this.text.push(chunk);
  }

  end(): void {
    this.text.end();
    if (!this.decided) this.decide();
  }

  /** Rows appended since the last call, as a table of their own (what inline indexing appends); `table` starts empty again. */
  takeBatch(): RowTable {
    const batch = this.table;
    this.table = new RowTable();
    return batch;
  }

  /**
   * `takeBatch` serialized (what the worker posts), its table cleared rather than replaced: the worker then
   * allocates no new table memory per batch, whose dead copies would pile up between collections.
   */
  takeBatchBytes(): Uint8Array {
    const bytes = this.table.serialize();
    this.table.clear();
    return bytes;
  }

  private entry(text: string, span: RowSpan): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const err = describeJsonError(text, 0, text.length);
      const onFirstLine = !text.slice(0, err.offset).includes('\n');
      const line = span.line + text.slice(0, err.offset).split('\n').length - 1;
      const column = onFirstLine ? span.column + err.offset : err.offset - text.lastIndexOf('\n', err.offset - 1) - 1;
      this.problems.push({ line: line + 1, column: column + 1, offset: span.charStart + err.offset, length: err.length, message: this.layout === 'jsonl' ? `Invalid JSON on this line: ${err.what}. The line is skipped; other lines are read.` : `Invalid JSON: ${err.what}.`, severity: 'error' });
      return;
    }
    if (!this.decided) {
      this.held.push({ value, span });
      if (this.held.length >= DETECT_SAMPLE) this.decide();
      return;
    }
    this.row(value, span);
  }

  private decide(): void {
    this.decided = true;
    this.format = chooseFormat(
      this.held.map((h) => h.value),
      this.options,
    );
    const first = this.held[0];
    if (this.format === undefined && first !== undefined) {
      const keys = typeof first.value === 'object' && first.value !== null ? Object.keys(first.value).slice(0, 8) : [];
      this.problems.push(unknownFormatProblem(keys, this.options, { line: first.span.line + 1, column: first.span.column + 1, offset: first.span.charStart }));
    }
    const held = this.held;
    this.held = [];
    for (const h of held) this.row(h.value, h.span);
  }

  private row(value: unknown, span: RowSpan): void {
    // Records are numbered by their place in the file (ids fall back to it); summaries by their place in the batch.
    const position = this.ordinal++;
    const inBatch = this.table.length;
    if (this.format === undefined) {
      this.table.push(span, summarizeRow(inBatch, [], []));
      return;
    }
    const out = quickRecords(value, { ordinal: position, line: span.line }, this.format, this.options);
    const errors = out.problems.filter((p) => p.severity !== 'warning');
    this.table.push(span, summarizeRow(inBatch, out.records, errors.length > 0 ? errors : out.records.length === 0 ? out.problems : []));
  }
}
