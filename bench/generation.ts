// Generation throughput on a generated causal LM with a KV cache (4 layers, hidden 256, 32k vocabulary):
// a 64-token prompt and 256 new greedy tokens, three ways on the same model and device:
// - cached: the engine's decoder (openGenerator: prefill, then one token per run with the cache fed back);
// - recompute: the same graph without a cache, the whole sequence run again for every new token (what a
//   folder exported without past_key_values costs);
// - raw loop: a plain session.run KV-cache loop written here (argmax only, no log-probabilities).
// Rates count new tokens per second, prompt prefill included. The engine and the raw loop run on warmed
// sessions, interleaved over rounds, best round each (shared machines are noisy); all three must produce
// the same tokens. Ratios come from the same run.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { BENCH_GENERATOR_FOLDER, defaultModelsRoot, mulberry32, writeModelFolder } from '../scripts/genModels.js';
import { openGenerator, type TokenGenerator } from '../src/model/generator.js';

const PROMPT_TOKENS = 64;
const NEW_TOKENS = 256;
const ROUNDS = 3;

function int64(values: readonly number[], dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

function argmaxLast(logits: ort.Tensor): number {
  const data = logits.data as Float32Array;
  const V = logits.dims[logits.dims.length - 1] ?? 0;
  const base = data.length - V;
  let best = 0;
  for (let c = 1; c < V; c++) if ((data[base + c] ?? -Infinity) > (data[base + best] ?? -Infinity)) best = c;
  return best;
}

/** Feeds for `tokens` after `pastLen` cached positions, the cache given as `past` (name → tensor). */
function feedsFor(tokens: readonly number[], pastLen: number, past: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
  const S = tokens.length;
  return {
    input_ids: int64(tokens, [1, S]),
    attention_mask: int64(new Array<number>(pastLen + S).fill(1), [1, pastLen + S]),
    position_ids: int64(
      Array.from({ length: S }, (_, i) => pastLen + i),
      [1, S],
    ),
    ...past,
  };
}

/** Empty `[1, heads, 0, dim]` caches from the session's input metadata. */
function emptyPast(session: ort.InferenceSession): Record<string, ort.Tensor> {
  const past: Record<string, ort.Tensor> = {};
  for (const m of session.inputMetadata) {
    if (!m.name.startsWith('past_key_values.') || !m.isTensor) continue;
    const dims = [1, typeof m.shape[1] === 'number' ? m.shape[1] : 1, 0, typeof m.shape[3] === 'number' ? m.shape[3] : 0];
    past[m.name] = new ort.Tensor('float32', new Float32Array(0), dims);
  }
  return past;
}

/** The plain KV-cache loop: prefill, then one token per run, present.* fed back as past_key_values.*. */
async function rawLoop(session: ort.InferenceSession, prompt: readonly number[], n: number): Promise<number[]> {
  const ids: number[] = [];
  let past = emptyPast(session);
  let pastLen = 0;
  let tokens = [...prompt];
  while (ids.length < n) {
    const out = await session.run(feedsFor(tokens, pastLen, past));
    const logits = out['logits'];
    if (logits === undefined) throw new Error('no logits');
    const next = argmaxLast(logits);
    ids.push(next);
    pastLen += tokens.length;
    tokens = [next];
    past = {};
    for (const [name, t] of Object.entries(out)) if (name.startsWith('present.')) past[name.replace('present.', 'past_key_values.')] = t;
  }
  return ids;
}

/** No cache: every new token runs the whole sequence so far (empty past each time). */
async function recompute(session: ort.InferenceSession, prompt: readonly number[], n: number): Promise<number[]> {
  const seq = [...prompt];
  const ids: number[] = [];
  while (ids.length < n) {
    const out = await session.run(feedsFor(seq, 0, emptyPast(session)), ['logits']);
    const logits = out['logits'];
    if (logits === undefined) throw new Error('no logits');
    const next = argmaxLast(logits);
    ids.push(next);
    seq.push(next);
  }
  return ids;
}

async function timed<T>(f: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await f();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, value };
}

/** The `generation` section of `npm run bench --silent -- --json`. */
export async function benchGeneration(): Promise<{ cached_tokens_per_s: number; recompute_tokens_per_s: number; speedup_vs_recompute: number; raw_loop_tokens_per_s: number; engine_vs_raw: number }> {
  const dir = join(defaultModelsRoot(), 'bench-generator');
  writeModelFolder(dir, BENCH_GENERATOR_FOLDER);
  const r = mulberry32(5);
  const vocab = BENCH_GENERATOR_FOLDER.model.vocabSize;
  const prompt = Array.from({ length: PROMPT_TOKENS }, () => Math.floor(r() * vocab));

  const gen: TokenGenerator = await openGenerator(dir);
  const device = gen.device;
  const session = await ort.InferenceSession.create(gen.modelPath, { executionProviders: [device === 'cuda' ? { name: 'cuda', deviceId: 0 } : device], graphOptimizationLevel: 'all', logSeverityLevel: 4 });
  try {
    // Warm-up: session arenas and first-run allocations stay out of timing.
    await gen.generate(prompt, { maxNewTokens: 16 });
    await rawLoop(session, prompt, 16);

    let engineBest = Infinity;
    let rawBest = Infinity;
    let engineIds: number[] = [];
    let rawIds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const e = await timed(() => gen.generate(prompt, { maxNewTokens: NEW_TOKENS }));
      engineBest = Math.min(engineBest, e.seconds);
      engineIds = e.value.ids;
      const w = await timed(() => rawLoop(session, prompt, NEW_TOKENS));
      rawBest = Math.min(rawBest, w.seconds);
      rawIds = w.value;
    }
    const slow = await timed(() => recompute(session, prompt, NEW_TOKENS));
    if (engineIds.length !== NEW_TOKENS || engineIds.join() !== rawIds.join() || rawIds.join() !== slow.value.join()) {
      throw new Error('the engine, the raw loop and recomputation disagree on the generated tokens');
    }
    const cached = NEW_TOKENS / engineBest;
    const raw = NEW_TOKENS / rawBest;
    const recomputed = NEW_TOKENS / slow.seconds;
    const round2 = (x: number): number => Math.round(x * 100) / 100;
    return {
      cached_tokens_per_s: round2(cached),
      recompute_tokens_per_s: round2(recomputed),
      speedup_vs_recompute: round2(cached / recomputed),
      raw_loop_tokens_per_s: round2(raw),
      engine_vs_raw: round2(cached / raw),
    };
  } finally {
    await gen.dispose();
    await session.release();
  }
}
