// Loopback servers that speak the documented wire formats of vLLM (/v1/models, /tokenize, /pooling,
// /classify), SGLang (/get_model_info, /classify), TEI (/info, /predict) and OpenAI chat completions (JSON
// and SSE). Their answers are computed from the request text, so tests can compute the expected scores
// from the reference formulas on their own side.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the server saw it. */
export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
  /** `performance.now()` when the request's body had arrived. */
  readonly at: number;
}

/** A running loopback server. */
export interface FakeServer {
  readonly url: string;
  readonly port: number;
  readonly requests: Received[];
  /** Most requests handled at once. */
  readonly maxInFlight: number;
  /** Requests whose client went away before the answer was written. */
  readonly aborted: number;
  close(): Promise<void>;
}

/** What a route handler gets and may do. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly body: unknown;
  readonly path: string;
  json(status: number, value: unknown, headers?: Record<string, string>): void;
  /** Resolves after `ms`, or when the client goes away. */
  wait(ms: number): Promise<void>;
  /** Whether the client went away. */
  readonly gone: boolean;
}

/** A handler returns false for "no such route" (404). */
export type Handler = (x: Exchange) => Promise<boolean | void> | boolean | void;

/** Starts a server on 127.0.0.1, port 0. */
export async function startServer(handler: Handler): Promise<FakeServer> {
  const requests: Received[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let maxInFlight = 0;
  let aborted = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let done = false;
      let gone = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        inFlight--;
      };
      const waiters = new Set<() => void>();
      res.on('close', () => {
        if (!res.writableFinished) {
          gone = true;
          aborted++;
        }
        for (const w of waiters) w();
        finish();
      });
      res.on('finish', finish);
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text === '' ? undefined : (JSON.parse(text) as unknown);
      } catch {
        body = text;
      }
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push({ method: req.method ?? '', path: url.pathname, headers: req.headers, body, at: performance.now() });
      const x: Exchange = {
        req,
        res,
        body,
        path: url.pathname,
        json(status, value, headers = {}) {
          if (res.destroyed) return;
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(value));
        },
        wait(ms) {
          return new Promise((resolve) => {
            const t = setTimeout(() => {
              waiters.delete(done_);
              resolve();
            }, ms);
            const done_ = (): void => {
              clearTimeout(t);
              resolve();
            };
            waiters.add(done_);
          });
        },
        get gone() {
          return gone;
        },
      };
      Promise.resolve(handler(x))
        .then((handled) => {
          if (handled === false && !res.headersSent) x.json(404, { detail: 'Not Found' });
        })
        .catch((err: unknown) => {
          if (!res.headersSent) x.json(500, { error: { message: String(err) } });
        });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    get aborted() {
      return aborted;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- a fake tokenizer and chat template (ChatML, as Qwen's) ----

/** Deterministic, lossless tokenisation: specials, words, runs of spaces, newlines, single symbols. */
export function fakeTokens(text: string): string[] {
  const re = /<\|im_start\|>|<\|im_end\|>|<extra_0>|<\|quad_end\|>|ки|\n|[^\S\n]+|[A-Za-z0-9]+|[^A-Za-z0-9\s]/gu;
  return text.match(re) ?? [];
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** The fake tokenizer's vocabulary: specials by `ids`, others hashed into 200000–249999. */
export function fakeIds(tokens: readonly string[], ids: Readonly<Record<string, number>>): number[] {
  return tokens.map((t) => ids[t] ?? 200000 + (hash(t) % 50000));
}

/** The Qwen PRM's tokenizer: `<extra_0>` at 151651; a stock Qwen tokenizer has `<|quad_end|>` there instead. */
export const PRM_IDS: Readonly<Record<string, number>> = { '<|im_start|>': 151644, '<|im_end|>': 151645, '<extra_0>': 151651, ки: 12902 };
export const STOCK_QWEN_IDS: Readonly<Record<string, number>> = { '<|im_start|>': 151644, '<|im_end|>': 151645, '<|quad_end|>': 151651, '<extra_0>': 151665, ки: 12902 };

/** ChatML, as `apply_chat_template(messages, tokenize=False, add_generation_prompt=…)` writes it for Qwen. */
export function renderChatMl(messages: readonly { role: string; content: string }[], addGenerationPrompt: boolean): string {
  return messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') + (addGenerationPrompt ? '<|im_start|>assistant\n' : '');
}

/** The fake PRM's P(correct) for the text up to and including a read token: in (0, 1), deterministic. */
export function fakeProbability(textSoFar: string): number {
  return ((hash(textSoFar) % 997) + 1) / 999;
}

/** The fake ORM's raw reward for a whole input text. */
export function fakeReward(text: string): number {
  return (fakeProbability(`orm:${text}`) - 0.5) * 20;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Settings of {@link fakeVllm}. */
export interface FakeVllmOptions {
  readonly models?: readonly string[];
  /** The served tokenizer's special ids (default {@link PRM_IDS}). */
  readonly ids?: Readonly<Record<string, number>>;
  /** The launch-time pooler config: STEP with this step_tag_id (default 151651), or ALL. */
  readonly pooling?: { readonly type: 'STEP'; readonly stepTagId: number; readonly returnedTokenIds?: readonly [number, number] } | { readonly type: 'ALL' };
  /** Answers each request after this many ms. */
  readonly latencyMs?: number;
  /** Drops the last step vector of inputs containing this text (a server disagreeing on the step count). */
  readonly dropLastRowWhen?: string;
  /** Answers /pooling with an empty `data` list. */
  readonly emptyData?: boolean;
  /** No /tokenize route. */
  readonly noTokenize?: boolean;
  /** The model has no chat template (chat requests are refused like vLLM refuses them). */
  readonly noChatTemplate?: boolean;
  /** Refuses inputs longer than this many tokens with vLLM's context-length 400. */
  readonly maxModelLen?: number;
  /** Called first for every request; return true when it answered. */
  readonly intercept?: (x: Exchange) => Promise<boolean> | boolean;
}

/** A chat message as the fake servers read it. */
export type Msg = { role: string; content: string };

/** A vLLM-like server for pooling models (PRMs via /pooling, ORMs via /classify). */
export function fakeVllm(o: FakeVllmOptions = {}): Handler {
  const ids = o.ids ?? PRM_IDS;
  const pooling = o.pooling ?? { type: 'STEP', stepTagId: 151651 };
  const models = o.models ?? ['Qwen/Qwen2.5-Math-PRM-7B'];
  const textOf = (b: Record<string, unknown>, chatDefaultGenPrompt: boolean): string[] | string => {
    if (Array.isArray(b['messages'])) {
      if (o.noChatTemplate === true) return 'As of transformers v4.44, default chat template is no longer allowed, so you must provide a chat template if the tokenizer does not define one.';
      return [renderChatMl(b['messages'] as Msg[], (b['add_generation_prompt'] as boolean | undefined) ?? chatDefaultGenPrompt)];
    }
    const input = b['input'] ?? b['prompt'];
    return typeof input === 'string' ? [input] : (input as string[]);
  };
  return async (x) => {
    if (o.intercept !== undefined && (await o.intercept(x))) return true;
    if (o.latencyMs !== undefined) await x.wait(o.latencyMs);
    if (x.gone) return true;
    const b = (x.body ?? {}) as Record<string, unknown>;
    if (x.req.method === 'GET' && x.path === '/v1/models') {
      x.json(200, { object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'vllm' })) });
      return true;
    }
    if (x.req.method !== 'POST') return false;
    if (b['model'] !== undefined && !models.includes(b['model'] as string)) {
      x.json(404, { error: { message: `The model \`${String(b['model'])}\` does not exist.`, type: 'NotFoundError', code: 404 } });
      return true;
    }
    if (x.path === '/tokenize' && o.noTokenize !== true) {
      // TokenizeChatRequest defaults add_generation_prompt to true; the completion variant has no template.
      const texts = textOf(b, true);
      if (typeof texts === 'string') return x.json(400, { error: { message: texts, type: 'BadRequestError', code: 400 } });
      const tokens = fakeTokens(texts[0] ?? '');
      x.json(200, { count: tokens.length, max_model_len: 4096, tokens: fakeIds(tokens, ids), ...(b['return_token_strs'] === true ? { token_strs: tokens } : {}) });
      return true;
    }
    if (x.path === '/pooling') {
      if (b['task'] !== 'token_classify') return x.json(400, { error: { message: `Unsupported task: ${JSON.stringify(b['task'])}`, type: 'BadRequestError', code: 400 } });
      const texts = textOf(b, false);
      if (typeof texts === 'string') return x.json(400, { error: { message: texts, type: 'BadRequestError', code: 400 } });
      const data = texts.map((text, index) => {
        const tokens = fakeTokens(text);
        if (o.maxModelLen !== undefined && tokens.length > o.maxModelLen) return { error: tokens.length };
        const tokenIds = fakeIds(tokens, ids);
        const rows: number[][] = [];
        let soFar = '';
        tokens.forEach((t, i) => {
          soFar += t;
          const p = fakeProbability(soFar);
          if (pooling.type === 'ALL') rows.push([1 - p, p]);
          else if (tokenIds[i] === pooling.stepTagId) rows.push(pooling.returnedTokenIds !== undefined ? [p, 1 - p] : [1 - p, p]);
        });
        if (o.dropLastRowWhen !== undefined && text.includes(o.dropLastRowWhen)) rows.pop();
        return { index, object: 'pooling', data: rows };
      });
      const tooLong = data.find((d): d is { error: number } => 'error' in d);
      if (tooLong !== undefined) {
        return x.json(400, { error: { message: `This model's maximum context length is ${o.maxModelLen} tokens. However, your request has ${tooLong.error} input tokens.`, type: 'BadRequestError', code: 400 } });
      }
      x.json(200, { id: 'pool-1', object: 'list', created: 0, model: b['model'], data: o.emptyData === true ? [] : data, usage: { prompt_tokens: 1, total_tokens: 1, completion_tokens: 0 } });
      return true;
    }
    if (x.path === '/classify') {
      const texts = textOf(b, false);
      if (typeof texts === 'string') return x.json(400, { error: { message: texts, type: 'BadRequestError', code: 400 } });
      const raw = b['use_activation'] === false;
      const data = texts.map((text, index) => ({ index, label: 'LABEL_0', probs: [raw ? fakeReward(text) : sigmoid(fakeReward(text))], num_classes: 1 }));
      x.json(200, { id: 'classify-1', object: 'list', created: 0, model: b['model'], data, usage: { prompt_tokens: 1, total_tokens: 1 } });
      return true;
    }
    return false;
  };
}

/** An SGLang-like server for a reward model launched with `--is-embedding`. */
export function fakeSglang(modelPath = 'Skywork/Skywork-Reward-V2-Llama-3.1-8B'): Handler {
  return (x) => {
    const b = (x.body ?? {}) as Record<string, unknown>;
    if (x.req.method === 'GET' && x.path === '/get_model_info') {
      x.json(200, { model_path: modelPath, tokenizer_path: modelPath, is_generation: false, preferred_sampling_params: null, weight_version: 'default' });
      return true;
    }
    if (x.req.method === 'POST' && x.path === '/classify') {
      const texts = b['text'];
      const list = typeof texts === 'string' ? [texts] : (texts as string[]);
      x.json(200, list.map((t) => ({ embedding: [fakeReward(t)], meta_info: { id: 'x', prompt_tokens: 3 } })));
      return true;
    }
    return false;
  };
}

/** A TEI-like server for a sequence classifier. */
export function fakeTei(modelId = 'OpenAssistant/reward-model-deberta-v3-large-v2', maxBatch = 32): Handler {
  return (x) => {
    const b = (x.body ?? {}) as Record<string, unknown>;
    if (x.req.method === 'GET' && x.path === '/info') {
      x.json(200, { model_id: modelId, model_sha: null, model_dtype: 'float16', model_type: { classifier: { id2label: { '0': 'LABEL_0' }, label2id: { LABEL_0: 0 } } }, max_client_batch_size: maxBatch, max_input_length: 512 });
      return true;
    }
    if (x.req.method === 'POST' && x.path === '/predict') {
      const inputs = b['inputs'] as string[][];
      if (inputs.length > maxBatch) return x.json(422, { error: `batch size ${inputs.length} > maximum allowed batch size ${maxBatch}`, error_type: 'Validation' });
      const raw = b['raw_scores'] === true;
      x.json(
        200,
        inputs.map((pair) => {
          const r = fakeReward(pair.join('|'));
          return [{ score: raw ? r : sigmoid(r), label: 'LABEL_0' }];
        }),
      );
      return true;
    }
    return false;
  };
}

// ---- OpenAI chat completions ----

/** Settings of {@link fakeChat}. */
export interface FakeChatOptions {
  readonly models?: readonly string[];
  /** The thinking, sent in this field (or not split out). */
  readonly reasoningField?: 'reasoning' | 'reasoning_content';
  readonly reasoning?: string;
  /** Whether the logprob tokens cover the thinking too (vLLM does; the field split happens after). */
  readonly logprobsCoverReasoning?: boolean;
  /** Refuses logprobs with a 400 (LM Studio). */
  readonly rejectLogprobs?: boolean;
  /** Ends the stream after this many chunks, without finish or [DONE]. */
  readonly truncateAfter?: number;
  /**
   * The reply: a fixed text, or a function of the request's messages, its body and its 0-based number (the test
   * plays the model); `'disconnect'` drops the connection without an answer (a server going away). Default: derived
   * from the last message.
   */
  readonly reply?: string | ((messages: readonly Msg[], body: Record<string, unknown>, index: number) => string);
}

/** Splits text into the fake model's tokens. */
export function chatTokens(text: string): string[] {
  return text.match(/\s*[^\s]+|\s+/gu) ?? [];
}

/** The fake model's reply to a request: deterministic from its last message. */
export function fakeReply(messages: readonly Msg[]): string {
  const last = messages[messages.length - 1]?.content ?? '';
  return `Checked ${last.length} characters. Step 1 is \\boxed{correct}. Is the solution correct? Yes`;
}

/** The logprob the fake model gives token i. */
export function fakeLogprob(i: number): number {
  return -0.01 * (i + 1);
}

/** An OpenAI-compatible chat-completions server (vLLM-like; logprobs with top_logprobs; reasoning split). */
export function fakeChat(o: FakeChatOptions = {}): Handler {
  const models = o.models ?? ['launch/ThinkPRM-1.5B'];
  let calls = 0;
  return async (x) => {
    const b = (x.body ?? {}) as Record<string, unknown>;
    if (x.req.method === 'GET' && x.path === '/v1/models') {
      x.json(200, { object: 'list', data: models.map((id) => ({ id, object: 'model' })) });
      return true;
    }
    if (x.req.method !== 'POST' || x.path !== '/v1/chat/completions') return false;
    if (o.rejectLogprobs === true && b['logprobs'] === true) {
      x.json(400, { error: { message: 'logprobs is not supported by this server', type: 'invalid_request_error' } });
      return true;
    }
    const messages = b['messages'] as Msg[];
    let content = typeof o.reply === 'function' ? o.reply(messages, b, calls++) : (o.reply ?? fakeReply(messages));
    if (content === 'disconnect') {
      x.req.socket.destroy();
      return true;
    }
    const maxTokens = b['max_tokens'] as number;
    const reasoning = o.reasoningField !== undefined ? (o.reasoning ?? 'Let me think about it.') : '';
    // Raw output as the model writes it: thinking, </think>, then the answer (the split happens after).
    const rawText = reasoning !== '' ? `${reasoning}\n</think>\n\n${content}` : content;
    let tokens = chatTokens(rawText);
    let finish = 'stop';
    if (tokens.length > maxTokens) {
      tokens = tokens.slice(0, maxTokens);
      finish = 'length';
    }
    let raw = tokens.join('');
    const stops = (b['stop'] as string[] | undefined) ?? [];
    for (const s of stops) {
      const at = raw.indexOf(s, reasoning === '' ? 0 : reasoning.length);
      if (at >= 0) {
        // Like vLLM: the text is cut before the stop string; the token that completed it is still generated.
        let n = 0;
        let len = 0;
        while (n < tokens.length && len < at + s.length) len += (tokens[n++] ?? '').length;
        tokens = tokens.slice(0, n);
        raw = raw.slice(0, at);
        finish = 'stop';
      }
    }
    const split = reasoning !== '' && raw.includes('</think>') ? raw.indexOf('</think>') : -1;
    const reasoningText = split >= 0 ? raw.slice(0, split).replace(/\n$/u, '') : reasoning !== '' ? raw : '';
    content = split >= 0 ? raw.slice(split + '</think>'.length).replace(/^\n\n/u, '') : reasoning !== '' ? '' : raw;
    const covered = reasoning === '' || o.logprobsCoverReasoning === true ? tokens : chatTokens(content);
    const wantLogprobs = b['logprobs'] === true;
    const lp = (t: string, i: number): Record<string, unknown> => ({
      token: t,
      logprob: fakeLogprob(i),
      bytes: [...Buffer.from(t, 'utf8')],
      top_logprobs: [
        { token: t, logprob: fakeLogprob(i), bytes: null },
        { token: ' No', logprob: -3 },
        { token: ' Maybe', logprob: -4 },
        { token: ' A', logprob: -5 },
        { token: ' B', logprob: -6 },
      ],
    });
    const usage = { prompt_tokens: 11, completion_tokens: tokens.length, total_tokens: 11 + tokens.length };
    const field = o.reasoningField ?? 'reasoning';
    if (b['stream'] !== true) {
      x.json(200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: b['model'],
        choices: [{ index: 0, message: { role: 'assistant', content, ...(reasoningText !== '' ? { [field]: reasoningText } : {}) }, logprobs: wantLogprobs ? { content: covered.map(lp) } : null, finish_reason: finish }],
        usage,
      });
      return true;
    }
    x.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (v: unknown): void => {
      x.res.write(`data: ${JSON.stringify(v)}\n\n`);
    };
    x.res.write(': keep-alive\n\n');
    send({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] });
    // One chunk per token. Tokens that cover the thinking carry its text as reasoning deltas; the part of a
    // token that is neither thinking nor answer (`</think>`) is in no delta, only in the logprobs.
    const deltas: { delta: Record<string, string>; token?: string; i?: number }[] = [];
    if (reasoning !== '' && o.logprobsCoverReasoning !== true) {
      for (const t of chatTokens(reasoningText)) deltas.push({ delta: { [field]: t } });
      covered.forEach((t, i) => deltas.push({ delta: { content: t }, token: t, i }));
    } else {
      const contentStart = raw.length - content.length;
      let at = 0;
      covered.forEach((t, i) => {
        const s0 = at;
        const e0 = at + t.length;
        at = e0;
        const r = t.slice(0, Math.max(0, Math.min(e0, reasoningText.length) - s0));
        const c = t.slice(Math.max(0, contentStart - s0), Math.max(0, raw.length - s0));
        const delta: Record<string, string> = {};
        if (reasoning !== '' && r !== '') delta[field] = r;
        if (c !== '') delta['content'] = c;
        deltas.push({ delta, token: t, i });
      });
    }
    let chunks = 0;
    for (const d of deltas) {
      if (o.truncateAfter !== undefined && chunks >= o.truncateAfter) {
        x.res.end();
        return true;
      }
      chunks++;
      send({
        id: 'c',
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: d.delta, logprobs: wantLogprobs && d.token !== undefined ? { content: [lp(d.token, d.i ?? 0)] } : null, finish_reason: null }],
      });
      await new Promise((r) => setImmediate(r));
    }
    send({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finish }] });
    send({ id: 'c', object: 'chat.completion.chunk', choices: [], usage });
    x.res.write('data: [DONE]\n\n');
    x.res.end();
    return true;
  };
}

/** The user turns of a chat request, joined. */
export function userText(messages: readonly Msg[]): string {
  return messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
}

/**
 * ThinkPRM's output for the `Step i:` lines of a prompt: the first step where `isWrong(step)` gets `critiqueOf(step)`
 * and `\boxed{incorrect}`, every later step "follows an incorrect step" (as ThinkPRM was trained to write), then the
 * final `Is the solution correct? Yes|No`.
 */
export function thinkPrmReply(prompt: string, isWrong: (step: string) => boolean, critiqueOf: (step: string) => string): string {
  const steps = [...prompt.matchAll(/^Step (\d+): (.*)$/gmu)].map((m) => m[2] ?? '');
  let wrong = false;
  const parts = steps.map((step, i) => {
    if (!wrong && isWrong(step)) {
      wrong = true;
      return `Step ${i + 1}: ${critiqueOf(step)} \\boxed{incorrect}`;
    }
    return wrong ? `Step ${i + 1}: This follows an incorrect step. \\boxed{incorrect}` : `Step ${i + 1}: The arithmetic checks out. \\boxed{correct}`;
  });
  return `\n${parts.join('\n\n')}\n</think>\nIs the solution correct? ${wrong ? 'No' : 'Yes'}`;
}
