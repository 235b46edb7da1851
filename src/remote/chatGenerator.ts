/**
 * Generative judges on an OpenAI-compatible chat-completions server (vLLM, SGLang, llama.cpp, Ollama,
 * LM Studio, TGI): a {@link TextGenerator} over `POST /v1/chat/completions`, streamed by default, with
 * per-token log-probabilities when the server gives them. FORMATS.md Part D §5.3.
 */
import type { GeneratedToken, GenerationProgress, GenerationRequest, GenerationResult, TextGenerator, TokenAlternative } from '../core/judges/generation.js';
import { EndpointError, HttpClient, parseEndpoint } from './httpClient.js';

/** How to reach the judge's server. */
export interface ChatGeneratorOptions {
  /** Server URL, with or without `/v1`. `https:` unless this machine. */
  readonly endpoint: string;
  /** Model id to ask for; default: the server's only model, or its first with a {@link ChatGenerator.note}. */
  readonly model?: string | undefined;
  readonly apiKey?: string | undefined;
  /** Requests in flight at once (default 8). */
  readonly concurrency?: number | undefined;
  /** Request timeout in ms; when streaming, the longest silence between chunks (default 120 000). */
  readonly timeoutMs?: number | undefined;
  /** Stream replies as server-sent events (default true): progress as it is written, and an idle timeout instead of a total one. */
  readonly stream?: boolean | undefined;
  /** Ask for `logprobs` with 5 `top_logprobs` (default true); turned off for good when the server rejects them. */
  readonly logprobs?: boolean | undefined;
  /** Retries on connection errors, 429 and 503 (default 4), and the backoff's first and longest delay in ms. */
  readonly retries?: number | undefined;
  readonly retryBaseMs?: number | undefined;
  readonly retryMaxMs?: number | undefined;
}

/** A {@link TextGenerator} on a chat-completions server, with what the server lists. */
export interface ChatGenerator extends TextGenerator {
  /** The model id requests name. */
  readonly model: string;
  /** The server's model ids (`GET /v1/models`); just {@link model} when it was given. */
  readonly models: readonly string[];
  /** Set when the model was picked from several the server lists. */
  readonly note: string | undefined;
}

const TOP_LOGPROBS = 5;

/** One generated token as the server reports it, with its raw UTF-8 bytes when given. */
export interface RawToken {
  readonly token: GeneratedToken;
  readonly bytes: readonly number[] | undefined;
}

/**
 * Opens a judge on an OpenAI-compatible server. Without `model` it asks `GET /v1/models` and takes the only
 * model (or the first, with a note). Throws an {@link EndpointError} when the server cannot be reached.
 */
export async function openChatGenerator(opts: ChatGeneratorOptions): Promise<ChatGenerator> {
  const endpoint = parseEndpoint(opts.endpoint);
  const client = new HttpClient(endpoint, {
    apiKey: opts.apiKey,
    concurrency: opts.concurrency,
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    retryBaseMs: opts.retryBaseMs,
    retryMaxMs: opts.retryMaxMs,
  });
  let model = opts.model !== undefined && opts.model !== '' ? opts.model : undefined;
  let models: readonly string[] = model === undefined ? [] : [model];
  let note: string | undefined;
  if (model === undefined) {
    try {
      models = modelIds(await client.getJson('/v1/models'));
    } catch (err) {
      client.close();
      throw err;
    }
    if (models.length === 0) {
      client.close();
      throw new EndpointError(`GET ${endpoint.basePath}/v1/models: the server lists no models; name one with the model setting`);
    }
    model = models[0] ?? '';
    if (models.length > 1) note = `${endpoint.host} serves ${models.length} models (${models.join(', ')}); using the first, ${model}. Name another with the model setting.`;
  }
  const chosen = model;
  const stream = opts.stream ?? true;
  let logprobs = opts.logprobs ?? true;
  const path = '/v1/chat/completions';

  const run = async (request: GenerationRequest, withLogprobs: boolean, signal: AbortSignal | undefined, onProgress: ((p: GenerationProgress) => void) | undefined): Promise<GenerationResult> => {
    const body = requestBody(chosen, request, withLogprobs, stream);
    const reply = new ReplyState(endpoint.basePath + path);
    const answer = stream
      ? await client.postSse(path, body, (data) => reply.chunk(parseChunk(data, endpoint.basePath + path), onProgress), { signal })
      : await client.postJson(path, body, { signal });
    if (answer !== undefined) reply.whole(answer);
    return reply.result(chosen, endpoint.host);
  };

  return {
    id: `${endpoint.host}${endpoint.basePath}/${chosen}`,
    description: `${chosen} at ${endpoint.host}${endpoint.basePath} (OpenAI-compatible chat completions)`,
    model: chosen,
    models,
    note,
    get hasLogprobs(): boolean {
      return logprobs;
    },
    async generate(request, o = {}) {
      const withLogprobs = logprobs;
      try {
        return await run(request, withLogprobs, o.signal, o.onProgress);
      } catch (err) {
        // LM Studio and some other servers reject logprobs: retry once without, and stop asking.
        if (withLogprobs && err instanceof EndpointError && err.status === 400 && /logprob/iu.test(err.serverMessage ?? err.message)) {
          logprobs = false;
          return run(request, false, o.signal, o.onProgress);
        }
        throw err;
      }
    },
    dispose() {
      client.close();
      return Promise.resolve();
    },
  };
}

/** The ids of an OpenAI-style model list (`{"data": [{"id": …}]}`). */
export function modelIds(list: unknown): string[] {
  const data = (list as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return [];
  return data.map((m: unknown) => (m as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string');
}

/** The chat-completions request body. */
export function requestBody(model: string, r: GenerationRequest, logprobs: boolean, stream: boolean): Record<string, unknown> {
  const messages: { role: string; content: string }[] = r.messages.map((m) => ({ role: m.role, content: m.content }));
  const body: Record<string, unknown> = { model, messages, max_tokens: r.maxTokens, temperature: r.temperature ?? 0 };
  if (r.assistantPrefix !== undefined && r.assistantPrefix !== '') {
    // vLLM / SGLang extensions: continue the final assistant message instead of opening a new turn.
    messages.push({ role: 'assistant', content: r.assistantPrefix });
    body['continue_final_message'] = true;
    body['add_generation_prompt'] = false;
  }
  if (r.topP !== undefined) body['top_p'] = r.topP;
  if (r.seed !== undefined) body['seed'] = r.seed;
  if (r.stop !== undefined && r.stop.length > 0) body['stop'] = [...r.stop];
  if (logprobs) {
    body['logprobs'] = true;
    body['top_logprobs'] = TOP_LOGPROBS;
  }
  if (stream) {
    body['stream'] = true;
    body['stream_options'] = { include_usage: true };
  }
  return body;
}

function parseChunk(data: string, path: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    throw new EndpointError(`POST ${path}: malformed JSON in the stream: ${JSON.stringify(data.slice(0, 120))}`, { method: 'POST', path });
  }
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** An error object inside a 200 answer or a stream (`{"error": {...}}`, vLLM's `{"object": "error", "message"}`). */
function embeddedError(v: Obj, path: string): EndpointError | undefined {
  const e = v['error'];
  const message = str(obj(e)?.['message']) ?? str(e) ?? (v['object'] === 'error' ? str(v['message']) : undefined);
  return message === undefined ? undefined : new EndpointError(`POST ${path}: the server reported an error: ${message}`, { method: 'POST', path, serverMessage: message });
}

/** The thinking text of a message or delta: `reasoning` (vLLM now, Ollama) or `reasoning_content` (earlier vLLM, llama.cpp). */
function reasoningOf(m: Obj | undefined): string {
  return str(m?.['reasoning']) ?? str(m?.['reasoning_content']) ?? '';
}

function logprobTokens(choice: Obj): RawToken[] {
  const content = obj(choice['logprobs'])?.['content'];
  if (!Array.isArray(content)) return [];
  const out: RawToken[] = [];
  for (const item of content) {
    const t = obj(item);
    if (t === undefined) continue;
    const top: TokenAlternative[] = [];
    if (Array.isArray(t['top_logprobs'])) {
      for (const a of t['top_logprobs']) {
        const alt = obj(a);
        const token = str(alt?.['token']);
        const logprob = alt?.['logprob'];
        if (token !== undefined && typeof logprob === 'number') top.push({ token, logprob });
      }
    }
    const bytes = Array.isArray(t['bytes']) && t['bytes'].every((b) => typeof b === 'number') ? (t['bytes'] as number[]) : undefined;
    const logprob = typeof t['logprob'] === 'number' ? t['logprob'] : Number.NaN;
    out.push({ token: { text: str(t['token']) ?? '', logprob, top }, bytes });
  }
  return out;
}

/** A reply being assembled from stream chunks or one JSON answer. */
class ReplyState {
  constructor(private readonly path: string) {}

  content = '';
  reasoning = '';
  tokens: RawToken[] = [];
  sawLogprobs = false;
  finish: string | undefined;
  promptTokens: number | undefined;
  completionTokens: number | undefined;
  private deltas = 0;

  /** One stream chunk; true once it carries the finish reason. */
  chunk(v: unknown, onProgress: ((p: GenerationProgress) => void) | undefined): boolean {
    const o = obj(v);
    if (o === undefined) return false;
    const err = embeddedError(o, this.path);
    if (err !== undefined) throw err;
    this.usage(o);
    const choices = o['choices'];
    const choice = Array.isArray(choices) ? obj(choices[0]) : undefined;
    if (choice === undefined) return false;
    const delta = obj(choice['delta']);
    const r = reasoningOf(delta);
    const c = str(delta?.['content']) ?? '';
    this.reasoning += r;
    this.content += c;
    const lp = logprobTokens(choice);
    if (lp.length > 0 || obj(choice['logprobs']) !== undefined) this.sawLogprobs = true;
    this.tokens.push(...lp);
    if (r !== '' || c !== '') {
      this.deltas++;
      onProgress?.({ delta: r + c, tokens: this.sawLogprobs ? this.tokens.length : this.deltas });
    }
    const finish = str(choice['finish_reason']);
    if (finish !== undefined) this.finish = finish;
    return finish !== undefined;
  }

  /** A whole (non-streamed) answer. */
  whole(v: unknown): void {
    const path = this.path;
    const o = obj(v);
    if (o === undefined) throw new EndpointError(`POST ${path}: the answer is not a JSON object`, { method: 'POST', path });
    const err = embeddedError(o, path);
    if (err !== undefined) throw err;
    this.usage(o);
    const choices = o['choices'];
    const choice = Array.isArray(choices) ? obj(choices[0]) : undefined;
    if (choice === undefined) throw new EndpointError(`POST ${path}: the answer has no choices`, { method: 'POST', path });
    const message = obj(choice['message']);
    this.content = str(message?.['content']) ?? '';
    this.reasoning = reasoningOf(message);
    this.tokens = logprobTokens(choice);
    this.sawLogprobs = obj(choice['logprobs']) !== undefined;
    this.finish = str(choice['finish_reason']);
  }

  private usage(o: Obj): void {
    const u = obj(o['usage']);
    if (u === undefined) return;
    if (typeof u['prompt_tokens'] === 'number') this.promptTokens = u['prompt_tokens'];
    if (typeof u['completion_tokens'] === 'number') this.completionTokens = u['completion_tokens'];
  }

  result(model: string, host: string): GenerationResult {
    const { text, tokens } = assembleReply(this.content, this.reasoning, this.sawLogprobs ? this.tokens : undefined);
    return {
      text,
      finish: this.finish === 'length' ? 'length' : 'stop',
      ...(tokens !== undefined ? { tokens } : {}),
      model,
      device: host,
      ...(this.promptTokens !== undefined ? { promptTokens: this.promptTokens } : {}),
      ...(this.completionTokens !== undefined ? { completionTokens: this.completionTokens } : {}),
    };
  }
}

/**
 * Builds a reply's `text` and `tokens` so that the tokens' texts concatenate to the text (the
 * {@link GeneratedToken} contract). The rule:
 * 1. No thinking split out: the text is `content`.
 * 2. Thinking split out (`reasoning` / `reasoning_content`) and the log-prob tokens cover it too (their texts
 *    hold the reasoning, then end with the content): the text is the raw generated text, reasoning then
 *    content, exactly as the tokens spell it (e.g. `…reasoning</think>\n\ncontent`).
 * 3. Otherwise the text is `<think>\n{reasoning}\n</think>\n\n{content}`, and tokens that only cover the
 *    content are dropped (they cannot be made to match without inventing a token).
 * Token texts are taken as the server wrote them, or rebuilt from their UTF-8 `bytes` when those are given and
 * the strings do not add up (a character split over tokens). Tokens past the end of the text (a stop string
 * the server cut from the content) are dropped, and a token that straddles the end is cut there.
 */
export function assembleReply(content: string, reasoning: string, raw: readonly RawToken[] | undefined): { text: string; tokens?: GeneratedToken[] } {
  const joined = reasoning === '' ? content : `<think>\n${reasoning}\n</think>\n\n${content}`;
  if (raw === undefined) return { text: joined };
  for (const texts of tokenTextVariants(raw)) {
    const all = texts.join('');
    let target: string | undefined;
    if (reasoning === '') {
      target = content;
    } else {
      const at = all.lastIndexOf(content);
      if (at >= 0 && all.slice(0, at).includes(reasoning.trim())) target = all.slice(0, at + content.length);
    }
    if (target === undefined || !all.startsWith(target)) continue;
    const tokens = cutTokens(raw, texts, target.length);
    return { text: target, tokens };
  }
  return { text: joined };
}

/** The token texts as given, then (when every token has bytes) as decoded from the bytes. */
function tokenTextVariants(raw: readonly RawToken[]): string[][] {
  const variants = [raw.map((t) => t.token.text)];
  if (raw.length > 0 && raw.every((t) => t.bytes !== undefined)) {
    const decoder = new TextDecoder();
    const decoded = raw.map((t) => decoder.decode(Uint8Array.from(t.bytes ?? []), { stream: true }));
    const tail = decoder.decode();
    if (decoded.length > 0) decoded[decoded.length - 1] += tail;
    variants.push(decoded);
  }
  return variants;
}

/** The tokens (with `texts`) that spell the first `length` characters, the last one cut to fit. */
function cutTokens(raw: readonly RawToken[], texts: readonly string[], length: number): GeneratedToken[] {
  const out: GeneratedToken[] = [];
  let at = 0;
  for (let i = 0; i < raw.length && at < length; i++) {
    const text = texts[i] ?? '';
    const keep = text.slice(0, length - at);
    const token = raw[i]?.token;
    if (token !== undefined) out.push({ ...token, text: keep });
    at += keep.length;
  }
  return out;
}
