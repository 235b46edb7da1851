// Scoring throughput on a generated token-classification PRM (4 layers, hidden 256, Qwen vocabulary)
// over 220 generated traces of varied length, three ways on the same model and device:
// - engine: loadModelScorer() end to end (worker thread, tokenising, batching, one pass per trace);
// - raw runtime: plain session.run over the engine's batches, pre-tokenised and pre-built;
// - prefix: one forward pass per step prefix (`sep.join([prompt, *steps[:k]]) + sep`, last token), the
//   method of TRL's docs and ProcessBench's TRL script, pre-tokenised and length-bucketed like ours.
// Token rates count the traces' own tokens, so the three are comparable: a rate is trace tokens scored
// per second of that method. All run on warmed sessions, interleaved over five rounds (shared machines
// are noisy); see the comments below for how rounds combine. `engine_run_share` is the share of the
// engine's own call spent inside session.run.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { BENCH_FOLDER, defaultModelsRoot, mulberry32, writeModelFolder } from '../scripts/genModels.js';
import { planBatches } from '../src/core/scoring/contracts/planBatches.js';
import { softmaxAt } from '../src/core/scoring/contracts/readScores.js';
import { buildEngine } from '../src/model/buildEngine.js';
import { inspectModelFolder } from '../src/model/checkModel.js';
import { loadModelScorer } from '../src/model/loadScorer.js';
import { padBatch } from '../src/model/scoringEngine.js';

const TRACES = 220;
const REPEATS = 5;
const SEPARATOR = '\n'; // BENCH_FOLDER's reward-lens.json

const WORDS = 'the number of apples in each box is equal to we add multiply divide subtract so total remaining half twice sum product value from both sides gives then check answer'.split(' ');
const OPENERS = ['We', 'Then', 'Next', 'So', 'Now', 'Therefore', 'First', 'Finally', 'Thus', 'Hence'];

/** Generated math-like traces: 2–12 steps of 3–14 words, prompts of 6–22 words. */
export function generateTraces(n: number, seed = 7): { prompt: string; steps: string[] }[] {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const words = (k: number): string =>
    Array.from({ length: k }, () => (r() < 0.15 ? `${int(2, 99)} ${['+', '-', '*', '='][int(0, 3)] ?? '+'} ${int(2, 99)}` : (WORDS[int(0, WORDS.length - 1)] ?? 'x'))).join(' ');
  return Array.from({ length: n }, (_, i) => ({
    prompt: `Problem ${i + 1}: ${words(int(6, 22))}?`,
    steps: Array.from({ length: int(2, 12) }, () => `${OPENERS[int(0, OPENERS.length - 1)] ?? 'We'} ${words(int(3, 14))}.`),
  }));
}

function tensors(batch: { rows: number; width: number; ids: Int32Array; lengths: Int32Array }): Record<string, ort.Tensor> {
  const mask = new BigInt64Array(batch.rows * batch.width);
  for (let r = 0; r < batch.rows; r++) for (let s = 0; s < (batch.lengths[r] ?? 0); s++) mask[r * batch.width + s] = 1n;
  return {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(batch.ids, (v) => BigInt(v)), [batch.rows, batch.width]),
    attention_mask: new ort.Tensor('int64', mask, [batch.rows, batch.width]),
  };
}

async function timeRuns(session: ort.InferenceSession, feeds: readonly Record<string, ort.Tensor>[]): Promise<{ seconds: number; outputs: Float32Array[] }> {
  const outputs: Float32Array[] = [];
  const t0 = process.hrtime.bigint();
  for (const f of feeds) {
    const out = await session.run(f, ['logits']);
    outputs.push(out['logits']?.data as Float32Array);
  }
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, outputs };
}

/** The `scoring` section of `npm run bench --silent -- --json`. */
export async function benchScoring(): Promise<Record<string, number | string>> {
  const dir = join(defaultModelsRoot(), 'bench-trl-prm');
  writeModelFolder(dir, BENCH_FOLDER);
  const traces = generateTraces(TRACES);
  const steps = traces.reduce((s, t) => s + t.steps.length, 0);

  const { model } = inspectModelFolder(dir);
  if (model === undefined) throw new Error('bench model folder failed its check');
  const { engine, limits } = buildEngine(model);
  const batchesOf = (list: typeof traces): ReturnType<typeof engine.batchesFor> => engine.batchesFor(engine.plan(list).units);
  const batches = batchesOf(traces);
  // Warm-up on other traces: session creation (lazy) and the runtime's memory arena stay out of timing.
  const warm = generateTraces(60, 99);
  const scorer = await loadModelScorer({ dir, noCache: true });
  await scorer.score(warm);
  const device = scorer.deviceInfo().device ?? 'cpu';
  const session = await ort.InferenceSession.create(model.onnxPath, { executionProviders: [device === 'cuda' ? { name: 'cuda', deviceId: 0 } : device], graphOptimizationLevel: 'all', logSeverityLevel: 4 });
  await timeRuns(
    session,
    batchesOf(warm).map((b) => tensors(b.batch)),
  );
  // Prefix method: one sequence per step prefix, read at its last token; batched like the engine's.
  const tok = model.tokenizer;
  const prefixes: number[][] = [];
  for (const t of traces) {
    let text = t.prompt + SEPARATOR;
    for (const st of t.steps) {
      text += st + SEPARATOR;
      prefixes.push(tok.encode(text, true));
    }
  }
  const lengths = prefixes.map((p) => p.length);
  const prefixBatches = planBatches(lengths, limits).map((idx) => ({ idx, batch: padBatch(idx.map((i) => ({ ids: prefixes[i] ?? [], reads: [] })), 0, false) }));
  const prefixFeeds = prefixBatches.map((b) => tensors(b.batch));
  const prefixOutputs: Float32Array[] = [];

  // The machine may be busy, so the three are interleaved: each round runs the engine, the raw runtime
  // and every REPEATS-th prefix batch. Throughputs use each method's best round; the prefix method's time
  // is the sum of its parts, compared with the engine's mean round (both then under the same average load).
  const engineRounds: number[] = [];
  const rawRounds: number[] = [];
  let prefixSeconds = 0;
  let results: Awaited<ReturnType<typeof scorer.score>> = [];
  let stats: ReturnType<typeof scorer.lastStats>;
  const feeds = batches.map((b) => tensors(b.batch));
  for (let rep = 0; rep < REPEATS; rep++) {
    const e0 = process.hrtime.bigint();
    results = await scorer.score(traces);
    const seconds = Number(process.hrtime.bigint() - e0) / 1e9;
    if (engineRounds.every((x) => seconds < x)) stats = scorer.lastStats();
    engineRounds.push(seconds);
    rawRounds.push((await timeRuns(session, feeds)).seconds);
    const part = prefixFeeds.flatMap((f, k) => (k % REPEATS === rep ? [{ f, k }] : []));
    const timed = await timeRuns(
      session,
      part.map((x) => x.f),
    );
    prefixSeconds += timed.seconds;
    part.forEach((x, j) => {
      const out = timed.outputs[j];
      if (out !== undefined) prefixOutputs[x.k] = out;
    });
  }
  await scorer.dispose();
  await session.release();
  if (stats === undefined) throw new Error('no engine stats');
  const tokens = stats.tokens;
  const engineSeconds = Math.min(...engineRounds);
  const rawSeconds = Math.min(...rawRounds);
  const engineMean = engineRounds.reduce((a, b) => a + b, 0) / engineRounds.length;
  const ratios = rawRounds.map((r, i) => r / (engineRounds[i] ?? Number.NaN)).sort((a, b) => a - b);
  const prefix = { outputs: prefixOutputs };

  // The two methods agree (causal model, same token prefixes): largest score difference.
  const prefixScores = new Float64Array(prefixes.length);
  prefixBatches.forEach((b, k) => {
    const out = prefix.outputs[k];
    if (out === undefined) return;
    b.idx.forEach((i, row) => {
      const pos = (lengths[i] ?? 1) - 1;
      const at = (row * b.batch.width + pos) * 2;
      prefixScores[i] = softmaxAt([out[at] ?? 0, out[at + 1] ?? 0], 1);
    });
  });
  const engineScores = results.flatMap((r) => r.steps.map((s) => s.score));
  let maxDiff = 0;
  engineScores.forEach((s, i) => {
    maxDiff = Math.max(maxDiff, Math.abs(s - (prefixScores[i] ?? Number.NaN)));
  });

  const round = (x: number, d = 3): number => Number(x.toFixed(d));
  return {
    mean_steps_per_trace: round(steps / traces.length),
    engine_tokens_per_s: round(tokens / engineSeconds, 0),
    raw_runtime_tokens_per_s: round(tokens / rawSeconds, 0),
    prefix_tokens_per_s: round(tokens / prefixSeconds, 0),
    speedup_vs_prefix: round(prefixSeconds / engineMean),
    padding_waste: round(1 - stats.tokens / stats.cells, 4),
    device,
    traces: traces.length,
    trace_tokens: tokens,
    prefix_tokens: lengths.reduce((a, b) => a + b, 0),
    // Median over rounds of raw seconds / engine seconds (1 = as fast as plain session.run).
    engine_vs_raw: round(ratios[Math.floor(ratios.length / 2)] ?? Number.NaN),
    // The worker's own split of its best call: share of time inside session.run (load-independent).
    engine_run_share: round(stats.runSeconds / stats.totalSeconds),
    max_abs_diff_vs_prefix: Number(maxDiff.toPrecision(3)),
    model: `${BENCH_FOLDER.model.layers} layers, hidden ${BENCH_FOLDER.model.hidden}, ffn ${BENCH_FOLDER.model.ffn}`,
  };
}
