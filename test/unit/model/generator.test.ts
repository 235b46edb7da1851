// The KV-cache decode loop on tiny generated causal LMs, against an independent greedy loop that
// recomputes the whole sequence each step with the plain-JS reference forward pass (no cache).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TinyWeights } from '../../../scripts/genModels.js';
import { openGenerator, type TokenGenerator } from '../../../src/model/generator.js';
import { ModelError } from '../../../src/model/modelError.js';
import { assertClose, lmLogitsAll, logSoftmaxAt, referenceHidden, testModel } from './modelTestKit.js';

interface ReferenceRun {
  readonly ids: number[];
  readonly logprobs: number[];
  readonly watched: number[][];
}

/** Greedy decoding without a cache: the full forward pass over prompt + generated ids at every step. */
function referenceGreedy(w: TinyWeights, prompt: readonly number[], n: number, watch: readonly number[]): ReferenceRun {
  const seq = [...prompt];
  const run: ReferenceRun = { ids: [], logprobs: [], watched: [] };
  for (let step = 0; step < n; step++) {
    const hidden = referenceHidden(w, seq);
    const logits = lmLogitsAll(w, hidden[hidden.length - 1] ?? new Float64Array(w.spec.hidden));
    let best = 0;
    for (let c = 1; c < logits.length; c++) if ((logits[c] ?? -Infinity) > (logits[best] ?? -Infinity)) best = c;
    run.ids.push(best);
    run.logprobs.push(logSoftmaxAt(logits, [best])[0] ?? Number.NaN);
    run.watched.push(logSoftmaxAt(logits, watch));
    seq.push(best);
  }
  return run;
}

describe('greedy generator with a KV cache', () => {
  const { dir, weights } = testModel('tiny-generator');
  let gen: TokenGenerator;
  const prompts: number[][] = [];
  let watch: number[] = [];
  const N = 40;
  const refs = new Map<number, ReferenceRun>();
  const reference = (i: number): ReferenceRun => {
    let r = refs.get(i);
    if (r === undefined) {
      r = referenceGreedy(weights, prompts[i] ?? [], N, watch);
      refs.set(i, r);
    }
    return r;
  };

  before(async () => {
    gen = await openGenerator(dir, { device: 'cpu' });
    const t = gen.tokenizer;
    prompts.push(t.encode('Is 17 a prime number? Answer Yes or No.', false), t.encode('The quick brown fox', false), [42], t.encode('def fib(n):\n    return', false));
    watch = [' Yes', ' No'].map((s) => {
      const ids = t.encode(s, false);
      assert.equal(ids.length, 1, `${JSON.stringify(s)} is one token`);
      return ids[0] ?? -1;
    });
  });
  after(async () => {
    await gen.dispose();
  });

  it('matches the cache-free reference: identical ids, logprobs and watched log-probs within 1e-4', async () => {
    assert.equal(gen.device, 'cpu');
    assert.equal(gen.vocabSize, weights.spec.vocabSize);
    for (let i = 0; i < prompts.length; i++) {
      const prompt = prompts[i] ?? [];
      const got = await gen.generate(prompt, { maxNewTokens: N, watchIds: watch });
      const ref = reference(i);
      assert.deepEqual(got.ids, ref.ids, `prompt ${i}`);
      assert.equal(got.stop, 'length');
      assert.equal(got.promptTokens, prompt.length);
      assert.equal(got.device, 'cpu');
      assertClose(got.logprobs, ref.logprobs, 1e-4, `prompt ${i} logprobs`);
      assert.equal(got.watched.length, N);
      got.watched.forEach((row, j) => assertClose(row, ref.watched[j] ?? [], 1e-4, `prompt ${i} watched at ${j}`));
      // The test can only fail if the model's choices depend on the context.
      assert.ok(new Set(got.ids).size >= 8, `prompt ${i}: only ${new Set(got.ids).size} distinct tokens in ${got.ids.join(' ')}`);
      assert.ok(got.logprobs.every((l) => l <= 0 && l > -30));
    }
    assert.notDeepEqual(reference(0).ids, reference(1).ids);
  });

  it('gives the same tokens when the prompt is prefilled in chunks', async () => {
    const chunked = await openGenerator(dir, { device: 'cpu', prefillChunk: 3 });
    try {
      for (const i of [0, 3]) {
        const got = await chunked.generate(prompts[i] ?? [], { maxNewTokens: N, watchIds: watch });
        assert.deepEqual(got.ids, reference(i).ids);
        assertClose(got.logprobs, reference(i).logprobs, 1e-4, `chunked prompt ${i}`);
      }
    } finally {
      await chunked.dispose();
    }
  });

  it('stops after a stop id, keeping it', async () => {
    const ref = reference(0);
    const k = ref.ids.findIndex((id, j) => j >= 5 && ref.ids.indexOf(id) === j);
    assert.ok(k > 0, 'a token that first appears after position 5');
    const stopId = ref.ids[k] ?? -1;
    const got = await gen.generate(prompts[0] ?? [], { maxNewTokens: N, stopIds: [stopId, 151645] });
    assert.equal(got.stop, 'stop');
    assert.deepEqual(got.ids, ref.ids.slice(0, k + 1));
    assert.equal(got.watched.length, k + 1);
    assert.deepEqual(got.watched[0], []);
  });

  it('stops with cancelled when the signal aborts, before or during generation', async () => {
    const pre = new AbortController();
    pre.abort();
    const none = await gen.generate(prompts[0] ?? [], { maxNewTokens: N, signal: pre.signal });
    assert.deepEqual({ ids: none.ids, stop: none.stop }, { ids: [], stop: 'cancelled' });

    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 30);
    const partial = await gen.generate(prompts[1] ?? [], { maxNewTokens: 1500, signal: ac.signal });
    clearTimeout(timer);
    assert.equal(partial.stop, 'cancelled');
    assert.ok(partial.ids.length < 1500);
    const n = Math.min(partial.ids.length, N);
    assert.deepEqual(partial.ids.slice(0, n), reference(1).ids.slice(0, n));
  });

  it('stops at the model length and returns at once for maxNewTokens 0', async () => {
    const zero = await gen.generate([1, 2, 3], { maxNewTokens: 0 });
    assert.deepEqual({ ids: zero.ids, stop: zero.stop, promptTokens: zero.promptTokens }, { ids: [], stop: 'length', promptTokens: 3 });
    const maxPositions = weights.spec.maxPositions;
    assert.equal(gen.maxPositions, maxPositions);
    const long = Array.from({ length: maxPositions - 5 }, (_, i) => (i * 7919) % 150000);
    const got = await gen.generate(long, { maxNewTokens: 50 });
    assert.equal(got.stop, 'length');
    assert.equal(got.ids.length, 5);
    await assert.rejects(gen.generate(Array.from({ length: maxPositions }, () => 5), { maxNewTokens: 1 }), /max_position_embeddings/u);
    await assert.rejects(gen.generate([], { maxNewTokens: 1 }), /empty/u);
    await assert.rejects(gen.generate([weights.spec.vocabSize], { maxNewTokens: 1 }), /outside the model's vocabulary/u);
    await assert.rejects(gen.generate([1], { maxNewTokens: 1, watchIds: [-1] }), /watched id -1/u);
  });

  it('runs overlapping calls one after another with the same results', async () => {
    const [a, b] = await Promise.all([gen.generate(prompts[0] ?? [], { maxNewTokens: N }), gen.generate(prompts[2] ?? [], { maxNewTokens: N })]);
    assert.deepEqual(a.ids, reference(0).ids);
    assert.deepEqual(b.ids, reference(2).ids);
  });
});

describe('openGenerator', () => {
  it('refuses a graph without past inputs, naming the file and the fix', async () => {
    const { dir } = testModel('math-shepherd');
    await assert.rejects(openGenerator(dir, { device: 'cpu' }), (e: unknown) => {
      assert.ok(e instanceof ModelError);
      assert.match(e.file, /onnx[\\/]model\.onnx$/u);
      assert.match(e.message, /onnx[\\/]model\.onnx has no past_key_values\.\* inputs/u);
      assert.match(e.fix ?? '', /--task text-generation-with-past/u);
      return true;
    });
  });

  it('falls back past devices that fail and records why', async () => {
    const gen = await openGenerator(testModel('tiny-generator').dir, { device: 'auto', simulateFailures: ['cuda', 'webgpu'] });
    try {
      assert.equal(gen.device, 'cpu');
      assert.deepEqual(
        gen.attempts.map((a) => [a.device, a.ok]),
        [
          ['cuda', false],
          ['webgpu', false],
          ['cpu', true],
        ],
      );
    } finally {
      await gen.dispose();
    }
  });

  it('decodes fp16 logits and caches (the manifest names model_fp16.onnx)', async () => {
    const { dir, weights } = testModel('tiny-generator-fp16');
    const gen = await openGenerator(dir, { device: 'cpu' });
    try {
      assert.match(gen.modelPath, /model_fp16\.onnx$/u);
      const prompt = gen.tokenizer.encode('Is 17 a prime number?', false);
      const got = await gen.generate(prompt, { maxNewTokens: 12, watchIds: [0, 100] });
      assert.equal(got.ids.length, 12);
      // fp16 arithmetic drifts from the float64 reference, so compare teacher-forced on the model's own ids.
      const seq = [...prompt, ...got.ids];
      const hidden = referenceHidden(weights, seq);
      got.ids.forEach((id, j) => {
        const logits = lmLogitsAll(weights, hidden[prompt.length - 1 + j] ?? new Float64Array(weights.spec.hidden));
        const [lp = Number.NaN, w0 = Number.NaN, w1 = Number.NaN] = logSoftmaxAt(logits, [id, 0, 100]);
        assertClose([got.logprobs[j] ?? Number.NaN, ...(got.watched[j] ?? [])], [lp, w0, w1], 0.1, `fp16 position ${j}`);
      });
    } finally {
      await gen.dispose();
    }
  });
});
