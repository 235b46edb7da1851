import type { JsonEntry } from '../json/readJsonDocument.js';
import type { PreferenceResponse } from '../dataset/types.js';
import { describe, isObject, locatedString, recordId, type JsonObject, type LocatedText } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';
import {
  finalAssistant,
  isMessageList,
  preferenceResponse,
  preferenceSet,
  problemAt,
  promptOf,
  splitConversation,
  wrongType,
} from './preferenceSteps.js';

const FORMAT = 'TRL preference';
const EXPECTED =
  'TRL preference keys: "chosen" and "rejected" (strings or message lists, with an optional "prompt"), or unpaired "prompt", "completion" and "label" (boolean)';

/** True for a string, or a non-empty message list. */
function isSide(v: unknown): boolean {
  return typeof v === 'string' || isMessageList(v);
}

/** The shape of one TRL preference row, as the TRL docs name them. */
type TrlShape = 'explicit-standard' | 'implicit-standard' | 'explicit-conversational' | 'implicit-conversational';

/**
 * TRL preference datasets (`huggingface/trl` docs, dataset formats): all five shapes, which may be mixed in
 * one file. Standard `{prompt?, chosen: str, rejected: str}` (the prompt is '' when implicit); conversational
 * `{prompt?: [msgs], chosen: [msgs], rejected: [msgs]}` where the response is the last assistant message and an
 * implicit prompt is the messages both sides share; unpaired `{prompt, completion, label: bool}`, one response
 * whose `chosen` flag is `label` (comparison `unpaired`).
 */
export const trlPreference: FormatSpec = {
  id: 'trl-preference',
  label: 'TRL preference',
  detect(v) {
    if (!isObject(v)) return 0;
    if ('completion' in v && 'prompt' in v && typeof v['label'] === 'boolean' && !('chosen' in v)) return 3;
    if (!('chosen' in v) || !('rejected' in v)) return 0;
    const c = v['chosen'];
    const r = v['rejected'];
    if (typeof c === 'string' && typeof r === 'string') {
      // HH-RLHF transcripts have the same keys; leave them to `hh-rlhf`.
      return c.startsWith('\n\nHuman:') ? 1 : 2;
    }
    return isMessageList(c) && isMessageList(r) ? 2 : 0;
  },
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const v = entry.value;
    if (!isObject(v)) return { records: [], problems: [{ message: `Not a ${FORMAT} record: found ${describe(v)}, expected an object with ${EXPECTED}.` }] };
    if (!('chosen' in v) && !('rejected' in v) && 'completion' in v) return parseUnpaired(entry, v, ctx);
    const missing = ['chosen', 'rejected'].filter((k) => !(k in v));
    if (missing.length > 0) {
      return { records: [], problems: [{ message: `Not a ${FORMAT} record: missing ${missing.map((k) => `"${k}"`).join(', ')}; expected ${EXPECTED}.` }] };
    }
    return parsePair(entry, v, ctx);
  },
};

function parsePair(entry: JsonEntry, v: JsonObject, ctx: FormatContext): RecordOutcome {
  const problems: RecordProblem[] = [];
  const c = v['chosen'];
  const r = v['rejected'];
  for (const [key, side] of [['chosen', c], ['rejected', r]] as const) {
    if (!isSide(side)) problems.push(wrongType(ctx, entry, [key], side, 'a string or a list of {role, content} messages', 'the record is skipped'));
  }
  if (problems.length > 0) return { records: [], problems };
  if (typeof c === 'string' && typeof r === 'string') {
    return finish(entry, v, ctx, problems, 'prompt' in v ? 'explicit-standard' : 'implicit-standard', locatedString(entry, v, 'chosen'), locatedString(entry, v, 'rejected'));
  }
  if (Array.isArray(c) && Array.isArray(r)) {
    if ('prompt' in v) {
      return finish(entry, v, ctx, problems, 'explicit-conversational', finalAssistant(entry, c), finalAssistant(entry, r));
    }
    const split = splitConversation(entry, c, r);
    return finish(entry, v, ctx, problems, 'implicit-conversational', split.chosen, split.rejected, split.prompt);
  }
  problems.push(problemAt(ctx, entry, ['rejected'], `"chosen" and "rejected" must both be strings or both be message lists; found ${describe(c)} and ${describe(r)}. The record is skipped.`));
  return { records: [], problems };
}

function finish(
  entry: JsonEntry,
  v: JsonObject,
  ctx: FormatContext,
  problems: RecordProblem[],
  shape: TrlShape,
  chosen: LocatedText | undefined,
  rejected: LocatedText | undefined,
  implicitPrompt?: LocatedText,
): RecordOutcome {
  const prompt = implicitPrompt ?? explicitPrompt(entry, v, ctx, problems);
  if (!chosen) problems.push(problemAt(ctx, entry, ['chosen'], '"chosen" has no assistant message after the prompt; the record is skipped.'));
  if (!rejected) problems.push(problemAt(ctx, entry, ['rejected'], '"rejected" has no assistant message after the prompt; the record is skipped.'));
  if (!chosen || !rejected) return { records: [], problems };
  const responses: PreferenceResponse[] = [preferenceResponse(ctx, chosen, true), preferenceResponse(ctx, rejected, false)];
  return {
    records: [preferenceSet(entry, { id: recordId(entry, v), prompt, responses, labelSource: 'chosen/rejected keys', comparison: 'pair', metadata: { shape } })],
    problems,
  };
}

/** The `prompt` key: a string or a message list; '' when absent (implicit prompt); a problem when neither. */
function explicitPrompt(entry: JsonEntry, v: JsonObject, ctx: FormatContext, problems: RecordProblem[]): LocatedText {
  if (!('prompt' in v)) return { text: '' };
  const p = promptOf(entry, v, 'prompt');
  if (p) return p;
  problems.push(wrongType(ctx, entry, ['prompt'], v['prompt'], 'a string or a list of {role, content} messages', 'the prompt is left empty'));
  return { text: '' };
}

function parseUnpaired(entry: JsonEntry, v: JsonObject, ctx: FormatContext): RecordOutcome {
  const problems: RecordProblem[] = [];
  const label = v['label'];
  if (!('label' in v)) problems.push({ message: `Not a ${FORMAT} unpaired record: missing "label"; expected a boolean saying whether the completion is desirable.` });
  else if (typeof label !== 'boolean') problems.push(wrongType(ctx, entry, ['label'], label, 'true or false', 'the record is skipped'));
  const completion = v['completion'];
  let response: LocatedText | undefined;
  if (typeof completion === 'string') response = locatedString(entry, v, 'completion');
  else if (isMessageList(completion)) {
    response = finalAssistant(entry, completion);
    if (!response) problems.push(problemAt(ctx, entry, ['completion'], '"completion" has no assistant message; the record is skipped.'));
  } else problems.push(wrongType(ctx, entry, ['completion'], completion, 'a string or a list of {role, content} messages', 'the record is skipped'));
  const prompt = explicitPrompt(entry, v, ctx, problems);
  if (!response || typeof label !== 'boolean') return { records: [], problems };
  return {
    records: [
      preferenceSet(entry, {
        id: recordId(entry, v),
        prompt,
        responses: [preferenceResponse(ctx, response, label)],
        labelSource: 'label',
        comparison: 'unpaired',
        metadata: { shape: typeof completion === 'string' ? 'unpaired-standard' : 'unpaired-conversational', label },
      }),
    ],
    problems,
  };
}
