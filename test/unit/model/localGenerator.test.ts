// The local TextGenerator: the decoder in a worker thread behind the judges' interface. Checked against
// the in-thread decoder and the folder's own tokenizer: the rendered prompt, token texts and streamed
// deltas that concatenate to the text, verdict alternatives, stop strings, EOS, cancellation, queueing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GenerationRequest, GenerationResult } from '../../../src/core/judges/generation.js';
import { openGenerator, type TokenGenerator } from '../../../src/model/generator.js';
import { IncrementalDecoder, ReplyBuilder } from '../../../src/model/generatorWorker.js';
import { openLocalGenerator, type LocalTextGenerator } from '../../../src/model/localGenerator.js';
import { ModelError } from '../../../src/model/modelError.js';
import { editedFolders, folderTokenizer, testModel } from './modelTestKit.js';

const edited = editedFolders();

/** Generates with streaming; returns the result and the deltas. */
async function streamed(g: LocalTextGenerator, request: GenerationRequest, signal?: AbortSignal, onTokens?: (n: number) => void): Promise<{ r: GenerationResult; deltas: string[] }> {
  const deltas: string[] = [];
  const r = await g.generate(request, {
    ...(signal !== undefined ? { signal } : {}),
    onProgress: (p) => {
      deltas.push(p.delta);
      onTokens?.(p.tokens);
    },
  });
  return { r, deltas };
}

/** The invariants of every reply: token texts and deltas concatenate to the text; no delta holds U+FFFD. */
function assertAssembled(r: GenerationResult, deltas: readonly string[] | undefined, what: string): void {
  assert.equal((r.tokens ?? []).map((t) => t.text).join(''), r.text, `${what}: token texts concatenate to the text`);
  if (deltas !== undefined) {
    assert.equal(deltas.join(''), r.text, `${what}: deltas concatenate to the text`);
    assert.ok(deltas.every((d) => !d.includes('\uFFFD') && d !== ''), `${what}: deltas are non-empty and never hold U+FFFD`);
  }
}

describe('incremental decoding and reply assembly', () => {
  const tok = folderTokenizer(testModel('tiny-generator').dir);

  it('never emits half a character: byte-level pieces of one character are carried to the token that completes it', () => {
    const text = 'Olá 🙂 世界 𝔘𝔫𝔦 👩‍💻 done';
    const ids = tok.encode(text, false);
    const d = new IncrementalDecoder((x) => tok.decode(x));
    const pieces = ids.map((id) => d.push(id));
    assert.equal(pieces.join(''), text);
    assert.ok(pieces.some((p) => p === ''), 'some tokens hold only part of a character');
    assert.ok(pieces.every((p) => !p.includes('\uFFFD')));
    // With prompt context, the first token decodes as a continuation.
    const ctx = new IncrementalDecoder((x) => tok.decode(x), tok.encode('Hello', false));
    assert.equal(ctx.push(tok.encode(' world', false)[0] ?? -1), ' world');
  });

  it('cuts at the earliest stop string, holds back what could become one, and keeps token texts aligned', () => {
    const words = ['The', ' answer', ' is', ' ST', 'OP', ' now'];
    const decoder = new IncrementalDecoder((ids) => ids.map((i) => words[i] ?? '').join(''));
    const reply = new ReplyBuilder(decoder, ['STOP', 'answer is X'], [{ id: 9, token: 'Yes' }]);
    const deltas: string[] = [];
    let stopped = false;
    for (let i = 0; i < words.length && !stopped; i++) {
      stopped = reply.add({ index: i, id: i, logprob: -i, watched: [-0.5] });
      deltas.push(reply.takeDelta());
    }
    assert.ok(stopped);
    const final = reply.finish();
    deltas.push(final.delta);
    assert.equal(final.text, 'The answer is ');
    // 'answer is X' is 11 characters: the last 10 are held back until they cannot start it; the cut releases the rest.
    assert.deepEqual(deltas, ['', '', 'The', ' an', 'swer is ', '']);
    assert.deepEqual(
      final.tokens.map((t) => t.text),
      ['The', ' answer', ' is', ' '],
    );
    assert.deepEqual(final.tokens[0]?.top, [{ token: 'Yes', logprob: -0.5 }]);
    assert.equal(reply.stopped, true);
  });
});

describe('local TextGenerator (worker thread)', () => {
  const { dir } = testModel('tiny-generator');
  const tok = folderTokenizer(dir);
  let local: LocalTextGenerator;
  let inThread: TokenGenerator;
  const messages = [
    { role: 'system', content: 'You are a careful grader.' },
    { role: 'user', content: 'Is 17 a prime number? Answer Yes or No. 🙂' },
  ] as const;
  const request: GenerationRequest = { messages, assistantPrefix: "\nLet's verify step by step:", maxTokens: 40, verdictWords: ['Yes', ' No'] };
  let full: { r: GenerationResult; deltas: string[] };

  before(async () => {
    local = await openLocalGenerator(dir, { device: 'cpu' });
    inThread = await openGenerator(dir, { device: 'cpu' });
    full = await streamed(local, request);
  });
  after(async () => {
    await local.dispose();
    await inThread.dispose();
  });

  it('renders the chat template with the generation prompt as HfTokenizer does, then the prefix, without added specials', async () => {
    assert.equal(local.hasLogprobs, true);
    assert.match(local.id, /^onnx:[0-9a-f]{20}$/u);
    assert.equal(local.device, 'cpu');
    assert.equal(local.format, 'optimum');
    assert.deepEqual(local.eosIds, [151645]);
    const p = await local.preparePrompt(request);
    const expected = tok.renderChat(messages, true) + "\nLet's verify step by step:";
    assert.equal(p.text, expected);
    assert.deepEqual(p.ids, tok.encode(expected, false));
    // Each verdict word's first token with and without a leading space (" No" given with its space).
    assert.deepEqual(
      p.watch.map((w) => w.token),
      ['Yes', ' Yes', 'No', ' No'],
    );
    assert.deepEqual(
      p.watch.map((w) => w.id),
      ['Yes', ' Yes', 'No', ' No'].map((s) => tok.encode(s, false)[0]),
    );
  });

  it('equals the in-thread decoder: same tokens, logprobs and verdict alternatives; texts and deltas concatenate to the text', async () => {
    const { r, deltas } = full;
    const p = await local.preparePrompt(request);
    const g = await inThread.generate(p.ids, { maxNewTokens: 40, stopIds: inThread.eosIds, watchIds: p.watch.map((w) => w.id) });
    assert.equal(r.finish, 'length', 'the tiny model never emits EOS: it ends at maxTokens');
    assert.equal(r.completionTokens, 40);
    assert.equal(r.promptTokens, p.ids.length);
    assert.equal(r.model, local.id);
    assert.equal(r.device, 'cpu');
    assert.equal(r.tokens?.length, 40);
    assert.deepEqual(
      r.tokens?.map((t) => t.logprob),
      g.logprobs,
    );
    r.tokens?.forEach((t, i) =>
      assert.deepEqual(
        t.top,
        p.watch.map((w, j) => ({ token: w.token, logprob: g.watched[i]?.[j] })),
      ),
    );
    assertAssembled(r, deltas, 'greedy');
    assert.equal(r.text, tok.decode(g.ids).replace(/\uFFFD+$/u, ''));
    assert.ok(deltas.length > 5, 'streamed in pieces');
  });

  it('ends before the earliest stop string, with finish stop', async () => {
    const text = full.r.text;
    const at = Math.floor(text.length / 2);
    const stop = text.slice(at, at + 4);
    const first = text.indexOf(stop);
    const { r, deltas } = await streamed(local, { ...request, stop: ['never appears', stop] });
    assert.equal(r.finish, 'stop');
    assert.equal(r.text, text.slice(0, first));
    assert.ok((r.completionTokens ?? 0) < 40);
    assertAssembled(r, deltas, 'stop string');
    assert.ok(!deltas.join('').includes(stop));
    // Stop strings are found across token boundaries too: a one-character stop cuts at its first occurrence.
    const ch = text.trim()[0] ?? '';
    const one = await local.generate({ ...request, stop: [ch] });
    assert.equal(one.text, text.slice(0, text.indexOf(ch)));
  });

  it('ends at an EOS id from generation_config.json without its text, finish stop', async () => {
    const p = await local.preparePrompt(request);
    const g = await inThread.generate(p.ids, { maxNewTokens: 40 });
    const k = g.ids.findIndex((id, j) => j >= 5 && g.ids.indexOf(id) === j);
    const eosDir = edited(dir, { 'generation_config.json': JSON.stringify({ eos_token_id: [g.ids[k], 151645] }) });
    const withEos = await openLocalGenerator(eosDir, { device: 'cpu' });
    try {
      assert.deepEqual(withEos.eosIds, [g.ids[k], 151645]);
      assert.notEqual(withEos.id, local.id, 'generation_config.json is part of the fingerprint');
      const { r, deltas } = await streamed(withEos, request);
      assert.equal(r.finish, 'stop');
      assert.equal(r.completionTokens, k + 1);
      assert.equal(r.tokens?.length, k);
      assert.equal(r.text, (full.r.tokens ?? []).slice(0, k).map((t) => t.text).join(''));
      assertAssembled(r, deltas, 'eos');
    } finally {
      await withEos.dispose();
    }
  });

  it('returns what it has with finish cancelled when the signal aborts', async () => {
    const ac = new AbortController();
    const { r, deltas } = await streamed(local, { ...request, maxTokens: 1500 }, ac.signal, (n) => {
      if (n >= 5) ac.abort();
    });
    assert.equal(r.finish, 'cancelled');
    assert.ok((r.completionTokens ?? 0) >= 5 && (r.completionTokens ?? 0) < 1500, `${r.completionTokens} tokens`);
    assertAssembled(r, deltas, 'cancelled');
    const same = await local.generate({ ...request, maxTokens: r.completionTokens ?? 0 });
    assert.equal(r.text, same.text);
    assert.deepEqual(r.tokens, same.tokens);

    const pre = new AbortController();
    pre.abort();
    const none = await local.generate(request, { signal: pre.signal });
    assert.deepEqual({ text: none.text, finish: none.finish, completionTokens: none.completionTokens, tokens: none.tokens }, { text: '', finish: 'cancelled', completionTokens: 0, tokens: [] });
  });

  it('runs concurrent calls one after another, with the results of sequential calls (sampling included)', async () => {
    const requests: GenerationRequest[] = [
      { ...request, maxTokens: 20 },
      { messages: [{ role: 'user', content: 'Compare A and B.' }], maxTokens: 25, temperature: 0.9, topP: 0.95, seed: 3, verdictWords: ['A', 'B'] },
      { messages: [{ role: 'user', content: 'Say something.' }], maxTokens: 30, stop: ['e'] },
    ];
    const sequential: GenerationResult[] = [];
    for (const q of requests) sequential.push(await local.generate(q));
    const concurrent = await Promise.all(requests.map((q) => local.generate(q)));
    assert.deepEqual(concurrent, sequential);
    // A seeded sample is the in-thread decoder's sample for that seed.
    const p = await local.preparePrompt(requests[1] ?? request);
    const g = await inThread.generate(p.ids, { maxNewTokens: 25, temperature: 0.9, topP: 0.95, seed: 3 });
    assert.deepEqual(
      sequential[1]?.tokens?.map((t) => t.logprob),
      g.logprobs,
    );
    assert.notDeepEqual((await local.generate({ ...(requests[1] ?? request), seed: 4 })).text, sequential[1]?.text);
  });

  it('keeps a BOS the template renders once, and reads chat_template.jinja', async () => {
    const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    config['bos_token'] = '<|endoftext|>';
    const bosDir = edited(dir, {
      'tokenizer_config.json': JSON.stringify(config),
      'chat_template.jinja': "{{ bos_token }}{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}",
    });
    const g = await openLocalGenerator(bosDir, { device: 'cpu' });
    try {
      const p = await g.preparePrompt({ messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(p.text, '<|endoftext|><|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
      assert.equal(p.ids[0], 151643);
      assert.notEqual(p.ids[1], 151643);
      assert.equal(p.ids.filter((id) => id === 151643).length, 1);
    } finally {
      await g.dispose();
    }
  });
});

describe('openLocalGenerator errors', () => {
  it('names the ONNX file and the export fix for a graph without a KV cache', async () => {
    await assert.rejects(openLocalGenerator(testModel('math-shepherd').dir, { device: 'cpu' }), (e: unknown) => {
      assert.ok(e instanceof ModelError);
      assert.match(e.file, /onnx[\\/]model\.onnx$/u);
      assert.match(e.message, /no past_key_values\.\* inputs/u);
      assert.match(e.fix ?? '', /text-generation-with-past/u);
      return true;
    });
  });

  it('names tokenizer_config.json when the folder has no chat template', async () => {
    const { dir } = testModel('tiny-generator');
    const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    delete config['chat_template'];
    const noTemplate = edited(dir, { 'tokenizer_config.json': JSON.stringify(config) });
    await assert.rejects(openLocalGenerator(noTemplate, { device: 'cpu' }), (e: unknown) => {
      assert.ok(e instanceof ModelError);
      assert.match(e.file, /tokenizer_config\.json$/u);
      assert.equal(e.field, 'chat_template');
      assert.match(e.fix ?? '', /chat_template/u);
      return true;
    });
  });

  it('serves a genai model-builder folder like an optimum one', async () => {
    const g = await openLocalGenerator(testModel('tiny-generator-genai').dir, { device: 'cpu' });
    const plain = await openLocalGenerator(testModel('tiny-generator').dir, { device: 'cpu' });
    try {
      assert.equal(g.format, 'genai');
      const q: GenerationRequest = { messages: [{ role: 'user', content: 'Hello' }], maxTokens: 12, verdictWords: ['Yes'] };
      const [a, b] = await Promise.all([g.generate(q), plain.generate(q)]);
      assert.equal(a.text, b.text);
      assert.notEqual(a.model, b.model);
    } finally {
      await g.dispose();
      await plain.dispose();
    }
  });
});
