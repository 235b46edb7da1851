// Dashboard views for the renderer and browser tests, built by the real core (assembleScored → evalReport →
// dashboardData; score --out rows → compareRuns/compareScatter) over synthetic scored records. Nothing here is an
// expected number: tests read the figures back from the same view they rendered.
import { seededRandom } from '../../../src/core/dataset/slicing.js';
import type { StepLabel } from '../../../src/core/dataset/types.js';
import { compareRuns, pairRuns, runRowOf, type RunRow } from '../../../src/core/metrics/compareRuns.js';
import { evalReport } from '../../../src/core/report/evalReport.js';
import { scoreRecordJson } from '../../../src/core/report/jsonReports.js';
import { compareScatter } from '../../../src/core/report/plots/compareScatter.js';
import { dashboardData } from '../../../src/core/report/plots/dashboardData.js';
import { DEFAULT_SCORING, type ScoredRecord } from '../../../src/core/scoring/scoreRecords.js';
import type { CompareView, DashboardView } from '../../../src/protocol/dashboardMessages.js';
import { scoredPreference, scoredTrace } from '../core/report/plots/builders.js';

/** Markup and controls that must stay text. */
export const HOSTILE_IMG = '<img src=x onerror=alert(1)>';
export const HOSTILE_SCRIPT = '</script><script>alert(2)</script>';
export const BIDI_OVERRIDE = '\u202E';

const PB_SUBSETS = ['gsm8k', 'math', 'olympiadbench', 'omnimath'] as const;

/**
 * ProcessBench-like traces, eight samples per prompt: step labels good until the labelled first error, then bad;
 * scores high on good steps and low on bad ones with noise, so the model both agrees and disagrees. With
 * `hostile`, the first three traces carry markup and a bidi override in their ids and contradict their labels
 * confidently, so they head the disagreement queue.
 */
export function scoredTraces(n: number, seed: number, options: { readonly hostile?: boolean } = {}): ScoredRecord[] {
  const rand = seededRandom(seed);
  const out: ScoredRecord[] = [];
  for (let i = 0; i < n; i++) {
    const steps = 2 + Math.floor(rand() * 10);
    const firstBad = rand() < 0.45 ? -1 : Math.floor(rand() * steps);
    const scored: (readonly [number, StepLabel])[] = Array.from({ length: steps }, (_, s) => {
      const label: StepLabel = firstBad !== -1 && s >= firstBad ? 'bad' : rand() < 0.08 ? 'neutral' : 'good';
      const base = label === 'bad' ? 0.3 : label === 'neutral' ? 0.55 : 0.78;
      const score = Math.min(1, Math.max(0, base + (rand() - 0.5) * 0.7));
      return [score, label] as const;
    });
    // Eight samples per prompt, prompts spread over the subsets.
    const subset = PB_SUBSETS[Math.floor(i / 8) % PB_SUBSETS.length] ?? 'gsm8k';
    out.push(scoredTrace(scored, { prompt: `${subset} problem ${Math.floor(i / 8)}`, label: firstBad, correct: firstBad === -1 ? rand() < 0.9 : rand() < 0.15, id: `${subset}-${i}` }));
  }
  if (options.hostile === true) {
    const ids = [`gsm8k-${HOSTILE_IMG}`, `math-${HOSTILE_SCRIPT}`, `math-${BIDI_OVERRIDE}gnp.exe`];
    ids.forEach((id, k) => {
      // Labelled correct throughout, scored near zero at step 1: the most confident contradiction possible.
      out[k] = scoredTrace([[0.001 * k, 'good'], [0.9, 'good'], [0.95, 'good']], { prompt: `hostile ${k}`, label: -1, correct: true, id });
    });
  }
  return out;
}

/** Preference sets of every kind: RewardBench pairs (plus a hostile subset name), RewardBench 2 best-of-4, RM-Bench 3×3. */
export function scoredPreferences(seed: number): ScoredRecord[] {
  const rand = seededRandom(seed);
  const out: ScoredRecord[] = [];
  const subsets = ['alpacaeval-easy', 'mt-bench-med', 'mt-bench-hard', 'llmbar-adver-neighbor', 'refusals-dangerous', 'xstest-should-respond', 'donotanswer', 'math-prm', 'hep-python', `${HOSTILE_IMG}${BIDI_OVERRIDE}`];
  subsets.forEach((subset, s) => {
    for (let i = 0; i < 30; i++) {
      const skill = 0.2 + 0.06 * s;
      out.push(scoredPreference([rand() + skill], [rand()], { subset, id: `${subset}-${i}` }));
    }
  });
  for (const subset of ['Factuality', 'Math', 'Safety', 'Ties']) {
    for (let i = 0; i < 20; i++) out.push(scoredPreference([rand() + 0.3], [rand(), rand(), rand()], { comparison: 'best-of-n', subset, id: `rb2-${subset}-${i}` }));
  }
  for (const subset of ['chat', 'math', 'code', 'safety-refuse']) {
    for (let i = 0; i < 25; i++) {
      const chosen = [0, 1, 2].map((k) => rand() + 0.25 - 0.1 * k);
      const rejected = [0, 1, 2].map((k) => rand() + 0.05 * k);
      out.push(scoredPreference(chosen, rejected, { comparison: 'matrix3x3', subset, id: `rm-${subset}-${i}` }));
    }
  }
  // A tie and an unscored pair, so the margin histogram's side counts are not all zero.
  out.push(scoredPreference([0.5], [0.5], { subset: 'math-prm', id: 'tie-0' }), scoredPreference([undefined], [0.2], { subset: 'math-prm', id: 'unscored-0' }));
  return out;
}

/** A view of `scored` as the host builds it: its report, its plots, and each queue entry's record index. */
export function dashboardView(file: string, format: string, scored: readonly ScoredRecord[], records = scored.length): DashboardView {
  const data = dashboardData(evalReport({ format }, scored, DEFAULT_SCORING, 'synthetic-prm-1.5b'), scored);
  const disagreementRecords = data.disagreements.kind === 'notApplicable' ? [] : data.disagreements.entries.map((e) => e.recordIndex);
  return { file, data, coverage: { records, scored: scored.length }, disagreementRecords };
}

/** A record as its `score --out` line reads back (the CLI's own JSON), in file `file`. */
const runRows = (scored: readonly ScoredRecord[], file: string): RunRow[] =>
  scored.flatMap((s) => {
    const row = runRowOf({ ...scoreRecordJson(s), file });
    return typeof row === 'string' ? [] : [row];
  });

/** `scored`'s traces scored again by a second, noisier model that scores lower; preference sets are left out. */
function rescored(scored: readonly ScoredRecord[], seed: number): ScoredRecord[] {
  const rand = seededRandom(seed);
  return scored.flatMap((s) => {
    if (s.kind !== 'trace') return [];
    const steps = s.steps.map((st, i) => [Math.min(1, Math.max(0, st.score - 0.06 + (rand() - 0.5) * 0.4)), s.record.steps[i]?.label ?? 'unknown'] as const);
    const label = s.record.metadata['label'];
    return [scoredTrace(steps, { prompt: s.record.prompt, id: s.record.id, ...(typeof label === 'number' ? { label } : {}), ...(s.record.correct !== undefined ? { correct: s.record.correct } : {}) })];
  });
}

/**
 * Two runs over the same traces (B rescored lower and noisier), B missing every 17th record: the comparison the
 * host would attach, with each disagreement's record index found by id.
 */
export function compareView(scoredA: readonly ScoredRecord[], seed: number): CompareView {
  const a = runRows(scoredA, 'data.jsonl');
  const b = runRows(rescored(scoredA, seed), 'data.jsonl').filter((_, i) => i % 17 !== 5);
  const report = compareRuns(a, b, { top: 15 });
  const indexOf = new Map(scoredA.map((s, i) => [s.record.id, i]));
  return {
    nameA: 'synthetic-prm-1.5b',
    nameB: `prm-7b ${HOSTILE_IMG}${BIDI_OVERRIDE}`,
    report,
    scatter: compareScatter(pairRuns(a, b)),
    disagreementRecords: report.disagreements.map((d) => indexOf.get(d.id) ?? null),
  };
}
