import type { FormatSpec } from './formatSpec.js';
import { anthropicMessages } from './anthropicMessages.js';
import { chatCompletion } from './chatCompletion.js';
import { openaiChat, shareGpt } from './chatMessages.js';
import { inspectLog } from './inspectLog.js';
import { codexRollout, openaiResponses } from './openaiResponses.js';

/** Model responses and logs (chat messages, <think>, reasoning fields, Anthropic, Responses API, Inspect), most specific first. */
export const RESPONSE_FORMATS: readonly FormatSpec[] = [inspectLog, codexRollout, openaiResponses, anthropicMessages, chatCompletion, shareGpt, openaiChat];
