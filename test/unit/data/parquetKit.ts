// Shared helpers for the Parquet source's tests: temp folders, the venv Python with pyarrow, record comparison.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';
import { defaultVenvPython } from '../../../src/cli/exportCommand.js';
import type { DatasetRecord } from '../../../src/core/dataset/types.js';
import type { DatasetSource } from '../../../src/data/datasetSource.js';

/** The script that writes Parquet files as the hub's exports are written (pyarrow). */
export const HUB_WRITER = resolve(__dirname, '../../fixtures/parquet/writeHubParquet.py');

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rl-parquet-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A record with every range removed, recursively: what must be equal between a Parquet row and the same row in a
 * JSONL file (ids, prompts, messages, step texts and labels, responses and chosen flags, metadata). Ranges differ by
 * design: Parquet records point into each row's JSON text, JSONL records into the file.
 */
export function withoutRanges(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRanges);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'range' && !key.endsWith('Range')).map(([key, v]) => [key, withoutRanges(v)]));
}

/** Every record of the rows [start, end), in row order. */
export async function recordsOf(source: DatasetSource, start = 0, end = Number.MAX_SAFE_INTEGER): Promise<DatasetRecord[]> {
  return (await source.readRows(start, end)).flatMap((row) => row.records);
}

/** Resolves once the source's background summaries are complete; fails after `timeoutMs`. */
export async function untilComplete(source: DatasetSource, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!source.complete) {
    assert.ok(Date.now() < deadline, `summaries not complete after ${timeoutMs} ms (${source.rowCount} rows)`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The venv Python (scripts/installPythonDeps.sh), or $REWARD_LENS_PYTHON. */
const PYTHON = process.env['REWARD_LENS_PYTHON'] ?? defaultVenvPython();

/**
 * `false` when the venv Python can import pyarrow, else the reason to skip. Under CI=true a missing pyarrow throws:
 * the pyarrow-written files are the only check against the hub's real encodings, so CI must never skip them.
 */
export function pyarrowSkip(): string | false {
  const probe = spawnSync(PYTHON, ['-c', 'import pyarrow'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.status === 0) return false;
  const why = `no Python with pyarrow at ${PYTHON} (run scripts/installPythonDeps.sh; python/requirements.txt lists pyarrow)`;
  if (process.env['CI'] === 'true') throw new Error(`${why}; under CI=true the pyarrow-written Parquet tests must run.`);
  return why;
}

/** Runs writeHubParquet.py with `args`; fails the test with Python's stderr when it fails. */
export function writeWithPyarrow(args: readonly string[]): void {
  const r = spawnSync(PYTHON, [HUB_WRITER, ...args], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `writeHubParquet.py ${args.join(' ')} failed:\n${r.stderr}`);
}
