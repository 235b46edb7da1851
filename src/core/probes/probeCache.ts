/**
 * The request cache of a probe run: the same request is never scored twice (every probe of a trace shares its
 * original; two probes can produce the same trace), and, for a prefix-stable scorer, a request whose steps begin a
 * request already scored or about to be is not sent at all: its scores are the first steps of the longer one's.
 *
 * Keys are hashes of the request's context (prompt, chat turns, answer, reference) and of its steps chained one
 * at a time (text and part): every field `requestsOf` sets on a trace's request, so two requests with one key are
 * scored alike. Every prefix of a request has a key without the prefix being built. A hit is checked against the
 * stored request's actual texts, so a hash collision costs a rescore, never a wrong score.
 */
import { textHash } from '../editor/textHash.js';
import type { ScoreRequest, ScoreResult } from '../scoring/scorer.js';

/** A request's context key: everything but the steps. */
function contextKey(r: ScoreRequest): string {
  return textHash(JSON.stringify([r.prompt, r.messages ?? null, r.answer ?? null, r.reference ?? null]));
}

/** The low 32 bits of a `textHash`, as the seed of the next hash in a chain. */
const seedOf = (hash: string): number => parseInt(hash.slice(-8), 16);

/**
 * The chained key of each prefix: `keys[k]` covers steps `0..k` (k + 1 steps). Each step's text is hashed once,
 * seeded by the hash of what precedes it (and its part), so no prefix string is ever built.
 */
function prefixKeys(r: ScoreRequest): string[] {
  const keys: string[] = [];
  let h = contextKey(r);
  r.steps.forEach((text, k) => {
    h = textHash(text, (seedOf(h) ^ (r.parts?.[k] === 'answer' ? 0x5bd1e995 : 0)) >>> 0);
    keys.push(`${k + 1}:${h}`);
  });
  return keys;
}

function samePrefix(short: ScoreRequest, long: ScoreRequest): boolean {
  if (short.prompt !== long.prompt || short.answer !== long.answer || short.reference !== long.reference) return false;
  if (JSON.stringify(short.messages ?? null) !== JSON.stringify(long.messages ?? null)) return false;
  if (short.steps.length > long.steps.length) return false;
  return short.steps.every((t, k) => t === long.steps[k] && short.parts?.[k] === long.parts?.[k]);
}

/** A request in the cache: scored by the scorer (`result`), or served by the first steps of `source`'s result. */
interface Entry {
  readonly request: ScoreRequest;
  result?: ScoreResult;
  readonly source?: Entry;
}

function resultOf(entry: Entry): ScoreResult | undefined {
  if (entry.result !== undefined) return entry.result;
  const from = entry.source === undefined ? undefined : resultOf(entry.source);
  // Only step scores carry over to a prefix: warnings and judge output belong to the longer request.
  return from === undefined ? undefined : { steps: from.steps.slice(0, entry.request.steps.length), device: from.device };
}

/** What `plan` decided for a list of requests. */
export interface PlannedRequests {
  /** The requests to send to the scorer, each once, longest first. */
  readonly send: readonly ScoreRequest[];
  /** Takes the scorer's results for `send[offset…]`, in the same order. */
  complete(results: readonly ScoreResult[], offset?: number): void;
  /** The result of the `i`-th planned request, once `complete` has run (and any earlier plan it reuses). */
  result(i: number): ScoreResult | undefined;
}

/**
 * The scored requests of one run, with honest counts: every planned request is one lookup, served as the same
 * request (`hits`), as a prefix of a longer one (`prefixHits`), or sent (`requests`).
 */
export class ProbeCache {
  /** Full-request key → entry. */
  private readonly exact = new Map<string, Entry>();
  /** Prefix key → the first entry planned with that prefix (only requests whose prefixes may be reused). */
  private readonly prefixes = new Map<string, Entry>();
  lookups = 0;
  hits = 0;
  prefixHits = 0;
  requests = 0;

  /**
   * @param prefixReusable whether a request's step scores may be taken from a longer request with the same
   *   context and first steps (see `Scorer.prefixStable`); when it says no, only identical requests are shared.
   */
  constructor(private readonly prefixReusable: (r: ScoreRequest) => boolean) {}

  /**
   * Decides which of `requests` must be scored. Longer requests are planned first, so a request that begins
   * another one planned in the same call is served by it rather than sent.
   */
  plan(requests: readonly ScoreRequest[]): PlannedRequests {
    const entries: Entry[] = new Array<Entry>(requests.length);
    const sent: Entry[] = [];
    const order = requests.map((r, i) => ({ r, i })).sort((a, b) => b.r.steps.length - a.r.steps.length || a.i - b.i);
    for (const { r, i } of order) {
      this.lookups++;
      const keys = prefixKeys(r);
      const full = keys[keys.length - 1] ?? `0:${contextKey(r)}`;
      const same = this.exact.get(full);
      if (same !== undefined && same.request.steps.length === r.steps.length && samePrefix(r, same.request)) {
        this.hits++;
        entries[i] = same;
        continue;
      }
      const reusable = r.steps.length > 0 && this.prefixReusable(r);
      const longer = reusable ? this.prefixes.get(full) : undefined;
      if (longer !== undefined && samePrefix(r, longer.request)) {
        this.prefixHits++;
        const entry: Entry = { request: r, source: longer };
        this.exact.set(full, entry);
        entries[i] = entry;
        continue;
      }
      const entry: Entry = { request: r };
      // On a hash collision the older entry keeps the key; this request is still scored.
      if (same === undefined) this.exact.set(full, entry);
      if (reusable) for (const k of keys) if (!this.prefixes.has(k)) this.prefixes.set(k, entry);
      entries[i] = entry;
      sent.push(entry);
      this.requests++;
    }
    return {
      send: sent.map((e) => e.request),
      complete: (results, offset = 0) => {
        results.forEach((r, k) => {
          const e = sent[offset + k];
          if (e !== undefined) e.result = r;
        });
      },
      result: (i) => {
        const e = entries[i];
        return e === undefined ? undefined : resultOf(e);
      },
    };
  }
}
