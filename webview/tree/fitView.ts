// Pure viewport math for the Trace Tree: which pan/zoom transform shows a laid-out tree in a panel, and how little to
// pan so one box is in view. No DOM: unit-tested in plain Node. A transform maps drawing coordinates to panel pixels:
// screen = drawing × k + (x, y), as d3-zoom's ZoomTransform does.
import type { LayoutNode, TreeLayout } from './layoutTree.js';

/** An axis-aligned box in drawing coordinates. */
export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** A pan/zoom transform: `screen = drawing × k + (x, y)`. */
export interface ViewTransform {
  readonly x: number;
  readonly y: number;
  readonly k: number;
}

/** The panel's size in CSS pixels. */
export interface PanelSize {
  readonly width: number;
  readonly height: number;
}

export interface FitOptions {
  /** Space kept free at every panel edge, in panel pixels. */
  readonly padding: number;
  /** Never zoom in beyond this (1: a small tree is not blown up). */
  readonly maxScale: number;
  /** Never shrink below this, even when the tree then overflows the panel (a readable minimum). */
  readonly minScale: number;
}

/** The box a layout node occupies (`x` is its left edge, `y` its vertical centre). */
export function nodeBox(n: LayoutNode): Box {
  return { x0: n.x, y0: n.y - n.height / 2, x1: n.x + n.width, y1: n.y + n.height / 2 };
}

/** The smallest box around every node of a layout (links run between boxes, so they are inside it). */
export function layoutBounds(layout: TreeLayout): Box {
  let b: Box | undefined;
  for (const n of layout.nodes) {
    const nb = nodeBox(n);
    b = b ? { x0: Math.min(b.x0, nb.x0), y0: Math.min(b.y0, nb.y0), x1: Math.max(b.x1, nb.x1), y1: Math.max(b.y1, nb.y1) } : nb;
  }
  return b ?? { x0: 0, y0: 0, x1: layout.width, y1: layout.height };
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * The offset along one axis: the content centred when it fits; otherwise the anchor centred, then pulled back so no
 * empty space opens at either end (an anchor at the start, like the tree's root, ends up at the start).
 */
function axisOffset(lo: number, hi: number, anchorLo: number, anchorHi: number, size: number, k: number, pad: number): number {
  const extent = (hi - lo) * k;
  if (extent <= size - 2 * pad) return (size - extent) / 2 - lo * k;
  const centred = size / 2 - ((anchorLo + anchorHi) / 2) * k;
  return clamp(centred, size - pad - hi * k, pad - lo * k);
}

/**
 * The transform that fits `content` into `panel` with `padding`, at a scale within `[minScale, maxScale]`. When the
 * content overflows even at `minScale`, `anchor` (the root box) is kept in view and the content starts at the panel's
 * top-left where the anchor allows: the root and the first steps show, not the leaves. With `also` (the selected box),
 * the view then pans to show it too, but only if the anchor stays in view.
 */
export function fitTransform(content: Box, panel: PanelSize, anchor: Box, o: FitOptions, also?: Box): ViewTransform {
  const w = Math.max(1, panel.width);
  const h = Math.max(1, panel.height);
  const cw = Math.max(1, content.x1 - content.x0);
  const ch = Math.max(1, content.y1 - content.y0);
  const fitScale = Math.min((w - 2 * o.padding) / cw, (h - 2 * o.padding) / ch);
  const k = clamp(Math.min(o.maxScale, fitScale), o.minScale, o.maxScale);
  const t: ViewTransform = {
    x: axisOffset(content.x0, content.x1, anchor.x0, anchor.x1, w, k, o.padding),
    y: axisOffset(content.y0, content.y1, anchor.y0, anchor.y1, h, k, o.padding),
    k,
  };
  if (!also) return t;
  const moved = scrollIntoView(t, also, panel, o.padding);
  return boxInside(moved, anchor, panel, 0) ? moved : t;
}

/** True when `box` under `t` lies inside the panel, `padding` in from its edges. */
export function boxInside(t: ViewTransform, box: Box, panel: PanelSize, padding = 0): boolean {
  const x0 = box.x0 * t.k + t.x;
  const y0 = box.y0 * t.k + t.y;
  const x1 = box.x1 * t.k + t.x;
  const y1 = box.y1 * t.k + t.y;
  const eps = 1e-6;
  return x0 >= padding - eps && y0 >= padding - eps && x1 <= panel.width - padding + eps && y1 <= panel.height - padding + eps;
}

/** One axis of `scrollIntoView`: the smallest shift that brings `[lo, hi]` inside; too big a box shows its start. */
function axisScroll(offset: number, lo: number, hi: number, size: number, k: number, pad: number): number {
  const a0 = lo * k + offset;
  const a1 = hi * k + offset;
  if (a1 - a0 > size - 2 * pad) return pad - lo * k;
  if (a0 < pad) return offset + (pad - a0);
  if (a1 > size - pad) return offset - (a1 - (size - pad));
  return offset;
}

/** `t` panned as little as possible (scale unchanged) so that `box` is inside the panel with `padding`. */
export function scrollIntoView(t: ViewTransform, box: Box, panel: PanelSize, padding: number): ViewTransform {
  return {
    x: axisScroll(t.x, box.x0, box.x1, panel.width, t.k, padding),
    y: axisScroll(t.y, box.y0, box.y1, panel.height, t.k, padding),
    k: t.k,
  };
}
