// Lazy-dataset figures on a generated ProcessBench-like JSONL (REWARD_LENS_BENCH_DATASET_MB, default 1024 MB) and
// a Parquet file of its first rows, both in a temporary folder removed at the end:
// - index_mb_per_s: TextSource (worker thread) from open to `done`; ratio_vs_json_parse divides it by the rate of
//   reading the same file in chunks in the same run and JSON.parse-ing every line (aim ≥ 0.5); best of two each;
// - first_rows_ms: open (no cached index) to the first 50 rows parsed, median of 3 (aim ≤ 300 ms); reopen_ms: the
//   same from the cached index;
// - peak_rss_mb: the peak resident memory of a child process (bench/datasetChild.ts, bundled on its own) that indexes
//   the whole file with the worker thread and writes the cached index, as the extension does (aim ≤ 200 MB), beside
//   idle_child_rss_mb, the same child loaded and idle;
// - parquet_rows_per_s: ParquetSource.readRows in 1,000-row slices across the Parquet file (after its background
//   summary pass, whose rate is parquet_summary_rows_per_s), against TextSource.readRows of the same rows in the
//   same slices (jsonl_read_rows_per_s). The Parquet file holds the first PARQUET_ROWS rows
//   (REWARD_LENS_BENCH_PARQUET_ROWS), as writing it in JS is slow.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Esbuild from 'esbuild';
import { fileWriter, parquetWriteRows } from 'hyparquet-writer';
import { DEFAULT_PARSE_OPTIONS } from '../src/core/formats/formatSpec.js';
import { openDatasetSource } from '../src/data/openDatasetSource.js';
import { TextSource } from '../src/data/textSource.js';

const FIRST_ROWS = 50;
/** Rows in the Parquet file unless REWARD_LENS_BENCH_PARQUET_ROWS says otherwise (the JSONL's first rows). */
const PARQUET_ROWS = 100_000;
const SLICE_ROWS = 1000;

/** One ProcessBench row, as Qwen/ProcessBench's splits hold them. */
interface BenchRow {
  readonly id: string;
  readonly generator: string;
  readonly problem: string;
  readonly steps: string[];
  readonly final_answer_correct: boolean;
  readonly label: number;
}

const SUBSETS = ['gsm8k', 'math', 'olympiadbench', 'omnimath'];
const GENERATORS = ['Qwen2-7B-Instruct', 'Qwen2.5-Math-72B-Instruct', 'Meta-Llama-3-70B-Instruct', 'Llama-3.1-8B-Instruct', 'QwQ-32B-Preview'];
const WORDS = 'the a of to is we so each total number sum product ratio remaining therefore since let find answer value side angle area equation solve both more than less half third'.split(' ');
const EXTRAS = ['“quoted”', 'naïve', 'café', 'Schrödinger', '−3', '≤', '≥', '×', '÷', 'π', '√2', '∑', '∫', '½', '€12', '中文', 'ñ', '😀', 'Ω', '—', '…'];

/** A seeded generator (mulberry32), so the JSONL and the Parquet file hold the same rows: an integer in [0, k). */
function seeded(seed: number): (k: number) => number {
  let s = seed >>> 0;
  return (k) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = Math.imul(s ^ (s >>> 15), s | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return Math.floor((((z ^ (z >>> 14)) >>> 0) / 4294967296) * k);
  };
}

function sentence(rand: (k: number) => number): string {
  const words: string[] = [];
  const n = 6 + rand(18);
  for (let i = 0; i < n; i++) {
    const r = rand(20);
    words.push(r < 14 ? (WORDS[rand(WORDS.length)] ?? 'x') : r < 17 ? String(rand(10000)) : r < 19 ? (EXTRAS[rand(EXTRAS.length)] ?? '') : `\\(${rand(100)} \\times ${rand(100)}\\)`);
  }
  return `${words.join(' ')}.`;
}

function paragraph(rand: (k: number) => number, sentences: number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) out.push(sentence(rand));
  if (rand(4) === 0) out.push(`\n\n\\[ ${rand(1000)} + ${rand(1000)} = \\boxed{${rand(2000)}} \\]`);
  return out.join(' ');
}

/** ProcessBench-like rows, endless and deterministic: lengths vary from a line to a few thousand characters. */
function* benchRows(): Generator<BenchRow> {
  const rand = seeded(20250101);
  for (let n = 0; ; n++) {
    const stepCount = 1 + (rand(3) === 0 ? rand(20) : rand(8));
    const steps = Array.from({ length: stepCount }, (_, i) => `Step ${i + 1}: ${paragraph(rand, 1 + rand(rand(5) === 0 ? 14 : 5))}`);
    const label = rand(3) === 0 ? -1 : rand(stepCount);
    yield {
      id: `${SUBSETS[n % SUBSETS.length] ?? 'gsm8k'}-${n}`,
      generator: GENERATORS[rand(GENERATORS.length)] ?? '',
      problem: paragraph(rand, 1 + rand(8)),
      steps,
      final_answer_correct: label === -1 ? rand(8) !== 0 : rand(5) === 0,
      label,
    };
  }
}

/** Writes at least `targetBytes` of JSONL, a few MB at a time; returns the rows written. */
function writeJsonl(path: string, targetBytes: number): number {
  const fd = openSync(path, 'w');
  let written = 0;
  let rows = 0;
  let chunk: string[] = [];
  let chunkChars = 0;
  try {
    for (const row of benchRows()) {
      if (written >= targetBytes) break;
      const line = `${JSON.stringify(row)}\n`;
      chunk.push(line);
      chunkChars += line.length;
      rows++;
      if (chunkChars >= 4 << 20) {
        written += writeSync(fd, chunk.join(''));
        chunk = [];
        chunkChars = 0;
      }
    }
    writeSync(fd, chunk.join(''));
  } finally {
    closeSync(fd);
  }
  return rows;
}

/** The first `rows` rows as Parquet, steps as list<string> and label as int64, as the hub's export has them. */
async function writeParquet(path: string, rows: number): Promise<void> {
  function* firstRows(): Generator<Omit<BenchRow, 'label'> & { label: bigint }> {
    let n = 0;
    for (const row of benchRows()) {
      if (n++ >= rows) return;
      yield { ...row, label: BigInt(row.label) };
    }
  }
  await parquetWriteRows({
    writer: fileWriter(path),
    rows: firstRows(),
    columns: [{ name: 'id' }, { name: 'generator' }, { name: 'problem' }, { name: 'steps' }, { name: 'final_answer_correct' }, { name: 'label' }],
    schema: [
      { name: 'root', num_children: 6 },
      { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'generator', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'problem', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'steps', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'final_answer_correct', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
      { name: 'label', type: 'INT64', repetition_type: 'OPTIONAL' },
    ],
    rowGroupSize: 10_000,
  });
}

/**
 * The baseline: read the file in 1 MB chunks (into one reused buffer, as the index worker reads), split lines at
 * their newline bytes, decode each line and JSON.parse it. Splitting bytes and decoding line by line is the
 * fastest plain reader we found here (~1.5× decoding whole chunks into strings and splitting those).
 */
async function jsonParseEveryLine(path: string): Promise<{ rows: number; steps: number }> {
  const file = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  let carry: Buffer | undefined;
  let rows = 0;
  let steps = 0;
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      let start = 0;
      for (let nl = buffer.indexOf(10, start); nl !== -1 && nl < bytesRead; nl = buffer.indexOf(10, start)) {
        const line = carry === undefined ? buffer.toString('utf8', start, nl) : Buffer.concat([carry, buffer.subarray(start, nl)]).toString('utf8');
        carry = undefined;
        steps += (JSON.parse(line) as { steps: unknown[] }).steps.length;
        rows++;
        start = nl + 1;
      }
      if (start < bytesRead) carry = Buffer.concat(carry === undefined ? [buffer.subarray(start, bytesRead)] : [carry, buffer.subarray(start, bytesRead)]);
    }
    if (carry !== undefined) {
      steps += (JSON.parse(carry.toString('utf8')) as { steps: unknown[] }).steps.length;
      rows++;
    }
  } finally {
    await file.close();
  }
  return { rows, steps };
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function openText(path: string, cacheDir?: string): Promise<TextSource> {
  return TextSource.open(path, { options: DEFAULT_PARSE_OPTIONS, thread: 'worker', ...(cacheDir !== undefined ? { cacheDir } : {}) });
}

/** Open → the first 50 rows parsed, in ms. */
async function firstRowsMs(path: string, cacheDir?: string): Promise<number> {
  const t0 = performance.now();
  const source = await openText(path, cacheDir);
  await source.waitForRows(FIRST_ROWS);
  const rows = await source.readRows(0, FIRST_ROWS);
  const ms = performance.now() - t0;
  await source.close();
  if (rows.length !== FIRST_ROWS || rows.some((r) => r.records.length !== 1)) throw new Error(`first rows: expected ${FIRST_ROWS} records, got ${rows.length} rows`);
  return ms;
}

/** Rows per second of `readRows` in SLICE_ROWS slices over [0, rows). */
async function readRate(source: { readRows(s: number, e: number): Promise<readonly { records: readonly unknown[] }[]> }, rows: number): Promise<number> {
  const t0 = performance.now();
  let records = 0;
  for (let s = 0; s < rows; s += SLICE_ROWS) for (const r of await source.readRows(s, Math.min(rows, s + SLICE_ROWS))) records += r.records.length;
  const ms = performance.now() - t0;
  if (records !== rows) throw new Error(`readRows: expected ${rows} records, got ${records}`);
  return rows / (ms / 1000);
}

/**
 * Bundles bench/datasetChild.ts and the index worker it starts into `dir`, as esbuild.mjs bundles the extension:
 * the child then loads TextSource's code only, not the whole benchmark (onnxruntime and all).
 */
function buildChild(dir: string): string {
  const root = join(__dirname, '..');
  // Loaded from the project at run time: esbuild itself cannot be bundled into dist/bench.js.
  const esbuild = createRequire(join(root, 'package.json'))('esbuild') as typeof Esbuild;
  esbuild.buildSync({
    entryPoints: { datasetChild: join(root, 'bench/datasetChild.ts'), indexWorker: join(root, 'src/data/indexWorker.ts') },
    outdir: dir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'onnxruntime-node'],
    mainFields: ['module', 'main'],
    logLevel: 'error',
  });
  return join(dir, 'datasetChild.js');
}

/** Runs the child with `args` and returns the JSON line it prints. */
function runChild(script: string, args: readonly string[]): { peakRssMb: number; rows?: number; ms?: number } {
  const res = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (res.status !== 0) throw new Error(`dataset child ${args[0] ?? ''} failed (${res.status ?? res.signal}): ${res.stderr}`);
  return JSON.parse(res.stdout) as { peakRssMb: number; rows?: number; ms?: number };
}

/** The `dataset` section; `log` gets progress lines. */
export async function benchDataset(targetMb: number, log: (line: string) => void = () => undefined): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'reward-lens-bench-dataset-'));
  try {
    const jsonl = join(dir, 'processbench.jsonl');
    const parquet = join(dir, 'processbench.parquet');
    const cacheDir = join(dir, 'cache');
    let t = performance.now();
    const rows = writeJsonl(jsonl, targetMb * 1e6);
    const bytes = statSync(jsonl).size;
    const mb = bytes / 1e6;
    log(`dataset: wrote ${round(mb)} MB, ${rows} rows in ${round((performance.now() - t) / 1000)} s`);

    // Baseline and index take turns, twice each, and each keeps its best time: other work on the machine then
    // weighs on both alike. The first baseline also brings the file into the page cache.
    let baseMs = Number.POSITIVE_INFINITY;
    let indexMs = Number.POSITIVE_INFINITY;
    for (let turn = 0; turn < 2; turn++) {
      t = performance.now();
      const base = await jsonParseEveryLine(jsonl);
      baseMs = Math.min(baseMs, performance.now() - t);
      if (base.rows !== rows) throw new Error(`baseline read ${base.rows} rows of ${rows}`);
      t = performance.now();
      const source = await openText(jsonl);
      await source.done;
      indexMs = Math.min(indexMs, performance.now() - t);
      if (source.failure !== undefined || source.rowCount !== rows || source.format !== 'processbench' || source.problems.length > 0) {
        throw new Error(`index: ${source.failure ?? ''} ${source.rowCount} rows of ${rows}, format ${source.format}, ${source.problems.length} problems`);
      }
      await source.close();
    }
    log(`dataset: JSON.parse every line ${round(mb / (baseMs / 1000))} MB/s, indexed at ${round(mb / (indexMs / 1000))} MB/s`);

    const cold = [await firstRowsMs(jsonl), await firstRowsMs(jsonl), await firstRowsMs(jsonl)];
    const child = buildChild(join(dir, 'child'));
    const idle = runChild(child, ['idle']);
    const indexed = runChild(child, ['index', jsonl, cacheDir]);
    if (indexed.rows !== rows) throw new Error(`child indexed ${indexed.rows} rows of ${rows}`);
    log(`dataset: child peak ${round(indexed.peakRssMb)} MB (idle ${round(idle.peakRssMb)} MB)`);
    const reopen = [await firstRowsMs(jsonl, cacheDir), await firstRowsMs(jsonl, cacheDir), await firstRowsMs(jsonl, cacheDir)];

    // Writing Parquet in JS (hyparquet-writer) runs at ~10 MB/s here, so the Parquet file holds the first rows only.
    const parquetRows = Math.min(rows, Number(process.env['REWARD_LENS_BENCH_PARQUET_ROWS'] ?? PARQUET_ROWS));
    t = performance.now();
    await writeParquet(parquet, parquetRows);
    log(`dataset: wrote ${parquetRows} Parquet rows (${round(statSync(parquet).size / 1e6)} MB) in ${round((performance.now() - t) / 1000)} s`);
    t = performance.now();
    const opened = await openDatasetSource(parquet, { options: DEFAULT_PARSE_OPTIONS });
    await opened.complete;
    const summaryMs = performance.now() - t;
    if (opened.source.rowCount !== parquetRows || opened.source.format !== 'processbench') throw new Error(`parquet: ${opened.source.rowCount} rows of ${parquetRows}, format ${opened.source.format}`);
    const parquetRate = await readRate(opened.source, parquetRows);
    await opened.source.close();
    const cached = await openText(jsonl, cacheDir);
    const jsonlRate = await readRate(cached, parquetRows);
    await cached.close();

    return {
      file_mb: round(mb),
      rows,
      json_parse_mb_per_s: round(mb / (baseMs / 1000)),
      index_mb_per_s: round(mb / (indexMs / 1000)),
      ratio_vs_json_parse: round(baseMs / indexMs, 3),
      child_index_mb_per_s: round(mb / ((indexed.ms ?? Number.NaN) / 1000)),
      first_rows_ms: round(median(cold)),
      reopen_ms: round(median(reopen)),
      peak_rss_mb: round(indexed.peakRssMb),
      idle_child_rss_mb: round(idle.peakRssMb),
      parquet_rows: parquetRows,
      parquet_note: parquetRows < rows ? `the Parquet file holds the JSONL's first ${parquetRows} of ${rows} rows (REWARD_LENS_BENCH_PARQUET_ROWS)` : 'the Parquet file holds every row of the JSONL',
      parquet_mb: round(statSync(parquet).size / 1e6),
      parquet_rows_per_s: Math.round(parquetRate),
      parquet_summary_rows_per_s: Math.round(parquetRows / (summaryMs / 1000)),
      jsonl_read_rows_per_s: Math.round(jsonlRate),
      parquet_ratio_vs_jsonl_read: round(parquetRate / jsonlRate, 3),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
