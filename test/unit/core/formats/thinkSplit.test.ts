import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { partText, splitThink } from '../../../../src/core/formats/thinkSplit.js';

describe('splitThink', () => {
  it('reads text without delimiters as all answer', () => {
    const s = splitThink('Just an answer.');
    assert.deepEqual(s, { spans: [{ part: 'answer', start: 0, end: 15 }], delimiters: 'none', truncated: false, missingOpener: false });
    assert.deepEqual(splitThink('  \n').spans, []);
  });

  it('splits a <think> block from the answer, tags excluded', () => {
    const text = '<think>\nA\n</think>\n\nB';
    const s = splitThink(text);
    assert.deepEqual(s.spans, [
      { part: 'reasoning', start: 7, end: 10 },
      { part: 'answer', start: 18, end: 21 },
    ]);
    assert.equal(s.delimiters, 'think');
    assert.equal(s.truncated, false);
    assert.equal(s.missingOpener, false);
    assert.equal(partText(text, s, 'reasoning'), 'A');
    assert.equal(partText(text, s, 'answer'), 'B');
  });

  it('treats text before the first </think> as reasoning when the opener is missing', () => {
    const text = 'A\n</think>\nB';
    const s = splitThink(text);
    assert.deepEqual(s.spans, [
      { part: 'reasoning', start: 0, end: 2 },
      { part: 'answer', start: 10, end: 12 },
    ]);
    assert.equal(s.missingOpener, true);
  });

  it('keeps an empty think block as an empty reasoning span', () => {
    const text = '<think>\n\n</think>\n\nAnswer';
    const s = splitThink(text);
    assert.deepEqual(s.spans, [
      { part: 'reasoning', start: 7, end: 9 },
      { part: 'answer', start: 17, end: 25 },
    ]);
    assert.equal(partText(text, s, 'reasoning'), '');
    assert.equal(partText(text, s, 'answer'), 'Answer');
  });

  it('reads a block with no closer as truncated reasoning to the end', () => {
    const text = '<think>\nstill going';
    const s = splitThink(text);
    assert.deepEqual(s.spans, [{ part: 'reasoning', start: 7, end: 19 }]);
    assert.equal(s.truncated, true);
  });

  it('does not read a tag mentioned inside prose as an unclosed block', () => {
    const s = splitThink('Use the <think> tag to reason.');
    assert.deepEqual(s.spans, [{ part: 'answer', start: 0, end: 30 }]);
    assert.equal(s.truncated, false);
    // At the start of a line, an unclosed opener is a block.
    const t = splitThink('Intro.\n<think>cut');
    assert.deepEqual(t.spans, [
      { part: 'answer', start: 0, end: 7 },
      { part: 'reasoning', start: 14, end: 17 },
    ]);
    assert.equal(t.truncated, true);
  });

  it('reads several blocks in order (interleaved thinking)', () => {
    const text = '<think>a</think>b<think>c</think>d';
    assert.deepEqual(splitThink(text).spans, [
      { part: 'reasoning', start: 7, end: 8 },
      { part: 'answer', start: 16, end: 17 },
      { part: 'reasoning', start: 24, end: 25 },
      { part: 'answer', start: 33, end: 34 },
    ]);
  });

  it('splits begin_of_thought / begin_of_solution and cuts the solution markers', () => {
    const text = '<|begin_of_thought|>\n\nT\n\n<|end_of_thought|>\n\n<|begin_of_solution|>\n\nS\n\n<|end_of_solution|>';
    const s = splitThink(text);
    assert.equal(s.delimiters, 'thought');
    assert.equal(s.spans.length, 2);
    assert.equal(partText(text, s, 'reasoning'), 'T');
    assert.equal(partText(text, s, 'answer'), 'S');
    const sol = s.spans[1];
    assert.equal(text.slice(sol?.start, sol?.end), '\n\nS\n\n');
  });

  it('handles a truncated and an opener-less thought block', () => {
    const cut = splitThink('<|begin_of_thought|>\nT');
    assert.deepEqual(cut.spans, [{ part: 'reasoning', start: 20, end: 22 }]);
    assert.equal(cut.truncated, true);
    const text = 'T\n<|end_of_thought|>\n<|begin_of_solution|>S';
    const open = splitThink(text);
    assert.deepEqual(open.spans, [
      { part: 'reasoning', start: 0, end: 2 },
      { part: 'answer', start: 42, end: 43 },
    ]);
    assert.equal(open.missingOpener, true);
  });

  it('prefers the thought delimiters when both families appear', () => {
    const text = '<|begin_of_thought|>x <think> y<|end_of_thought|>z';
    const s = splitThink(text);
    assert.equal(s.delimiters, 'thought');
    assert.equal(partText(text, s, 'reasoning'), 'x <think> y');
    assert.equal(partText(text, s, 'answer'), 'z');
  });
});
