import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { findHeadings, partsInOrder, sectionsOf, splitThinking } from '../../../../src/core/judges/judgeText.js';

const slice = (text: string, r: { start: number; end: number } | null): string | null => (r === null ? null : text.slice(r.start, r.end));

describe('splitThinking', () => {
  it('splits <think>…</think> from the visible reply', () => {
    const text = '<think>\nhmm\n</think>\n\nAnswer';
    const p = splitThinking(text);
    assert.equal(slice(text, p.thinking), '\nhmm\n');
    assert.equal(slice(text, p.visible), '\n\nAnswer');
  });
  it('treats text before a lone </think> as thinking (the generation prompt opened it)', () => {
    const text = 'Step 1: ok\n</think>\nIs the solution correct? Yes';
    const p = splitThinking(text);
    assert.equal(slice(text, p.thinking), 'Step 1: ok\n');
    assert.equal(slice(text, p.visible), '\nIs the solution correct? Yes');
  });
  it('has nothing visible when thinking never ends, and no thinking without tags', () => {
    const cut = 'x <think>still thinking';
    assert.equal(slice(cut, splitThinking(cut).thinking), 'still thinking');
    assert.equal(slice(cut, splitThinking(cut).visible), '');
    assert.deepEqual(splitThinking('plain'), { thinking: null, visible: { start: 0, end: 5 } });
  });
  it('orders the visible part before the thinking', () => {
    assert.deepEqual(
      partsInOrder(splitThinking('<think>a</think>b')).map((p) => p.part),
      ['visible', 'thinking'],
    );
    assert.deepEqual(
      partsInOrder(splitThinking('b')).map((p) => p.part),
      ['visible'],
    );
  });
});

describe('findHeadings', () => {
  it('finds line-start headings with Markdown marks, not mentions inside sentences', () => {
    const text = 'Step 1: a\n**Step 2**: b, unlike step 1\n## Step 3 c\n  - step 4. d\nIn Step 5, e\nsee Step 6\nStep 12: f';
    const hs = findHeadings(text, { start: 0, end: text.length }, 'step');
    assert.deepEqual(
      hs.map((h) => h.number),
      [1, 2, 3, 4, 5, 12],
    );
    const sections = sectionsOf(hs, { start: 0, end: text.length });
    assert.equal(text.slice(sections[0]?.start, sections[0]?.end), 'Step 1: a\n');
    assert.equal(text.slice(sections[5]?.start, sections[5]?.end), 'Step 12: f');
  });
  it('reads paragraph headings and tags, searching only inside the range', () => {
    const text = 'Paragraph 0: x\n<paragraph_1> y\n</paragraph_1>\nParagraph 2: z';
    assert.deepEqual(
      findHeadings(text, { start: 0, end: text.length }, 'paragraph').map((h) => h.number),
      [0, 1, 2],
    );
    const from = text.indexOf('<paragraph_1>');
    assert.deepEqual(
      findHeadings(text, { start: from, end: text.indexOf('Paragraph 2') }, 'paragraph').map((h) => [h.number, h.start]),
      [[1, from]],
    );
  });
});
