/**
 * The HTTP layer every serving-engine client uses (vLLM, SGLang, TEI, OpenAI-compatible chat servers):
 * endpoint validation (https except on this machine), a concurrency limit shared by all calls of one
 * client, per-request and stream-idle timeouts, retries with exponential backoff on connection errors,
 * 429 and 503 (honouring `Retry-After`), cancellation, and errors that quote the method, the path, the
 * server's status and its own message — never the API key. Node-only: Node 20's built-in `fetch`.
 */
import { Limiter } from '../core/async/limiter.js';
import { SseParser } from './sse.js';

/** A validated server address. */
export interface Endpoint {
  /** `scheme://host[:port]`. */
  readonly origin: string;
  /** `host[:port]`, as shown in ids and messages. */
  readonly host: string;
  /**
   * The server root's path without a trailing slash or a trailing `/v1` (`''` for most servers,
   * `/proxy` behind a path-routing proxy). Routes are appended to it: `/v1/models`, `/pooling`.
   */
  readonly basePath: string;
  /** Whether the host is this machine (plain `http:` allowed). */
  readonly loopback: boolean;
}

/** Whether `hostname` (as `URL.hostname` spells it) is this machine: `localhost`, 127.0.0.0/8 or `::1`. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/u, '');
  if (h === 'localhost' || h === '[::1]' || h === '::1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/u.exec(h);
  return m !== null && m.slice(1).every((p) => Number(p) <= 255);
}

/**
 * Parses a server URL. `https:` is required unless the host is this machine, because the API key and every
 * prompt and response would otherwise cross the network in clear text. The URL may name the server root or
 * its `/v1` (both `http://127.0.0.1:8000` and `http://127.0.0.1:8000/v1` work). Throws an
 * {@link EndpointError} saying what is wrong.
 */
export function parseEndpoint(url: string): Endpoint {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new EndpointError(`"${url}" is not a URL; write the server's address, e.g. http://127.0.0.1:8000 or https://host/v1`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new EndpointError(`"${url}" is not an http(s) URL (scheme ${u.protocol})`);
  }
  if (u.username !== '' || u.password !== '') {
    throw new EndpointError('the endpoint URL must not carry a user name or password; give the API key as the key setting instead');
  }
  if (u.search !== '' || u.hash !== '') {
    throw new EndpointError(`the endpoint URL must not carry a query string or fragment ("${u.search}${u.hash}")`);
  }
  const loopback = isLoopbackHost(u.hostname);
  if (u.protocol === 'http:' && !loopback) {
    throw new EndpointError(
      `refusing plain http to ${u.host}: the API key and every prompt and response would travel in clear text. Use https://${u.host}${u.pathname === '/' ? '' : u.pathname} (plain http is allowed only for localhost, 127.0.0.0/8 and ::1)`,
    );
  }
  const basePath = u.pathname.replace(/\/+$/u, '').replace(/\/v1$/u, '');
  return { origin: u.origin, host: u.host, basePath, loopback };
}

/** Where an {@link EndpointError} happened and what the server said. */
export interface EndpointErrorDetails {
  readonly method?: string;
  /** The request path (base path included), never the query or the host's credentials. */
  readonly path?: string;
  /** The HTTP status, when the server answered. */
  readonly status?: number;
  /** The server's own message (OpenAI `error.message`, vLLM `message`/`detail`, TEI `error`, or the body's start). */
  readonly serverMessage?: string;
  /** A short suggestion shown by {@link EndpointError.describe}. */
  readonly hint?: string;
}

/** A failure talking to a serving engine. The message quotes method, path, status and the server's message. */
export class EndpointError extends Error {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly status: number | undefined;
  readonly serverMessage: string | undefined;
  readonly hint: string | undefined;

  constructor(message: string, details: EndpointErrorDetails = {}) {
    super(message);
    this.name = 'EndpointError';
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.serverMessage = details.serverMessage;
    this.hint = details.hint;
  }

  /** The message with the hint, for people. */
  describe(): string {
    return this.hint === undefined ? this.message : `${this.message} (${this.hint})`;
  }
}

/** An `AbortError`, as `fetch` and DOM's `AbortSignal` convention have it. */
export function abortError(): Error {
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** Whether `err` is an abort (ours or `fetch`'s). */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Settings of an {@link HttpClient}. */
export interface HttpClientOptions {
  /** Sent as `Authorization: Bearer <key>`; never written into messages. */
  readonly apiKey?: string | undefined;
  /** Requests in flight at once, over all calls of this client (default 8). */
  readonly concurrency?: number | undefined;
  /** Per-request timeout in ms; for streams, the longest silence between chunks (default 120 000). */
  readonly timeoutMs?: number | undefined;
  /** Retries after the first try on connection errors, 429 and 503 (default 4). */
  readonly retries?: number | undefined;
  /** First backoff delay in ms; doubles per retry, with jitter (default 500). */
  readonly retryBaseMs?: number | undefined;
  /** Longest wait before a retry, `Retry-After` included (default 30 000). */
  readonly retryMaxMs?: number | undefined;
}

/** Per-call settings. */
export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
  /** Overrides the client's timeout for this call. */
  readonly timeoutMs?: number | undefined;
  /** Overrides the client's retry count for this call (0: one try; probes use it). */
  readonly retries?: number | undefined;
}


/** Waits `ms`, or rejects with an AbortError as soon as `signal` fires. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const RETRY_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT']);
const CODE_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  EAI_AGAIN: 'name lookup failed (temporary)',
  ENOTFOUND: 'host not found',
  UND_ERR_SOCKET: 'the server closed the connection',
  UND_ERR_CLOSED: 'the connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
};

/** The network cause of a `fetch` failure (`TypeError: fetch failed` wraps it): its text, and whether to retry. */
function networkCause(err: unknown): { text: string; retry: boolean } {
  let e: unknown = err;
  let code: string | undefined;
  let text = err instanceof Error ? err.message : String(err);
  for (let depth = 0; depth < 6 && e instanceof Error; depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && code === undefined) code = c;
    if (e.message !== 'fetch failed' && e.message !== '') text = e.message;
    // An AggregateError (several addresses tried) holds its causes in `errors`.
    const inner = (e as { errors?: unknown }).errors;
    e = Array.isArray(inner) && inner.length > 0 ? inner[0] : (e as { cause?: unknown }).cause;
  }
  const hangUp = /socket hang up|other side closed|terminated/iu.test(text);
  const retry = (code !== undefined && RETRY_CODES.has(code)) || hangUp;
  const described = code !== undefined && CODE_TEXT[code] !== undefined ? `${CODE_TEXT[code]} (${code})` : text;
  return { text: described, retry };
}

/** The server's message from an error body: OpenAI, vLLM, FastAPI, TEI and SGLang shapes, else the text's start. */
export function serverMessageOf(body: string): string {
  const trimmed = body.trim();
  if (trimmed === '') return '(empty body)';
  try {
    const v = JSON.parse(trimmed) as unknown;
    if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      const err = o['error'];
      if (typeof err === 'object' && err !== null && typeof (err as Record<string, unknown>)['message'] === 'string') {
        return clip((err as Record<string, unknown>)['message'] as string);
      }
      if (typeof err === 'string') {
        const type = o['error_type'];
        return clip(typeof type === 'string' ? `${err} (${type})` : err);
      }
      if (typeof o['message'] === 'string') return clip(o['message']);
      const detail = o['detail'];
      if (typeof detail === 'string') return clip(detail);
      if (Array.isArray(detail)) {
        return clip(
          detail
            .map((d: unknown) => {
              const r = d as { msg?: unknown; loc?: unknown };
              const loc = Array.isArray(r.loc) ? r.loc.join('.') : '';
              return `${loc === '' ? '' : `${loc}: `}${typeof r.msg === 'string' ? r.msg : JSON.stringify(d)}`;
            })
            .join('; '),
        );
      }
    }
  } catch {
    // not JSON: quote the text
  }
  return clip(trimmed.replace(/\s+/gu, ' '));
}

function clip(s: string, n = 300): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/u.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** One HTTP exchange in progress: how the body is consumed, and whether a retry is still safe. */
interface Attempt {
  /** Restarts the timeout (a stream chunk arrived). */
  touch(): void;
  readonly signal: AbortSignal;
}

/** Thrown inside an attempt to end it without retrying. */
class Final extends Error {
  constructor(readonly error: unknown) {
    super('final');
  }
}

/**
 * An HTTP client for one server. All calls share one concurrency limit, so a whole dataset can be handed to
 * it at once and streams through the server's continuous batching without flooding it.
 */
export class HttpClient {
  readonly endpoint: Endpoint;
  private readonly apiKey: string | undefined;
  private readonly slots: Limiter;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly closing = new AbortController();

  constructor(endpoint: Endpoint | string, opts: HttpClientOptions = {}) {
    this.endpoint = typeof endpoint === 'string' ? parseEndpoint(endpoint) : endpoint;
    this.apiKey = opts.apiKey !== undefined && opts.apiKey !== '' ? opts.apiKey : undefined;
    const concurrency = opts.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new EndpointError(`concurrency must be a positive integer (got ${concurrency})`);
    this.slots = new Limiter(concurrency);
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.retries = opts.retries ?? 4;
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.retryMaxMs = opts.retryMaxMs ?? 30_000;
  }

  /** GET `path` (appended to the base path) and parse the JSON answer. */
  getJson(path: string, opts: RequestOptions = {}): Promise<unknown> {
    return this.exchange('GET', path, undefined, opts, async (res, _a, fail) => parseJson(await res.text(), fail));
  }

  /** POST `body` as JSON to `path` and parse the JSON answer. */
  postJson(path: string, body: unknown, opts: RequestOptions = {}): Promise<unknown> {
    return this.exchange('POST', path, body, opts, async (res, _a, fail) => parseJson(await res.text(), fail));
  }

  /**
   * POST `body` and read the answer as server-sent events: `onData` gets each event's data (not `[DONE]`)
   * and returns true once the payload says the reply is complete (a finish reason). The stream must end with
   * `[DONE]` or after such a completion; a stream that stops earlier is an {@link EndpointError} (truncated).
   * The timeout applies to each silence between chunks. A server that ignores `stream` and answers JSON:
   * the parsed JSON is returned (undefined after a stream). Connection failures are retried only before the
   * first event arrived.
   */
  postSse(path: string, body: unknown, onData: (data: string) => boolean | void, opts: RequestOptions = {}): Promise<unknown> {
    return this.exchange('POST', path, body, opts, async (res, attempt, fail) => {
      const type = res.headers.get('content-type') ?? '';
      if (type.includes('application/json')) return parseJson(await res.text(), fail);
      if (res.body === null) throw fail('the server sent no stream body');
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser();
      let events = 0;
      let complete = false;
      /** Feeds decoded text to the parser and its events to `onData`; true at `[DONE]`. */
      const deliver = (text: string): boolean => {
        for (const data of parser.feed(text)) {
          events++;
          if (data.trim() === '[DONE]') return true;
          try {
            if (onData(data) === true) complete = true;
          } catch (err) {
            throw new Final(err);
          }
        }
        return false;
      };
      try {
        for (;;) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (err) {
            // Before any event a retry is safe; after, the caller has already seen part of the reply.
            if (events === 0) throw err;
            throw new Final(fail(`the stream broke off after ${events} event${events === 1 ? '' : 's'}: ${networkCause(err).text}`));
          }
          if (chunk.done) break;
          attempt.touch();
          if (deliver(decoder.decode(chunk.value, { stream: true }))) return undefined;
        }
        if (deliver(decoder.decode())) return undefined;
      } finally {
        // Ends the body (a [DONE] may come before the server closes); a no-op on a finished stream.
        reader.cancel().catch(() => undefined);
      }
      if (complete && !parser.partial) return undefined;
      throw new Final(fail(`the stream ended before [DONE] after ${events} event${events === 1 ? '' : 's'}: the reply is truncated (the server stopped or the connection was cut)`));
    });
  }

  /** Aborts every request in flight and every wait; later calls reject with an AbortError. */
  close(): void {
    this.closing.abort();
  }

  private redact(s: string): string {
    return this.apiKey === undefined ? s : s.split(this.apiKey).join('[redacted]');
  }

  private error(method: string, path: string, what: string, details: Omit<EndpointErrorDetails, 'method' | 'path'> = {}): EndpointError {
    const serverMessage = details.serverMessage === undefined ? undefined : this.redact(details.serverMessage);
    return new EndpointError(this.redact(`${method} ${path}: ${what}`), { ...details, method, path, ...(serverMessage !== undefined ? { serverMessage } : {}) });
  }

  private backoff(attempt: number): number {
    const d = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** attempt);
    return Math.min(this.retryMaxMs, d / 2 + Math.random() * (d / 2));
  }

  private async exchange<T>(
    method: 'GET' | 'POST',
    route: string,
    body: unknown,
    opts: RequestOptions,
    consume: (res: Response, attempt: Attempt, fail: (what: string) => EndpointError) => Promise<T>,
  ): Promise<T> {
    const path = `${this.endpoint.basePath}${route}`;
    const url = `${this.endpoint.origin}${path}`;
    // One signal per call (not the shared ones), so thousands of queued calls add no listeners to a shared signal.
    const outer = AbortSignal.any(opts.signal === undefined ? [this.closing.signal] : [opts.signal, this.closing.signal]);
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const retries = opts.retries ?? this.retries;
    const headers: Record<string, string> = { accept: 'application/json, text/event-stream' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey !== undefined) headers['authorization'] = `Bearer ${this.apiKey}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const fail = (what: string): EndpointError => this.error(method, path, what);

    await this.slots.acquire(outer);
    try {
      for (let attemptNo = 0; ; attemptNo++) {
        const ac = new AbortController();
        let timedOut = false;
        let timer: NodeJS.Timeout | undefined;
        const touch = (): void => {
          if (timer !== undefined) clearTimeout(timer);
          timer = setTimeout(() => {
            timedOut = true;
            ac.abort();
          }, timeoutMs);
        };
        const onOuter = (): void => ac.abort();
        outer.addEventListener('abort', onOuter, { once: true });
        touch();
        let wait: number | undefined;
        let lastError: EndpointError;
        try {
          const res = await fetch(url, { method, headers, ...(payload !== undefined ? { body: payload } : {}), signal: ac.signal });
          if (res.ok) return await consume(res, { touch, signal: ac.signal }, fail);
          const text = await res.text();
          const serverMessage = serverMessageOf(text);
          const status = `HTTP ${res.status}${res.statusText !== '' ? ` ${res.statusText}` : ''}`;
          lastError = this.error(method, path, `${status}: ${serverMessage}`, { status: res.status, serverMessage, ...hintFor(res.status) });
          if (res.status !== 429 && res.status !== 503) throw new Final(lastError);
          const asked = retryAfterMs(res.headers.get('retry-after'));
          wait = asked === undefined ? undefined : Math.min(asked, this.retryMaxMs);
        } catch (err) {
          if (outer.aborted) throw abortError();
          if (timedOut) throw fail(`no answer within ${formatSeconds(timeoutMs)} (timeout${attemptNo > 0 ? ` on try ${attemptNo + 1}` : ''})`);
          if (err instanceof Final) throw err.error;
          if (err instanceof EndpointError) throw err;
          const cause = networkCause(err);
          lastError = this.error(method, path, `${cause.text}${attemptNo > 0 ? ` after ${attemptNo + 1} tries` : ''}`, {
            hint: `is the server running and reachable at ${this.endpoint.host}?`,
          });
          if (!cause.retry) throw lastError;
        } finally {
          if (timer !== undefined) clearTimeout(timer);
          outer.removeEventListener('abort', onOuter);
        }
        if (attemptNo >= retries) {
          throw attemptNo > 0 && lastError.status !== undefined ? this.error(method, path, `${lastError.message.slice(`${method} ${path}: `.length)} (after ${attemptNo + 1} tries)`, detailsOf(lastError)) : lastError;
        }
        await sleep(wait ?? this.backoff(attemptNo), outer);
      }
    } finally {
      this.slots.release();
    }
  }
}

function detailsOf(e: EndpointError): Omit<EndpointErrorDetails, 'method' | 'path'> {
  return { ...(e.status !== undefined ? { status: e.status } : {}), ...(e.serverMessage !== undefined ? { serverMessage: e.serverMessage } : {}), ...(e.hint !== undefined ? { hint: e.hint } : {}) };
}

function hintFor(status: number): { hint?: string } {
  if (status === 401 || status === 403) return { hint: 'the server refused the API key: check it, or whether this server needs one' };
  if (status === 404) return { hint: 'the server does not have this route or model: check the URL, the server kind and the model id' };
  if (status === 429) return { hint: 'the server is rate-limiting: lower the concurrency' };
  return {};
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

function parseJson(text: string, fail: (what: string) => EndpointError): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Final(fail(`malformed JSON from the server: ${JSON.stringify(clip(text, 120))}`));
  }
}
