/**
 * Compares two scored runs over the same dataset (two models, a model and a judge, two versions of one model):
 * `reward-lens compare RUN_A.jsonl RUN_B.jsonl` over two `score --out` files. Pure: the caller reads the files.
 *
 * Records pair by (file, id); when the two runs share no file name they pair by id alone, and the report says so.
 * Every metric is computed over the compared records only, so the two sides measure the same set.
 */

/** One record of a run, as read from a `score --out` line. */
export interface RunRow {
  readonly file: string;
  readonly id: string;
  readonly kind: 'trace' | 'preference';
  /** The trace score, or the preference margin; null when unscored. */
  readonly value: number | null;
  /** Traces: the 0-based first step under the threshold, null for none. */
  readonly firstError: number | null;
  /** Preferences: whether the margin is positive, null when there is no verdict. */
  readonly agrees: boolean | null;
  readonly subset?: string;
}

/** A run's readable rows and its located problems (`name:line: message`). */
export interface ParsedRun {
  readonly rows: readonly RunRow[];
  readonly problems: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumberOrNull = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v));

/** A `score --out` line's object (as `scoreRecordJson` makes it, plus `file`) as a row, or why it is not one. */
export function runRowOf(v: unknown): RunRow | string {
  if (!isObject(v)) return 'not a JSON object';
  const { file, id, kind } = v;
  if (typeof file !== 'string') return 'no "file" string (is this a `reward-lens score --out` file?)';
  if (typeof id !== 'string') return 'no "id" string';
  const subset = typeof v['subset'] === 'string' ? { subset: v['subset'] } : {};
  if (kind === 'trace') {
    const score = v['score'];
    const fe = v['first_error'];
    if (!isNumberOrNull(score)) return '"score" is not a number or null';
    if (fe !== null && !(typeof fe === 'number' && Number.isInteger(fe) && fe >= 0)) return '"first_error" is not a step index or null';
    return { file, id, kind, value: score, firstError: fe, agrees: null, ...subset };
  }
  if (kind === 'preference') {
    const margin = v['margin'];
    const agrees = v['agrees_with_label'];
    if (!isNumberOrNull(margin)) return '"margin" is not a number or null';
    if (agrees !== null && typeof agrees !== 'boolean') return '"agrees_with_label" is not true, false or null';
    return { file, id, kind, value: margin, firstError: null, agrees, ...subset };
  }
  return `"kind" is ${JSON.stringify(kind) ?? 'missing'}, not "trace" or "preference"`;
}

/**
 * Reads JSON Lines where each line is one row: `rowOf` makes it a row or says why it is not one. A line that is not
 * JSON, or not a row, is a problem `name:line: message`; the other lines are still read. Blank lines are skipped.
 */
export function parseJsonLines<T>(text: string, name: string, rowOf: (v: unknown) => T | string): { rows: { row: T; line: number }[]; problems: string[] } {
  const rows: { row: T; line: number }[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      problems.push(`${name}:${i + 1}: not valid JSON (${(err as Error).message})`);
      return;
    }
    const row = rowOf(parsed);
    if (typeof row === 'string') problems.push(`${name}:${i + 1}: ${row}`);
    else rows.push({ row, line: i + 1 });
  });
  return { rows, problems };
}

/** Reads a `score --out` file's text; a malformed line is a problem `name:line: message`, the rest are still read. */
export function parseRun(text: string, name: string): ParsedRun {
  const { rows, problems } = parseJsonLines(text, name, runRowOf);
  return { rows: rows.map((r) => r.row), problems };
}

// ---------------------------------------------------------------------------------------------------------------
// Rank correlations

/** 1-based ranks, ties given the mean of the ranks they span. */
function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((i, j) => (xs[i] as number) - (xs[j] as number));
  const ranks = new Array<number>(xs.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && xs[order[end] as number] === xs[order[start] as number]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k] as number] = rank;
    start = end;
  }
  return ranks;
}

const clamp1 = (r: number): number => Math.max(-1, Math.min(1, r));

/**
 * Spearman's ρ: Pearson's correlation of the average ranks (ties handled). Null when there are fewer than two
 * points or either side is constant (the correlation is undefined, not zero).
 */
export function spearman(a: readonly number[], b: readonly number[]): number | null {
  if (a.length !== b.length) throw new Error('spearman: the two lists differ in length');
  const n = a.length;
  if (n < 2) return null;
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (ra[i] as number) - mean;
    const db = (rb[i] as number) - mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return null;
  return clamp1(sab / Math.sqrt(saa * sbb));
}

/** Pairs i < j tied within runs of equal values of an already sorted key: Σ t(t−1)/2. */
function tiedPairs<T>(sorted: readonly T[], same: (x: T, y: T) => boolean): number {
  let total = 0;
  for (let start = 0; start < sorted.length; ) {
    let end = start + 1;
    while (end < sorted.length && same(sorted[start] as T, sorted[end] as T)) end++;
    const t = end - start;
    total += (t * (t - 1)) / 2;
    start = end;
  }
  return total;
}

/** Sorts `ys` in place by a stable merge sort and returns how many swaps (inversions) that took. */
function countInversions(ys: number[]): number {
  let swaps = 0;
  let buf = ys.slice();
  let src = ys;
  for (let width = 1; width < src.length; width *= 2) {
    for (let lo = 0; lo < src.length; lo += 2 * width) {
      const mid = Math.min(lo + width, src.length);
      const hi = Math.min(lo + 2 * width, src.length);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if ((src[j] as number) < (src[i] as number)) {
          buf[k++] = src[j++] as number;
          swaps += mid - i;
        } else buf[k++] = src[i++] as number;
      }
      while (i < mid) buf[k++] = src[i++] as number;
      while (j < hi) buf[k++] = src[j++] as number;
    }
    [src, buf] = [buf, src];
  }
  if (src !== ys) for (let k = 0; k < ys.length; k++) ys[k] = src[k] as number;
  return swaps;
}

/**
 * Kendall's τ-b, ties handled: (concordant − discordant) / √((n₀ − n₁)(n₀ − n₂)), with n₀ = n(n−1)/2 and n₁, n₂
 * the pairs tied in a and in b. Knight's O(n log n) algorithm. Null when there are fewer than two points or
 * either side is constant.
 */
export function kendallTauB(a: readonly number[], b: readonly number[]): number | null {
  if (a.length !== b.length) throw new Error('kendallTauB: the two lists differ in length');
  const n = a.length;
  if (n < 2) return null;
  const pairs = a.map((x, i) => [x, b[i] as number] as const).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const n0 = (n * (n - 1)) / 2;
  const n1 = tiedPairs(pairs, (p, q) => p[0] === q[0]);
  const n3 = tiedPairs(pairs, (p, q) => p[0] === q[0] && p[1] === q[1]);
  const ys = pairs.map((p) => p[1]);
  const swaps = countInversions(ys);
  const n2 = tiedPairs(ys, (x, y) => x === y);
  const denominator = Math.sqrt((n0 - n1) * (n0 - n2));
  if (denominator === 0) return null;
  // Concordant − discordant = (pairs not tied in either) − 2 · discordant.
  return clamp1((n0 - n1 - n2 + n3 - 2 * swaps) / denominator);
}

// ---------------------------------------------------------------------------------------------------------------
// The comparison

/** Pairwise accuracy of one subset. */
export interface SubsetAccuracy {
  readonly subset: string;
  /** Preference records with a verdict (`agrees_with_label` true or false). */
  readonly count: number;
  readonly pairwise_accuracy: number | null;
}

/** What can be computed from one run's out file, over the compared records. Null: no record it applies to. */
export interface RunMetrics {
  readonly traces: number;
  readonly preferences: number;
  /** Mean trace score. */
  readonly mean_score: number | null;
  /** Fraction of traces with a first error. */
  readonly first_error_rate: number | null;
  /** Mean preference margin. */
  readonly mean_margin: number | null;
  /** Fraction of `agrees_with_label: true` among preference records with a verdict. */
  readonly pairwise_accuracy: number | null;
  readonly by_subset: readonly SubsetAccuracy[];
}

/** b − a for each metric; null where either side is null. */
export interface MetricsDifference {
  readonly mean_score: number | null;
  readonly first_error_rate: number | null;
  readonly mean_margin: number | null;
  readonly pairwise_accuracy: number | null;
  readonly by_subset: readonly { readonly subset: string; readonly pairwise_accuracy: number | null }[];
}

/** A compared record where the runs differ (in score or first error), in order of |a − b|, largest first. */
export interface Disagreement {
  readonly file: string;
  readonly id: string;
  readonly kind: 'trace' | 'preference';
  /** Trace score or preference margin in each run. */
  readonly a: number;
  readonly b: number;
  /** Traces only: each run's first error (0-based, null for none). */
  readonly first_error_a?: number | null;
  readonly first_error_b?: number | null;
}

/** Records not compared, by reason. */
export interface LeftOut {
  readonly only_in_a: number;
  readonly only_in_b: number;
  /** Pairs where a run has no score (a trace's `score` or a preference's `margin` is null). */
  readonly unscored_a: number;
  readonly unscored_b: number;
  /** Pairs that are a trace in one run and a preference in the other. */
  readonly different_kind: number;
  /** Records whose key (file and id, or id alone) occurs more than once in their run. */
  readonly duplicate: number;
}

/** The `compare --json` object. Keys are the CLI's JSON (snake_case). */
export interface CompareReport {
  /** Records compared: in both runs, scored in both, of the same kind. */
  readonly records: number;
  /** `file+id`, or `id` when the runs share no file name. */
  readonly paired_by: 'file+id' | 'id';
  readonly left_out: LeftOut;
  /** Fraction of compared traces whose first error is the same in both runs ("none" counts as a value). */
  readonly first_error_agreement: number | null;
  /** Rank correlations of trace scores and preference margins over the compared records. */
  readonly spearman: number | null;
  readonly kendall: number | null;
  readonly a: RunMetrics;
  readonly b: RunMetrics;
  readonly difference: MetricsDifference;
  readonly disagreements: readonly Disagreement[];
}

/** Options for {@link compareRuns}. */
export interface CompareOptions {
  /** How many disagreements to list (default 20). */
  readonly top?: number;
}

const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);
const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : b - a);

function metricsOf(rows: readonly RunRow[]): RunMetrics {
  const traces = rows.filter((r) => r.kind === 'trace');
  const prefs = rows.filter((r) => r.kind === 'preference');
  const accuracy = (rs: readonly RunRow[]): { count: number; pairwise_accuracy: number | null } => {
    const verdicts = rs.flatMap((r) => (r.agrees === null ? [] : [r.agrees]));
    return { count: verdicts.length, pairwise_accuracy: verdicts.length === 0 ? null : verdicts.filter(Boolean).length / verdicts.length };
  };
  const subsets = [...new Set(prefs.flatMap((r) => (r.subset === undefined ? [] : [r.subset])))];
  return {
    traces: traces.length,
    preferences: prefs.length,
    mean_score: mean(traces.map((r) => r.value as number)),
    first_error_rate: traces.length === 0 ? null : traces.filter((r) => r.firstError !== null).length / traces.length,
    mean_margin: mean(prefs.map((r) => r.value as number)),
    pairwise_accuracy: accuracy(prefs).pairwise_accuracy,
    by_subset: subsets.map((subset) => ({ subset, ...accuracy(prefs.filter((r) => r.subset === subset)) })),
  };
}

function differenceOf(a: RunMetrics, b: RunMetrics): MetricsDifference {
  const subsets = [...new Set([...a.by_subset, ...b.by_subset].map((s) => s.subset))];
  const acc = (m: RunMetrics, subset: string): number | null => m.by_subset.find((s) => s.subset === subset)?.pairwise_accuracy ?? null;
  return {
    mean_score: diff(a.mean_score, b.mean_score),
    first_error_rate: diff(a.first_error_rate, b.first_error_rate),
    mean_margin: diff(a.mean_margin, b.mean_margin),
    pairwise_accuracy: diff(a.pairwise_accuracy, b.pairwise_accuracy),
    by_subset: subsets.map((subset) => ({ subset, pairwise_accuracy: diff(acc(a, subset), acc(b, subset)) })),
  };
}

/** Rows by key; keys seen more than once are dropped and counted. */
function index(rows: readonly RunRow[], keyOf: (r: RunRow) => string): { byKey: Map<string, RunRow>; duplicate: number } {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(keyOf(r), (counts.get(keyOf(r)) ?? 0) + 1);
  const byKey = new Map<string, RunRow>();
  let duplicate = 0;
  for (const r of rows) {
    if ((counts.get(keyOf(r)) ?? 0) > 1) duplicate++;
    else byKey.set(keyOf(r), r);
  }
  return { byKey, duplicate };
}

/** Two runs' rows paired by key, with what could not be paired. */
export interface PairedRuns {
  readonly paired_by: 'file+id' | 'id';
  /** Compared records: in both runs, scored in both, of the same kind; in run A's order. */
  readonly pairs: readonly (readonly [RunRow, RunRow])[];
  readonly left_out: LeftOut;
}

/** Pairs two runs' rows (see the module comment); the rest is counted in `left_out`. */
export function pairRuns(a: readonly RunRow[], b: readonly RunRow[]): PairedRuns {
  const filesB = new Set(b.map((r) => r.file));
  const pairedBy = a.length === 0 || b.length === 0 || a.some((r) => filesB.has(r.file)) ? 'file+id' : 'id';
  const keyOf = pairedBy === 'id' ? (r: RunRow): string => r.id : (r: RunRow): string => `${r.file}\u0000${r.id}`;
  const ia = index(a, keyOf);
  const ib = index(b, keyOf);
  let onlyInA = 0;
  let unscoredA = 0;
  let unscoredB = 0;
  let differentKind = 0;
  const pairs: [RunRow, RunRow][] = [];
  for (const [key, ra] of ia.byKey) {
    const rb = ib.byKey.get(key);
    if (rb === undefined) {
      onlyInA++;
      continue;
    }
    if (ra.kind !== rb.kind) differentKind++;
    else if (ra.value === null || rb.value === null) {
      if (ra.value === null) unscoredA++;
      if (rb.value === null) unscoredB++;
    } else pairs.push([ra, rb]);
  }
  const onlyInB = [...ib.byKey.keys()].filter((k) => !ia.byKey.has(k)).length;
  return {
    paired_by: pairedBy,
    pairs,
    left_out: { only_in_a: onlyInA, only_in_b: onlyInB, unscored_a: unscoredA, unscored_b: unscoredB, different_kind: differentKind, duplicate: ia.duplicate + ib.duplicate },
  };
}

/** Compares two runs' rows (from {@link parseRun}); see the module comment. */
export function compareRuns(a: readonly RunRow[], b: readonly RunRow[], options: CompareOptions = {}): CompareReport {
  return comparePaired(pairRuns(a, b), options);
}

/** {@link compareRuns} over rows already paired by {@link pairRuns}. */
export function comparePaired(paired: PairedRuns, options: CompareOptions = {}): CompareReport {
  const { pairs } = paired;
  const tracePairs = pairs.filter(([ra]) => ra.kind === 'trace');
  const xs = pairs.map(([ra]) => ra.value as number);
  const ys = pairs.map(([, rb]) => rb.value as number);
  const ma = metricsOf(pairs.map(([ra]) => ra));
  const mb = metricsOf(pairs.map(([, rb]) => rb));
  const disagreements = pairs
    .map(([ra, rb]): Disagreement => ({
      file: ra.file,
      id: ra.id,
      kind: ra.kind,
      a: ra.value as number,
      b: rb.value as number,
      ...(ra.kind === 'trace' ? { first_error_a: ra.firstError, first_error_b: rb.firstError } : {}),
    }))
    .filter((d) => d.a !== d.b || d.first_error_a !== d.first_error_b)
    .sort((p, q) => Math.abs(q.a - q.b) - Math.abs(p.a - p.b))
    .slice(0, options.top ?? 20);
  return {
    records: pairs.length,
    paired_by: paired.paired_by,
    left_out: paired.left_out,
    first_error_agreement: tracePairs.length === 0 ? null : tracePairs.filter(([ra, rb]) => ra.firstError === rb.firstError).length / tracePairs.length,
    spearman: spearman(xs, ys),
    kendall: kendallTauB(xs, ys),
    a: ma,
    b: mb,
    difference: differenceOf(ma, mb),
    disagreements,
  };
}
