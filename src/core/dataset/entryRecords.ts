import { DEFAULT_PARSE_OPTIONS, type FormatSpec, type ParseOptions, type RecordProblem } from '../formats/formatSpec.js';
import { describeJsonError, type JsonEntry } from '../json/readJsonDocument.js';
import { locateStrings, type StringLocator } from '../json/locateStrings.js';
import { LineIndex } from '../text/positions.js';
import type { DatasetRecord, PreferenceResponse, Problem, SourceRange, Step } from './types.js';

/**
 * Where one entry (a JSONL line, a JSON array element) sits in its file, as the offset index records it: the
 * entry's first character as a UTF-16 offset into the whole file text, and its 0-based line and column.
 */
export interface EntryPlace {
  readonly ordinal: number;
  readonly charStart: number;
  readonly line: number;
  readonly column: number;
}

/** One entry's records and problems, located in the whole file. */
export interface EntryRecords {
  readonly records: readonly DatasetRecord[];
  readonly problems: readonly Problem[];
}

function mapRange(r: SourceRange, map: (offset: number) => number): SourceRange {
  const start = map(r.start);
  return { start, end: r.end > r.start ? map(r.end - 1) + 1 : start };
}

function mapSteps(steps: readonly Step[], map: (offset: number) => number): Step[] {
  return steps.map((s) => (s.range === undefined ? s : { ...s, range: mapRange(s.range, map) }));
}

function withRange<T extends object>(value: T, key: string, range: SourceRange | undefined, map: (offset: number) => number): T {
  return range === undefined ? value : { ...value, [key]: mapRange(range, map) };
}

/**
 * A record whose ranges point into some text (an entry's own, or a window of entries), moved to point into the
 * whole file: `map` takes an offset of that text to the file's. A range never spans two entries' texts except a
 * record's own span, whose end is mapped from its last character.
 */
export function relocateRecord(record: DatasetRecord, map: (offset: number) => number): DatasetRecord {
  const recordRange = mapRange(record.recordRange, map);
  if (record.kind === 'trace') {
    return withRange({ ...record, recordRange, steps: mapSteps(record.steps, map) }, 'promptRange', record.promptRange, map);
  }
  const responses = record.responses.map((r): PreferenceResponse => withRange({ ...r, steps: mapSteps(r.steps, map) }, 'range', r.range, map));
  return withRange({ ...record, recordRange, responses }, 'promptRange', record.promptRange, map);
}

/** A record whose ranges point into an entry's own text, moved by the entry's offset in the file. */
export function shiftRecord(record: DatasetRecord, by: number): DatasetRecord {
  return by === 0 ? record : relocateRecord(record, (o) => o + by);
}

/** A locator that knows no positions: parsers then build records without ranges (summaries need none). */
const NO_RANGES: StringLocator = { rangeOf: () => undefined };

/**
 * Parses one entry's JSON text on its own with a format's parser and locates the result in the file: the same
 * records and ranges the whole-document parser gives for that entry, without the rest of the file.
 */
export function parseEntryText(text: string, place: EntryPlace, format: FormatSpec, options: ParseOptions = DEFAULT_PARSE_OPTIONS): EntryRecords {
  const lines = new LineIndex(text);
  const locate = (offset: number, length: number, message: string, severity: Problem['severity']): Problem => {
    const p = lines.positionAt(offset);
    return { line: place.line + p.line + 1, column: (p.line === 0 ? place.column : 0) + p.character + 1, offset: place.charStart + offset, length, message, severity };
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const err = describeJsonError(text, 0, text.length);
    return { records: [], problems: [locate(err.offset, err.length, `Invalid JSON on this line: ${err.what}. The line is skipped; other lines are read.`, 'error')] };
  }
  const entry: JsonEntry = { value, range: { start: 0, end: text.length }, locator: locateStrings(text, 0, text.length, value), ordinal: place.ordinal, line: place.line, source: text };
  const outcome = runParser(format, entry, { text, options });
  return {
    records: outcome.records.map((r) => shiftRecord(r, place.charStart)),
    problems: outcome.problems.map((p) => {
      const range = p.range ?? { start: 0, end: Math.min(text.length, 1) };
      return locate(range.start, range.end - range.start, p.message, p.severity ?? 'error');
    }),
  };
}

/**
 * Parses an already-parsed entry value for its summary only: no string locating, no ranges. This is what the
 * offset index runs on every row, so it must stay close to the cost of `JSON.parse` itself.
 */
export function quickRecords(value: unknown, place: Pick<EntryPlace, 'ordinal' | 'line'>, format: FormatSpec, options: ParseOptions = DEFAULT_PARSE_OPTIONS): { records: readonly DatasetRecord[]; problems: readonly RecordProblem[] } {
  const entry: JsonEntry = { value, range: { start: 0, end: 0 }, locator: NO_RANGES, ordinal: place.ordinal, line: place.line, source: '', summaryOnly: true };
  return runParser(format, entry, { text: '', options });
}

function runParser(format: FormatSpec, entry: JsonEntry, ctx: { text: string; options: ParseOptions }): { records: readonly DatasetRecord[]; problems: readonly RecordProblem[] } {
  try {
    if (format.parseEntries !== undefined) {
      const out = format.parseEntries([entry], ctx);
      return { records: out.records, problems: out.problems };
    }
    return format.parse(entry, ctx);
  } catch (err) {
    // A parser bug must not lose the rest of the file.
    return { records: [], problems: [{ message: `Internal error reading this record: ${(err as Error).message}` }] };
  }
}

/**
 * Parses several consecutive entries together, for formats whose records span entries (HelpSteer2's pairs): the
 * entries are joined by newlines into one text, parsed with the format's `parseEntries`, and every range is mapped
 * back to the file. Each record comes with the index (into `items`) of the entry it starts in.
 */
export function parseEntryWindow(
  items: readonly { readonly text: string; readonly place: EntryPlace }[],
  format: FormatSpec,
  options: ParseOptions = DEFAULT_PARSE_OPTIONS,
): { records: { record: DatasetRecord; item: number }[]; problems: { problem: Problem; item: number }[] } {
  const starts: number[] = [];
  let length = 0;
  for (const it of items) {
    starts.push(length);
    length += it.text.length + 1;
  }
  const text = items.map((it) => it.text).join('\n');
  const itemAt = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const toFile = (offset: number): number => {
    const k = itemAt(offset);
    return (items[k]?.place.charStart ?? 0) + offset - (starts[k] ?? 0);
  };
  const entries: JsonEntry[] = [];
  const problems: { problem: Problem; item: number }[] = [];
  items.forEach((it, k) => {
    const start = starts[k] ?? 0;
    const end = start + it.text.length;
    let value: unknown;
    try {
      value = JSON.parse(it.text);
    } catch {
      const one = parseEntryText(it.text, it.place, format, options);
      for (const problem of one.problems) problems.push({ problem, item: k });
      return;
    }
    entries.push({ value, range: { start, end }, locator: locateStrings(text, start, end, value), ordinal: it.place.ordinal, line: it.place.line, source: text });
  });
  let outcome: { records: readonly DatasetRecord[]; problems: readonly (RecordProblem & { readonly entry?: JsonEntry })[] };
  try {
    outcome = format.parseEntries !== undefined ? format.parseEntries(entries, { text, options }) : { records: [], problems: [] };
  } catch (err) {
    outcome = { records: [], problems: [{ message: `Internal error reading these records: ${(err as Error).message}` }] };
  }
  const records = outcome.records.map((r) => ({ record: relocateRecord(r, toFile), item: itemAt(r.recordRange.start) }));
  for (const p of outcome.problems) {
    const at = p.range?.start ?? p.entry?.range.start ?? 0;
    const k = itemAt(at);
    const it = items[k];
    if (it === undefined) continue;
    const local = at - (starts[k] ?? 0);
    const before = it.text.slice(0, local);
    const nl = before.lastIndexOf('\n');
    const line = it.place.line + (before.match(/\n/g)?.length ?? 0);
    const column = nl === -1 ? it.place.column + local : local - nl - 1;
    problems.push({ item: k, problem: { line: line + 1, column: column + 1, offset: toFile(at), length: Math.max(1, (p.range?.end ?? at + 1) - at), message: p.message, severity: p.severity ?? 'error' } });
  }
  return { records, problems };
}
