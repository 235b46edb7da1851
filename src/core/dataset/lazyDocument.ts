import { stepAt as slotAt, buildStepSlots, recordAt as recordAtIn, type StepSlot } from '../editor/stepLocator.js';
import { DEFAULT_PARSE_OPTIONS, type FormatSpec, type ParseOptions } from '../formats/formatSpec.js';
import { ProblemSink, describeJsonError, isBlank, looksBinary, parsesAsJson } from '../json/readJsonDocument.js';
import { parseDocument } from '../parseDocument.js';
import { chooseFormat } from './datasetIndexer.js';
import { parseEntryText, quickRecords, type EntryPlace } from './entryRecords.js';
import type { DatasetRecord, ParsedDocument, Problem, SourceRange } from './types.js';

/**
 * A document's records, read as surfaces need them. Record indices are those of `parseDocument` on the same text:
 * `record(i)` is exactly `parseDocument(text).records[i]`, ranges included, and `problems()` its problems.
 * Valid for one text: the editor builds one per document version.
 */
export interface LazyDocument {
  /** Format id, or `unknown`. */
  readonly format: string;
  /** True when every record is parsed already (a whole-document parse): reading them all costs nothing more. */
  readonly eager: boolean;
  /** How many records the document holds (known without materialising any). */
  readonly count: number;
  /** Record `i`, materialised on first use and cached; undefined out of range. */
  record(i: number): DatasetRecord | undefined;
  /** Record `i`'s id without materialising it; undefined out of range. */
  recordId(i: number): string | undefined;
  /** Record `i`'s kind without materialising it; undefined out of range. */
  recordKind(i: number): DatasetRecord['kind'] | undefined;
  /** The span of record `i` (its entry: a JSONL line) without materialising it. */
  recordRange(i: number): SourceRange | undefined;
  /** The record whose span contains `offset`, else the nearest one starting before it; as `recordAt` of stepLocator. */
  recordAt(offset: number): number | undefined;
  /** The located step containing `offset` (materialises the one entry there); as `stepAt` over every record's slots. */
  stepAt(offset: number): StepSlot | undefined;
  /** Every problem: JSON syntax problems from the index, and record problems at their exact ranges, by offset. */
  problems(): readonly Problem[];
  /** Every record, materialised (whole-file operations: Score All, Export, lists). */
  all(): readonly DatasetRecord[];
  /** Entries parsed on demand so far (0 for a document parsed whole); tests count materialisations with it. */
  readonly materialised: number;
}

/** How many leading entries vote on the format (as in `parseDocument`). */
const DETECT_SAMPLE = 8;

/** A document whose records are all known already: a whole-document parse, or a laid-out record. */
export function eagerDocument(parsed: ParsedDocument): LazyDocument {
  let slots: StepSlot[] | undefined;
  const records = parsed.records;
  return {
    format: parsed.format,
    eager: true,
    count: records.length,
    record: (i) => records[i],
    recordId: (i) => records[i]?.id,
    recordKind: (i) => records[i]?.kind,
    recordRange: (i) => records[i]?.recordRange,
    recordAt: (offset) => recordAtIn(records, offset),
    stepAt: (offset) => slotAt((slots ??= buildStepSlots(records)), offset),
    problems: () => parsed.problems,
    all: () => records,
    materialised: 0,
  };
}

/** True when `scanJsonDocument` would read `text` as JSON Lines from its first line (its `readLines` path). */
function readsAsLines(text: string, fileName: string): boolean {
  let first = 0;
  while (first < text.length && isBlank(text, first, first + 1)) first++;
  if (first >= text.length || looksBinary(text)) return false;
  const nl = text.indexOf('\n', first);
  const lineEnd = nl === -1 ? text.length : nl;
  const firstLineParses = parsesAsJson(text.slice(first, lineEnd));
  const name = fileName.toLowerCase();
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return text.charCodeAt(first) !== 91 || firstLineParses;
  return firstLineParses && !isBlank(text, lineEnd, text.length);
}

/**
 * The whole-document parse the editor has always done: known formats are detected, and the user's key mapping is
 * a fallback for files in none of them.
 */
function parseEagerly(text: string, fileName: string, options: ParseOptions): ParsedDocument {
  const { mapping, ...detectOnly } = options;
  const parsed = parseDocument(text, fileName, detectOnly);
  return parsed.format === 'unknown' && mapping !== undefined ? parseDocument(text, fileName, options) : parsed;
}

/**
 * Indexes a document's text for the editor: JSON Lines in a one-entry format get one `JSON.parse` per line and a
 * summary-only parse (ids, record counts, whether the row has problems), no string locating and no records kept;
 * records are parsed per entry on demand (`parseEntryText`, which gives exactly the whole-document parser's records).
 * JSON arrays, single objects, unknown formats and formats whose records span entries (`parseEntries`) are parsed
 * whole, as before. Never throws for bad input.
 */
export function indexDocumentText(text: string, fileName: string, options: ParseOptions = DEFAULT_PARSE_OPTIONS): LazyDocument {
  if (!readsAsLines(text, fileName)) return eagerDocument(parseEagerly(text, fileName, options));
  return new LineIndexer(text, options).run() ?? eagerDocument(parseEagerly(text, fileName, options));
}

/** Builds a {@link LazyLines}; `run` gives undefined when the file needs the whole-document parser after all. */
class LineIndexer {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly lines: number[] = [];
  private readonly firstRecord: number[] = [];
  private readonly entryOf: number[] = [];
  private readonly ids: string[] = [];
  private readonly kinds: DatasetRecord['kind'][] = [];
  private readonly problemEntries: number[] = [];
  private readonly sink: ProblemSink;
  private format: FormatSpec | undefined;
  private parseOptions: ParseOptions = DEFAULT_PARSE_OPTIONS;
  private held: unknown[] = [];

  constructor(
    private readonly text: string,
    private readonly options: ParseOptions,
  ) {
    this.sink = new ProblemSink(text);
  }

  run(): LazyLines | undefined {
    const text = this.text;
    let start = 0;
    let line = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      let end = nl === -1 ? text.length : nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      const s = line === 0 && text.charCodeAt(0) === 0xfeff ? 1 : start;
      if (!isBlank(text, s, end)) {
        let value: unknown;
        let ok = true;
        try {
          value = JSON.parse(text.slice(s, end));
        } catch {
          ok = false;
          const err = describeJsonError(text, s, end);
          this.sink.add(err.offset, err.length, `Invalid JSON on this line: ${err.what}. The line is skipped; other lines are read.`);
        }
        if (ok) {
          this.starts.push(s);
          this.ends.push(end);
          this.lines.push(line);
          if (this.format !== undefined) this.row(value);
          else {
            this.held.push(value);
            if (this.held.length >= DETECT_SAMPLE && !this.decide()) return undefined;
          }
        }
      }
      if (nl === -1) break;
      start = nl + 1;
      line++;
    }
    if (this.format === undefined && !this.decide()) return undefined;
    const format = this.format;
    if (format === undefined) return undefined;
    return new LazyLines(text, format, this.parseOptions, {
      starts: this.starts,
      ends: this.ends,
      lines: this.lines,
      firstRecord: this.firstRecord,
      entryOf: this.entryOf,
      ids: this.ids,
      kinds: this.kinds,
      problemEntries: this.problemEntries,
      syntaxProblems: this.sink.problems,
    });
  }

  /** Picks the format on the first entries; false when the file is not for this path (unknown, or entries span). */
  private decide(): boolean {
    const { mapping, ...detectOnly } = this.options;
    const detected = chooseFormat(this.held, detectOnly);
    const format = detected ?? (mapping !== undefined && this.options.format === undefined ? chooseFormat(this.held, this.options) : undefined);
    if (format === undefined || format.parseEntries !== undefined) return false;
    this.format = format;
    // As the whole-document parse: a detected format reads with the detection options, the mapping with its own.
    this.parseOptions = detected !== undefined ? detectOnly : this.options;
    const held = this.held;
    this.held = [];
    for (const v of held) this.row(v);
    return true;
  }

  private row(value: unknown): void {
    const format = this.format;
    if (format === undefined) return;
    const entry = this.firstRecord.length;
    this.firstRecord.push(this.ids.length);
    const out = quickRecords(value, { ordinal: entry, line: this.lines[entry] ?? 0 }, format, this.parseOptions);
    for (const r of out.records) {
      this.ids.push(r.id);
      this.kinds.push(r.kind);
      this.entryOf.push(entry);
    }
    if (out.problems.length > 0) this.problemEntries.push(entry);
  }
}

interface LineTables {
  /** Per entry (a JSONL line that parses): where its JSON text starts and ends, its 0-based line. */
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly lines: readonly number[];
  /** Per entry: the index of its first record. */
  readonly firstRecord: readonly number[];
  /** Per record: its entry, and its id. */
  readonly entryOf: readonly number[];
  readonly ids: readonly string[];
  readonly kinds: readonly DatasetRecord['kind'][];
  /** Entries whose summary parse reported problems (parsed fully for their exact ranges). */
  readonly problemEntries: readonly number[];
  readonly syntaxProblems: readonly Problem[];
}

/** A JSON Lines document in a one-entry format: records materialise per entry, on demand. */
class LazyLines implements LazyDocument {
  readonly format: string;
  readonly eager = false;
  private readonly parsedEntries = new Map<number, { records: readonly DatasetRecord[]; problems: readonly Problem[] }>();
  private allRecords: DatasetRecord[] | undefined;
  private allProblems: Problem[] | undefined;
  /** How many entries have been parsed fully so far (tests count materialisations). */
  materialised = 0;

  constructor(
    private readonly text: string,
    private readonly spec: FormatSpec,
    private readonly options: ParseOptions,
    private readonly t: LineTables,
  ) {
    this.format = spec.id;
  }

  get count(): number {
    return this.t.ids.length;
  }

  private entry(e: number): { records: readonly DatasetRecord[]; problems: readonly Problem[] } {
    let hit = this.parsedEntries.get(e);
    if (hit === undefined) {
      const start = this.t.starts[e] ?? 0;
      const place: EntryPlace = { ordinal: e, charStart: start, line: this.t.lines[e] ?? 0, column: start === 1 && this.t.lines[e] === 0 ? 1 : 0 };
      hit = parseEntryText(this.text.slice(start, this.t.ends[e] ?? start), place, this.spec, this.options);
      this.materialised++;
      this.parsedEntries.set(e, hit);
    }
    return hit;
  }

  record(i: number): DatasetRecord | undefined {
    const e = this.t.entryOf[i];
    if (e === undefined) return undefined;
    return this.entry(e).records[i - (this.t.firstRecord[e] ?? 0)];
  }

  recordId(i: number): string | undefined {
    return this.t.ids[i];
  }

  recordKind(i: number): DatasetRecord['kind'] | undefined {
    return this.t.kinds[i];
  }

  recordRange(i: number): SourceRange | undefined {
    const e = this.t.entryOf[i];
    return e === undefined ? undefined : { start: this.t.starts[e] ?? 0, end: this.t.ends[e] ?? 0 };
  }

  /** The last entry holding records that starts at or before `offset`, as a record index (its first); -1 when none. */
  private lastRecordFrom(offset: number): number {
    const { entryOf, starts } = this.t;
    let lo = 0;
    let hi = entryOf.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((starts[entryOf[mid] ?? 0] ?? 0) <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  recordAt(offset: number): number | undefined {
    const last = this.lastRecordFrom(offset);
    if (last === -1) return undefined;
    const e = this.t.entryOf[last] ?? 0;
    // Inside the entry: its first record (the first whose span contains the offset); past it: the nearest before.
    return offset <= (this.t.ends[e] ?? 0) ? (this.t.firstRecord[e] ?? last) : last;
  }

  stepAt(offset: number): StepSlot | undefined {
    const last = this.lastRecordFrom(offset);
    if (last === -1) return undefined;
    const e = this.t.entryOf[last] ?? 0;
    if (offset > (this.t.ends[e] ?? 0)) return undefined;
    const first = this.t.firstRecord[e] ?? 0;
    const records = this.entry(e).records;
    return slotAt(
      buildStepSlots(records).map((s) => ({ ...s, recordIndex: s.recordIndex + first })),
      offset,
    );
  }

  problems(): readonly Problem[] {
    if (this.allProblems === undefined) {
      const out = [...this.t.syntaxProblems];
      for (const e of this.t.problemEntries) out.push(...this.entry(e).problems);
      this.allProblems = out.sort((a, b) => a.offset - b.offset);
    }
    return this.allProblems;
  }

  all(): readonly DatasetRecord[] {
    if (this.allRecords === undefined) {
      const out: DatasetRecord[] = [];
      for (let e = 0; e < this.t.firstRecord.length; e++) out.push(...this.entry(e).records);
      this.allRecords = out;
    }
    return this.allRecords;
  }
}
