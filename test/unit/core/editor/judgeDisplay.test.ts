// How judge results show in the editor: badges with critique snippets, not-judged steps, the hover's judge line,
// the reasoning document with links back to steps, and sidecar round trips of not-judged (NaN → null) scores.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { critiqueSnippet, decorationSpecs } from '../../../../src/core/editor/decorationSpecs.js';
import { judgeReasoningDocument } from '../../../../src/core/editor/judgeReasoning.js';
import { emptySidecar, readSidecarData, ScoreStore } from '../../../../src/core/editor/scoreStore.js';
import { formatStepHover, judgeLine, modelDisplayName } from '../../../../src/core/hover/formatStepHover.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { firstUnder } from '../../../../src/core/scoring/aggregate.js';
import type { JudgeReport, ScoreResult } from '../../../../src/core/scoring/scorer.js';
import { LineIndex } from '../../../../src/core/text/positions.js';
import { choiceKey } from '../../../../src/scorers/openScorer.js';

const S = { threshold: 0.5, high: 0.8 };
const TEXT = `${JSON.stringify({ prompt: 'p', completions: ['one', 'two', 'three'], labels: [true, false, false] })}\n`;

const judged: ScoreResult = {
  steps: [
    { score: 0.97, verdict: 'correct', source: 'logprob', critique: 'Step 1 restates the problem correctly.' },
    { score: 0.04, verdict: 'incorrect', source: 'logprob', critique: 'Step 2 uses cos(π − x) = cos x, which is wrong: cos(π − x) = −cos x, so the sign of every later term flips.' },
    { score: Number.NaN, verdict: 'not-judged', critique: 'Not judged: the critic named step 2 as the earliest error.' },
  ],
  device: '127.0.0.1:8000',
  judge: { name: 'processbench-critic', model: 'Qwen2.5-7B', text: 'Paragraph 0 fine.\nParagraph 1 wrong sign.\n\\boxed{1}', verdict: '1', truncated: false, source: 'verdict', stepSpans: [{ start: 0, end: 17 }, { start: 18, end: 41 }, null] },
};

describe('judge critiques in badges', () => {
  it('shortens critiques at a word with an ellipsis and leaves short ones whole', () => {
    assert.equal(critiqueSnippet('short  and\nflat'), 'short and flat');
    const long = critiqueSnippet('word '.repeat(40), 30);
    assert.ok(long.length <= 30 && long.endsWith('…') && !long.includes('  '), long);
    assert.equal(critiqueSnippet('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
  });

  it('badges judged steps with the score and a snippet, and not-judged steps as such (never as correct)', () => {
    const doc = parseDocument(TEXT, 'a.jsonl');
    const store = new ScoreStore(emptySidecar(), 'judge:processbench-critic:http://h');
    store.put(doc.records[0] as Trace, [judged]);
    const specs = decorationSpecs(doc.records, (i) => store.lookup(doc.records[i] as Trace), new LineIndex(TEXT), S);
    assert.equal(specs.length, 3);
    assert.equal(specs[0]?.badge, '0.97 · Step 1 restates the problem correctly.');
    assert.match(specs[1]?.badge ?? '', /^0\.04 ✗ · Step 2 uses cos\(π − x\) = cos x, which is wrong: cos\(π − x\)…$/u);
    assert.deepEqual([specs[2]?.badge, specs[2]?.bucket], ['not judged · Not judged: the critic named step 2 as the earliest error.', 'unjudged']);
    assert.deepEqual(specs.map((s) => s.firstError), [false, true, false]);
  });

  it('keeps not-judged steps not judged after a sidecar round trip (NaN is written as null)', () => {
    const doc = parseDocument(TEXT, 'a.jsonl');
    const store = new ScoreStore(emptySidecar(), 'm');
    store.put(doc.records[0] as Trace, [judged]);
    const reread = new ScoreStore(readSidecarData(JSON.parse(JSON.stringify(store.data))), 'm');
    const specs = decorationSpecs(doc.records, (i) => reread.lookup(doc.records[i] as Trace), new LineIndex(TEXT), S);
    assert.deepEqual(specs.map((s) => s.bucket), ['high', 'low', 'unjudged']);
    // null < 0.5 is true in JavaScript: a stored null must still never be a first error.
    assert.equal(firstUnder([0.9, null as unknown as number, 0.2], 0.5), 2);
  });
});

describe('judge hover', () => {
  const base = { stepNumber: 2, stepCount: 3, stale: false, threshold: 0.5, aggregates: { min: 0.04, product: 0.04, mean: 0.5, last: 0.04 }, aggregation: 'min' as const, model: 'processbench-critic judge', device: 'h', label: 'bad' as const, links: [] };
  it('says where the score comes from, and what the judge said', () => {
    assert.match(judgeLine('incorrect', 'logprob', { name: 'thinkprm', truncated: false }), /thinkprm judge judged this step \*\*incorrect\*\*: the score is the probability of the positive verdict token/u);
    assert.match(judgeLine('correct', 'verdict', { name: 'thinkprm', truncated: true }), /1 or 0 from the verdict text.*cut at the token limit/u);
    const md = formatStepHover({ ...base, score: 0.04, verdict: 'incorrect', source: 'verdict', critique: judged.steps[1]?.critique ?? '' });
    assert.match(md, /step 2 of 3: \*\*0\.040\*\* — \*\*below threshold\*\*/u);
    assert.match(md, /Critique: Step 2 uses cos/u);
  });
  it('shows a not-judged step as not judged, with no label agreement', () => {
    const md = formatStepHover({ ...base, score: Number.NaN, verdict: 'not-judged' });
    assert.match(md, /step 2 of 3: \*\*not judged\*\*/u);
    assert.match(md, /gave this step no verdict\./u);
    assert.doesNotMatch(md, /NaN|agrees|disagrees/u);
  });
  it('names judge and endpoint scorers as people would', () => {
    assert.equal(modelDisplayName(choiceKey({ model: 'builtin', judge: 'thinkprm', endpoint: 'http://127.0.0.1:8000', serverModel: 'launch/ThinkPRM-1.5B' })), 'thinkprm judge (launch/ThinkPRM-1.5B @ 127.0.0.1:8000)');
    assert.equal(modelDisplayName(choiceKey({ model: '/m/ThinkPRM-onnx', judge: 'thinkprm' })), 'thinkprm judge (ThinkPRM-onnx)');
    assert.equal(modelDisplayName(choiceKey({ model: 'builtin', endpoint: 'https://gpu.example:8000', preset: 'qwen2.5-math-prm' })), 'qwen2.5-math-prm at gpu.example:8000');
    assert.equal(choiceKey({ model: '/m/prm' }), '/m/prm');
    assert.notEqual(choiceKey({ model: 'builtin', judge: 'rubric', endpoint: 'http://h', rubricFile: 'a.yaml' }), choiceKey({ model: 'builtin', judge: 'rubric', endpoint: 'http://h', rubricFile: 'b.yaml' }));
  });
});

describe('judge reasoning document', () => {
  it('puts a header before the output and links each step span (its first line) to its step', () => {
    const report = judged.judge as JudgeReport;
    const doc = judgeReasoningDocument(report, { recordId: 'math-22' });
    const at = doc.text.indexOf(report.text);
    assert.ok(at > 0);
    assert.match(doc.text.slice(0, at), /Judge: processbench-critic · model: Qwen2\.5-7B\nRecord: math-22\nVerdict: 1 · score from the verdict text/u);
    assert.deepEqual(
      doc.links.map((l) => [doc.text.slice(l.start, l.end), l.stepIndex]),
      [
        ['Paragraph 0 fine.', 0],
        ['Paragraph 1 wrong sign.', 1],
      ],
    );
  });
  it('shows both orders of a pairwise judge and ignores spans outside the text', () => {
    const report: JudgeReport = { name: 'pairwise', model: 'critic', text: 'A is better [[A]]', textBa: 'B is better [[B]]', verdict: 'A', orderAb: 'A', orderBa: 'B', consistent: true, truncated: false, source: 'logprob', stepSpans: [{ start: 5, end: 999 }] };
    const doc = judgeReasoningDocument(report, { recordId: 'p1', response: { index: 0, count: 2 } });
    assert.match(doc.text, /response 1 of 2/u);
    assert.match(doc.text, /Both orders: as A → A · as B → B · consistent/u);
    assert.match(doc.text, /Order B\/A \(this response as B\):\nB is better \[\[B\]\]/u);
    assert.deepEqual(doc.links, []);
  });
});
