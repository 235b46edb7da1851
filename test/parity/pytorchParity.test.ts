// Parity with the models' own code. For every preset: a random-weight small model of the real transformers
// architecture with the real tokenizer and chat template (python -m reward_lens_export.testing make-checkpoint),
// exported by `reward-lens export` (the CLI, as a user runs it), then compared with an independent reference
// written from each model card's code (python -m reward_lens_export.testing reference: transformers'
// tokenizer and apply_chat_template, PyTorch eager forward of the checkpoint):
//   - input ids: Reward Lens's input building == the reference preprocessing, on every trace and preference
//     in ../shared/samples, the fixtures and examples/;
//   - scores: the engine (alone and batched) and `reward-lens score --json` == PyTorch within 1e-4 (fp32),
//     2e-2 (fp16);
//   - generation: the KV-cache greedy decoder == model.generate(do_sample=False), 64 new tokens.
// Needs the Python venv of scripts/installPythonDeps.sh; under CI=true a missing venv fails, never skips.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { DatasetRecord } from '../../src/core/dataset/types.js';
import { parseBytes } from '../../src/core/parseDocument.js';
import { encodeInput } from '../../src/core/scoring/contracts/encodeInput.js';
import { requestsOf } from '../../src/core/scoring/scoreRecords.js';
import type { ScoreRequest } from '../../src/core/scoring/scorer.js';
import { exporterHash, runPython } from '../../scripts/pythonExporter.js';
import { defaultVenvPython } from '../../src/cli/exportCommand.js';
import { buildEngine } from '../../src/model/buildEngine.js';
import { inspectModelFolder, type InspectedModel } from '../../src/model/checkModel.js';
import { openGenerator } from '../../src/model/generator.js';

const ROOT = resolve(__dirname, '../..');
const SAMPLES = resolve(ROOT, '../shared/samples');
const PYTHON = process.env['REWARD_LENS_PYTHON'] ?? defaultVenvPython();
const CI = process.env['CI'] === 'true';
const available = existsSync(PYTHON);
if (!available && CI) throw new Error(`The parity suite needs ${PYTHON} (run scripts/installPythonDeps.sh); under CI=true it must run.`);
const skip = available ? false : `no Python venv at ${PYTHON}: run scripts/installPythonDeps.sh`;

/** Work folder keyed by the exporter's sources, so checkpoints and exports are reused while they are unchanged. */
const WORK = join(ROOT, '.cache', 'parity', exporterHash(ROOT));

const py = (args: readonly string[], what: string): string => runPython(PYTHON, ['-m', 'reward_lens_export.testing', ...args], what, ROOT);

/** `node dist/cli.js args` (the CLI as a user runs it) with the venv's Python; stdout, or a failed assertion. */
function cli(args: readonly string[], what: string): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, REWARD_LENS_PYTHON: PYTHON } });
  assert.equal(r.status, 0, `${what} failed (exit ${String(r.status)}):\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

/**
 * Weights: `spread` (initializer_range 0.3, so random scores spread across steps) for fp32 parity; `realistic`
 * (transformers' own 0.02, the head's last layer scaled) where precision matters: with 0.3, PyTorch fp16 itself
 * is 0.2 away from PyTorch fp32, so fp16 tolerances only mean something on weights of realistic magnitude.
 */
type Init = 'spread' | 'realistic';
const slug = (parts: readonly string[]): string => parts.join('-').replace(/[^a-z0-9.]+/giu, '-');

/** A random-weight checkpoint of the preset's real architecture (built once per work folder). */
function checkpoint(preset: string, init: Init = 'spread'): string {
  const dir = join(WORK, 'ckpt', slug([preset, init]));
  if (!existsSync(join(dir, 'config.json'))) py(['make-checkpoint', '--preset', preset, '--init', init, '--out', dir, '--tokenizers', join(ROOT, 'node_modules')], `make-checkpoint ${preset}`);
  return dir;
}

/** `reward-lens export` of the checkpoint (built once per work folder). */
function exported(preset: string, extra: readonly string[] = [], init: Init = 'spread'): string {
  const out = join(WORK, 'onnx', slug([preset, init, ...extra]));
  if (!existsSync(join(out, 'reward-lens.json'))) {
    const summary = JSON.parse(cli(['export', checkpoint(preset, init), out, '--preset', preset, '--json', '--force', ...extra], `reward-lens export ${preset}`)) as { ok?: boolean; checks?: unknown[] };
    assert.equal(summary.ok, true, 'export printed its JSON summary');
    assert.ok((summary.checks?.length ?? 0) > 0, 'the export was checked against PyTorch');
  }
  return out;
}

/** Every record of the samples, fixtures and examples (data files only). */
function allRecords(): { file: string; record: DatasetRecord }[] {
  const files: string[] = [];
  const collect = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) collect(p);
      else if (/\.(jsonl|json)$/u.test(e.name) && !e.name.endsWith('.reward-lens.json')) files.push(p);
    }
  };
  if (!existsSync(SAMPLES) && CI) throw new Error(`missing ${SAMPLES}`);
  collect(SAMPLES);
  collect(join(ROOT, 'test', 'fixtures'));
  collect(join(ROOT, 'examples'));
  return files.sort().flatMap((file) => parseBytes(readFileSync(file), file).records.map((record) => ({ file, record })));
}

/** Requests small enough for a per-prefix PyTorch reference (the 1 MB hostile line is left to the overlong tests). */
const MAX_CHARS = 12_000;
function requestsFor(kind: 'trace' | 'preference' | 'both'): ScoreRequest[] {
  const seen = new Set<string>();
  const out: ScoreRequest[] = [];
  for (const { record } of allRecords()) {
    if (kind !== 'both' && record.kind !== kind) continue;
    for (const r of requestsOf(record)) {
      if (r.steps.length === 0 || r.steps.some((s) => s.trim().length === 0)) continue;
      const size = r.prompt.length + r.steps.join('').length + (r.response?.length ?? 0);
      const key = JSON.stringify([r.prompt, r.messages, r.steps, r.response]);
      if (size > MAX_CHARS || seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}

interface Reference {
  readonly ids: number[];
  readonly step_scores?: number[];
  readonly sequence_score?: number;
}

interface ReferenceOptions {
  readonly batched?: boolean;
  readonly init?: Init;
  /** Run PyTorch with this int4 file's dequantized weights. */
  readonly weightsFrom?: string;
}

function reference(preset: string, requests: readonly ScoreRequest[], tag: string, o: ReferenceOptions = {}): Reference[] {
  const dir = join(WORK, 'ref');
  mkdirSync(dir, { recursive: true });
  const req = join(dir, `${preset}-${tag}.requests.json`);
  const out = join(dir, `${preset}-${tag}${o.batched === true ? '-batched' : ''}.reference.json`);
  writeFileSync(req, JSON.stringify(requests.map((r) => ({ prompt: r.prompt, messages: r.messages ?? null, steps: r.steps, response: r.response ?? null }))));
  py(
    [
      'reference',
      ...['--model', checkpoint(preset, o.init), '--preset', preset, '--requests', req, '--out', out],
      ...(o.batched === true ? ['--batched'] : []),
      ...(o.weightsFrom !== undefined ? ['--weights-from', o.weightsFrom] : []),
    ],
    `reference ${preset}`,
  );
  const refs = JSON.parse(readFileSync(out, 'utf8')) as Reference[];
  assert.equal(refs.length, requests.length);
  return refs;
}

function inspected(dir: string, preset: string): InspectedModel {
  const { model, findings } = inspectModelFolder(dir, preset);
  assert.ok(model, `folder check failed: ${JSON.stringify(findings.filter((f) => f.level === 'error'))}`);
  return model;
}

function maxDelta(a: readonly number[], b: readonly number[]): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] ?? NaN))), 0);
}

/** The scores of a result list, flattened (step scores, or one sequence score per request). */
function flatScores(results: readonly { steps: readonly { score: number }[]; sequenceScore?: number }[]): number[] {
  return results.flatMap((r) => (r.sequenceScore !== undefined ? [r.sequenceScore] : r.steps.map((s) => s.score)));
}
const flatRef = (refs: readonly Reference[]): number[] => refs.flatMap((r) => (r.sequence_score !== undefined ? [r.sequence_score] : (r.step_scores ?? [])));

/** ORMs give raw logits: compare relative to their scale. */
function tolerance(preset: string, refs: readonly Reference[], base: number): number {
  if (!preset.includes('reward')) return base;
  const scale = Math.max(1, ...flatRef(refs).map(Math.abs));
  return base * scale;
}

const PRESETS: readonly { preset: string; kind: 'trace' | 'preference' | 'both' }[] = [
  { preset: 'qwen2.5-math-prm', kind: 'trace' },
  { preset: 'skywork-o1-prm', kind: 'trace' },
  { preset: 'trl-prm', kind: 'trace' },
  { preset: 'math-shepherd', kind: 'trace' },
  { preset: 'rlhflow-prm', kind: 'trace' },
  { preset: 'skywork-reward-v2', kind: 'both' },
];

describe('parity with PyTorch and transformers', { skip }, () => {
  for (const { preset, kind } of PRESETS) {
    it(`${preset}: input ids equal the reference preprocessing, scores equal PyTorch (alone and batched)`, async () => {
      const requests = requestsFor(kind);
      assert.ok(requests.length >= 10, `${preset}: only ${requests.length} requests`);
      if (kind !== 'trace') assert.ok(requests.some((r) => (r.messages?.length ?? 0) > 1), 'some prompts have several turns');
      const dir = exported(preset);
      const refs = reference(preset, requests, kind);
      const model = inspected(dir, preset);

      // input ids
      let compared = 0;
      requests.forEach((r, i) => {
        const ours = encodeInput(model.contract, model.tokenizer, r).ids;
        assert.deepEqual(ours, refs[i]?.ids, `${preset} request ${i}: input ids differ (prompt ${JSON.stringify(r.prompt.slice(0, 60))})`);
        compared += ours.length;
      });
      assert.ok(compared > 1000, `compared ${compared} ids`);

      // scores, batched (one call) and alone (one call per request)
      const expected = flatRef(refs);
      assert.ok(new Set(expected.map((x) => x.toFixed(3))).size > 5, `${preset}: the reference scores vary (the test can fail)`);
      const { engine } = buildEngine(model, { device: 'cpu', noCache: true, maxPaddingFraction: 1 });
      const batched = flatScores(await engine.score(requests));
      const tol = tolerance(preset, refs, 1e-4);
      const dBatched = maxDelta(batched, expected);
      assert.ok(dBatched <= tol, `${preset} batched: max |Δ| ${dBatched} > ${tol}`);
      const alone: number[] = [];
      for (const r of requests) alone.push(...flatScores(await engine.score([r])));
      const dAlone = maxDelta(alone, expected);
      assert.ok(dAlone <= tol, `${preset} alone: max |Δ| ${dAlone} > ${tol}`);
      console.log(`# ${preset}: ${requests.length} requests, ${compared} ids identical, ${expected.length} scores, max |Δ| batched ${dBatched.toExponential(2)}, alone ${dAlone.toExponential(2)}`);
    });
  }

  it('the PyTorch reference itself is batch-invariant (right padding), so batched parity is meaningful', () => {
    const requests = requestsFor('trace').slice(0, 12);
    const one = flatRef(reference('qwen2.5-math-prm', requests, 'small'));
    const many = flatRef(reference('qwen2.5-math-prm', requests, 'small', { batched: true }));
    assert.ok(maxDelta(one, many) <= 1e-5);
  });

  it('reward-lens score --json on the ProcessBench sample equals PyTorch', () => {
    const file = existsSync(join(SAMPLES, 'processbench.json')) ? join(SAMPLES, 'processbench.json') : join(ROOT, 'examples', 'processbench-style.json');
    const dir = exported('qwen2.5-math-prm');
    const out = JSON.parse(cli(['score', file, '--model', dir, '--preset', 'qwen2.5-math-prm', '--json', '--device', 'cpu'], 'reward-lens score')) as {
      model: string;
      records: { steps: { score: number }[] }[];
    };
    const records = parseBytes(readFileSync(file), file).records;
    const refs = reference('qwen2.5-math-prm', records.flatMap(requestsOf), 'cli');
    const got = out.records.flatMap((r) => r.steps.map((s) => s.score));
    const d = maxDelta(got, flatRef(refs));
    assert.ok(d <= 1e-4, `max |Δ| ${d}`);
    assert.notEqual(out.model, 'builtin');
  });

  it('fp16 export: within 2e-2 of PyTorch fp32 (realistic weights)', async () => {
    const requests = requestsFor('trace');
    const refs = reference('qwen2.5-math-prm', requests, 'fp16', { init: 'realistic' });
    const expected = flatRef(refs);
    assert.ok(Math.max(...expected) - Math.min(...expected) > 0.3, 'the realistic model\'s scores spread (the test can fail)');
    const model = inspected(exported('qwen2.5-math-prm', ['--dtype', 'fp16'], 'realistic'), 'qwen2.5-math-prm');
    assert.equal(model.dtype, 'fp16');
    const { engine } = buildEngine(model, { device: 'cpu', noCache: true });
    const d = maxDelta(flatScores(await engine.score(requests)), expected);
    assert.ok(d <= 2e-2, `fp16 max |Δ| ${d}`);
    console.log(`# fp16: max |Δ| ${d.toExponential(2)} against PyTorch fp32 over ${expected.length} step scores`);
  });

  it('int4 export (MatMulNBits): equals PyTorch running the int4 file\'s dequantized weights', async () => {
    const requests = requestsFor('trace');
    const dir = exported('qwen2.5-math-prm', ['--int4'], 'realistic');
    const model = inspected(dir, 'qwen2.5-math-prm');
    assert.equal(model.dtype, 'int4');
    const refs = reference('qwen2.5-math-prm', requests, 'int4', { init: 'realistic', weightsFrom: join(dir, 'onnx', 'model_q4.onnx') });
    const { engine } = buildEngine(model, { device: 'cpu', noCache: true });
    const got = flatScores(await engine.score(requests));
    const d = maxDelta(got, flatRef(refs));
    const float = maxDelta(got, flatRef(reference('qwen2.5-math-prm', requests, 'fp16', { init: 'realistic' })));
    console.log(`# int4: max |Δ| ${d.toExponential(2)} against PyTorch on the int4 weights; ${float.toExponential(2)} from the unquantized model`);
    assert.ok(d <= 1e-4, `int4 max |Δ| ${d}`);
  });

  it('generation: greedy KV-cache decoding equals model.generate(do_sample=False) for 64 new tokens', async () => {
    const dir = exported('generator');
    const gen = await openGenerator(dir, { device: 'cpu' });
    try {
      const prompts = requestsFor('trace')
        .slice(0, 4)
        .map((r) => gen.tokenizer.encode(gen.tokenizer.renderChat([{ role: 'user', content: `${r.prompt}\n\n${r.steps.map((s, i) => `Step ${i + 1}: ${s}`).join('\n')}` }], true), false));
      const idsFile = join(WORK, 'ref', 'generator.prompts.json');
      const outFile = join(WORK, 'ref', 'generator.generated.json');
      mkdirSync(join(WORK, 'ref'), { recursive: true });
      writeFileSync(idsFile, JSON.stringify(prompts));
      py(['generate', '--model', checkpoint('generator'), '--prompt-ids', idsFile, '--max-new-tokens', '64', '--out', outFile], 'generate');
      const expected = JSON.parse(readFileSync(outFile, 'utf8')) as { tokens: number[][] } | number[][];
      const tokens = Array.isArray(expected) ? expected : expected.tokens;
      for (const [i, p] of prompts.entries()) {
        const g = await gen.generate(p, { maxNewTokens: 64 });
        assert.equal(g.ids.length, 64);
        assert.deepEqual(g.ids, tokens[i], `prompt ${i}`);
      }
      assert.ok(new Set(tokens.flat()).size > 10, 'the generated tokens vary (the test can fail)');
    } finally {
      await gen.dispose();
    }
  });

  it('a failed export leaves no folder behind and says why (exit 2)', () => {
    const out = join(WORK, 'onnx', 'wrong-preset');
    rmSync(out, { recursive: true, force: true });
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'export', checkpoint('math-shepherd'), out, '--preset', 'qwen2.5-math-prm'], {
      encoding: 'utf8',
      env: { ...process.env, REWARD_LENS_PYTHON: PYTHON },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /config\.json|architecture/iu);
    assert.equal(existsSync(out), false);
    assert.deepEqual(
      readdirSync(join(WORK, 'onnx')).filter((n) => n.includes('wrong-preset')),
      [],
      'no partial folder is left beside OUT',
    );
  });
});
