// `reward-lens score --judge …` against a loopback OpenAI-compatible server: the documented JSON (each step's
// critique is the judge's text, records gain "judge"; pairwise records "order_ab", "order_ba", "consistent"), both
// orders for pairs with JudgeBench's scoring, a server that goes away mid-run (partial, nothing lost), and the
// flag checks that need no server.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCliCaptured } from '../helpers.js';
import { fakeChat, startServer, thinkPrmReply, userText, type FakeServer, type Msg } from '../../support/fakeServers.js';

const EXAMPLES = resolve(__dirname, '../../../examples');

const run = runCliCaptured;

/** A judge server whose model is `reply` (a follow-up asking only for the final Yes/No, one token, gets " No"). */
const judgeServer = (reply: (messages: readonly Msg[], index: number) => string): Promise<FakeServer> =>
  startServer(fakeChat({ models: ['test/judge'], reply: (m, body, i) => ((body['max_tokens'] as number) <= 1 ? ' No' : reply(m, i)) }));
const userOf = (body: unknown): string => userText(((body ?? {}) as { messages?: Msg[] }).messages ?? []);

interface JsonStep {
  readonly text: string;
  readonly score: number | null;
  readonly critique: string | null;
  readonly verdict?: string;
  readonly source?: string;
}

describe('reward-lens score --judge on a server', () => {
  const servers: FakeServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  it('thinkprm: per-step verdicts and critiques, the whole output kept with the record', async () => {
    // examples/trl-stepwise.jsonl: record 2's third step (8.75 + 1 = 10) is wrong; the fake judge says so.
    const server = await judgeServer((m) => thinkPrmReply(userText(m), (s) => s.includes('8.75 + 1 = 10'), () => 'Wrong: 8.75 + 1 = 9.75, not 10.'));
    servers.push(server);
    const file = join(EXAMPLES, 'trl-stepwise.jsonl');
    const r = await run(['score', file, '--judge', 'thinkprm', '--endpoint', server.url, '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { model: string; records: { id: string; steps: JsonStep[]; judge?: { name: string; text: string; verdict: string | null; truncated: boolean } }[] };
    assert.match(j.model, /^judge:thinkprm:/u);
    assert.equal(j.records.length, 2);
    for (const rec of j.records) {
      assert.equal(rec.judge?.name, 'thinkprm');
      assert.equal(rec.judge?.truncated, false);
      assert.match(rec.judge?.text ?? '', /Is the solution correct\? (Yes|No)/u);
      for (const [i, step] of rec.steps.entries()) {
        assert.ok(step.verdict === 'correct' || step.verdict === 'incorrect', JSON.stringify(step));
        // The server returns logprobs, and at each verdict token no alternative for the other verdict is among its
        // top_logprobs: the probability is then all on the verdict written.
        assert.equal(step.source, 'logprob');
        assert.equal(step.score, step.verdict === 'correct' ? 1 : 0);
        assert.match(step.critique ?? '', new RegExp(step.verdict === 'correct' ? 'checks out' : 'incorrect|Wrong', 'u'), `step ${i + 1}`);
      }
    }
    assert.deepEqual(j.records[1]?.steps.map((s) => s.verdict), ['correct', 'correct', 'incorrect']);
    const table = await run(['score', file, '--judge', 'thinkprm', '--endpoint', server.url]);
    assert.match(table.out, /#2 {2}trace min=0\.000 mean=0\.667 {2}first step < 0\.5: step 3\n {4}thinkprm verdict: No\n/u, table.out);
    assert.match(table.out, /\n {6}3 ✗ 0\.000 {2}Step 3: Adding the \$1 bag fee/u, table.out);
    assert.match(table.out, /↳ Step 3: Wrong: 8\.75 \+ 1 = 9\.75, not 10\./u);
    assert.equal(j.records[1]?.steps[2]?.critique?.includes('8.75 + 1 = 9.75, not 10.'), true);
    assert.equal(j.records[1]?.judge?.verdict, 'No');
    // Each request was ThinkPRM's prompt over that record's steps.
    const first = userOf(server.requests.find((r) => r.path === '/v1/chat/completions')?.body);
    assert.match(first, /^You are given a math problem and a proposed step-by-step solution:\n\n/u);
  });

  it('pairwise: both orders, a consistent judge agrees with the label, a position-biased one is wrong', async () => {
    const file = join(EXAMPLES, 'preferences.jsonl');
    // A judge that prefers the right answer wherever it is placed.
    const fair = await judgeServer((m) => {
      const u = userText(m);
      const a = u.slice(u.indexOf("[The Start of Assistant A's Answer]"), u.indexOf("[The Start of Assistant B's Answer]"));
      return /= 12\.|Canberra\./u.test(a) ? '[[A]]' : '[[B]]';
    });
    // A judge that always says A.
    const biased = await judgeServer(() => '[[A]]');
    servers.push(fair, biased);
    const fairOut = await run(['score', file, '--judge', 'pairwise', '--endpoint', fair.url, '--json']);
    assert.equal(fairOut.code, 0, fairOut.err);
    type Rec = { margin: number | null; agrees_with_label: boolean | null; order_ab: string | null; order_ba: string | null; consistent: boolean; responses: { score: number | null }[] };
    const fj = JSON.parse(fairOut.out) as { records: Rec[] };
    assert.equal(fair.requests.filter((r) => r.path === '/v1/chat/completions').length, 4, 'two pairs, each judged in both orders');
    for (const rec of fj.records) {
      assert.deepEqual([rec.order_ab, rec.order_ba, rec.consistent, rec.agrees_with_label], ['A', 'B', true, true]);
      assert.deepEqual(rec.responses.map((x) => x.score), [1, 0]);
    }
    const biasedOut = await run(['score', file, '--judge', 'pairwise', '--endpoint', biased.url, '--json']);
    const bj = JSON.parse(biasedOut.out) as { records: Rec[] };
    for (const rec of bj.records) {
      assert.deepEqual([rec.order_ab, rec.order_ba, rec.consistent, rec.margin, rec.agrees_with_label], ['A', 'A', false, 0, false]);
    }
    // The readable table says the same: both orders, and the position bias.
    const table = await run(['score', file, '--judge', 'pairwise', '--endpoint', biased.url]);
    assert.equal(table.code, 0, table.err);
    assert.equal(table.out.split('\n').filter((l) => l.includes('↳ pairwise: as A → A, as B → A (inconsistent: position bias)')).length, 4, table.out);
    assert.match(table.out, /margin=0\.000 {2}DISAGREES with label/u);
  });

  it('keeps what was scored when the server goes away mid-run, and marks the run partial', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-judge-'));
    const lines = Array.from({ length: 3 }, (_, i) => JSON.stringify({ prompt: `What is ${i} + 1?`, completions: [`Step 1: ${i} + 1 = ${i + 1}.`], labels: [true] }));
    const file = join(dir, 'three.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const server = await judgeServer((m, n) => (n === 0 ? thinkPrmReply(userText(m), () => false, () => '') : 'disconnect'));
    servers.push(server);
    const out = join(dir, 'scored.jsonl');
    const r = await run(['score', file, '--judge', 'thinkprm', '--endpoint', server.url, '--concurrency', '1', '--batch-size', '1', '--json', '--out', out]);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out) as { partial?: boolean; scored?: number; total?: number; error?: string; records: unknown[] };
    assert.deepEqual([j.partial, j.scored, j.total, j.records.length], [true, 1, 3, 1]);
    assert.match(r.err, /stopped after 1 of 3 record\(s\)/u);
    assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 1, 'the scored record was written');
    assert.equal(readFileSync(file, 'utf8'), `${lines.join('\n')}\n`, 'the data file is untouched');
  });
});

describe('reward-lens score flags for servers and judges', () => {
  const file = join(EXAMPLES, 'trl-stepwise.jsonl');
  it('needs a preset for a served reward model, and a server or folder for a judge', async () => {
    const a = await run(['score', file, '--endpoint', 'http://127.0.0.1:9']);
    assert.equal(a.code, 2);
    assert.match(a.err, /--endpoint needs --preset NAME/u);
    const b = await run(['score', file, '--judge', 'thinkprm']);
    assert.equal(b.code, 2);
    assert.match(b.err, /--judge needs --endpoint URL .* or --model DIR/u);
    const c = await run(['score', file, '--rubric', 'r.yaml']);
    assert.equal(c.code, 2);
  });
  it('reads the API key only from the environment variable it names', async () => {
    const r = await run(['score', file, '--judge', 'thinkprm', '--endpoint', 'http://127.0.0.1:9', '--api-key-env', 'REWARD_LENS_TEST_UNSET_KEY']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--api-key-env names REWARD_LENS_TEST_UNSET_KEY, but that environment variable is not set/u);
  });
  it('refuses plain http to another machine (keys and data would travel in clear)', async () => {
    const r = await run(['score', file, '--judge', 'thinkprm', '--endpoint', 'http://judge.example.com:8000']);
    assert.equal(r.code, 2);
    assert.match(r.err, /https/u);
  });
});
