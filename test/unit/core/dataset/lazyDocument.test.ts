import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { indexDocumentText, type LazyDocument } from '../../../../src/core/dataset/lazyDocument.js';
import { buildStepSlots, recordAt, stepAt } from '../../../../src/core/editor/stepLocator.js';
import { DEFAULT_PARSE_OPTIONS, type ParseOptions } from '../../../../src/core/formats/formatSpec.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { FIXTURES_DIR, SAMPLES_DIR, samplesAvailable } from '../../helpers.js';

function dataFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((n) => /\.(jsonl|ndjson|json)$/.test(n))
    .map((n) => join(dir, n));
}

/** What the editor parsed before: known formats detected, the key mapping as a fallback. */
function eager(text: string, name: string, options: ParseOptions): ReturnType<typeof parseDocument> {
  const { mapping, ...detectOnly } = options;
  const parsed = parseDocument(text, name, detectOnly);
  return parsed.format === 'unknown' && mapping !== undefined ? parseDocument(text, name, options) : parsed;
}

/** The lazy document gives the whole-document parse's records, ids, spans, problems, and cursor lookups. */
function assertSameAsWholeDocument(text: string, name: string, options: ParseOptions = DEFAULT_PARSE_OPTIONS): LazyDocument {
  const whole = eager(text, name, options);
  const lazy = indexDocumentText(text, name, options);
  assert.equal(lazy.format, whole.format, `${name}: format`);
  assert.equal(lazy.count, whole.records.length, `${name}: count`);
  assert.deepEqual(lazy.problems(), whole.problems, `${name}: problems`);
  whole.records.forEach((r, i) => {
    assert.equal(lazy.recordId(i), r.id, `${name} #${i}: id`);
    assert.equal(lazy.recordKind(i), r.kind, `${name} #${i}: kind`);
    assert.deepEqual(lazy.recordRange(i), r.recordRange, `${name} #${i}: span`);
  });
  // Cursor lookups on a fresh index (entries parsed one by one), before anything is materialised whole.
  const probe = indexDocumentText(text, name, options);
  const slots = buildStepSlots(whole.records);
  const step = Math.max(1, Math.floor(text.length / 200));
  for (let offset = 0; offset <= text.length; offset += step) {
    assert.equal(probe.recordAt(offset), recordAt(whole.records, offset), `${name}: recordAt(${offset})`);
    assert.deepEqual(probe.stepAt(offset), stepAt(slots, offset), `${name}: stepAt(${offset})`);
  }
  for (const s of slots.slice(0, 50)) assert.deepEqual(probe.stepAt(s.start), stepAt(slots, s.start), `${name}: stepAt(${s.start})`);
  whole.records.forEach((r, i) => assert.deepEqual(lazy.record(i), r, `${name} #${i}: record`));
  assert.deepEqual(lazy.all(), whole.records, `${name}: all`);
  assert.equal(lazy.record(whole.records.length), undefined);
  return lazy;
}

describe('lazy document (editor index)', () => {
  const own = [...dataFiles(FIXTURES_DIR), ...dataFiles(join(FIXTURES_DIR, '../integration/workspace'))];
  for (const path of own) {
    it(`matches parseDocument on fixture ${path.slice(FIXTURES_DIR.length - 8)}`, () => {
      assertSameAsWholeDocument(readFileSync(path, 'utf8'), path.split('/').pop() ?? path);
    });
  }

  it('matches parseDocument on every shared sample', { skip: !samplesAvailable() && 'no ../shared/samples' }, () => {
    const files = dataFiles(SAMPLES_DIR);
    assert.ok(files.length >= 20, `expected the shared samples, found ${files.length}`);
    for (const path of files) assertSameAsWholeDocument(new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(readFileSync(path)), path.split('/').pop() ?? path);
  });

  it('matches parseDocument with a key mapping fallback and a forced format', () => {
    const text = ['{"q": "What is 1+1?", "cot": ["1+1=2", "So 2."]}', '{"q": "And 2+2?", "cot": ["2+2=4"]}', ''].join('\n');
    assertSameAsWholeDocument(text, 'mapped.jsonl', { ...DEFAULT_PARSE_OPTIONS, mapping: { prompt: 'q', steps: 'cot' } });
    assertSameAsWholeDocument(text, 'mapped.jsonl', { ...DEFAULT_PARSE_OPTIONS, format: 'no-such-format' });
  });

  it('materialises records only on demand, one entry at a time', () => {
    const good = (i: number): string => JSON.stringify({ problem: `What is ${i} + ${i}? ünïcödé 😀`, steps: [`${i} + ${i} = ${2 * i}`, `So ${2 * i}.`], label: -1 });
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) lines.push(i === 700 ? '{"problem": "cut off' : i === 900 ? '' : i === 1200 ? '{"problem": "no steps"}' : good(i));
    const text = `\ufeff${lines.join('\r\n')}\n`;
    const lazy = indexDocumentText(text, 'big.jsonl');
    assert.equal(lazy.materialised, 0, 'indexing parses no record');
    assert.equal(lazy.count, parseDocument(text, 'big.jsonl').records.length);
    assert.ok(lazy.recordRange(lazy.count - 1) !== undefined);
    assert.equal(lazy.recordId(5), '#6');
    assert.equal(lazy.materialised, 0, 'ids and spans need no parse');
    const at = lazy.recordAt(text.length - 10);
    assert.equal(at, lazy.count - 1);
    assert.equal(lazy.materialised, 0, 'recordAt needs no parse');
    assert.equal(lazy.record(10)?.id, '#11');
    assert.equal(lazy.materialised, 1);
    lazy.record(10);
    assert.equal(lazy.materialised, 1, 'records are cached');
    lazy.problems();
    assert.ok(lazy.materialised <= 3, `problems parse only rows that have problems (parsed ${lazy.materialised})`);
    lazy.all();
    assert.ok(lazy.materialised >= lazy.count, 'all() materialises every entry');
    assertSameAsWholeDocument(text, 'big.jsonl');
  });
});
