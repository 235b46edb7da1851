import type { FormatSpec } from './formatSpec.js';
import { mathShepherd } from './mathShepherd.js';
import { processBench } from './processBench.js';
import { prm800k } from './prm800k.js';
import { prm800kScored } from './prm800kScored.js';
import { trlStepwise } from './trlStepwise.js';

/** Step-labelled trace datasets (ProcessBench, PRM800K, Math-Shepherd, TRL stepwise...), most specific first. */
export const TRACE_FORMATS: readonly FormatSpec[] = [processBench, prm800k, prm800kScored, mathShepherd, trlStepwise];
