// Which reward curve the Trace Tree's details pane shows, and its scores, read back from the StepTree. Pure: no DOM,
// unit-tested in plain Node; renderCurve.ts draws it.
import type { StepTree } from '../../src/core/tree/treeTypes.js';
import { findNode, type LayoutNode } from './layoutTree.js';

/**
 * Each step's score of response `trace` (an index into `tree.traces`), in step order, read along the path of nodes
 * holding its occurrences; NaN where a step is unscored. Empty for a response without steps or an unknown index.
 */
export function traceStepScores(tree: StepTree, trace: number): number[] {
  const scores: number[] = [];
  let node = tree.root;
  for (;;) {
    let next: typeof node | undefined;
    let score: number | undefined;
    for (const child of node.children) {
      const occ = child.occurrences.find((o) => o.trace === trace);
      if (occ !== undefined) {
        next = child;
        score = occ.score;
        break;
      }
    }
    if (next === undefined) return scores;
    scores.push(score ?? Number.NaN);
    node = next;
  }
}

/** The response whose curve a selected box shows, and the step to ring on it. */
export interface CurveTarget {
  /** Index into `StepTree.traces`. */
  readonly trace: number;
  /** 0-based step of a selected step box; absent for the prompt and answer boxes. */
  readonly step?: number;
}

/**
 * What the details of `node` draw: an answer box shows its own response; a step box the response of the record the
 * view was opened from when it passes through the step, else the first that does, with the step ringed; the prompt
 * box the opened record's response (else the first). Undefined when there is no response to show.
 */
export function curveTargetOf(tree: StepTree, node: LayoutNode, focusRecordIndex: number): CurveTarget | undefined {
  const isFocus = (t: number): boolean => tree.traces[t]?.ref.recordIndex === focusRecordIndex;
  if (node.kind === 'end') return node.trace === undefined ? undefined : { trace: node.trace };
  if (node.kind === 'step') {
    const through = (findNode(tree.root, node.treeNodeId)?.occurrences ?? []).map((o) => o.trace);
    const trace = through.find(isFocus) ?? through[0];
    return trace === undefined ? undefined : { trace, step: node.depth - 1 };
  }
  const focus = tree.traces.findIndex((_, t) => isFocus(t));
  if (focus !== -1) return { trace: focus };
  return tree.traces.length > 0 ? { trace: 0 } : undefined;
}
