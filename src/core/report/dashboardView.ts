/**
 * The Evaluate Dataset dashboard's view of a scored file, and the comparison of two runs over it: what the editor's
 * dashboard and `reward-lens eval --html` / `compare --html` draw. Pure: the caller reads and scores.
 */
import { comparePaired, pairRuns, type RunRow } from '../metrics/compareRuns.js';
import type { ScoredRecord, ScoringSettings } from '../scoring/scoreRecords.js';
import type { CompareView, DashboardView } from '../../protocol/dashboardMessages.js';
import { evalReport, type EvalReport } from './evalReport.js';
import { compareScatter } from './plots/compareScatter.js';
import { dashboardData, DEFAULT_DASHBOARD, type DashboardSettings } from './plots/dashboardData.js';

/** A scored file, as the dashboard takes it. */
export interface EvaluatedFile {
  /** The file's name for the title. */
  readonly file: string;
  readonly format: string;
  /** The scorer's id. */
  readonly model: string;
  /** Records in the file, scored or not. */
  readonly records: number;
  /** The records with current scores, in file order. */
  readonly scored: readonly ScoredRecord[];
  /** Per scored record, the number the host opens it by; absent when records cannot be opened (a CLI report). */
  readonly refs?: readonly number[];
}

/** A finite number, else null (a judge's not-judged NaN is no score). */
const finiteOrNull = (x: number | null | undefined): number | null => (x !== null && x !== undefined && Number.isFinite(x) ? x : null);

/** A scored record as a comparison row (what its `score --out` line would read back as). */
export function runRowOfScored(s: ScoredRecord, file: string): RunRow {
  if (s.kind === 'trace') return { file, id: s.record.id, kind: 'trace', value: finiteOrNull(s.score), firstError: s.firstError, agrees: null };
  const subset = s.record.subset !== undefined ? { subset: s.record.subset } : {};
  return { file, id: s.record.id, kind: 'preference', value: finiteOrNull(s.margin), firstError: null, agrees: s.agreesWithLabel, ...subset };
}

/**
 * The dashboard of a scored file: every plot's data, and which record each disagreement opens. `report` is the eval
 * report of the same records when the caller already has it (`eval --html` prints it too); else it is computed.
 */
export function dashboardView(f: EvaluatedFile, scoring: ScoringSettings, settings: DashboardSettings = DEFAULT_DASHBOARD, report?: EvalReport): DashboardView {
  const coverage = { records: f.records, scored: f.scored.length };
  if (f.scored.length === 0) return { file: f.file, coverage };
  const data = dashboardData(report ?? evalReport({ format: f.format }, f.scored, scoring, f.model), f.scored, settings);
  const refs = f.refs;
  const disagreementRecords = refs !== undefined && data.disagreements.kind === 'disagreementQueue' ? data.disagreements.entries.map((e) => refs[e.recordIndex] ?? null) : undefined;
  return { file: f.file, data, coverage, ...(disagreementRecords !== undefined ? { disagreementRecords } : {}) };
}

/** Two runs' rows compared; `refOf` names the record a disagreement opens (by file and id), when it can be opened. */
export function compareView(nameA: string, nameB: string, a: readonly RunRow[], b: readonly RunRow[], options: { readonly top?: number; readonly bins?: number; readonly refOf?: (file: string, id: string) => number | undefined } = {}): CompareView {
  const paired = pairRuns(a, b);
  const report = comparePaired(paired, options.top !== undefined ? { top: options.top } : {});
  const refOf = options.refOf;
  return {
    nameA,
    nameB,
    report,
    scatter: compareScatter(paired, options.bins ?? 20),
    ...(refOf !== undefined ? { disagreementRecords: report.disagreements.map((d) => refOf(d.file, d.id) ?? null) } : {}),
  };
}
