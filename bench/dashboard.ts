import type { DatasetRecord, ParsedDocument } from '../src/core/dataset/types.js';
import { parseDocument } from '../src/core/parseDocument.js';
import { evalReport } from '../src/core/report/evalReport.js';
import { dashboardData } from '../src/core/report/plots/dashboardData.js';
import { assembleScored, DEFAULT_SCORING, type ScoredRecord } from '../src/core/scoring/scoreRecords.js';
import { loadHtmlReport } from '../src/cli/htmlReport.js';

const RECORDS = 100_000;

/**
 * 100k records: ProcessBench-like traces with first-error labels and final-answer flags (four samples per problem,
 * so best-of-N applies), and chosen/rejected pairs in RewardBench sections; every fifth record is a pair.
 */
function generate(): ParsedDocument {
  let seed = 987654321;
  const rand = (k: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % k;
  };
  const traces: string[] = [];
  const pairs: string[] = [];
  const sections = ['alpacaeval-easy', 'mt-bench-hard', 'refusals-dangerous', 'xstest-should-respond', 'math-prm', 'hep-python'];
  for (let i = 0; i < RECORDS; i++) {
    if (i % 5 === 4) {
      pairs.push(JSON.stringify({ id: `pair-${i}`, prompt: `Question ${i}`, chosen: `Answer ${i} = ${i}.`, chosen_model: 'a', rejected: `Answer ${i} = ${i + 1}.`, rejected_model: 'b', subset: sections[rand(sections.length)] }));
    } else {
      const steps = Array.from({ length: 3 + rand(8) }, (_, k) => `Step ${k + 1}: ${i} + ${k} = ${i + k}.`);
      const label = rand(3) === 0 ? -1 : rand(steps.length);
      traces.push(JSON.stringify({ id: `trace-${i}`, problem: `Problem ${Math.floor(i / 5)}`, steps, final_answer_correct: label === -1, label }));
    }
  }
  const a = parseDocument(`${traces.join('\n')}\n`, 'bench-processbench.jsonl');
  const b = parseDocument(`${pairs.join('\n')}\n`, 'bench-rewardbench.jsonl');
  return { format: `${a.format}+${b.format}`, records: [...a.records, ...b.records], problems: [] };
}

/** Deterministic step scores, low after a trace's labelled first error more often than not. */
function score(records: readonly DatasetRecord[]): ScoredRecord[] {
  let seed = 42;
  const u = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  return records.map((record) => {
    const stepsOf = (n: number, bad: number): { score: number }[] => Array.from({ length: n }, (_, k) => ({ score: k >= bad && u() < 0.7 ? u() * 0.5 : 0.4 + u() * 0.6 }));
    if (record.kind === 'trace') {
      const bad = record.steps.findIndex((s) => s.label === 'bad');
      return assembleScored(record, [{ steps: stepsOf(record.steps.length, bad === -1 ? Infinity : bad), device: 'bench' }], DEFAULT_SCORING);
    }
    return assembleScored(
      record,
      record.responses.map((r) => ({ steps: stepsOf(1, r.chosen ? (u() < 0.2 ? 0 : Infinity) : u() < 0.8 ? 0 : Infinity), device: 'bench' })),
      DEFAULT_SCORING,
    );
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/**
 * The Evaluate Dataset dashboard over 100k scored records: the host's pre-binning (`dashboardData`) plus drawing
 * the whole standalone page through linkedom (dist/htmlReport.js, as `eval --html` does), median of 5 runs.
 * Baseline: `JSON.stringify` of the scored records' scores (what a naive host would post to the webview).
 * The page's size is reported too: it must not grow with the number of records.
 */
export function benchDashboard(): Record<string, number> {
  const renderer = loadHtmlReport(__dirname);
  if ('missing' in renderer) throw new Error(renderer.missing);
  const doc = generate();
  const scored = score(doc.records);
  const report = evalReport(doc, scored, DEFAULT_SCORING, 'bench');
  const coverage = { records: doc.records.length, scored: scored.length };
  const data: number[] = [];
  const render: number[] = [];
  const total: number[] = [];
  const baseline: number[] = [];
  let bytes = 0;
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    const view = { file: 'bench.jsonl', coverage, data: dashboardData(report, scored) };
    const t1 = performance.now();
    bytes = renderer.renderHtmlReport(view).length;
    const t2 = performance.now();
    data.push(t1 - t0);
    render.push(t2 - t1);
    total.push(t2 - t0);
    const b0 = performance.now();
    const json = JSON.stringify(scored.map((s) => (s.kind === 'trace' ? { id: s.record.id, score: s.score, steps: s.steps.map((x) => x.score) } : { id: s.record.id, margin: s.margin })));
    baseline.push(performance.now() - b0);
    if (json.length === 0) throw new Error('the baseline serialised nothing');
  }
  const renderMs = median(total);
  return {
    records: scored.length,
    render_ms_100k_records: renderMs,
    dashboard_data_ms: median(data),
    page_render_ms: median(render),
    page_kb: bytes / 1024,
    ratio_vs_json_stringify: renderMs / median(baseline),
  };
}
