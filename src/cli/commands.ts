import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DEFAULT_PARSE_OPTIONS, MAPPING_KEYS, type KeyMapping, type ParseOptions } from '../core/formats/formatSpec.js';
import { parseBytes } from '../core/parseDocument.js';
import type { ParsedDocument, Problem } from '../core/dataset/types.js';
import { inspectJson, problemJson, scoreRecordJson } from '../core/report/jsonReports.js';
import { fileConfidenceJson } from '../core/confidence/confidenceJson.js';
import { formatScoreTable } from '../core/report/scoreTable.js';
import { AGGREGATIONS, type Aggregation } from '../core/scoring/aggregate.js';
import { DEFAULT_SCORING, scoreRecords, type ScoredRecord, type ScoringSettings } from '../core/scoring/scoreRecords.js';
import type { SegmentationMode } from '../core/text/segmentSteps.js';
import { SIDECAR_SUFFIX } from '../core/editor/scoreStore.js';
import { writeFileAtomic } from '../scorers/atomicWrite.js';
import { evalReport, formatEvalReport } from '../core/report/evalReport.js';
import { parseRun } from '../core/metrics/compareRuns.js';
import { compareView, dashboardView } from '../core/report/dashboardView.js';
import type { DashboardView } from '../protocol/dashboardMessages.js';
import { loadHtmlReport, type HtmlReportModule } from './htmlReport.js';
import { formatCompareReport } from '../core/report/compareReport.js';
import { modelsCommand } from './modelsCommand.js';
import { createScorer, storeKeyOf } from './scorers.js';
import { selectRows, type RowSlice } from '../core/dataset/slicing.js';
import type { DatasetRecord } from '../core/dataset/types.js';
import { SCORE_LOG_SUFFIX } from '../core/editor/scoreLog.js';
import { DatasetError } from '../data/datasetError.js';
import type { DatasetSource } from '../data/datasetSource.js';
import { DATASET_FILE, openDatasetSource } from '../data/openDatasetSource.js';
import { scoreDataset } from '../data/scoreDataset.js';

/** Where the CLI writes; injected so tests can capture output. */
export interface CliIo {
  out(s: string): void;
  err(s: string): void;
  readonly isTTY: boolean;
}

/** A bad command line: printed without a stack, exit code 2. */
export class UsageError extends Error {}

/** Parsed flag values (see main.ts). */
export type Flags = Record<string, string | boolean | undefined>;

export const USAGE = `reward-lens — step-level reward scores for reasoning traces and preference datasets

Usage:
  reward-lens inspect FILE [--json] [--format ID] [--map KEY=PATH,...]
  reward-lens score FILE|DIR [--model builtin|DIR] [--preset NAME] [--device auto|cpu|webgpu|cuda]
                    [--json] [--out FILE.jsonl] [--threshold 0.5] [--aggregation min|product|mean|last]
                    [--sidecar]   (append scores to FILE.reward-lens.scores.jsonl; a rerun resumes from it)
  reward-lens score FILE --endpoint URL --preset NAME [--api-key-env VAR] [--concurrency N] [--tokenizer DIR] [--json]
  reward-lens score FILE --judge NAME (--endpoint URL [--judge-model ID] | --model DIR) [--rubric FILE]
                    [--max-tokens N] [--json]
  reward-lens eval FILE [--model builtin|DIR] [--preset NAME] [--json] [--html REPORT.html]   (also --endpoint / --judge)
  reward-lens probe FILE [--model builtin|DIR] [--probes corrupt-number,drop-step,...] [--seed S] [--json] [--html REPORT.html]
                    (perturbation probes: does the score move the right way? also --endpoint / --judge)
  reward-lens compare RUN_A.jsonl RUN_B.jsonl [--json] [--top 20] [--html REPORT.html]
                    (two score --out files of one dataset)
  reward-lens models check DIR [--preset NAME]
  reward-lens models check --endpoint URL --preset NAME [--api-key-env VAR]
  reward-lens models judges
  reward-lens models presets
  reward-lens export HF_DIR OUT --preset NAME [--dtype fp32|fp16] [--int4] [--json] [--force] [--python PATH]

Files: .jsonl, .jsonl.gz, .json, .parquet and Inspect .eval logs, of any size (rows are read as they are needed).
Rows:  --offset N (skip N rows)  --limit N (at most N rows)  --sample N --seed S (N rows at random, reproducibly)
       on inspect, score, eval and probe (probe's --seed also seeds its edits).
HTML:  --html REPORT.html (eval, compare, probe) also writes the dashboard as one self-contained page, to open offline.
Judges: thinkprm, processbench-critic, pairwise, arena-hard, rm-r1, prometheus, rubric (see: reward-lens models judges).
Parsing options:  --segment auto|lists|step-markers|paragraphs|lines   --prm800k-zero neutral|good|bad
Exit codes: 0 ok, 1 some records had problems (the rest were processed), 2 usage error or unreadable file.
`;

function str(flags: Flags, key: string): string | undefined {
  const v = flags[key];
  return typeof v === 'string' ? v : undefined;
}

export function parseOptionsOf(flags: Flags): ParseOptions {
  const zero = str(flags, 'prm800k-zero');
  if (zero !== undefined && zero !== 'neutral' && zero !== 'good' && zero !== 'bad') throw new UsageError(`--prm800k-zero must be neutral, good or bad (got "${zero}").`);
  const segment = str(flags, 'segment');
  const modes: readonly SegmentationMode[] = ['auto', 'lists', 'step-markers', 'paragraphs', 'lines'];
  if (segment !== undefined && !modes.includes(segment as SegmentationMode)) throw new UsageError(`--segment must be one of ${modes.join(', ')} (got "${segment}").`);
  const format = str(flags, 'format');
  const map = str(flags, 'map');
  return {
    ...DEFAULT_PARSE_OPTIONS,
    ...(zero !== undefined ? { prm800kRatingZero: zero } : {}),
    ...(segment !== undefined ? { segmentation: segment as SegmentationMode } : {}),
    ...(format !== undefined ? { format } : {}),
    ...(map !== undefined ? { mapping: parseMapping(map) } : {}),
  };
}


/** Parses `--map prompt=question,steps=solution.steps`. */
export function parseMapping(spec: string): KeyMapping {
  const out: Record<string, string> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    if (eq <= 0 || !(MAPPING_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`--map entries are KEY=PATH with KEY one of ${MAPPING_KEYS.join(', ')} (got "${part}").`);
    }
    out[key] = part.slice(eq + 1).trim();
  }
  if (out['steps'] === undefined && out['response'] === undefined && out['chosen'] === undefined) {
    throw new UsageError('--map needs steps=PATH or response=PATH (traces), or chosen=PATH,rejected=PATH (preferences).');
  }
  return out;
}

export function scoringOf(flags: Flags): ScoringSettings {
  const t = str(flags, 'threshold');
  const threshold = t === undefined ? DEFAULT_SCORING.threshold : Number(t);
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) throw new UsageError(`--threshold must be a number in [0, 1] (got "${t}").`);
  const a = str(flags, 'aggregation') ?? DEFAULT_SCORING.aggregation;
  if (!(AGGREGATIONS as readonly string[]).includes(a)) throw new UsageError(`--aggregation must be one of ${AGGREGATIONS.join(', ')} (got "${a}").`);
  const b = str(flags, 'batch-size');
  const batchSize = b === undefined ? DEFAULT_SCORING.batchSize : Number(b);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch-size must be a positive integer (got "${b}").`);
  return { threshold, aggregation: a as Aggregation, batchSize };
}

/** The data files a FILE|DIR argument names: a file itself, or a folder's .json/.jsonl/.eval files (sorted). */
function inputFiles(arg: string): string[] {
  let st;
  try {
    st = statSync(arg);
  } catch {
    throw new UsageError(`cannot read "${arg}": no such file or folder.`);
  }
  if (!st.isDirectory()) return [arg];
  const files = readdirSync(arg)
    .filter((n) => /\.(jsonl|json|ndjson|eval|parquet|jsonl\.gz)$/i.test(n) && !n.endsWith(SIDECAR_SUFFIX) && !n.endsWith(SCORE_LOG_SUFFIX))
    .sort()
    .map((n) => join(arg, n));
  if (files.length === 0) throw new UsageError(`"${arg}" holds no .json, .jsonl, .jsonl.gz, .parquet or .eval files.`);
  return files;
}

function readDoc(path: string, options: ParseOptions): ParsedDocument {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  return parseBytes(bytes, basename(path), options);
}

function nonNegativeInt(flags: Flags, key: string): number | undefined {
  const v = str(flags, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${key} must be a whole number ≥ 0 (got "${v}").`);
  return n;
}

/** `--offset`, `--limit`, `--sample`, `--seed`. */
export function sliceOf(flags: Flags): RowSlice {
  const offset = nonNegativeInt(flags, 'offset');
  const limit = nonNegativeInt(flags, 'limit');
  const sample = nonNegativeInt(flags, 'sample');
  const seed = nonNegativeInt(flags, 'seed');
  if (seed !== undefined && sample === undefined) throw new UsageError('--seed goes with --sample N.');
  return { ...(offset !== undefined ? { offset } : {}), ...(limit !== undefined ? { limit } : {}), ...(sample !== undefined ? { sample } : {}), ...(seed !== undefined ? { seed } : {}) };
}

/** A data file opened for rows, its rows chosen by the slice; `.eval` archives are parsed whole. */
export interface OpenedFile {
  readonly format: string;
  /** File-level problems (unknown format, broken lines, an unreadable file). */
  readonly problems: readonly Problem[];
  readonly positions: readonly number[];
  readonly source: DatasetSource;
}

/** A whole parsed document as a row source (one row per record): `.eval` archives, which are ZIPs. */
function documentSource(path: string, doc: ParsedDocument): DatasetSource {
  const rows = doc.records.map((r, position) => ({ position, records: [r], problems: [] }));
  return {
    path,
    container: 'json',
    format: doc.format,
    rowCount: rows.length,
    complete: true,
    done: Promise.resolve(),
    problems: doc.problems,
    summary: () => {
      throw new Error('not indexed');
    },
    readRows: (start, end) => Promise.resolve(rows.slice(start, end)),
    close: () => Promise.resolve(),
  };
}

export async function openFile(path: string, options: ParseOptions, slice: RowSlice): Promise<OpenedFile> {
  let source: DatasetSource;
  if (/\.eval$/i.test(path) || !DATASET_FILE.test(path)) {
    source = documentSource(path, readDoc(path, options));
  } else {
    try {
      const opened = await openDatasetSource(path, { options, thread: 'inline' });
      await opened.complete;
      source = opened.source;
    } catch (err) {
      if (err instanceof DatasetError) throw new UsageError(err.message);
      throw err;
    }
  }
  return { format: source.format, problems: source.problems, positions: selectRows(source.rowCount, slice), source };
}

/** Every chosen row of a file, read in order: its records and all problems (file and rows, by offset). */
export async function readChosen(file: OpenedFile): Promise<ParsedDocument> {
  const records: DatasetRecord[] = [];
  const problems: Problem[] = [...file.problems];
  for (let i = 0; i < file.positions.length; i += 512) {
    const chunk = file.positions.slice(i, i + 512);
    const first = chunk[0];
    const last = chunk[chunk.length - 1];
    if (first === undefined || last === undefined) continue;
    const wanted = new Set(chunk);
    for (const row of await file.source.readRows(first, last + 1)) {
      if (!wanted.has(row.position)) continue;
      records.push(...row.records);
      problems.push(...row.problems);
    }
  }
  return { format: file.format, records, problems: problems.sort((a, b) => a.offset - b.offset) };
}

export function printProblems(io: CliIo, path: string, problems: readonly Problem[]): void {
  for (const p of problems) io.err(`${path}:${p.line}:${p.column}: ${p.severity}: ${p.message}\n`);
}

/** Set by esbuild (esbuild.mjs `define`) to package.json's version; absent when running from source. */
declare const REWARD_LENS_VERSION: string | undefined;

/** The version this CLI was built from: the bundle's, or package.json's when running from source (tests). */
export function cliVersion(): string {
  if (typeof REWARD_LENS_VERSION === 'string') return REWARD_LENS_VERSION;
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs one CLI command; returns the exit code. */
export async function runCommand(positionals: readonly string[], flags: Flags, io: CliIo): Promise<number> {
  const [command, ...args] = positionals;
  if (flags['version'] === true) {
    io.out(`reward-lens ${cliVersion()}\n`);
    return 0;
  }
  if (flags['help'] === true || command === undefined || command === 'help') {
    io.out(USAGE);
    return command === undefined && flags['help'] !== true ? 2 : 0;
  }
  switch (command) {
    case 'inspect':
      return await inspect(args, flags, io);
    case 'score':
      return score(args, flags, io);
    case 'eval':
      return evaluate(args, flags, io);
    case 'compare':
      return compare(args, flags, io);
    case 'probe':
      return (await import('./probeCommand.js')).probeCommand(args, flags, io);
    case 'models':
      return modelsCommand(args, flags, io);
    case 'export':
      return (await import('./exportCommand.js')).exportCommand(args, flags, io);
    default:
      throw new UsageError(`unknown command "${command}". Commands: inspect, score, eval, probe, compare, models, export.`);
  }
}

export function oneFile(args: readonly string[], command: string): string {
  if (args.length !== 1 || args[0] === undefined) throw new UsageError(`${command} takes exactly one FILE (got ${args.length}).`);
  return args[0];
}

async function inspect(args: readonly string[], flags: Flags, io: CliIo): Promise<number> {
  const path = oneFile(args, 'inspect');
  const file = await openFile(path, parseOptionsOf(flags), sliceOf(flags));
  let doc: ParsedDocument;
  try {
    doc = await readChosen(file);
  } finally {
    await file.source.close();
  }
  if (flags['json'] === true) {
    io.out(`${JSON.stringify(inspectJson(doc))}\n`);
  } else {
    printProblems(io, path, doc.problems);
    const traces = doc.records.filter((r) => r.kind === 'trace').length;
    const rows = file.positions.length < file.source.rowCount ? ` (${file.positions.length} of ${file.source.rowCount} rows)` : '';
    io.out(`${path}: format ${doc.format}, ${traces} trace(s), ${doc.records.length - traces} preference record(s)${rows}, ${doc.problems.length} problem(s)\n`);
  }
  return doc.problems.some((p) => p.severity === 'error') ? 1 : 0;
}

async function score(args: readonly string[], flags: Flags, io: CliIo): Promise<number> {
  if (args.length !== 1 || args[0] === undefined) throw new UsageError(`score takes one FILE or folder (got ${args.length}).`);
  const files = inputFiles(args[0]);
  const options = parseOptionsOf(flags);
  const settings = scoringOf(flags);
  const slice = sliceOf(flags);
  const out = str(flags, 'out');
  if (out !== undefined && files.some((f) => resolve(f) === resolve(out))) throw new UsageError('--out names an input file; Reward Lens never writes over your data.');
  const sidecar = flags['sidecar'] === true;
  const progress = progressLine(io);
  const scorer = await createScorer(flags, progress.onTokens);
  const modelId = storeKeyOf(flags);
  let hadProblems = false;
  let failure: Error | undefined;
  const outLines: string[] = [];
  const jsonDocs: Record<string, unknown>[] = [];
  try {
    for (const path of files) {
      const file = await openFile(path, options, slice);
      const problems: Problem[] = [...file.problems];
      const scored: ScoredRecord[] = [];
      let reused = 0;
      try {
        await scoreDataset(file.source, file.positions, scorer, settings, {
          modelId,
          ...(sidecar && !/\.eval$/i.test(path) ? { logPath: `${path}${SCORE_LOG_SUFFIX}` } : {}),
          onRows: (rows) => {
            for (const r of rows) {
              scored.push(...r.scored);
              problems.push(...r.problems);
              if (r.reused) reused += r.scored.length;
            }
          },
          onProgress: (p) => progress.records(basename(path), p.done, p.total, p.rate, p.etaSeconds),
        });
      } catch (err) {
        failure = err as Error;
      } finally {
        await file.source.close();
      }
      progress.end();
      problems.sort((a, b) => a.offset - b.offset);
      if (problems.some((p) => p.severity === 'error')) hadProblems = true;
      printProblems(io, path, problems);
      if (reused > 0) io.err(`${path}: ${reused} record(s) already scored in ${basename(path)}${SCORE_LOG_SUFFIX} were reused (resumed).\n`);
      const total = file.positions.length;
      const partial = failure !== undefined;
      const rows = scored.map(scoreRecordJson);
      if (out !== undefined) outLines.push(...rows.map((r) => JSON.stringify({ file: path, ...r })));
      if (flags['json'] === true) {
        jsonDocs.push({ file: path, format: file.format, model: scorer.id, records: rows, ...fileConfidenceJson(scored), problems: problems.map(problemJson), ...(partial ? { partial: true, scored: scored.length, total, error: failure?.message } : {}) });
      } else if (out === undefined) io.out(`${formatScoreTable(path, scored, settings.threshold)}\n\n`);
      if (partial) {
        io.err(`${path}: stopped after ${scored.length} of ${total} record(s): ${failure?.message}\nThe ${scored.length} scored record(s) are kept (marked partial)${sidecar ? ` and logged; run the same command again to resume` : ''}.\n`);
        break;
      }
    }
  } finally {
    await scorer.dispose();
  }
  if (out !== undefined) {
    writeFileAtomic(out, outLines.map((l) => `${l}\n`).join(''));
    io.err(`wrote ${outLines.length} scored record(s) to ${out}${failure !== undefined ? ' (partial: the run stopped early)' : ''}\n`);
  }
  if (flags['json'] === true) io.out(`${JSON.stringify(jsonDocs.length === 1 ? jsonDocs[0] : jsonDocs)}\n`);
  return hadProblems || failure !== undefined ? 1 : 0;
}

/** Progress on stderr when it is a terminal: records done and, for judges, tokens per second. */
function progressLine(io: CliIo): {
  onTokens: (p: { tokens: number }) => void;
  records: (file: string, done: number, total: number, rate?: number, eta?: number) => void;
  end: () => void;
} {
  let file = '';
  let done = 0;
  let total = 0;
  let tokens = 0;
  let rowRate = 0;
  let eta: number | undefined;
  let started = 0;
  let shown = false;
  let last = 0;
  const show = (): void => {
    if (!io.isTTY) return;
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = tokens > 0 ? ` · ${tokens} tokens · ${(tokens / secs).toFixed(1)} tok/s` : '';
    const rows = rowRate > 0 ? ` · ${rowRate.toFixed(1)} rows/s${eta !== undefined ? ` · ETA ${formatEta(eta)}` : ''}` : '';
    io.err(`\r${file}: ${done}/${total}${rows}${rate}\x1b[K`);
    shown = true;
  };
  return {
    onTokens: (p) => {
      if (started === 0) started = Date.now();
      tokens = p.tokens;
      if (Date.now() - last > 200) {
        last = Date.now();
        show();
      }
    },
    records: (f, d, t, r, e) => {
      if (started === 0) started = Date.now();
      file = f;
      done = d;
      total = t;
      rowRate = r ?? 0;
      eta = e;
      show();
    },
    end: () => {
      if (shown) io.err('\n');
      shown = false;
    },
  };
}

/** Seconds as `1h02m`, `3m07s` or `12s`. */
function formatEta(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Where `--html FILE` writes its page, and the renderer; checked and loaded before any work is done. */
export interface HtmlTarget {
  readonly path: string;
  readonly renderer: HtmlReportModule;
}

/** `--html FILE`: undefined without the flag; a usage error for an empty name, an input file, or no renderer. */
export function htmlTargetOf(flags: Flags, inputs: readonly string[]): HtmlTarget | undefined {
  if (flags['html'] === undefined) return undefined;
  const path = str(flags, 'html');
  if (path === undefined || path.trim() === '') throw new UsageError('--html needs the name of the page to write, e.g. --html report.html.');
  if (inputs.some((f) => resolve(f) === resolve(path))) throw new UsageError('--html names an input file; Reward Lens never writes over your data.');
  const renderer = loadHtmlReport();
  if ('missing' in renderer) throw new UsageError(renderer.missing);
  return { path, renderer };
}

/** Renders `view` into the `--html` page, written atomically. */
export function writeHtml(target: HtmlTarget, view: DashboardView, io: CliIo): void {
  const html = target.renderer.renderHtmlReport(view);
  try {
    writeFileAtomic(target.path, html);
  } catch (err) {
    throw new UsageError(`cannot write "${target.path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  io.err(`wrote the dashboard to ${target.path}\n`);
}

async function evaluate(args: readonly string[], flags: Flags, io: CliIo): Promise<number> {
  const path = oneFile(args, 'eval');
  const html = htmlTargetOf(flags, [path]);
  const file = await openFile(path, parseOptionsOf(flags), sliceOf(flags));
  const settings = scoringOf(flags);
  let doc: ParsedDocument;
  let scored: ScoredRecord[];
  try {
    doc = await readChosen(file);
    printProblems(io, path, doc.problems);
    const scorer = await createScorer(flags);
    try {
      scored = await scoreRecords(doc.records, scorer, settings);
    } finally {
      await scorer.dispose();
    }
    const report = evalReport(doc, scored, settings, scorer.id);
    io.out(flags['json'] === true ? `${JSON.stringify(report)}\n` : `${formatEvalReport(path, report)}\n`);
    if (html !== undefined) writeHtml(html, dashboardView({ file: basename(path), format: doc.format, model: scorer.id, records: doc.records.length, scored }, settings, undefined, report), io);
  } finally {
    await file.source.close();
  }
  return doc.problems.some((p) => p.severity === 'error') ? 1 : 0;
}

/** `compare A B`: two `score --out` files side by side (see core/metrics/compareRuns.ts). */
function compare(args: readonly string[], flags: Flags, io: CliIo): number {
  const [pathA, pathB] = args;
  if (args.length !== 2 || pathA === undefined || pathB === undefined) throw new UsageError(`compare takes two score --out files, RUN_A.jsonl RUN_B.jsonl (got ${args.length}).`);
  const top = nonNegativeInt(flags, 'top') ?? 20;
  const html = htmlTargetOf(flags, [pathA, pathB]);
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
    }
  };
  const a = parseRun(read(pathA), pathA);
  const b = parseRun(read(pathB), pathB);
  for (const p of [...a.problems, ...b.problems]) io.err(`${p}\n`);
  // File names, or the paths as given when the names are the same (runs/a/out.jsonl, runs/b/out.jsonl).
  const [nameA, nameB] = basename(pathA) === basename(pathB) ? [pathA, pathB] : [basename(pathA), basename(pathB)];
  const compared = compareView(nameA, nameB, a.rows, b.rows, { top });
  const report = compared.report;
  if (flags['json'] === true) io.out(`${JSON.stringify({ ...report, problems: [...a.problems, ...b.problems] })}\n`);
  else io.out(`${formatCompareReport(pathA, pathB, report)}\n`);
  if (html !== undefined) writeHtml(html, { file: `${nameA} vs ${nameB}`, coverage: { records: report.records, scored: report.records }, compare: compared }, io);
  return a.problems.length + b.problems.length > 0 ? 1 : 0;
}
