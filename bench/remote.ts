// Serving-engine throughput: a loopback vLLM-like server answers every /pooling request after 50 ms (as a
// busy GPU server would, whatever the batch), and 200 traces are scored one request per trace, first with one
// request in flight, then with the client's default limit (8). With continuous batching on the server the
// concurrent run should approach limit × the sequential rate; `speedup` is that ratio (target ≥ 0.8 × limit).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScoreRequest } from '../src/core/scoring/scorer.js';
import { openServingScorer } from '../src/remote/servingScorer.js';

const TRACES = 200;
const LATENCY_MS = 50;
const LIMIT = 8;
const TAG = '<extra_0>';
const TAG_ID = 151651;

/** ChatML-rendered text of a pooling or tokenize request (enough of vLLM's behaviour for the scorer). */
function textOf(body: Record<string, unknown>): string {
  const messages = body['messages'];
  if (Array.isArray(messages)) return (messages as { role: string; content: string }[]).map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('');
  return typeof body['prompt'] === 'string' ? body['prompt'] : String(body['input']);
}

/** Starts the server; every answer waits `LATENCY_MS` (tokenize and the model list answer at once). */
async function startServer(): Promise<Server> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const body = (raw === '' ? {} : JSON.parse(raw)) as Record<string, unknown>;
      const answer = (value: unknown): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/v1/models') return answer({ object: 'list', data: [{ id: 'Qwen/Qwen2.5-Math-PRM-7B' }] });
      const text = textOf(body);
      const pieces = text.split(TAG);
      if (req.url === '/tokenize') {
        // One token per piece and one per tag: enough for the step tag checks.
        const tokens = pieces.flatMap((piece, i) => [...(i === 0 ? [] : [TAG_ID]), ...(piece === '' ? [] : [1])]);
        return answer({ count: tokens.length, max_model_len: 4096, tokens, token_strs: tokens.map((t) => (t === TAG_ID ? TAG : 'x')) });
      }
      setTimeout(() => answer({ object: 'list', model: body['model'], data: [{ index: 0, object: 'pooling', data: pieces.slice(1).map((_, i) => [0.1 + i * 0.01, 0.9 - i * 0.01]) }] }), LATENCY_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function traces(n: number): ScoreRequest[] {
  return Array.from({ length: n }, (_, i) => ({ prompt: `Problem ${i}: what is ${i} + ${i}?`, steps: Array.from({ length: 2 + (i % 5) }, (_, k) => `Step ${k + 1} of problem ${i}.`) }));
}

/** Traces per second over the server at `concurrency` requests in flight. */
async function rate(endpoint: string, concurrency: number, list: readonly ScoreRequest[]): Promise<number> {
  const scorer = await openServingScorer({ endpoint, preset: 'qwen2.5-math-prm', concurrency });
  try {
    await scorer.score(list.slice(0, 1)); // the step tag checks run before the first pooling request
    const t0 = process.hrtime.bigint();
    const results = await scorer.score(list);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (results.some((r) => r.steps.some((s) => Number.isNaN(s.score)))) throw new Error('bench server: a trace was not scored');
    return list.length / seconds;
  } finally {
    await scorer.dispose();
  }
}

/** The `remote` section of `npm run bench --silent -- --json`. */
export async function benchRemote(): Promise<{ sequential_traces_per_s: number; concurrent_traces_per_s: number; speedup: number; concurrency: number }> {
  const server = await startServer();
  try {
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const list = traces(TRACES);
    const sequential = await rate(endpoint, 1, list);
    const concurrent = await rate(endpoint, LIMIT, list);
    const round = (x: number): number => Math.round(x * 100) / 100;
    return { sequential_traces_per_s: round(sequential), concurrent_traces_per_s: round(concurrent), speedup: round(concurrent / sequential), concurrency: LIMIT };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
