import type { StepLabel } from '../dataset/types.js';
import type { Aggregation } from '../scoring/aggregate.js';
import type { StepCheck } from '../scoring/scorer.js';
import { escapeMarkdown, truncate } from '../text/escape.js';
import { confidenceLine, type ConfidenceHoverInput } from '../confidence/formatConfidence.js';
import { formatCurveMarkdown, type CurveScore, type SparklineColors } from './sparkline.js';

/** Everything a step hover shows. */
export interface StepHoverInput {
  /** 1-based step number as people count. */
  readonly stepNumber: number;
  readonly stepCount: number;
  readonly score: number;
  readonly critique?: string;
  readonly stale: boolean;
  readonly threshold: number;
  /** Trace (or response) score under each aggregation. */
  readonly aggregates: Readonly<Record<Aggregation, number | undefined>>;
  readonly aggregation: Aggregation;
  /** The model's name (`modelDisplayName`); unused for the built-in verifier. */
  readonly model: string;
  /** Where it ran: `builtin` for the built-in verifier, else `cpu`, `cuda`, a host... */
  readonly device: string;
  /** For the built-in verifier: the checks that applied to this step (absent in results stored before they were kept). */
  readonly checks?: readonly StepCheck[];
  /** For a generative judge: its verdict on this step and where the score comes from. */
  readonly verdict?: 'correct' | 'incorrect' | 'not-judged';
  readonly source?: 'logprob' | 'verdict';
  /** For a generative judge: its name, and whether its output was cut at the token limit. */
  readonly judge?: { readonly name: string; readonly truncated: boolean };
  readonly label: StepLabel;
  /** Command links: name → `command:` URI (built by the adapter, which knows the document). */
  readonly links: readonly { readonly title: string; readonly uri: string }[];
  /** While comparing two runs ("Compare With…"): this step under both (see {@link compareLine}). */
  readonly compare?: CompareHoverInput;
  /** The trace's own confidence in this step, when the record carries token log-probabilities (see {@link confidenceLine}). */
  readonly confidence?: ConfidenceHoverInput;
  /** The trace's reward curve: every step's score (NaN or null when unscored), drawn in these colours with this step ringed. */
  readonly curve?: { readonly scores: readonly CurveScore[]; readonly colors: SparklineColors };
}

/** One run's score of a step in a compared hover. */
export interface CompareHoverSide {
  /** The run as people name it (`modelDisplayName`, or a `score --out` file's name). */
  readonly name: string;
  /** Undefined (or NaN) when the run has no score for this step. */
  readonly score: number | undefined;
  readonly stale: boolean;
}

/** A step under the current run (A) and the compared run (B). */
export interface CompareHoverInput {
  readonly a: CompareHoverSide;
  readonly b: CompareHoverSide;
}

const LABEL_GOOD: Readonly<Record<StepLabel, boolean | undefined>> = { good: true, bad: false, neutral: undefined, unknown: undefined };

/** Whether the model's verdict (score ≥ threshold = good) agrees with a dataset label; undefined when not comparable. */
export function agreesWithLabel(score: number, threshold: number, label: StepLabel): boolean | undefined {
  const good = LABEL_GOOD[label];
  return good === undefined ? undefined : good === score >= threshold;
}

const fmt = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(3));

function hostOf(url: string): string {
  const m = /^[a-z]+:\/\/([^/]+)/iu.exec(url);
  return m?.[1] ?? url;
}

/** A judge's source as people name it: `model @ host` for a server, the folder's last segment for a local model. */
function sourceName(source: string): string {
  const at = source.lastIndexOf('@');
  if (/^[a-z]+:\/\//iu.test(source)) return at > source.indexOf('//') ? `${source.slice(at + 1)} @ ${hostOf(source.slice(0, at))}` : hostOf(source);
  return modelDisplayName(source);
}

/** The device the built-in verifier reports; it is no place a model runs, so hovers never print it. */
export const BUILTIN_DEVICE = 'builtin';

/**
 * A model setting as people name it: `builtin` is the built-in verifier, a model folder is its last path segment
 * (`/models/Qwen2.5-Math-PRM-7B/` → `Qwen2.5-Math-PRM-7B`).
 */
export function modelDisplayName(modelId: string): string {
  if (modelId === 'builtin') return 'built-in verifier';
  // `judge:NAME:SOURCE[@model][#rubric]` and `endpoint:URL#preset[@model]` (see choiceKey).
  const judge = /^judge:([^:]+):(.*?)(?:#.*)?$/u.exec(modelId);
  if (judge !== null) return `${judge[1] ?? ''} judge (${sourceName(judge[2] ?? '')})`;
  const endpoint = /^endpoint:(.*)#([^#@]*)(?:@(.*))?$/u.exec(modelId);
  if (endpoint !== null) return `${endpoint[3] ?? endpoint[2] ?? ''} at ${hostOf(endpoint[1] ?? '')}`;
  const parts = modelId.split(/[\\/]+/).filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? modelId;
}

const CHECK_WORDS: Readonly<Record<StepCheck, string>> = {
  arithmetic: 'arithmetic re-evaluated exactly',
  'final-answer': 'final answer checked against the reference',
  repeat: 'compared with earlier steps for repeats',
};

/**
 * What the built-in verifier checked in a step, in words: the checks that applied (`checks`), and when neither
 * arithmetic nor a final answer could be checked, that too. Without `checks` (older stored results), every check
 * the verifier can run. Unknown check names (a hand-edited sidecar) are ignored.
 */
export function describeVerifierChecks(checks: readonly StepCheck[] | undefined): string {
  if (checks === undefined) return 'arithmetic re-evaluated exactly, final answer against the reference, repeated steps';
  const known = (Object.keys(CHECK_WORDS) as StepCheck[]).filter((c) => checks.includes(c));
  const words = known.map((c) => CHECK_WORDS[c]);
  if (!known.includes('arithmetic') && !known.includes('final-answer')) words.push('no arithmetic or final answer to check in this step');
  return words.join('; ');
}

/** The hover's scorer line: `Model: Qwen2.5-Math-PRM-7B on cpu`, or what the built-in verifier checked. */
export function scorerLine(model: string, device: string, checks?: readonly StepCheck[]): string {
  if (device === BUILTIN_DEVICE) return `Scored by the built-in verifier: ${describeVerifierChecks(checks)}`;
  return `Model: ${escapeMarkdown(model)} on ${escapeMarkdown(device)}`;
}

/**
 * The hover markdown for one step. All text from the trace or the scorer is escaped: nothing in it can become a
 * link, HTML or formatting. Only `links` (built by the extension) are active.
 */
/** The hover's judge line: the verdict and where its score comes from (token probabilities or the verdict text). */
export function judgeLine(verdict: StepHoverInput['verdict'], source: StepHoverInput['source'], judge: StepHoverInput['judge']): string {
  const name = judge === undefined ? 'The judge' : `The ${escapeMarkdown(judge.name)} judge`;
  const said = verdict === 'not-judged' ? `${name} gave this step no verdict` : `${name} judged this step **${verdict ?? 'unknown'}**`;
  const from =
    verdict === 'not-judged'
      ? ''
      : source === 'logprob'
        ? ': the score is the probability of the positive verdict token against the negative one where the verdict was written'
        : ': the score is 1 or 0 from the verdict text (no token log-probabilities were available)';
  return `${said}${from}.${judge?.truncated === true ? ' Its output was cut at the token limit.' : ''}`;
}

function compareSide(label: 'A' | 'B', side: CompareHoverSide, threshold: number): string {
  const has = side.score !== undefined && Number.isFinite(side.score);
  const value = has ? `**${(side.score as number).toFixed(3)}**${(side.score as number) < threshold ? ' (below threshold)' : ''}` : 'not scored';
  return `${label} · ${escapeMarkdown(side.name)}: ${value}${has && side.stale ? ' *(stale)*' : ''}`;
}

/**
 * The hover's comparison line: `Compared: A · built-in verifier: **0.910** · B · run-b.jsonl: **0.420** (below
 * threshold) · A − B = +0.490`. The difference is given only when both runs scored the step. Names are escaped.
 */
export function compareLine(c: CompareHoverInput, threshold: number): string {
  const a = c.a.score;
  const b = c.b.score;
  const diff = a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) ? a - b : undefined;
  const signed = diff === undefined ? '' : ` · A \u2212 B = ${diff > 0 ? '+' : diff < 0 ? '\u2212' : ''}${Math.abs(diff).toFixed(3)}`;
  return `Compared: ${compareSide('A', c.a, threshold)} · ${compareSide('B', c.b, threshold)}${signed}`;
}

export function formatStepHover(h: StepHoverInput): string {
  const lines: string[] = [];
  const finite = Number.isFinite(h.score);
  const verdict = finite && h.score < h.threshold ? ' — **below threshold**' : '';
  const value = finite ? h.score.toFixed(3) : h.verdict === 'not-judged' ? 'not judged' : 'not scored';
  lines.push(`**Reward Lens** · step ${h.stepNumber} of ${h.stepCount}: **${value}**${verdict}${h.stale ? ' *(stale: text changed since scoring)*' : ''}`);
  lines.push('');
  const agg = (['min', 'product', 'mean', 'last'] as const).map((a) => `${a === h.aggregation ? `**${a}**` : a} ${fmt(h.aggregates[a])}`).join(' · ');
  lines.push(`Trace score: ${agg}`);
  lines.push('');
  const curve = h.curve && formatCurveMarkdown(h.curve.scores, h.threshold, h.stepNumber - 1, h.curve.colors);
  if (curve !== undefined) {
    lines.push(curve);
    lines.push('');
  }
  if (h.confidence !== undefined) {
    lines.push(confidenceLine(h.confidence));
    lines.push('');
  }
  if (h.compare !== undefined) {
    lines.push(compareLine(h.compare, h.threshold));
    lines.push('');
  }
  lines.push(scorerLine(h.model, h.device, h.checks));
  if (h.verdict !== undefined) {
    lines.push('');
    lines.push(judgeLine(h.verdict, h.source, h.judge));
  }
  if (h.critique !== undefined && h.critique.length > 0) {
    lines.push('');
    lines.push(`Critique: ${escapeMarkdown(truncate(h.critique, 2000))}`);
  }
  lines.push('');
  const agree = finite ? agreesWithLabel(h.score, h.threshold, h.label) : undefined;
  const labelText = h.label === 'unknown' ? 'none' : h.label;
  lines.push(`Dataset label: ${labelText}${agree === undefined ? '' : agree ? ' — model agrees' : ' — **model disagrees**'}`);
  if (h.links.length > 0) {
    lines.push('');
    lines.push(h.links.map((l) => `[${escapeMarkdown(l.title)}](${l.uri})`).join(' · '));
  }
  return lines.join('\n');
}
