// Engine step scores against an independent reference: inputs built here the way each model's reference
// code builds them (hand-written strings, the real Qwen tokenizer), outputs recomputed in plain JS from
// the generator's weights. Also batch/padding invariance, fp16/int4 storage, past_key_values feeding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TinyWeights } from '../../../scripts/genModels.js';
import type { EngineRequest } from '../../../src/model/scoringEngine.js';
import { readSample } from '../helpers.js';
import { assertClose, classLogits, folderTokenizer, inThreadEngine, lmLogits, positionsOf, referenceHidden, scalarHead, softmax, testModel } from './modelTestKit.js';

const SYSTEM = 'Please reason step by step, and put your final answer within \\boxed{}.';

const TRACES: EngineRequest[] = [
  { prompt: 'What is 2 + 3 * 4?', steps: ['First multiply: 3 * 4 = 12.', 'Then add: 2 + 12 = 14.', 'The answer is \\boxed{14}.'] },
  { prompt: 'Solve x + 5 = 9.', steps: ['Subtract 5 from both sides: x = 4.'] },
  {
    prompt: 'A train travels 60 km in 1.5 hours. What is its average speed?',
    steps: ['Speed is distance over time.', 'So 60 / 1.5 = 40.', 'The average speed is 40 km/h.', 'Check: 40 * 1.5 = 60, which matches.'],
  },
];

/** ProcessBench's real record, when the shared samples are present. */
function processBenchTrace(): EngineRequest | undefined {
  const text = readSample('processbench.json');
  if (text === undefined) return undefined;
  const [rec] = JSON.parse(text) as { problem: string; steps: string[] }[];
  assert.ok(rec);
  return { prompt: rec.problem, steps: rec.steps };
}

function allTraces(): EngineRequest[] {
  const pb = processBenchTrace();
  return pb === undefined ? TRACES : [...TRACES, pb];
}

async function engineScores(folder: string, preset: string | undefined, traces: readonly EngineRequest[]): Promise<number[][]> {
  const { engine } = inThreadEngine(testModel(folder).dir, preset);
  try {
    const results = await engine.score(traces);
    for (const r of results) assert.equal(r.device, 'cpu');
    return results.map((r) => r.steps.map((s) => s.score));
  } finally {
    await engine.dispose();
  }
}

function classOneAt(w: TinyWeights, ids: readonly number[], positions: readonly number[]): number[] {
  const h = referenceHidden(w, ids);
  return positions.map((p) => softmax(classLogits(w, h[p] ?? new Float64Array()))[1] ?? Number.NaN);
}

describe('step scores match an independent reference (1e-5)', () => {
  it('qwen2.5-math-prm: chat template, <extra_0> after each step, softmax class 1', async () => {
    const { dir, weights } = testModel('qwen-prm');
    const tok = folderTokenizer(dir);
    const sep = tok.tokenToId('<extra_0>');
    assert.equal(sep, 151651, 'the folder tokenizer maps <extra_0> to 151651 like the real PRM');
    const traces = allTraces();
    const expected = traces.map((t) => {
      const text = `<|im_start|>system\n${SYSTEM}<|im_end|>\n<|im_start|>user\n${t.prompt}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n${t.steps.join('<extra_0>')}<extra_0><|im_end|>\n`;
      const ids = tok.encode(text, true);
      const reads = positionsOf(ids, sep);
      assert.equal(reads.length, t.steps.length);
      return classOneAt(weights, ids, reads);
    });
    const actual = await engineScores('qwen-prm', 'qwen2.5-math-prm', traces);
    actual.forEach((a, i) => assertClose(a, expected[i] ?? [], 1e-5, `trace ${i}`));
    // The scores genuinely vary (the model is not constant).
    const flat = actual.flat();
    assert.ok(Math.max(...flat) - Math.min(...flat) > 0.05);
  });

  it('trl-prm: equals one forward pass per prefix, as ProcessBench\'s TRL script scores', async () => {
    const { dir, weights } = testModel('trl-prm');
    const tok = folderTokenizer(dir);
    const sep = '\n\n'; // the folder's reward-lens.json sets this separator
    const expected = TRACES.map((t) =>
      t.steps.map((_, k) => {
        const ids = tok.encode([t.prompt, ...t.steps.slice(0, k + 1)].join(sep) + sep, true);
        return classOneAt(weights, ids, [ids.length - 1])[0] ?? Number.NaN;
      }),
    );
    const actual = await engineScores('trl-prm', undefined, TRACES);
    actual.forEach((a, i) => assertClose(a, expected[i] ?? [], 1e-5, `trace ${i}`));
  });

  it('math-shepherd: "ки" tags, P("+") against "-" at each tag; with and without past_key_values', async () => {
    const { dir, weights } = testModel('math-shepherd');
    const tok = folderTokenizer(dir);
    const tag = tok.tokenToId('ки');
    assert.ok(tag !== undefined && tag > 151668, 'the folder adds ки as a token, as Mistral has one');
    const cols = tok.encode('+ -', false);
    assert.equal(cols.length, 2);
    const expected = TRACES.map((t) => {
      const ids = tok.encode(`${t.prompt} ${t.steps.map((s) => `${s} ки`).join('\n')}`, true);
      const h = referenceHidden(weights, ids);
      return positionsOf(ids, tag).map((p) => softmax(lmLogits(weights, h[p] ?? new Float64Array(), cols))[0] ?? Number.NaN);
    });
    const actual = await engineScores('math-shepherd', 'math-shepherd', TRACES);
    actual.forEach((a, i) => assertClose(a, expected[i] ?? [], 1e-5, `trace ${i}`));
    const past = await engineScores('math-shepherd-past', 'math-shepherd', TRACES);
    past.forEach((a, i) => assertClose(a, expected[i] ?? [], 1e-5, `past-kv export, trace ${i}`));
  });

  it('rlhflow-prm: equals the reference\'s pass per conversation prefix, logits at -3 over +/-', async () => {
    const { dir, weights } = testModel('rlhflow-prm');
    const tok = folderTokenizer(dir);
    const good = tok.encode('+', true).at(-1) ?? -1;
    const bad = tok.encode('-', true).at(-1) ?? -1;
    const expected = TRACES.map((t) =>
      t.steps.map((_, k) => {
        let text = '';
        for (let j = 0; j <= k; j++) text += `<|im_start|>user\n${j === 0 ? `${t.prompt} ${t.steps[0] ?? ''}` : (t.steps[j] ?? '')}<|im_end|><|im_start|>assistant\n+<|im_end|>`;
        const ids = tok.encode(text, false);
        const h = referenceHidden(weights, ids);
        return softmax(lmLogits(weights, h[ids.length - 3] ?? new Float64Array(), [good, bad]))[0] ?? Number.NaN;
      }),
    );
    const actual = await engineScores('rlhflow-prm', 'rlhflow-prm', TRACES);
    actual.forEach((a, i) => assertClose(a, expected[i] ?? [], 1e-5, `trace ${i}`));
  });

  it('skywork-o1-prm: BOS + problem + "\\n", steps closed by "\\n", sigmoid of the value', async () => {
    const { dir, weights } = testModel('skywork-o1-prm');
    const tok = folderTokenizer(dir);
    const nl = tok.encode('\n', true).at(-1) ?? -1;
    const traces = allTraces();
    const expected = traces.map((t) => {
      const ids = tok.encode(`<|endoftext|>${t.prompt}\n`, true);
      const flags: number[] = [];
      for (const s of t.steps) {
        ids.push(...tok.encode(s, true), nl);
        flags.push(ids.length - 1);
      }
      const h = referenceHidden(weights, ids);
      return flags.map((p) => 1 / (1 + Math.exp(-scalarHead(weights, h[p] ?? new Float64Array(), 'v'))));
    });
    const actual = await engineScores('skywork-o1-prm', 'skywork-o1-prm', traces);
    actual.forEach((a, i) => assertClose(a, expected[i] ?? [], 1e-5, `trace ${i}`));
  });

  it('skywork-reward-v2: chat template, raw logit of the last token; pairwise sigmoid(r_a − r_b)', async () => {
    const { dir, weights } = testModel('skywork-reward-v2');
    const tok = folderTokenizer(dir);
    const expected = TRACES.map((t) => {
      const ids = tok.encode(`<|im_start|>user\n${t.prompt}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n${t.steps.join('\n\n')}<|im_end|>\n`, true);
      const h = referenceHidden(weights, ids);
      return scalarHead(weights, h[ids.length - 1] ?? new Float64Array(), 's');
    });
    const { engine } = inThreadEngine(dir, 'skywork-reward-v2');
    const results = await engine.score(TRACES);
    await engine.dispose();
    const actual = results.map((r) => {
      assert.deepEqual(r.steps, []);
      return r.sequenceScore ?? Number.NaN;
    });
    assertClose(actual, expected, 1e-5, 'sequence scores');
  });
});

describe('storage formats', () => {
  it('int4 (MatMulNBits) matches the reference over its dequantised weights (1e-5)', async () => {
    const { dir, weights } = testModel('qwen-prm-int4');
    const tok = folderTokenizer(dir);
    const expected = TRACES.map((t) => {
      const ids = tok.encode(`<|im_start|>system\n${SYSTEM}<|im_end|>\n<|im_start|>user\n${t.prompt}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n${t.steps.join('<extra_0>')}<extra_0><|im_end|>\n`, true);
      return classOneAt(weights, ids, positionsOf(ids, 151651));
    });
    const actual = await engineScores('qwen-prm-int4', 'qwen2.5-math-prm', TRACES);
    actual.forEach((a, i) => assertClose(a, expected[i] ?? [], 1e-5, `trace ${i}`));
  });

  it('fp16 loads, returns float16 logits, and stays within fp16 rounding of the reference (2e-2)', async () => {
    const { dir, weights } = testModel('qwen-prm-fp16');
    const tok = folderTokenizer(dir);
    const expected = TRACES.map((t) => {
      const ids = tok.encode(`<|im_start|>system\n${SYSTEM}<|im_end|>\n<|im_start|>user\n${t.prompt}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n${t.steps.join('<extra_0>')}<extra_0><|im_end|>\n`, true);
      return classOneAt(weights, ids, positionsOf(ids, 151651));
    });
    const actual = await engineScores('qwen-prm-fp16', 'qwen2.5-math-prm', TRACES);
    actual.forEach((a, i) => assertClose(a, expected[i] ?? [], 2e-2, `trace ${i}`));
  });
});

describe('batching', () => {
  const traces = (): EngineRequest[] => {
    const out = [...allTraces()];
    // Different lengths so batches need padding.
    out.push({ prompt: 'Compute 7 * 8.', steps: ['7 * 8 = 56.', 'So the product is 56.'] });
    out.push({ prompt: 'Is 91 prime?', steps: ['91 = 7 * 13.', 'So 91 is not prime.', 'Answer: no.'] });
    return out;
  };

  for (const [folder, preset] of [
    ['qwen-prm', 'qwen2.5-math-prm'],
    ['math-shepherd', 'math-shepherd'],
    ['skywork-reward-v2', 'skywork-reward-v2'],
  ] as const) {
    it(`${preset}: a trace's scores are identical alone, batched, and batched in another order`, async () => {
      const list = traces();
      const read = (r: { steps: readonly { score: number }[]; sequenceScore?: number }): number[] => (r.sequenceScore !== undefined ? [r.sequenceScore] : r.steps.map((s) => s.score));
      const alone: number[][] = [];
      {
        const { engine } = inThreadEngine(testModel(folder).dir, preset, { maxPaddingFraction: 1 });
        for (const t of list) alone.push(read((await engine.score([t]))[0] ?? { steps: [] }));
        await engine.dispose();
      }
      const { engine: batched } = inThreadEngine(testModel(folder).dir, preset, { maxPaddingFraction: 1 });
      const together = (await batched.score(list)).map(read);
      const stats = batched.lastStats;
      assert.ok(stats.batches < list.length, `traces were batched (${stats.batches} batches for ${list.length})`);
      assert.ok(stats.cells > stats.tokens, 'some batch was padded');
      await batched.dispose();
      const { engine: reversedEngine } = inThreadEngine(testModel(folder).dir, preset, { maxPaddingFraction: 1 });
      const reversed = (await reversedEngine.score([...list].reverse())).map(read).reverse();
      await reversedEngine.dispose();
      assert.deepEqual(together, alone);
      assert.deepEqual(reversed, alone);
    });
  }
});

describe('bidirectional scoring and overlong traces, on a real model', () => {
  it('BiPRM: forward = one-way scores, backward = the reversed trace\'s scores mapped back, step score = mean', async () => {
    const { dir } = testModel('skywork-o1-prm');
    const trace = TRACES[2] ?? { prompt: '', steps: [] };
    const { engine: one } = inThreadEngine(dir, 'skywork-o1-prm');
    const [fwd, rev] = await one.score([trace, { prompt: trace.prompt, steps: [...trace.steps].reverse() }]);
    await one.dispose();
    const { engine: bi } = inThreadEngine(dir, 'skywork-o1-prm', { bidirectional: true });
    const [res] = await bi.score([trace]);
    await bi.dispose();
    const forward = fwd?.steps.map((s) => s.score) ?? [];
    const backward = [...(rev?.steps.map((s) => s.score) ?? [])].reverse();
    assert.deepEqual(res?.bidirectional?.forward, forward);
    assert.deepEqual(res?.bidirectional?.backward, backward);
    assert.deepEqual(
      res?.steps.map((s) => s.score),
      forward.map((f, i) => (f + (backward[i] ?? Number.NaN)) / 2),
    );
    assert.notDeepEqual(forward, backward, 'order matters to a causal model');
  });

  it('overlong: every step is scored once, each window as the prompt plus its steps, with a warning', async () => {
    const { dir } = testModel('qwen-prm');
    const trace = TRACES[2] ?? { prompt: '', steps: [] };
    const { engine: limited } = inThreadEngine(dir, 'qwen2.5-math-prm', { maxTokens: 80 });
    const [res] = await limited.score([trace]);
    await limited.dispose();
    assert.equal(res?.steps.length, 4);
    const warning = res?.warnings?.join(' ') ?? '';
    const m = /over the 80-token limit: scored in (\d+) windows; steps (.*) were scored without/u.exec(warning);
    assert.ok(m, warning);
    // Rebuild the windows from the warning ("3–4" …) and score each as a trace of its own.
    const starts = [0, ...(m[2] ?? '').split(', ').map((r) => Number(r.split('–')[0]) - 1)];
    assert.equal(starts.length, Number(m[1]));
    assert.deepEqual(starts, [0, 2, 3], 'the 106-token trace splits as steps 1–2, 3, 4 under 80 tokens');
    const { engine: free } = inThreadEngine(dir, 'qwen2.5-math-prm');
    const parts = await free.score(starts.map((s, i) => ({ prompt: trace.prompt, steps: trace.steps.slice(s, starts[i + 1] ?? trace.steps.length) })));
    await free.dispose();
    assert.deepEqual(
      res?.steps.map((s) => s.score),
      parts.flatMap((p) => p.steps.map((s) => s.score)),
    );
  });
});
