// The HTTP layer against loopback servers: endpoint rules, retries and Retry-After, timeouts, connection
// failures, the concurrency limit, cancellation, error messages (and the API key never in them), SSE.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { EndpointError, HttpClient, isLoopbackHost, parseEndpoint, retryAfterMs, serverMessageOf } from '../../../src/remote/httpClient.js';
import { SseParser } from '../../../src/remote/sse.js';
import { startServer, type FakeServer } from '../../support/fakeServers.js';

const servers: FakeServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<FakeServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

const FAST = { retryBaseMs: 5, retryMaxMs: 50 };

async function rejects(p: Promise<unknown>): Promise<EndpointError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EndpointError, `expected an EndpointError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('parseEndpoint', () => {
  it('accepts loopback http and any https, with or without /v1', () => {
    assert.deepEqual(parseEndpoint('http://127.0.0.1:8000'), { origin: 'http://127.0.0.1:8000', host: '127.0.0.1:8000', basePath: '', loopback: true });
    assert.equal(parseEndpoint('http://localhost:8000/v1/').basePath, '');
    assert.equal(parseEndpoint('http://[::1]:9000/v1').host, '[::1]:9000');
    assert.equal(parseEndpoint('http://127.8.9.10/').loopback, true);
    const e = parseEndpoint('https://models.example.com/proxy/v1');
    assert.equal(e.basePath, '/proxy');
    assert.equal(e.loopback, false);
  });

  it('requires https off this machine, saying why', () => {
    for (const url of ['http://10.0.0.5:8000', 'http://models.example.com', 'http://128.0.0.1', 'http://localhost.example.com']) {
      assert.throws(() => parseEndpoint(url), (err: Error) => err instanceof EndpointError && /clear text/u.test(err.message) && /https:\/\//u.test(err.message), url);
    }
  });

  it('refuses credentials in the URL, other schemes and non-URLs', () => {
    assert.throws(() => parseEndpoint('https://user:secret@host'), /user name or password/u);
    assert.throws(() => parseEndpoint('ftp://host'), /not an http/u);
    assert.throws(() => parseEndpoint('not a url'), /not a URL/u);
    assert.throws(() => parseEndpoint('https://host/v1?key=1'), /query string/u);
  });

  it('knows loopback hosts', () => {
    assert.equal(isLoopbackHost('127.0.0.1'), true);
    assert.equal(isLoopbackHost('127.255.255.254'), true);
    assert.equal(isLoopbackHost('127.256.0.1'), false);
    assert.equal(isLoopbackHost('[::1]'), true);
    assert.equal(isLoopbackHost('LOCALHOST'), true);
    assert.equal(isLoopbackHost('192.168.1.1'), false);
  });
});

describe('server messages', () => {
  it('reads OpenAI, vLLM, FastAPI, TEI shapes, else the text start', () => {
    assert.equal(serverMessageOf('{"error":{"message":"bad model","type":"NotFoundError"}}'), 'bad model');
    assert.equal(serverMessageOf('{"object":"error","message":"too long","type":"BadRequestError"}'), 'too long');
    assert.equal(serverMessageOf('{"detail":"Not Found"}'), 'Not Found');
    assert.equal(serverMessageOf('{"detail":[{"loc":["body","input"],"msg":"field required"}]}'), 'body.input: field required');
    assert.equal(serverMessageOf('{"error":"Input validation error","error_type":"Validation"}'), 'Input validation error (Validation)');
    assert.equal(serverMessageOf(`<html>${'x'.repeat(400)}</html>`).length, 301);
    assert.equal(serverMessageOf('   '), '(empty body)');
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('2'), 2000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(retryAfterMs(null), undefined);
    assert.equal(retryAfterMs('soon'), undefined);
  });
});

describe('HttpClient', () => {
  it('sends the API key as a bearer token and parses JSON', async () => {
    const s = await serve((x) => x.json(200, { ok: true }));
    const c = new HttpClient(s.url, { apiKey: 'sk-test-123' });
    assert.deepEqual(await c.getJson('/v1/models'), { ok: true });
    assert.equal(s.requests[0]?.headers['authorization'], 'Bearer sk-test-123');
  });

  it('quotes method, path, status and the server message for a 500, without retrying', async () => {
    const s = await serve((x) => x.json(500, { object: 'error', message: 'CUDA out of memory', type: 'InternalServerError', code: 500 }));
    const err = await rejects(new HttpClient(`${s.url}/proxy/v1`, FAST).postJson('/pooling', { input: 'x' }));
    assert.equal(err.message, 'POST /proxy/pooling: HTTP 500 Internal Server Error: CUDA out of memory');
    assert.equal(err.status, 500);
    assert.equal(s.requests.length, 1);
  });

  it('never puts the API key in an error, even when the server echoes it', async () => {
    const key = 'sk-very-secret-key-42';
    const s = await serve((x) => x.json(401, { error: { message: `Invalid API key: ${String(x.req.headers['authorization'])}` } }));
    const err = await rejects(new HttpClient(s.url, { apiKey: key, ...FAST }).getJson('/v1/models'));
    assert.ok(!err.message.includes(key) && !err.describe().includes(key) && !(err.serverMessage ?? '').includes(key), err.message);
    assert.match(err.message, /HTTP 401.*Invalid API key: Bearer \[redacted\]/u);
    assert.match(err.describe(), /API key/u);
  });

  it('retries a 429 after the Retry-After the server asked for (capped)', async () => {
    let n = 0;
    const s = await serve((x) => {
      n++;
      if (n === 1) return x.json(429, { error: { message: 'slow down' } }, { 'retry-after': '1' });
      return x.json(200, { n });
    });
    // Retry-After 1 s, capped at 150 ms; the backoff alone would be ≤ 5 ms.
    const c = new HttpClient(s.url, { retryBaseMs: 1, retryMaxMs: 150 });
    assert.deepEqual(await c.postJson('/x', {}), { n: 2 });
    const [a, b] = s.requests;
    assert.ok(a !== undefined && b !== undefined);
    assert.ok(b.at - a.at >= 140, `retried after ${b.at - a.at} ms`);
  });

  it('retries 503 with exponential backoff, then gives up quoting the last answer', async () => {
    const s = await serve((x) => x.json(503, { error: { message: 'model is loading' } }));
    const err = await rejects(new HttpClient(s.url, { retries: 3, retryBaseMs: 20, retryMaxMs: 1000 }).postJson('/x', {}));
    assert.equal(s.requests.length, 4);
    assert.match(err.message, /^POST \/x: HTTP 503 Service Unavailable: model is loading \(after 4 tries\)$/u);
    const gaps = s.requests.slice(1).map((r, i) => r.at - (s.requests[i]?.at ?? 0));
    // Delays are in [d/2, d] for d = 20, 40, 80 ms.
    assert.ok((gaps[0] ?? 0) >= 9 && (gaps[2] ?? 0) >= 39, `gaps ${gaps.join(', ')}`);
  });

  it('does not retry other 4xx', async () => {
    const s = await serve((x) => x.json(400, { error: { message: 'bad input' } }));
    await rejects(new HttpClient(s.url, FAST).postJson('/x', {}));
    assert.equal(s.requests.length, 1);
  });

  it('reports malformed JSON quoting the body start', async () => {
    const s = await serve((x) => {
      x.res.writeHead(200, { 'content-type': 'application/json' });
      x.res.end('{"data": [1, 2');
    });
    const err = await rejects(new HttpClient(s.url, FAST).postJson('/pooling', {}));
    assert.match(err.message, /^POST \/pooling: malformed JSON from the server: "\{\\"data\\": \[1, 2"$/u);
  });

  it('times out a request that gets no answer', async () => {
    const s = await serve(async (x) => {
      await x.wait(2000);
      x.json(200, {});
    });
    const err = await rejects(new HttpClient(s.url, { timeoutMs: 80, ...FAST }).postJson('/slow', {}));
    assert.match(err.message, /^POST \/slow: no answer within 80 ms/u);
  });

  it('retries a reset connection (socket destroyed) and succeeds', async () => {
    let n = 0;
    const s = await serve((x) => {
      n++;
      if (n === 1) {
        x.req.socket.destroy();
        return;
      }
      x.json(200, { n });
    });
    assert.deepEqual(await new HttpClient(s.url, FAST).postJson('/x', {}), { n: 2 });
  });

  it('retries JSON whose body was cut off, but not a stream that already delivered events', async () => {
    let n = 0;
    const s = await serve((x) => {
      n++;
      if (x.path === '/json' && n === 1) {
        x.res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        x.res.write('{"partial":');
        setTimeout(() => x.req.socket.destroy(), 10);
        return;
      }
      if (x.path === '/json') return x.json(200, { n });
      x.res.writeHead(200, { 'content-type': 'text/event-stream' });
      x.res.write('data: {"a":1}\n\n');
      setTimeout(() => x.req.socket.destroy(), 10);
    });
    const c = new HttpClient(s.url, FAST);
    assert.deepEqual(await c.postJson('/json', {}), { n: 2 });
    const err = await rejects(c.postSse('/sse', {}, () => undefined));
    assert.match(err.message, /^POST \/sse: the stream broke off after 1 event: /u);
    assert.equal(s.requests.filter((r) => r.path === '/sse').length, 1);
  });

  it('gives up on a server that is gone, naming the connection error', async () => {
    const s = await startServer((x) => x.json(200, {}));
    const c = new HttpClient(s.url, { retries: 2, ...FAST });
    await c.getJson('/ok');
    await s.close();
    const err = await rejects(c.getJson('/ok'));
    assert.match(err.message, /^GET \/ok: connection refused \(ECONNREFUSED\) after 3 tries$/u);
    assert.match(err.describe(), /is the server running/u);
  });

  it('never has more requests in flight than its limit', async () => {
    const s = await serve(async (x) => {
      await x.wait(15);
      x.json(200, {});
    });
    const c = new HttpClient(s.url, { concurrency: 3 });
    await Promise.all(Array.from({ length: 20 }, () => c.postJson('/x', {})));
    assert.equal(s.requests.length, 20);
    assert.equal(s.maxInFlight, 3);
  });

  it('cancels requests in flight and waiting at once', async () => {
    const s = await serve(async (x) => {
      await x.wait(5000);
      x.json(200, {});
    });
    const c = new HttpClient(s.url, { concurrency: 2 });
    const ac = new AbortController();
    const calls = Array.from({ length: 5 }, () => c.postJson('/x', {}, { signal: ac.signal }).then(() => 'ok', (e: Error) => e.name));
    while (s.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    ac.abort();
    assert.deepEqual(await Promise.all(calls), Array(5).fill('AbortError'));
    assert.ok(performance.now() - t0 < 1000);
    while (s.aborted < 2) await new Promise((r) => setTimeout(r, 5));
    assert.equal(s.requests.length, 2, 'the waiting calls never reached the server');
  });

  it('reads SSE events up to [DONE] and reports a truncated stream', async () => {
    const s = await serve((x) => {
      x.res.writeHead(200, { 'content-type': 'text/event-stream' });
      x.res.write(': ping\r\n\r\ndata: {"a":1}\r\n\r\ndata: line1\ndata: line2\n\n');
      if (x.path === '/full') x.res.write('data: [DONE]\n\n');
      x.res.end();
    });
    const c = new HttpClient(s.url, FAST);
    const seen: string[] = [];
    assert.equal(await c.postSse('/full', {}, (d) => void seen.push(d)), undefined);
    assert.deepEqual(seen, ['{"a":1}', 'line1\nline2']);
    const err = await rejects(c.postSse('/cut', {}, () => undefined));
    assert.match(err.message, /^POST \/cut: the stream ended before \[DONE\] after 2 events: the reply is truncated/u);
    // A payload that says it is complete may end without [DONE].
    assert.equal(await c.postSse('/cut', {}, (d) => d.startsWith('line')), undefined);
  });

  it('times out a stream that goes silent between chunks', async () => {
    const s = await serve(async (x) => {
      x.res.writeHead(200, { 'content-type': 'text/event-stream' });
      x.res.write('data: 1\n\n');
      await x.wait(40);
      x.res.write('data: 2\n\n');
      await x.wait(3000);
      x.res.end('data: [DONE]\n\n');
    });
    const seen: string[] = [];
    const err = await rejects(new HttpClient(s.url, { timeoutMs: 150, ...FAST }).postSse('/s', {}, (d) => void seen.push(d)));
    assert.deepEqual(seen, ['1', '2']);
    assert.match(err.message, /no answer within 150 ms/u);
  });
});

describe('SseParser', () => {
  it('splits events at blank lines over any chunking and line ending', () => {
    const text = 'data: a\r\ndata: b\r\n\r\n:comment\n\nevent: x\ndata:c\r\rdata: [DONE]\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const p = new SseParser();
      const events = [...p.feed(text.slice(0, cut)), ...p.feed(text.slice(cut))];
      assert.deepEqual(events, ['a\nb', 'c', '[DONE]'], `cut at ${cut}`);
      assert.equal(p.partial, false);
    }
  });

  it('keeps an unfinished event pending', () => {
    const p = new SseParser();
    assert.deepEqual(p.feed('data: {"x"'), []);
    assert.equal(p.partial, true);
  });
});
