// The reward curve of one trace: its step scores as a small line, drawn as Unicode bars (records side bar, hover
// alt text) or as an SVG (hover image, Trace Tree details). Pure: plain numbers in, strings and coordinates out.
import { firstUnder } from '../scoring/aggregate.js';

/**
 * The bar glyphs U+2581…U+2588, lowest first. The scale is fixed at 0–1 (never the trace's own min–max), so two
 * traces' lines can be compared glyph for glyph: a score s gets bar `min(7, floor(8·s))` after clamping to [0, 1].
 */
export const SPARK_BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** A step without a score (not scored, a judge's not-judged step, a sidecar's null): U+00B7 MIDDLE DOT. */
export const NOT_SCORED_MARK = '·';

/**
 * The trace's first step under the threshold replaces its bar with U+2717 BALLOT X. A distinct glyph rather than a
 * combining mark: combining marks on block elements are placed differently by every font, and VS Code's tree and
 * hovers use the UI font, while ✗ renders on its own in the fonts VS Code ships with on each platform (the Trace Tree
 * already uses it for wrong answers). The bar's height is lost there; the step is under the threshold by definition.
 */
export const FIRST_ERROR_MARK = '✗';

/** One point of a (possibly downsampled) reward curve. */
export interface CurvePoint {
  /** Lowest finite score of the steps it stands for; NaN when none of them is scored. */
  readonly score: number;
  /** 0-based first and last step it stands for (equal unless the curve is downsampled). */
  readonly firstStep: number;
  readonly lastStep: number;
  /** It stands for the trace's first step under the threshold. */
  readonly firstError: boolean;
}

/** A trace's reward curve: at most `maxPoints` points over `stepCount` steps. */
export interface RewardCurve {
  readonly points: readonly CurvePoint[];
  readonly stepCount: number;
  /** 0-based first step whose finite score is under the threshold; null when there is none. */
  readonly firstError: number | null;
}

/** A step score as stored: a number, NaN, or a sidecar's null; null and undefined read as NaN (not scored). */
export type CurveScore = number | null | undefined;

const asNumber = (s: CurveScore): number => (typeof s === 'number' ? s : Number.NaN);

/**
 * The curve of `scores` with the first step under `threshold` marked. With more steps than `maxPoints`, consecutive
 * steps are merged into `maxPoints` runs of near-equal length (run k covers steps ⌊k·n/m⌋ … ⌊(k+1)·n/m⌋ − 1), and
 * each run shows its lowest finite score. Merging by the minimum keeps every drop visible: the trace's minimum is
 * always a point, and the run holding the first error is marked (its value is at most the error's score). A run with
 * no finite score is NaN. `maxPoints` below 1 counts as 1.
 */
export function buildRewardCurve(scores: readonly CurveScore[], threshold: number, maxPoints = Number.POSITIVE_INFINITY): RewardCurve {
  const values = scores.map(asNumber);
  const n = values.length;
  const firstError = firstUnder(values, threshold);
  const m = Math.min(n, Math.max(1, Math.floor(maxPoints)));
  const points: CurvePoint[] = [];
  for (let k = 0; k < m; k++) {
    const firstStep = Math.floor((k * n) / m);
    const lastStep = Math.floor(((k + 1) * n) / m) - 1;
    let low = Number.NaN;
    for (let i = firstStep; i <= lastStep; i++) {
      const v = values[i] ?? Number.NaN;
      if (Number.isFinite(v) && !(v >= low)) low = v;
    }
    points.push({ score: low, firstStep, lastStep, firstError: firstError !== null && firstError >= firstStep && firstError <= lastStep });
  }
  return { points, stepCount: n, firstError };
}

/** The bar glyph of one score on the fixed 0–1 scale (see {@link SPARK_BARS}); {@link NOT_SCORED_MARK} when not finite. */
export function sparkGlyph(score: number): string {
  if (!Number.isFinite(score)) return NOT_SCORED_MARK;
  const clamped = Math.min(1, Math.max(0, score));
  return SPARK_BARS[Math.min(7, Math.floor(clamped * 8))] ?? NOT_SCORED_MARK;
}

/** A curve as Unicode: one glyph per point, the first error as {@link FIRST_ERROR_MARK}. */
export function curveGlyphs(curve: RewardCurve): string {
  return curve.points.map((p) => (p.firstError ? FIRST_ERROR_MARK : sparkGlyph(p.score))).join('');
}

/**
 * The Unicode sparkline of a trace's step scores, at most `maxGlyphs` glyphs (downsampled as in
 * {@link buildRewardCurve}): `[0.9, 0.8, 0.2, NaN]` at threshold 0.5 → `█▇✗·`. Empty for a trace without steps.
 */
export function formatSparkline(scores: readonly CurveScore[], threshold: number, maxGlyphs = Number.POSITIVE_INFINITY): string {
  return curveGlyphs(buildRewardCurve(scores, threshold, maxGlyphs));
}

/** Sizes of a drawn curve, in CSS pixels. */
export interface SparklineLayoutOptions {
  readonly width: number;
  readonly height: number;
  readonly threshold: number;
  /** 0-based step drawn with a ring and a guide (the hovered or selected step); the point standing for it is ringed. */
  readonly highlightStep?: number;
  /** Free pixels at each edge so the dots are not clipped; 5 by default. */
  readonly padding?: number;
}

/** A drawn point. Coordinates are rounded to 0.1 px. */
export interface SparklineDot {
  readonly x: number;
  readonly y: number;
  readonly point: CurvePoint;
}

/** Where everything of a drawn curve goes; y grows downwards, score 1 at the top. */
export interface SparklineLayout {
  readonly width: number;
  readonly height: number;
  /** Polylines: runs of consecutive scored points (a point without a score breaks the line). */
  readonly runs: readonly (readonly SparklineDot[])[];
  /** Every scored point. */
  readonly dots: readonly SparklineDot[];
  /** The scored point holding the first error, if any. */
  readonly firstError?: SparklineDot;
  /** Height of the threshold line. */
  readonly thresholdY: number;
  /** The highlighted step: its point's x, and its y when that point has a score. */
  readonly highlight?: { readonly x: number; readonly y?: number };
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

/**
 * Places a curve in a `width` × `height` box: points evenly spaced left to right (a single point in the middle),
 * y on the fixed 0–1 scale inside the padding (scores clamped to it).
 */
export function layoutSparkline(curve: RewardCurve, o: SparklineLayoutOptions): SparklineLayout {
  const pad = o.padding ?? 5;
  const innerW = Math.max(0, o.width - 2 * pad);
  const innerH = Math.max(0, o.height - 2 * pad);
  const m = curve.points.length;
  const xAt = (k: number): number => round1(m <= 1 ? o.width / 2 : pad + (k * innerW) / (m - 1));
  const yAt = (s: number): number => round1(pad + (1 - Math.min(1, Math.max(0, s))) * innerH);
  const runs: SparklineDot[][] = [];
  const dots: SparklineDot[] = [];
  let run: SparklineDot[] = [];
  let highlight: SparklineLayout['highlight'];
  curve.points.forEach((point, k) => {
    const scored = Number.isFinite(point.score);
    const dot = { x: xAt(k), y: scored ? yAt(point.score) : Number.NaN, point };
    const hit = o.highlightStep !== undefined && o.highlightStep >= point.firstStep && o.highlightStep <= point.lastStep;
    if (hit) highlight = scored ? { x: dot.x, y: dot.y } : { x: dot.x };
    if (!scored) {
      if (run.length > 0) runs.push(run);
      run = [];
      return;
    }
    run.push(dot);
    dots.push(dot);
  });
  if (run.length > 0) runs.push(run);
  const firstError = dots.find((d) => d.point.firstError);
  return {
    width: o.width,
    height: o.height,
    runs,
    dots,
    ...(firstError !== undefined ? { firstError } : {}),
    thresholdY: yAt(o.threshold),
    ...(highlight !== undefined ? { highlight } : {}),
  };
}

/** Colours of an SVG curve: any CSS colour (`#rrggbb`, `rgb(…)`, a name). */
export interface SparklineColors {
  readonly line: string;
  readonly threshold: string;
  readonly firstError: string;
  readonly highlight: string;
}

/**
 * Colours for an image that cannot read the theme (a hover's data URI sees no CSS variables): VS Code's default
 * dark and light chart colours. High-contrast themes use the palette of their base (dark or light).
 */
export const SPARKLINE_COLORS: Readonly<Record<'dark' | 'light', SparklineColors>> = {
  dark: { line: '#3794ff', threshold: '#8b949e', firstError: '#f14c4c', highlight: '#cca700' },
  light: { line: '#1a85ff', threshold: '#6e7781', firstError: '#e51400', highlight: '#bf8803' },
};

/** An SVG curve: sizes, colours, and at most `maxPoints` points. */
export interface SparklineSvgOptions extends SparklineLayoutOptions {
  readonly colors: SparklineColors;
  readonly maxPoints?: number;
}

/** Text for an XML attribute value: markup characters escaped and anything outside ASCII as a character reference. */
function attr(value: string): string {
  return value.replace(/[&<>"']|[^\x20-\x7e]/gu, (c) => `&#${c.codePointAt(0) ?? 0};`);
}

/**
 * The curve as a standalone SVG document (ASCII only, so it can be base64-encoded byte for byte): the threshold as a
 * dashed line, the scores as a polyline per scored run with a dot per point, the first error as a larger dot in
 * `colors.firstError`, and the highlighted step as a ring with a faint vertical guide. Nothing in it comes from
 * dataset text.
 */
export function sparklineSvg(scores: readonly CurveScore[], o: SparklineSvgOptions): string {
  const l = layoutSparkline(buildRewardCurve(scores, o.threshold, o.maxPoints), o);
  const c = o.colors;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}" viewBox="0 0 ${o.width} ${o.height}">`];
  parts.push(`<line x1="0" y1="${l.thresholdY}" x2="${o.width}" y2="${l.thresholdY}" stroke="${attr(c.threshold)}" stroke-width="1" stroke-dasharray="3 2"/>`);
  if (l.highlight !== undefined) {
    parts.push(`<line x1="${l.highlight.x}" y1="0" x2="${l.highlight.x}" y2="${o.height}" stroke="${attr(c.highlight)}" stroke-width="1" stroke-opacity="0.5"/>`);
  }
  for (const run of l.runs) {
    if (run.length > 1) parts.push(`<polyline points="${run.map((d) => `${d.x},${d.y}`).join(' ')}" fill="none" stroke="${attr(c.line)}" stroke-width="1.5" stroke-linejoin="round"/>`);
  }
  for (const d of l.dots) {
    if (d !== l.firstError) parts.push(`<circle cx="${d.x}" cy="${d.y}" r="1.5" fill="${attr(c.line)}"/>`);
  }
  if (l.firstError !== undefined) parts.push(`<circle cx="${l.firstError.x}" cy="${l.firstError.y}" r="3" fill="${attr(c.firstError)}"/>`);
  if (l.highlight?.y !== undefined) parts.push(`<circle cx="${l.highlight.x}" cy="${l.highlight.y}" r="4" fill="none" stroke="${attr(c.highlight)}" stroke-width="1.5"/>`);
  parts.push('</svg>');
  return parts.join('');
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of a string whose characters are all below U+0100 (one byte each), such as {@link sparklineSvg}'s output. */
export function encodeBase64Latin1(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 3) {
    const a = text.charCodeAt(i) & 0xff;
    const b = i + 1 < text.length ? text.charCodeAt(i + 1) & 0xff : 0;
    const c = i + 2 < text.length ? text.charCodeAt(i + 2) & 0xff : 0;
    const n = (a << 16) | (b << 8) | c;
    out += BASE64[(n >> 18) & 63] ?? '';
    out += BASE64[(n >> 12) & 63] ?? '';
    out += i + 1 < text.length ? (BASE64[(n >> 6) & 63] ?? '') : '=';
    out += i + 2 < text.length ? (BASE64[n & 63] ?? '') : '=';
  }
  return out;
}

/** `data:image/svg+xml;base64,…` of an ASCII SVG (VS Code's hover markdown renders data-URI images). */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${encodeBase64Latin1(svg)}`;
}

/** Size and point budget of the hover's curve image. */
export const HOVER_CURVE = { width: 160, height: 28, maxPoints: 64, maxGlyphs: 24 } as const;

/**
 * The step hover's curve line: `Reward curve: ![▇▇✗▁](data:image/svg+xml;base64,…) first error (red): step 3 ·
 * ring: step 2`. The image's alt text is the Unicode sparkline (shown where images are not). Undefined for a trace
 * without steps. Contains no dataset text.
 */
export function formatCurveMarkdown(scores: readonly CurveScore[], threshold: number, stepIndex: number, colors: SparklineColors): string | undefined {
  if (scores.length === 0) return undefined;
  const svg = sparklineSvg(scores, { width: HOVER_CURVE.width, height: HOVER_CURVE.height, threshold, highlightStep: stepIndex, colors, maxPoints: HOVER_CURVE.maxPoints });
  const first = firstUnder(scores.map(asNumber), threshold);
  const error = first === null ? 'no step under the threshold' : `first error (red): step ${first + 1}`;
  return `Reward curve: ![${formatSparkline(scores, threshold, HOVER_CURVE.maxGlyphs)}](${svgDataUri(svg)}) ${error} · ring: step ${stepIndex + 1}`;
}
