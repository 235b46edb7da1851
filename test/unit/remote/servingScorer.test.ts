// PRMs and ORMs on loopback vLLM, SGLang and TEI servers. The fake servers derive every score from the
// text they were sent; the expected scores are computed here from the reference input formulas
// (FORMATS.md Part B §1.1, §1.2, §1.5, §11), so a wrong input text gives wrong scores.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ScoreRequest, ScoreResult } from '../../../src/core/scoring/scorer.js';
import { EndpointError } from '../../../src/remote/httpClient.js';
import { checkEndpoint, openServingScorer, type ServingScorerOptions } from '../../../src/remote/servingScorer.js';
import {
  fakeIds,
  fakeProbability,
  fakeReward,
  fakeSglang,
  fakeTei,
  fakeVllm,
  PRM_IDS,
  renderChatMl,
  startServer,
  STOCK_QWEN_IDS,
  type FakeServer,
  type FakeVllmOptions,
  type Handler,
} from '../../support/fakeServers.js';

const servers: FakeServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(handler: Handler): Promise<FakeServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

const vllm = (o: FakeVllmOptions = {}): Promise<FakeServer> => serve(fakeVllm(o));
const FAST = { retryBaseMs: 2, retryMaxMs: 20 };
const QWEN_SYSTEM = 'Please reason step by step, and put your final answer within \\boxed{}.';

const TRACES: ScoreRequest[] = [
  { prompt: 'What is 2 + 3?', steps: ['2 + 3 = 5.', 'The answer is 5.'] },
  { prompt: 'Janet has 3 apples and buys 4 more. How many?', steps: ['She has 3 apples.', 'She buys 4 more: 3 + 4 = 7.', 'The answer is 7.'] },
  { prompt: 'No steps here.', steps: [] },
  { prompt: 'Half of 10?', steps: ['10 / 2 = 5.'] },
];

/** P(correct) at every occurrence of `tag` in `text`, read from the text up to and including the tag. */
function expectedAtTags(text: string, tag: string): number[] {
  const out: number[] = [];
  for (let at = text.indexOf(tag); at >= 0; at = text.indexOf(tag, at + tag.length)) out.push(fakeProbability(text.slice(0, at + tag.length)));
  return out;
}

/** Qwen2.5-Math-PRM's input, as its model card builds it. */
function qwenText(r: ScoreRequest): string {
  return renderChatMl(
    [
      { role: 'system', content: QWEN_SYSTEM },
      { role: 'user', content: r.prompt },
      { role: 'assistant', content: `${r.steps.join('<extra_0>')}<extra_0>` },
    ],
    false,
  );
}

/** Math-Shepherd's input: `f"{question} {output}"`, output = steps each ending " ки", joined by "\n". */
function shepherdText(r: ScoreRequest): string {
  return `${r.prompt} ${r.steps.map((s) => `${s} ки`).join('\n')}`;
}

function scores(r: ScoreResult | undefined): number[] {
  return (r?.steps ?? []).map((s) => s.score);
}

function assertClose(actual: readonly number[], expected: readonly number[]): void {
  assert.equal(actual.length, expected.length, `${actual.join(', ')} vs ${expected.join(', ')}`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - (expected[i] ?? Number.NaN)) < 1e-9, `step ${i}: ${a} vs ${expected[i]}`));
}

describe('PRMs on vLLM /pooling', () => {
  it('qwen2.5-math-prm: chat messages, P(correct) at each <extra_0>', async () => {
    const s = await vllm();
    const scorer = await openServingScorer({ endpoint: `${s.url}/v1`, preset: 'qwen2.5-math-prm' });
    assert.equal(scorer.id, `endpoint:127.0.0.1:${s.port}/Qwen/Qwen2.5-Math-PRM-7B:qwen2.5-math-prm`);
    assert.equal(scorer.granularity, 'step');
    const results = await scorer.score(TRACES);
    results.forEach((r, i) => {
      const t = TRACES[i];
      assert.ok(t !== undefined);
      assertClose(scores(r), t.steps.length === 0 ? [] : expectedAtTags(qwenText(t), '<extra_0>'));
      assert.equal(r.device, `127.0.0.1:${s.port}`);
      assert.equal(r.warnings, undefined);
    });
    const pooling = s.requests.filter((r) => r.path === '/pooling').map((r) => r.body as Record<string, unknown>);
    assert.equal(pooling.length, 3, 'one request per trace with steps (chat input)');
    assert.equal(pooling[0]?.['task'], 'token_classify');
    assert.equal(pooling[0]?.['add_generation_prompt'], false);
    // The setup checks: the tag alone, then the first trace as it will be pooled.
    const tokenize = s.requests.filter((r) => r.path === '/tokenize').map((r) => r.body as Record<string, unknown>);
    assert.deepEqual(tokenize[0], { model: 'Qwen/Qwen2.5-Math-PRM-7B', prompt: '<extra_0>', add_special_tokens: false, return_token_strs: true });
    assert.equal(tokenize[1]?.['add_generation_prompt'], false);
    assert.equal(tokenize.length, 2);
    await scorer.score(TRACES);
    assert.equal(s.requests.filter((r) => r.path === '/tokenize').length, 2, 'checked once');
  });

  it('math-shepherd: tagged text batched, P(+) at each ки', async () => {
    const s = await vllm({ models: ['peiyi9979/math-shepherd-mistral-7b-prm'], pooling: { type: 'STEP', stepTagId: 12902, returnedTokenIds: [648, 387] } });
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'math-shepherd', batchSize: 2 });
    const traces = [...TRACES, { prompt: 'A step with ки inside', steps: ['x ки y  '] }];
    const results = await scorer.score(traces);
    results.forEach((r, i) => {
      const t = traces[i];
      assert.ok(t !== undefined);
      const clean = { ...t, prompt: t.prompt.replace('ки', ''), steps: t.steps.map((x) => x.replace('ки', '').replace(/\s+$/u, '')) };
      assertClose(scores(r), t.steps.length === 0 ? [] : expectedAtTags(shepherdText(clean), 'ки'));
    });
    assert.match(results[4]?.warnings?.join(' ') ?? '', /contained the marker "ки"/u);
    const pooling = s.requests.filter((r) => r.path === '/pooling').map((r) => r.body as { input: string[] });
    assert.deepEqual(
      pooling.map((b) => b.input.length),
      [2, 2],
      'four traces with steps, two per request',
    );
  });

  it('trl-prm: rows at each step\'s last token, with ALL pooling or STEP pooling on the separator', async () => {
    // TRL's layout: text_k = sep.join([prompt, *steps[:k]]) + sep, read at its last token.
    const expected = (t: ScoreRequest): number[] => {
      let text = `${t.prompt}\n`;
      return t.steps.map((step) => fakeProbability((text += `${step}\n`)));
    };
    const newlineId = fakeIds(['\n'], {})[0] ?? 0;
    for (const pooling of [{ type: 'ALL' as const }, { type: 'STEP' as const, stepTagId: newlineId }]) {
      const s = await vllm({ models: ['plaguss/prm'], pooling });
      const scorer = await openServingScorer({ endpoint: s.url, preset: 'trl-prm' });
      const results = await scorer.score(TRACES);
      results.forEach((r, i) => assertClose(scores(r), expected(TRACES[i] as ScoreRequest)));
    }
  });

  it('gives NaN with the counts, never shifted scores, when the server has fewer step vectors', async () => {
    const s = await vllm({ dropLastRowWhen: 'Janet' });
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'qwen2.5-math-prm' });
    const results = await scorer.score(TRACES);
    const bad = results[1];
    assert.ok(bad?.steps.every((x) => Number.isNaN(x.score)));
    assert.match(bad?.steps[0]?.critique ?? '', /returned 2 step vectors for 3 steps/u);
    assert.match(bad?.warnings?.[0] ?? '', /2 step vectors for 3 steps/u);
    assertClose(scores(results[0]), expectedAtTags(qwenText(TRACES[0] as ScoreRequest), '<extra_0>'));
  });

  it('explains an empty data list (vllm#27343)', async () => {
    const s = await vllm({ emptyData: true });
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'qwen2.5-math-prm' });
    const [r] = await scorer.score([TRACES[0] as ScoreRequest]);
    assert.ok(r?.steps.every((x) => Number.isNaN(x.score) && /vllm#27343/u.test(x.critique ?? '')));
  });

  it('refuses a step tag whose id is not the pooling step_tag_id, naming both and the fix', async () => {
    const s = await vllm({ ids: STOCK_QWEN_IDS });
    const err = await openServingScorer({ endpoint: s.url, preset: 'qwen2.5-math-prm' }).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof EndpointError);
    assert.match(err.message, /maps "<extra_0>" to id 151665, but the pooling step_tag_id is taken to be 151651/u);
    assert.match(err.message, /launch-time step_tag_id.*151651 unless --pooler-config sets it/u);
    assert.match(err.message, /151651 is <\|quad_end\|>, not <extra_0>/u);
    assert.match(err.message, /--pooler-config '\{"pooling_type":"STEP","step_tag_id":151665\}'/u);
    const check = await checkEndpoint({ endpoint: s.url, preset: 'qwen2.5-math-prm' });
    assert.equal(check.ok, false);
    assert.ok(check.findings.some((f) => f.level === 'error' && /step tag mismatch/u.test(f.message)));
  });

  it('takes the step tag id setting; a server pooling another id returns no rows, explained', async () => {
    // The setting says 151665 (the served tokenizer's <extra_0>), so the tag checks pass; the server still pools
    // its launch-time 151651, which the input never holds. vLLM does not report it, so only the answer shows it.
    const s = await vllm({ ids: STOCK_QWEN_IDS });
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'qwen2.5-math-prm', stepTagId: 151665 });
    const [r] = await scorer.score([TRACES[0] as ScoreRequest]);
    assert.ok(r?.steps.every((x) => Number.isNaN(x.score) && /vllm#27343/u.test(x.critique ?? '')));
  });

  it('scores only the trace that is too long as NaN, with the server\'s words', async () => {
    const s = await vllm({ models: ['shepherd'], pooling: { type: 'STEP', stepTagId: 12902, returnedTokenIds: [648, 387] }, maxModelLen: 40 });
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'math-shepherd' });
    const long: ScoreRequest = { prompt: 'word '.repeat(40), steps: ['a', 'b'] };
    const results = await scorer.score([TRACES[0] as ScoreRequest, long, TRACES[3] as ScoreRequest]);
    assert.ok(results[1]?.steps.every((x) => Number.isNaN(x.score) && /maximum context length is 40 tokens/u.test(x.critique ?? '')));
    assertClose(scores(results[0]), expectedAtTags(shepherdText(TRACES[0] as ScoreRequest), 'ки'));
    assertClose(scores(results[2]), expectedAtTags(shepherdText(TRACES[3] as ScoreRequest), 'ки'));
  });

  it('rejects with the server\'s message when it fails, and when it disappears mid-run', async () => {
    let pools = 0;
    const s = await vllm({
      intercept: (x) => {
        if (x.path !== '/pooling') return false;
        if (++pools === 2) {
          x.json(500, { error: { message: 'engine dead', type: 'InternalServerError' } });
          return true;
        }
        return false;
      },
    });
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'qwen2.5-math-prm', concurrency: 1, ...FAST });
    await assert.rejects(scorer.score(TRACES), /POST \/pooling: HTTP 500 Internal Server Error: engine dead/u);

    const gone = await startServer(fakeVllm({ latencyMs: 20 }));
    const scorer2 = await openServingScorer({ endpoint: gone.url, preset: 'qwen2.5-math-prm', concurrency: 1, retries: 2, ...FAST });
    const many = Array.from({ length: 12 }, (_, i) => ({ prompt: `Q${i}`, steps: ['a', 'b'] }));
    const run = scorer2.score(many);
    while (gone.requests.filter((r) => r.path === '/pooling').length < 2) await new Promise((r) => setTimeout(r, 5));
    await gone.close();
    await assert.rejects(run, (e: unknown) => e instanceof EndpointError && /POST \/pooling: .*(refused|closed|reset)/u.test(e.message));
  });

  it('keeps the concurrency limit over a whole batch and aborts in-flight requests on cancel', async () => {
    const s = await vllm({ latencyMs: 30 });
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'qwen2.5-math-prm', concurrency: 4 });
    const many = Array.from({ length: 24 }, (_, i) => ({ prompt: `Q${i}`, steps: ['a', 'b', 'c'] }));
    await scorer.score(many);
    assert.equal(s.maxInFlight, 4);

    const ac = new AbortController();
    const run = scorer.score(many, ac.signal);
    const before = s.requests.length;
    while (s.requests.length < before + 4) await new Promise((r) => setTimeout(r, 2));
    ac.abort();
    await assert.rejects(run, { name: 'AbortError' });
    while (s.aborted < 4) await new Promise((r) => setTimeout(r, 2));
    const sent = s.requests.length - before;
    assert.ok(sent < many.length, `only ${sent} of ${many.length} requests were sent`);
    await assert.rejects(scorer.score(many, ac.signal), { name: 'AbortError' });
  });

  it('warns once when the server cannot tokenise (step tag unverified)', async () => {
    const s = await vllm({ noTokenize: true });
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'qwen2.5-math-prm' });
    const [r] = await scorer.score([TRACES[0] as ScoreRequest]);
    assert.match(r?.warnings?.[0] ?? '', /could not check the step tag/u);
    assertClose(scores(r), expectedAtTags(qwenText(TRACES[0] as ScoreRequest), '<extra_0>'));
    const [again] = await scorer.score([TRACES[0] as ScoreRequest]);
    assert.equal(again?.warnings, undefined);
  });
});

describe('ORMs', () => {
  const PREF: ScoreRequest[] = [
    { prompt: 'Say hi.', steps: ['Hi', 'there.'], response: 'Hi there!' },
    { prompt: 'flattened', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Add 2 and 2.' }], steps: ['4'] },
  ];
  const conversation = (r: ScoreRequest): string =>
    renderChatMl([...(r.messages ?? [{ role: 'user' as const, content: r.prompt }]), { role: 'assistant', content: r.response ?? r.steps.join('\n\n') }], false);

  it('vLLM /classify with chat messages and the raw logit (use_activation false)', async () => {
    const s = await vllm({ models: ['Skywork/Skywork-Reward-V2-Qwen3-8B'] });
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'skywork-reward-v2' });
    assert.equal(scorer.granularity, 'sequence');
    const results = await scorer.score(PREF);
    results.forEach((r, i) => {
      assert.deepEqual(r.steps, []);
      assert.ok(Math.abs((r.sequenceScore ?? Number.NaN) - fakeReward(conversation(PREF[i] as ScoreRequest))) < 1e-9);
    });
    const body = s.requests.find((r) => r.path === '/classify')?.body as Record<string, unknown>;
    assert.equal(body['use_activation'], false);
  });

  it('vLLM /classify with pre-rendered text, batched', async () => {
    const s = await vllm({ models: ['rm'] });
    const render = (r: ScoreRequest): string => `<s>${r.prompt}|${r.response ?? ''}`;
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'seq-cls', render, batchSize: 8 });
    const results = await scorer.score(PREF);
    results.forEach((r, i) => assert.ok(Math.abs((r.sequenceScore ?? Number.NaN) - fakeReward(render(PREF[i] as ScoreRequest))) < 1e-9));
    assert.equal(s.requests.filter((r) => r.path === '/classify').length, 1);
  });

  it('seq-cls falls back to prompt + "\\n\\n" + response when the served model has no chat template', async () => {
    const s = await vllm({ models: ['rm'], noChatTemplate: true });
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'seq-cls' });
    const [r] = await scorer.score([PREF[0] as ScoreRequest]);
    assert.ok(Math.abs((r?.sequenceScore ?? Number.NaN) - fakeReward('Say hi.\n\nHi there!')) < 1e-9);
    assert.match(r?.warnings?.join(' ') ?? '', /no chat template/u);
    const strict = await openServingScorer({ endpoint: s.url, preset: 'skywork-reward-v2' });
    await assert.rejects(strict.score([PREF[0] as ScoreRequest]), /chat template/u);
  });

  it('SGLang native /classify with rendered text; refused without a renderer', async () => {
    const s = await serve(fakeSglang());
    const render = (r: ScoreRequest): string => `${r.prompt}\n${r.response ?? ''}`;
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'skywork-reward-v2', render });
    assert.match(scorer.description, /SGLang/u);
    const results = await scorer.score(PREF);
    results.forEach((r, i) => assert.ok(Math.abs((r.sequenceScore ?? Number.NaN) - fakeReward(render(PREF[i] as ScoreRequest))) < 1e-9));
    await assert.rejects(openServingScorer({ endpoint: s.url, preset: 'skywork-reward-v2' }), /SGLang's \/classify takes text already rendered/u);
  });

  it('TEI /predict with (prompt, response) pairs and raw scores, within its batch limit', async () => {
    const s = await serve(fakeTei(undefined, 2));
    const scorer = await openServingScorer({ endpoint: s.url, preset: 'seq-cls', batchSize: 16 });
    const many = [...PREF, ...PREF, PREF[0] as ScoreRequest];
    const results = await scorer.score(many);
    results.forEach((r, i) => {
      const t = many[i] as ScoreRequest;
      assert.ok(Math.abs((r.sequenceScore ?? Number.NaN) - fakeReward(`${t.prompt}|${t.response ?? t.steps.join('\n\n')}`)) < 1e-9);
    });
    assert.deepEqual(
      s.requests.filter((r) => r.path === '/predict').map((r) => (r.body as { inputs: unknown[] }).inputs.length),
      [2, 2, 1],
    );
    assert.equal((s.requests.find((r) => r.path === '/predict')?.body as Record<string, unknown>)['raw_scores'], true);
  });
});

describe('checkEndpoint and setup', () => {
  it('reports the engine, the models, the step tag and a scored sample', async () => {
    const s = await vllm();
    const check = await checkEndpoint({ endpoint: s.url, preset: 'qwen2.5-math-prm' });
    assert.equal(check.ok, true, JSON.stringify(check.findings));
    assert.equal(check.server, 'vllm');
    assert.deepEqual(check.models, ['Qwen/Qwen2.5-Math-PRM-7B']);
    assert.equal(check.model, 'Qwen/Qwen2.5-Math-PRM-7B');
    const text = check.findings.map((f) => f.message).join('\n');
    assert.match(text, /step tag "<extra_0>" is one token, id 151651/u);
    assert.match(text, /sample trace scored: 2 steps/u);
  });

  it('detects SGLang and TEI, and says PRMs need vLLM there', async () => {
    const tei = await serve(fakeTei());
    const c1 = await checkEndpoint({ endpoint: tei.url, preset: 'qwen2.5-math-prm' });
    assert.equal(c1.server, 'tei');
    assert.equal(c1.ok, false);
    assert.match(c1.findings.map((f) => f.message).join(' '), /Serve it with `vllm serve MODEL`/u);
    const c2 = await checkEndpoint({ endpoint: tei.url, preset: 'seq-cls' });
    assert.equal(c2.ok, true, JSON.stringify(c2.findings));
    const sg = await serve(fakeSglang());
    const c3 = await checkEndpoint({ endpoint: sg.url, preset: 'skywork-reward-v2' });
    assert.equal(c3.server, 'sglang');
    assert.deepEqual(c3.models, ['Skywork/Skywork-Reward-V2-Llama-3.1-8B']);
    assert.equal(c3.ok, false);
  });

  it('reports an unreachable server, an unknown model and an unknown preset without throwing', async () => {
    const dead = await startServer(() => false);
    await dead.close();
    const c1 = await checkEndpoint({ endpoint: dead.url, preset: 'qwen2.5-math-prm', ...FAST });
    assert.equal(c1.ok, false);
    assert.match(c1.findings[0]?.message ?? '', /connection refused/u);
    const s = await vllm();
    const c2 = await checkEndpoint({ endpoint: s.url, preset: 'qwen2.5-math-prm', model: 'other' });
    assert.match(c2.findings[0]?.message ?? '', /"other" is not served .* it serves Qwen\/Qwen2.5-Math-PRM-7B/u);
    const c3 = await checkEndpoint({ endpoint: s.url, preset: 'nope' });
    assert.match(c3.findings.map((f) => f.message).join(' '), /unknown preset "nope"/u);
    const c4 = await checkEndpoint({ endpoint: 'http://10.1.2.3:8000', preset: 'qwen2.5-math-prm' });
    assert.match(c4.findings[0]?.message ?? '', /clear text/u);
  });

  it('never quotes the API key', async () => {
    const key = 'sk-secret-abcdef';
    const s = await serve((x) => x.json(401, { error: { message: `bad key ${String(x.req.headers['authorization'])}` } }));
    const opts: ServingScorerOptions = { endpoint: s.url, preset: 'qwen2.5-math-prm', apiKey: key, ...FAST };
    const err = await openServingScorer(opts).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e as EndpointError,
    );
    assert.ok(!err.message.includes(key) && !err.describe().includes(key));
    const check = await checkEndpoint(opts);
    assert.ok(!JSON.stringify(check).includes(key));
    assert.ok(s.requests.every((r) => r.headers['authorization'] === `Bearer ${key}`));
  });

  it('refuses presets no server can run', async () => {
    const s = await vllm({ ids: PRM_IDS });
    await assert.rejects(openServingScorer({ endpoint: s.url, preset: 'rlhflow-prm' }), /score it locally/u);
    await assert.rejects(openServingScorer({ endpoint: s.url, preset: 'skywork-o1-prm' }), /score it locally/u);
  });
});
