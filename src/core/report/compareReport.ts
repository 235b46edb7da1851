import type { CompareReport, RunMetrics } from '../metrics/compareRuns.js';
import { preview } from './scoreTable.js';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const num = (x: number): string => x.toFixed(3);
/** A difference of two fractions, in percentage points. */
const pts = (x: number): string => `${(x * 100).toFixed(1)} pts`;
const signed = (x: number, fmt: (x: number) => string): string => (x > 0 ? `+${fmt(x)}` : x < 0 ? `−${fmt(-x)}` : fmt(0));
const stepOf = (fe: number | null | undefined): string => (fe === null || fe === undefined ? 'none' : `step ${fe + 1}`);

interface Row {
  readonly label: string;
  readonly a: number | null;
  readonly b: number | null;
  readonly fmt: (x: number) => string;
  /** How a difference prints: percentage points for fractions. */
  readonly deltaFmt: (x: number) => string;
  /** What the metric needs, for "n/a (no …)". */
  readonly needs: string;
}

function metricRows(a: RunMetrics, b: RunMetrics): Row[] {
  const rows: Row[] = [
    { label: 'mean trace score', a: a.mean_score, b: b.mean_score, fmt: num, deltaFmt: num, needs: 'traces' },
    { label: 'traces with a first error', a: a.first_error_rate, b: b.first_error_rate, fmt: pct, deltaFmt: pts, needs: 'traces' },
    { label: 'mean preference margin', a: a.mean_margin, b: b.mean_margin, fmt: num, deltaFmt: num, needs: 'preference records' },
    { label: 'pairwise accuracy', a: a.pairwise_accuracy, b: b.pairwise_accuracy, fmt: pct, deltaFmt: pts, needs: 'preference records with a verdict' },
  ];
  const subsets = [...new Set([...a.by_subset, ...b.by_subset].map((s) => s.subset))];
  for (const subset of subsets) {
    const acc = (m: RunMetrics): number | null => m.by_subset.find((s) => s.subset === subset)?.pairwise_accuracy ?? null;
    rows.push({ label: `  ${preview(subset, 24)}`, a: acc(a), b: acc(b), fmt: pct, deltaFmt: pts, needs: 'verdicts in this subset' });
  }
  return rows;
}

/** The comparison as readable text for a terminal: counts, correlations, metrics side by side, top disagreements. */
export function formatCompareReport(nameA: string, nameB: string, r: CompareReport): string {
  const lines = [`a: ${nameA}`, `b: ${nameB}`];
  const pairing = r.paired_by === 'id' ? 'paired by id alone: the runs share no file name' : 'paired by file and id';
  lines.push(`${r.records} record(s) compared (${pairing})`);
  const l = r.left_out;
  const out = [
    [l.only_in_a, 'only in a'],
    [l.only_in_b, 'only in b'],
    [l.unscored_a, 'unscored in a'],
    [l.unscored_b, 'unscored in b'],
    [l.different_kind, 'a trace in one run and a preference in the other'],
    [l.duplicate, 'with an id repeated in its run'],
  ] as const;
  const leftOut = out.filter(([n]) => n > 0).map(([n, why]) => `${n} ${why}`);
  lines.push(leftOut.length === 0 ? 'left out: none' : `left out: ${leftOut.join(', ')}`);
  lines.push('');
  const traces = r.a.traces;
  lines.push(`first-error agreement  ${r.first_error_agreement === null ? 'n/a (no traces compared)' : `${pct(r.first_error_agreement)} of ${traces} trace(s)`}`);
  const corr = (x: number | null): string => (x === null ? `n/a (${r.records < 2 ? 'fewer than 2 records' : 'a run scores every record the same'})` : num(x));
  lines.push(`Spearman ρ             ${corr(r.spearman)}`);
  lines.push(`Kendall τ-b            ${corr(r.kendall)}`);
  lines.push('');

  const rows = metricRows(r.a, r.b);
  const width = Math.max(26, ...rows.map((x) => x.label.length));
  lines.push(`${'metric'.padEnd(width)}  ${'a'.padStart(9)}  ${'b'.padStart(9)}  ${'Δ (b − a)'.padStart(10)}`);
  for (const row of rows) {
    if (row.a === null && row.b === null) {
      lines.push(`${row.label.padEnd(width)}  n/a (no ${row.needs})`);
      continue;
    }
    const cell = (x: number | null): string => (x === null ? 'n/a' : row.fmt(x)).padStart(9);
    const delta = row.a === null || row.b === null ? `n/a (no ${row.needs} in ${row.a === null ? 'a' : 'b'})` : signed(row.b - row.a, row.deltaFmt).padStart(10);
    lines.push(`${row.label.padEnd(width)}  ${cell(row.a)}  ${cell(row.b)}  ${delta}`);
  }
  lines.push('');

  if (r.disagreements.length === 0) {
    lines.push(r.records === 0 ? 'No records to compare.' : 'The runs agree on every compared record.');
  } else {
    lines.push(`largest disagreements (${r.disagreements.length}):`);
    const idWidth = Math.min(40, Math.max(2, ...r.disagreements.map((d) => preview(d.id, 40).length)));
    lines.push(`  ${'id'.padEnd(idWidth)}  ${'a'.padStart(7)}  ${'b'.padStart(7)}  ${'|Δ|'.padStart(7)}  first error a / b`);
    for (const d of r.disagreements) {
      const fe = d.kind === 'trace' ? `${stepOf(d.first_error_a)} / ${stepOf(d.first_error_b)}` : '(preference margin)';
      lines.push(`  ${preview(d.id, 40).padEnd(idWidth)}  ${num(d.a).padStart(7)}  ${num(d.b).padStart(7)}  ${num(Math.abs(d.a - d.b)).padStart(7)}  ${fe}`);
    }
  }
  return lines.join('\n');
}
