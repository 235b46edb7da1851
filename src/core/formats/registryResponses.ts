import type { FormatSpec } from './formatSpec.js';


/** Model responses and logs (chat messages, <think>, reasoning fields, Anthropic, Responses API, Inspect), most specific first. */
export const RESPONSE_FORMATS: readonly FormatSpec[] = [];
