/**
 * The comparison's "A against B" scatter, binned: one grid per kind of value (trace scores, preference margins),
 * so a run of 100k records draws as at most bins² cells.
 */
import type { PairedRuns, RunRow } from '../../metrics/compareRuns.js';
import { notApplicable, type NotApplicable } from './notApplicable.js';

/** One grid over a square domain shared by both axes. */
export interface ScatterPanel {
  /** Which value is plotted. */
  readonly value: 'trace score' | 'preference margin';
  /** Both axes run over [lo, hi]: [0, 1] when every value lies there, else the values' range (margins: symmetric about 0). */
  readonly lo: number;
  readonly hi: number;
  /** `counts[row][col]`: pairs with B in bin `row` and A in bin `col` (bin 0 holds `lo`; the last also holds `hi`). */
  readonly counts: readonly (readonly number[])[];
  /** Pairs in the grid (the sum of every cell). */
  readonly count: number;
  /** Pairs with the same value in both runs (on the diagonal exactly). */
  readonly equal: number;
}

/** The scatter: a panel per kind present, traces first. */
export interface CompareScatter {
  readonly kind: 'compareScatter';
  readonly bins: number;
  readonly panels: readonly ScatterPanel[];
}

function panel(value: ScatterPanel['value'], pairs: readonly (readonly [RunRow, RunRow])[], bins: number): ScatterPanel | undefined {
  if (pairs.length === 0) return undefined;
  const values = pairs.flatMap(([a, b]) => [a.value as number, b.value as number]);
  let lo = values[0] as number;
  let hi = lo;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (value === 'preference margin') {
    const limit = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    lo = -limit;
    hi = limit;
  } else if (lo >= 0 && hi <= 1) {
    lo = 0;
    hi = 1;
  } else if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const counts = Array.from({ length: bins }, () => new Array<number>(bins).fill(0));
  const binOf = (v: number): number => Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
  let equal = 0;
  for (const [a, b] of pairs) {
    (counts[binOf(b.value as number)] as number[])[binOf(a.value as number)]! += 1;
    if (a.value === b.value) equal++;
  }
  return { value, lo, hi, counts, count: pairs.length, equal };
}

/**
 * The binned scatter of paired runs' values (trace scores; preference margins), `bins` × `bins` per kind.
 * Not applicable when no record was compared. Throws `RangeError` unless `bins` is an integer ≥ 1.
 */
export function compareScatter(paired: PairedRuns, bins = 20): CompareScatter | NotApplicable {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be an integer ≥ 1 (got ${bins}).`);
  const traces = paired.pairs.filter(([a]) => a.kind === 'trace');
  const prefs = paired.pairs.filter(([a]) => a.kind === 'preference');
  const panels = [panel('trace score', traces, bins), panel('preference margin', prefs, bins)].filter((p): p is ScatterPanel => p !== undefined);
  if (panels.length === 0) return notApplicable('No record is scored in both runs, so there is nothing to plot against each other.');
  return { kind: 'compareScatter', bins, panels };
}
