import type { JsonEntry } from '../json/readJsonDocument.js';
import { isObject, recordId } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';
import { checkRecord, conversationPair, finiteNumber, isMessageList, preferenceResponse, preferenceSet, promptOf, stringOf, wrongType } from './preferenceSteps.js';

const FORMAT = 'UltraFeedback binarized';
const EXPECTED = 'an object with "prompt", "chosen" and "rejected" (message lists including the user turn), "score_chosen" and "score_rejected"';

/**
 * UltraFeedback binarized (`HuggingFaceH4/ultrafeedback_binarized`): `{prompt, prompt_id, chosen: [msgs],
 * rejected: [msgs], messages, score_chosen, score_rejected}`. `chosen`/`rejected` hold the whole conversation
 * (implicit prompt); each response is its final assistant message and its rating the matching score. The
 * prompt is the `prompt` string when present, else the messages both sides share.
 */
export const ultraFeedback: FormatSpec = {
  id: 'ultrafeedback',
  label: 'UltraFeedback binarized',
  detect: (v) =>
    isObject(v) && isMessageList(v['chosen']) && isMessageList(v['rejected']) && ('score_chosen' in v || 'score_rejected' in v || 'prompt_id' in v) ? 3 : 0,
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const rec = checkRecord(FORMAT, EXPECTED, entry.value, ['chosen', 'rejected']);
    if (!rec.ok) return rec.outcome;
    const v = rec.value;
    const problems: RecordProblem[] = [];
    const pair = conversationPair(ctx, entry, v, problems);
    if (!pair) return { records: [], problems };
    const rating = (key: string): number | undefined => {
      const n = finiteNumber(v[key]);
      if (n === undefined && key in v) problems.push({ ...wrongType(ctx, entry, [key], v[key], 'a number', 'the response has no rating'), severity: 'warning' });
      return n;
    };
    const scoreChosen = rating('score_chosen');
    const scoreRejected = rating('score_rejected');
    const promptId = stringOf(v['prompt_id']);
    return {
      records: [
        preferenceSet(entry, {
          id: recordId(entry, v, 'prompt_id'),
          prompt: promptOf(entry, v, 'prompt') ?? pair.prompt,
          responses: [
            preferenceResponse(ctx, pair.chosen, true, scoreChosen !== undefined ? { rating: scoreChosen } : {}),
            preferenceResponse(ctx, pair.rejected, false, scoreRejected !== undefined ? { rating: scoreRejected } : {}),
          ],
          labelSource: 'chosen/rejected keys',
          comparison: 'pair',
          metadata: { ...(promptId !== undefined ? { prompt_id: promptId } : {}), score_chosen: v['score_chosen'] ?? null, score_rejected: v['score_rejected'] ?? null },
        }),
      ],
      problems,
    };
  },
};
