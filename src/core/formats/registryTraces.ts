import type { FormatSpec } from './formatSpec.js';
import { processBench } from './processBench.js';

/** Step-labelled trace datasets (ProcessBench, PRM800K, Math-Shepherd, TRL stepwise...), most specific first. */
export const TRACE_FORMATS: readonly FormatSpec[] = [processBench];
