import type { Trace } from '../src/core/dataset/types.js';
import { parseDocument } from '../src/core/parseDocument.js';
import { PROBE_NAMES } from '../src/core/probes/perturbations.js';
import { perturbationsOf, probeOutcome, runProbes, type ProbeOutcome } from '../src/core/probes/runProbes.js';
import { requestsOf, type ScoringSettings } from '../src/core/scoring/scoreRecords.js';
import type { ScoreRequest, ScoreResult, Scorer } from '../src/core/scoring/scorer.js';
import { createBuiltinVerifier } from '../src/core/verifier/builtinVerifier.js';

const TRACES = 200;
const SETTINGS: ScoringSettings = { threshold: 0.5, aggregation: 'min', batchSize: 16 };

/** 200 generated arithmetic traces (TRL stepwise), 4 to 8 steps, each step one equation that holds. */
function generatedTraces(reference: boolean): Trace[] {
  const lines: string[] = [];
  for (let t = 0; t < TRACES; t++) {
    const n = 4 + (t % 5);
    let total = 3 + (t % 17);
    const completions = [`Step 1: We start with ${total} items.`];
    for (let k = 2; k < n; k++) {
      const add = 2 + ((t * 7 + k * 3) % 23);
      completions.push(`Step ${k}: Adding ${add} more gives ${total} + ${add} = ${total + add} items.`);
      total += add;
    }
    completions.push(`Step ${n}: The answer is: ${total}`);
    lines.push(JSON.stringify({ prompt: `Problem ${t}: how many items are there in the end?`, completions, labels: completions.map(() => true) }));
  }
  const traces = parseDocument(lines.join('\n'), 'bench.jsonl').records as Trace[];
  return reference ? traces.map((tr) => ({ ...tr, reference: tr.answer ?? '' })) : traces;
}

/** The baseline: each probe on its own, the original and the perturbed trace both scored, no cache. */
async function withoutCache(traces: readonly Trace[], scorer: Scorer): Promise<{ outcomes: ProbeOutcome[]; requests: number }> {
  const pairs = traces.flatMap((trace) => perturbationsOf(trace, PROBE_NAMES, 0).map((p) => ({ trace, p })));
  const requests: ScoreRequest[] = pairs.flatMap(({ trace, p }) => [trace, { ...trace, steps: p.steps.map((s, index) => ({ index, text: s.text, label: 'unknown' as const, part: s.part })), ...(p.answer !== undefined ? { answer: p.answer } : {}) }].map((t) => requestsOf(t)[0] as ScoreRequest));
  const results: ScoreResult[] = [];
  for (let b = 0; b < requests.length; b += SETTINGS.batchSize) results.push(...(await scorer.score(requests.slice(b, b + SETTINGS.batchSize))));
  const outcomes = pairs.map(({ trace, p }, i) => {
    const before = results[2 * i];
    const after = results[2 * i + 1];
    if (before === undefined || after === undefined) throw new Error('missing result');
    return probeOutcome(trace, p, before, after, SETTINGS);
  });
  return { outcomes, requests: requests.length };
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

/**
 * Probe figures: 200 generated arithmetic traces × the 7 probes with the built-in verifier. `traces_per_s` and
 * `cache_hit_rate` for the probe runner (originals shared, identical requests once, originals served as prefixes
 * of the restated traces), against the baseline that scores every (original, perturbed) pair per probe without a
 * cache, in the same run. The `with_reference` figures are for the same traces with a reference answer, where the
 * verifier's final-answer check rules out prefix reuse.
 */
export async function benchProbe(): Promise<Record<string, number>> {
  const scorer = createBuiltinVerifier();
  const traces = generatedTraces(false);
  const report = await runProbes(traces, scorer, SETTINGS);
  const baseline = await withoutCache(traces, scorer);
  // Same outcomes both ways, or the comparison means nothing.
  const ours = report.records.flatMap((r) => r.probes);
  if (JSON.stringify(ours) !== JSON.stringify(baseline.outcomes)) throw new Error('probe bench: cached and uncached outcomes differ');
  // Interleaved, best of 10 each, so both see the same JIT and GC state.
  let cachedMs = Number.POSITIVE_INFINITY;
  let baselineMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10; i++) {
    cachedMs = Math.min(cachedMs, await timed(() => runProbes(traces, scorer, SETTINGS)));
    baselineMs = Math.min(baselineMs, await timed(() => withoutCache(traces, scorer)));
  }
  const c = report.cache;
  const withRef = await runProbes(generatedTraces(true), scorer, SETTINGS);
  const r = withRef.cache;
  return {
    traces: TRACES,
    probes_run: ours.length,
    traces_per_s: round(TRACES / (cachedMs / 1000), 1),
    cache_hit_rate: round((c.cache_hits + c.prefix_hits) / c.lookups),
    requests_scored: c.requests,
    requests_without_cache: baseline.requests,
    request_ratio_vs_no_cache: round(c.requests / baseline.requests),
    baseline_traces_per_s: round(TRACES / (baselineMs / 1000), 1),
    ratio_vs_no_cache: round(baselineMs / cachedMs, 2),
    with_reference_cache_hit_rate: round((r.cache_hits + r.prefix_hits) / r.lookups),
    with_reference_requests_scored: r.requests,
  };
}
