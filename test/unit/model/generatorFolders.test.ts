// What the decoder reads from a folder: onnxruntime-genai model-builder folders (genai_config.json names,
// sizes, EOS ids; GroupQueryAttention fed a growing past), EOS ids from generation_config.json, and the
// errors that name the file and the fix.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TinyWeights } from '../../../scripts/genModels.js';
import { openGenerator, type TokenGenerator } from '../../../src/model/generator.js';
import { ModelError } from '../../../src/model/modelError.js';
import { assertClose, editedFolders, folderTokenizer, logSoftmaxAt, referenceNextLogits, testModel } from './modelTestKit.js';

/** Greedy decoding by full recomputation with the reference forward pass. */
function referenceGreedy(w: TinyWeights, prompt: readonly number[], n: number): { ids: number[]; logprobs: number[] } {
  const seq = [...prompt];
  const out = { ids: [] as number[], logprobs: [] as number[] };
  for (let i = 0; i < n; i++) {
    const logits = referenceNextLogits(w, seq);
    let best = 0;
    for (let c = 1; c < logits.length; c++) if ((logits[c] ?? -Infinity) > (logits[best] ?? -Infinity)) best = c;
    out.ids.push(best);
    out.logprobs.push(logSoftmaxAt(logits, [best])[0] ?? Number.NaN);
    seq.push(best);
  }
  return out;
}

const edited = editedFolders();

async function withGenerator<T>(dir: string, f: (g: TokenGenerator) => Promise<T>): Promise<T> {
  const g = await openGenerator(dir, { device: 'cpu' });
  try {
    return await f(g);
  } finally {
    await g.dispose();
  }
}

async function rejectsWith(p: Promise<unknown>, file: RegExp, message: RegExp, field?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ModelError, `expected a ModelError, got ${String(e)}`);
    assert.match(e.file, file);
    assert.match(e.message, message);
    if (field !== undefined) assert.equal(e.field, field);
    assert.ok((e.fix ?? '').length > 10, 'names a fix');
    return true;
  });
}

describe('onnxruntime-genai model-builder folders', () => {
  const genai = testModel('tiny-generator-genai');
  const plain = testModel('tiny-generator');
  const prompt = folderTokenizer(plain.dir).encode('The quick brown fox', false);

  it('reads names and sizes from genai_config.json; GroupQueryAttention with a growing past gives the reference tokens', async () => {
    const ref = referenceGreedy(genai.weights, prompt, 24);
    await withGenerator(genai.dir, async (g) => {
      assert.equal(g.format, 'genai');
      assert.match(g.modelPath, /tiny-generator-genai[\\/]model\.onnx$/u);
      assert.deepEqual(g.eosIds, [151645, 151643]);
      assert.equal(g.maxPositions, 2048);
      assert.equal(g.vocabSize, 151936);
      assert.ok(g.files.some((f) => f.endsWith('genai_config.json')));
      const got = await g.generate(prompt, { maxNewTokens: 24 });
      assert.deepEqual(got.ids, ref.ids);
      assertClose(got.logprobs, ref.logprobs, 1e-4, 'genai logprobs');
      // Same weights as tiny-generator (optimum names, plain attention ops): the same sampled tokens too.
      const sampled = await g.generate(prompt, { maxNewTokens: 24, temperature: 0.8, topP: 0.95, seed: 5 });
      const plainSampled = await withGenerator(plain.dir, (p) => p.generate(prompt, { maxNewTokens: 24, temperature: 0.8, topP: 0.95, seed: 5 }));
      assert.deepEqual(sampled.ids, plainSampled.ids);
    });
  });

  it('decodes the same without past_present_share_buffer, and with prompts prefilled in chunks', async () => {
    const config = JSON.parse(readFileSync(join(genai.dir, 'genai_config.json'), 'utf8')) as { search: Record<string, unknown> };
    config.search['past_present_share_buffer'] = false;
    const dir = edited(genai.dir, { 'genai_config.json': JSON.stringify(config) });
    const ref = referenceGreedy(genai.weights, prompt, 12);
    await withGenerator(dir, async (g) => assert.deepEqual((await g.generate(prompt, { maxNewTokens: 12 })).ids, ref.ids));
    const chunked = await openGenerator(genai.dir, { device: 'cpu', prefillChunk: 2 });
    try {
      assert.deepEqual((await chunked.generate(prompt, { maxNewTokens: 12 })).ids, ref.ids);
    } finally {
      await chunked.dispose();
    }
  });

  it('names genai_config.json and the field when it does not match the folder or the graph', async () => {
    const config = readFileSync(join(genai.dir, 'genai_config.json'), 'utf8');
    const missingFile = edited(genai.dir, { 'genai_config.json': config.replace('"filename": "model.onnx"', '"filename": "decoder.onnx"') });
    await rejectsWith(openGenerator(missingFile, { device: 'cpu' }), /genai_config\.json$/u, /names decoder\.onnx as the decoder, which does not exist/u, 'model.decoder.filename');
    const noLayer = edited(genai.dir, { 'genai_config.json': config.replace('"past_key.%d"', '"past_key"') });
    await rejectsWith(openGenerator(noLayer, { device: 'cpu' }), /genai_config\.json$/u, /must hold one %d/u, 'model.decoder.inputs.past_key_names');
    const wrongNames = edited(genai.dir, { 'genai_config.json': config.replace('"past_key.%d"', '"past_key_values.%d.key"') });
    await rejectsWith(openGenerator(wrongNames, { device: 'cpu' }), /model\.onnx$/u, /has no past_key_values\.0\.key input, the first cache input genai_config\.json names/u);
    const wrongLogits = edited(genai.dir, { 'genai_config.json': config.replace('"next_token_logits"', '"logits"') });
    await rejectsWith(openGenerator(wrongLogits, { device: 'cpu' }), /model\.onnx$/u, /has no logits output \(genai_config\.json names it in model\.decoder\.outputs\.logits\)/u);
    const broken = edited(genai.dir, { 'genai_config.json': '{"model": {' });
    await rejectsWith(openGenerator(broken, { device: 'cpu' }), /genai_config\.json$/u, /genai_config\.json: not valid JSON/u);
  });
});

describe('EOS ids and folder errors', () => {
  const { dir } = testModel('tiny-generator');

  it('takes EOS ids from generation_config.json (a number or a list), else config.json', async () => {
    await withGenerator(dir, async (g) => assert.deepEqual(g.eosIds, [151645]));
    const list = edited(dir, { 'generation_config.json': JSON.stringify({ bos_token_id: 151643, eos_token_id: [151645, 151643, 151645], do_sample: false }) });
    await withGenerator(list, async (g) => assert.deepEqual(g.eosIds, [151645, 151643]));
    const one = edited(dir, { 'generation_config.json': JSON.stringify({ eos_token_id: 42 }) });
    await withGenerator(one, async (g) => {
      assert.deepEqual(g.eosIds, [42]);
      assert.ok(g.files.some((f) => f.endsWith('generation_config.json')), 'generation_config.json is part of the fingerprint');
    });
    const bad = edited(dir, { 'generation_config.json': '{"eos_token_id": ' });
    await rejectsWith(openGenerator(bad, { device: 'cpu' }), /generation_config\.json$/u, /generation_config\.json: not valid JSON/u);
  });

  it('ends with stop when onToken asks, after that token', async () => {
    await withGenerator(dir, async (g) => {
      const prompt = g.tokenizer.encode('The quick brown fox', false);
      const full = await g.generate(prompt, { maxNewTokens: 10 });
      const seen: number[] = [];
      const got = await g.generate(prompt, {
        maxNewTokens: 10,
        onToken: (t) => {
          seen.push(t.index);
          assert.equal(t.id, full.ids[t.index]);
          return t.index === 3 ? 'stop' : undefined;
        },
      });
      assert.deepEqual(seen, [0, 1, 2, 3]);
      assert.deepEqual({ ids: got.ids, stop: got.stop }, { ids: full.ids.slice(0, 4), stop: 'stop' });
    });
  });

  it('refuses a folder whose external weights are missing, naming the file', async () => {
    const { dir: past } = testModel('math-shepherd-past');
    const missing = edited(past, { 'onnx/model.onnx_data': null });
    await rejectsWith(openGenerator(missing, { device: 'cpu' }), /model\.onnx_data$/u, /external data file model\.onnx_data is missing/u);
    const truncated = edited(past, { 'onnx/model.onnx_data': 'x' });
    await rejectsWith(openGenerator(truncated, { device: 'cpu' }), /model\.onnx_data$/u, /it is truncated/u);
  });

  it('recognises Git LFS pointers and a missing tokenizer (the folder readers models check uses)', async () => {
    const pointer = 'version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n';
    const { dir } = testModel('tiny-generator');
    await rejectsWith(openGenerator(edited(dir, { 'tokenizer.json': pointer }), { device: 'cpu' }), /tokenizer\.json$/u, /cannot load the tokenizer/u);
    await rejectsWith(openGenerator(edited(dir, { 'tokenizer.json': null }), { device: 'cpu' }), /tokenizer\.json$/u, /tokenizer\.json is missing/u);
    await rejectsWith(openGenerator(edited(dir, { 'onnx/model.onnx': pointer }), { device: 'cpu' }), /model\.onnx$/u, /Git LFS pointer/u);
  });
});
