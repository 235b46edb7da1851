import type { Problem } from '../core/dataset/types.js';
import type { FormatSpec, ParseOptions, RecordOutcome } from '../core/formats/formatSpec.js';
import { chooseFormat as chooseDatasetFormat } from '../core/dataset/datasetIndexer.js';
import { FORMATS } from '../core/formats/registry.js';
import { locateStrings } from '../core/json/locateStrings.js';
import type { JsonEntry } from '../core/json/readJsonDocument.js';
import type { SourceRow } from './datasetSource.js';
import type { JsonValue } from './parquetValues.js';

/**
 * A row problem: Parquet rows have no text position, so the problem names the row. `line` is the row's 0-based
 * position + 1 (the row as a line of the equivalent JSONL file), column 1, offset 0; the message starts `row N:` with N
 * the 0-based position, as `datasets` and pandas index rows.
 */
export function rowProblem(position: number, message: string, severity: Problem['severity'] = 'error'): Problem {
  return { line: position + 1, column: 1, offset: 0, length: 0, message: `row ${position}: ${message}`, severity };
}

/**
 * One row as the JSON parsers' entry: its JSON text is the source, and `ordinal` and `line` are the row's position,
 * so ids fall back to `#<position + 1>` exactly as for the same row in a JSONL file. `value` must be plain JSON
 * (see `toJsonValue`), which is what parsing `JSON.stringify(value)` would give.
 */
export function rowEntry(position: number, value: JsonValue): JsonEntry {
  const text = JSON.stringify(value);
  return { value, range: { start: 0, end: text.length }, locator: locateStrings(text, 0, text.length, value), ordinal: position, line: position, source: text };
}

/**
 * Parses one row with today's record parser for the file's format. This is `parseDocument`'s per-entry step for a
 * text holding just this row's JSON, except that the entry keeps the row's position (`parseDocument` numbers the
 * records of each text from 0, which would give every id-less row the id `#1`). Formats that pair consecutive
 * entries (HelpSteer2) see one row at a time. Record ranges are offsets into the row's JSON text
 * (`JSON.stringify` of the row), not into the file. Never throws: a parser bug becomes a problem of the row.
 */
export function parseRow(format: FormatSpec, position: number, value: JsonValue, options: ParseOptions): SourceRow {
  const entry = rowEntry(position, value);
  let outcome: RecordOutcome;
  try {
    outcome = format.parse(entry, { text: entry.source, options });
  } catch (err) {
    outcome = { records: [], problems: [{ message: `Internal error reading this record: ${(err as Error).message}` }] };
  }
  return { position, records: outcome.records, problems: outcome.problems.map((p) => rowProblem(position, p.message, p.severity ?? 'error')) };
}

/** The format rows are parsed with, or why there is none. */
export type FormatChoice =
  | { readonly format: FormatSpec }
  /** `problem`: the message for an unknown `options.format`; absent when detection found nothing. */
  | { readonly format: undefined; readonly problem?: string };

/**
 * Chooses the format as every row source does (`chooseFormat` in core/dataset/datasetIndexer.ts): `options.format`
 * when set (an unknown id is a problem), else detection over the first rows, else the user's key mapping.
 */
export function chooseFormat(sample: readonly JsonValue[], options: ParseOptions): FormatChoice {
  const format = chooseDatasetFormat(sample, options);
  if (format !== undefined) return { format };
  return options.format !== undefined ? { format: undefined, problem: `Unknown format "${options.format}". Known formats: ${FORMATS.map((f) => f.id).join(', ')}.` } : { format: undefined };
}
