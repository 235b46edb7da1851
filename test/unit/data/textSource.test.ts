import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { DEFAULT_PARSE_OPTIONS } from '../../../src/core/formats/formatSpec.js';
import { parseDocument } from '../../../src/core/parseDocument.js';
import { DatasetError } from '../../../src/data/datasetError.js';
import { TextSource } from '../../../src/data/textSource.js';

const dir = mkdtempSync(join(tmpdir(), 'rl-text-source-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function lines(n: number, from = 0): string {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return JSON.stringify({ id: `r${i}`, problem: `Q${i} ✓`, steps: [`${i} + 1 = ${i + 1}`, 'done'], label: i % 4 === 0 ? 1 : -1 });
  }).join('\n');
}

async function allRecords(src: TextSource): Promise<unknown[]> {
  await src.done;
  return (await src.readRows(0, src.rowCount)).flatMap((r) => r.records);
}

describe('TextSource: the row index of a JSON Lines file, off-thread and cached', () => {
  it('gives the whole-document records from a worker thread and inline alike', async () => {
    const path = join(dir, 'a.jsonl');
    writeFileSync(path, `${lines(700)}\n{"broken": \n${lines(10, 700)}\n`);
    const whole = parseDocument(readFileSync(path, 'utf8'), 'a.jsonl');
    const worker = await TextSource.open(path, { options: DEFAULT_PARSE_OPTIONS });
    const inline = await TextSource.open(path, { options: DEFAULT_PARSE_OPTIONS, thread: 'inline' });
    try {
      assert.deepEqual(await allRecords(worker), whole.records);
      assert.deepEqual(await allRecords(inline), whole.records);
      assert.equal(worker.rowCount, 710);
      assert.deepEqual(worker.problems.map((p) => [p.line, p.column]), whole.problems.map((p) => [p.line, p.column]));
      assert.equal(worker.format, 'processbench');
    } finally {
      await worker.close();
      await inline.close();
    }
  });

  it('reopens from the cached index at once, and re-indexes a file that changed since', async () => {
    const path = join(dir, 'b.jsonl');
    const cacheDir = join(dir, 'cache');
    writeFileSync(path, `${lines(50)}\n`);
    const first = await TextSource.open(path, { options: DEFAULT_PARSE_OPTIONS, cacheDir, thread: 'inline' });
    await first.done;
    await first.close();
    const again = await TextSource.open(path, { options: DEFAULT_PARSE_OPTIONS, cacheDir });
    assert.equal(again.complete, true, 'complete on open: the cached index was used');
    assert.equal(again.rowCount, 50);
    await again.close();
    appendFileSync(path, `${lines(5, 50)}\n`);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const changed = await TextSource.open(path, { options: DEFAULT_PARSE_OPTIONS, cacheDir, thread: 'inline' });
    assert.equal(changed.complete, false, 'a changed file is indexed again');
    await changed.done;
    assert.equal(changed.rowCount, 55);
    await changed.close();
  });

  it('refuses to read rows of a file that changed after indexing, with a clear message', async () => {
    const path = join(dir, 'c.jsonl');
    writeFileSync(path, `${lines(20)}\n`);
    const src = await TextSource.open(path, { options: DEFAULT_PARSE_OPTIONS, thread: 'inline' });
    await src.done;
    writeFileSync(path, `${lines(3)}\n`);
    await assert.rejects(src.readRows(0, 5), (e: unknown) => e instanceof DatasetError && /changed after it was indexed/.test(e.message));
    await src.close();
  });

  it('reads a .jsonl.gz through a decompressed copy in the cache, and says when it is not gzip', async () => {
    const path = join(dir, 'd.jsonl.gz');
    writeFileSync(path, gzipSync(`${lines(30)}\n`));
    const src = await TextSource.open(path, { options: DEFAULT_PARSE_OPTIONS, cacheDir: join(dir, 'cache'), thread: 'inline' });
    assert.deepEqual(await allRecords(src), parseDocument(`${lines(30)}\n`, 'd.jsonl').records);
    await src.close();
    const bad = join(dir, 'e.jsonl.gz');
    writeFileSync(bad, 'not gzip at all');
    await assert.rejects(TextSource.open(bad, { options: DEFAULT_PARSE_OPTIONS, cacheDir: join(dir, 'cache') }), (e: unknown) => e instanceof DatasetError && /cannot decompress/.test(e.message));
  });

  it('indexes again when the file changes while it is being indexed, and ends with every row of the new file', async () => {
    const path = join(dir, 'moving.jsonl');
    writeFileSync(path, `${lines(6000)}\n`);
    let touched = false;
    const src = await TextSource.open(path, {
      options: DEFAULT_PARSE_OPTIONS,
      thread: 'inline',
      onProgress: (p) => {
        if (touched || p.complete) return;
        touched = true;
        appendFileSync(path, `${lines(7, 6000)}\n`);
        utimesSync(path, new Date(), new Date(Date.now() + 10_000));
      },
    });
    await src.done;
    assert.ok(touched, 'the file was changed mid-index');
    assert.equal(src.complete, true);
    assert.equal(src.rowCount, 6007);
    const last = await src.readRows(6006, 6007);
    assert.equal(last[0]?.records[0]?.id, 'r6006');
    await src.close();
  });
});
