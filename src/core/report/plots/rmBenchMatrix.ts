/** RM-Bench's 3×3 style matrix (chosen style × rejected style), read off `metrics/rmBench.ts`. */
import type { RmBenchMetrics, RmBenchSummary } from '../../metrics/rmBench.js';
import { notApplicable, orNull, type NotApplicable } from './notApplicable.js';

/** Row/column names: RM-Bench's styles, index 0 … 2. */
export const RM_BENCH_STYLES: readonly string[] = ['concise', 'detailed', 'detailed markdown'];

/** One 3×3 matrix and its triangle means. */
export interface RmBenchMatrixPanel {
  /** Subset name, or null for all items pooled. */
  readonly subset: string | null;
  readonly count: number;
  /** `cells[i][j]`: fraction of items with chosen in style i scored above rejected in style j. */
  readonly cells: readonly (readonly number[])[];
  readonly hard: number | null;
  readonly normal: number | null;
  readonly easy: number | null;
  readonly average: number | null;
}

/** The overall matrix and one per subset. */
export interface RmBenchMatrix {
  readonly kind: 'rmBenchMatrix';
  readonly styles: readonly string[];
  readonly overall: RmBenchMatrixPanel;
  /** Subsets with at least one counted item, in the metric's order. */
  readonly bySubset: readonly RmBenchMatrixPanel[];
}

function panel(subset: string | null, s: RmBenchSummary): RmBenchMatrixPanel | undefined {
  if (s.matrix === undefined || s.count === 0) return undefined;
  return { subset, count: s.count, cells: s.matrix, hard: orNull(s.hard), normal: orNull(s.normal), easy: orNull(s.easy), average: orNull(s.average) };
}

/** The RM-Bench matrices of `report.metrics.rm_bench`; not applicable when no item was counted. */
export function rmBenchMatrix(m: RmBenchMetrics | undefined): RmBenchMatrix | NotApplicable {
  const overall = m === undefined ? undefined : panel(null, m.overall);
  if (m === undefined || overall === undefined) return notApplicable('No RM-Bench item with three finite scores on each side.');
  return {
    kind: 'rmBenchMatrix',
    styles: RM_BENCH_STYLES,
    overall,
    bySubset: m.bySubset.flatMap((s) => panel(s.subset, s) ?? []),
  };
}
