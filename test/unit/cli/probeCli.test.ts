import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { PROBE_NAMES } from '../../../src/core/probes/perturbations.js';
import { runCliCaptured } from '../helpers.js';
import { ensureCliBundles, hoverTitles, parsePage, pct, runBuiltCli } from './htmlReportKit.js';

const EXAMPLES = resolve(__dirname, '../../../examples');

interface ProbeJson {
  model: string;
  records: { id: string; probes: Record<string, unknown>[] }[];
  summary: Record<string, { traces: number; ok_fraction: number | null; mean_delta: number | null }>;
  skipped: { preferences: number };
  cache: { lookups: number; requests: number; cache_hits: number; prefix_hits: number };
}

describe('reward-lens probe', () => {
  it('prints {records, summary} with the documented keys and exits 0', async () => {
    const r = await runCliCaptured(['probe', join(EXAMPLES, 'processbench-style.json'), '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as ProbeJson;
    assert.equal(j.model, 'builtin');
    assert.deepEqual(
      j.records.map((x) => x.id),
      ['example-arith-1', 'example-arith-2', 'example-frac-3'],
    );
    for (const rec of j.records) {
      for (const p of rec.probes) {
        for (const key of ['probe', 'step', 'before', 'after', 'delta', 'expected', 'ok']) assert.ok(key in p, `${rec.id}: ${key}`);
        assert.ok(p['expected'] === 'down' || p['expected'] === 'not-up');
      }
    }
    assert.deepEqual(Object.keys(j.summary), [...PROBE_NAMES]);
    for (const s of Object.values(j.summary)) assert.deepEqual(Object.keys(s), ['traces', 'ok_fraction', 'mean_delta']);
    assert.deepEqual(j.summary['corrupt-number'], { traces: 3, ok_fraction: 1, mean_delta: j.summary['corrupt-number']?.mean_delta });
    assert.equal(j.cache.lookups, j.cache.requests + j.cache.cache_hits + j.cache.prefix_hits);
  });

  it('runs only the probes named, and the same seed gives the same output', async () => {
    const args = ['probe', join(EXAMPLES, 'trl-stepwise.jsonl'), '--json', '--probes', 'filler,drop-step', '--seed', '7'];
    const a = await runCliCaptured(args);
    const b = await runCliCaptured(args);
    assert.equal(a.code, 0, a.err);
    assert.equal(a.out, b.out);
    const j = JSON.parse(a.out) as ProbeJson;
    assert.deepEqual(Object.keys(j.summary), ['drop-step', 'filler']);
    assert.deepEqual(
      j.records.map((x) => x.probes.map((p) => p['probe'])),
      [
        ['drop-step', 'filler'],
        ['drop-step', 'filler'],
      ],
    );
  });

  it('prints a table with the worst records without --json', async () => {
    const r = await runCliCaptured(['probe', join(EXAMPLES, 'trl-stepwise.jsonl')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /probe +traces +ok +mean Δ +expected/);
    assert.match(r.out, /corrupt-number +2 +100% +−0\.950 +down \(step score\)/);
    assert.match(r.out, /Worst records/);
  });

  it('rejects an unknown probe with exit 2, naming the valid ones', async () => {
    const r = await runCliCaptured(['probe', join(EXAMPLES, 'trl-stepwise.jsonl'), '--probes', 'corrupt-number,flip-coin']);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(r.err, /flip-coin/);
    for (const name of PROBE_NAMES) assert.ok(r.err.includes(name), name);
  });

  it('exits 2 without a file or for a missing file, and with a bad seed', async () => {
    assert.equal((await runCliCaptured(['probe'])).code, 2);
    assert.equal((await runCliCaptured(['probe', join(EXAMPLES, 'no-such-file.jsonl')])).code, 2);
    assert.equal((await runCliCaptured(['probe', join(EXAMPLES, 'trl-stepwise.jsonl'), '--seed', '-1'])).code, 2);
  });

  it('skips and counts preference records', async () => {
    const r = await runCliCaptured(['probe', join(EXAMPLES, 'preferences.jsonl'), '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as ProbeJson;
    assert.deepEqual(j.skipped, { preferences: 2 });
    assert.deepEqual(j.records, []);
    assert.match(r.err, /2 preference record\(s\) skipped/);
  });

  it('exits 1 when a line is malformed, still probing the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-probe-'));
    const good = JSON.stringify({ prompt: 'p', completions: ['Step 1: 2 + 3 = 5.', 'The answer is 5.'], labels: [true, true] });
    const path = join(dir, 'broken.jsonl');
    writeFileSync(path, `${good}\n{"prompt": \n${good}\n`);
    const r = await runCliCaptured(['probe', path, '--json', '--probes', 'corrupt-number']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out) as ProbeJson;
    assert.equal(j.records.length, 2);
    assert.equal(j.summary['corrupt-number']?.ok_fraction, 1);
  });
});

describe('reward-lens probe --html', () => {
  before(() => ensureCliBundles());

  it('writes the sensitivity table as a standalone page: a bar per probe with the JSON figures on hover, file name inert', () => {
    const HOSTILE = '<img src=x onerror=alert(1)>';
    const dir = mkdtempSync(join(tmpdir(), 'rl-probe-html-'));
    const input = join(dir, `${HOSTILE}.json`);
    copyFileSync(join(EXAMPLES, 'processbench-style.json'), input);
    const page = join(dir, 'probes.html');
    const r = runBuiltCli(['probe', input, '--json', '--html', page]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as ProbeJson;
    const html = readFileSync(page, 'utf8');
    assert.ok(!html.includes(HOSTILE), 'the markup never appears raw');
    assert.doesNotMatch(html, /<script/i);
    const parsed = parsePage(html);
    assert.ok((parsed.body.querySelector('h1')?.textContent ?? '').includes(`${HOSTILE}.json`));
    const section = parsed.body.querySelector('section[data-plot="probes"]');
    assert.ok(section, 'the probes section');
    assert.equal(parsed.select('section[data-plot]').length, 1, 'no dashboard plots on a probes page');
    const titles = hoverTitles(section);
    for (const probe of PROBE_NAMES) {
      const s = j.summary[probe];
      const ok = s?.ok_fraction;
      assert.ok(s !== undefined && ok !== null && ok !== undefined);
      assert.ok(
        titles.some((t) => t.startsWith(`${probe}: `) && t.includes(`right way on ${pct(ok)} of ${s.traces} traces`)),
        `${probe} hover (${titles.join(' | ')})`,
      );
    }
    assert.equal(section.querySelectorAll('details table tbody tr').length, PROBE_NAMES.length);
  });
});
