import type { Problem } from './types.js';
import type { RowSpan } from './rowTable.js';
import { looksBinary, parsesAsJson } from '../json/readJsonDocument.js';

/** How the entries sit in a JSON text file. */
export type TextLayout = 'jsonl' | 'array' | 'object';

/** What the indexer hands over: each entry's JSON text (not yet parsed) and where it is. */
export interface IndexerSink {
  entry(text: string, span: RowSpan): void;
  problem(p: Problem): void;
}

/** A first line longer than this decides the layout without waiting for its end (a minified array). */
const DECIDE_AFTER_BYTES = 1 << 20;

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * A copy of `bytes`. Not `bytes.slice()`: on a Node Buffer that is a view, and a pushed chunk's buffer is the
 * caller's to reuse once `push` returns.
 */
function copyOf(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** `a` then `b`, in a new array. */
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return copyOf(b);
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function isWs(b: number): boolean {
  return b === 32 || b === 9 || b === 10 || b === 13;
}


/** UTF-16 code units a UTF-8 byte adds: 0 for continuation bytes, 2 for 4-byte leads (a surrogate pair), else 1. */
function utf16Units(b: number): number {
  return (b & 0xc0) === 0x80 ? 0 : b >= 0xf0 ? 2 : 1;
}

/**
 * Splits a JSON Lines, JSON-array or single-object file into its entries while the bytes stream by, never holding
 * more than one entry (and one chunk) at a time. It finds where entries are, nothing more: parsing is the caller's,
 * so one `JSON.parse` per entry is the whole cost of reading. Offsets are both bytes (to read an entry back) and
 * UTF-16 code units (the ranges every parser and editor surface use), with 0-based line and column.
 *
 * The layout is decided as `scanJsonDocument` decides it for a whole text: by the file name and whether the first
 * line is a JSON value on its own.
 */
export class JsonTextIndexer {
  private layout: TextLayout | undefined;
  private pending: Uint8Array = new Uint8Array(0);
  /** JSON Lines: the bytes of a line whose end has not arrived yet. */
  private carry: Uint8Array[] = [];
  private carryLength = 0;
  /** Byte offset, UTF-16 offset and line of `pending[0]`. */
  private byteAt = 0;
  private charAt = 0;
  private lineAt = 0;
  private stopped = false;
  // Array layout state.
  private depth = 0;
  private inString = false;
  private escaped = false;
  private column = 0;
  private element: { start: RowSpan; parts: Uint8Array[]; lastContent: number } | undefined;
  private arrayClosed = false;
  private trailing: { line: number; column: number; offset: number } | undefined;

  constructor(
    private readonly fileName: string,
    private readonly sink: IndexerSink,
  ) {}

  /** The layout, once decided (after the first line). */
  get decided(): TextLayout | undefined {
    return this.layout;
  }

  /** Bytes consumed so far (for progress). */
  get bytesRead(): number {
    return this.byteAt + this.pending.length + this.carryLength;
  }

  /** Indexes the next bytes of the file. Nothing refers to `chunk` once this returns: its buffer may be reused. */
  push(chunk: Uint8Array): void {
    if (this.stopped || chunk.length === 0) return;
    if (this.layout === undefined) {
      this.pending = concat(this.pending, chunk);
      if (!this.decide(false)) return;
      const all = this.pending;
      this.pending = new Uint8Array(0);
      this.feed(all);
      return;
    }
    this.feed(chunk);
  }

  /** No more bytes: flushes the last entry and reports an unclosed array or an empty file. */
  end(): TextLayout {
    if (this.stopped) return this.layout ?? 'jsonl';
    if (this.layout === undefined) {
      if (!this.decide(true)) {
        this.sink.problem({ line: 1, column: 1, offset: 0, length: 0, message: 'The file is empty: expected JSON or JSON Lines records.', severity: 'error' });
        return 'jsonl';
      }
      const all = this.pending;
      this.pending = new Uint8Array(0);
      this.feed(all);
    }
    if (this.layout === 'jsonl') this.lines(new Uint8Array(0), true);
    else if (this.layout === 'object') this.wholeObject();
    else if (!this.arrayClosed) {
      this.sink.problem({ line: this.lineAt + 1, column: this.column + 1, offset: this.charAt, length: 0, message: "Invalid JSON: a missing ']' (the array is not closed); the complete elements before it are read.", severity: 'error' });
    }
    if (this.trailing !== undefined) {
      const t = this.trailing;
      this.sink.problem({ line: t.line + 1, column: t.column + 1, offset: t.offset, length: 1, message: "Invalid JSON: extra text after the top-level array (expected end of input).", severity: 'error' });
    }
    return this.layout ?? 'jsonl';
  }

  private feed(chunk: Uint8Array): void {
    if (this.layout === 'jsonl') this.lines(chunk, false);
    else if (this.layout === 'array') this.arrayBytes(chunk);
    else this.pending = concat(this.pending, chunk);
  }

  /** Decides the layout from the first line; false while more bytes are needed (or, at the end, for an empty file). */
  private decide(atEnd: boolean): boolean {
    const bytes = this.pending;
    let first = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    while (first < bytes.length && isWs(bytes[first] ?? 0)) first++;
    if (first >= bytes.length) return atEnd ? false : false;
    const nl = bytes.indexOf(10, first);
    if (nl === -1 && !atEnd && bytes.length < DECIDE_AFTER_BYTES) return false;
    const sample = decoder.decode(bytes.subarray(0, Math.min(bytes.length, 8192)));
    if (looksBinary(sample)) {
      this.sink.problem({ line: 1, column: 1, offset: 0, length: 1, message: 'This looks like a binary file (NUL or control bytes): expected UTF-8 JSON or JSON Lines text.', severity: 'error' });
      this.stopped = true;
      this.layout = 'jsonl';
      return true;
    }
    const lineEnd = nl === -1 ? bytes.length : nl;
    const firstLineParses = (nl !== -1 || atEnd) && parsesAsJson(decoder.decode(bytes.subarray(first, lineEnd)));
    let rest = lineEnd;
    while (rest < bytes.length && isWs(bytes[rest] ?? 0)) rest++;
    const moreAfter = rest < bytes.length || (!atEnd && nl !== -1);
    const name = this.fileName.toLowerCase();
    const jsonlName = name.endsWith('.jsonl') || name.endsWith('.ndjson') || name.endsWith('.jsonl.gz');
    const c = bytes[first];
    if (c === 0x5b /* [ */) this.layout = firstLineParses && (jsonlName || moreAfter) ? 'jsonl' : 'array';
    else if (c === 0x7b /* { */) this.layout = firstLineParses || jsonlName || !atEnd ? (firstLineParses || jsonlName ? 'jsonl' : 'object') : 'object';
    else this.layout = 'jsonl';
    return true;
  }

  /** JSON Lines: every complete line is an entry unless blank; a line's start waits in `carry` for its end. */
  private lines(chunk: Uint8Array, atEnd: boolean): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      this.line(this.withCarry(chunk.subarray(start, nl)), 1);
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.carry.push(copyOf(chunk.subarray(start)));
      this.carryLength += chunk.length - start;
    }
    if (atEnd && this.carryLength > 0) this.line(this.withCarry(new Uint8Array(0)), 0);
  }

  /** The carried bytes followed by `tail`, as one array (the carry is emptied). */
  private withCarry(tail: Uint8Array): Uint8Array {
    if (this.carry.length === 0) return tail;
    const out = new Uint8Array(this.carryLength + tail.length);
    let at = 0;
    for (const part of this.carry) {
      out.set(part, at);
      at += part.length;
    }
    out.set(tail, at);
    this.carry = [];
    this.carryLength = 0;
    return out;
  }

  /** One line's bytes (without its newline, which is `newline` bytes long: 1, or 0 at the end of the file). */
  private line(bytes: Uint8Array, newline: number): void {
    const raw = decoder.decode(bytes);
    const byteStart = this.byteAt;
    const cr = raw.endsWith('\r');
    let text = cr ? raw.slice(0, -1) : raw;
    let column = 0;
    if (byteStart === 0 && text.charCodeAt(0) === 0xfeff) {
      text = text.slice(1);
      column = 1;
    }
    if (text.trim() !== '') {
      this.sink.entry(text, { byteStart: byteStart + (column === 1 ? 3 : 0), byteEnd: byteStart + bytes.length - (cr ? 1 : 0), charStart: this.charAt + column, line: this.lineAt, column });
    }
    this.charAt += raw.length + newline;
    this.lineAt++;
    this.byteAt += bytes.length + newline;
  }

  /** A single top-level value: the whole file is one entry (held until the end, as it must be). */
  private wholeObject(): void {
    const bytes = this.pending;
    let first = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const text = decoder.decode(bytes);
    let lead = first === 3 ? 1 : 0;
    while (lead < text.length && /\s/.test(text[lead] ?? '')) lead++;
    let line = 0;
    let col = 0;
    for (let i = 0; i < lead; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        col = 0;
      } else col++;
    }
    while (first < bytes.length && isWs(bytes[first] ?? 0)) first++;
    this.sink.entry(text.slice(lead).trimEnd(), { byteStart: first, byteEnd: bytes.length, charStart: lead, line, column: col });
    this.pending = new Uint8Array(0);
  }

  /** Top-level array: a byte state machine finds each element between depth-1 commas. */
  private arrayBytes(chunk: Uint8Array): void {
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] ?? 0;
      const at: RowSpan = { byteStart: this.byteAt + i, byteEnd: 0, charStart: this.charAt, line: this.lineAt, column: this.column };
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === 0x5c) this.escaped = true;
        else if (b === 0x22) this.inString = false;
      } else if (this.arrayClosed) {
        if (!isWs(b) && this.trailing === undefined && !(this.byteAt + i === 0 && b === 0xef)) this.trailing = { line: this.lineAt, column: this.column, offset: this.charAt };
      } else if (b === 0x22) {
        this.inString = true;
        this.open(at);
      } else if (b === 0x5b || b === 0x7b) {
        if (this.depth >= 1) this.open(at);
        this.depth++;
      } else if (b === 0x5d || b === 0x7d) {
        this.depth--;
        if (this.depth === 0) {
          from = this.close(chunk, from, i);
          this.arrayClosed = true;
        }
      } else if (b === 0x2c && this.depth === 1) {
        from = this.close(chunk, from, i);
      } else if (!isWs(b) && this.depth >= 1 && !(b === 0xef || b === 0xbb || b === 0xbf)) this.open(at);
      if (this.element !== undefined && !isWs(b)) this.element.lastContent = this.byteAt + i + 1;
      if (b === 10) {
        this.lineAt++;
        this.column = 0;
      } else this.column += utf16Units(b);
      this.charAt += utf16Units(b);
    }
    if (this.element !== undefined) this.element.parts.push(copyOf(chunk.subarray(Math.max(from, this.element.start.byteStart - this.byteAt))));
    this.byteAt += chunk.length;
  }

  private open(at: RowSpan): void {
    if (this.element === undefined && this.depth === 1) this.element = { start: at, parts: [], lastContent: at.byteStart + 1 };
  }

  /** Ends the open element at byte `i` of `chunk` (a depth-1 comma or the closing bracket); returns the next `from`. */
  private close(chunk: Uint8Array, from: number, i: number): number {
    const el = this.element;
    if (el === undefined) return i + 1;
    this.element = undefined;
    const localStart = Math.max(from, el.start.byteStart - this.byteAt);
    el.parts.push(chunk.subarray(localStart, i));
    this.carry = el.parts;
    this.carryLength = el.parts.reduce((n, p) => n + p.length, 0);
    const bytes = this.withCarry(new Uint8Array(0));
    const length = el.lastContent - el.start.byteStart;
    this.sink.entry(decoder.decode(bytes.subarray(0, length)), { ...el.start, byteEnd: el.lastContent });
    return i + 1;
  }
}

