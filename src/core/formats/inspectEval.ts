import { unzipSync, type Unzipped } from 'fflate';
import type { JsonEntry } from '../json/readJsonDocument.js';
import type { StringLocator } from '../json/locateStrings.js';
import type { DatasetRecord, ParsedDocument, Problem } from '../dataset/types.js';
import { isObject } from './fields.js';
import { DEFAULT_PARSE_OPTIONS, type FormatContext, type ParseOptions } from './formatSpec.js';
import { evalFacts, hasSeveralEpochs, sampleTrace } from './inspectLog.js';

/** The format id of `.eval` archives (they are bytes, not text, so they are not in the text format registry). */
export const INSPECT_EVAL_FORMAT = 'inspect-eval';

/** Strings inside a ZIP have no place in any editor text. */
const NO_RANGES: StringLocator = { rangeOf: () => undefined };

const SAMPLE_FILE = /^samples\/.+\.json$/;

/**
 * Reads an Inspect AI `.eval` log (FORMATS.md §9): a ZIP holding `header.json` (the eval spec) and one
 * `samples/<id>_epoch_<n>.json` per sample. Each sample becomes a trace as in the `.json` log (`sampleTrace`), with
 * `attachment://` strings dereferenced; steps, prompts and record ranges have no place in a text, so steps carry no
 * range and record ranges are empty. Samples are ordered by file name (numbers compared as numbers). Never throws:
 * a corrupt or non-ZIP input, or an unreadable member, becomes a problem at 1:1.
 */
export function parseInspectEval(bytes: Uint8Array, options: ParseOptions = DEFAULT_PARSE_OPTIONS): ParsedDocument {
  const problems: Problem[] = [];
  const report = (message: string, severity: Problem['severity'] = 'error'): void => {
    problems.push({ line: 1, column: 1, offset: 0, length: 0, message, severity });
  };
  let files: Unzipped;
  try {
    files = unzipSync(bytes, { filter: (f) => f.name === 'header.json' || f.name === '_journal/start.json' || SAMPLE_FILE.test(f.name) });
  } catch (err) {
    report(`Not a readable Inspect .eval log: expected a ZIP archive with header.json and samples/*.json (${err instanceof Error ? err.message : String(err)}).`);
    return { format: INSPECT_EVAL_FORMAT, records: [], problems };
  }
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const readJson = (name: string): unknown => {
    const data = files[name];
    if (data === undefined) return undefined;
    try {
      return JSON.parse(decoder.decode(data)) as unknown;
    } catch (err) {
      report(`${name} in the .eval archive is not valid JSON (${err instanceof Error ? err.message : String(err)}); it is skipped.`);
      return undefined;
    }
  };
  const header = readJson('header.json') ?? readJson('_journal/start.json');
  if (!isObject(header)) report('The .eval archive has no readable header.json: task and model are unknown.', 'warning');
  const facts = evalFacts(isObject(header) ? header['eval'] : undefined);
  const names = Object.keys(files)
    .filter((n) => SAMPLE_FILE.test(n))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (names.length === 0) report('The .eval archive has no samples/*.json: it was written with log_samples off or before any sample finished.', 'warning');
  const samples = names.map((name) => ({ name, value: readJson(name) }));
  const epochIds = hasSeveralEpochs(samples.map((s) => s.value));
  const ctx: FormatContext = { text: '', options };
  const records: DatasetRecord[] = [];
  samples.forEach(({ name, value }, ordinal) => {
    if (value === undefined) return;
    if (!isObject(value)) {
      report(`${name} in the .eval archive is not a sample object; it is skipped.`);
      return;
    }
    const entry: JsonEntry = { value, range: { start: 0, end: 0 }, locator: NO_RANGES, ordinal, line: 0, source: '' };
    const fallbackId = name.slice('samples/'.length, -'.json'.length);
    const out = sampleTrace(entry, ctx, value, facts, { start: 0, end: 0 }, epochIds, fallbackId);
    records.push(out.trace);
    for (const p of out.problems) report(`${name}: ${p.message}`, p.severity ?? 'error');
  });
  return { format: INSPECT_EVAL_FORMAT, records, problems };
}
