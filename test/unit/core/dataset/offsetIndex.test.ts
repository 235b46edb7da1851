import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DatasetIndexer } from '../../../../src/core/dataset/datasetIndexer.js';
import { parseEntryText, parseEntryWindow, type EntryPlace } from '../../../../src/core/dataset/entryRecords.js';
import { RowTable } from '../../../../src/core/dataset/rowTable.js';
import { EXCERPT_CHARS, summarizeRow } from '../../../../src/core/dataset/rowSummary.js';
import fc from 'fast-check';
import type { DatasetRecord, Problem } from '../../../../src/core/dataset/types.js';
import { formatById } from '../../../../src/core/formats/registry.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { FIXTURES_DIR, SAMPLES_DIR, samplesAvailable } from '../../helpers.js';

const encoder = new TextEncoder();

/** Indexes `bytes` fed in chunks of `chunk` bytes, then parses every row on its own (or all rows as one window). */
function indexAndRead(bytes: Uint8Array, name: string, chunk: number): { records: DatasetRecord[]; problems: Problem[]; format: string; table: RowTable } {
  const indexer = new DatasetIndexer(name);
  for (let i = 0; i < bytes.length; i += chunk) indexer.push(bytes.subarray(i, i + chunk));
  indexer.end();
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
  const format = formatById(indexer.formatId);
  const records: DatasetRecord[] = [];
  const problems: Problem[] = [...indexer.problems];
  const table = indexer.table;
  const items: { text: string; place: EntryPlace }[] = [];
  for (let i = 0; i < table.length; i++) {
    const span = table.span(i);
    const rowText = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes.subarray(span.byteStart, span.byteEnd));
    // The UTF-16 offsets of the index point at the same text the whole-file decode has there.
    assert.equal(text.slice(span.charStart, span.charStart + rowText.length), rowText, `${name} row ${i}: charStart`);
    items.push({ text: rowText, place: { ordinal: i, charStart: span.charStart, line: span.line, column: span.column } });
  }
  if (format?.parseEntries !== undefined) {
    const out = parseEntryWindow(items, format);
    records.push(...out.records.map((r) => r.record));
    problems.push(...out.problems.map((p) => p.problem));
  } else if (format !== undefined) {
    for (const it of items) {
      const out = parseEntryText(it.text, it.place, format);
      records.push(...out.records);
      problems.push(...out.problems);
    }
  }
  return { records, problems, format: indexer.formatId, table };
}

function dataFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((n) => /\.(jsonl|json)$/.test(n))
    .map((n) => join(dir, n));
}

const key = (p: Problem): string => `${p.line}:${p.column}:${p.severity}:${p.message}`;

function assertSameAsWholeDocument(path: string, bytes: Uint8Array, chunk: number): void {
  const name = path.split('/').pop() ?? path;
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
  const whole = parseDocument(text, name);
  const got = indexAndRead(bytes, name, chunk);
  assert.equal(got.format, whole.format, `${name}: format`);
  assert.deepEqual(got.records, whole.records, `${name}: records (chunks of ${chunk} bytes)`);
  assert.deepEqual(got.problems.map(key).sort(), whole.problems.map(key).sort(), `${name}: problems`);
}

describe('offset index + on-demand parsing', () => {
  const own = [...dataFiles(FIXTURES_DIR), ...dataFiles(join(FIXTURES_DIR, '../integration/workspace'))];
  for (const path of own) {
    it(`gives the whole-document records, ranges and problems for fixture ${path.slice(FIXTURES_DIR.length - 8)}`, () => {
      const bytes = new Uint8Array(readFileSync(path));
      for (const chunk of [3, 4096, 1 << 20]) assertSameAsWholeDocument(path, bytes, chunk);
    });
  }

  it('gives the whole-document records, ranges and problems for every shared sample', { skip: !samplesAvailable() && 'no ../shared/samples' }, () => {
    const files = dataFiles(SAMPLES_DIR);
    assert.ok(files.length >= 20, `expected the shared samples, found ${files.length}`);
    for (const path of files) {
      const bytes = new Uint8Array(readFileSync(path));
      for (const chunk of [5, 1 << 16]) assertSameAsWholeDocument(path, bytes, chunk);
    }
  });

  it('locates broken lines in the middle of a large JSONL and indexes every other row', () => {
    const good = (i: number): string => JSON.stringify({ problem: `What is ${i} + ${i}? ünïcödé 😀`, steps: [`${i} + ${i} = ${2 * i}`, `So ${2 * i}.`], label: -1 });
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(i === 1500 ? '{"problem": "cut off' : i === 2000 ? '' : good(i));
    const bytes = encoder.encode(`\ufeff${lines.join('\r\n')}\n`);
    assertSameAsWholeDocument('big.jsonl', bytes, 4093);
    const got = indexAndRead(bytes, 'big.jsonl', 65536);
    assert.equal(got.table.length, 2998);
    const broken = got.problems.filter((p) => p.severity === 'error');
    assert.equal(broken.length, 1);
    assert.equal(broken[0]?.line, 1501);
    assert.match(broken[0]?.message ?? '', /unterminated string/);
  });

  it('splits a pretty-printed top-level array into its elements, across chunk boundaries', () => {
    const arr = Array.from({ length: 40 }, (_, i) => ({ id: `p${i}`, problem: `Q ${i} "quoted" \\ [bracket] {brace}, comma 😀`, steps: ['a', 'b,c', ']'], label: i % 3 === 0 ? -1 : 1, final_answer_correct: true }));
    const bytes = encoder.encode(JSON.stringify(arr, null, 2));
    for (const chunk of [1, 17, 1 << 20]) assertSameAsWholeDocument('arr.json', bytes, chunk);
    assert.equal(indexAndRead(bytes, 'arr.json', 64).table.length, 40);
  });

  it('reports an unclosed array and keeps its complete elements', () => {
    const bytes = encoder.encode('[\n  {"problem": "a", "steps": ["x"], "label": -1},\n  {"problem": "b", "steps": ["y"], "label": 0},\n  {"problem": "c", "ste');
    const got = indexAndRead(bytes, 'cut.json', 7);
    assert.equal(got.records.length, 2);
    assert.ok(got.problems.some((p) => /not closed|unterminated|Invalid JSON/.test(p.message)), JSON.stringify(got.problems));
  });

  it('says an empty file and a binary file are not data, without rows', () => {
    assert.match(indexAndRead(encoder.encode('  \n\n'), 'e.jsonl', 4).problems[0]?.message ?? '', /empty/);
    const bin = indexAndRead(new Uint8Array([0x7b, 0, 1, 2, 3, 0x7d, 10]), 'b.jsonl', 4);
    assert.match(bin.problems[0]?.message ?? '', /binary/);
    assert.equal(bin.table.length, 0);
  });

  it('round-trips the row table through its serialized bytes', () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES_DIR, 'preferences/rewardbench_edge.jsonl')));
    const { table } = indexAndRead(bytes, 'rb.jsonl', 1 << 20);
    const back = RowTable.deserialize(table.serialize());
    assert.equal(back.length, table.length);
    for (let i = 0; i < table.length; i++) {
      assert.deepEqual(back.summary(i), table.summary(i));
      assert.deepEqual(back.span(i), table.span(i));
    }
    assert.deepEqual(back.distinctLabels(), table.distinctLabels());
    assert.throws(() => RowTable.deserialize(table.serialize().subarray(0, 40)));
  });

  it('indexes the same rows when the caller reuses one Buffer for every chunk (the worker reads into one buffer)', () => {
    const text = `${Array.from({ length: 500 }, (_, i) => JSON.stringify({ problem: `Q${i} ✓`, steps: [`${i} + 1 = ${i + 1}`], label: -1 })).join('\n')}\n`;
    const bytes = Buffer.from(text, 'utf8');
    const reused = Buffer.alloc(1000);
    const indexer = new DatasetIndexer('reuse.jsonl');
    for (let at = 0; at < bytes.length; at += reused.length) {
      const n = bytes.copy(reused, 0, at, Math.min(bytes.length, at + reused.length));
      indexer.push(reused.subarray(0, n));
    }
    indexer.end();
    const fresh = indexAndRead(new Uint8Array(bytes), 'reuse.jsonl', 1000);
    assert.equal(indexer.table.length, 500);
    for (let i = 0; i < 500; i++) assert.deepEqual(indexer.table.span(i), fresh.table.span(i));
  });

  it('keeps prompt excerpts within EXCERPT_CHARS, whitespace collapsed, marked when cut', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), fc.string({ maxLength: 600, unit: fc.constantFrom(' ', '\n', 'a', 'é') }), (a, b) => {
        const prompt = a + b;
        const s = summarizeRow(0, [{ kind: 'trace', id: 'x', recordRange: { start: 0, end: 1 }, prompt, steps: [], metadata: {} }], []);
        assert.ok(s.prompt.length <= EXCERPT_CHARS, `${s.prompt.length}`);
        assert.ok(!/\s\s/.test(s.prompt));
        const flat = prompt.replace(/\s+/g, ' ').trim();
        if (flat.length <= EXCERPT_CHARS && prompt.length <= EXCERPT_CHARS * 2) assert.equal(s.prompt, flat);
        else assert.ok(s.prompt.endsWith('…'));
      }),
    );
  });
});
