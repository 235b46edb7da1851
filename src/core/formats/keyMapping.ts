import type { JsonEntry } from '../json/readJsonDocument.js';
import type { PreferenceResponse, Step, StepLabel } from '../dataset/types.js';
import { contentText, describe, isObject, locatedString, messagesLocated, recordId, segmentLocated, stepsFromArray, type LocatedText, buildTrace } from './fields.js';
import type { FormatContext, FormatSpec, KeyMapping, RecordOutcome, RecordProblem } from './formatSpec.js';

/** Where a dot path led: the value and the container/key that hold it (for locating string literals). */
export type PathLookup =
  | { readonly found: true; readonly value: unknown; readonly container: object; readonly key: string | number }
  | { readonly found: false; readonly reason: string };

/**
 * Follows a dot path (`question.text`, `output.steps`, `messages.0.content`) from `root`. Numeric segments index
 * arrays. A miss says which segment failed and why.
 */
export function lookupPath(root: unknown, path: string): PathLookup {
  const segments = path.split('.');
  let current: unknown = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    const walked = segments.slice(0, i).join('.');
    const where = walked === '' ? 'the record' : `"${walked}"`;
    if (current === null || typeof current !== 'object') return { found: false, reason: `${where} is ${describe(current)}` };
    const container: object = current;
    const key = Array.isArray(container) ? (/^(?:0|[1-9]\d*)$/.test(segment) ? Number(segment) : undefined) : segment;
    if (key === undefined || !Object.prototype.hasOwnProperty.call(container, key)) return { found: false, reason: `${where} has no "${segment}"` };
    const value: unknown = (container as Record<string | number, unknown>)[key];
    if (i === segments.length - 1) return { found: true, value, container, key };
    current = value;
  }
  return { found: false, reason: 'the path is empty' };
}

/** A mapped step label: booleans, numbers (≥ 0.5 good), `+`/`-`, or the label words; `undefined` otherwise. */
export function mappedStepLabel(value: unknown): StepLabel | undefined {
  if (value === null) return 'unknown';
  if (typeof value === 'boolean') return value ? 'good' : 'bad';
  if (typeof value === 'number' && Number.isFinite(value)) return value >= 0.5 ? 'good' : 'bad';
  if (value === '+' || value === 'good' || value === 'bad' || value === 'neutral' || value === 'unknown' || value === '-') {
    return value === '+' ? 'good' : value === '-' ? 'bad' : value;
  }
  return undefined;
}

type Field = keyof KeyMapping;

/** Reads the mapped fields of one record, collecting problems that name the mapping key and path. */
class MappedRecord {
  readonly problems: RecordProblem[] = [];
  constructor(
    private readonly mapping: KeyMapping,
    private readonly entry: JsonEntry,
  ) {}

  /** The value at the mapped path of `field`; a miss is reported with `severity`. `undefined` when unmapped or missing. */
  lookup(field: Field, severity: 'error' | 'warning'): Extract<PathLookup, { found: true }> | undefined {
    const path = this.mapping[field];
    if (path === undefined) return undefined;
    const hit = lookupPath(this.entry.value, path);
    if (!hit.found) this.problems.push({ message: `Mapped key "${path}" (${field}) is missing: ${hit.reason}.`, severity });
    return hit.found ? hit : undefined;
  }

  /** Reports a mapped value of the wrong type. */
  wrongType(field: Field, value: unknown, expected: string, severity: 'error' | 'warning'): void {
    this.problems.push({ message: `Mapped key "${this.mapping[field] ?? ''}" (${field}) is ${describe(value)}, expected ${expected}.`, severity });
  }

  /**
   * A text field: a string (located), a list of chat messages (the prompt flattened; a response's last message), or
   * one message object.
   */
  text(field: Field, severity: 'error' | 'warning', role: 'prompt' | 'response'): LocatedText | undefined {
    const hit = this.lookup(field, severity);
    if (!hit) return undefined;
    const v = hit.value;
    if (typeof v === 'string') return locatedString(this.entry, hit.container, hit.key);
    if (Array.isArray(v) && v.some(isObject)) {
      if (role === 'prompt') return messagesLocated(v);
      const last: unknown = v[v.length - 1];
      if (isObject(last)) return this.messageContent(last);
    }
    if (isObject(v) && 'content' in v) return this.messageContent(v);
    this.wrongType(field, v, 'a string or a list of chat messages', severity);
    return undefined;
  }

  /** A short scalar field (answer, reference, id) as a string. */
  scalar(field: Field): string | undefined {
    const hit = this.lookup(field, 'warning');
    if (!hit) return undefined;
    if (typeof hit.value === 'string') return hit.value;
    if (typeof hit.value === 'number' || typeof hit.value === 'boolean') return String(hit.value);
    this.wrongType(field, hit.value, 'a string or number', 'warning');
    return undefined;
  }

  private messageContent(message: Readonly<Record<string, unknown>>): LocatedText {
    return locatedString(this.entry, message, 'content') ?? { text: contentText(message['content']) };
  }
}

/** The steps of a located free-text response, segmented per the options. */
function segmented(ctx: FormatContext, text: LocatedText): Step[] {
  return segmentLocated(ctx.text, text, ctx.options.segmentation, 'reasoning');
}

function parseTrace(mapping: KeyMapping, entry: JsonEntry, ctx: FormatContext, m: MappedRecord): RecordOutcome {
  const labelsHit = m.lookup('labels', 'warning');
  let labels: readonly unknown[] = [];
  if (labelsHit && !Array.isArray(labelsHit.value)) m.wrongType('labels', labelsHit.value, 'an array of step labels', 'warning');
  else if (labelsHit && Array.isArray(labelsHit.value)) labels = labelsHit.value;
  const badLabels: number[] = [];
  const labelOf = (i: number): StepLabel => {
    if (i >= labels.length) return 'unknown';
    const label = mappedStepLabel(labels[i]);
    if (label === undefined) badLabels.push(i);
    return label ?? 'unknown';
  };

  let steps: Step[] | undefined;
  let stepCount = 0;
  if (mapping.steps !== undefined) {
    const hit = m.lookup('steps', 'error');
    if (hit && Array.isArray(hit.value)) {
      steps = stepsFromArray(entry, hit.value, labelOf, m.problems);
      stepCount = hit.value.length;
    } else if (hit) m.wrongType('steps', hit.value, 'an array of strings', 'error');
  } else {
    const response = m.text('response', 'error', 'response');
    if (response) {
      steps = segmented(ctx, response).map((s, i) => ({ ...s, label: labelOf(i) }));
      stepCount = steps.length;
    }
  }
  if (!steps) return { records: [], problems: m.problems };
  if (labelsHit && labels.length > 0 && labels.length !== stepCount) {
    m.problems.push({ message: `Mapped key "${mapping.labels ?? ''}" (labels) has ${labels.length} labels for ${stepCount} steps.`, severity: 'warning' });
  }
  if (badLabels.length > 0) {
    m.problems.push({
      message: `Labels ${badLabels.map((i) => i + 1).join(', ')} are not booleans, numbers, "+"/"-" or good/bad/neutral; those steps are unlabelled.`,
      severity: 'warning',
    });
  }
  const prompt = m.text('prompt', 'warning', 'prompt');
  const answer = m.scalar('answer');
  const reference = m.scalar('reference');
  return {
    records: [buildTrace(entry, m.scalar('id') ?? recordId(entry, {}), prompt, steps, { answer, reference }, {})],
    problems: m.problems,
  };
}

function parsePair(entry: JsonEntry, ctx: FormatContext, m: MappedRecord): RecordOutcome {
  const response = (field: 'chosen' | 'rejected'): PreferenceResponse | undefined => {
    const text = m.text(field, 'error', 'response');
    if (!text) return undefined;
    return { text: text.text, ...(text.range ? { range: text.range } : {}), chosen: field === 'chosen', steps: segmented(ctx, text) };
  };
  const chosen = response('chosen');
  const rejected = response('rejected');
  if (!chosen || !rejected) return { records: [], problems: m.problems };
  const prompt = m.text('prompt', 'warning', 'prompt');
  return {
    records: [
      {
        kind: 'preference',
        id: m.scalar('id') ?? recordId(entry, {}),
        recordRange: entry.range,
        prompt: prompt?.text ?? '',
        ...(prompt?.range ? { promptRange: prompt.range } : {}),
        ...(prompt?.messages ? { promptMessages: prompt.messages } : {}),
        responses: [chosen, rejected],
        labelSource: 'chosen/rejected keys (key mapping)',
        comparison: 'pair',
        metadata: {},
      },
    ],
    problems: m.problems,
  };
}

/**
 * A format read through a user's key mapping (`rewardLens.mapping` / `--map`) for JSONL files in no known format.
 * `chosen` + `rejected` make `pair` preference sets; otherwise `steps` (array of strings) or `response` (free text,
 * segmented per `options.segmentation`) make traces, labelled from `labels` when mapped. A mapped key missing from
 * a record is a problem naming its path; a missing steps/response/chosen/rejected skips the record.
 */
export function keyMappingFormat(mapping: KeyMapping): FormatSpec {
  const pair = mapping.chosen !== undefined || mapping.rejected !== undefined;
  const main = pair ? mapping.chosen : (mapping.steps ?? mapping.response);
  return {
    id: 'mapping',
    label: 'Key mapping',
    detect: (v) => (main !== undefined && lookupPath(v, main).found ? 2 : 0),
    parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
      if (pair && (mapping.chosen === undefined || mapping.rejected === undefined)) {
        const [named, unnamed] = mapping.chosen === undefined ? ['rejected', 'chosen'] : ['chosen', 'rejected'];
        return { records: [], problems: [{ message: `The key mapping names "${named}" but not "${unnamed}": preference records need both.` }] };
      }
      if (!pair && mapping.steps === undefined && mapping.response === undefined) {
        return { records: [], problems: [{ message: 'The key mapping names no "steps", "response" or "chosen"/"rejected" key: set one so records can be read.' }] };
      }
      const m = new MappedRecord(mapping, entry);
      return pair ? parsePair(entry, ctx, m) : parseTrace(mapping, entry, ctx, m);
    },
  };
}
