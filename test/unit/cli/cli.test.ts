import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../../src/cli/cli.js';
import { readSample, SAMPLES_DIR, samplesAvailable } from '../helpers.js';

const ROOT = resolve(__dirname, '../../..');
const EXAMPLES = join(ROOT, 'examples');

async function run(positionals: string[], flags: Record<string, string | true> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const argv = [...positionals, ...Object.entries(flags).flatMap(([k, v]) => (v === true ? [`--${k}`] : [`--${k}`, v]))];
  const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

function tmp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rl-cli-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('reward-lens inspect', () => {
  it('prints the documented JSON for a trace file', async () => {
    const r = await run(['inspect', join(EXAMPLES, 'trl-stepwise.jsonl')], { json: true });
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out) as { format: string; records: { kind: string; id: string; prompt: string; steps: { text: string; label: string | null }[]; answer?: string }[]; problems: unknown[] };
    assert.equal(j.format, 'trl-stepwise');
    assert.equal(j.records.length, 2);
    assert.deepEqual(Object.keys(j.records[0] ?? {}).slice(0, 4), ['kind', 'id', 'prompt', 'steps']);
    assert.deepEqual(j.records[1]?.steps.map((s) => s.label), ['good', 'good', 'bad']);
    assert.equal(j.records[0]?.steps[1]?.text, 'Step 2: Speed = 60 / 0.75 = 80 km/h.');
    assert.deepEqual(j.problems, []);
  });

  it('prints preference records with chosen flags', async () => {
    const r = await run(['inspect', join(EXAMPLES, 'preferences.jsonl')], { json: true });
    const j = JSON.parse(r.out) as { records: { kind: string; responses: { text: string; chosen: boolean }[] }[] };
    assert.equal(j.records[0]?.kind, 'preference');
    assert.deepEqual(j.records[0]?.responses, [
      { text: '15% of 80 is 0.15 × 80 = 12.', chosen: true },
      { text: '15% of 80 is 0.15 × 80 = 10.', chosen: false },
    ]);
  });

  it('exits 1 with located problems when a line is malformed, still printing the other records', async () => {
    const good = JSON.stringify({ prompt: 'p', completions: ['a'], labels: [true] });
    const path = tmp('bad.jsonl', `${good}\n{"prompt": "q", "completions": [\n${good}\n`);
    const r = await run(['inspect', path], { json: true });
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out) as { records: unknown[]; problems: { line: number; column: number; message: string }[] };
    assert.equal(j.records.length, 2);
    assert.equal(j.problems[0]?.line, 2);
    assert.ok((j.problems[0]?.column ?? 0) > 1);
  });

  it('exits 2 for a missing file and for usage errors', async () => {
    assert.equal((await run(['inspect', '/nonexistent/file.jsonl'])).code, 2);
    assert.equal((await run(['frobnicate'])).code, 2);
    assert.equal((await run(['inspect'])).code, 2);
  });
});

describe('reward-lens score', () => {
  it('scores steps with critiques, aggregates and the first error', async () => {
    const r = await run(['score', join(EXAMPLES, 'processbench-style.json')], { json: true });
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out) as { records: { id: string; steps: { text: string; score: number; critique: string | null }[]; scores: Record<string, number>; first_error: number | null }[] };
    const first = j.records[0];
    assert.equal(first?.id, 'example-arith-1');
    assert.equal(first?.first_error, 3);
    assert.equal(first?.steps[3]?.critique, 'Step 4: wrote "37 × 3 = 121" but 37 × 3 = 111.');
    assert.deepEqual(Object.keys(first?.scores ?? {}), ['min', 'product', 'mean', 'last']);
    const scores = first?.steps.map((s) => s.score) ?? [];
    assert.equal(first?.scores['min'], Math.min(...scores));
    assert.equal(j.records[1]?.first_error, null);
  });

  it('scores preferences with a margin and agreement', async () => {
    const r = await run(['score', join(EXAMPLES, 'preferences.jsonl')], { json: true });
    const j = JSON.parse(r.out) as { records: { responses: { chosen: boolean; score: number }[]; margin: number; agrees_with_label: boolean }[] };
    const p = j.records[0];
    assert.ok(p);
    assert.equal(p.margin, (p.responses[0]?.score ?? 0) - (p.responses[1]?.score ?? 0));
    assert.equal(p.agrees_with_label, true);
  });

  it('writes --out as JSONL and never over an input file', async () => {
    const input = tmp('t.jsonl', readFileSync(join(EXAMPLES, 'trl-stepwise.jsonl'), 'utf8'));
    const out = `${input}.scored.jsonl`;
    const r = await run(['score', input], { out });
    assert.equal(r.code, 0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    assert.ok('first_error' in (JSON.parse(lines[0] ?? '{}') as object));
    const before = readFileSync(input, 'utf8');
    assert.equal((await run(['score', input], { out: input })).code, 2);
    assert.equal(readFileSync(input, 'utf8'), before);
  });

  it('exits 2 with the reason when an explicit --model cannot be loaded (never scores with the verifier instead)', async () => {
    for (const command of ['score', 'eval']) {
      const r = await run([command, join(EXAMPLES, 'trl-stepwise.jsonl')], { model: '/nonexistent/model', json: true });
      assert.equal(r.code, 2, command);
      assert.equal(r.out, '', `${command} printed no scores`);
      assert.match(r.err, /cannot load the model in "\/nonexistent\/model"/u);
      assert.match(r.err, /config\.json|does not exist|not found|missing/iu);
      assert.doesNotMatch(r.err, /built-in verifier/u);
    }
  });
});

describe('reward-lens eval', () => {
  it('reports ProcessBench metrics on a ProcessBench file', async () => {
    const r = await run(['eval', join(EXAMPLES, 'processbench-style.json')], { json: true });
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out) as { metrics: { processbench: { overall: { erroneous: { count: number; hits: number }; correct: { count: number; hits: number }; f1: number } } } };
    const o = j.metrics.processbench.overall;
    // Labels 3, -1, -1; the verifier predicts 3 (arithmetic slip), -1, and 2 (the repeated step): hits 1/1 and 1/2.
    assert.deepEqual([o.erroneous.count, o.erroneous.hits, o.correct.count, o.correct.hits], [1, 1, 2, 1]);
    assert.ok(Math.abs(o.f1 - (2 * 1 * 0.5) / 1.5) < 1e-12);
    // Step labels (good before the label, bad at it, unlabelled after): 11 labelled steps, 10 agree; the repeated
    // step of example-frac-3 is the one disagreement. TP 9, FN 1, TN 1, FP 0: pₒ = 10/11, pₑ = 92/121, κ = 18/29.
    const a = (JSON.parse(r.out) as { metrics: { step_agreement: { count: number; accuracy: number; kappa: number; excluded: { unknown: number } } } }).metrics.step_agreement;
    assert.deepEqual([a.count, a.excluded.unknown], [11, 1]);
    assert.ok(Math.abs(a.accuracy - 10 / 11) < 1e-12);
    assert.ok(Math.abs(a.kappa - 18 / 29) < 1e-12);
  });

  it('reports ProcessBench metrics on the shared ProcessBench sample', { skip: !samplesAvailable() }, async () => {
    readSample('processbench.json');
    const r = await run(['eval', join(SAMPLES_DIR, 'processbench.json')], { json: true });
    const j = JSON.parse(r.out) as { format: string; metrics: { processbench: { overall: { erroneous: { count: number; hits: number }; correct: { count: number } } } } };
    assert.equal(j.format, 'processbench');
    // gsm8k-0's error (label 1) is in reasoning, not arithmetic: the verifier flags nothing, so it predicts -1 and misses.
    const o = j.metrics.processbench.overall;
    assert.deepEqual([o.erroneous.count, o.erroneous.hits, o.correct.count], [1, 0, 0]);
  });

  it('reports pairwise accuracy on a preference file', async () => {
    const r = await run(['eval', join(EXAMPLES, 'preferences.jsonl')], { json: true });
    const j = JSON.parse(r.out) as { metrics: { pairwise: { overall: { count: number; wins: number; ties: number } } } };
    assert.deepEqual([j.metrics.pairwise.overall.count, j.metrics.pairwise.overall.wins, j.metrics.pairwise.overall.ties], [2, 1, 1]);
  });
});

describe('the built binary', () => {
  it('runs as `node dist/cli.js` when built', { skip: !existsSync(join(ROOT, 'dist/cli.js')) && process.env['CI'] !== 'true' }, () => {
    const res = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'inspect', join(EXAMPLES, 'preferences.jsonl'), '--json'], { encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    assert.equal((JSON.parse(res.stdout) as { format: string }).format, 'trl-preference');
  });
});

describe('reward-lens export', () => {
  it('without a Python that has torch: exit 2 with the interpreters tried and the pip command', async () => {
    const python = join(tmpdir(), 'no-such-python-for-reward-lens');
    const r = await run(['export', join(EXAMPLES), join(tmpdir(), 'never-written'), '--preset', 'trl-prm'], { python });
    assert.equal(r.code, 2);
    assert.match(r.err, /no usable Python/u);
    assert.match(r.err, /no-such-python-for-reward-lens cannot be run/u);
    assert.match(r.err, /pip install -r .*python[/\\]requirements\.txt/u);
    assert.equal(existsSync(join(tmpdir(), 'never-written')), false);
  });

  it('a Python that lacks the packages is named with what it lacks', async () => {
    const r = await run(['export', EXAMPLES, join(tmpdir(), 'never-written'), '--preset', 'trl-prm'], { python: 'python3' });
    // The machine's own python3 has no torch (the exporter's packages live in a venv); if it ever does, the
    // exporter itself runs and refuses examples/ (no config.json) with exit 2 all the same.
    assert.equal(r.code, 2);
    assert.match(r.err, /lacks torch|config\.json/u);
  });

  it('usage: HF_DIR and OUT are required', async () => {
    const r = await run(['export', EXAMPLES]);
    assert.equal(r.code, 2);
    assert.match(r.err, /usage: reward-lens export HF_DIR OUT --preset NAME/u);
  });
});

describe('reward-lens --version', () => {
  it("prints package.json's version, from source and from the bundle esbuild.mjs writes", async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const r = await run([], { version: true });
    assert.deepEqual([r.code, r.out], [0, `reward-lens ${version}\n`]);
    const bundle = join(ROOT, 'dist', 'cli.js');
    if (existsSync(bundle)) {
      const b = spawnSync(process.execPath, [bundle, '--version'], { encoding: 'utf8' });
      assert.equal(b.stdout, `reward-lens ${version}\n`);
    }
  });
});
