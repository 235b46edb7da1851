import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { selectRows } from '../../../src/core/dataset/slicing.js';
import { readScoreLog } from '../../../src/core/editor/scoreLog.js';
import { runCliCaptured } from '../helpers.js';
import { writeParquet } from '../data/parquetWriter.js';

const dir = mkdtempSync(join(tmpdir(), 'rl-dataset-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 40 ProcessBench rows; row i's last step is wrong when i is odd. */
function writeRows(name: string): string {
  const rows = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({ id: `pb-${i}`, generator: 'g', problem: `What is ${i} + ${i}?`, steps: [`${i} + ${i} = ${i % 2 === 1 ? 2 * i + 1 : 2 * i}`, `So the answer is ${2 * i}.`], final_answer_correct: i % 2 === 0, label: i % 2 === 1 ? 0 : -1 }),
  );
  const path = join(dir, name);
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

const ids = (out: string): string[] => (JSON.parse(out) as { records: { id: string }[] }).records.map((r) => r.id);

describe('CLI row slices and the score log', () => {
  const file = writeRows('pb.jsonl');

  it('--offset and --limit choose consecutive rows', async () => {
    const r = await runCliCaptured(['inspect', file, '--offset', '5', '--limit', '3', '--json']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(ids(r.out), ['pb-5', 'pb-6', 'pb-7']);
  });

  it('--sample N --seed S picks the same N rows every time, in file order, and another seed picks others', async () => {
    const a = ids((await runCliCaptured(['inspect', file, '--sample', '6', '--seed', '11', '--json'])).out);
    const b = ids((await runCliCaptured(['inspect', file, '--sample', '6', '--seed', '11', '--json'])).out);
    const c = ids((await runCliCaptured(['inspect', file, '--sample', '6', '--seed', '12', '--json'])).out);
    assert.equal(a.length, 6);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.deepEqual(a, selectRows(40, { sample: 6, seed: 11 }).map((p) => `pb-${p}`));
  });

  it('rejects bad slice flags as usage errors', async () => {
    assert.equal((await runCliCaptured(['inspect', file, '--limit', '-1'])).code, 2);
    assert.match((await runCliCaptured(['inspect', file, '--seed', '3'])).err, /--seed goes with --sample/);
  });

  it('reads .jsonl.gz files like their JSONL', async () => {
    const gz = join(dir, 'pb2.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(file)));
    const plain = await runCliCaptured(['inspect', file, '--json']);
    const packed = await runCliCaptured(['inspect', gz, '--json']);
    assert.equal(packed.code, 0, packed.err);
    assert.deepEqual(ids(packed.out), ids(plain.out));
    assert.equal(ids(packed.out).length, 40);
  });

  it('score --sidecar appends each scored row to the score log and a rerun resumes from it, skipping a torn last line', async () => {
    const f = writeRows('resume.jsonl');
    const log = `${f}.reward-lens.scores.jsonl`;
    const first = await runCliCaptured(['score', f, '--sidecar', '--limit', '10', '--json']);
    assert.equal(first.code, 0, first.err);
    const logged = readScoreLog(readFileSync(log, 'utf8'));
    assert.deepEqual([...(logged.rows.get('builtin')?.keys() ?? [])], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // A run killed mid-write leaves a torn line: it is skipped, never fatal.
    appendFileSync(log, '{"v":1,"model":"builtin","row":10,"ke');
    const second = await runCliCaptured(['score', f, '--sidecar', '--json']);
    assert.equal(second.code, 0, second.err);
    assert.match(second.err, /10 record\(s\) already scored .* were reused/);
    const all = JSON.parse(second.out) as { records: { id: string; first_error: number | null }[] };
    assert.equal(all.records.length, 40);
    const fresh = JSON.parse((await runCliCaptured(['score', f, '--json'])).out) as typeof all;
    assert.deepEqual(all.records, fresh.records, 'reused results equal fresh ones');
    const relog = readScoreLog(readFileSync(log, 'utf8'));
    assert.equal(relog.skipped, 1);
    assert.equal(relog.rows.get('builtin')?.size, 40);
  });

  it('inspect and score take Parquet files like any other, with the same records and scores as their JSONL', async () => {
    const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const pq = join(dir, 'pb.parquet');
    writeParquet(pq, rows, { id: 'string', generator: 'string', problem: 'string', steps: 'list<string>', final_answer_correct: 'bool', label: 'int64' }, 16);
    const fromJsonl = await runCliCaptured(['inspect', file, '--json']);
    const fromParquet = await runCliCaptured(['inspect', pq, '--json']);
    assert.equal(fromParquet.code, 0, fromParquet.err);
    const strip = (out: string): unknown => (JSON.parse(out) as { format: string; records: unknown[] }).records;
    assert.equal((JSON.parse(fromParquet.out) as { format: string }).format, 'processbench');
    assert.deepEqual(strip(fromParquet.out), strip(fromJsonl.out));
    const scored = await runCliCaptured(['score', pq, '--offset', '30', '--json']);
    assert.equal(scored.code, 0, scored.err);
    const records = (JSON.parse(scored.out) as { records: { id: string; first_error: number | null }[] }).records;
    assert.deepEqual(records.map((r) => r.id), Array.from({ length: 10 }, (_, k) => `pb-${30 + k}`));
    // Odd rows state i + i = 2i + 1 in their first step: the verifier's first error is step 0 there, none elsewhere.
    assert.deepEqual(records.map((r) => r.first_error), records.map((_, k) => ((30 + k) % 2 === 1 ? 0 : null)));
  });

  it('a truncated Parquet file is a clear usage error', async () => {
    const bad = join(dir, 'cut.parquet');
    writeFileSync(bad, readFileSync(join(dir, 'pb.parquet')).subarray(0, 200));
    const r = await runCliCaptured(['inspect', bad]);
    assert.equal(r.code, 2);
    assert.match(r.err, /cut\.parquet: .*(Parquet|truncated)/);
  });
});
