/**
 * The one message protocol between the extension host (src/vscode/*Panel.ts) and the webviews (webview/*).
 * Types only, plus the version constant. Every host → webview message carries a complete snapshot, never a delta.
 * All text in these messages is untrusted dataset text: the webview renders it with text APIs only.
 */
import type { Judgment } from '../core/diff/alignResponses.js';
import type { Aggregation } from '../core/scoring/aggregate.js';
import type { StepRef, StepTree, TreeScoreSource } from '../core/tree/treeTypes.js';

/** Bumped on any incompatible change; a webview reporting another version gets fresh HTML. */
export const PROTOCOL_VERSION = 1;

/** How scores are shown: thresholds for the colour buckets and what produced them. */
export interface ViewScoring {
  /** Display name of the reward model (`built-in verifier` or a folder). */
  readonly model: string;
  /** Scores under this are low (red). */
  readonly threshold: number;
  /** Scores at or above this are high (green); between the two they are mid. */
  readonly highThreshold: number;
  readonly aggregation: Aggregation;
  /** True when some shown scores belong to an older text of the record. */
  readonly stale: boolean;
}

/** The Trace Tree of all responses sharing one prompt. */
export interface TraceTreeView {
  readonly kind: 'traceTree';
  /** The data file's base name, for the title. */
  readonly fileName: string;
  /** The record the tree was opened from: its path is highlighted and its steps are revealed first. */
  readonly focusRecordIndex: number;
  readonly tree: StepTree;
  /** Where the colours come from; `dataset` means the file's own step scores (no model run yet). */
  readonly scoreSource: TreeScoreSource;
  /** Responses in the tree without model scores (what the Score button would score). */
  readonly unscoredCount: number;
  readonly scoring: ViewScoring;
}

/** "Compare With…": the run the current model's scores (A, `ViewScoring.model`) are compared with (B). */
export interface ComparedRunView {
  /** The compared run as people name it (a model's display name, or a `score --out` file's name). */
  readonly name: string;
  /** Each response's score by that run, in response order; null when it has none. */
  readonly scores: readonly (number | null)[];
  /** True when that run scored an older text of the record. */
  readonly stale: boolean;
}

/** The Judgment Diff of one preference record. */
export interface JudgmentDiffView {
  readonly kind: 'judgmentDiff';
  readonly fileName: string;
  readonly recordIndex: number;
  readonly judgment: Judgment;
  readonly scoring: ViewScoring;
  /** Present while the data file is compared with another run: each response then shows both runs' scores. */
  readonly compared?: ComparedRunView;
}

/** What a panel shows. */
export type ViewData = TraceTreeView | JudgmentDiffView;

/** Progress of a scoring run the webview asked for. */
export type ScoringState = 'running' | 'done' | 'failed';

/** Host → webview. */
export type ToWebview =
  /** The answer to `ready`: protocol version and the complete view. */
  | { readonly type: 'init'; readonly version: number; readonly view: ViewData }
  /** A new complete snapshot (scores or the document changed). */
  | { readonly type: 'update'; readonly view: ViewData }
  /** The state of the scoring run started by `score`; `message` explains a failure. */
  | { readonly type: 'scoring'; readonly state: ScoringState; readonly message?: string }
  /** The record is gone (deleted or the file closed); the view shows `message` instead. */
  | { readonly type: 'unavailable'; readonly message: string };

/** Webview → host, fire-and-forget. */
export type FromWebview =
  /** Sent once the script runs; the host answers with `init`. */
  | { readonly type: 'ready'; readonly version: number }
  /** Select this step (or the whole record when `stepIndex` is absent) in the editor. The host re-resolves the range. */
  | { readonly type: 'reveal'; readonly target: StepRef }
  /** Score what the view shows (the tree's responses, or the preference record) with the current model. */
  | { readonly type: 'score' };

/** The `type`s of `FromWebview`, for guards and exhaustive tests. */
export type FromWebviewType = FromWebview['type'];
/** The `type`s of `ToWebview`. */
export type ToWebviewType = ToWebview['type'];
