// The engine's control flow with a fake runner (no onnxruntime): cancellation between batches,
// out-of-memory batch splitting, runtime failures, caching, unscorable traces, overlong traces, BiPRM.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ContractError, type ContractParams, type ResolvedContract, type TokenizerPort } from '../../../src/core/scoring/contracts/contractTypes.js';
import { resolveContract } from '../../../src/core/scoring/contracts/resolveContract.js';
import { ModelError } from '../../../src/model/modelError.js';
import type { BatchRunner, PaddedBatch } from '../../../src/model/onnxRunner.js';
import { ScoreCache } from '../../../src/model/scoreCache.js';
import { ScoringEngine, type EngineConfig } from '../../../src/model/scoringEngine.js';

/** A whitespace tokenizer: every word is one token (id = 100 + index in a growing vocabulary); `|` is id 7. */
class WordTokenizer implements TokenizerPort {
  private readonly vocab = new Map<string, number>([['|', 7]]);
  readonly bosToken = undefined;
  readonly hasChatTemplate = false;
  encode(text: string): number[] {
    return text
      .split(/(\|)|\s+/u)
      .filter((w): w is string => w !== undefined && w.length > 0)
      .map((w) => {
        let id = this.vocab.get(w);
        if (id === undefined) {
          id = 100 + this.vocab.size;
          this.vocab.set(w, id);
        }
        return id;
      });
  }
  decode(ids: readonly number[]): string {
    const byId = new Map([...this.vocab].map(([w, i]) => [i, w]));
    return ids.map((i) => byId.get(i) ?? '?').join(' ');
  }
  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }
  renderChat(): string {
    throw new ContractError('this tokenizer has no chat template', 'chat_template');
  }
}

/**
 * A runner whose class-1 logit at position p is `(id at p) / 1000 + p / 100` and class-0 logit 0, so the
 * score read at a separator (id 7) at position p is sigmoid(0.007 + p / 100). It records batches and can
 * fail on demand.
 */
class FakeRunner implements BatchRunner {
  readonly device = 'cpu' as const;
  readonly attempts = [{ device: 'cpu' as const, ok: true }];
  batches: PaddedBatch[] = [];
  failWhen: ((b: PaddedBatch) => string | undefined) | undefined;
  async run(batch: PaddedBatch): Promise<{ values: Float32Array; width: number }> {
    const failure = this.failWhen?.(batch);
    if (failure !== undefined) throw new Error(failure);
    this.batches.push(batch);
    const n = batch.picks.length / 2;
    const values = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const row = batch.picks[2 * i] ?? 0;
      const pos = batch.picks[2 * i + 1] ?? 0;
      values[2 * i + 1] = (batch.ids[row * batch.width + pos] ?? 0) / 1000 + pos / 100;
    }
    return { values, width: 2 };
  }
  async dispose(): Promise<void> {}
}

const tok = new WordTokenizer();
const params: ContractParams = { kind: 'piece-separator', separator: '|', layout: 'training', labelIndex: 1 };
const contract: ResolvedContract = resolveContract('trl-prm', params, tok);

function engine(runner: FakeRunner, over: Partial<EngineConfig> = {}): ScoringEngine {
  return new ScoringEngine({
    contract,
    tokenizer: tok,
    openRunner: async () => runner,
    cache: new ScoreCache('test', undefined),
    maxTokens: 1000,
    limits: { maxBatchTokens: 12, maxBatchSize: 64, maxPaddingFraction: 0.5 },
    padId: 0,
    canBatch: true,
    bidirectional: false,
    modelFile: '/m/model.onnx',
    ...over,
  });
}

/** The expected score of a separator read at position `pos` (float32 logits, as the runner returns). */
const at = (pos: number): number => 1 / (1 + Math.exp(-Math.fround(7 / 1000 + pos / 100)));

const root = mkdtempSync(join(tmpdir(), 'reward-lens-engine-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('scoring engine (fake runner)', () => {
  it('reads each step at its separator and returns results in request order', async () => {
    const r = new FakeRunner();
    const out = await engine(r).score([
      { prompt: 'p one', steps: ['a b', 'c'] },
      { prompt: 'p two words here', steps: ['d'] },
    ]);
    // "p one | a b | c |" without a separator after the prompt (training layout): reads at 4 and 6;
    // "p two words here d |": read at 5.
    assert.deepEqual(
      out.map((x) => x.steps.map((s) => s.score)),
      [[at(4), at(6)], [at(5)]],
    );
    assert.equal(out[0]?.device, 'cpu');
    // prompt "p one" = 2 tokens + "a b |" + "c |" = 7 tokens
    assert.equal(out[0]?.tokens, 7);
  });

  it('stops between batches when cancelled, keeping finished batches cached', async () => {
    const r = new FakeRunner();
    const e = engine(r, { limits: { maxBatchTokens: 1, maxBatchSize: 1, maxPaddingFraction: 0 } });
    const requests = Array.from({ length: 6 }, (_, i) => ({ prompt: `q${i}`, steps: [`s${i}`] }));
    let calls = 0;
    await assert.rejects(
      e.score(requests, () => ++calls > 2),
      (err: Error) => err.name === 'AbortError',
    );
    assert.equal(r.batches.length, 2, 'two batches ran before the stop');
    await e.score(requests);
    assert.equal(e.lastStats.cached, 2);
    assert.equal(e.lastStats.computed, 4);
  });

  it('halves a batch that runs out of memory, and reports a single sequence that does', async () => {
    const r = new FakeRunner();
    r.failWhen = (b) => (b.rows > 1 ? 'Failed to allocate memory for requested buffer of size 123' : undefined);
    const e = engine(r, { limits: { maxBatchTokens: 1000, maxBatchSize: 64, maxPaddingFraction: 1 } });
    const out = await e.score([
      { prompt: 'a', steps: ['x'] },
      { prompt: 'b c', steps: ['y'] },
      { prompt: 'd e f', steps: ['z'] },
    ]);
    assert.equal(out.length, 3);
    assert.ok(r.batches.every((b) => b.rows === 1));
    r.failWhen = () => 'Failed to allocate memory';
    await assert.rejects(e.score([{ prompt: 'new', steps: ['one'] }]), (err: unknown) => err instanceof ModelError && err.file === '/m/model.onnx' && /Lower maxTokens/u.test(err.fix ?? ''));
  });

  it('turns a runtime failure into a ModelError naming the model file', async () => {
    const r = new FakeRunner();
    r.failWhen = () => 'Non-zero status code returned while running Gather node';
    await assert.rejects(engine(r).score([{ prompt: 'a', steps: ['b'] }]), (err: unknown) => err instanceof ModelError && /failed while running on cpu: Non-zero status/u.test(err.message));
  });

  it('never recomputes an unchanged trace (memory and disk cache); a changed step recomputes only its trace', async () => {
    const r = new FakeRunner();
    const dir = join(root, 'cache');
    const traces = [
      { prompt: 'p', steps: ['one', 'two'] },
      { prompt: 'q', steps: ['three'] },
    ];
    const e1 = engine(r, { cache: new ScoreCache('fp1', dir) });
    await e1.score(traces);
    assert.equal(e1.lastStats.computed, 2);
    await e1.score(traces);
    assert.equal(e1.lastStats.computed, 0);
    assert.equal(e1.lastStats.cached, 2);
    const e2 = engine(r, { cache: new ScoreCache('fp1', dir) });
    const again = await e2.score([traces[0] ?? { prompt: '', steps: [] }, { prompt: 'q', steps: ['three!'] }]);
    assert.equal(e2.lastStats.cached, 1, 'the unchanged trace came from disk');
    assert.equal(e2.lastStats.computed, 1);
    assert.equal(again[0]?.device, 'cpu', 'cached results carry the device that computed them');
    // A different fingerprint namespace shares nothing.
    const e3 = engine(r, { cache: new ScoreCache('fp2', dir) });
    await e3.score(traces);
    assert.equal(e3.lastStats.computed, 2);
  });

  it('gives NaN scores with a critique for a trace the contract cannot encode, and [] for no steps', async () => {
    const r = new FakeRunner();
    const chatParams: ContractParams = { kind: 'chat-separator', separator: '|', systemPrompt: null, labelIndex: 1 };
    const chat: ResolvedContract = { preset: 'qwen2.5-math-prm', params: chatParams, output: 'token-classification', markerId: 7, specialsBefore: [], specialsAfter: [] };
    const out = await engine(r, { contract: chat }).score([{ prompt: 'p', steps: ['a', 'b'] }]);
    assert.equal(out[0]?.steps.length, 2);
    assert.ok(out[0]?.steps.every((s) => Number.isNaN(s.score) && /^Not scored: this tokenizer has no chat template$/u.test(s.critique ?? '')), JSON.stringify(out));
    const none = await engine(r).score([{ prompt: 'p', steps: [] }]);
    assert.deepEqual(none[0]?.steps, []);
  });

  it('windows an overlong trace, scoring every step once, with a warning', async () => {
    const r = new FakeRunner();
    // prompt 2 tokens; each step 2 tokens + separator = 3 → 5 steps need 17 tokens; limit 9 → windows of 2 steps.
    const steps = ['s1 x', 's2 x', 's3 x', 's4 x', 's5 x'];
    const out = await engine(r, { maxTokens: 9 }).score([{ prompt: 'the prompt', steps }]);
    assert.equal(out[0]?.steps.length, 5);
    // Each window is "the prompt" + up to two steps of "sN x |": reads at 4 and 7.
    assert.deepEqual(
      out[0]?.steps.map((s) => s.score),
      [at(4), at(7), at(4), at(7), at(4)],
    );
    const w = out[0]?.warnings?.join(' ') ?? '';
    assert.match(w, /17 tokens, over the 9-token limit: scored in 3 windows; steps 3–4, 5–5 were scored without the steps before them/u);
  });

  it('BiPRM: scores the reversed trace too and combines by mean', async () => {
    const r = new FakeRunner();
    const e = engine(r, { bidirectional: true });
    const out = await e.score([{ prompt: 'p', steps: ['a', 'b', 'c'] }]);
    const res = out[0];
    assert.ok(res?.bidirectional);
    // Forward "p a | b | c |" reads at 2, 4, 6; the reversed trace puts c first, so a is read at 6.
    assert.deepEqual(res.bidirectional.forward, [at(2), at(4), at(6)]);
    assert.deepEqual(res.bidirectional.backward, [at(6), at(4), at(2)]);
    assert.deepEqual(
      res.steps.map((s) => s.score),
      [(at(2) + at(6)) / 2, at(4), (at(6) + at(2)) / 2],
    );
    assert.equal(e.lastStats.sequences, 2, 'forward and reversed inputs');
  });
});
