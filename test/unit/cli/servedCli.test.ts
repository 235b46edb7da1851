// `reward-lens score --endpoint … --preset …` and `models check --endpoint`: a served ORM on a loopback SGLang-like
// server, whose /classify takes only rendered text — with `--tokenizer DIR` Reward Lens renders each response with the
// reward model's chat template (here Qwen3's real tokenizer) and the server's reward for exactly that text comes back.
import { strict as assert } from 'node:assert';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { qwenTokenizerDir } from '../../../scripts/genModels.js';
import { runCliCaptured } from '../helpers.js';
import { HfTokenizer } from '../../../src/model/hfTokenizer.js';
import { fakeReward, fakeSglang, fakeVllm, startServer, type FakeServer } from '../../support/fakeServers.js';

const EXAMPLES = resolve(__dirname, '../../../examples');

const run = runCliCaptured;

describe('reward-lens with a served reward model', () => {
  const servers: FakeServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  it('scores preference pairs with an ORM on SGLang, rendered with the model chat template', async () => {
    const server = await startServer(fakeSglang('Skywork/Skywork-Reward-V2-Qwen3-8B'));
    servers.push(server);
    const file = join(EXAMPLES, 'preferences.jsonl');
    const refused = await run(['score', file, '--endpoint', server.url, '--preset', 'skywork-reward-v2', '--json']);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /SGLang's \/classify takes text already rendered/u);

    const dir = qwenTokenizerDir();
    const r = await run(['score', file, '--endpoint', server.url, '--preset', 'skywork-reward-v2', '--tokenizer', dir, '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { records: { responses: { text: string; score: number }[]; margin: number }[] };
    // Independently: Qwen3's template over [user prompt, assistant response], as the model card renders it.
    const tok = HfTokenizer.fromFiles(join(dir, 'tokenizer.json'), join(dir, 'tokenizer_config.json'));
    const prompts = ['What is 15% of 80?', 'Name the capital of Australia.'];
    j.records.forEach((rec, i) => {
      for (const resp of rec.responses) {
        const text = tok.renderChat([{ role: 'user', content: prompts[i] ?? '' }, { role: 'assistant', content: resp.text }], false);
        assert.ok(Math.abs(resp.score - fakeReward(text)) < 1e-9, `${resp.text}: ${resp.score} vs ${fakeReward(text)}`);
      }
      assert.ok(Math.abs(rec.margin - ((rec.responses[0]?.score ?? 0) - (rec.responses[1]?.score ?? 0))) < 1e-9);
    });
  });

  it('checks a vLLM server for a PRM preset: reachable, the model, the step tag token', async () => {
    const server = await startServer(fakeVllm());
    servers.push(server);
    const r = await run(['models', 'check', '--endpoint', server.url, '--preset', 'qwen2.5-math-prm', '--json']);
    const j = JSON.parse(r.out) as { ok: boolean; server: string; models: string[] };
    assert.equal(r.code, j.ok ? 0 : 1);
    assert.equal(j.server, 'vllm');
    assert.ok(j.models.length >= 1);
    const bad = await run(['models', 'check', '--endpoint', server.url]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /needs --preset NAME/u);
  });
});
