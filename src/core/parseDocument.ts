import { DEFAULT_PARSE_OPTIONS, type FormatSpec, type ParseOptions, type RecordOutcome, type RecordProblem } from './formats/formatSpec.js';
import { FORMATS, formatById } from './formats/registry.js';
import { keyMappingFormat } from './formats/keyMapping.js';
import { parseInspectEval } from './formats/inspectEval.js';
import { ProblemSink, scanJsonDocument, type JsonEntry } from './json/readJsonDocument.js';
import type { DatasetRecord, ParsedDocument } from './dataset/types.js';

/** How many leading records vote on the format. */
const DETECT_SAMPLE = 8;

/** Picks the format whose `detect` scores the first records highest; `undefined` when none matches. */
export function detectFormat(entries: readonly JsonEntry[], formats: readonly FormatSpec[] = FORMATS): FormatSpec | undefined {
  let best: FormatSpec | undefined;
  let bestScore = 0;
  const sample = entries.slice(0, DETECT_SAMPLE);
  for (const f of formats) {
    let total = 0;
    for (const e of sample) total += f.detect(e.value);
    if (total > bestScore) {
      best = f;
      bestScore = total;
    }
  }
  return best;
}

/**
 * Parses a trace or preference file's text into normalised records. Never throws for bad input: every
 * problem is located (line, column) and the records that could be read are kept.
 */
export function parseDocument(text: string, fileName: string | undefined, options: ParseOptions = DEFAULT_PARSE_OPTIONS): ParsedDocument {
  const sink = new ProblemSink(text);
  const records: DatasetRecord[] = [];
  const ctx = { text, options };
  const report = (entry: JsonEntry, p: RecordProblem): void => {
    const range = p.range ?? { start: entry.range.start, end: Math.min(entry.range.end, entry.range.start + 1) };
    sink.add(range.start, range.end - range.start, p.message, p.severity ?? 'error');
  };
  const parseOne = (f: FormatSpec, entry: JsonEntry): void => {
    let outcome: RecordOutcome;
    try {
      outcome = f.parse(entry, ctx);
    } catch (err) {
      // A parser bug must not lose the rest of the file.
      outcome = { records: [], problems: [{ message: `Internal error reading this record: ${(err as Error).message}` }] };
    }
    for (const r of outcome.records) records.push(r);
    for (const p of outcome.problems) report(entry, p);
  };

  // The format is fixed by an option, or detected on the first DETECT_SAMPLE entries; after that, entries are
  // parsed as they stream by and dropped (multi-entry formats keep them all, as they must).
  let format: FormatSpec | undefined =
    options.format !== undefined ? formatById(options.format) : options.mapping !== undefined ? keyMappingFormat(options.mapping) : undefined;
  let decided = format !== undefined || options.format !== undefined;
  const held: JsonEntry[] = [];
  const decide = (): void => {
    decided = true;
    format ??= options.format === undefined ? detectFormat(held) : undefined;
    if (format !== undefined && !format.parseEntries) {
      for (const e of held) parseOne(format, e);
      held.length = 0;
    }
  };
  const scanned = scanJsonDocument(text, fileName === undefined ? {} : { fileName }, (entry) => {
    if (!decided) {
      held.push(entry);
      if (held.length >= DETECT_SAMPLE) decide();
    } else if (format !== undefined && !format.parseEntries) parseOne(format, entry);
    else held.push(entry);
  });
  if (!decided) decide();

  if (options.format !== undefined && format === undefined) {
    sink.add(0, 0, `Unknown format "${options.format}". Known formats: ${FORMATS.map((f) => f.id).join(', ')}.`);
  }
  if (format === undefined) {
    const first = held[0];
    if (first !== undefined && options.format === undefined) {
      const keys = Object.keys((first.value ?? {}) as object).slice(0, 8);
      sink.add(
        first.range.start,
        1,
        `Unrecognised record format (keys: ${keys.join(', ') || 'none'}). Expected one of the supported formats; for other files set "rewardLens.mapping" (or --map) to name the prompt and steps keys.`,
      );
    }
    return { format: 'unknown', records: [], problems: [...scanned.problems, ...sink.problems] };
  }
  if (format.parseEntries) {
    try {
      const outcome = format.parseEntries(held, ctx);
      records.push(...outcome.records);
      for (const p of outcome.problems) report(p.entry, p);
    } catch (err) {
      sink.add(0, 0, `Internal error reading this file as ${format.label}: ${(err as Error).message}`);
    }
  }
  const problems = [...scanned.problems, ...sink.problems].sort((a, b) => a.offset - b.offset);
  return { format: format.id, records, problems };
}

/** True when the bytes start with a ZIP local file header ("PK\x03\x04"). */
function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * Parses a file's bytes: an Inspect `.eval` archive (by extension or ZIP magic) is read as a ZIP, anything else is
 * decoded as UTF-8 (invalid bytes become U+FFFD, a BOM is kept so offsets match the file) and parsed as text.
 * Never throws for bad input.
 */
export function parseBytes(bytes: Uint8Array, fileName: string, options: ParseOptions = DEFAULT_PARSE_OPTIONS): ParsedDocument {
  if (fileName.toLowerCase().endsWith('.eval') || isZip(bytes)) return parseInspectEval(bytes, options);
  return parseDocument(new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes), fileName, options);
}
