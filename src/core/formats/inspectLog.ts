import { visit } from 'jsonc-parser';
import type { JsonEntry } from '../json/readJsonDocument.js';
import type { DatasetRecord, SourceRange, Trace } from '../dataset/types.js';
import { describe, isObject, wrongShape, type JsonObject, type LocatedText } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';
import { lastAssistantIndex, promptFromMessages, responseTrace, ResponseStepBuilder, type ResolveText } from './chatMessages.js';
import { firstTokenObject, readResponseLogprobs } from '../confidence/tokenLogprobs.js';

const ATTACHMENT = 'attachment://';

/**
 * A resolver for one sample's `attachment://<md5>` references (Inspect stores long strings once in the sample's
 * `attachments` map). A resolved string has no range: its text is not where the reference is. Unknown references
 * are kept as they are and reported through `missing`.
 */
function attachmentResolver(sample: JsonObject, missing: (located: LocatedText) => void): ResolveText {
  const attachments = isObject(sample['attachments']) ? sample['attachments'] : {};
  return (l) => {
    if (!l.text.startsWith(ATTACHMENT)) return l;
    const text = attachments[l.text.slice(ATTACHMENT.length)];
    if (typeof text === 'string') return { text };
    missing(l);
    return l;
  };
}

/** `C`/`I` (Inspect's CORRECT/INCORRECT), booleans and 1/0 decide correctness; `P`, `N` and other values do not. */
function correctOf(value: unknown): boolean | undefined {
  if (value === 'C' || value === true || value === 1) return true;
  if (value === 'I' || value === false || value === 0) return false;
  return undefined;
}

/** Facts of the eval shared by its samples. */
export interface EvalFacts {
  readonly task?: string;
  readonly model?: string;
}

/** Reads `task` and `model` from a log's `eval` spec. */
export function evalFacts(spec: unknown): EvalFacts {
  if (!isObject(spec)) return {};
  return {
    ...(typeof spec['task'] === 'string' ? { task: spec['task'] } : {}),
    ...(typeof spec['model'] === 'string' ? { model: spec['model'] } : {}),
  };
}

/** True when some sample has an epoch other than 1, so ids need the epoch to stay unique. */
export function hasSeveralEpochs(samples: readonly unknown[]): boolean {
  return samples.some((s) => isObject(s) && typeof s['epoch'] === 'number' && s['epoch'] !== 1);
}

/**
 * One Inspect `EvalSample` as a trace. Prompt: `input` (a string, or chat messages flattened). Steps: the final
 * assistant message of `messages` (else `output.choices[0].message`): `reasoning` content parts give reasoning steps,
 * text parts (and a `<think>` block in a string content) the rest. Reference: `target` (a list is joined with ", ").
 * Correct: the first score whose value is C/I, a boolean or 1/0. `attachment://` strings are dereferenced (their
 * steps have no range). `epochIds` appends `_epoch_<n>` to ids, as Inspect names sample files; `fallbackId` is used
 * when the sample has no id. `output.choices[0].logprobs` become `Trace.logprobs` when they spell the response read.
 */
export function sampleTrace(
  entry: JsonEntry,
  ctx: FormatContext,
  sample: JsonObject,
  facts: EvalFacts,
  recordRange: SourceRange,
  epochIds: boolean,
  fallbackId: string,
): { readonly trace: Trace; readonly problems: readonly RecordProblem[] } {
  const problems: RecordProblem[] = [];
  const missing = new Set<string>();
  const resolve = attachmentResolver(sample, (l) => {
    if (missing.has(l.text)) return;
    missing.add(l.text);
    problems.push({ message: `Attachment "${l.text}" is not in this sample's "attachments"; the reference is shown as is.`, severity: 'warning', ...(l.range ? { range: l.range } : {}) });
  });
  const builder = new ResponseStepBuilder(entry, ctx, resolve);
  const epoch = sample['epoch'];
  const rawId = sample['id'];
  const baseId = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : fallbackId;
  const id = epochIds && typeof epoch === 'number' ? `${baseId}_epoch_${epoch}` : baseId;

  const input = sample['input'];
  let prompt: LocatedText | undefined;
  let system: string | undefined;
  if (typeof input === 'string') prompt = builder.located(sample, 'input');
  else if (Array.isArray(input)) ({ prompt, system } = promptFromMessages(entry, input, resolve));
  else problems.push({ message: `Sample ${baseId}: "input" is ${describe(input)}, expected a string or a list of chat messages.` });

  const messages = Array.isArray(sample['messages']) ? sample['messages'] : [];
  const last = lastAssistantIndex(messages);
  const output = sample['output'];
  const choices = isObject(output) && Array.isArray(output['choices']) ? output['choices'] : [];
  const firstChoice: unknown = choices[0];
  const final = last !== -1 ? messages[last] : isObject(firstChoice) ? firstChoice['message'] : undefined;
  if (isObject(final)) {
    for (const p of builder.addChatMessage(final)) problems.push({ message: `Sample ${id}: ${p}` });
  } else {
    problems.push({ message: `Sample ${id} has no assistant message in "messages" or "output.choices": no response to read.`, severity: 'warning' });
  }

  const metadata: Record<string, unknown> = {};
  if (typeof epoch === 'number') metadata['epoch'] = epoch;
  if (facts.model !== undefined) metadata['model'] = facts.model;
  if (facts.task !== undefined) metadata['task'] = facts.task;
  if (system !== undefined) metadata['system'] = system;
  let correct: boolean | undefined;
  const scores = sample['scores'];
  if (isObject(scores)) {
    const values: Record<string, unknown> = {};
    const explanations: Record<string, string> = {};
    for (const [name, score] of Object.entries(scores)) {
      if (!isObject(score)) continue;
      values[name] = score['value'];
      if (typeof score['explanation'] === 'string') explanations[name] = score['explanation'];
      correct ??= correctOf(score['value']);
    }
    metadata['scores'] = values;
    if (Object.keys(explanations).length > 0) metadata['explanations'] = explanations;
  }
  if (isObject(sample['metadata']) && Object.keys(sample['metadata']).length > 0) metadata['sampleMetadata'] = sample['metadata'];
  if (sample['error'] !== undefined && sample['error'] !== null) metadata['error'] = sample['error'];

  const target = sample['target'];
  const reference =
    typeof target === 'string'
      ? target
      : Array.isArray(target)
        ? target.filter((t): t is string => typeof t === 'string').join(', ')
        : undefined;
  const built = builder.build();
  // `output.choices[0].logprobs` (same shape as chat completions) belong to the generated message read above.
  const logprobsValue = isObject(firstChoice) ? firstChoice['logprobs'] : undefined;
  const lp = readResponseLogprobs([logprobsValue], builder.pieces, built.steps);
  if (lp.warning !== undefined) {
    const first = firstTokenObject(logprobsValue);
    const range = first && entry.locator.rangeOf(first, 'token');
    problems.push({ message: `Sample ${id}: ${lp.warning}`, severity: 'warning', ...(range ? { range } : {}) });
  }
  const trace = responseTrace(id, recordRange, prompt, built, {
    ...(reference !== undefined ? { reference } : {}),
    ...(correct !== undefined ? { correct } : {}),
    metadata,
  });
  return { trace: lp.logprobs === undefined ? trace : { ...trace, logprobs: lp.logprobs }, problems };
}

/** The spans of the objects `samples[i]` of a log's text, in order (a streaming scan that skips their insides). */
function sampleRanges(text: string, range: SourceRange): SourceRange[] {
  const out: SourceRange[] = [];
  let open: number | undefined;
  visit(text.slice(range.start, range.end), {
    onObjectBegin: (offset, _length, _line, _char, path) => {
      const p = path();
      if (p.length === 0) return true;
      if (p.length === 2 && p[0] === 'samples') open = offset;
      return false;
    },
    onObjectEnd: (offset, length) => {
      if (open === undefined) return;
      out.push({ start: range.start + open, end: range.start + offset + length });
      open = undefined;
    },
  });
  return out;
}

/**
 * Inspect AI `.json` eval logs (FORMATS.md §9): `{version, status, eval:{task, model, …}, results, samples:[EvalSample]}`.
 * One trace per sample (see `sampleTrace`); each trace's record range is its sample object.
 */
export const inspectLog: FormatSpec = {
  id: 'inspect-log',
  label: 'Inspect AI eval log',
  detect(v) {
    if (!isObject(v) || !isObject(v['eval'])) return 0;
    return Array.isArray(v['samples']) || 'version' in v || 'results' in v ? 3 : 0;
  },
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const v = entry.value;
    if (!isObject(v) || !isObject(v['eval'])) return wrongShape('Inspect log', 'an object with "eval" and "samples"');
    const samples = v['samples'];
    if (!Array.isArray(samples) || samples.length === 0) {
      const status = typeof v['status'] === 'string' ? ` (status "${v['status']}")` : '';
      return { records: [], problems: [{ message: `This log has no samples${status}: it was written with log_samples off or before any sample finished.`, severity: 'warning' }] };
    }
    const facts = evalFacts(v['eval']);
    const ranges = sampleRanges(ctx.text, entry.range);
    const epochIds = hasSeveralEpochs(samples);
    const records: DatasetRecord[] = [];
    const problems: RecordProblem[] = [];
    samples.forEach((sample: unknown, i) => {
      const range = ranges[i] ?? entry.range;
      if (!isObject(sample)) {
        problems.push({ message: `Sample ${i + 1} is ${describe(sample)}, expected an EvalSample object.`, range: { start: range.start, end: range.start + 1 } });
        return;
      }
      const out = sampleTrace(entry, ctx, sample, facts, range, epochIds, `#${i + 1}`);
      records.push(out.trace);
      for (const p of out.problems) problems.push(p.range ? p : { ...p, range: { start: range.start, end: range.start + 1 } });
    });
    return { records, problems };
  },
};
