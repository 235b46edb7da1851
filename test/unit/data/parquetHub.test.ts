// The Parquet source on files written as the hub's exports are (pyarrow, by test/fixtures/parquet/writeHubParquet.py
// into a temp folder): every dataset shape of FORMATS.md is detected and read as the same records as its JSONL twin;
// slices cross row groups; a slice from the middle of a big row group reads only its pages; shared samples converted
// to Parquet read as their JSONL does. Needs the venv's pyarrow: skipped without it, failing under CI=true.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { readOffsetIndex, type AsyncBuffer } from 'hyparquet';
import { DEFAULT_PARSE_OPTIONS } from '../../../src/core/formats/formatSpec.js';
import { parseDocument } from '../../../src/core/parseDocument.js';
import { describeColumns } from '../../../src/data/parquetColumns.js';
import { openParquetFile, readParquetRows } from '../../../src/data/parquetFile.js';
import { openParquetSource } from '../../../src/data/parquetSource.js';
import { SAMPLES_DIR, readSample, samplesAvailable } from '../helpers.js';
import { pyarrowSkip, recordsOf, tempDir, untilComplete, withoutRanges, writeWithPyarrow } from './parquetKit.js';

const skip = pyarrowSkip();
const dir = tempDir();

/** Each file writeHubParquet.py writes, and the format it must be detected as. */
const HUB_FORMATS: Record<string, string> = {
  processbench: 'processbench',
  processbench_large: 'processbench',
  prm800k: 'prm800k',
  prm800k_scored: 'prm800k-scored',
  math_shepherd: 'math-shepherd',
  trl_stepwise_int: 'trl-stepwise',
  trl_stepwise_bool: 'trl-stepwise',
  trl_preference: 'trl-preference',
  trl_preference_conversational: 'trl-preference',
  rewardbench: 'rewardbench',
  rewardbench2: 'rewardbench2',
  hh_rlhf: 'hh-rlhf',
  ultrafeedback: 'ultrafeedback',
  skywork: 'skywork-preference',
  helpsteer2: 'helpsteer2',
  helpsteer3: 'helpsteer3',
  judgebench: 'judgebench',
  rm_bench: 'rm-bench',
  sharegpt: 'sharegpt',
  openai_chat: 'openai-chat',
};

/** Formats whose records pair consecutive rows: read row by row, a Parquet row has no partner (see parquetRows.ts). */
const MULTI_ROW = new Set(['helpsteer2']);

const jsonlOf = (name: string): ReturnType<typeof parseDocument> => parseDocument(readFileSync(join(dir, `${name}.jsonl`), 'utf8'), `${name}.jsonl`);

describe('Parquet source on pyarrow-written hub exports', { skip }, () => {
  before(() => writeWithPyarrow(['hub', dir]));

  it('detects every dataset shape and reads the same records as the same rows in JSONL', async () => {
    for (const [name, format] of Object.entries(HUB_FORMATS)) {
      const source = await openParquetSource(join(dir, `${name}.parquet`), DEFAULT_PARSE_OPTIONS);
      try {
        assert.equal(source.format, format, name);
        assert.deepEqual(source.problems, [], name);
        if (MULTI_ROW.has(name)) continue;
        const jsonl = jsonlOf(name);
        assert.equal(jsonl.format, format, `${name}.jsonl`);
        const [start, end] = name === 'processbench_large' ? [9990, 10010] : [0, Number.MAX_SAFE_INTEGER];
        const records = await recordsOf(source, start, end);
        assert.ok(records.length > 0, name);
        assert.deepEqual(withoutRanges(records), withoutRanges(jsonl.records.slice(start, end)), name);
      } finally {
        await source.close();
      }
    }
  });

  it('reads slices that cross row groups (snappy, 1,000-row row groups) and summarises all 3,500 rows', async () => {
    const jsonl = jsonlOf('processbench');
    const source = await openParquetSource(join(dir, 'processbench.parquet'), DEFAULT_PARSE_OPTIONS);
    try {
      const file = await openParquetFile(join(dir, 'processbench.parquet'));
      assert.deepEqual(
        file.metadata.row_groups.map((g) => Number(g.num_rows)),
        [1000, 1000, 1000, 500],
      );
      await file.close();
      assert.deepEqual(withoutRanges(await recordsOf(source, 950, 2050)), withoutRanges(jsonl.records.slice(950, 2050)));
      await untilComplete(source);
      assert.equal(source.rowCount, 3500);
      assert.equal(source.summary(3499).id, 'gsm8k-3499');
    } finally {
      await source.close();
    }
  });

  it('reads a slice from the middle of a 20,000-row row group through the page index: a few pages, not the chunk', async () => {
    const file = await openParquetFile(join(dir, 'processbench_large.parquet'));
    try {
      assert.equal(file.metadata.row_groups.length, 1);
      let bytes = 0;
      const counting: AsyncBuffer = {
        byteLength: file.buffer.byteLength,
        slice(start, end = file.buffer.byteLength) {
          bytes += end - start;
          return file.buffer.slice(start, end);
        },
      };
      const rows = await readParquetRows(counting, file.metadata, 10_000, 10_010);
      assert.deepEqual(
        rows.map((r) => r['id']),
        Array.from({ length: 10 }, (_, i) => `gsm8k-${10_000 + i}`),
      );
      // Without the offset index hyparquet reads every column chunk whole: the entire file but its footer.
      assert.ok(bytes < file.buffer.byteLength / 20, `read ${bytes} of ${file.buffer.byteLength} bytes`);
    } finally {
      await file.close();
    }
  });

  it('a page that fails to decode costs the rows around it only, when the file has an offset index', async () => {
    const good = new Uint8Array(readFileSync(join(dir, 'processbench.parquet')));
    const file = await openParquetFile(join(dir, 'processbench.parquet'));
    const chunk = file.metadata.row_groups[1]?.columns.find((c) => c.meta_data?.path_in_schema[0] === 'problem');
    await file.close();
    assert.ok(chunk?.offset_index_offset !== undefined && chunk.offset_index_length !== undefined);
    const at = Number(chunk.offset_index_offset);
    const pages = readOffsetIndex({ view: new DataView(good.buffer, at, chunk.offset_index_length), offset: 0 }).page_locations;
    const [page, next] = [pages[2], pages[3]];
    assert.ok(page && next, 'row group 1 has several pages');
    const broken = good.slice();
    broken.fill(0xff, Number(page.offset), Number(page.offset) + 16);
    writeFileSync(join(dir, 'badpage.parquet'), broken);
    const [pageStart, pageEnd] = [1000 + Number(page.first_row_index), 1000 + Number(next.first_row_index)];

    const source = await openParquetSource(join(dir, 'badpage.parquet'), DEFAULT_PARSE_OPTIONS);
    try {
      const rows = await source.readRows(0, 3500);
      const failed = rows.filter((r) => r.problems.some((p) => /cannot decode/.test(p.message))).map((r) => r.position);
      for (let p = pageStart; p < pageEnd; p++) assert.ok(failed.includes(p), `row ${p} of the broken page`);
      assert.ok(failed.length <= 100, `${failed.length} rows lost for one ${pageEnd - pageStart}-row page`);
      assert.ok(
        failed.every((p) => p >= pageStart - 100 && p < pageEnd + 100),
        String(failed),
      );
      assert.equal(rows.filter((r) => r.records.length === 1).length, 3500 - failed.length);
    } finally {
      await source.close();
    }
  });

  it('describes nested column types as Arrow does', async () => {
    const described = async (name: string): Promise<string> => {
      const file = await openParquetFile(join(dir, `${name}.parquet`));
      await file.close();
      return describeColumns(file.schema);
    };
    assert.equal(
      await described('ultrafeedback'),
      'prompt: string, prompt_id: string, chosen: list<struct<content: string, role: string>>, rejected: list<struct<content: string, role: string>>, messages: list<struct<content: string, role: string>>, score_chosen: double, score_rejected: double',
    );
    assert.equal(await described('unknown_schema'), 'question: string, solution: list<string>, score: int64');
    assert.match(await described('prm800k'), /generation: int64, .*question: struct<problem: string, ground_truth_answer: string, .*…, label: struct<steps: list<struct<completions: list<struct<text: string, rating: int64/);
  });

  it('names the columns of a schema in no known format', async () => {
    const source = await openParquetSource(join(dir, 'unknown_schema.parquet'), DEFAULT_PARSE_OPTIONS);
    try {
      assert.equal(source.format, 'unknown');
      assert.match(source.problems[0]?.message ?? '', /\(columns: question: string, solution: list<string>, score: int64\).*--map prompt=COL,steps=COL/);
    } finally {
      await source.close();
    }
  });
});

/** Real samples of different formats (no SHAPE_ONLY placeholders) that pyarrow can type. */
const SAMPLES = ['hh_rlhf.jsonl', 'prm800k.jsonl', 'prm800k_scored_samples.jsonl', 'math_shepherd.jsonl', 'trl_stepwise.jsonl', 'trl_preference_conversational.jsonl', 'judgebench.jsonl'];

describe('shared samples written to Parquet by pyarrow', { skip: skip || (!samplesAvailable() && `no ${SAMPLES_DIR}`) }, () => {
  it('read as the same records as their JSONL', async () => {
    const texts = SAMPLES.map((name) => ({ name, text: readSample(name) ?? '' }));
    writeWithPyarrow(['convert', dir, ...SAMPLES.map((name) => join(SAMPLES_DIR, name))]);
    for (const { name, text } of texts) {
      const jsonl = parseDocument(text, name);
      const source = await openParquetSource(join(dir, name.replace(/\.jsonl$/, '.parquet')), DEFAULT_PARSE_OPTIONS);
      try {
        assert.equal(source.format, jsonl.format, name);
        assert.ok(jsonl.records.length > 0, name);
        assert.deepEqual(withoutRanges(await recordsOf(source)), withoutRanges(jsonl.records), name);
      } finally {
        await source.close();
      }
    }
  });
});
