// The Parquet source on files written by hyparquet-writer in the test: records equal the JSONL path's for the same
// rows, summaries grow in the background, and bad input fails clearly or costs only the rows it touches.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import type { PreferenceSet, Trace } from '../../../src/core/dataset/types.js';
import { DEFAULT_PARSE_OPTIONS, type ParseOptions } from '../../../src/core/formats/formatSpec.js';
import { parseDocument } from '../../../src/core/parseDocument.js';
import { DatasetError } from '../../../src/data/datasetError.js';
import { openParquetSource, SLICE_ROWS } from '../../../src/data/parquetSource.js';
import { recordsOf, tempDir, untilComplete, withoutRanges } from './parquetKit.js';
import { toJsonl, writeParquet, type ColumnKind } from './parquetWriter.js';

const dir = tempDir();

const PROCESSBENCH: Record<string, ColumnKind> = {
  id: 'string',
  generator: 'string',
  problem: 'string',
  steps: 'list<string>',
  final_answer_correct: 'bool',
  label: 'int64',
};

/** ProcessBench-shaped rows: unicode, escapes and newlines in the texts, labels -1 (no error) or a step index. */
function processBenchRows(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const steps = Array.from({ length: 1 + (i % 4) }, (_, k) => `Step ${k + 1}: "x" = ${i * k}\nso ки ’ 😀 \\[ ${k} \\]`);
    const label = (i % (steps.length + 1)) - 1;
    return { id: `math-${i}`, generator: i % 2 ? 'Qwen2-7B-Instruct' : 'Llama-3', problem: `Problem ${i}: what is ${i} + ${i}?`, steps, final_answer_correct: label === -1, label };
  });
}

/** Writes `rows` as Parquet and returns its path and the JSONL parse of the same rows. */
function table(name: string, rows: Record<string, unknown>[], columns: Record<string, ColumnKind>, rowGroupSize = 1000, options: ParseOptions = DEFAULT_PARSE_OPTIONS): { path: string; jsonl: ReturnType<typeof parseDocument> } {
  const path = join(dir, `${name}.parquet`);
  writeParquet(path, rows, columns, rowGroupSize);
  return { path, jsonl: parseDocument(toJsonl(rows), `${name}.jsonl`, options) };
}

const processBench = table('processbench', processBenchRows(2500), PROCESSBENCH);

describe('Parquet source: records equal the JSONL path', () => {
  it('reads a ProcessBench table (list<string> steps, INT64 labels, 3 row groups) as the same records as its JSONL', async () => {
    const source = await openParquetSource(processBench.path, DEFAULT_PARSE_OPTIONS);
    try {
      assert.equal(source.container, 'parquet');
      assert.equal(source.format, 'processbench');
      assert.deepEqual(source.problems, []);
      const records = await recordsOf(source);
      assert.equal(records.length, 2500);
      assert.deepEqual(withoutRanges(records), withoutRanges(processBench.jsonl.records));
      const trace = records[7] as Trace;
      assert.equal(trace.id, 'math-7');
      assert.deepEqual(
        trace.steps.map((s) => s.label),
        (processBench.jsonl.records[7] as Trace).steps.map((s) => s.label),
      );
    } finally {
      await source.close();
    }
  });

  it('reads a preference table (message lists, doubles) and an explicit-prompt one as the same records', async () => {
    const ultra = Array.from({ length: 30 }, (_, i) => {
      const prompt = `Prompt ${i}: name a colour`;
      const chat = (answer: string): unknown[] => [
        { content: prompt, role: 'user' },
        { content: answer, role: 'assistant' },
      ];
      return { prompt, prompt_id: `${i}`.padStart(64, '0'), chosen: chat(`Blue ${i}.`), rejected: chat(`Green ${i}?`), messages: chat(`Blue ${i}.`), score_chosen: 8.5, score_rejected: 3 };
    });
    const messages = 'list<struct<content, role>>';
    const uf = table('ultrafeedback', ultra, { prompt: 'string', prompt_id: 'string', chosen: messages, rejected: messages, messages, score_chosen: 'double', score_rejected: 'double' });
    const trl = table(
      'trl',
      Array.from({ length: 30 }, (_, i) => ({ prompt: `The sky ${i} is`, chosen: ' blue.', rejected: ' green.' })),
      { prompt: 'string', chosen: 'string', rejected: 'string' },
    );
    for (const { path, jsonl } of [uf, trl]) {
      const source = await openParquetSource(path, DEFAULT_PARSE_OPTIONS);
      try {
        assert.equal(source.format, jsonl.format);
        const records = (await recordsOf(source)) as PreferenceSet[];
        assert.equal(records.length, 30);
        assert.deepEqual(withoutRanges(records), withoutRanges(jsonl.records));
        assert.deepEqual(
          records[3]?.responses.map((r) => r.chosen),
          [true, false],
        );
      } finally {
        await source.close();
      }
    }
    assert.equal(uf.jsonl.format, 'ultrafeedback');
    assert.equal(trl.jsonl.format, 'trl-preference');
  });

  it('reads INT64 columns as numbers (RewardBench ids) and keeps ids past 2^53 exact as strings', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ prompt: `p${i}`, chosen: 'a', chosen_model: 'm1', rejected: 'b', rejected_model: 'm2', subset: 'math-prm', id: 9_000_000_000 + i }));
    const columns: Record<string, ColumnKind> = { prompt: 'string', chosen: 'string', chosen_model: 'string', rejected: 'string', rejected_model: 'string', subset: 'string', id: 'int64' };
    const rb = table('rewardbench', rows, columns);
    const source = await openParquetSource(rb.path, DEFAULT_PARSE_OPTIONS);
    try {
      assert.equal(source.format, 'rewardbench');
      const records = await recordsOf(source);
      assert.deepEqual(withoutRanges(records), withoutRanges(rb.jsonl.records));
      assert.equal(records[2]?.id, '9000000002');
    } finally {
      await source.close();
    }

    const big = join(dir, 'bigids.parquet');
    writeParquet(big, [{ ...rows[0], id: 2n ** 62n + 1n }], columns);
    const bigSource = await openParquetSource(big, DEFAULT_PARSE_OPTIONS);
    try {
      assert.equal((await recordsOf(bigSource))[0]?.id, '4611686018427387905');
    } finally {
      await bigSource.close();
    }
  });
});

describe('Parquet source: summaries', () => {
  it('builds summaries in the background, a slice at a time, reporting progress up to complete', async () => {
    const progress: [number, number][] = [];
    const source = await openParquetSource(processBench.path, DEFAULT_PARSE_OPTIONS, { onProgress: (n, total) => progress.push([n, total]) });
    try {
      assert.equal(source.rowCount, 0, 'nothing is summarised before open returns');
      assert.equal(source.complete, false);
      await untilComplete(source);
      assert.equal(source.rowCount, 2500);
      assert.deepEqual(progress.at(-1), [2500, 2500]);
      for (const [i, [n, total]] of progress.entries()) {
        assert.equal(total, 2500);
        const before = progress[i - 1]?.[0] ?? 0;
        assert.ok(n - before <= SLICE_ROWS && n >= before, `progress ${before} → ${n}`);
      }
      assert.deepEqual(source.summary(5), { position: 5, id: 'math-5', kind: 'trace', prompt: 'Problem 5: what is 5 + 5?', steps: 2, responses: 1, label: 'error at step 2', labelledFirstError: 1, records: 1 });
      assert.throws(() => source.summary(2500), RangeError);
      assert.deepEqual([...(source.distinctLabels?.() ?? [])].sort(), ['error at step 1', 'error at step 2', 'error at step 3', 'error at step 4', 'no error']);
    } finally {
      await source.close();
    }
  });

  it('completes at once for a file without rows', async () => {
    const path = join(dir, 'empty-table.parquet');
    writeParquet(path, [], PROCESSBENCH);
    const progress: [number, number][] = [];
    const source = await openParquetSource(path, DEFAULT_PARSE_OPTIONS, { onProgress: (n, total) => progress.push([n, total]) });
    try {
      assert.equal(source.format, 'unknown');
      assert.deepEqual(
        source.problems.map((p) => [p.message, p.severity]),
        [['The Parquet file has no rows.', 'warning']],
      );
      await untilComplete(source);
      assert.deepEqual(progress, [[0, 0]]);
      assert.deepEqual(await source.readRows(0, 10), []);
    } finally {
      await source.close();
    }
  });

  it('stops the background work on close, and rejects reads after it', async () => {
    const source = await openParquetSource(processBench.path, DEFAULT_PARSE_OPTIONS);
    await source.close();
    const rows = source.rowCount;
    assert.ok(rows < 2500 && !source.complete, `${rows} rows summarised before close`);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(source.rowCount, rows);
    await assert.rejects(source.readRows(0, 1), /processbench\.parquet: the file is closed/);
  });

  it('lets a read in flight finish its slice before the file closes, then rejects it', async () => {
    const source = await openParquetSource(processBench.path, DEFAULT_PARSE_OPTIONS);
    const rejected = assert.rejects(source.readRows(0, 2500), /processbench\.parquet: the file is closed/);
    await source.close();
    await rejected;
  });

  it('reads any row range on demand, clamped to the file, and honours an abort signal', async () => {
    const source = await openParquetSource(processBench.path, DEFAULT_PARSE_OPTIONS);
    try {
      const rows = await source.readRows(2490, 9999);
      assert.deepEqual(
        rows.map((r) => r.position),
        Array.from({ length: 10 }, (_, i) => 2490 + i),
      );
      assert.deepEqual(await source.readRows(-5, 0), []);
      await assert.rejects(source.readRows(0, 10, AbortSignal.abort()), { name: 'AbortError' });
    } finally {
      await source.close();
    }
  });
});

describe('Parquet source: format choice', () => {
  const custom = Array.from({ length: 20 }, (_, i) => ({ question: `Q${i}?`, solution: [`first ${i}`, `then ${i}`], score: i }));
  const customColumns: Record<string, ColumnKind> = { question: 'string', solution: 'list<string>', score: 'int64' };
  const mapping = { prompt: 'question', steps: 'solution' };
  const unknown = table('custom', custom, customColumns, 1000, { ...DEFAULT_PARSE_OPTIONS, mapping });

  it('names the columns and their types, and offers the key mapping, for a schema in no known format', async () => {
    const source = await openParquetSource(unknown.path, DEFAULT_PARSE_OPTIONS);
    try {
      assert.equal(source.format, 'unknown');
      assert.equal(source.problems.length, 1);
      const message = source.problems[0]?.message ?? '';
      assert.match(message, /^Unrecognised record format \(columns: question: string, solution: list<string>, score: int64\)/);
      assert.match(message, /"rewardLens\.mapping" \(or --map prompt=COL,steps=COL\)/);
      const rows = await source.readRows(0, 3);
      assert.deepEqual(
        rows.map((r) => [r.records.length, r.problems.length]),
        [
          [0, 0],
          [0, 0],
          [0, 0],
        ],
      );
      await untilComplete(source);
      assert.equal(source.summary(0).kind, 'none');
    } finally {
      await source.close();
    }
  });

  it('reads that file through a key mapping as the JSONL path does', async () => {
    const source = await openParquetSource(unknown.path, { ...DEFAULT_PARSE_OPTIONS, mapping });
    try {
      assert.equal(source.format, 'mapping');
      assert.deepEqual(source.problems, []);
      const records = (await recordsOf(source)) as Trace[];
      assert.equal(records.length, 20);
      assert.deepEqual(withoutRanges(records), withoutRanges(unknown.jsonl.records));
      assert.deepEqual(
        records[4]?.steps.map((s) => s.text),
        ['first 4', 'then 4'],
      );
      assert.equal(records[4]?.id, '#5', 'id-less rows are numbered by position, as JSONL lines are');
    } finally {
      await source.close();
    }
  });

  it('honours options.format, and reports an unknown format id as parseDocument does', async () => {
    const forced = await openParquetSource(processBench.path, { ...DEFAULT_PARSE_OPTIONS, format: 'processbench' });
    assert.equal(forced.format, 'processbench');
    await forced.close();
    const wrong = await openParquetSource(processBench.path, { ...DEFAULT_PARSE_OPTIONS, format: 'nope' });
    try {
      assert.equal(wrong.format, 'unknown');
      assert.match(wrong.problems[0]?.message ?? '', /^Unknown format "nope"\. Known formats: processbench, /);
    } finally {
      await wrong.close();
    }
  });
});

/** Opening `bytes` as `name` rejects with a DatasetError whose message matches. */
async function rejectsOpen(name: string, bytes: Uint8Array | undefined, message: RegExp): Promise<void> {
  const path = join(dir, name);
  if (bytes !== undefined) writeFileSync(path, bytes);
  await assert.rejects(openParquetSource(path, DEFAULT_PARSE_OPTIONS), (err: unknown) => {
    assert.ok(err instanceof DatasetError, `a DatasetError, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

describe('Parquet source: bad input', () => {
  const good = new Uint8Array(readFileSync(processBench.path));

  it('rejects a truncated file, naming it and saying the footer is missing', async () => {
    await rejectsOpen('cut.parquet', good.slice(0, Math.floor(good.length * 0.6)), /^cut\.parquet: the Parquet file is truncated \(it starts with "PAR1" but does not end with it: the footer is missing\)$/);
  });

  it('rejects a file that is not Parquet (garbage, JSON Lines text, empty)', async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251);
    await rejectsOpen('garbage.parquet', garbage, /^garbage\.parquet: not a Parquet file \(expected "PAR1" at the end; the file may be truncated\)$/);
    await rejectsOpen('text.parquet', new TextEncoder().encode(toJsonl(processBenchRows(3))), /^text\.parquet: not a Parquet file/);
    await rejectsOpen('empty.parquet', new Uint8Array(0), /^empty\.parquet: not a Parquet file \(0 bytes;/);
    await rejectsOpen('missing.parquet', undefined, /^missing\.parquet: cannot open the file \(ENOENT/);
  });

  it('rejects a corrupt footer: an impossible length, or metadata that is garbage', async () => {
    const badLength = good.slice();
    new DataView(badLength.buffer).setUint32(badLength.length - 8, 0x7fffffff, true);
    await rejectsOpen('length.parquet', badLength, /^length\.parquet: the Parquet footer is corrupt \(it claims 2147483647 bytes of metadata in a \d+-byte file\)$/);
    const garbled = good.slice();
    const footerLength = new DataView(garbled.buffer).getUint32(garbled.length - 8, true);
    garbled.fill(0xff, garbled.length - 8 - footerLength, garbled.length - 8);
    await rejectsOpen('footer.parquet', garbled, /^footer\.parquet: the Parquet footer is corrupt \(.+\)$/);
  });

  it('rejects a footer whose column chunks do not match its schema (hyparquet would leave that chunk unawaited)', async () => {
    const renamed = good.slice();
    // The last "problem" of the footer is the path of the last row group's `problem` chunk; the schema's comes first.
    const at = Buffer.from(renamed.buffer).lastIndexOf('problem');
    assert.ok(at > 0);
    renamed[at + 2] = '0'.charCodeAt(0);
    await rejectsOpen('renamed.parquet', renamed, /^renamed\.parquet: the Parquet footer is corrupt: row group 2's column 2 is "pr0blem" \(BYTE_ARRAY\), but the schema says "problem" \(BYTE_ARRAY\)$/);
  });

  it('turns a page that fails to decode into problems of its rows only; the other rows stay readable', async () => {
    const broken = good.slice();
    const metadata = parquetMetadata(broken.buffer);
    const chunk = metadata.row_groups[1]?.columns.find((c) => c.meta_data?.path_in_schema[0] === 'problem')?.meta_data;
    assert.ok(chunk);
    // Garbage over the first page header of row group 1's `problem` column (rows 1000–1999; no offset index here).
    broken.fill(0xff, Number(chunk.data_page_offset), Number(chunk.data_page_offset) + 16);
    const path = join(dir, 'badpage.parquet');
    writeFileSync(path, broken);

    const source = await openParquetSource(path, DEFAULT_PARSE_OPTIONS);
    try {
      assert.equal(source.format, 'processbench');
      const rows = await source.readRows(0, 2500);
      assert.equal(rows.length, 2500);
      for (const row of rows) {
        const inBadGroup = row.position >= 1000 && row.position < 2000;
        assert.equal(row.records.length, inBadGroup ? 0 : 1, `row ${row.position}`);
        assert.equal(row.problems.length, inBadGroup ? 1 : 0, `row ${row.position}`);
      }
      const problem = rows[1234]?.problems[0];
      assert.deepEqual({ ...problem, message: '' }, { line: 1235, column: 1, offset: 0, length: 0, message: '', severity: 'error' });
      assert.match(problem?.message ?? '', /^row 1234: cannot decode the Parquet data \(.+\); other rows are read\.$/);

      await untilComplete(source);
      assert.equal(source.rowCount, 2500);
      assert.match(source.summary(1500).problem ?? '', /^row 1500: cannot decode/);
      assert.equal(source.summary(2000).kind, 'trace');
      assert.ok(source.problems.length > 0);
      for (const p of source.problems) assert.match(p.message, /^rows 1\d{3}–1\d{3}: cannot decode the Parquet data/);
    } finally {
      await source.close();
    }
  });
});
