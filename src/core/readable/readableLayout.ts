import type { DatasetRecord, PreferenceResponse, PreferenceSet, PromptMessage, SourceRange, Step, Trace } from '../dataset/types.js';
import { formatById } from '../formats/registry.js';

/**
 * The readable view of a record: JSONL keeps a whole record on one line, which is hard to read; this lays the
 * prompt, each step and the answer out on their own lines, as a plain text document. Step texts are copied
 * verbatim, so the laid-out record scores (and is looked up in a sidecar) exactly like the original.
 */

/** Where a record comes from, for the view's header. */
export interface ReadableContext {
  /** The data file's name without folders, e.g. `gsm8k.jsonl`. */
  readonly fileName: string;
  /** Where the record sits in that file, as a reader would say it: `record 18`, `row 1,204`. */
  readonly position?: string;
  /** The detected format id (`processbench`, `trl-preference`…); `unknown` leaves it out. */
  readonly format: string;
  /** Set when the record laid out is a what-if edit of the one in the file ("Edit and Rescore…"). */
  readonly whatIf?: ReadableWhatIf;
}

/** What a what-if view adds to the layout: its title, header rows, and which steps were edited. */
export interface ReadableWhatIf {
  /** The id of the record in the data file (the edited record is scored under its own id). */
  readonly baseId: string;
  /** Header rows after the record's own (the variant, the edited steps, the scores before → after). */
  readonly rows: readonly (readonly [string, string])[];
  /** Steps whose text was edited: their headings say `edited`. */
  readonly edited: readonly { readonly responseIndex: number; readonly stepIndex: number }[];
}

/** A record laid out as a document. */
export interface ReadableLayout {
  readonly text: string;
  /**
   * The same record with every range (record, prompt, responses, steps) pointing into `text`. Its step texts, prompt,
   * answer and reference are the original's, so `requestKey` of each of its requests is unchanged.
   */
  readonly record: DatasetRecord;
}

/**
 * Width of the heading rules, in characters: with a score badge after it (the editor shows one on each step's
 * heading), a heading still fits an editor beside the data file.
 */
const RULE_WIDTH = 40;

/** Appends text and hands back where each piece landed. */
class TextSink {
  private readonly parts: string[] = [];
  private length = 0;

  get offset(): number {
    return this.length;
  }

  /** Appends `s` and returns its range. */
  add(s: string): SourceRange {
    const start = this.length;
    this.parts.push(s);
    this.length += s.length;
    return { start, end: this.length };
  }

  line(s = ''): void {
    this.add(`${s}\n`);
  }

  text(): string {
    return this.parts.join('');
  }
}

/** A section heading: `━━ Prompt ━━━…`, padded to the rule width. */
export function sectionHeading(title: string): string {
  const head = `━━ ${title} `;
  return head + '━'.repeat(Math.max(2, RULE_WIDTH - head.length));
}

/**
 * A step heading: `── Step 2 ───… label: bad ──`; the dataset's label, when it has one, sits at the right. Its step's
 * text starts on the next line: the editor finds a step's heading as the line above it.
 */
export function stepHeading(title: string, label: string | undefined): string {
  const head = `── ${title} `;
  const tail = label === undefined ? '' : ` label: ${label} ──`;
  return head + '─'.repeat(Math.max(2, RULE_WIDTH - head.length - tail.length)) + tail;
}

/** Identifiers and names from the data can hold line breaks; the header keeps each on one line. */
function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/gu, ' ');
}

function header(out: TextSink, record: DatasetRecord, context: ReadableContext): void {
  const where = [context.fileName, context.position].filter((x): x is string => x !== undefined && x !== '').join(' · ');
  const whatIf = context.whatIf;
  out.line(whatIf === undefined ? `Reward Lens · readable view (read-only)` : `Reward Lens · what-if edit (read-only; the data file is unchanged)`);
  out.line();
  const rows: (readonly [string, string])[] = [
    ['Record', oneLine(whatIf?.baseId ?? record.id)],
    ['File', oneLine(where)],
  ];
  if (context.format !== 'unknown' && context.format !== '') rows.push(['Format', formatById(context.format)?.label ?? context.format]);
  const labels = record.kind === 'trace' ? traceLabels(record) : preferenceLabels(record);
  if (labels !== '') rows.push(['Labels', labels]);
  for (const [key, value] of whatIf?.rows ?? []) rows.push([key, oneLine(value)]);
  // Keys up to seven characters line values up at column 10; a longer one (`Response 2`) keeps a space.
  for (const [key, value] of rows) out.line(`  ${key.padEnd(7)} ${value}`);
}

/** The dataset's verdicts on a trace in one line: step labels, the first bad step, the answer's correctness. */
export function traceLabels(trace: Trace): string {
  const parts: string[] = [];
  const counts = new Map<string, number>();
  for (const s of trace.steps) if (s.label !== 'unknown') counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
  if (counts.size > 0) {
    const unlabelled = trace.steps.length - [...counts.values()].reduce((a, b) => a + b, 0);
    const each = ['good', 'neutral', 'bad'].flatMap((l) => (counts.has(l) ? [`${counts.get(l)} ${l}`] : []));
    if (unlabelled > 0) each.push(`${unlabelled} unlabelled`);
    parts.push(`steps ${each.join(', ')}`);
    const firstBad = trace.steps.find((s) => s.label === 'bad');
    parts.push(firstBad === undefined ? 'no bad step' : `first bad step ${firstBad.index + 1}`);
  }
  if (trace.correct !== undefined) parts.push(`final answer ${trace.correct ? 'correct' : 'incorrect'}`);
  return parts.join(' · ');
}

/** The dataset's preference in one line: which responses it prefers, where that label comes from, the subset. */
export function preferenceLabels(set: PreferenceSet): string {
  const preferred = set.responses.flatMap((r, i) => (r.chosen ? [i + 1] : []));
  const parts: string[] = [];
  if (set.comparison === 'unpaired') parts.push(set.responses[0]?.chosen === true ? 'desirable response' : 'undesirable response');
  else parts.push(preferred.length === 0 ? 'no preferred response' : `prefers response ${preferred.join(', ')} of ${set.responses.length}`);
  if (set.labelSource !== '') parts.push(`from ${oneLine(set.labelSource)}`);
  if (set.subset !== undefined && set.subset !== '') parts.push(`subset ${oneLine(set.subset)}`);
  return parts.join(' · ');
}

/** Roles are worth showing when the prompt is more than one user turn. */
function showsRoles(messages: readonly PromptMessage[] | undefined): messages is readonly PromptMessage[] {
  return messages !== undefined && (messages.length > 1 || messages.some((m) => m.role !== 'user'));
}

/** A blank line, then a section heading: every section starts so, and the text ends with its last line. */
function section(out: TextSink, title: string): void {
  out.line();
  out.line(sectionHeading(title));
}

/** Text from the data on its own lines. */
function verbatim(out: TextSink, text: string): SourceRange {
  const range = out.add(text);
  out.line();
  return range;
}

/** The prompt section; returns the range of its content. */
function prompt(out: TextSink, record: DatasetRecord): SourceRange {
  section(out, 'Prompt');
  const messages = record.promptMessages;
  if (!showsRoles(messages)) return verbatim(out, record.prompt);
  const start = out.offset;
  let end = start;
  messages.forEach((m, i) => {
    if (i > 0) out.line();
    out.line(`[${m.role}]`);
    end = verbatim(out, m.content).end;
  });
  return { start, end };
}

/** Steps are tagged with their part only when a response mixes thinking and visible answer. */
function partTag(steps: readonly Step[], step: Step): string {
  const mixed = steps.some((s) => s.part === 'reasoning') && steps.some((s) => s.part === 'answer');
  if (!mixed) return '';
  return step.part === 'reasoning' ? ' · thinking' : ' · response';
}

/** Lays out steps under `Step N` headings (`Step N · edited` where `edited` holds N); returns them with their new ranges. */
function steps(out: TextSink, list: readonly Step[], edited: ReadonlySet<number> = new Set()): Step[] {
  return list.map((step) => {
    out.line();
    out.line(stepHeading(`Step ${step.index + 1}${partTag(list, step)}${edited.has(step.index) ? ' · edited' : ''}`, step.label === 'unknown' ? undefined : step.label));
    return { ...step, range: verbatim(out, step.text) };
  });
}

/** The edited step indices of one response of a what-if view. */
function editedIn(context: ReadableContext, responseIndex: number): ReadonlySet<number> {
  return new Set((context.whatIf?.edited ?? []).filter((e) => e.responseIndex === responseIndex).map((e) => e.stepIndex));
}

function answer(out: TextSink, trace: Trace): void {
  const rows: [string, string][] = [];
  if (trace.answer !== undefined) rows.push(['final answer', trace.answer]);
  if (trace.reference !== undefined) rows.push(['reference', trace.reference]);
  if (trace.correct !== undefined) rows.push(['dataset says', trace.correct ? 'correct' : 'incorrect']);
  if (rows.length === 0) return;
  section(out, 'Answer');
  for (const [key, value] of rows) out.line(`${key.padEnd(14)}${value}`);
}

function layoutTrace(out: TextSink, trace: Trace, context: ReadableContext): Trace {
  const promptRange = prompt(out, trace);
  const laid = steps(out, trace.steps, editedIn(context, 0));
  answer(out, trace);
  return { ...trace, promptRange, steps: laid, recordRange: { start: 0, end: out.offset } };
}

/** `Response 2 — chosen · rating 4.5 · gpt-4`. */
export function responseTitle(set: PreferenceSet, response: PreferenceResponse, index: number): string {
  const verdict = set.comparison === 'unpaired' ? (response.chosen ? 'desirable' : 'undesirable') : response.chosen ? 'chosen' : 'rejected';
  const extras = [response.rating !== undefined ? `rating ${response.rating}` : undefined, response.model !== undefined ? oneLine(response.model) : undefined].filter((x): x is string => x !== undefined);
  return [`Response ${index + 1} — ${verdict}`, ...extras].join(' · ');
}

function layoutResponse(out: TextSink, set: PreferenceSet, response: PreferenceResponse, index: number, edited: ReadonlySet<number>): PreferenceResponse {
  section(out, `${responseTitle(set, response, index)}${edited.size > 0 ? ' · edited' : ''}`);
  const start = out.offset;
  // Without steps it is scored as one step of its whole text (see requestsOf), and shown as it is.
  if (response.steps.length === 0) return { ...response, range: verbatim(out, response.text) };
  const [only] = response.steps;
  if (response.steps.length === 1 && only !== undefined) {
    // A one-step response needs no `Step 1` heading.
    const range = verbatim(out, only.text);
    return { ...response, range, steps: [{ ...only, range }] };
  }
  const laid = steps(out, response.steps, edited);
  const end = laid[laid.length - 1]?.range?.end ?? start;
  return { ...response, range: { start, end }, steps: laid };
}

function layoutPreference(out: TextSink, set: PreferenceSet, context: ReadableContext): PreferenceSet {
  const promptRange = prompt(out, set);
  const responses = set.responses.map((r, i) => layoutResponse(out, set, r, i, editedIn(context, i)));
  return { ...set, promptRange, responses, recordRange: { start: 0, end: out.offset } };
}

/**
 * Lays a record out for reading: a short header (record id, file, format, the dataset's labels), the prompt
 * (with roles when it is a conversation), each step under a `Step N` heading with its text verbatim, then the final
 * answer and reference; a preference set shows each response under `Response N — chosen|rejected`. A what-if view
 * (`context.whatIf`) says so in its title, adds its rows to the header and marks edited steps. Text is never
 * escaped or rewrapped: `text.slice(step.range.start, step.range.end) === step.text` for every step.
 */
export function layoutReadable(record: DatasetRecord, context: ReadableContext): ReadableLayout {
  const out = new TextSink();
  header(out, record, context);
  const laid = record.kind === 'trace' ? layoutTrace(out, record, context) : layoutPreference(out, record, context);
  return { text: out.text(), record: laid };
}
