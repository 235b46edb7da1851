import type { PromptMessage } from '../dataset/types.js';
import type { JsonEntry } from '../json/readJsonDocument.js';
import { isObject, locatedString, recordId, subRange } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';
import { checkRecord, preferenceResponse, preferenceSet, problemAt, wrongType } from './preferenceSteps.js';

const FORMAT = 'HH-RLHF';
const EXPECTED = 'an object with "chosen" and "rejected" full transcripts ("\\n\\nHuman: …\\n\\nAssistant: …")';
const ASSISTANT = '\n\nAssistant: ';
const HUMAN = '\n\nHuman: ';

/** Length of the common prefix of two strings, in UTF-16 code units. */
function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * Where the final, differing Assistant turn starts: TRL's `extract_dialogue` takes the longest common prefix of
 * the two transcripts and, unless it already ends with `"\n\nAssistant: "`, backs up to the last one in it.
 * Returns the offset of that marker, or -1 when the shared prefix holds none.
 */
export function splitHhDialogue(chosen: string, rejected: string): number {
  const common = commonPrefixLength(chosen, rejected);
  const prefix = chosen.slice(0, common);
  if (prefix.endsWith(ASSISTANT)) return common - ASSISTANT.length;
  return prefix.lastIndexOf(ASSISTANT);
}

/**
 * The turns of an HH-RLHF dialogue (`"\n\nHuman: …\n\nAssistant: …"`): each marker starts a user or assistant
 * turn, content as written (Anthropic's markers are the only separators; text before the first is dropped).
 */
export function hhTurns(dialogue: string): PromptMessage[] {
  const turns: PromptMessage[] = [];
  const marker = /\n\n(Human|Assistant): /gu;
  let m = marker.exec(dialogue);
  while (m !== null) {
    const role = m[1] === 'Human' ? 'user' : 'assistant';
    const start = m.index + m[0].length;
    const next = marker.exec(dialogue);
    turns.push({ role, content: dialogue.slice(start, next === null ? dialogue.length : next.index) });
    m = next;
  }
  return turns;
}

/**
 * Anthropic HH-RLHF (`anthropics/hh-rlhf`): `{chosen, rejected}` full transcripts whose turns start with
 * `"\n\nHuman: "` / `"\n\nAssistant: "`. The prompt is the shared dialogue before the final Assistant turn
 * (leading blank lines dropped); each response is the rest of its transcript. All spans are substrings of the
 * `chosen` / `rejected` literals.
 */
export const hhRlhf: FormatSpec = {
  id: 'hh-rlhf',
  label: 'Anthropic HH-RLHF',
  detect: (v) =>
    isObject(v) && typeof v['chosen'] === 'string' && typeof v['rejected'] === 'string' && (v['chosen'].startsWith('\n\nHuman:') || v['rejected'].startsWith('\n\nHuman:'))
      ? 3
      : 0,
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const rec = checkRecord(FORMAT, EXPECTED, entry.value, ['chosen', 'rejected']);
    if (!rec.ok) return rec.outcome;
    const v = rec.value;
    const problems: RecordProblem[] = [];
    const chosen = locatedString(entry, v, 'chosen');
    const rejected = locatedString(entry, v, 'rejected');
    if (!chosen) problems.push(wrongType(ctx, entry, ['chosen'], v['chosen'], 'a transcript string', 'the record is skipped'));
    if (!rejected) problems.push(wrongType(ctx, entry, ['rejected'], v['rejected'], 'a transcript string', 'the record is skipped'));
    if (!chosen || !rejected) return { records: [], problems };
    const cut = splitHhDialogue(chosen.text, rejected.text);
    if (cut === -1) {
      problems.push(
        problemAt(ctx, entry, ['chosen'], `"chosen" and "rejected" share no dialogue ending in an Assistant turn ("\\n\\nAssistant: "), so the prompt cannot be separated from the responses; the record is skipped.`),
      );
      return { records: [], problems };
    }
    const promptStart = chosen.text.startsWith('\n\n') ? 2 : 0;
    const promptEnd = Math.max(promptStart, cut);
    const promptRange = subRange(ctx.text, chosen, promptStart, promptEnd);
    const replyStart = cut + ASSISTANT.length;
    const promptText = chosen.text.slice(promptStart, promptEnd);
    const humanTurns = chosen.text.slice(0, cut).split(HUMAN).length - 1;
    return {
      records: [
        preferenceSet(entry, {
          id: recordId(entry, v),
          prompt: { text: promptText, ...(promptRange ? { range: promptRange } : {}), messages: hhTurns(chosen.text.slice(0, cut)) },
          responses: [
            preferenceResponse(ctx, chosen, true, {}, replyStart),
            preferenceResponse(ctx, rejected, false, {}, replyStart),
          ],
          labelSource: 'chosen/rejected keys',
          comparison: 'pair',
          metadata: { humanTurns },
        }),
      ],
      problems,
    };
  },
};
