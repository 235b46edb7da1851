import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  buildRewardCurve,
  encodeBase64Latin1,
  formatCurveMarkdown,
  formatSparkline,
  layoutSparkline,
  SPARKLINE_COLORS,
  sparklineSvg,
  svgDataUri,
  type SparklineColors,
} from '../../../../src/core/hover/sparkline.js';

const COLORS: SparklineColors = { line: '#111', threshold: '#222', firstError: '#f00', highlight: '#ff0' };

/** Tags of an SVG string balance, every attribute is quoted, and nothing but tags and whitespace-free text is there. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const rest = svg.replace(/<(\/?)([a-z]+)((?:\s+[a-zA-Z0-9:-]+="[^"<>]*")*)\s*(\/?)>/gu, (_m, close: string, name: string, _attrs: string, self: string) => {
    if (close === '/') assert.equal(stack.pop(), name, `</${name}> closes the open element`);
    else if (self !== '/') stack.push(name);
    return '';
  });
  assert.equal(rest, '', 'only well-formed tags');
  assert.deepEqual(stack, [], 'every element is closed');
}

/** A deterministic pseudo-random sequence (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('formatSparkline', () => {
  it('maps scores to eight bars on a fixed 0–1 scale', () => {
    assert.equal(formatSparkline([0, 0.124, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 0.999, 1], 0), '▁▁▂▃▄▅▆▇███');
    // Clamped, never rescaled to the trace's own range: a flat high trace stays high, a flat low one low.
    assert.equal(formatSparkline([-0.3, 1.7], -1), '▁█');
    assert.equal(formatSparkline([0.9, 0.9, 0.9], 0), '███');
    assert.equal(formatSparkline([0.05, 0.05], 0), '▁▁');
  });

  it('marks the first step under the threshold with ✗ and unscored steps with ·', () => {
    assert.equal(formatSparkline([0.9, 0.8, 0.2, Number.NaN], 0.5), '█▇✗·');
    // Only the first: later low steps keep their bars.
    assert.equal(formatSparkline([0.9, 0.3, 0.1, 0.05], 0.5), '█✗▁▁');
    // At the threshold is not under it; NaN and a sidecar's null never mark an error.
    assert.equal(formatSparkline([0.5, Number.NaN, null, undefined, 0.49], 0.5), '▅···✗');
    assert.equal(formatSparkline([0.9, 0.7], 0.5), '█▆');
    assert.equal(formatSparkline([], 0.5), '');
  });

  it('downsamples long traces by the minimum, keeping the first error and the lowest step', () => {
    const scores: number[] = Array.from({ length: 100 }, () => 0.9);
    scores[37] = 0.3; // first error
    scores[80] = 0.05; // the minimum, not an error mark (it comes later)
    scores[81] = Number.NaN;
    assert.equal(formatSparkline(scores, 0.5, 10), '███✗████▁█');
    assert.equal(formatSparkline(scores, 0.5, 24).length, 24);
    // A run of only unscored steps stays unscored.
    assert.equal(formatSparkline([0.9, 0.9, Number.NaN, Number.NaN, 0.9, 0.9], 0.5, 3), '█·█');
  });

  it('splits steps into runs of near-equal length', () => {
    const curve = buildRewardCurve([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], 0.15, 3);
    assert.deepEqual(
      curve.points.map((p) => [p.firstStep, p.lastStep, p.score, p.firstError]),
      [
        [0, 1, 0.1, true],
        [2, 3, 0.3, false],
        [4, 6, 0.5, false],
      ],
    );
    assert.equal(curve.firstError, 0);
    assert.equal(curve.stepCount, 7);
    assert.equal(buildRewardCurve([0.1, 0.2], 0.5, 0).points.length, 1, 'at least one point');
  });

  it('never hides the first error or the minimum, whatever the length and budget (seeded)', () => {
    const rand = seeded(13);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rand() * 200);
      const scores = Array.from({ length: n }, () => (rand() < 0.1 ? Number.NaN : rand()));
      const threshold = rand();
      const max = 1 + Math.floor(rand() * 40);
      const curve = buildRewardCurve(scores, threshold, max);
      assert.ok(curve.points.length <= max && curve.points.length === Math.min(n, max));
      assert.equal(curve.points[0]?.firstStep, 0);
      assert.equal(curve.points.at(-1)?.lastStep, n - 1);
      const finite = scores.filter(Number.isFinite);
      const shown = curve.points.map((p) => p.score).filter(Number.isFinite);
      if (finite.length > 0) assert.equal(Math.min(...shown), Math.min(...finite), 'the minimum is a point');
      const fe = scores.findIndex((s) => Number.isFinite(s) && s < threshold);
      const marked = curve.points.filter((p) => p.firstError);
      if (fe === -1) assert.equal(marked.length, 0);
      else {
        assert.equal(marked.length, 1);
        assert.ok(marked[0] && marked[0].firstStep <= fe && fe <= marked[0].lastStep);
        assert.ok(marked[0] && marked[0].score < threshold, 'the marked point is under the threshold too');
      }
      assert.equal(formatSparkline(scores, threshold, max).includes('✗'), fe !== -1);
    }
  });
});

describe('sparklineSvg', () => {
  it('draws the threshold dashed, the line, the dots, the first error in red and the highlighted step', () => {
    const svg = sparklineSvg([1, 0.5, 0], { width: 50, height: 20, threshold: 0.5, highlightStep: 1, colors: COLORS });
    assert.equal(
      svg,
      '<svg xmlns="http://www.w3.org/2000/svg" width="50" height="20" viewBox="0 0 50 20">' +
        '<line x1="0" y1="10" x2="50" y2="10" stroke="#222" stroke-width="1" stroke-dasharray="3 2"/>' +
        '<line x1="25" y1="0" x2="25" y2="20" stroke="#ff0" stroke-width="1" stroke-opacity="0.5"/>' +
        '<polyline points="5,5 25,10 45,15" fill="none" stroke="#111" stroke-width="1.5" stroke-linejoin="round"/>' +
        '<circle cx="5" cy="5" r="1.5" fill="#111"/>' +
        '<circle cx="25" cy="10" r="1.5" fill="#111"/>' +
        '<circle cx="45" cy="15" r="3" fill="#f00"/>' +
        '<circle cx="25" cy="10" r="4" fill="none" stroke="#ff0" stroke-width="1.5"/>' +
        '</svg>',
    );
    assertWellFormed(svg);
  });

  it('breaks the line at unscored steps and rings an unscored highlighted step with the guide only', () => {
    const svg = sparklineSvg([0.8, Number.NaN, 0.6, 0.7], { width: 65, height: 20, threshold: 0.5, highlightStep: 1, colors: COLORS });
    assertWellFormed(svg);
    // x: 5, 23.3, 41.7, 60; y = 5 + (1 − s)·10.
    assert.deepEqual(svg.match(/<polyline points="([^"]*)"/gu), ['<polyline points="41.7,9 60,8"']);
    assert.deepEqual(svg.match(/<circle [^>]*>/gu), ['<circle cx="5" cy="7" r="1.5" fill="#111"/>', '<circle cx="41.7" cy="9" r="1.5" fill="#111"/>', '<circle cx="60" cy="8" r="1.5" fill="#111"/>']);
    assert.ok(svg.includes('<line x1="23.3" y1="0" x2="23.3" y2="20" stroke="#ff0"'), 'the guide marks the unscored step');
    assert.ok(!svg.includes('#f00'), 'no first error');
  });

  it('downsamples to maxPoints, the first error kept as the red dot', () => {
    const scores = Array.from({ length: 500 }, (_, i) => (i === 333 ? 0.2 : 0.95));
    const svg = sparklineSvg(scores, { width: 200, height: 30, threshold: 0.5, colors: COLORS, maxPoints: 50 });
    assertWellFormed(svg);
    assert.equal(svg.match(/<circle /gu)?.length, 50);
    // Point 33 of 50 (steps 330–339) at x = 5 + 33·190/49, y = 5 + 0.8·20.
    assert.ok(svg.includes('<circle cx="133" cy="21" r="3" fill="#f00"/>'), svg);
  });

  it('escapes colours so the document stays well-formed and ASCII', () => {
    const svg = sparklineSvg([0.2], { width: 20, height: 20, threshold: 0.5, colors: { ...COLORS, firstError: '"/><script>alert(1)</script>é' } });
    assertWellFormed(svg);
    assert.ok(!svg.includes('<script'));
    assert.match(svg, /^[\x20-\x7e]*$/u);
    // A single point sits in the middle.
    assert.ok(svg.includes('<circle cx="10" cy="13" r="3" fill="&#34;/&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#233;"/>'), svg);
  });
});

describe('layoutSparkline', () => {
  it('places points on the fixed scale inside the padding', () => {
    const l = layoutSparkline(buildRewardCurve([0, 1], 0.25), { width: 100, height: 40, threshold: 0.25, padding: 10 });
    assert.deepEqual(
      l.dots.map((d) => [d.x, d.y]),
      [
        [10, 30],
        [90, 10],
      ],
    );
    assert.equal(l.thresholdY, 25);
    assert.deepEqual(l.firstError?.point.firstStep, 0);
    assert.equal(l.highlight, undefined);
  });
});

describe('svgDataUri', () => {
  it('base64-encodes like Buffer does', () => {
    for (const s of ['', 'M', 'Ma', 'Man', 'Many', 'Many ', '<svg xmlns="http://www.w3.org/2000/svg"/>', '\u00ff\u0000\u0080']) {
      assert.equal(encodeBase64Latin1(s), Buffer.from(s, 'latin1').toString('base64'), JSON.stringify(s));
    }
    const svg = sparklineSvg([0.9, 0.1], { width: 40, height: 20, threshold: 0.5, colors: SPARKLINE_COLORS.dark });
    const uri = svgDataUri(svg);
    assert.match(uri, /^data:image\/svg\+xml;base64,[A-Za-z0-9+/]+=*$/u);
    assert.equal(Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64').toString('latin1'), svg);
  });
});

describe('formatCurveMarkdown', () => {
  it('is an image with the Unicode line as alt text, naming the first error and the ringed step', () => {
    const md = formatCurveMarkdown([0.9, 0.8, 0.2, 0.6], 0.5, 1, SPARKLINE_COLORS.light);
    assert.ok(md);
    const m = /^Reward curve: !\[(.*)\]\(data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)\) first error \(red\): step 3 · ring: step 2$/u.exec(md);
    assert.ok(m, md);
    assert.equal(m[1], '█▇✗▅');
    const svg = Buffer.from(m[2] ?? '', 'base64').toString('latin1');
    assertWellFormed(svg);
    assert.ok(svg.includes(`fill="${SPARKLINE_COLORS.light.firstError}"`), 'the first error dot');
    assert.ok(svg.includes(`r="4" fill="none" stroke="${SPARKLINE_COLORS.light.highlight}"`), 'the ring');
    assert.equal(formatCurveMarkdown([0.9, 0.7], 0.5, 0, SPARKLINE_COLORS.dark)?.endsWith(') no step under the threshold · ring: step 1'), true);
    assert.equal(formatCurveMarkdown([], 0.5, 0, SPARKLINE_COLORS.dark), undefined);
  });
});
