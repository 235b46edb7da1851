import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Step } from '../../../src/core/dataset/types.js';
import { buildStepTree, type TreeResponseInput } from '../../../src/core/tree/buildStepTree.js';
import type { StepTree } from '../../../src/core/tree/treeTypes.js';
import { curveTargetOf, traceStepScores } from '../../../webview/tree/layoutCurve.js';
import { layoutTree, type LayoutNode, type TreeLayout } from '../../../webview/tree/layoutTree.js';

const steps = (...texts: string[]): Step[] => texts.map((text, index) => ({ index, text, label: 'unknown', part: 'reasoning' }));
const ref = (recordIndex: number) => ({ recordIndex, responseIndex: 0 });

/** A and B share two steps (scored differently); C is unscored; D has no steps (records 10–13). */
function tree(): StepTree {
  const inputs: TreeResponseInput[] = [
    { id: 'A', ref: ref(10), steps: steps('Let x = 2.', 'Then x + 1 = 3.', 'Answer: 3'), scores: { steps: [0.9, 0.8, 0.7], trace: 0.7, stale: false } },
    { id: 'B', ref: ref(11), steps: steps('Let x = 2.', 'Then x + 1 = 3.', 'Answer: 4'), scores: { steps: [0.7, undefined, 0.1], trace: 0.1, stale: false } },
    { id: 'C', ref: ref(12), steps: steps('let x = 2.', 'So 3.') },
    { id: 'D', ref: ref(13), steps: [] },
  ];
  return buildStepTree('What is x + 1?', inputs);
}

function node(layout: TreeLayout, id: string): LayoutNode {
  const n = layout.byId.get(id);
  assert.ok(n, `node ${id}`);
  return n;
}

describe('traceStepScores', () => {
  it("reads each response's own step scores back along its path, NaN where unscored", () => {
    const t = tree();
    assert.deepEqual(traceStepScores(t, 0), [0.9, 0.8, 0.7]);
    assert.deepEqual(traceStepScores(t, 1), [0.7, Number.NaN, 0.1]);
    assert.deepEqual(traceStepScores(t, 2), [Number.NaN, Number.NaN]);
    assert.deepEqual(traceStepScores(t, 3), []);
    assert.deepEqual(traceStepScores(t, 9), []);
  });
});

describe('curveTargetOf', () => {
  const t = tree();
  const layout = layoutTree(t, { threshold: 0.5, highThreshold: 0.8 });

  it("shows an answer box's own response", () => {
    assert.deepEqual(curveTargetOf(t, node(layout, 'r.0.0.1~1'), 10), { trace: 1 });
  });

  it("shows a step box's opened response when it passes through, else the first, with the step ringed", () => {
    assert.deepEqual(curveTargetOf(t, node(layout, 'r.0.0'), 11), { trace: 1, step: 1 });
    assert.deepEqual(curveTargetOf(t, node(layout, 'r.0.0'), 12), { trace: 0, step: 1 });
    assert.deepEqual(curveTargetOf(t, node(layout, 'r.1.0'), 10), { trace: 2, step: 1 });
  });

  it('shows the opened response from the prompt box', () => {
    assert.deepEqual(curveTargetOf(t, node(layout, 'r'), 11), { trace: 1 });
    assert.deepEqual(curveTargetOf(t, node(layout, 'r'), 99), { trace: 0 });
  });
});
