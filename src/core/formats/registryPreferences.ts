import type { FormatSpec } from './formatSpec.js';


/** Preference datasets (chosen/rejected pairs, best-of-N, RM-Bench, judge benchmarks), most specific first. */
export const PREFERENCE_FORMATS: readonly FormatSpec[] = [];
