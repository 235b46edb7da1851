import type { StepLabel } from '../dataset/types.js';

/**
 * The Trace Tree model: N responses to one prompt merged by shared step prefix. Plain JSON (no classes, no
 * cycles), so it crosses the webview boundary unchanged.
 */

/** Where scores come from: the configured reward model, the dataset's own scores (PRM800K `rating_probs`), or nowhere. */
export type TreeScoreSource = 'model' | 'dataset' | 'none';

/**
 * Where a tree node or leaf lives in the file: enough for the host to find the text again in its own parse.
 * `responseIndex` is 0 for traces; `stepIndex` is absent for a whole record (a leaf).
 */
export interface StepRef {
  readonly recordIndex: number;
  readonly responseIndex: number;
  readonly stepIndex?: number;
}

/** One response's step that was merged into a node. */
export interface StepOccurrence {
  /** Index of the response in `StepTree.traces`. */
  readonly trace: number;
  readonly ref: StepRef;
  /** The step's score in that response, when scored. */
  readonly score?: number;
  /** The dataset's own label for the step. */
  readonly label: StepLabel;
}

/** How correctness of a final answer is known. */
export type CorrectnessSource = 'dataset' | 'reference' | 'preference';

/** One response of the tree with its outcome; it ends at the node `endNodeId`. */
export interface TreeTrace {
  /** The record's id (dataset id or line based). */
  readonly id: string;
  readonly ref: StepRef;
  /** Id of the node of its last step (the root for a response without steps). */
  readonly endNodeId: string;
  readonly stepCount: number;
  readonly answer?: string;
  readonly reference?: string;
  /**
   * Whether the final answer is correct: the dataset's own verdict (`Trace.correct`), else the answer compared
   * with the reference, else (for a preference response) whether the dataset prefers it. Absent when unknown.
   */
  readonly correct?: boolean;
  readonly correctSource?: CorrectnessSource;
  /** Trace score under the configured aggregation (or an ORM's sequence score); absent when unscored. */
  readonly score?: number;
  /** True when the scores were computed for a different text of this record. */
  readonly stale: boolean;
}

/**
 * A node: one distinct step text at one position after one distinct prefix. The root (depth 0) stands for the
 * prompt and has no occurrences.
 */
export interface StepTreeNode {
  /** Stable path id: `r` for the root, `r.0.2` for the third child of the first child. */
  readonly id: string;
  /** 0 for the root; a step node's depth is its 1-based step number. */
  readonly depth: number;
  /** The step text as first seen (the prompt for the root). */
  readonly text: string;
  /** Every response step merged here, in response order. */
  readonly occurrences: readonly StepOccurrence[];
  /** Mean of the occurrences' scores; absent when none is scored. */
  readonly score?: number;
  /** Lowest and highest occurrence score, when at least one is scored. */
  readonly scoreMin?: number;
  readonly scoreMax?: number;
  /** Number of responses passing through this node (for the root: all of them). */
  readonly traceCount: number;
  /** Indices into `StepTree.traces` of the responses whose last step is this node. */
  readonly ends: readonly number[];
  /** Children in order of first appearance. */
  readonly children: readonly StepTreeNode[];
}

/** A whole Trace Tree. */
export interface StepTree {
  readonly prompt: string;
  readonly root: StepTreeNode;
  readonly traces: readonly TreeTrace[];
  /** Total number of step nodes (the root excluded). */
  readonly nodeCount: number;
}
