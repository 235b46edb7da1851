import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DEFAULT_PARSE_OPTIONS, MAPPING_KEYS, type KeyMapping, type ParseOptions } from '../core/formats/formatSpec.js';
import { parseBytes } from '../core/parseDocument.js';
import type { ParsedDocument, Problem } from '../core/dataset/types.js';
import { inspectJson, problemJson, scoreRecordJson } from '../core/report/jsonReports.js';
import { formatScoreTable } from '../core/report/scoreTable.js';
import { AGGREGATIONS, type Aggregation } from '../core/scoring/aggregate.js';
import { DEFAULT_SCORING, scoreRecords, type ScoredRecord, type ScoringSettings } from '../core/scoring/scoreRecords.js';
import type { SegmentationMode } from '../core/text/segmentSteps.js';
import { SIDECAR_SUFFIX } from '../core/editor/scoreStore.js';
import { writeFileAtomic } from '../scorers/atomicWrite.js';
import { evalReport, formatEvalReport } from '../core/report/evalReport.js';
import { modelsCommand } from './modelsCommand.js';
import { createScorer } from './scorers.js';

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
  reward-lens score FILE --endpoint URL --preset NAME [--api-key-env VAR] [--concurrency N] [--tokenizer DIR] [--json]
  reward-lens score FILE --judge NAME (--endpoint URL [--judge-model ID] | --model DIR) [--rubric FILE]
                    [--max-tokens N] [--json]
  reward-lens eval FILE [--model builtin|DIR] [--preset NAME] [--json]   (also --endpoint / --judge)
  reward-lens models check DIR [--preset NAME]
  reward-lens models check --endpoint URL --preset NAME [--api-key-env VAR]
  reward-lens models judges
  reward-lens models presets
  reward-lens export HF_DIR OUT --preset NAME [--dtype fp32|fp16] [--int4] [--json] [--force] [--python PATH]

Judges: thinkprm, processbench-critic, pairwise, arena-hard, rm-r1, prometheus, rubric (see: reward-lens models judges).
Parsing options:  --segment auto|lists|step-markers|paragraphs|lines   --prm800k-zero neutral|good|bad
Exit codes: 0 ok, 1 some records had problems (the rest were processed), 2 usage error or unreadable file.
`;

function str(flags: Flags, key: string): string | undefined {
  const v = flags[key];
  return typeof v === 'string' ? v : undefined;
}

function parseOptionsOf(flags: Flags): ParseOptions {
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

function scoringOf(flags: Flags): ScoringSettings {
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
    .filter((n) => /\.(jsonl|json|ndjson|eval)$/i.test(n) && !n.endsWith(SIDECAR_SUFFIX))
    .sort()
    .map((n) => join(arg, n));
  if (files.length === 0) throw new UsageError(`"${arg}" holds no .json, .jsonl or .eval files.`);
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

function printProblems(io: CliIo, path: string, problems: readonly Problem[]): void {
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
      return inspect(args, flags, io);
    case 'score':
      return score(args, flags, io);
    case 'eval':
      return evaluate(args, flags, io);
    case 'models':
      return modelsCommand(args, flags, io);
    case 'export':
      return (await import('./exportCommand.js')).exportCommand(args, flags, io);
    default:
      throw new UsageError(`unknown command "${command}". Commands: inspect, score, eval, models.`);
  }
}

function oneFile(args: readonly string[], command: string): string {
  if (args.length !== 1 || args[0] === undefined) throw new UsageError(`${command} takes exactly one FILE (got ${args.length}).`);
  return args[0];
}

function inspect(args: readonly string[], flags: Flags, io: CliIo): number {
  const path = oneFile(args, 'inspect');
  const doc = readDoc(path, parseOptionsOf(flags));
  if (flags['json'] === true) {
    io.out(`${JSON.stringify(inspectJson(doc))}\n`);
  } else {
    printProblems(io, path, doc.problems);
    const traces = doc.records.filter((r) => r.kind === 'trace').length;
    io.out(`${path}: format ${doc.format}, ${traces} trace(s), ${doc.records.length - traces} preference record(s), ${doc.problems.length} problem(s)\n`);
  }
  return doc.problems.some((p) => p.severity === 'error') ? 1 : 0;
}

async function score(args: readonly string[], flags: Flags, io: CliIo): Promise<number> {
  if (args.length !== 1 || args[0] === undefined) throw new UsageError(`score takes one FILE or folder (got ${args.length}).`);
  const files = inputFiles(args[0]);
  const options = parseOptionsOf(flags);
  const settings = scoringOf(flags);
  const out = str(flags, 'out');
  if (out !== undefined && files.some((f) => resolve(f) === resolve(out))) throw new UsageError('--out names an input file; Reward Lens never writes over your data.');
  const progress = progressLine(io);
  const scorer = await createScorer(flags, progress.onTokens);
  let hadProblems = false;
  let failure: Error | undefined;
  const outLines: string[] = [];
  const jsonDocs: Record<string, unknown>[] = [];
  try {
    for (const path of files) {
      const doc = readDoc(path, options);
      if (doc.problems.some((p) => p.severity === 'error')) hadProblems = true;
      printProblems(io, path, doc.problems);
      // Records arrive one by one, so a run that fails part-way (a server gone, a model error) keeps what was scored.
      const scored: ScoredRecord[] = [];
      try {
        await scoreRecords(doc.records, scorer, settings, {
          onRecord: (r) => scored.push(r),
          onProgress: (p) => progress.records(basename(path), p.done, p.total),
        });
      } catch (err) {
        failure = err as Error;
      }
      progress.end();
      const partial = failure !== undefined;
      const rows = scored.map(scoreRecordJson);
      if (out !== undefined) outLines.push(...rows.map((r) => JSON.stringify({ file: path, ...r })));
      if (flags['json'] === true) {
        jsonDocs.push({ file: path, format: doc.format, model: scorer.id, records: rows, problems: doc.problems.map(problemJson), ...(partial ? { partial: true, scored: scored.length, total: doc.records.length, error: failure?.message } : {}) });
      } else if (out === undefined) io.out(`${formatScoreTable(path, scored, settings.threshold)}\n\n`);
      if (partial) {
        io.err(`${path}: stopped after ${scored.length} of ${doc.records.length} record(s): ${failure?.message}\nThe ${scored.length} scored record(s) are kept (marked partial).\n`);
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
function progressLine(io: CliIo): { onTokens: (p: { tokens: number }) => void; records: (file: string, done: number, total: number) => void; end: () => void } {
  let file = '';
  let done = 0;
  let total = 0;
  let tokens = 0;
  let started = 0;
  let shown = false;
  let last = 0;
  const show = (): void => {
    if (!io.isTTY) return;
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = tokens > 0 ? ` · ${tokens} tokens · ${(tokens / secs).toFixed(1)} tok/s` : '';
    io.err(`\r${file}: ${done}/${total}${rate}`);
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
    records: (f, d, t) => {
      if (started === 0) started = Date.now();
      file = f;
      done = d;
      total = t;
      show();
    },
    end: () => {
      if (shown) io.err('\n');
      shown = false;
    },
  };
}

async function evaluate(args: readonly string[], flags: Flags, io: CliIo): Promise<number> {
  const path = oneFile(args, 'eval');
  const doc = readDoc(path, parseOptionsOf(flags));
  printProblems(io, path, doc.problems);
  const settings = scoringOf(flags);
  const scorer = await createScorer(flags);
  let scored: ScoredRecord[];
  try {
    scored = await scoreRecords(doc.records, scorer, settings);
  } finally {
    await scorer.dispose();
  }
  const report = evalReport(doc, scored, settings, scorer.id);
  io.out(flags['json'] === true ? `${JSON.stringify(report)}\n` : `${formatEvalReport(path, report)}\n`);
  return doc.problems.some((p) => p.severity === 'error') ? 1 : 0;
}
