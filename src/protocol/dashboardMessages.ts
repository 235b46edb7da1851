/**
 * What the Evaluate Dataset dashboard shows, and the messages between its host (src/vscode/dashboardPanel.ts) and
 * its webview (webview/dashboard/). Types only. The same {@link DashboardView} is what `reward-lens eval --html`
 * and `compare --html` render into a standalone page. Everything in it is pre-binned: its size never grows with
 * the number of records. Ids, subset names and reasons are untrusted dataset text: rendered with text APIs only.
 */
import type { CompareReport } from '../core/metrics/compareRuns.js';
import type { CompareScatter } from '../core/report/plots/compareScatter.js';
import type { DashboardData } from '../core/report/plots/dashboardData.js';
import type { NotApplicable } from '../core/report/plots/notApplicable.js';
import type { ProbeExpectation, ProbeName, ProbeScope } from '../core/probes/perturbations.js';

export const DASHBOARD_PROTOCOL_VERSION = 1;

/** How much of the file the figures cover. */
export interface DashboardCoverage {
  /** Records in the file. */
  readonly records: number;
  /** Records with current scores by the model: those the figures are computed over. */
  readonly scored: number;
}

/** Two runs over the same records, side by side. */
export interface CompareView {
  /** What each run is: a model id or a `score --out` file name. */
  readonly nameA: string;
  readonly nameB: string;
  readonly report: CompareReport;
  readonly scatter: CompareScatter | NotApplicable;
  /**
   * For each of `report.disagreements`, the index of its record in the file (what an `open` message names), or
   * null where it cannot be opened (a CLI report).
   */
  readonly disagreementRecords?: readonly (number | null)[];
}

/** One perturbation probe over the probed traces (a row of the sensitivity table). */
export interface ProbeRow {
  readonly probe: ProbeName;
  readonly expected: ProbeExpectation;
  /** Which score decides: the touched step's or the trace's. */
  readonly scope: ProbeScope;
  /** Traces the probe applied to. */
  readonly traces: number;
  /** Fraction of them where the score moved the right way; null when none could be told. */
  readonly okFraction: number | null;
  readonly meanDelta: number | null;
}

/** The perturbation probes' sensitivity table: one row per probe run, in the probes' order. */
export interface ProbesView {
  /** The scorer probed (its id). */
  readonly model: string;
  readonly rows: readonly ProbeRow[];
}

/** One dashboard: a run's metrics on a file, optionally compared with a second run. */
export interface DashboardView {
  /** The data file's name, shown in the title. */
  readonly file: string;
  /** Absent when no record is scored yet (the dashboard says so and offers Evaluate). */
  readonly data?: DashboardData;
  readonly coverage: DashboardCoverage;
  /**
   * For each entry of `data.disagreements.entries` (by position), the index of its record in the file, or null
   * where it cannot be opened (a CLI report).
   */
  readonly disagreementRecords?: readonly (number | null)[];
  readonly compare?: CompareView;
  /** The perturbation probes' results (`reward-lens probe --html`), when probes were run. */
  readonly probes?: ProbesView;
}

/** Where an `open` message takes a record. */
export type OpenTarget = 'record' | 'judgmentDiff' | 'traceTree';

/** Host → webview. */
export type HostToDashboard =
  | { readonly type: 'view'; readonly view: DashboardView }
  /** A scoring run is going: records done of total, rate, seconds left (null until known). */
  | { readonly type: 'progress'; readonly done: number; readonly total: number; readonly perSecond: number; readonly etaSeconds: number | null }
  /** The scoring run ended; `message` says how when it did not finish (cancelled, failed). */
  | { readonly type: 'progressEnd'; readonly message?: string };

/** Webview → host. */
export type DashboardToHost =
  | { readonly type: 'ready' }
  /** Open the file's record `record` (an index from `disagreementRecords`) as a readable record, Judgment Diff or Trace Tree. */
  | { readonly type: 'open'; readonly record: number; readonly target: OpenTarget }
  /** Score what is not scored yet, then show the figures again. */
  | { readonly type: 'evaluate' }
  /** Stop the scoring run (what is scored is kept). */
  | { readonly type: 'cancel' }
  /** Pick a second run to compare with. */
  | { readonly type: 'compare' }
  /** Drop the comparison. */
  | { readonly type: 'clearCompare' }
  /** Run the perturbation probes on the file's traces and add their sensitivity table. */
  | { readonly type: 'probe' };
