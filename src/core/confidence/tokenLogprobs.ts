/**
 * Token log-probabilities a record carries for its own response (OpenAI / vLLM chat completions `logprobs`,
 * Inspect logs' `output.choices[].logprobs`, Responses `output_text.logprobs`, legacy completions), read into a
 * compact form and matched to the trace's steps. Pure: no I/O, no editor.
 *
 * Units: log-probabilities are natural logs (nats), as every OpenAI-compatible server reports them. Offsets are
 * UTF-16 code units into the *generated text*: the text the tokens spell, in generation order. A step's text is a
 * substring of it; {@link StepTokenSpan} says where.
 */
import type { Step } from '../dataset/types.js';

/** The alternatives listed for each token (`top_logprobs`), flattened: token i's are entries `[starts[i], starts[i+1])`. */
export interface TokenAlternatives {
  /** Length: token count + 1, non-decreasing, `starts[0] = 0`. */
  readonly starts: readonly number[];
  /** The alternative tokens' text as the server wrote it (byte tokens may read `bytes:\xe2`); for display only. */
  readonly tokens: readonly string[];
  /** Their log-probabilities (nats). The sampled token itself is never among them (it is `logprobs[i]`). */
  readonly logprobs: readonly number[];
}

/** Where one step lies in the generated text, and the tokens that overlap it. */
export interface StepTokenSpan {
  /**
   * The step text the tokens were matched to (the step's own string, not a copy). A step whose text no longer equals
   * it (a what-if edit, a perturbation) has no tokens: see {@link stepTokenSpan}.
   */
  readonly text: string;
  /** The step's text is `generated.slice(start, end)`. */
  readonly start: number;
  readonly end: number;
  /**
   * Tokens `[firstToken, endToken)` overlap the step. A token that straddles two steps (`".\n\nThe"`) belongs to both;
   * a zero-length token (a byte that ends inside a character, a special token that decodes to nothing) belongs to the
   * step it sits in.
   */
  readonly firstToken: number;
  readonly endToken: number;
}

/**
 * A trace's token log-probabilities: number arrays rather than an object per token, so long traces stay small.
 * Token i spells `[offsets[i], offsets[i+1])` of the generated text.
 */
export interface TraceLogprobs {
  /** Length: token count + 1, non-decreasing, `offsets[0] = 0`; the last is the generated text's length. */
  readonly offsets: readonly number[];
  /** The sampled token's log-probability, per token (nats, ≤ 0). */
  readonly logprobs: readonly number[];
  /** Present when the record lists alternatives (`top_logprobs` ≥ 1) for some token. */
  readonly alternatives?: TokenAlternatives;
  /**
   * Indexed like `Trace.steps`: where each step sits in the generated text, or null for a step the tokens do not
   * cover (the reasoning, when a server reports log-probabilities for the visible content only).
   */
  readonly steps: readonly (StepTokenSpan | null)[];
}

/** A token stream read from a record, before it is matched to steps. */
export interface TokenStream {
  /** The generated text the tokens spell. */
  readonly text: string;
  /** As {@link TraceLogprobs.offsets}. */
  readonly offsets: readonly number[];
  readonly logprobs: readonly number[];
  readonly alternatives?: TokenAlternatives;
}

/**
 * One string of a response that steps were cut from (a reasoning field, a content string, a content part), with the
 * steps `[firstStep, endStep)` cut from it, in generation order. Each of those steps' texts is a substring of `text`,
 * in order.
 */
export interface LogprobPiece {
  readonly text: string;
  readonly firstStep: number;
  readonly endStep: number;
}

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A byte array (`bytes`: integers 0–255), or undefined. */
function byteArray(v: unknown): readonly number[] | undefined {
  if (!Array.isArray(v) || !v.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) return undefined;
  return v as number[];
}

/** UTF-8 bytes of a string (lone surrogates as U+FFFD, as TextEncoder does). */
export function utf8Bytes(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

/**
 * Decodes UTF-8 and maps every byte offset to the UTF-16 offset of the character it belongs to (a byte inside a
 * character maps to that character's start). An invalid or cut sequence decodes as U+FFFD per byte.
 * `charAt` has one entry per byte offset, the end included.
 */
export function decodeUtf8(bytes: readonly number[]): { readonly text: string; readonly charAt: readonly number[] } {
  const parts: string[] = [];
  const charAt: number[] = new Array<number>(bytes.length + 1);
  let chars = 0;
  let i = 0;
  const cont = (k: number): boolean => ((bytes[k] ?? 0) & 0xc0) === 0x80 && k < bytes.length;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    for (let k = 1; k < len; k++) if (!cont(i + k)) len = 0;
    let code = 0xfffd;
    if (len === 1) code = b;
    else if (len === 2) code = ((b & 0x1f) << 6) | ((bytes[i + 1] ?? 0) & 0x3f);
    else if (len === 3) code = ((b & 0x0f) << 12) | (((bytes[i + 1] ?? 0) & 0x3f) << 6) | ((bytes[i + 2] ?? 0) & 0x3f);
    else if (len === 4) code = ((b & 0x07) << 18) | (((bytes[i + 1] ?? 0) & 0x3f) << 12) | (((bytes[i + 2] ?? 0) & 0x3f) << 6) | ((bytes[i + 3] ?? 0) & 0x3f);
    if (len === 0 || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) {
      code = 0xfffd;
      len = 1;
    }
    for (let k = 0; k < len; k++) charAt[i + k] = chars;
    const ch = String.fromCodePoint(code);
    parts.push(ch);
    chars += ch.length;
    i += len;
  }
  charAt[bytes.length] = chars;
  return { text: parts.join(''), charAt };
}

/** One token as read: its text or bytes, its log-probability and its listed alternatives. */
interface RawToken {
  readonly token: string;
  readonly bytes: readonly number[] | undefined;
  readonly logprob: number;
  readonly top: readonly { readonly token: string; readonly logprob: number }[] | undefined;
}

/** `[{token, logprob, bytes?, top_logprobs?: [{token, logprob}]}]` → tokens, or a message naming the first bad item. */
function readItems(items: readonly unknown[]): RawToken[] | string {
  const out: RawToken[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isObject(item) || typeof item['token'] !== 'string' || typeof item['logprob'] !== 'number' || !Number.isFinite(item['logprob'])) {
      return `token ${i + 1} is not {"token": string, "logprob": number}`;
    }
    const topValue = item['top_logprobs'];
    const top = Array.isArray(topValue)
      ? topValue.flatMap((t) => (isObject(t) && typeof t['token'] === 'string' && typeof t['logprob'] === 'number' && Number.isFinite(t['logprob']) ? [{ token: t['token'], logprob: t['logprob'] }] : []))
      : undefined;
    out.push({ token: item['token'], bytes: byteArray(item['bytes']), logprob: item['logprob'], top });
  }
  return out;
}

/** Legacy completions: `{tokens, token_logprobs, top_logprobs: [{token: logprob}]}`. */
function readLegacy(v: JsonObject): RawToken[] | string {
  const tokens = v['tokens'];
  const lps = v['token_logprobs'];
  if (!Array.isArray(tokens) || !Array.isArray(lps) || tokens.length !== lps.length) return '"tokens" and "token_logprobs" are not lists of the same length';
  const tops = Array.isArray(v['top_logprobs']) ? v['top_logprobs'] : [];
  const out: RawToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token: unknown = tokens[i];
    const logprob: unknown = lps[i];
    if (typeof token !== 'string' || typeof logprob !== 'number' || !Number.isFinite(logprob)) return `token ${i + 1} has no string token and numeric log-probability`;
    const t: unknown = tops[i];
    const top = isObject(t) ? Object.entries(t).flatMap(([k, lp]) => (typeof lp === 'number' && Number.isFinite(lp) ? [{ token: k, logprob: lp }] : [])) : undefined;
    out.push({ token, bytes: undefined, logprob, top });
  }
  return out;
}

/**
 * Reads the token log-probabilities of one choice or content part. Accepts the chat-completions / Inspect object
 * `{content: [...]}`, a bare list of token objects (Responses `output_text.logprobs`), and the legacy completions
 * object `{tokens, token_logprobs, top_logprobs}`. Returns undefined when the record has none (absent, null, an empty
 * list: log-probabilities were not requested), and a message when they are malformed.
 *
 * The generated text is rebuilt from each token's `bytes` when the record gives them (a character split over two
 * tokens then decodes right, its first piece becoming a zero-length token), else from the token strings.
 * Alternatives equal to the sampled token's string are dropped (vLLM lists the sampled token beside the top k).
 */
export function readTokenStream(value: unknown): TokenStream | string | undefined {
  if (value === undefined || value === null) return undefined;
  let raw: RawToken[] | string;
  if (Array.isArray(value)) raw = readItems(value);
  else if (isObject(value) && Array.isArray(value['content'])) raw = readItems(value['content']);
  else if (isObject(value) && Array.isArray(value['tokens'])) raw = readLegacy(value);
  else if (isObject(value) && (value['content'] === null || value['content'] === undefined)) return undefined;
  else return 'expected {"content": [{"token", "logprob", "top_logprobs"}]} or a list of such tokens';
  if (typeof raw === 'string') return raw;
  if (raw.length === 0) return undefined;
  return buildStream(raw);
}

function buildStream(raw: readonly RawToken[]): TokenStream {
  const n = raw.length;
  const offsets = new Array<number>(n + 1);
  const logprobs = raw.map((t) => t.logprob);
  let text: string;
  if (raw.some((t) => t.bytes !== undefined)) {
    const bytes: number[] = [];
    const byteStarts: number[] = [];
    for (const t of raw) {
      byteStarts.push(bytes.length);
      for (const b of t.bytes ?? utf8Bytes(t.token)) bytes.push(b);
    }
    byteStarts.push(bytes.length);
    const decoded = decodeUtf8(bytes);
    text = decoded.text;
    for (let i = 0; i <= n; i++) offsets[i] = decoded.charAt[byteStarts[i] ?? bytes.length] ?? text.length;
  } else {
    let at = 0;
    for (let i = 0; i < n; i++) {
      offsets[i] = at;
      at += raw[i]?.token.length ?? 0;
    }
    offsets[n] = at;
    text = raw.map((t) => t.token).join('');
  }
  if (!raw.some((t) => t.top !== undefined && t.top.length > 0)) return { text, offsets, logprobs };
  const starts = [0];
  const tokens: string[] = [];
  const alts: number[] = [];
  for (const t of raw) {
    const seen = new Set<string>([t.token]);
    for (const a of t.top ?? []) {
      if (seen.has(a.token)) continue;
      seen.add(a.token);
      tokens.push(a.token);
      alts.push(a.logprob);
    }
    starts.push(tokens.length);
  }
  return { text, offsets, logprobs, alternatives: { starts, tokens, logprobs: alts } };
}

/** Several streams (one per content part) as one: texts joined, offsets shifted. */
export function concatStreams(streams: readonly TokenStream[]): TokenStream | undefined {
  if (streams.length <= 1) return streams[0];
  const offsets: number[] = [0];
  const logprobs: number[] = [];
  const hasAlts = streams.some((s) => s.alternatives !== undefined);
  const starts: number[] = [0];
  const tokens: string[] = [];
  const alts: number[] = [];
  let base = 0;
  for (const s of streams) {
    const n = s.logprobs.length;
    for (let i = 0; i < n; i++) {
      offsets.push(base + (s.offsets[i + 1] ?? 0));
      logprobs.push(s.logprobs[i] ?? 0);
      if (!hasAlts) continue;
      const a = s.alternatives;
      const from = a?.starts[i] ?? 0;
      const to = a?.starts[i + 1] ?? 0;
      for (let k = from; k < to; k++) {
        tokens.push(a?.tokens[k] ?? '');
        alts.push(a?.logprobs[k] ?? 0);
      }
      starts.push(tokens.length);
    }
    base += s.text.length;
  }
  const text = streams.map((s) => s.text).join('');
  return hasAlts ? { text, offsets, logprobs, alternatives: { starts, tokens, logprobs: alts } } : { text, offsets, logprobs };
}

/** The first token object of a log-probabilities value, for locating a problem at its `"token"` literal. */
export function firstTokenObject(value: unknown): object | undefined {
  const items = Array.isArray(value) ? value : isObject(value) && Array.isArray(value['content']) ? value['content'] : undefined;
  const first: unknown = items?.[0];
  return isObject(first) ? first : undefined;
}

/**
 * The token span of `trace.steps[index]`, or undefined when the trace has no log-probabilities, the step is not
 * covered, or its text is no longer the text the tokens were matched to (an edited copy of the trace).
 */
export function stepTokenSpan(trace: { readonly steps: readonly Step[]; readonly logprobs?: TraceLogprobs }, index: number): StepTokenSpan | undefined {
  const span = trace.logprobs?.steps[index];
  const step = trace.steps[index];
  return span === undefined || span === null || step === undefined || step.text !== span.text ? undefined : span;
}

/** Smallest i in [lo, hi) with `pred(i)` (pred monotone false → true), or hi. */
function firstWhere(lo: number, hi: number, pred: (i: number) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The tokens overlapping `[start, end)` of the generated text (see {@link StepTokenSpan}). */
export function tokensOverlapping(offsets: readonly number[], start: number, end: number): { readonly firstToken: number; readonly endToken: number } {
  const n = offsets.length - 1;
  const firstToken = firstWhere(0, n, (i) => (offsets[i + 1] ?? 0) > start || (offsets[i] ?? 0) >= start);
  const endToken = firstWhere(firstToken, n, (i) => (offsets[i] ?? 0) >= end);
  return { firstToken, endToken };
}

/** Where `piece` sits in `text` from `from` on: exactly, or with its surrounding whitespace trimmed. */
function findPiece(text: string, piece: string, from: number): number | undefined {
  const at = text.indexOf(piece, from);
  if (at !== -1) return at;
  const trimmed = piece.trim();
  if (trimmed.length === 0) return undefined;
  const t = text.indexOf(trimmed, from);
  // Offsets inside the piece keep counting from its untrimmed start.
  return t === -1 ? undefined : t - (piece.length - piece.trimStart().length);
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** A short, one-line quote of untrusted text for a message. */
function quote(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return JSON.stringify(one.length > 40 ? `${one.slice(0, 39)}…` : one);
}

/**
 * Matches a token stream to the steps cut from `pieces` (the response's strings in generation order). Each piece is
 * looked for in the generated text after the previous one (exactly, or trimmed), and each of its steps inside it, in
 * order. Pieces the tokens do not spell are allowed only *before* the first one they do (a server that reports the
 * visible content but not the reasoning), and not at all with `everyPiece` (each piece brought its own tokens); their
 * steps get null. Fails, with a message, when no piece with steps is found or a later piece is missing (the tokens
 * belong to another text).
 */
export function alignTokenStream(
  stream: TokenStream,
  pieces: readonly LogprobPiece[],
  steps: readonly Step[],
  everyPiece = false,
): { readonly logprobs: TraceLogprobs } | { readonly problem: string } {
  const spans: (StepTokenSpan | null)[] = steps.map(() => null);
  let cursor = 0;
  let covered = 0;
  for (const piece of pieces) {
    if (piece.endStep <= piece.firstStep) continue;
    const at = findPiece(stream.text, piece.text, cursor);
    if (at === undefined) {
      if (covered === 0 && !everyPiece) continue;
      return { problem: covered === 0 ? `the tokens do not spell ${quote(piece.text)}` : `the tokens spell the response's earlier text but not ${quote(piece.text)} after it` };
    }
    covered++;
    let local = 0;
    for (let s = piece.firstStep; s < piece.endStep; s++) {
      const step = steps[s];
      if (step === undefined) continue;
      const pos = piece.text.indexOf(step.text, local);
      if (pos === -1) continue;
      local = pos + step.text.length;
      const start = at + pos;
      const end = start + step.text.length;
      spans[s] = { text: step.text, start, end, ...tokensOverlapping(stream.offsets, start, end) };
    }
    cursor = Math.max(cursor, at + piece.text.length);
  }
  if (covered === 0) {
    const last = [...pieces].reverse().find((p) => p.endStep > p.firstStep);
    const hint = last === undefined ? '' : ` (they read ${quote(stream.text.slice(0, 40))}; the response's text ${quote(last.text.slice(0, 40))}, differing from character ${commonPrefix(stream.text, last.text) + 1})`;
    return { problem: `the tokens spell none of the response's text${hint}` };
  }
  const logprobs: TraceLogprobs = {
    offsets: stream.offsets,
    logprobs: stream.logprobs,
    ...(stream.alternatives !== undefined ? { alternatives: stream.alternatives } : {}),
    steps: spans,
  };
  return { logprobs };
}

/**
 * Reads and aligns a record's log-probabilities for one response in one go (what the format parsers call). Returns
 * nothing when the record carries none, the aligned logprobs, or a warning sentence (the caller locates it) when
 * they are malformed or spell another text; the trace is then read without them. With several `streams` (one per
 * content part), `pieces` are those parts, one each, and every one must be spelled by its tokens.
 */
export function readResponseLogprobs(
  streams: readonly unknown[],
  pieces: readonly LogprobPiece[],
  steps: readonly Step[],
): { readonly logprobs?: TraceLogprobs; readonly warning?: string } {
  const read: TokenStream[] = [];
  for (const v of streams) {
    const s = readTokenStream(v);
    if (typeof s === 'string') return { warning: `Token log-probabilities are malformed (${s}); confidence is not shown for this response.` };
    if (s !== undefined) read.push(s);
  }
  const stream = concatStreams(read);
  if (stream === undefined) return {};
  const aligned = alignTokenStream(stream, pieces, steps, streams.length > 1);
  if ('problem' in aligned) return { warning: `Token log-probabilities cannot be matched to the steps: ${aligned.problem}; confidence is not shown for this response.` };
  return { logprobs: aligned.logprobs };
}
