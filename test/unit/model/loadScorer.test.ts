// The public entry point end to end: a worker thread owns the model; results carry the device; device
// fallback with simulated failures; disk cache across scorers; cancellation; bad folders and a model
// that throws at run time give ModelErrors, and the host keeps running.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GraphBuilder } from '../../../scripts/tinyOnnx.js';
import { loadModelScorer } from '../../../src/model/loadScorer.js';
import { ModelError } from '../../../src/model/modelError.js';
import { inThreadEngine, testModel } from './modelTestKit.js';

const root = mkdtempSync(join(tmpdir(), 'reward-lens-load-'));
after(() => rmSync(root, { recursive: true, force: true }));

const TRACES = [
  { prompt: 'What is 2 + 3 * 4?', steps: ['First multiply: 3 * 4 = 12.', 'Then add: 2 + 12 = 14.'] },
  { prompt: 'Solve x + 5 = 9.', steps: ['Subtract 5 from both sides: x = 4.'] },
];

describe('loadModelScorer (worker thread)', () => {
  it('scores in a worker with the same numbers as the engine, reports the device, and reuses the disk cache', async () => {
    const { dir } = testModel('qwen-prm');
    const cacheDir = join(root, 'cache');
    const scorer = await loadModelScorer({ dir, cacheDir });
    assert.match(scorer.id, /^onnx:[0-9a-f]{20}$/u);
    assert.equal(scorer.granularity, 'step');
    assert.equal(scorer.preset, 'qwen2.5-math-prm');
    assert.equal(scorer.deviceInfo().device, undefined, 'the session is created lazily, on the first score');
    const results = await scorer.score(TRACES);
    const info = scorer.deviceInfo();
    assert.ok(info.device === 'cpu' || info.device === 'webgpu' || info.device === 'cuda');
    for (const r of results) assert.equal(r.device, info.device);
    // Devices are tried in the order CUDA → WebGPU → CPU, stopping at the first that works.
    const tried = info.attempts.map((a) => a.device);
    assert.deepEqual(tried, ['cuda', 'webgpu', 'cpu'].slice(0, tried.length));
    assert.equal(info.attempts.at(-1)?.ok, true);
    assert.ok(info.attempts.slice(0, -1).every((a) => !a.ok && (a.error ?? '').length > 0));
    if (info.device === 'cpu') {
      const { engine } = inThreadEngine(dir);
      const expected = await engine.score(TRACES);
      await engine.dispose();
      assert.deepEqual(
        results.map((r) => r.steps.map((s) => s.score)),
        expected.map((r) => r.steps.map((s) => s.score)),
      );
    }
    await scorer.dispose();
    await assert.rejects(scorer.score(TRACES), ModelError, 'a disposed scorer refuses work');

    const second = await loadModelScorer({ dir, cacheDir });
    const again = await second.score(TRACES);
    assert.equal(second.lastStats()?.computed, 0, 'nothing recomputed: scores came from the disk cache');
    assert.equal(second.lastStats()?.cached, 2);
    assert.deepEqual(again, results);
    await second.dispose();
  });

  it('falls back CUDA → WebGPU → CPU with simulated failures; a forced device does not fall back', async () => {
    const { dir } = testModel('skywork-o1-prm');
    const auto = await loadModelScorer({ dir, simulateFailures: ['cuda', 'webgpu'] });
    const [r] = await auto.score([TRACES[0] ?? { prompt: '', steps: [] }]);
    assert.equal(r?.device, 'cpu');
    const attempts = auto.deviceInfo().attempts;
    assert.deepEqual(
      attempts.map((a) => [a.device, a.ok]),
      [
        ['cuda', false],
        ['webgpu', false],
        ['cpu', true],
      ],
    );
    assert.match(attempts[1]?.error ?? '', /simulated webgpu failure/u);
    await auto.dispose();

    const forced = await loadModelScorer({ dir, device: 'webgpu', simulateFailures: ['webgpu'] });
    await assert.rejects(forced.score(TRACES), (e: unknown) => e instanceof ModelError && /No device could run the model: webgpu: simulated webgpu failure$/u.test(e.message));
    assert.deepEqual(
      forced.deviceInfo().attempts.map((a) => a.device),
      ['webgpu'],
    );
    await forced.dispose();
  });

  it('cancels: an aborted call rejects with AbortError and the scorer keeps working', async () => {
    const { dir } = testModel('trl-prm');
    const scorer = await loadModelScorer({ dir, maxBatchTokens: 1 });
    const traces = Array.from({ length: 30 }, (_, i) => ({ prompt: `Problem ${i}: add ${i} and ${i + 1}.`, steps: [`${i} + ${i + 1} = ${2 * i + 1}.`, 'Done.'] }));
    const ctl = new AbortController();
    const pending = scorer.score(traces, ctl.signal);
    ctl.abort();
    await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
    await assert.rejects(scorer.score(traces, ctl.signal), (e: Error) => e.name === 'AbortError', 'an already-aborted signal rejects at once');
    const done = await scorer.score(traces);
    assert.equal(done.length, 30);
    const stats = scorer.lastStats();
    assert.ok(stats !== undefined && stats.cached + stats.computed === 30 && stats.computed > 0);
    await scorer.dispose();
  });

  it('rejects unusable folders with a ModelError naming file, field and fix', async () => {
    await assert.rejects(loadModelScorer({ dir: join(root, 'missing') }), (e: unknown) => e instanceof ModelError && /not found/u.test(e.message) && e.fix !== undefined);
    await assert.rejects(
      loadModelScorer({ dir: testModel('trl-prm').dir, preset: 'qwen2.5-math-prm' }),
      (e: unknown) => e instanceof ModelError && e.file === join(testModel('trl-prm').dir, 'tokenizer.json') && e.field === 'separator' && /<extra_0>/u.test(e.message),
    );
  });

  it('turns a model that throws at run time into a ModelError; the host keeps running', async () => {
    // A token-classification graph whose embedding has 10 rows: Qwen's ids index past it at run time.
    const src = testModel('qwen-prm').dir;
    const dir = join(root, 'throws');
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    for (const f of readdirSync(src)) if (f.endsWith('.json')) copyFileSync(join(src, f), join(dir, f));
    const g = new GraphBuilder('fp32');
    const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
    g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
    const table = g.floatInit('table', [10, 2], new Float32Array(20));
    g.op('Gather', [table, ids], { axis: 0 }, 'logits');
    g.output('logits', ['batch_size', 'sequence_length', 2]);
    writeFileSync(join(dir, 'onnx', 'model.onnx'), g.build().model);
    const scorer = await loadModelScorer({ dir, device: 'cpu' });
    await assert.rejects(scorer.score(TRACES), (e: unknown) => e instanceof ModelError && /failed while running on cpu/u.test(e.message) && e.file.endsWith('model.onnx'));
    await scorer.dispose();
  });
});
