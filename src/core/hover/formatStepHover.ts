import type { StepLabel } from '../dataset/types.js';
import type { Aggregation } from '../scoring/aggregate.js';
import { escapeMarkdown, truncate } from '../text/escape.js';

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
  readonly model: string;
  readonly device: string;
  readonly label: StepLabel;
  /** Command links: name → `command:` URI (built by the adapter, which knows the document). */
  readonly links: readonly { readonly title: string; readonly uri: string }[];
}

const LABEL_GOOD: Readonly<Record<StepLabel, boolean | undefined>> = { good: true, bad: false, neutral: undefined, unknown: undefined };

/** Whether the model's verdict (score ≥ threshold = good) agrees with a dataset label; undefined when not comparable. */
export function agreesWithLabel(score: number, threshold: number, label: StepLabel): boolean | undefined {
  const good = LABEL_GOOD[label];
  return good === undefined ? undefined : good === score >= threshold;
}

const fmt = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(3));

/**
 * The hover markdown for one step. All text from the trace or the scorer is escaped: nothing in it can become a
 * link, HTML or formatting. Only `links` (built by the extension) are active.
 */
export function formatStepHover(h: StepHoverInput): string {
  const lines: string[] = [];
  const verdict = h.score < h.threshold ? ' — **below threshold**' : '';
  lines.push(`**Reward Lens** · step ${h.stepNumber} of ${h.stepCount}: **${h.score.toFixed(3)}**${verdict}${h.stale ? ' *(stale: text changed since scoring)*' : ''}`);
  lines.push('');
  const agg = (['min', 'product', 'mean', 'last'] as const).map((a) => `${a === h.aggregation ? `**${a}**` : a} ${fmt(h.aggregates[a])}`).join(' · ');
  lines.push(`Trace score: ${agg}`);
  lines.push('');
  lines.push(`Model: ${escapeMarkdown(h.model)} on ${escapeMarkdown(h.device)}`);
  if (h.critique !== undefined && h.critique.length > 0) {
    lines.push('');
    lines.push(`Critique: ${escapeMarkdown(truncate(h.critique, 2000))}`);
  }
  lines.push('');
  const agree = agreesWithLabel(h.score, h.threshold, h.label);
  const labelText = h.label === 'unknown' ? 'none' : h.label;
  lines.push(`Dataset label: ${labelText}${agree === undefined ? '' : agree ? ' — model agrees' : ' — **model disagrees**'}`);
  if (h.links.length > 0) {
    lines.push('');
    lines.push(h.links.map((l) => `[${escapeMarkdown(l.title)}](${l.uri})`).join(' · '));
  }
  return lines.join('\n');
}
