import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { heatLevel, heatSpanAt, tokenHeatSpans, tokenTextInStep } from '../../../../src/core/confidence/tokenHeatMap.js';
import { layoutReadable } from '../../../../src/core/readable/readableLayout.js';
import { normalizeLineEnds } from '../../../../src/core/readable/normalizeLineEnds.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { readFixture } from '../../helpers.js';
import { tracesOf } from '../formats/responseTestUtils.js';

describe('heat levels', () => {
  it('tints harder as the probability falls', () => {
    // p = e^−0.05 ≈ 0.951, e^−0.2 ≈ 0.819, e^−1 ≈ 0.368, e^−2 ≈ 0.135, e^−2.5 ≈ 0.082.
    assert.deepEqual([-0.05, -0.2, -1, -2, -2.5].map(heatLevel), [0, 1, 2, 3, 4]);
    // Floors: p ≥ 0.9 is untinted; p just under 0.1 is the strongest.
    assert.equal(heatLevel(Math.log(0.95)), 0);
    assert.equal(heatLevel(Math.log(0.89)), 1);
    assert.equal(heatLevel(Math.log(0.59)), 2);
    assert.equal(heatLevel(Math.log(0.29)), 3);
    assert.equal(heatLevel(Math.log(0.09)), 4);
  });
});

describe('token spans in the readable view', () => {
  const [t] = tracesOf(parseDocument(readFixture('logprobs/vllm_reasoning_chat.json'), 'f.json').records);
  if (t === undefined) throw new Error('no trace');
  const laid = normalizeLineEnds(layoutReadable(t, { fileName: 'f.json', format: 'openai-chat-completion' }));
  const record = laid.record as Trace;
  const spans = tokenHeatSpans(record, laid.text, 'verbatim');

  it('covers each step token by token, with the tokens between steps left out', () => {
    // 8 + 8 + 5 step tokens; "\n\n", "\n", "</think>", "\n\n" sit between steps.
    assert.equal(spans.length, 21);
    assert.deepEqual(
      spans.filter((s) => s.step === 0).map((s) => laid.text.slice(s.start, s.end)),
      ['First', ',', ' 3', ' +', ' 4', ' =', ' 7', '.'],
    );
    assert.deepEqual(
      spans.filter((s) => s.step === 2).map((s) => laid.text.slice(s.start, s.end)),
      ['The', ' answer', ' is', ' 14', '.'],
    );
    assert.deepEqual(
      spans.map((s) => s.token),
      [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23, 24],
    );
  });

  it('starts at the step as the layout placed it', () => {
    const first = record.steps[1]?.range?.start;
    assert.equal(spans.find((s) => s.token === 9)?.start, first);
    assert.equal(laid.text.slice(first, (first ?? 0) + 4), 'Then');
  });

  it('grades each token by its probability', () => {
    // Step 2: −0.5, −0.1, −0.2, −1.0, −0.2, −0.1, −2.0, −0.1.
    assert.deepEqual(
      spans.filter((s) => s.step === 1).map((s) => s.level),
      [1, 0, 1, 2, 1, 0, 3, 0],
    );
    // Step 3's " 14" at −2.5.
    assert.equal(spans.find((s) => s.token === 23)?.level, 4);
  });

  it('paints nothing on a step edited since (a what-if copy of the record)', () => {
    const edited: Trace = { ...record, steps: record.steps.map((s) => (s.index === 2 ? { ...s, text: 'The answer is 15.' } : s)) };
    const painted = tokenHeatSpans(edited, laid.text, 'verbatim');
    assert.equal(painted.length, 16);
    assert.ok(painted.every((s) => s.step !== 2));
    assert.equal(tokenTextInStep(edited, 2, 23), '');
  });

  it('finds the token under an offset', () => {
    const fourteen = spans.find((s) => s.token === 15);
    assert.ok(fourteen);
    assert.equal(heatSpanAt(spans, fourteen.start)?.token, 15);
    assert.equal(heatSpanAt(spans, fourteen.end - 1)?.token, 15);
    assert.equal(heatSpanAt(spans, fourteen.end)?.token, 16);
    // The heading line above step 1 is no token.
    assert.equal(heatSpanAt(spans, (record.steps[0]?.range?.start ?? 0) - 2), undefined);
    assert.equal(tokenTextInStep(record, 1, 15), ' 14');
  });
});

describe('token spans in other encodings', () => {
  it('maps through JSON escapes in a data file', () => {
    const [t] = tracesOf(parseDocument(readFixture('logprobs/vllm_reasoning_chat.json'), 'f.json').records);
    const file = readFixture('logprobs/vllm_reasoning_chat.json');
    const spans = tokenHeatSpans(t as Trace, file, 'json');
    assert.deepEqual(
      spans.filter((s) => s.step === 1).map((s) => file.slice(s.start, s.end)),
      ['Then', ',', ' 7', ' *', ' 2', ' =', ' 14', '.'],
    );
  });

  it('maps a token after an escaped newline inside a step', () => {
    const file = JSON.stringify({ content: 'ab\ncd' });
    // {"content":"ab\ncd"}: the literal's characters start at 12 and are a, b, \, n, c, d.
    const trace: Trace = {
      kind: 'trace',
      id: 'x',
      recordRange: { start: 0, end: file.length },
      prompt: '',
      steps: [{ index: 0, text: 'ab\ncd', range: { start: 12, end: 18 }, label: 'unknown', part: 'answer' }],
      metadata: {},
      logprobs: { offsets: [0, 2, 3, 5], logprobs: [-0.1, -3, -0.1], steps: [{ text: 'ab\ncd', start: 0, end: 5, firstToken: 0, endToken: 3 }] },
    };
    const spans = tokenHeatSpans(trace, file, 'json');
    assert.deepEqual(
      spans.map((s) => [s.start, s.end, s.level]),
      [
        [12, 14, 0],
        [14, 16, 4],
        [16, 18, 0],
      ],
    );
    // Given only the text from offset 10 on, the spans are the same document offsets.
    assert.deepEqual(tokenHeatSpans(trace, file.slice(10), 'json', 10), spans);
    // A step outside the text given paints nothing.
    assert.deepEqual(tokenHeatSpans(trace, file.slice(13), 'json', 13), []);
  });

  it('follows the editor’s \\r\\n → \\n in a readable view, and clips a token that straddles steps', () => {
    // Document "x\ny": the step text was "x\r\ny" (range 0–3 after the editor dropped the \r).
    const trace: Trace = {
      kind: 'trace',
      id: 'y',
      recordRange: { start: 0, end: 3 },
      prompt: '',
      steps: [{ index: 0, text: 'x\r\ny', range: { start: 0, end: 3 }, label: 'unknown', part: 'answer' }],
      metadata: {},
      // Tokens "x", "\r\n", "y!" — the last runs past the step's end (at 4).
      logprobs: { offsets: [0, 1, 3, 5], logprobs: [-0.1, -0.1, -1], steps: [{ text: 'x\r\ny', start: 0, end: 4, firstToken: 0, endToken: 3 }] },
    };
    assert.deepEqual(
      tokenHeatSpans(trace, 'x\ny', 'verbatim').map((s) => [s.start, s.end, s.token]),
      [
        [0, 1, 0],
        [1, 2, 1],
        [2, 3, 2],
      ],
    );
    // A range that does not fit the text (a stale layout) paints nothing.
    assert.deepEqual(tokenHeatSpans({ ...trace, steps: [{ ...trace.steps[0]!, range: { start: 0, end: 2 } }] }, 'x\ny', 'verbatim'), []);
  });
});
