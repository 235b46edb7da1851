import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { DatasetRecord, Trace } from '../../../../src/core/dataset/types.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { EMPTY_RESTATEMENT } from '../../../../src/core/probes/perturbations.js';
import { runProbes, summarizeProbes, type ProbeOutcome, type ProbeReport } from '../../../../src/core/probes/runProbes.js';
import { scoreRecords, type ScoringSettings } from '../../../../src/core/scoring/scoreRecords.js';
import type { ScoreRequest, ScoreResult, Scorer } from '../../../../src/core/scoring/scorer.js';
import { createBuiltinVerifier } from '../../../../src/core/verifier/builtinVerifier.js';

const EXAMPLES = resolve(__dirname, '../../../../examples');

/** Step score from a table (unknown text 0.2, the empty restatement 1.0); records every request it is sent. */
function tableScorer(table: Record<string, number>, options: { prefixStable?: true; sent?: ScoreRequest[][] } = {}): Scorer {
  return {
    id: 'table',
    description: 'table',
    granularity: 'step',
    ...(options.prefixStable ? { prefixStable: true as const } : {}),
    score: (requests, signal) => {
      if (signal?.aborted) return Promise.reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      options.sent?.push([...requests]);
      return Promise.resolve(requests.map((r): ScoreResult => ({ steps: r.steps.map((s) => ({ score: s === EMPTY_RESTATEMENT ? 1 : (table[s] ?? 0.2) })), device: 'test' })));
    },
    dispose: () => Promise.resolve(),
  };
}

/** TRL stepwise traces (every step labelled good). */
function traces(...rows: { prompt: string; completions: string[] }[]): Trace[] {
  const doc = parseDocument(rows.map((r) => JSON.stringify({ ...r, labels: r.completions.map(() => true) })).join('\n'), 'probe.jsonl');
  assert.deepEqual(doc.problems, []);
  return doc.records as Trace[];
}

const MEAN: ScoringSettings = { threshold: 0.5, aggregation: 'mean', batchSize: 16 };
const close = (a: number | null | undefined, b: number): boolean => a !== null && a !== undefined && Math.abs(a - b) < 1e-12;

describe('runProbes', () => {
  it('gives the documented JSON shape and a summary equal to the hand-computed one', async () => {
    const records = traces({ prompt: 'A', completions: ['2 + 2 = 4', 'So we have 4 apples.'] }, { prompt: 'B', completions: ['No math here.'] });
    const scorer = tableScorer({ '2 + 2 = 4': 0.8, 'So we have 4 apples.': 0.8, 'No math here.': 0.7 });
    const report = await runProbes(records, scorer, MEAN, { probes: ['empty-restatement', 'corrupt-number', 'duplicate-step'] });
    // Trace A (mean 0.8): corrupt-number step 1 0.8 → 0.2 (−0.6, ok); duplicate-step mean stays 0.8 (0, ok);
    // restatement (0.8 + 0.8 + 1) / 3 − 0.8 = +1/15 (rose: not ok).
    // Trace B (0.7): corrupt-number does not apply; duplicate 0 (ok); restatement (0.7 + 1) / 2 − 0.7 = +0.15 (not ok).
    assert.deepEqual(Object.keys(report.summary), ['corrupt-number', 'duplicate-step', 'empty-restatement']);
    assert.deepEqual(report.summary['corrupt-number'], { traces: 1, ok_fraction: 1, mean_delta: report.summary['corrupt-number']?.mean_delta });
    assert.ok(close(report.summary['corrupt-number']?.mean_delta, -0.6));
    assert.deepEqual([report.summary['duplicate-step']?.traces, report.summary['duplicate-step']?.ok_fraction], [2, 1]);
    assert.ok(close(report.summary['duplicate-step']?.mean_delta, 0));
    assert.equal(report.summary['empty-restatement']?.traces, 2);
    assert.equal(report.summary['empty-restatement']?.ok_fraction, 0);
    assert.ok(close(report.summary['empty-restatement']?.mean_delta, (1 / 15 + 0.15) / 2));

    const [a, b] = report.records;
    assert.equal(a?.id, records[0]?.id);
    assert.deepEqual(a?.probes.map((o) => o.probe), ['corrupt-number', 'duplicate-step', 'empty-restatement']);
    assert.deepEqual(b?.probes.map((o) => o.probe), ['duplicate-step', 'empty-restatement']);
    const corrupt = a?.probes[0] as ProbeOutcome;
    assert.deepEqual(Object.keys(corrupt).slice(0, 7), ['probe', 'step', 'before', 'after', 'delta', 'expected', 'ok']);
    assert.deepEqual([corrupt.step, corrupt.before, corrupt.after, corrupt.expected, corrupt.ok, corrupt.decided_by], [0, 0.8, 0.2, 'down', true, 'step']);
    assert.ok(close(corrupt.trace_before, 0.8) && close(corrupt.trace_after, 0.5));
    const restated = b?.probes[1] as ProbeOutcome;
    assert.deepEqual([restated.step, restated.decided_by, restated.ok], [1, 'trace', false]);
    assert.ok(close(restated.before, 0.7) && close(restated.after, 0.85) && close(restated.delta, 0.15));
  });

  it('summarizes ok fractions over decided results and mean deltas over existing ones', () => {
    const o = (probe: ProbeOutcome['probe'], delta: number | null, ok: boolean | null): ProbeOutcome => ({ probe, step: 0, before: delta === null ? null : 0.5, after: delta === null ? null : 0.5 + delta, delta, expected: 'down', ok, decided_by: 'step', trace_before: null, trace_after: null, change: '' });
    const summary = summarizeProbes(
      [
        { id: 'a', probes: [o('drop-step', -0.5, true), o('filler', 0.25, false)] },
        { id: 'b', probes: [o('drop-step', 0.1, false), o('filler', null, null)] },
        { id: 'c', probes: [o('drop-step', -0.2, true)] },
      ],
      ['drop-step', 'filler', 'swap-steps'],
    );
    // drop-step: 2 of 3 ok; mean of −0.5, 0.1, −0.2 = −0.2. filler: 2 traces, 1 decided (not ok), mean 0.25.
    assert.equal(summary['drop-step']?.traces, 3);
    assert.ok(close(summary['drop-step']?.ok_fraction, 2 / 3));
    assert.ok(close(summary['drop-step']?.mean_delta, -0.2));
    assert.deepEqual(summary['filler'], { traces: 2, ok_fraction: 0, mean_delta: 0.25 });
    assert.deepEqual(summary['swap-steps'], { traces: 0, ok_fraction: null, mean_delta: null });
  });

  it('scores each distinct request once: identical traces are served from the cache', async () => {
    const sent: ScoreRequest[][] = [];
    const row = { prompt: 'P', completions: ['first step', 'second step'] };
    const records = traces(row, row);
    const report = await runProbes(records, tableScorer({ 'first step': 0.9, 'second step': 0.6 }, { sent }), MEAN, { probes: ['empty-restatement', 'swap-steps'] });
    // Per trace: the original, the restatement and the swap. The second trace's three are the first's.
    assert.deepEqual(report.cache, { lookups: 6, requests: 3, cache_hits: 3, prefix_hits: 0 });
    assert.equal(sent.flat().length, 3);
    assert.deepEqual(report.records[0]?.probes, report.records[1]?.probes);
  });

  it('for a prefix-stable scorer, serves the original from the longer restated trace and never sends it', async () => {
    const sent: ScoreRequest[][] = [];
    const row = { prompt: 'P', completions: ['first step', 'second step'] };
    const report = await runProbes(traces(row, row), tableScorer({ 'first step': 0.9, 'second step': 0.6 }, { prefixStable: true, sent }), MEAN, { probes: ['empty-restatement', 'swap-steps'] });
    assert.deepEqual(report.cache, { lookups: 6, requests: 2, cache_hits: 3, prefix_hits: 1 });
    assert.deepEqual(
      sent.flat().map((r) => r.steps),
      [
        ['first step', 'second step', EMPTY_RESTATEMENT],
        ['second step', 'first step'],
      ],
    );
    // The original's scores, read from the restated trace's first two steps: mean 0.75.
    assert.ok(close(report.records[0]?.probes[0]?.trace_before, 0.75));
    // A reference may be checked against an answer in a later step: no prefix reuse then.
    const withRef = await runProbes([{ ...(traces(row)[0] as Trace), reference: '3' }], tableScorer({}, { prefixStable: true }), MEAN, { probes: ['empty-restatement'] });
    assert.deepEqual(withRef.cache, { lookups: 2, requests: 2, cache_hits: 0, prefix_hits: 0 });
  });

  it('with the built-in verifier, prefix reuse gives exactly the scores of scoring the originals directly', async () => {
    const verifier = createBuiltinVerifier();
    assert.equal(verifier.prefixStable, true);
    for (const name of ['trl-stepwise.jsonl', 'reasoning-chat.jsonl', 'processbench-style.json']) {
      const doc = parseDocument(readFileSync(join(EXAMPLES, name), 'utf8'), name);
      const settings: ScoringSettings = { threshold: 0.5, aggregation: 'mean', batchSize: 4 };
      const report = await runProbes(doc.records, verifier, settings);
      assert.ok(report.cache.prefix_hits > 0, `${name}: some originals come from a longer trace`);
      const c = report.cache;
      assert.equal(c.lookups, c.requests + c.cache_hits + c.prefix_hits);
      const direct = await scoreRecords(doc.records, verifier, settings);
      report.records.forEach((r, i) => {
        const scored = direct[i];
        assert.ok(scored?.kind === 'trace');
        for (const o of r.probes) assert.equal(o.trace_before, scored.score, `${name} ${r.id} ${o.probe}`);
      });
    }
  });

  it('the built-in verifier moves the right way (down) on every corrupt-number probe of the examples', async () => {
    let probed = 0;
    for (const name of ['trl-stepwise.jsonl', 'reasoning-chat.jsonl', 'processbench-style.json']) {
      const doc = parseDocument(readFileSync(join(EXAMPLES, name), 'utf8'), name);
      for (const seed of [0, 1, 2]) {
        const report = await runProbes(doc.records, createBuiltinVerifier(), { threshold: 0.5, aggregation: 'min', batchSize: 16 }, { probes: ['corrupt-number'], seed });
        for (const r of report.records) {
          for (const o of r.probes) {
            probed++;
            assert.equal(o.ok, true, `${name} ${r.id} seed ${seed}: ${o.change} moved ${o.before} → ${o.after}`);
            assert.equal(o.after, 0.05);
            assert.ok((o.trace_after ?? 1) <= (o.trace_before ?? 0));
          }
        }
      }
    }
    // Every example trace has an equation that holds (2 + 2 + 3 traces, 3 seeds).
    assert.equal(probed, 21);
  });

  it('skips and counts preference records', async () => {
    const doc = parseDocument(readFileSync(join(EXAMPLES, 'preferences.jsonl'), 'utf8'), 'preferences.jsonl');
    const mixed: DatasetRecord[] = [...doc.records, ...traces({ prompt: 'P', completions: ['a step'] })];
    const report = await runProbes(mixed, tableScorer({}), MEAN, { probes: ['filler'] });
    assert.deepEqual(report.skipped, { preferences: 2 });
    assert.equal(report.records.length, 1);
  });

  it('falls back to the trace score for a sequence scorer, which has no step scores', async () => {
    const orm: Scorer = {
      id: 'orm',
      description: 'orm',
      granularity: 'sequence',
      prefixStable: true,
      score: (requests) => Promise.resolve(requests.map((r) => ({ steps: [], sequenceScore: r.steps.join(' ').length, device: 'test' }))),
      dispose: () => Promise.resolve(),
    };
    const report = await runProbes(traces({ prompt: 'P', completions: ['Step 1: 2 + 3 = 5.', 'Done.'] }), orm, MEAN, { probes: ['corrupt-number', 'empty-restatement'] });
    const [corrupt, restated] = report.records[0]?.probes ?? [];
    // '5' → a number of one or two digits: the sequence score (text length) does not fall.
    assert.equal(corrupt?.decided_by, 'trace');
    assert.equal(corrupt?.before, 'Step 1: 2 + 3 = 5. Done.'.length);
    assert.equal(restated?.after, `Step 1: 2 + 3 = 5. Done. ${EMPTY_RESTATEMENT}`.length);
    // A sequence score is never served from a longer trace, even if the scorer claims prefix stability.
    assert.equal(report.cache.prefix_hits, 0);
  });

  it('sends batches of at most batchSize, reports progress, and stops on abort', async () => {
    const sent: ScoreRequest[][] = [];
    const rows = Array.from({ length: 5 }, (_, i) => ({ prompt: `P${i}`, completions: [`step a ${i}`, `step b ${i}`, `step c ${i}`] }));
    const progress: number[] = [];
    const report: ProbeReport = await runProbes(traces(...rows), tableScorer({}, { sent }), { threshold: 0.5, aggregation: 'min', batchSize: 3 }, { onProgress: (p) => progress.push(p.done) });
    assert.ok(sent.every((b) => b.length <= 3));
    assert.equal(sent.flat().length, report.cache.requests);
    assert.deepEqual(progress, [3, 5]);
    const controller = new AbortController();
    controller.abort();
    const calls: ScoreRequest[][] = [];
    await assert.rejects(runProbes(traces(...rows), tableScorer({}, { sent: calls }), MEAN, { signal: controller.signal }), { name: 'AbortError' });
    assert.equal(calls.length, 0);
  });
});
