// Score → CSS class. The classes map to contributed theme colours (--vscode-rewardLens-score*) in media/webview.css.
import { bucketOf } from '../../src/core/editor/decorationSpecs.js';

/** The colour class of a score: `high`/`mid`/`low` by the thresholds, `none` when unscored. */
export type ScoreClass = 'high' | 'mid' | 'low' | 'none';

/** Thresholds as the views receive them (`ViewScoring`). */
export interface Thresholds {
  readonly threshold: number;
  readonly highThreshold: number;
}

/** The colour class of a score under the user's thresholds. */
export function scoreClass(score: number | undefined, t: Thresholds): ScoreClass {
  if (score === undefined || !Number.isFinite(score)) return 'none';
  return bucketOf(score, { threshold: t.threshold, high: t.highThreshold });
}
