import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { DatasetRecord, Step, Trace } from '../../../../src/core/dataset/types.js';
import { groupTracesByPrompt } from '../../../../src/core/formats/groupTraces.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import {
  buildStepTree,
  chooseTreeScores,
  datasetStepScores,
  labelCounts,
  normaliseStepText,
  refRange,
  treeInputOfTrace,
  treeInputsOfPreference,
  type TreeResponseInput,
} from '../../../../src/core/tree/buildStepTree.js';
import type { StepTreeNode } from '../../../../src/core/tree/treeTypes.js';
import { decodeAt, readFixture, readSample } from '../../helpers.js';

const step = (index: number, text: string, label: Step['label'] = 'unknown'): Step => ({ index, text, label, part: 'reasoning' });
const steps = (...texts: string[]): Step[] => texts.map((t, i) => step(i, t));
const ref = (recordIndex: number) => ({ recordIndex, responseIndex: 0 });

/** Four responses: A and B share two steps (B with extra whitespace), C differs in case only, D has no steps. */
function fixture(): TreeResponseInput[] {
  return [
    { id: 'A', ref: ref(10), steps: steps('Let x = 2.', 'Then x + 1 = 3.', 'Answer: 3'), answer: '3', correct: true, scores: { steps: [0.9, 0.8, 0.7], trace: 0.7, stale: false } },
    { id: 'B', ref: ref(11), steps: steps('Let  x = 2.\n', 'Then x + 1 = 3.', 'Answer: 4'), answer: '4', reference: '3', scores: { steps: [0.7, 0.6, 0.1], trace: 0.1, stale: true } },
    { id: 'C', ref: ref(12), steps: steps('let x = 2.', 'So 3.') },
    { id: 'D', ref: ref(13), steps: [] },
  ];
}

function ids(node: StepTreeNode): string[] {
  return [node.id, ...node.children.flatMap(ids)];
}

function near(actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${actual} ≉ ${expected}`);
}

function stepNodes(node: StepTreeNode): StepTreeNode[] {
  return node.children.flatMap((c) => [c, ...stepNodes(c)]);
}

describe('buildStepTree', () => {
  it('merges identical normalised steps after identical prefixes, in first-seen order', () => {
    const tree = buildStepTree('P', fixture());
    assert.deepEqual(ids(tree.root), ['r', 'r.0', 'r.0.0', 'r.0.0.0', 'r.0.0.1', 'r.1', 'r.1.0']);
    assert.equal(tree.nodeCount, 6);
    assert.equal(tree.root.text, 'P');
    assert.equal(tree.root.traceCount, 4);
    assert.deepEqual(tree.root.ends, [3]);
    const [shared, lower] = tree.root.children;
    // The first-seen text is kept; B's "Let  x = 2.\n" merged into it.
    assert.equal(shared?.text, 'Let x = 2.');
    assert.equal(shared?.traceCount, 2);
    assert.deepEqual(
      shared?.occurrences.map((o) => [o.trace, o.ref.recordIndex, o.ref.stepIndex, o.score]),
      [
        [0, 10, 0, 0.9],
        [1, 11, 0, 0.7],
      ],
    );
    // Case counts: "let x = 2." is another node.
    assert.equal(lower?.text, 'let x = 2.');
    assert.equal(lower?.traceCount, 1);
    assert.equal(lower?.children[0]?.text, 'So 3.');
    assert.deepEqual(lower?.children[0]?.ends, [2]);
    assert.equal(lower?.score, undefined);
  });

  it('scores a node with the mean, min and max of its merged steps', () => {
    const tree = buildStepTree('P', fixture());
    const shared = tree.root.children[0];
    near(shared?.score, 0.8);
    assert.equal(shared?.scoreMin, 0.7);
    assert.equal(shared?.scoreMax, 0.9);
    near(shared?.children[0]?.score, 0.7);
    const [a, b] = shared?.children[0]?.children ?? [];
    assert.deepEqual([a?.text, a?.score, a?.ends], ['Answer: 3', 0.7, [0]]);
    assert.deepEqual([b?.text, b?.score, b?.ends], ['Answer: 4', 0.1, [1]]);
  });

  it('records where each response ends, its correctness and its trace score', () => {
    const tree = buildStepTree('P', fixture());
    assert.deepEqual(
      tree.traces.map((t) => [t.id, t.endNodeId, t.stepCount, t.correct, t.correctSource, t.score, t.stale]),
      [
        ['A', 'r.0.0.0', 3, true, 'dataset', 0.7, false],
        ['B', 'r.0.0.1', 3, false, 'reference', 0.1, true],
        ['C', 'r.1.0', 2, undefined, undefined, undefined, false],
        ['D', 'r', 0, undefined, undefined, undefined, false],
      ],
    );
    assert.deepEqual(tree.traces[1]?.ref, { recordIndex: 11, responseIndex: 0 });
  });

  it('builds an empty tree for no responses', () => {
    const tree = buildStepTree('P', []);
    assert.deepEqual([tree.nodeCount, tree.root.children.length, tree.root.traceCount, tree.traces.length], [0, 0, 0, 0]);
  });

  it('survives a JSON round trip unchanged (it is posted to the webview)', () => {
    const tree = buildStepTree('P', fixture());
    assert.deepEqual(JSON.parse(JSON.stringify(tree)), tree);
  });
});

describe('normaliseStepText', () => {
  it('collapses whitespace and trims but keeps case and punctuation', () => {
    assert.equal(normaliseStepText('  a \n\t b  '), 'a b');
    assert.notEqual(normaliseStepText('x = 2.'), normaliseStepText('x = 2'));
    assert.equal(normaliseStepText('e\u0301'), '\u00e9');
  });
});

describe('correctness of a response', () => {
  const input = (extra: Partial<TreeResponseInput>): TreeResponseInput => ({ id: 'x', ref: ref(0), steps: [], ...extra });
  it("takes the dataset's verdict first, then the answer against the reference, then the preference label", () => {
    const tree = buildStepTree('P', [
      input({ answer: '5', reference: '5', correct: false }),
      input({ answer: '\\boxed{7i - 2}', reference: '-2+7i' }),
      input({ answer: '\\frac{1}{2}', reference: '0.5' }),
      input({ answer: '3', reference: '4' }),
      input({ chosen: false }),
      input({ answer: '3' }),
    ]);
    assert.deepEqual(
      tree.traces.map((t) => [t.correct, t.correctSource]),
      [
        [false, 'dataset'],
        [true, 'reference'],
        [true, 'reference'],
        [false, 'reference'],
        [false, 'preference'],
        [undefined, undefined],
      ],
    );
  });
});

describe('tree inputs and score choice', () => {
  it('prefers model scores, else dataset scores, for the whole tree', () => {
    const m = { steps: [0.1], stale: false };
    const d = { steps: [0.9], stale: false };
    assert.deepEqual(chooseTreeScores([undefined, m], [d, d]), { scores: [undefined, m], source: 'model' });
    assert.deepEqual(chooseTreeScores([undefined, undefined], [undefined, d]), { scores: [undefined, d], source: 'dataset' });
    assert.deepEqual(chooseTreeScores([undefined], [undefined]), { scores: [undefined], source: 'none' });
  });

  it('reads dataset step scores only when there is one finite number per step', () => {
    const trace = (metadata: Record<string, unknown>, n: number): Trace => ({ kind: 'trace', id: 't', recordRange: { start: 0, end: 0 }, prompt: '', steps: steps(...Array.from({ length: n }, (_, i) => `s${i}`)), metadata });
    assert.deepEqual(datasetStepScores(trace({ datasetStepScores: [0.25, 0.5] }, 2)), [0.25, 0.5]);
    assert.equal(datasetStepScores(trace({ datasetStepScores: [0.25] }, 2)), undefined);
    assert.equal(datasetStepScores(trace({ datasetStepScores: [0.25, 'x'] }, 2)), undefined);
    assert.equal(datasetStepScores(trace({ datasetStepScores: [0.25, Number.NaN] }, 2)), undefined);
    assert.equal(datasetStepScores(trace({}, 0)), undefined);
  });

  it('counts dataset labels of a node', () => {
    const tree = buildStepTree('P', [
      { id: 'a', ref: ref(0), steps: [step(0, 's', 'good')] },
      { id: 'b', ref: ref(1), steps: [step(0, 's', 'bad')] },
      { id: 'c', ref: ref(2), steps: [step(0, 's', 'good')] },
    ]);
    assert.deepEqual(labelCounts(tree.root.children[0]?.occurrences ?? []), { good: 2, bad: 1 });
  });
});

describe('buildStepTree on samples', () => {
  it('PRM800K scored sample: one chain of four steps with the dataset scores and verdict', (t) => {
    const text = readSample('prm800k_scored_samples.jsonl');
    if (text === undefined) return t.skip('samples not available');
    const records = parseDocument(text, 'prm800k_scored_samples.jsonl').records;
    const trace = records[0];
    assert.equal(trace?.kind, 'trace');
    if (trace?.kind !== 'trace') return;
    const scores = datasetStepScores(trace);
    assert.deepEqual(scores, [0.387681464904673, 0.9101000509718192, 0.9291714977657496, 0.1384993425138924]);
    const tree = buildStepTree(trace.prompt, [treeInputOfTrace(trace, 0, { steps: scores ?? [], trace: 0.1384993425138924, stale: false })]);
    assert.equal(tree.nodeCount, 4);
    const chain = stepNodes(tree.root);
    assert.deepEqual(
      chain.map((n) => [n.id, n.score]),
      [
        ['r.0', 0.387681464904673],
        ['r.0.0', 0.9101000509718192],
        ['r.0.0.0', 0.9291714977657496],
        ['r.0.0.0.0', 0.1384993425138924],
      ],
    );
    assert.equal(chain[1]?.text, 'So, I can write the rotation as $(7 + 2i)i = 7i + 2i^2.$');
    assert.deepEqual(tree.traces[0], {
      id: 'test/precalculus/779.json#1',
      ref: { recordIndex: 0, responseIndex: 0 },
      endNodeId: 'r.0.0.0.0',
      stepCount: 4,
      answer: '7i - 2',
      reference: '-2+7i',
      correct: true,
      correctSource: 'dataset',
      score: 0.1384993425138924,
      stale: false,
    });
    for (const n of chain) for (const o of n.occurrences) assert.equal(decodeAt(text, refRange(trace, o.ref)), n.text);
  });

  it('PRM800K: correctness from the reference when the dataset gives none', (t) => {
    const text = readSample('prm800k.jsonl');
    if (text === undefined) return t.skip('samples not available');
    const records = parseDocument(text, 'prm800k.jsonl').records.filter((r): r is Trace => r.kind === 'trace');
    const trees = records.map((r, i) => buildStepTree(r.prompt, [treeInputOfTrace(r, i)]));
    assert.deepEqual(
      trees.map((tr) => [tr.nodeCount, tr.traces[0]?.answer, tr.traces[0]?.reference, tr.traces[0]?.correct, tr.traces[0]?.correctSource]),
      [
        [7, undefined, '28800', undefined, undefined],
        [6, '29', '29', true, 'reference'],
      ],
    );
  });

  it('TRL stepwise: every record is its own group; step labels and ranges carry over', (t) => {
    const text = readSample('trl_stepwise.jsonl');
    if (text === undefined) return t.skip('samples not available');
    const traces = parseDocument(text, 'trl_stepwise.jsonl').records.filter((r): r is Trace => r.kind === 'trace');
    const groups = groupTracesByPrompt(traces);
    assert.deepEqual(
      groups.map((g) => g.traces.length),
      [1, 1, 1],
    );
    const first = traces[0];
    if (!first) return;
    const tree = buildStepTree(first.prompt, [treeInputOfTrace(first, 0)]);
    assert.deepEqual(
      stepNodes(tree.root).map((n) => n.occurrences[0]?.label),
      ['good', 'bad', 'bad'],
    );
    for (const [i, trace] of traces.entries()) {
      for (const s of trace.steps) {
        const r = refRange(trace, { recordIndex: i, responseIndex: 0, stepIndex: s.index });
        assert.equal(decodeAt(text, r), s.text);
      }
    }
  });

  it('a best-of-N preference set becomes a tree of its responses, chosen ones marked', (t) => {
    const text = readSample('rm_bench.json');
    if (text === undefined) return t.skip('samples not available');
    const set = parseDocument(text, 'rm_bench.json').records[0];
    assert.equal(set?.kind, 'preference');
    if (set?.kind !== 'preference') return;
    const tree = buildStepTree(set.prompt, treeInputsOfPreference(set, 0));
    assert.deepEqual(
      tree.traces.map((tr) => [tr.id, tr.correct, tr.correctSource, tr.stepCount]),
      [
        ['622/1', true, 'preference', 1],
        ['622/2', true, 'preference', 1],
        ['622/3', true, 'preference', 4],
        ['622/4', false, 'preference', 1],
        ['622/5', false, 'preference', 3],
        ['622/6', false, 'preference', 4],
      ],
    );
    // Responses 4 and 5 both open with "A 14% tip on $47.50 is $7.65.": one shared node; the other four differ.
    assert.equal(tree.root.children.length, 5);
    const shared = tree.root.children.find((n) => n.traceCount === 2);
    assert.equal(shared?.text, 'A 14% tip on $47.50 is $7.65.');
    assert.deepEqual(
      shared?.occurrences.map((o) => o.ref.responseIndex),
      [3, 4],
    );
    assert.deepEqual(shared?.ends, [3]);
    for (const [ri, r] of set.responses.entries()) {
      for (const s of r.steps) assert.equal(decodeAt(text, refRange(set, { recordIndex: 0, responseIndex: ri, stepIndex: s.index })), s.text);
      assert.equal(decodeAt(text, refRange(set, { recordIndex: 0, responseIndex: ri })), r.text);
    }
  });
});

describe('refRange', () => {
  it('falls back to the record start for records and unknown steps', () => {
    const record: DatasetRecord = { kind: 'trace', id: 't', recordRange: { start: 5, end: 50 }, prompt: '', steps: [{ ...step(0, 'a'), range: { start: 10, end: 11 } }], metadata: {} };
    assert.deepEqual(refRange(record, { recordIndex: 0, responseIndex: 0, stepIndex: 0 }), { start: 10, end: 11 });
    assert.deepEqual(refRange(record, { recordIndex: 0, responseIndex: 0 }), { start: 5, end: 5 });
    assert.deepEqual(refRange(record, { recordIndex: 0, responseIndex: 0, stepIndex: 9 }), { start: 5, end: 5 });
  });
});

describe('buildStepTree on the hostile fixture', () => {
  it('keeps hostile text as plain strings, including the 1 MB step', () => {
    const text = readFixture('hostile/hostile.jsonl');
    const records = parseDocument(text, 'hostile.jsonl').records.filter((r): r is Trace => r.kind === 'trace');
    const [group] = groupTracesByPrompt(records);
    assert.equal(group?.traces.length, 3);
    if (!group) return;
    const tree = buildStepTree(
      group.prompt,
      group.traces.map((tr, i) => treeInputOfTrace(tr, i)),
    );
    assert.equal(tree.prompt, 'Compute 2 + 2. <img src=x onerror=alert(1)> </script><script>alert(2)</script>');
    assert.equal(tree.root.children.length, 1);
    assert.equal(tree.root.children[0]?.text, 'First, <img src=x onerror=alert(1)> we add the numbers.');
    const all = stepNodes(tree.root);
    const big = all.find((n) => n.text.length === 1048576);
    assert.ok(big, 'the 1 MB step is a node');
    assert.ok(big.text.startsWith('A 1 MB step <img src=x onerror=alert(1)> </script><script>alert(2)</script>'));
    assert.ok(all.some((n) => n.text === '2 + 2 = 5, says user\u202Egnp.exe\u202C'));
    assert.deepEqual(
      tree.traces.map((tr) => [tr.answer, tr.correct, tr.correctSource]),
      [
        ['4', true, 'dataset'],
        ['[x](command:evil)', false, 'dataset'],
        ['4', true, 'reference'],
      ],
    );
    assert.equal(tree.traces[0]?.id, 'test/<svg onload=alert(3)>.json#1');
    for (const [i, tr] of group.traces.entries()) for (const s of tr.steps) assert.equal(decodeAt(text, refRange(tr, { recordIndex: i, responseIndex: 0, stepIndex: s.index })), s.text);
  });
});
