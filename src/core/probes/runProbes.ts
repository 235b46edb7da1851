/**
 * Runs the perturbation probes (perturbations.ts) over traces with any scorer: each original is scored once, each
 * applicable perturbation once, through a cache (probeCache.ts) that never sends the same request twice and, for a
 * prefix-stable scorer, serves a request from a longer one it begins. Requests are built as `requestsOf` builds
 * them (prompt, chat turns, parts, answer, reference) and scores read as `assembleScored` reads them, so a probe
 * sees exactly what scoring the file shows.
 *
 * `ok` is decided by the touched step's score for step-local probes (`corrupt-number`, `filler`, `replace-answer`)
 * and by the trace score (the chosen aggregation, or an ORM's sequence score) for structural ones; a step-local
 * probe on a scorer without step scores falls back to the trace score. `down` is ok when the score fell by more
 * than {@link PROBE_TOLERANCE}; `not-up` when it rose by no more than that. A missing score (a judge that did not
 * judge the step) leaves `ok` null, and such results count in `traces` but not in `ok_fraction` or `mean_delta`.
 */
import { textHash } from '../editor/textHash.js';
import { seededRandom } from '../dataset/slicing.js';
import type { DatasetRecord, Step, Trace } from '../dataset/types.js';
import { abortError, assembleScored, requestsOf, type ScoringSettings } from '../scoring/scoreRecords.js';
import type { ScoreRequest, ScoreResult, Scorer } from '../scoring/scorer.js';
import { PERTURBATIONS, PROBE_NAMES, type Perturbation, type ProbeExpectation, type ProbeName } from './perturbations.js';
import { ProbeCache } from './probeCache.js';

/** Score changes within this are numerical noise (batched vs alone), not a move. */
export const PROBE_TOLERANCE = 1e-6;

/** One probe's result on one trace (the CLI's `--json` shape, hence snake_case). */
export interface ProbeOutcome {
  readonly probe: ProbeName;
  /** The touched step, 0-based (see perturbations.ts). */
  readonly step: number;
  /** The deciding score before and after (the touched step's or the trace's, per probe); null when missing. */
  readonly before: number | null;
  readonly after: number | null;
  /** `after − before`, or null when either is missing. */
  readonly delta: number | null;
  readonly expected: ProbeExpectation;
  /** Whether the score moved the right way; null when it cannot be told (a score is missing). */
  readonly ok: boolean | null;
  /** Which score `before`/`after` are. */
  readonly decided_by: 'step' | 'trace';
  /** The trace score before and after, whichever score decides. */
  readonly trace_before: number | null;
  readonly trace_after: number | null;
  /** What the probe changed, for people (untrusted text quoted from the trace). */
  readonly change: string;
}

/** A trace's probe results, in {@link PROBE_NAMES} order; probes that do not apply are absent. */
export interface ProbeRecordResult {
  readonly id: string;
  readonly probes: readonly ProbeOutcome[];
}

/** One probe over the whole run. */
export interface ProbeSummary {
  /** Traces the probe applied to. */
  readonly traces: number;
  /** Of those with both scores, the fraction where the score moved the right way; null when none had both. */
  readonly ok_fraction: number | null;
  /** Mean of the deltas that exist; null when none does. */
  readonly mean_delta: number | null;
}

/** How much scoring the cache saved. `lookups = requests + cache_hits + prefix_hits`. */
export interface ProbeCacheStats {
  /** Scorer requests the run needed (originals and perturbations). */
  readonly lookups: number;
  /** Requests sent to the scorer. */
  readonly requests: number;
  /** Served as the same request scored earlier (an original shared by probes, identical perturbations). */
  readonly cache_hits: number;
  /** Served as the first steps of a longer request (prefix-stable scorers only). */
  readonly prefix_hits: number;
}

/** The whole run: `{records, summary}` as the issue specifies, plus what was skipped and the cache counts. */
export interface ProbeReport {
  readonly records: readonly ProbeRecordResult[];
  /** Every probe that was run, in {@link PROBE_NAMES} order, even those that applied to no trace. */
  readonly summary: Readonly<Partial<Record<ProbeName, ProbeSummary>>>;
  /** Preference records are not probed. */
  readonly skipped: { readonly preferences: number };
  readonly cache: ProbeCacheStats;
}

/** Progress after each chunk of traces. */
export interface ProbeProgress {
  readonly done: number;
  readonly total: number;
}

/** What to probe with. */
export interface ProbeOptions {
  /** Probes to run (default all, in {@link PROBE_NAMES} order whatever the order given). */
  readonly probes?: readonly ProbeName[];
  /** Seed of every random choice (default 0); see {@link probeRandom}. */
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ProbeProgress) => void;
}

/**
 * The random source of one probe on one trace: seeded by the run's seed, the trace id and the probe name, so a
 * trace gets the same edit whatever else is in the file or which other probes run.
 */
export function probeRandom(seed: number, id: string, probe: ProbeName): () => number {
  const h = parseInt(textHash(`${id}\u0000${probe}`).slice(-8), 16);
  return seededRandom((seed ^ h) >>> 0);
}

/** The perturbations of a trace, in probe order (the inapplicable ones left out). */
export function perturbationsOf(trace: Trace, probes: readonly ProbeName[], seed: number): Perturbation[] {
  const out: Perturbation[] = [];
  for (const probe of PROBE_NAMES) {
    if (!probes.includes(probe)) continue;
    const p = PERTURBATIONS[probe](trace, probeRandom(seed, trace.id, probe));
    if (p !== undefined) out.push(p);
  }
  return out;
}

/** The perturbed trace as a record: steps renumbered, unlabelled, with no place in the file. */
function perturbedTrace(trace: Trace, p: Perturbation): Trace {
  const steps: Step[] = p.steps.map((s, index) => ({ index, text: s.text, label: 'unknown', part: s.part }));
  const { answer: _old, ...rest } = trace;
  return { ...rest, steps, ...(p.answer !== undefined ? { answer: p.answer } : {}) };
}

/**
 * Whether a scorer's step scores for `request` may be taken from a longer request's: a prefix-stable step scorer,
 * and no `reference` (see `Scorer.prefixStable`).
 */
export function prefixReusable(scorer: Scorer, request: ScoreRequest): boolean {
  return scorer.prefixStable === true && scorer.granularity === 'step' && request.reference === undefined;
}

const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** The outcome of one perturbation, from the original's and the perturbed trace's results. */
export function probeOutcome(trace: Trace, p: Perturbation, before: ScoreResult, after: ScoreResult, settings: ScoringSettings): ProbeOutcome {
  const traceScore = (t: Trace, r: ScoreResult): number | null => {
    const scored = assembleScored(t, [r], settings);
    return scored.kind === 'trace' ? finite(scored.score) : null;
  };
  const traceBefore = traceScore(trace, before);
  const traceAfter = traceScore(perturbedTrace(trace, p), after);
  // Step-local probes keep step indices, so the touched step is the same index in both.
  const stepScores = p.scope === 'step' && before.steps.length > 0 && after.steps.length > 0;
  const x = stepScores ? finite(before.steps[p.step]?.score) : traceBefore;
  const y = stepScores ? finite(after.steps[p.step]?.score) : traceAfter;
  const delta = x === null || y === null ? null : y - x;
  const ok = delta === null ? null : p.expected === 'down' ? delta < -PROBE_TOLERANCE : delta <= PROBE_TOLERANCE;
  return { probe: p.probe, step: p.step, before: x, after: y, delta, expected: p.expected, ok, decided_by: stepScores ? 'step' : 'trace', trace_before: traceBefore, trace_after: traceAfter, change: p.change };
}

/** Per probe: traces, ok fraction and mean delta over `records` (see {@link ProbeSummary}). */
export function summarizeProbes(records: readonly ProbeRecordResult[], probes: readonly ProbeName[]): Partial<Record<ProbeName, ProbeSummary>> {
  const out: Partial<Record<ProbeName, ProbeSummary>> = {};
  for (const probe of PROBE_NAMES) {
    if (!probes.includes(probe)) continue;
    const results = records.flatMap((r) => r.probes.filter((o) => o.probe === probe));
    const decided = results.filter((o) => o.ok !== null);
    const deltas = results.map((o) => o.delta).filter((d): d is number => d !== null);
    out[probe] = {
      traces: results.length,
      ok_fraction: decided.length === 0 ? null : decided.filter((o) => o.ok === true).length / decided.length,
      mean_delta: deltas.length === 0 ? null : deltas.reduce((s, d) => s + d, 0) / deltas.length,
    };
  }
  return out;
}

/**
 * Probes every trace of `records` (preference records are skipped and counted). Traces are taken in chunks of
 * `settings.batchSize`; each chunk's requests go to the scorer in batches of `settings.batchSize`, the abort
 * signal checked before each batch (an abort rejects with an `AbortError`). Results keep the input order.
 */
export async function runProbes(records: readonly DatasetRecord[], scorer: Scorer, settings: ScoringSettings, options: ProbeOptions = {}): Promise<ProbeReport> {
  const probes = options.probes ?? PROBE_NAMES;
  const seed = options.seed ?? 0;
  const traces = records.filter((r): r is Trace => r.kind === 'trace');
  const cache = new ProbeCache((r) => prefixReusable(scorer, r));
  const out: ProbeRecordResult[] = [];
  const chunk = Math.max(1, settings.batchSize);
  for (let start = 0; start < traces.length; start += chunk) {
    const group = traces.slice(start, start + chunk);
    const work = group.map((trace) => {
      const perturbations = perturbationsOf(trace, probes, seed);
      return { trace, perturbations, requests: [trace, ...perturbations.map((p) => perturbedTrace(trace, p))].map((t) => requestsOf(t)[0] as ScoreRequest) };
    });
    // Traces with nothing to probe are not scored at all.
    const needed = work.filter((w) => w.perturbations.length > 0);
    const planned = cache.plan(needed.flatMap((w) => w.requests));
    for (let b = 0; b < planned.send.length; b += settings.batchSize) {
      if (options.signal?.aborted) throw abortError();
      const batch = planned.send.slice(b, b + settings.batchSize);
      const results = await scorer.score(batch, options.signal);
      planned.complete(results, b);
    }
    let at = 0;
    for (const w of work) {
      if (w.perturbations.length === 0) {
        out.push({ id: w.trace.id, probes: [] });
        continue;
      }
      const original = planned.result(at) ?? { steps: [], device: 'none' };
      const outcomes = w.perturbations.map((p, k) => probeOutcome(w.trace, p, original, planned.result(at + 1 + k) ?? { steps: [], device: 'none' }, settings));
      at += w.requests.length;
      out.push({ id: w.trace.id, probes: outcomes });
    }
    options.onProgress?.({ done: Math.min(traces.length, start + group.length), total: traces.length });
  }
  return {
    records: out,
    summary: summarizeProbes(out, probes),
    skipped: { preferences: records.length - traces.length },
    cache: { lookups: cache.lookups, requests: cache.requests, cache_hits: cache.hits, prefix_hits: cache.prefixHits },
  };
}
