import type { JsonEntry } from '../json/readJsonDocument.js';
import { isObject, recordId } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';
import { checkRecord, conversationPair, isMessageList, preferenceResponse, preferenceSet, stringOf } from './preferenceSteps.js';

const FORMAT = 'Skywork preference';
const EXPECTED = 'an object with "chosen" and "rejected" message lists (including the user turn) and a "source"';

/**
 * Skywork-Reward-Preference-80K: `{chosen: [msgs], rejected: [msgs], source}` with an implicit prompt (both
 * lists start with the user turn; mostly two messages, some multi-turn). The prompt is the shared messages,
 * each response its final assistant message, and the subset the `source`. Without `source` the rows are
 * indistinguishable from TRL's implicit conversational shape and are read by `trl-preference`.
 */
export const skyworkPreference: FormatSpec = {
  id: 'skywork-preference',
  label: 'Skywork preference',
  detect: (v) => (isObject(v) && 'source' in v && isMessageList(v['chosen']) && isMessageList(v['rejected']) ? 3 : 0),
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const rec = checkRecord(FORMAT, EXPECTED, entry.value, ['chosen', 'rejected']);
    if (!rec.ok) return rec.outcome;
    const v = rec.value;
    const problems: RecordProblem[] = [];
    const pair = conversationPair(ctx, entry, v, problems);
    if (!pair) return { records: [], problems };
    const source = stringOf(v['source']);
    return {
      records: [
        preferenceSet(entry, {
          id: recordId(entry, v),
          prompt: pair.prompt,
          responses: [preferenceResponse(ctx, pair.chosen, true), preferenceResponse(ctx, pair.rejected, false)],
          subset: source,
          labelSource: 'chosen/rejected keys',
          comparison: 'pair',
          metadata: { ...(source !== undefined ? { source } : {}), promptMessages: pair.promptMessages },
        }),
      ],
      problems,
    };
  },
};
