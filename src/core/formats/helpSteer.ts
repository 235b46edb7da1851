import type { JsonEntry } from '../json/readJsonDocument.js';
import { isObject, locatedString, recordId, type JsonObject, type LocatedText } from './fields.js';
import type { EntriesOutcome, FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';
import type { PreferenceSet } from '../dataset/types.js';
import { checkRecord, finiteNumber, messagesPrompt, preferenceResponse, preferenceSet, problemAt, stringOf, wrongType } from './preferenceSteps.js';

/** HelpSteer2's five attributes, in the dataset's column order (integers 0–4). */
export const HELPSTEER2_ATTRIBUTES = ['helpfulness', 'correctness', 'coherence', 'complexity', 'verbosity'] as const;

const HS2 = 'HelpSteer2';
const HS2_EXPECTED = 'an object with "prompt", "response" (strings) and the attributes "helpfulness", "correctness", "coherence", "complexity", "verbosity" (integers 0–4)';

/** One valid HelpSteer2 row. */
interface Hs2Row {
  readonly entry: JsonEntry;
  readonly value: JsonObject;
  readonly prompt: LocatedText;
  readonly response: LocatedText;
  readonly helpfulness: number;
  readonly attributes: Readonly<Record<string, number>>;
}

function readHs2Row(entry: JsonEntry, ctx: FormatContext, problems: RecordProblem[]): Hs2Row | undefined {
  const rec = checkRecord(HS2, HS2_EXPECTED, entry.value, ['prompt', 'response', 'helpfulness']);
  if (!rec.ok) {
    problems.push(...rec.outcome.problems);
    return undefined;
  }
  const v = rec.value;
  const prompt = locatedString(entry, v, 'prompt');
  const response = locatedString(entry, v, 'response');
  const helpfulness = finiteNumber(v['helpfulness']);
  if (!prompt) problems.push(wrongType(ctx, entry, ['prompt'], v['prompt'], 'a string', 'the row is skipped'));
  if (!response) problems.push(wrongType(ctx, entry, ['response'], v['response'], 'a string', 'the row is skipped'));
  if (helpfulness === undefined) problems.push(wrongType(ctx, entry, ['helpfulness'], v['helpfulness'], 'a number (0–4)', 'the row is skipped'));
  if (!prompt || !response || helpfulness === undefined) return undefined;
  const attributes: Record<string, number> = {};
  for (const name of HELPSTEER2_ATTRIBUTES) {
    const n = finiteNumber(v[name]);
    if (n !== undefined) attributes[name] = n;
    else if (name in v) problems.push({ ...wrongType(ctx, entry, [name], v[name], 'a number (0–4)', 'it is ignored'), severity: 'warning' });
  }
  return { entry, value: v, prompt, response, helpfulness, attributes };
}

function hs2Pair(a: Hs2Row, b: Hs2Row, ctx: FormatContext): PreferenceSet {
  const tie = a.helpfulness === b.helpfulness;
  return preferenceSet(a.entry, {
    id: recordId(a.entry, a.value),
    recordRange: { start: a.entry.range.start, end: b.entry.range.end },
    prompt: a.prompt,
    responses: [
      preferenceResponse(ctx, a.response, !tie && a.helpfulness > b.helpfulness, { rating: a.helpfulness }),
      preferenceResponse(ctx, b.response, !tie && b.helpfulness > a.helpfulness, { rating: b.helpfulness }),
    ],
    labelSource: tie ? 'helpfulness (tie: neither preferred)' : 'helpfulness',
    comparison: 'pair',
    metadata: { attributes: [a.attributes, b.attributes], lines: [a.entry.line + 1, b.entry.line + 1] },
  });
}

/**
 * HelpSteer2 (`nvidia/HelpSteer2`): rows `{prompt, response, helpfulness, correctness, coherence, complexity,
 * verbosity}` where two consecutive rows with the same prompt are two responses to it. Each such pair is one
 * preference set; the response with the higher helpfulness is chosen, and on a tie neither is (both are kept,
 * `labelSource` says so). A row without a partner is reported as a warning and yields nothing.
 */
export const helpSteer2: FormatSpec = {
  id: 'helpsteer2',
  label: 'HelpSteer2',
  detect: (v) => (isObject(v) && 'prompt' in v && 'response' in v && 'helpfulness' in v ? ('correctness' in v || 'verbosity' in v ? 3 : 2) : 0),
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    // Only reached when a caller bypasses `parseEntries`: a single row has no partner.
    const outcome = helpSteer2.parseEntries?.([entry], ctx) ?? { records: [], problems: [] };
    return { records: outcome.records, problems: outcome.problems.map(({ message, range, severity }) => ({ message, ...(range ? { range } : {}), ...(severity ? { severity } : {}) })) };
  },
  parseEntries(entries: readonly JsonEntry[], ctx: FormatContext): EntriesOutcome {
    const records: PreferenceSet[] = [];
    const problems: (RecordProblem & { readonly entry: JsonEntry })[] = [];
    const odd = (row: Hs2Row): void => {
      problems.push({
        entry: row.entry,
        message: 'This row has no partner: HelpSteer2 pairs two consecutive rows with the same prompt, and the next row has a different prompt (or there is none). It is not compared.',
        severity: 'warning',
      });
    };
    let pending: Hs2Row | undefined;
    for (const entry of entries) {
      const rowProblems: RecordProblem[] = [];
      const row = readHs2Row(entry, ctx, rowProblems);
      problems.push(...rowProblems.map((p) => ({ ...p, entry })));
      if (!row) continue;
      if (pending && pending.prompt.text === row.prompt.text) {
        records.push(hs2Pair(pending, row, ctx));
        pending = undefined;
      } else {
        if (pending) odd(pending);
        pending = row;
      }
    }
    if (pending) odd(pending);
    return { records, problems };
  },
};

const HS3 = 'HelpSteer3 preference';
const HS3_EXPECTED = 'an object with "context" (a list of {role, content} messages), "response1", "response2" (strings) and "overall_preference" (an integer from -3 to 3)';

/**
 * HelpSteer3 preference (`nvidia/HelpSteer3`): `{domain, language, context: [msgs], response1, response2,
 * overall_preference, individual_preference}`. `overall_preference` runs from -3 to 3: negative means
 * response1 is better, positive response2, and 0 is a tie (neither chosen). The subset is the `domain`.
 */
export const helpSteer3: FormatSpec = {
  id: 'helpsteer3',
  label: 'HelpSteer3 preference',
  detect: (v) => (isObject(v) && 'response1' in v && 'response2' in v && 'overall_preference' in v ? ('context' in v ? 3 : 2) : 0),
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const rec = checkRecord(HS3, HS3_EXPECTED, entry.value, ['context', 'response1', 'response2', 'overall_preference']);
    if (!rec.ok) return rec.outcome;
    const v = rec.value;
    const problems: RecordProblem[] = [];
    const r1 = locatedString(entry, v, 'response1');
    const r2 = locatedString(entry, v, 'response2');
    if (!r1) problems.push(wrongType(ctx, entry, ['response1'], v['response1'], 'a string', 'the record is skipped'));
    if (!r2) problems.push(wrongType(ctx, entry, ['response2'], v['response2'], 'a string', 'the record is skipped'));
    const pref = v['overall_preference'];
    const validPref = typeof pref === 'number' && Number.isInteger(pref) && pref >= -3 && pref <= 3;
    if (!validPref) {
      problems.push(problemAt(ctx, entry, ['overall_preference'], `"overall_preference" is ${JSON.stringify(pref)}, expected an integer from -3 (response1 much better) to 3 (response2 much better); the record is skipped.`));
    }
    const context = v['context'];
    let prompt: LocatedText = { text: '' };
    if (Array.isArray(context)) prompt = messagesPrompt(entry, context);
    else if (typeof context === 'string') prompt = locatedString(entry, v, 'context') ?? prompt;
    else problems.push(wrongType(ctx, entry, ['context'], context, 'a list of {role, content} messages', 'the prompt is left empty'));
    if (!r1 || !r2 || !validPref) return { records: [], problems };
    const domain = stringOf(v['domain']);
    const language = stringOf(v['language']);
    return {
      records: [
        preferenceSet(entry, {
          id: recordId(entry, v),
          prompt,
          responses: [preferenceResponse(ctx, r1, pref < 0), preferenceResponse(ctx, r2, pref > 0)],
          subset: domain,
          labelSource: pref === 0 ? 'overall_preference (tie: neither preferred)' : 'overall_preference',
          comparison: 'pair',
          metadata: {
            overall_preference: pref,
            ...(domain !== undefined ? { domain } : {}),
            ...(language !== undefined ? { language } : {}),
            ...('individual_preference' in v ? { individual_preference: v['individual_preference'] } : {}),
          },
        }),
      ],
      problems,
    };
  },
};
