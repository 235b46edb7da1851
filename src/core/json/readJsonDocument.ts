import { parse as parseTolerant, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { Problem, SourceRange } from '../dataset/types.js';
import { LineIndex } from '../text/positions.js';
import { locateStrings, type StringLocator } from './locateStrings.js';

/** One top-level record of a JSON-based file: a JSONL line, an element of a top-level array, or the whole file. */
export interface JsonEntry {
  readonly value: unknown;
  /** Span of the record's JSON text. */
  readonly range: SourceRange;
  readonly locator: StringLocator;
  /** 0-based ordinal among the file's records. */
  readonly ordinal: number;
  /** 0-based line where the record starts. */
  readonly line: number;
  /** The whole file text the ranges point into. */
  readonly source: string;
  /**
   * Set by the row index, which keeps a summary per row and drops the records: parsers may then skip work only whole
   * records show (reading the final answer out of the steps).
   */
  readonly summaryOnly?: boolean;
}

/** How the records sit in the file. */
export type JsonLayout = 'jsonl' | 'array' | 'object';

/** A file read as JSON records. Never throws for bad input: problems carry line and column. */
export interface JsonDocument {
  readonly layout: JsonLayout;
  readonly entries: readonly JsonEntry[];
  readonly problems: readonly Problem[];
}

/** A reader's hint: the file name decides between `.json` and `.jsonl` when the text alone is ambiguous. */
export interface ReadHint {
  readonly fileName?: string;
}

const ERROR_TEXT: Record<string, string> = {
  InvalidSymbol: 'an invalid character',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a missing property name (expected a double-quoted key)',
  ValueExpected: 'a missing value (expected a string, number, object, array, true, false or null)',
  ColonExpected: "a missing ':' after a property name",
  CommaExpected: "a missing ',' between values",
  CloseBraceExpected: "a missing '}' (the object is not closed)",
  CloseBracketExpected: "a missing ']' (the array is not closed)",
  EndOfFileExpected: 'extra text after the JSON value (expected end of input)',
  InvalidCommentToken: 'a comment (JSON has no comments)',
  UnexpectedEndOfComment: 'an unterminated comment',
  UnexpectedEndOfString: 'an unterminated string (expected a closing \'"\')',
  UnexpectedEndOfNumber: 'a truncated number',
  InvalidUnicode: 'an invalid \\u escape',
  InvalidEscapeCharacter: 'an invalid escape sequence',
  InvalidCharacter: 'an invalid control character inside a string (escape it as \\n, \\t or \\u00XX)',
};

/** Builds problems from a text and the offsets found in it, resolving line and column lazily. */
export class ProblemSink {
  readonly problems: Problem[] = [];
  private lines: LineIndex | undefined;
  constructor(private readonly text: string) {}

  add(offset: number, length: number, message: string, severity: Problem['severity'] = 'error'): void {
    this.lines ??= new LineIndex(this.text);
    const pos = this.lines.positionAt(offset);
    this.problems.push({ line: pos.line + 1, column: pos.character + 1, offset, length, message, severity });
  }
}

/** The first JSON syntax error in `text[start, end)`: where, and what in words. */
export function describeJsonError(text: string, start: number, end: number): { offset: number; length: number; what: string } {
  const errors: ParseError[] = [];
  parseTolerant(text.slice(start, end), errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === undefined) return { offset: start, length: Math.max(1, end - start), what: 'invalid JSON' };
  return { offset: start + first.offset, length: Math.max(1, first.length), what: ERROR_TEXT[printParseErrorCode(first.error)] ?? 'invalid JSON' };
}

/** True when `text[start, end)` holds only whitespace (a BOM counts as whitespace). */
export function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 0xfeff) return false;
  }
  return true;
}

/** First non-whitespace offset at or after `from`, or -1. */
function firstContent(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 0xfeff) return i;
  }
  return -1;
}

/** Heuristic for binary content decoded as text: NUL bytes or many control / replacement characters in the head. */
export function looksBinary(text: string): boolean {
  const n = Math.min(text.length, 8192);
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) odd++;
  }
  return n > 0 && odd / n > 0.05;
}

/** True when `text` is one JSON value. */
export function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function tryParse(text: string, start: number, end: number): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(start === 0 && end === text.length ? text : text.slice(start, end)) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Reads a JSON, JSON-array or JSON Lines text into located records. */
export function readJsonDocument(text: string, hint: ReadHint = {}): JsonDocument {
  const entries: JsonEntry[] = [];
  const scanned = scanJsonDocument(text, hint, (e) => entries.push(e));
  return { layout: scanned.layout, entries, problems: scanned.problems };
}

/** What `scanJsonDocument` returns once every entry has been handed over. */
export interface ScannedDocument {
  readonly layout: JsonLayout;
  readonly problems: readonly Problem[];
}

/**
 * Streams a JSON, JSON-array or JSON Lines text's records to `onEntry` in order. JSON Lines records are handed
 * over one at a time, so a caller that does not keep them lets each parsed value go at once (this keeps the
 * garbage collector's work on 200 MB files close to that of bare `JSON.parse`).
 */
export function scanJsonDocument(text: string, hint: ReadHint, onEntry: (entry: JsonEntry) => void): ScannedDocument {
  const sink = new ProblemSink(text);
  const first = firstContent(text, 0);
  if (first === -1) {
    sink.add(0, 0, 'The file is empty: expected JSON or JSON Lines records.');
    return { layout: 'jsonl', problems: sink.problems };
  }
  if (looksBinary(text)) {
    sink.add(0, 1, 'This looks like a binary file (NUL or control bytes): expected UTF-8 JSON or JSON Lines text.');
    return { layout: 'jsonl', problems: sink.problems };
  }
  const name = hint.fileName?.toLowerCase() ?? '';
  const firstLineEnd = lineEnd(text, first);
  const firstLineParses = tryParse(text, first, firstLineEnd).ok;
  const moreAfterFirstLine = firstContent(text, firstLineEnd) !== -1;
  const jsonl =
    name.endsWith('.jsonl') || name.endsWith('.ndjson')
      ? text.charCodeAt(first) !== 91 || firstLineParses
      : firstLineParses && moreAfterFirstLine;
  if (jsonl) return readLines(text, sink, onEntry);

  const whole = tryParse(text, 0, text.length);
  if (whole.ok) {
    const locator = locateStrings(text, 0, text.length, whole.value);
    if (Array.isArray(whole.value)) {
      arrayEntries(text, whole.value, locator).forEach(onEntry);
      return { layout: 'array', problems: [] };
    }
    onEntry({ value: whole.value, range: { start: first, end: text.length }, locator, ordinal: 0, line: new LineIndex(text).positionAt(first).line, source: text });
    return { layout: 'object', problems: [] };
  }
  const c = text.charCodeAt(first);
  if (c !== 91 && c !== 123) {
    const lineCount = text.split('\n').filter((l) => l.trim().startsWith('{')).length;
    if (lineCount >= 2) return readLines(text, sink, onEntry);
    const shown = JSON.stringify(text.slice(first, first + 1));
    sink.add(first, 1, `Expected JSON or JSON Lines: the text starts with ${shown}, not '{' or '['.`);
    return { layout: 'object', problems: sink.problems };
  }
  const err = describeJsonError(text, 0, text.length);
  sink.add(err.offset, err.length, `Invalid JSON: ${err.what}.`);
  if (c === 91) {
    salvageArray(text).forEach(onEntry);
    return { layout: 'array', problems: sink.problems };
  }
  return { layout: 'object', problems: sink.problems };
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 ? text.length : nl;
}

function readLines(text: string, sink: ProblemSink, onEntry: (entry: JsonEntry) => void): ScannedDocument {
  let ordinal = 0;
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    let end = nl === -1 ? text.length : nl;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    let s = start;
    if (line === 0 && text.charCodeAt(0) === 0xfeff) s = 1;
    if (!isBlank(text, s, end)) {
      const parsed = tryParse(text, s, end);
      if (parsed.ok) {
        onEntry({ value: parsed.value, range: { start: s, end }, locator: locateStrings(text, s, end, parsed.value), ordinal: ordinal++, line, source: text });
      } else {
        const err = describeJsonError(text, s, end);
        sink.add(err.offset, err.length, `Invalid JSON on this line: ${err.what}. The line is skipped; other lines are read.`);
      }
    }
    if (nl === -1) break;
    start = nl + 1;
    line++;
  }
  return { layout: 'jsonl', problems: sink.problems };
}

function arrayEntries(text: string, value: readonly unknown[], locator: StringLocator): JsonEntry[] {
  const root = parseTree(text);
  const lines = new LineIndex(text);
  return value.map((item, ordinal) => {
    const node = root?.children?.[ordinal];
    const range = node ? { start: node.offset, end: node.offset + node.length } : { start: 0, end: text.length };
    return { value: item, range, locator, ordinal, line: lines.positionAt(range.start).line, source: text };
  });
}

/** Recovers the complete elements of a broken top-level array. */
function salvageArray(text: string): JsonEntry[] {
  const root = parseTree(text, [], { disallowComments: true });
  const lines = new LineIndex(text);
  const out: JsonEntry[] = [];
  for (const node of root?.children ?? []) {
    const start = node.offset;
    const end = node.offset + node.length;
    const parsed = tryParse(text, start, end);
    if (!parsed.ok) continue;
    out.push({ value: parsed.value, range: { start, end }, locator: locateStrings(text, start, end, parsed.value), ordinal: out.length, line: lines.positionAt(start).line, source: text });
  }
  return out;
}
