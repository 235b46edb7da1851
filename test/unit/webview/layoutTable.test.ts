import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ariaSort,
  formatAgreement,
  formatEta,
  formatFirstError,
  formatRate,
  formatSteps,
  labelChoices,
  MAX_SCROLL_PX,
  missingWindow,
  moveActive,
  nextSort,
  offsetToReveal,
  ROW_HEIGHT,
  scrollGeometry,
  subsetChoices,
  toRealOffset,
  toVirtualOffset,
} from '../../../webview/explorer/layoutTable.js';

describe('scrollGeometry', () => {
  it('is one to one while the rows fit', () => {
    const g = scrollGeometry(1000, 26, 500, MAX_SCROLL_PX);
    assert.deepEqual(g, { contentPx: 26_000, scrollPx: 26_000, viewportPx: 500, maxVirtual: 25_500, maxReal: 25_500, scale: 1 });
    assert.equal(toVirtualOffset(1234, g), 1234);
    assert.equal(toRealOffset(1234, g), 1234);
  });

  it('caps a million rows under the browsers’ element height limits and maps both ends exactly', () => {
    const g = scrollGeometry(1_000_000, ROW_HEIGHT, 600, MAX_SCROLL_PX);
    assert.equal(g.scrollPx, MAX_SCROLL_PX);
    assert.ok(g.scrollPx < 16_000_000, 'under Firefox’s ~17.9M px and Chromium’s ~33.5M px');
    assert.equal(toVirtualOffset(0, g), 0);
    assert.equal(toVirtualOffset(g.maxReal, g), 1_000_000 * ROW_HEIGHT - 600, 'the scrollbar’s bottom shows the last row');
    assert.equal(toRealOffset(g.maxVirtual, g), g.maxReal);
  });

  it('has nothing to scroll when the rows are fewer than the viewport holds', () => {
    const g = scrollGeometry(3, 26, 500, MAX_SCROLL_PX);
    assert.deepEqual([g.maxVirtual, g.maxReal, g.scale], [0, 0, 1]);
    assert.equal(toVirtualOffset(50, g), 0);
  });

  it('round-trips offsets within one real pixel', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50_000_000 }), fc.integer({ min: 100, max: 2000 }), fc.double({ min: 0, max: 1, noNaN: true }), (rows, viewport, at) => {
        const g = scrollGeometry(rows, ROW_HEIGHT, viewport, MAX_SCROLL_PX);
        assert.ok(g.scrollPx <= Math.max(MAX_SCROLL_PX, viewport));
        const virtual = at * g.maxVirtual;
        const real = toRealOffset(virtual, g);
        assert.ok(real >= 0 && real <= g.maxReal);
        assert.ok(Math.abs(toVirtualOffset(real, g) - virtual) <= g.scale + 1e-6);
      }),
    );
  });
});

describe('offsetToReveal', () => {
  it('scrolls as little as possible to show the whole row', () => {
    assert.equal(offsetToReveal(10, 0, 26, 260), 26, 'row 10 just below the viewport: bring it to the bottom');
    assert.equal(offsetToReveal(5, 0, 26, 260), 0, 'already in view');
    assert.equal(offsetToReveal(3, 200, 26, 260), 78, 'above: bring it to the top');
    assert.equal(offsetToReveal(999_999, 0, 26, 260), 26_000_000 - 260);
  });
});

describe('moveActive', () => {
  it('moves by one, by a page less one row, and to either end, clamped', () => {
    assert.equal(moveActive('ArrowDown', 0, 100, 20), 1);
    assert.equal(moveActive('ArrowUp', 0, 100, 20), 0);
    assert.equal(moveActive('PageDown', 5, 100, 20), 24);
    assert.equal(moveActive('PageUp', 5, 100, 20), 0);
    assert.equal(moveActive('PageDown', 95, 100, 20), 99);
    assert.equal(moveActive('End', 3, 1_000_000, 20), 999_999);
    assert.equal(moveActive('Home', 500, 1_000_000, 20), 0);
    assert.equal(moveActive('ArrowDown', 0, 0, 20), 0, 'an empty view');
    assert.equal(moveActive('PageDown', 0, 100, 1), 1, 'a one-row viewport still moves');
  });
});

describe('missingWindow', () => {
  it('covers every needed row in one window, or none', () => {
    const loaded = new Set([10, 11, 14]);
    assert.deepEqual(
      missingWindow(10, 15, (i) => !loaded.has(i)),
      { start: 12, end: 16 },
    );
    assert.equal(
      missingWindow(10, 11, (i) => !loaded.has(i)),
      undefined,
    );
  });
});

describe('cell text', () => {
  it('formats steps, first errors and agreement', () => {
    assert.equal(formatSteps({ kind: 'trace', responses: 1, steps: 1 }), '1 step');
    assert.equal(formatSteps({ kind: 'trace', responses: 1, steps: 14 }), '14 steps');
    assert.equal(formatSteps({ kind: 'preference', responses: 2, steps: 14 }), '2 resp · 14 steps');
    assert.equal(formatFirstError(2), 'step 3', '1-based');
    assert.equal(formatFirstError(null), 'none');
    assert.equal(formatFirstError(undefined), '', 'unscored');
    assert.deepEqual(formatAgreement(true), { symbol: '✓', words: 'agrees' });
    assert.deepEqual(formatAgreement(false), { symbol: '✗', words: 'disagrees' });
    assert.deepEqual(formatAgreement(undefined), { symbol: '—', words: 'no verdict' });
  });

  it('formats a scoring run', () => {
    assert.equal(formatEta(42.4), '42s');
    assert.equal(formatEta(185), '3m 05s');
    assert.equal(formatEta(3720), '1h 02m');
    assert.equal(formatEta(-3), '0s');
    assert.equal(formatRate(1234.4), '1,234 rows/s');
    assert.equal(formatRate(2.44), '2.4 rows/s');
  });
});

describe('menus and sorting', () => {
  it('lists the label summaries first, then each label once', () => {
    assert.deepEqual(
      labelChoices(['correct', '', 'error at step 2', 'correct', 'any error']).map((c) => c.value),
      ['', 'any error', 'no label', 'correct', 'error at step 2'],
    );
    assert.deepEqual(
      subsetChoices(['chat']).map((c) => c.label),
      ['All subsets', 'chat'],
    );
  });

  it('starts a new column ascending and reverses the current one', () => {
    const byPosition = { column: 'position', descending: false } as const;
    const byScore = nextSort(byPosition, 'score');
    assert.deepEqual(byScore, { column: 'score', descending: false });
    assert.deepEqual(nextSort(byScore, 'score'), { column: 'score', descending: true });
    assert.equal(ariaSort(byScore, 'score'), 'ascending');
    assert.equal(ariaSort(byScore, 'id'), 'none');
  });
});
