import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { boxInside, fitTransform, layoutBounds, nodeBox, scrollIntoView, type Box, type FitOptions } from '../../../webview/tree/fitView.js';
import { layoutTree } from '../../../webview/tree/layoutTree.js';
import type { Step } from '../../../src/core/dataset/types.js';
import { buildStepTree, type TreeResponseInput } from '../../../src/core/tree/buildStepTree.js';

const readable: FitOptions = { padding: 10, maxScale: 1, minScale: 0.6 };
const box = (x0: number, y0: number, x1: number, y1: number): Box => ({ x0, y0, x1, y1 });

describe('fitTransform', () => {
  it('does not blow up a small tree: scale 1, centred', () => {
    const t = fitTransform(box(0, 0, 200, 100), { width: 800, height: 600 }, box(0, 40, 50, 60), readable);
    assert.deepEqual(t, { x: 300, y: 250, k: 1 });
  });

  it('shrinks a tree that fits at a readable scale, and all of it is inside', () => {
    const content = box(0, 0, 1000, 400);
    const panel = { width: 720, height: 500 };
    const t = fitTransform(content, panel, box(0, 180, 100, 220), readable);
    assert.equal(t.k, 0.7);
    assert.ok(boxInside(t, content, panel, 10));
  });

  it('a tree too big even at the minimum scale shows the root and first columns, not the leaves', () => {
    const content = box(0, 0, 3000, 2000);
    const root = box(0, 980, 240, 1020);
    const panel = { width: 700, height: 300 };
    const t = fitTransform(content, panel, root, readable);
    assert.equal(t.k, 0.6);
    assert.ok(boxInside(t, root, panel, 10), 'the root is in view');
    assert.equal(t.x, 10, 'the drawing starts at the left edge');
    assert.ok(!boxInside(t, box(2700, 0, 3000, 40), panel), 'a far leaf is not');
  });

  it('brings the selected box in too when the root stays in view, and only then', () => {
    const content = box(0, 0, 1800, 300);
    const root = box(0, 130, 240, 170);
    const panel = { width: 800, height: 400 };
    const near = box(600, 130, 840, 170);
    const withNear = fitTransform(content, panel, root, readable, near);
    assert.ok(boxInside(withNear, near, panel) && boxInside(withNear, root, panel));
    const far = box(1560, 130, 1800, 170);
    const withFar = fitTransform(content, panel, root, readable, far);
    assert.deepEqual(withFar, fitTransform(content, panel, root, readable), 'the root wins over a selection it cannot share the view with');
  });

  it('tolerates a panel with no size yet', () => {
    const t = fitTransform(box(0, 0, 100, 100), { width: 0, height: 0 }, box(0, 0, 10, 10), readable);
    assert.ok(Number.isFinite(t.x) && Number.isFinite(t.y) && t.k === 0.6);
  });
});

describe('scrollIntoView', () => {
  const panel = { width: 400, height: 300 };
  it('pans as little as possible, keeping the scale', () => {
    const t = { x: 0, y: 0, k: 0.5 };
    assert.deepEqual(scrollIntoView(t, box(900, 100, 1100, 140), panel, 10), { x: 400 - 10 - 550, y: 0, k: 0.5 });
    assert.deepEqual(scrollIntoView({ x: -500, y: -500, k: 1 }, box(480, 480, 520, 520), panel, 10), { x: -470, y: -470, k: 1 });
  });
  it('leaves a visible box alone', () => {
    const t = { x: 5, y: 5, k: 1 };
    assert.deepEqual(scrollIntoView(t, box(20, 20, 60, 60), panel, 10), t);
  });
  it('shows the start of a box larger than the panel', () => {
    assert.deepEqual(scrollIntoView({ x: 0, y: 0, k: 1 }, box(100, 0, 900, 40), panel, 10).x, -90);
  });
});

describe('layoutBounds', () => {
  it('encloses every node box of a real layout', () => {
    const steps = (...texts: string[]): Step[] => texts.map((text, index) => ({ index, text, label: 'unknown', part: 'reasoning' }));
    const inputs: TreeResponseInput[] = ['a', 'b', 'c', 'd'].map((last, i) => ({ id: `t${i}`, ref: { recordIndex: i, responseIndex: 0 }, steps: steps('one', 'two', last) }));
    const layout = layoutTree(buildStepTree('Q', inputs), { threshold: 0.5, highThreshold: 0.8 });
    const b = layoutBounds(layout);
    for (const n of layout.nodes) {
      const nb = nodeBox(n);
      assert.ok(nb.x0 >= b.x0 && nb.y0 >= b.y0 && nb.x1 <= b.x1 && nb.y1 <= b.y1);
    }
    assert.equal(b.x0, layout.nodes[0]?.x);
  });
});
