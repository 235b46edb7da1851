// Pure layout of a Trace Tree: StepTree → positioned boxes and link paths (d3-hierarchy tidy tree, left to right).
// No DOM: runs and is unit-tested in plain Node. Labels are display strings (one line, bidi controls made visible,
// truncated); the full texts stay in the StepTree.
import { hierarchy, tree as d3tree, type HierarchyPointNode } from 'd3-hierarchy';
import { linkHorizontal } from 'd3-shape';
import { neutraliseBidi, truncate } from '../../src/core/text/escape.js';
import type { StepRef, StepTree, StepTreeNode, TreeTrace } from '../../src/core/tree/treeTypes.js';
import { formatRange, formatScore } from '../format/numbers.js';
import { scoreClass, type ScoreClass, type Thresholds } from '../format/scoreColor.js';

/** Box sizes and spacing in CSS pixels. */
export interface TreeLayoutOptions {
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  /** Horizontal space between a parent's right edge and its children. */
  readonly gapX: number;
  /** Vertical space between neighbouring boxes. */
  readonly gapY: number;
  /** Padding around the whole drawing. */
  readonly margin: number;
  /** Characters of step text in a box's first line. */
  readonly labelChars: number;
  /** Ids of collapsed nodes (their descendants are not laid out). */
  readonly collapsed: ReadonlySet<string>;
  /** The record whose path is highlighted. */
  readonly focusRecordIndex?: number;
}

/** Defaults that fit a 12–13 px UI font. */
export const DEFAULT_TREE_LAYOUT: TreeLayoutOptions = {
  nodeWidth: 240,
  nodeHeight: 44,
  gapX: 48,
  gapY: 10,
  margin: 16,
  labelChars: 34,
  collapsed: new Set(),
};

/** What a box stands for: the prompt, a merged step, or the end of one response (its answer). */
export type LayoutNodeKind = 'root' | 'step' | 'end';

/** One positioned box. `x` is its left edge, `y` its vertical centre. */
export interface LayoutNode {
  readonly id: string;
  readonly kind: LayoutNodeKind;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Column: 0 for the root, the step number for steps, one more than the last step for ends. */
  readonly depth: number;
  readonly parentId?: string;
  readonly childIds: readonly string[];
  /** The StepTree node this box shows (for an end: the node of the response's last step). */
  readonly treeNodeId: string;
  /** For ends: index into `StepTree.traces`. */
  readonly trace?: number;
  /** First line: step text or answer, display-safe. */
  readonly label: string;
  /** Second line: score, counts, correctness. */
  readonly meta: string;
  /** What a screen reader announces. */
  readonly ariaLabel: string;
  readonly score?: number;
  readonly scoreClass: ScoreClass;
  /** Parent score minus this score, when both exist (positive = the reward drops here). */
  readonly drop?: number;
  /** For ends: the answer's correctness, when known. */
  readonly correct?: boolean;
  readonly stale: boolean;
  /** On the path of the record the view was opened from. */
  readonly onFocusPath: boolean;
  /** Has children that can be hidden. */
  readonly collapsible: boolean;
  readonly collapsed: boolean;
  /** Boxes hidden under this collapsed node. */
  readonly hiddenCount: number;
}

/** A parent → child connection, with its SVG path already computed. */
export interface LayoutLink {
  readonly source: string;
  readonly target: string;
  readonly path: string;
  readonly scoreClass: ScoreClass;
  readonly onFocusPath: boolean;
}

/** A laid-out tree; `width`/`height` enclose every box plus the margin. */
export interface TreeLayout {
  readonly nodes: readonly LayoutNode[];
  readonly links: readonly LayoutLink[];
  readonly byId: ReadonlyMap<string, LayoutNode>;
  readonly width: number;
  readonly height: number;
}

type Datum = { readonly kind: 'root' | 'step'; readonly node: StepTreeNode } | { readonly kind: 'end'; readonly node: StepTreeNode; readonly trace: number };

/** One display line: whitespace collapsed, bidi controls made visible, cut to `max` characters. */
export function displayLine(text: string, max: number): string {
  // Slice before the regexes so a 1 MB step costs no more than a short one.
  const head = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const line = neutraliseBidi(head).replace(/\s+/g, ' ').trim();
  return truncate(line, max) + (line.length <= max && head.length < text.length ? '…' : '');
}

function endNodeId(nodeId: string, trace: number): string {
  return `${nodeId}~${trace}`;
}

/** Ids of the StepTree nodes on the path of the first response of `recordIndex` (path ids make ancestors prefixes). */
function focusPath(tree: StepTree, recordIndex: number | undefined): Set<string> {
  const out = new Set<string>();
  if (recordIndex === undefined) return out;
  tree.traces.forEach((t, i) => {
    if (t.ref.recordIndex !== recordIndex) return;
    const parts = t.endNodeId.split('.');
    for (let k = 1; k <= parts.length; k++) out.add(parts.slice(0, k).join('.'));
    out.add(endNodeId(t.endNodeId, i));
  });
  return out;
}

function correctnessWord(t: TreeTrace): string {
  if (t.correct === undefined) return 'correctness unknown';
  if (t.correctSource === 'preference') return t.correct ? 'chosen' : 'rejected';
  return t.correct ? 'correct' : 'incorrect';
}

function correctnessMark(t: TreeTrace): string {
  if (t.correct === undefined) return '?';
  return t.correct ? '✓' : '✗';
}

function stepMeta(n: StepTreeNode): string {
  const score = n.score === undefined ? 'not scored' : n.scoreMin !== undefined && n.scoreMax !== undefined ? formatRange(n.scoreMin, n.scoreMax) : formatScore(n.score);
  const bad = n.occurrences.filter((o) => o.label === 'bad').length;
  return [score, `×${n.traceCount}`, ...(bad > 0 ? [`label bad ×${bad}`] : [])].join(' · ');
}

/**
 * Lays out a Trace Tree left to right: the prompt at the left, one column per step, and one answer box per response
 * after its last step. Collapsed nodes hide their descendants. Coordinates start at `margin`.
 */
export function layoutTree(tree: StepTree, thresholds: Thresholds, options: TreeLayoutOptions = DEFAULT_TREE_LAYOUT): TreeLayout {
  const o = options;
  const children = (d: Datum): Datum[] | undefined => {
    if (d.kind === 'end' || o.collapsed.has(d.node.id)) return undefined;
    return [...d.node.children.map((node): Datum => ({ kind: 'step', node })), ...d.node.ends.map((trace): Datum => ({ kind: 'end', node: d.node, trace }))];
  };
  const root = hierarchy<Datum>({ kind: 'root', node: tree.root }, children);
  const laid = d3tree<Datum>()
    .nodeSize([o.nodeHeight + o.gapY, o.nodeWidth + o.gapX])
    .separation((a, b) => (a.parent === b.parent ? 1 : 1.25))(root);

  let minX = Infinity;
  let maxX = -Infinity;
  let maxY = 0;
  laid.each((n) => {
    minX = Math.min(minX, n.x);
    maxX = Math.max(maxX, n.x);
    maxY = Math.max(maxY, n.y);
  });
  const top = o.margin + o.nodeHeight / 2 - minX;
  const path = focusPath(tree, o.focusRecordIndex);
  const link = linkHorizontal<{ source: [number, number]; target: [number, number] }, [number, number]>();
  const idOf = (n: HierarchyPointNode<Datum>): string => (n.data.kind === 'end' ? endNodeId(n.data.node.id, n.data.trace) : n.data.node.id);

  const nodes: LayoutNode[] = [];
  const links: LayoutLink[] = [];
  laid.each((n) => {
    const d = n.data;
    const id = idOf(n);
    const x = o.margin + n.y;
    const y = top + n.x;
    const parentId = n.parent ? idOf(n.parent) : undefined;
    const hasChildren = d.kind !== 'end' && (d.node.children.length > 0 || d.node.ends.length > 0);
    const collapsed = hasChildren && o.collapsed.has(d.node.id);
    const hiddenCount = collapsed ? countBelow(d.node) : 0;
    const common = {
      id,
      x,
      y,
      width: o.nodeWidth,
      height: o.nodeHeight,
      depth: n.depth,
      ...(parentId !== undefined ? { parentId } : {}),
      childIds: (n.children ?? []).map(idOf),
      treeNodeId: d.node.id,
      onFocusPath: path.has(id),
      collapsible: hasChildren,
      collapsed,
      hiddenCount,
    };
    let node: LayoutNode;
    if (d.kind === 'end') {
      const t = tree.traces[d.trace];
      const score = t?.score;
      const answer = t?.answer === undefined ? '(no final answer)' : `= ${displayLine(t.answer, o.labelChars - 2)}`;
      node = {
        ...common,
        kind: 'end',
        trace: d.trace,
        label: answer,
        meta: t ? [correctnessMark(t), formatScore(score), displayLine(t.id, 18)].join(' · ') : '',
        ariaLabel: t ? `Answer ${displayLine(t.answer ?? 'none', 120)}, ${correctnessWord(t)}, trace score ${formatScore(score)}, record ${displayLine(t.id, 60)}` : 'Answer',
        ...(score !== undefined ? { score } : {}),
        scoreClass: scoreClass(score, thresholds),
        ...(t?.correct !== undefined ? { correct: t.correct } : {}),
        stale: t?.stale ?? false,
      };
    } else if (d.kind === 'root') {
      node = {
        ...common,
        kind: 'root',
        label: displayLine(tree.prompt === '' ? '(no prompt)' : tree.prompt, o.labelChars),
        meta: `prompt · ${tree.traces.length} response${tree.traces.length === 1 ? '' : 's'}`,
        ariaLabel: `Prompt: ${displayLine(tree.prompt, 200)}. ${tree.traces.length} responses.`,
        scoreClass: 'none',
        stale: false,
      };
    } else {
      const parentScore = n.parent?.data.kind === 'step' ? n.parent.data.node.score : undefined;
      const score = d.node.score;
      const stale = d.node.occurrences.some((oc) => tree.traces[oc.trace]?.stale === true);
      node = {
        ...common,
        kind: 'step',
        label: `${d.node.depth}. ${displayLine(d.node.text, o.labelChars - 4)}`,
        meta: stepMeta(d.node) + (collapsed ? ` · +${hiddenCount} hidden` : ''),
        ariaLabel: `Step ${d.node.depth}, score ${stepMeta(d.node)}, ${d.node.traceCount} response${d.node.traceCount === 1 ? '' : 's'}: ${displayLine(d.node.text, 200)}`,
        ...(score !== undefined ? { score } : {}),
        scoreClass: scoreClass(score, thresholds),
        ...(score !== undefined && parentScore !== undefined ? { drop: parentScore - score } : {}),
        stale,
      };
    }
    nodes.push(node);
    if (n.parent) {
      const p = n.parent;
      links.push({
        source: idOf(p),
        target: id,
        path: link({ source: [o.margin + p.y + o.nodeWidth, top + p.x], target: [x, y] }) ?? '',
        scoreClass: node.scoreClass,
        onFocusPath: node.onFocusPath && path.has(idOf(p)),
      });
    }
  });
  return {
    nodes,
    links,
    byId: new Map(nodes.map((n) => [n.id, n])),
    width: 2 * o.margin + maxY + o.nodeWidth,
    height: 2 * o.margin + (maxX - minX) + o.nodeHeight,
  };
}

function countBelow(node: StepTreeNode): number {
  let count = node.ends.length;
  for (const c of node.children) count += 1 + countBelow(c);
  return count;
}

/** Keys that move the selection. */
export type NavKey = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight' | 'Home';

/**
 * The box the selection moves to: Left → parent, Right → first child, Up/Down → the previous/next box in the same
 * column (across subtrees, as the eye reads the drawing), Home → the root. Stays put where there is nowhere to go.
 */
export function navigate(layout: TreeLayout, fromId: string, key: NavKey): string {
  const from = layout.byId.get(fromId);
  const root = layout.nodes[0]?.id ?? fromId;
  if (!from) return root;
  switch (key) {
    case 'Home':
      return root;
    case 'ArrowLeft':
      return from.parentId ?? from.id;
    case 'ArrowRight':
      return from.childIds[0] ?? from.id;
    case 'ArrowUp':
    case 'ArrowDown': {
      const column = layout.nodes.filter((n) => n.depth === from.depth).sort((a, b) => a.y - b.y);
      const at = column.findIndex((n) => n.id === from.id);
      const next = column[key === 'ArrowUp' ? at - 1 : at + 1];
      return next?.id ?? from.id;
    }
  }
}

/**
 * What selecting a box reveals in the editor: for a step, its occurrence in the focus record when that record
 * passes through it, else its first occurrence; for an answer box, its record; for the root, the focus record.
 */
export function revealTarget(tree: StepTree, node: LayoutNode, focusRecordIndex: number): StepRef | undefined {
  if (node.kind === 'end') return node.trace === undefined ? undefined : tree.traces[node.trace]?.ref;
  if (node.kind === 'root') {
    const t = tree.traces.find((x) => x.ref.recordIndex === focusRecordIndex) ?? tree.traces[0];
    return t?.ref;
  }
  const treeNode = findNode(tree.root, node.treeNodeId);
  const occ = treeNode?.occurrences.find((oc) => oc.ref.recordIndex === focusRecordIndex) ?? treeNode?.occurrences[0];
  return occ?.ref;
}

/** The StepTree node with a path id (`r.0.2`), found by walking the path. */
export function findNode(root: StepTreeNode, id: string): StepTreeNode | undefined {
  const parts = id.split('.');
  if (parts[0] !== root.id) return undefined;
  let node: StepTreeNode | undefined = root;
  for (const p of parts.slice(1)) {
    node = node?.children[Number(p)];
    if (!node) return undefined;
  }
  return node;
}
