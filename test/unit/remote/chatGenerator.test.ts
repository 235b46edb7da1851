// Judges over OpenAI-compatible chat completions: request bodies, streamed and whole replies, logprobs,
// the reasoning fields, the text/token rule, logprob refusal, truncation and cancellation.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { GenerationProgress, GenerationRequest, GenerationResult } from '../../../src/core/judges/generation.js';
import { assembleReply, openChatGenerator } from '../../../src/remote/chatGenerator.js';
import { EndpointError } from '../../../src/remote/httpClient.js';
import { chatTokens, fakeChat, fakeLogprob, fakeReply, startServer, type FakeChatOptions, type FakeServer } from '../../support/fakeServers.js';

const servers: FakeServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function chatServer(o: FakeChatOptions = {}): Promise<FakeServer> {
  const s = await startServer(fakeChat(o));
  servers.push(s);
  return s;
}

const REQUEST: GenerationRequest = {
  messages: [
    { role: 'system', content: 'You are a careful verifier.' },
    { role: 'user', content: 'Is 2 + 3 = 5 right?' },
  ],
  maxTokens: 200,
  stop: ['</answer>'],
};

function assertTokensSpell(r: GenerationResult): void {
  assert.ok(r.tokens !== undefined, 'tokens present');
  assert.equal(r.tokens.map((t) => t.text).join(''), r.text);
}

function bodies(s: FakeServer): Record<string, unknown>[] {
  return s.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => r.body as Record<string, unknown>);
}

describe('openChatGenerator', () => {
  for (const stream of [true, false]) {
    it(`generates a reply with logprobs (${stream ? 'streamed' : 'whole JSON'})`, async () => {
      const s = await chatServer();
      const gen = await openChatGenerator({ endpoint: `${s.url}/v1`, stream });
      assert.equal(gen.model, 'launch/ThinkPRM-1.5B');
      assert.equal(gen.id, `127.0.0.1:${s.port}/launch/ThinkPRM-1.5B`);
      assert.equal(gen.note, undefined);
      assert.equal(gen.hasLogprobs, true);
      const progress: GenerationProgress[] = [];
      const r = await gen.generate({ ...REQUEST, seed: 3, topP: 0.9 }, { onProgress: (p) => progress.push(p) });
      const expected = fakeReply(REQUEST.messages);
      assert.equal(r.text, expected);
      assert.equal(r.finish, 'stop');
      assert.equal(r.device, `127.0.0.1:${s.port}`);
      assert.equal(r.model, 'launch/ThinkPRM-1.5B');
      assertTokensSpell(r);
      assert.deepEqual(
        r.tokens?.map((t) => t.logprob),
        chatTokens(expected).map((_, i) => fakeLogprob(i)),
      );
      assert.equal(r.tokens?.[0]?.top.length, 5);
      assert.deepEqual(r.tokens?.[0]?.top[1], { token: ' No', logprob: -3 });
      assert.equal(r.completionTokens, chatTokens(expected).length);
      assert.equal(r.promptTokens, 11);
      const body = bodies(s)[0];
      assert.deepEqual(body?.['messages'], REQUEST.messages);
      assert.equal(body?.['max_tokens'], 200);
      assert.equal(body?.['temperature'], 0);
      assert.equal(body?.['top_p'], 0.9);
      assert.equal(body?.['seed'], 3);
      assert.deepEqual(body?.['stop'], ['</answer>']);
      assert.equal(body?.['logprobs'], true);
      assert.equal(body?.['top_logprobs'], 5);
      if (stream) {
        assert.equal(body?.['stream'], true);
        assert.deepEqual(body?.['stream_options'], { include_usage: true });
        assert.equal(progress.map((p) => p.delta).join(''), expected);
        assert.deepEqual(
          progress.map((p) => p.tokens),
          progress.map((_, i) => i + 1),
        );
      } else {
        assert.equal(body?.['stream'], undefined);
        assert.equal(progress.length, 0);
      }
      await gen.dispose();
    });
  }

  it('takes the first of several models, with a note, and lists them', async () => {
    const s = await chatServer({ models: ['judge-a', 'judge-b'] });
    const gen = await openChatGenerator({ endpoint: s.url });
    assert.equal(gen.model, 'judge-a');
    assert.deepEqual(gen.models, ['judge-a', 'judge-b']);
    assert.match(gen.note ?? '', /2 models .*using the first, judge-a/u);
    const named = await openChatGenerator({ endpoint: s.url, model: 'judge-b' });
    assert.equal((await named.generate(REQUEST)).model, 'judge-b');
    assert.equal(bodies(s)[0]?.['model'], 'judge-b');
  });

  it('continues an assistant prefix with the vLLM/SGLang extensions', async () => {
    const s = await chatServer();
    const gen = await openChatGenerator({ endpoint: s.url, model: 'launch/ThinkPRM-1.5B' });
    await gen.generate({ ...REQUEST, assistantPrefix: "\nLet's verify step by step:", temperature: 0.7 });
    const body = bodies(s)[0];
    assert.deepEqual((body?.['messages'] as unknown[]).at(-1), { role: 'assistant', content: "\nLet's verify step by step:" });
    assert.equal(body?.['continue_final_message'], true);
    assert.equal(body?.['add_generation_prompt'], false);
    assert.equal(body?.['temperature'], 0.7);
  });

  for (const field of ['reasoning', 'reasoning_content'] as const) {
    for (const stream of [true, false]) {
      it(`keeps the raw order when the logprob tokens cover the thinking (${field}, ${stream ? 'stream' : 'JSON'})`, async () => {
        const s = await chatServer({ reasoningField: field, reasoning: 'Step 1 adds 2 and 3.', logprobsCoverReasoning: true });
        const gen = await openChatGenerator({ endpoint: s.url, stream });
        const r = await gen.generate(REQUEST);
        assert.equal(r.text, `Step 1 adds 2 and 3.\n</think>\n\n${fakeReply(REQUEST.messages)}`);
        assertTokensSpell(r);
      });

      it(`rejoins the thinking and drops content-only tokens (${field}, ${stream ? 'stream' : 'JSON'})`, async () => {
        const s = await chatServer({ reasoningField: field, reasoning: 'Step 1 adds 2 and 3.', logprobsCoverReasoning: false });
        const gen = await openChatGenerator({ endpoint: s.url, stream });
        const r = await gen.generate(REQUEST);
        assert.equal(r.text, `<think>\nStep 1 adds 2 and 3.\n</think>\n\n${fakeReply(REQUEST.messages)}`);
        assert.equal(r.tokens, undefined);
      });
    }
  }

  it('cuts the tokens where a stop string cut the text', async () => {
    const s = await chatServer();
    const gen = await openChatGenerator({ endpoint: s.url });
    const r = await gen.generate({ ...REQUEST, stop: ['correct}'] });
    assert.equal(r.text, `Checked ${'Is 2 + 3 = 5 right?'.length} characters. Step 1 is \\boxed{`);
    assertTokensSpell(r);
  });

  it('reports finish "length" at the token limit', async () => {
    const s = await chatServer();
    const gen = await openChatGenerator({ endpoint: s.url });
    const r = await gen.generate({ ...REQUEST, maxTokens: 3 });
    assert.equal(r.finish, 'length');
    assert.equal(r.text, chatTokens(fakeReply(REQUEST.messages)).slice(0, 3).join(''));
    assertTokensSpell(r);
  });

  it('retries once without logprobs when the server refuses them, and remembers', async () => {
    const s = await chatServer({ rejectLogprobs: true });
    const gen = await openChatGenerator({ endpoint: s.url });
    const r = await gen.generate(REQUEST);
    assert.equal(r.text, fakeReply(REQUEST.messages));
    assert.equal(r.tokens, undefined);
    assert.equal(gen.hasLogprobs, false);
    await gen.generate(REQUEST);
    assert.deepEqual(
      bodies(s).map((b) => b['logprobs']),
      [true, undefined, undefined],
    );
  });

  it('fails clearly on a truncated stream', async () => {
    const s = await chatServer({ truncateAfter: 4 });
    const gen = await openChatGenerator({ endpoint: s.url });
    await assert.rejects(gen.generate(REQUEST), (err: Error) => err instanceof EndpointError && /^POST \/v1\/chat\/completions: the stream ended before \[DONE\].*truncated/u.test(err.message));
  });

  it('quotes the server on errors and rejects with AbortError on cancel', async () => {
    const s = await startServer(async (x) => {
      if (x.path === '/v1/models') return x.json(200, { data: [{ id: 'm' }] });
      if ((x.body as { max_tokens?: number }).max_tokens === 1) return x.json(400, { error: { message: "'messages' must not be empty" } });
      await x.wait(5000);
      x.json(200, {});
    });
    servers.push(s);
    const gen = await openChatGenerator({ endpoint: s.url, retries: 0 });
    await assert.rejects(gen.generate({ ...REQUEST, maxTokens: 1 }), /POST \/v1\/chat\/completions: HTTP 400 Bad Request: 'messages' must not be empty/u);
    const ac = new AbortController();
    const p = gen.generate(REQUEST, { signal: ac.signal });
    while (s.requests.length < 3) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await assert.rejects(p, { name: 'AbortError' });
    while (s.aborted < 1) await new Promise((r) => setTimeout(r, 5));
  });

  it('reports an error the server sends inside the stream', async () => {
    const s = await startServer((x) => {
      x.res.writeHead(200, { 'content-type': 'text/event-stream' });
      x.res.write('data: {"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n');
      x.res.end('data: {"error":{"message":"engine overloaded","type":"InternalServerError","code":500}}\n\n');
    });
    servers.push(s);
    const gen = await openChatGenerator({ endpoint: s.url, model: 'm' });
    await assert.rejects(gen.generate(REQUEST), /POST \/v1\/chat\/completions: the server reported an error: engine overloaded/u);
  });

  it('refuses plain http off this machine before connecting', async () => {
    await assert.rejects(openChatGenerator({ endpoint: 'http://judge.example.com:8000' }), /clear text/u);
  });
});

describe('assembleReply', () => {
  const tok = (text: string, bytes?: number[]): { token: { text: string; logprob: number; top: [] }; bytes: number[] | undefined } => ({ token: { text, logprob: -1, top: [] }, bytes });

  it('rebuilds token texts from bytes when a character is split over tokens', () => {
    const euro = [...Buffer.from('€', 'utf8')];
    const raw = [tok('Cost '), tok('\ufffd', euro.slice(0, 2)), tok('\ufffd5', [...euro.slice(2), 0x35])];
    raw[0] = tok('Cost ', [...Buffer.from('Cost ')]);
    const r = assembleReply('Cost €5', '', raw);
    assert.equal(r.text, 'Cost €5');
    assert.deepEqual(
      r.tokens?.map((t) => t.text),
      ['Cost ', '', '€5'],
    );
  });

  it('drops tokens that cannot spell the text', () => {
    assert.deepEqual(assembleReply('Yes', '', [tok('No')]), { text: 'Yes' });
    assert.deepEqual(assembleReply('Yes', '', undefined), { text: 'Yes' });
  });
});
