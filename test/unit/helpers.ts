import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { strict as assert } from 'node:assert';
import type { DatasetRecord, SourceRange, Trace } from '../../src/core/dataset/types.js';

/** ../shared/samples, relative to the repository root. */
export const SAMPLES_DIR = resolve(__dirname, '../../../shared/samples');
/** The project's own fixtures. */
export const FIXTURES_DIR = resolve(__dirname, '../fixtures');

/**
 * Reads a sample from ../shared/samples. Returns undefined when the folder is absent (a clone without it);
 * under CI=true, or when the folder exists but the file does not, a missing sample fails the test.
 */
export function readSample(name: string): string | undefined {
  const path = join(SAMPLES_DIR, name);
  if (existsSync(path)) return readFileSync(path, 'utf8');
  if (process.env['CI'] === 'true' || existsSync(SAMPLES_DIR)) throw new Error(`Missing sample file ${path}`);
  return undefined;
}

/** True when shared samples are expected to be read (the folder exists, or CI requires it). */
export function samplesAvailable(): boolean {
  return existsSync(SAMPLES_DIR) || process.env['CI'] === 'true';
}

/** Reads one of the project's fixtures. */
export function readFixture(rel: string): string {
  return readFileSync(join(FIXTURES_DIR, rel), 'utf8');
}

/** The text at a range, JSON-decoded as a string literal's content. */
export function decodeAt(text: string, range: SourceRange): string {
  return JSON.parse(`"${text.slice(range.start, range.end)}"`) as string;
}

/** Every trace's prompt and steps decode from their ranges to their texts. */
export function assertLocated(text: string, records: readonly DatasetRecord[]): void {
  for (const r of records as Trace[]) {
    assert.ok(r.promptRange, `${r.id}: prompt has a range`);
    assert.equal(decodeAt(text, r.promptRange), r.prompt);
    for (const s of r.steps) {
      assert.ok(s.range, `${r.id} step ${s.index} has a range`);
      assert.equal(decodeAt(text, s.range), s.text);
    }
  }
}

/** Runs the CLI in this process with `argv`, capturing stdout and stderr (not a terminal). */
export async function runCliCaptured(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const { runCli } = await import('../../src/cli/cli.js');
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false });
  return { code, out, err };
}
