import type { FormatSpec } from './formatSpec.js';
import { helpSteer2, helpSteer3 } from './helpSteer.js';
import { hhRlhf } from './hhRlhf.js';
import { judgeBench, judgeBenchJudgments } from './judgeBench.js';
import { rewardBench, rewardBench2 } from './rewardBench.js';
import { rmBench } from './rmBench.js';
import { skyworkPreference } from './skyworkPreference.js';
import { trlPreference } from './trlPreference.js';
import { ultraFeedback } from './ultraFeedback.js';

/** Preference datasets (chosen/rejected pairs, best-of-N, RM-Bench, judge benchmarks), most specific first. */
export const PREFERENCE_FORMATS: readonly FormatSpec[] = [
  judgeBenchJudgments,
  judgeBench,
  rewardBench2,
  rmBench,
  rewardBench,
  ultraFeedback,
  helpSteer3,
  helpSteer2,
  skyworkPreference,
  hhRlhf,
  trlPreference,
];
