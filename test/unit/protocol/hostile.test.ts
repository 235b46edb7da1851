// The XSS fixture end to end on the data path: parse → core model → `init` message → wire (structured clone) →
// webview layout. Every hostile string must arrive as the same plain string it was in the file.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { PreferenceSet, Trace } from '../../../src/core/dataset/types.js';
import { buildJudgment } from '../../../src/core/diff/alignResponses.js';
import { groupTracesByPrompt } from '../../../src/core/formats/groupTraces.js';
import { parseDocument } from '../../../src/core/parseDocument.js';
import { buildStepTree, treeInputOfTrace } from '../../../src/core/tree/buildStepTree.js';
import { isToWebview } from '../../../src/protocol/guards.js';
import { PROTOCOL_VERSION, type ToWebview, type ViewScoring } from '../../../src/protocol/messages.js';
import { layoutPanes } from '../../../webview/diff/layoutDiff.js';
import { layoutTree } from '../../../webview/tree/layoutTree.js';
import { readFixture } from '../helpers.js';

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '</script><script>alert(2)</script>';
const BIDI = 'user\u202Egnp.exe\u202C';
const LINK = '[x](command:evil)';
const scoring: ViewScoring = { model: 'm', threshold: 0.5, highThreshold: 0.8, aggregation: 'min', stale: false };
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Every string anywhere in a JSON-like value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

function treeInit(): ToWebview {
  const records = parseDocument(readFixture('hostile/hostile.jsonl'), 'hostile.jsonl').records.filter((r): r is Trace => r.kind === 'trace');
  const [group] = groupTracesByPrompt(records);
  assert.ok(group);
  const tree = buildStepTree(
    group.prompt,
    group.traces.map((t, i) => treeInputOfTrace(t, i)),
  );
  return { type: 'init', version: PROTOCOL_VERSION, view: { kind: 'traceTree', fileName: 'hostile.jsonl', focusRecordIndex: 1, tree, scoreSource: 'none', unscoredCount: 3, scoring } };
}

function diffInit(): ToWebview {
  const [set] = parseDocument(readFixture('hostile/hostile_preference.jsonl'), 'hostile_preference.jsonl').records.filter((r): r is PreferenceSet => r.kind === 'preference');
  assert.ok(set);
  return { type: 'init', version: PROTOCOL_VERSION, view: { kind: 'judgmentDiff', fileName: 'hostile_preference.jsonl', recordIndex: 0, judgment: buildJudgment(set, [0.31, 0.77]), scoring } };
}

describe('hostile fixture through the protocol', () => {
  it('the tree init message carries every hostile string verbatim and survives the wire', () => {
    const msg = treeInit();
    const wire = structuredClone(msg);
    assert.deepEqual(wire, msg);
    assert.equal(isToWebview(wire), true);
    const all = strings(wire);
    for (const needle of [IMG, SCRIPT, BIDI, LINK, 'test/<svg onload=alert(3)>.json#1']) assert.ok(all.some((s) => s.includes(needle)), needle);
    const big = all.find((s) => s.length === 1048576);
    assert.ok(big?.startsWith(`A 1 MB step ${IMG} ${SCRIPT}`));
    // JSON (what VS Code uses for postMessage between processes) round-trips it too.
    assert.deepEqual(JSON.parse(JSON.stringify(msg)), msg);
  });

  it('the diff init message carries hostile responses verbatim', () => {
    const msg = diffInit();
    assert.deepEqual(structuredClone(msg), msg);
    const all = strings(msg);
    for (const needle of [IMG, SCRIPT, BIDI, LINK]) assert.ok(all.some((s) => s.includes(needle)), needle);
  });

  it('tree layout labels keep the markup as literal text, with bidi controls made visible and the 1 MB step cut', () => {
    const msg = treeInit();
    assert.ok(msg.type === 'init' && msg.view.kind === 'traceTree');
    const layout = layoutTree(msg.view.tree, scoring);
    const labels = layout.nodes.flatMap((n) => [n.label, n.meta, n.ariaLabel]);
    for (const l of labels) assert.doesNotMatch(l, BIDI_CONTROLS);
    assert.ok(labels.some((l) => l.includes('<img src=x')), 'markup stays text');
    assert.ok(labels.some((l) => l.includes('userU+202Egnp')), 'bidi control shown as U+202E');
    assert.ok(layout.nodes.every((n) => n.label.length <= 34));
    assert.ok(layout.nodes.every((n) => n.ariaLabel.length < 400));
    assert.ok(layout.nodes.some((n) => n.kind === 'end' && n.label === `= ${LINK}`));
  });

  it('diff panes keep the markup as literal text with bidi controls made visible', () => {
    const msg = diffInit();
    assert.ok(msg.type === 'init' && msg.view.kind === 'judgmentDiff');
    const panes = layoutPanes(msg.view.judgment, scoring, 0, 1);
    const text = panes.map((p) => p.parts.map((x) => x.text).join(''));
    assert.deepEqual(text, [`The answer is 4. ${IMG}\n\nSee ${LINK}.`, `The answer is 5. ${SCRIPT}\n\nSee userU+202Egnp.exeU+202C.`]);
    for (const p of panes) for (const part of p.parts) assert.doesNotMatch(part.text, BIDI_CONTROLS);
  });
});
