import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { PreferenceSet, PreferenceResponse } from '../../../src/core/dataset/types.js';
import { buildJudgment } from '../../../src/core/diff/alignResponses.js';
import type { ViewScoring } from '../../../src/protocol/messages.js';
import { comparedScoresText, layoutPanes, pick, verdictOf } from '../../../webview/diff/layoutDiff.js';

const scoring: ViewScoring = { model: 'm', threshold: 0.5, highThreshold: 0.8, aggregation: 'min', stale: false };

const response = (text: string, chosen: boolean, extra: Partial<PreferenceResponse> = {}): PreferenceResponse => ({
  text,
  chosen,
  steps: [{ index: 0, text, label: 'unknown', part: 'answer' }],
  ...extra,
});

function set(responses: PreferenceResponse[], comparison: PreferenceSet['comparison'] = 'pair'): PreferenceSet {
  return { kind: 'preference', id: 'p1', recordRange: { start: 0, end: 1 }, prompt: 'Q?', responses, labelSource: 'chosen/rejected keys', comparison, metadata: {} };
}

describe('verdictOf', () => {
  const pair = set([response('The cat sat', true), response('The dog sat', false)]);
  it('flags disagreement with the signed margin', () => {
    assert.deepEqual(verdictOf(buildJudgment(pair, [0.25, 0.75])), { kind: 'disagree', text: 'The model disagrees with the label: margin r(chosen) \u2212 r(rejected) = \u22120.500.' });
    assert.deepEqual(verdictOf(buildJudgment(pair, [0.75, 0.25])), { kind: 'agree', text: 'The model agrees with the label: margin r(chosen) \u2212 r(rejected) = +0.500.' });
    // A tie is not agreement: the label needs chosen strictly above rejected.
    assert.equal(verdictOf(buildJudgment(pair, [0.5, 0.5])).kind, 'disagree');
  });
  it('says when nothing or only part is scored', () => {
    assert.equal(verdictOf(buildJudgment(pair, [])).kind, 'unscored');
    assert.deepEqual(verdictOf(buildJudgment(pair, [0.4])), { kind: 'unscored', text: 'Partly scored (1 of 2 responses); no margin yet.' });
  });
  it('unpaired records have a score but no margin', () => {
    const v = verdictOf(buildJudgment(set([response('ok', false)], 'unpaired'), [0.9]));
    assert.deepEqual(v, { kind: 'noMargin', text: 'Score 0.900; the dataset labels this response undesirable (chosen/rejected keys).' });
  });
});

describe('layoutPanes', () => {
  it('chosen left with its own words marked removed, rejected right with added', () => {
    const j = buildJudgment(set([response('The cat sat', true, { model: 'gpt', rating: 4 }), response('The dog sat', false)]), [0.9, 0.3]);
    const [left, right] = layoutPanes(j, scoring, j.left, j.right);
    assert.deepEqual(left, {
      index: 0,
      side: 'left',
      role: 'Chosen',
      chosen: true,
      heading: 'Chosen · response 1',
      facts: ['rank 1 of 2', '1 step', 'dataset rating 4', 'by gpt'],
      scoreText: '0.900',
      scoreClass: 'high',
      parts: [
        { kind: 'same', text: 'The ' },
        { kind: 'removed', text: 'cat' },
        { kind: 'same', text: ' sat' },
      ],
      critiques: [],
    });
    assert.deepEqual(right?.parts, [
      { kind: 'same', text: 'The ' },
      { kind: 'added', text: 'dog' },
      { kind: 'same', text: ' sat' },
    ]);
    assert.deepEqual([right?.role, right?.scoreText, right?.scoreClass, right?.facts[0]], ['Rejected', '0.300', 'low', 'rank 2 of 2']);
  });

  it('one pane for a single response or the same index twice', () => {
    const j = buildJudgment(set([response('A', true), response('B', false)]), []);
    assert.equal(layoutPanes(j, scoring, 0, undefined).length, 1);
    assert.equal(layoutPanes(j, scoring, 1, 1).length, 1);
    assert.deepEqual(layoutPanes(j, scoring, 0, undefined)[0]?.scoreText, 'not scored');
    assert.deepEqual(layoutPanes(j, scoring, 7, 0), []);
  });

  it('long responses are shown plainly with a notice on both sides', () => {
    const long = 'x '.repeat(120_000);
    const j = buildJudgment(set([response('short', true), response(long, false)]), []);
    const panes = layoutPanes(j, scoring, 0, 1);
    assert.equal(panes.length, 2);
    for (const p of panes) assert.equal(p.notice, 'These responses are too long to diff word by word (240,005 characters); shown without highlighting.');
    assert.deepEqual(panes[0]?.parts, [{ kind: 'same', text: 'short' }]);
    assert.equal(panes[1]?.parts[0]?.text.length, 100_001);
  });
});

describe('pick', () => {
  it('sets a side, and swaps when picking what the other side shows', () => {
    assert.deepEqual(pick({ left: 0, right: 1 }, 'right', 2), { left: 0, right: 2 });
    assert.deepEqual(pick({ left: 0, right: 1 }, 'right', 0), { left: 1, right: 0 });
    assert.deepEqual(pick({ left: 0, right: 1 }, 'left', 1), { left: 1, right: 0 });
    assert.deepEqual(pick({ left: 0, right: 1 }, 'left', 3), { left: 3, right: 1 });
    assert.deepEqual(pick({ left: 0 }, 'right', 0), { left: 0 });
    assert.deepEqual(pick({ left: 0 }, 'left', 2), { left: 2 });
  });
});

describe('layoutPanes critiques', () => {
  const steps = (_text: string, ...cuts: string[]): PreferenceResponse['steps'] => cuts.map((t, index) => ({ index, text: t, label: 'unknown', part: 'answer' }));
  const chosenText = 'First 2 + 2 = 4.\n\nThen 0.15 × 80 = 10.\n\nSo 14.';
  const rejectedText = 'First 2 + 2 = 5.\n\nThen 0.15 × 80 = 12.\n\nSo 17.';
  const pairSet = set([
    response(chosenText, true, { steps: steps(chosenText, 'First 2 + 2 = 4.', 'Then 0.15 × 80 = 10.', 'So 14.') }),
    response(rejectedText, false, { steps: steps(rejectedText, 'First 2 + 2 = 5.', 'Then 0.15 × 80 = 12.', 'So 17.') }),
  ]);
  const stepScores = [
    [{ score: 0.9 }, { score: 0.1, critique: 'wrote 0.15 × 80 = 10 but 0.15 × 80 = 12' }, { score: 0.1 }],
    [{ score: 0.2, critique: '<img src=x onerror=alert(1)> 2 + 2 is 4' }, { score: 0.9 }, { score: 0.5, critique: 'final \u202Eanswer' }],
  ];
  const textBefore = (parts: readonly { text: string }[], at: number): string => parts.slice(0, at).map((p) => p.text).join('');

  it("puts each critique in its response's pane right after its step (and its line break), parts still rebuilding the text", () => {
    const j = buildJudgment(pairSet, [0.1, 0.2], stepScores);
    const [left, right] = layoutPanes(j, scoring, j.left, j.right);
    assert.ok(left && right);
    assert.equal(left.parts.map((p) => p.text).join(''), chosenText);
    assert.equal(right.parts.map((p) => p.text).join(''), rejectedText.replace('\u202E', 'U+202E'));
    assert.deepEqual(
      left.critiques.map((c) => ({ ...c, before: textBefore(left.parts, c.at) })),
      [{ step: 1, at: left.critiques[0]?.at, placed: true, heading: 'Step 2 · 0.100', text: 'wrote 0.15 × 80 = 10 but 0.15 × 80 = 12', scoreClass: 'low', before: 'First 2 + 2 = 4.\n\nThen 0.15 × 80 = 10.\n' }],
    );
    assert.deepEqual(
      right.critiques.map((c) => [c.heading, c.text, textBefore(right.parts, c.at)]),
      [
        ['Step 1 · 0.200', '<img src=x onerror=alert(1)> 2 + 2 is 4', 'First 2 + 2 = 5.\n'],
        ['Step 3 · 0.500', 'final U+202Eanswer', rejectedText],
      ],
    );
  });

  it('merges a run of steps with the same critique, and keeps an unplaceable one after the text', () => {
    const notScored = [{ score: Number.NaN, critique: 'Not scored: too long' }, { score: Number.NaN, critique: 'Not scored: too long' }, { score: Number.NaN, critique: 'Not scored: too long' }];
    const moved = set([response(chosenText, true, { steps: steps(chosenText, 'First 2 + 2 = 4.', 'not in the text', 'So 14.') }), response(rejectedText, false, { steps: steps(rejectedText, 'First 2 + 2 = 5.', 'Then 0.15 × 80 = 12.', 'So 17.') })]);
    const j = buildJudgment(moved, [0.1, undefined], [[{ score: 0.5 }, { score: 0.2, critique: 'lost' }, { score: 0.5 }], notScored]);
    const [left, right] = layoutPanes(j, scoring, j.left, j.right);
    assert.deepEqual(
      left?.critiques.map((c) => [c.heading, c.placed, c.at === left.parts.length]),
      [['Step 2 · 0.200 (not found in the shown text)', false, true]],
    );
    assert.deepEqual(right?.critiques.map((c) => [c.heading, c.text, c.scoreClass]), [['Steps 1\u20133', 'Not scored: too long', 'none']]);
  });
});

describe('compared runs in the panes (Compare With…)', () => {
  const pair = set([response('The cat sat', true), response('The dog sat', false)]);
  const compared = { name: 'run-b.jsonl', scores: [0.42, null], stale: false };

  it("gives each pane both runs' scores of its response, named, with A − B when both scored it", () => {
    const [left, right] = layoutPanes(buildJudgment(pair, [0.912, 0.3]), scoring, 0, 1, compared);
    assert.equal(left?.compared, 'A · m 0.912 | B · run-b.jsonl 0.420 · A \u2212 B +0.492');
    assert.equal(right?.compared, 'A · m 0.300 | B · run-b.jsonl not scored');
    assert.equal(layoutPanes(buildJudgment(pair, [0.912, 0.3]), scoring, 0, 1)[0]?.compared, undefined);
  });

  it('marks a stale compared run and makes bidi controls in names visible', () => {
    assert.equal(comparedScoresText('m', undefined, { ...compared, stale: true }, 0), 'A · m not scored | B · run-b.jsonl 0.420 (stale)');
    assert.ok(!comparedScoresText('m', 0.5, { ...compared, name: 'evil\u202Ename' }, 0).includes('\u202E'));
  });
});
