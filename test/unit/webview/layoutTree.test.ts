import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Step } from '../../../src/core/dataset/types.js';
import { buildStepTree, type TreeResponseInput } from '../../../src/core/tree/buildStepTree.js';
import type { StepTree } from '../../../src/core/tree/treeTypes.js';
import { formatMargin, formatRange, formatScore } from '../../../webview/format/numbers.js';
import { scoreClass } from '../../../webview/format/scoreColor.js';
import { DEFAULT_TREE_LAYOUT, displayLine, findNode, layoutTree, navigate, revealTarget, type LayoutNode, type TreeLayout } from '../../../webview/tree/layoutTree.js';

const thresholds = { threshold: 0.5, highThreshold: 0.8 };
const steps = (...texts: string[]): Step[] => texts.map((text, index) => ({ index, text, label: 'unknown', part: 'reasoning' }));
const ref = (recordIndex: number) => ({ recordIndex, responseIndex: 0 });

/** A and B share two steps; C starts differently; D has no steps (records 10–13). */
function tree(): StepTree {
  const inputs: TreeResponseInput[] = [
    { id: 'A', ref: ref(10), steps: steps('Let x = 2.', 'Then x + 1 = 3.', 'Answer: 3'), answer: '3', correct: true, scores: { steps: [0.9, 0.8, 0.7], trace: 0.7, stale: false } },
    { id: 'B', ref: ref(11), steps: steps('Let x = 2.', 'Then x + 1 = 3.', 'Answer: 4'), answer: '4', reference: '3', scores: { steps: [0.7, 0.6, 0.1], trace: 0.1, stale: true } },
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

describe('layoutTree', () => {
  it('lays out one column per step, answer boxes after the last step', () => {
    const layout = layoutTree(tree(), thresholds);
    const { margin, nodeWidth, gapX, nodeHeight } = DEFAULT_TREE_LAYOUT;
    assert.deepEqual(
      layout.nodes.map((n) => n.id),
      ['r', 'r.0', 'r.1', 'r~3', 'r.0.0', 'r.1.0', 'r.0.0.0', 'r.0.0.1', 'r.1.0~2', 'r.0.0.0~0', 'r.0.0.1~1'],
    );
    for (const n of layout.nodes) {
      assert.equal(n.x, margin + n.depth * (nodeWidth + gapX), n.id);
      assert.ok(n.y >= margin + nodeHeight / 2 - 1e-9 && n.y <= layout.height - margin - nodeHeight / 2 + 1e-9, `${n.id} inside`);
    }
    assert.equal(layout.width, 2 * margin + 4 * (nodeWidth + gapX) + nodeWidth);
    assert.deepEqual(
      layout.nodes.map((n) => [n.id, n.kind, n.depth]).filter(([, k]) => k === 'end'),
      [
        ['r~3', 'end', 1],
        ['r.1.0~2', 'end', 3],
        ['r.0.0.0~0', 'end', 4],
        ['r.0.0.1~1', 'end', 4],
      ],
    );
  });

  it('keeps boxes of a column apart and centres parents on their children', () => {
    const layout = layoutTree(tree(), thresholds);
    const { nodeHeight, gapY } = DEFAULT_TREE_LAYOUT;
    const columns = new Map<number, LayoutNode[]>();
    for (const n of layout.nodes) columns.set(n.depth, [...(columns.get(n.depth) ?? []), n]);
    for (const col of columns.values()) {
      const ys = col.map((n) => n.y).sort((a, b) => a - b);
      for (let i = 1; i < ys.length; i++) assert.ok((ys[i] ?? 0) - (ys[i - 1] ?? 0) >= nodeHeight + gapY - 1e-9);
    }
    for (const n of layout.nodes) {
      if (n.childIds.length === 0) continue;
      const ys = n.childIds.map((c) => node(layout, c).y);
      assert.ok(Math.abs(n.y - (Math.min(...ys) + Math.max(...ys)) / 2) < 1e-9, `${n.id} centred`);
    }
    // Siblings keep the tree's order top to bottom.
    const root = node(layout, 'r');
    const ys = root.childIds.map((c) => node(layout, c).y);
    assert.deepEqual(ys, [...ys].sort((a, b) => a - b));
  });

  it('labels, scores, colours and reward drops', () => {
    const layout = layoutTree(tree(), thresholds);
    const shared = node(layout, 'r.0');
    assert.deepEqual([shared.label, shared.meta, shared.scoreClass, shared.drop], ['1. Let x = 2.', '0.700–0.900 · ×2', 'high', undefined]);
    const second = node(layout, 'r.0.0');
    assert.equal(second.scoreClass, 'mid');
    assert.ok(second.drop !== undefined && Math.abs(second.drop - 0.1) < 1e-9);
    const wrong = node(layout, 'r.0.0.1');
    assert.equal(wrong.scoreClass, 'low');
    assert.ok(wrong.drop !== undefined && Math.abs(wrong.drop - 0.6) < 1e-9);
    assert.equal(wrong.stale, true, 'B was scored on another text');
    assert.equal(node(layout, 'r.1').scoreClass, 'none');
    assert.equal(node(layout, 'r.1').meta, 'not scored · ×1');
    const endA = node(layout, 'r.0.0.0~0');
    assert.deepEqual([endA.label, endA.meta, endA.correct, endA.scoreClass], ['= 3', '✓ · 0.700 · A', true, 'mid']);
    const endB = node(layout, 'r.0.0.1~1');
    assert.deepEqual([endB.label, endB.meta, endB.correct, endB.scoreClass], ['= 4', '✗ · 0.100 · B', false, 'low']);
    assert.match(endB.ariaLabel, /incorrect, trace score 0\.100, record B/);
    const endC = node(layout, 'r.1.0~2');
    assert.deepEqual([endC.label, endC.meta], ['(no final answer)', '? · not scored · C']);
    const root = node(layout, 'r');
    assert.deepEqual([root.label, root.meta, root.kind], ['What is x + 1?', 'prompt · 4 responses', 'root']);
  });

  it('draws links from the parent right edge to the child left edge', () => {
    const layout = layoutTree(tree(), thresholds);
    assert.equal(layout.links.length, layout.nodes.length - 1);
    const l = layout.links.find((x) => x.target === 'r.0');
    const p = node(layout, 'r');
    const c = node(layout, 'r.0');
    assert.ok(l?.path.startsWith(`M${p.x + p.width},${p.y}C`), l?.path);
    assert.ok(l?.path.endsWith(`${c.x},${c.y}`), l?.path);
  });

  it('highlights the focus record path', () => {
    const layout = layoutTree(tree(), thresholds, { ...DEFAULT_TREE_LAYOUT, focusRecordIndex: 11 });
    assert.deepEqual(
      layout.nodes.filter((n) => n.onFocusPath).map((n) => n.id),
      ['r', 'r.0', 'r.0.0', 'r.0.0.1', 'r.0.0.1~1'],
    );
    assert.deepEqual(
      layout.links.filter((l) => l.onFocusPath).map((l) => l.target),
      ['r.0', 'r.0.0', 'r.0.0.1', 'r.0.0.1~1'],
    );
  });

  it('collapsed nodes hide their descendants and say how many', () => {
    const layout = layoutTree(tree(), thresholds, { ...DEFAULT_TREE_LAYOUT, collapsed: new Set(['r.0']) });
    assert.deepEqual(
      layout.nodes.map((n) => n.id),
      ['r', 'r.0', 'r.1', 'r~3', 'r.1.0', 'r.1.0~2'],
    );
    const c = node(layout, 'r.0');
    assert.deepEqual([c.collapsed, c.collapsible, c.hiddenCount, c.childIds], [true, true, 5, []]);
    assert.match(c.meta, /\+5 hidden$/);
    assert.equal(node(layout, 'r.1.0~2').collapsible, false);
  });

  it('lays out 2,000 answers without overlapping', () => {
    const inputs: TreeResponseInput[] = Array.from({ length: 2000 }, (_, i) => ({
      id: `t${i}`,
      ref: ref(i),
      steps: steps('Start.', `Branch ${i % 40}.`, `Leaf ${i}.`),
    }));
    const layout = layoutTree(buildStepTree('P', inputs), thresholds);
    assert.equal(layout.nodes.filter((n) => n.kind === 'end').length, 2000);
    assert.equal(layout.nodes.length, 1 + 1 + 40 + 2000 + 2000);
    const leaves = layout.nodes.filter((n) => n.depth === 3).map((n) => n.y).sort((a, b) => a - b);
    for (let i = 1; i < leaves.length; i++) assert.ok((leaves[i] ?? 0) - (leaves[i - 1] ?? 0) >= DEFAULT_TREE_LAYOUT.nodeHeight);
  });
});

describe('navigate', () => {
  const layout = layoutTree(tree(), thresholds);
  it('moves to parent, first child, and column neighbours', () => {
    assert.equal(navigate(layout, 'r', 'ArrowRight'), 'r.0');
    assert.equal(navigate(layout, 'r.0', 'ArrowLeft'), 'r');
    assert.equal(navigate(layout, 'r', 'ArrowLeft'), 'r');
    assert.equal(navigate(layout, 'r.0', 'ArrowDown'), 'r.1');
    assert.equal(navigate(layout, 'r.1', 'ArrowDown'), 'r~3');
    assert.equal(navigate(layout, 'r~3', 'ArrowDown'), 'r~3');
    assert.equal(navigate(layout, 'r.0', 'ArrowUp'), 'r.0');
    // Across subtrees: from A's last step down to B's, then to C's answer box (same column).
    assert.equal(navigate(layout, 'r.0.0.0', 'ArrowDown'), 'r.0.0.1');
    assert.equal(navigate(layout, 'r.0.0.1', 'ArrowDown'), 'r.1.0~2');
    assert.equal(navigate(layout, 'r.0.0.0~0', 'ArrowRight'), 'r.0.0.0~0');
    assert.equal(navigate(layout, 'r.0.0.1~1', 'Home'), 'r');
    assert.equal(navigate(layout, 'missing', 'ArrowDown'), 'r');
  });
});

describe('revealTarget / findNode', () => {
  const t = tree();
  const layout = layoutTree(t, thresholds);
  it('reveals the focus record occurrence when it passes through, else the first', () => {
    assert.deepEqual(revealTarget(t, node(layout, 'r.0'), 11), { recordIndex: 11, responseIndex: 0, stepIndex: 0 });
    assert.deepEqual(revealTarget(t, node(layout, 'r.0'), 12), { recordIndex: 10, responseIndex: 0, stepIndex: 0 });
    assert.deepEqual(revealTarget(t, node(layout, 'r.0.0.1~1'), 10), { recordIndex: 11, responseIndex: 0 });
    assert.deepEqual(revealTarget(t, node(layout, 'r'), 12), { recordIndex: 12, responseIndex: 0 });
  });
  it('finds nodes by path id', () => {
    assert.equal(findNode(t.root, 'r.0.0.1')?.text, 'Answer: 4');
    assert.equal(findNode(t.root, 'r.5'), undefined);
    assert.equal(findNode(t.root, 'x.0'), undefined);
  });
});

describe('display helpers', () => {
  it('displayLine collapses whitespace, shows bidi controls and truncates', () => {
    assert.equal(displayLine('a\n\n  b', 10), 'a b');
    assert.equal(displayLine('abc\u202Edef', 20), 'abcU+202Edef');
    assert.equal(displayLine('abcdefghij', 5), 'abcd…');
    assert.equal(displayLine(`${'x'.repeat(8)}${' '.repeat(100)}y`, 10), 'xxxxxxxx…');
    assert.equal(displayLine('<img src=x onerror=alert(1)>', 40), '<img src=x onerror=alert(1)>');
  });
  it('formats scores, margins and ranges', () => {
    assert.equal(formatScore(0.8125), '0.813');
    assert.equal(formatScore(undefined), 'not scored');
    assert.equal(formatScore(Number.NaN), 'not scored');
    assert.equal(formatMargin(0.4121), '+0.412');
    assert.equal(formatMargin(-0.13), '\u22120.130');
    assert.equal(formatMargin(0), '0.000');
    assert.equal(formatMargin(null), '—');
    assert.equal(formatRange(0.41, 0.82), '0.410–0.820');
    assert.equal(formatRange(0.5, 0.5001), '0.500');
  });
  it('colours scores by the thresholds', () => {
    assert.deepEqual(
      [0.49, 0.5, 0.79, 0.8, undefined].map((s) => scoreClass(s, thresholds)),
      ['low', 'mid', 'mid', 'high', 'none'],
    );
  });
});
