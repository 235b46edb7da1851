import type { DatasetRecord, PreferenceResponse, Step } from '../dataset/types.js';
import { aggregateAll, AGGREGATIONS, type Aggregation } from '../scoring/aggregate.js';
import type { ScoreResult } from '../scoring/scorer.js';
import { finalAnswer } from '../text/finalAnswer.js';
import type { DecorationSpec } from './decorationSpecs.js';

/**
 * What-if edits ("Edit and Rescore…"): a record with some step texts changed in a scratch overlay, scored beside the
 * original. The data file is never written; an edit kept under a name ("Keep as Variant…") lives in the file's
 * sidecar. Everything here is pure: applying edits to a record, the delta badges, trace scores before and after,
 * and reading the sidecar's `variants` list.
 */

/** One edited step. */
export interface StepEdit {
  /** The response of a preference record (0 for a trace). */
  readonly responseIndex: number;
  /** 0-based step index in that response. */
  readonly stepIndex: number;
  /** The step's text in the record when the edit was made: a kept variant whose record changed since says so. */
  readonly was: string;
  /** The new text. */
  readonly text: string;
}

/** Where the edited record sat in its data file when a variant was kept: a hint, the record is found by id. */
export type VariantRef = { readonly record: number } | { readonly row: number };

/** A what-if edit kept under a name in the sidecar (`variants`). */
export interface StoredVariant {
  readonly name: string;
  /** The id of the record it edits. */
  readonly recordId: string;
  readonly ref?: VariantRef;
  /** At least one edit, at most one per step. */
  readonly edits: readonly StepEdit[];
  /** When it was kept (ISO 8601). */
  readonly saved: string;
}

/** Longest variant name accepted. */
export const MAX_VARIANT_NAME = 80;

/** The id a variant of a record is scored and stored under: `#1 ✎ fixed`, or `#1 ✎ edited` for an unsaved edit. */
export function variantRecordId(baseId: string, name: string | undefined): string {
  return `${baseId} ✎ ${name ?? 'edited'}`;
}

/** The steps of a record's response (`responseIndex` 0 of a trace), or undefined when there is no such response. */
function stepsOf(record: DatasetRecord, responseIndex: number): readonly Step[] | undefined {
  if (record.kind === 'trace') return responseIndex === 0 ? record.steps : undefined;
  return record.responses[responseIndex]?.steps;
}

/**
 * The text of a step as the scorer sees it; a preference response without steps is scored as one step of its whole
 * text (see `requestsOf`), so its step 0 is that text. Undefined when the step does not exist.
 */
export function stepText(record: DatasetRecord, responseIndex: number, stepIndex: number): string | undefined {
  if (record.kind === 'preference') {
    const response = record.responses[responseIndex];
    if (response !== undefined && response.steps.length === 0) return stepIndex === 0 ? response.text : undefined;
  }
  return stepsOf(record, responseIndex)?.find((s) => s.index === stepIndex)?.text;
}

/**
 * The edits with one more: it replaces an earlier edit of the same step, and an edit back to the step's text in the
 * record (`edit.was`) removes that step's edit. Sorted by response, then step.
 */
export function upsertEdit(edits: readonly StepEdit[], edit: StepEdit): StepEdit[] {
  const others = edits.filter((e) => e.responseIndex !== edit.responseIndex || e.stepIndex !== edit.stepIndex);
  const out = edit.text === edit.was ? others : [...others, edit];
  return out.sort((a, b) => a.responseIndex - b.responseIndex || a.stepIndex - b.stepIndex);
}

/** Edits that no longer fit the record: the step is gone, or its text is not what it was when the edit was made. */
export function editProblems(record: DatasetRecord, edits: readonly StepEdit[]): string[] {
  return edits.flatMap((e) => {
    const now = stepText(record, e.responseIndex, e.stepIndex);
    const where = describeStep(record, e);
    if (now === undefined) return [`${where} is no longer in the record`];
    return now === e.was ? [] : [`${where} has changed in the data file since this edit`];
  });
}

/** `step 2`, or `response 2, step 1` in a preference record (1-based, as people count). */
function describeStep(record: Pick<DatasetRecord, 'kind'>, e: Pick<StepEdit, 'responseIndex' | 'stepIndex'>): string {
  return record.kind === 'trace' ? `step ${e.stepIndex + 1}` : `response ${e.responseIndex + 1}, step ${e.stepIndex + 1}`;
}

/** The steps an edit list changes, in words: `step 2`, `steps 1 and 3`, `response 2, step 1`; `no step` when empty. */
export function describeEdits(record: Pick<DatasetRecord, 'kind'>, edits: readonly Pick<StepEdit, 'responseIndex' | 'stepIndex'>[]): string {
  if (edits.length === 0) return 'no step';
  if (record.kind === 'trace') {
    const n = edits.map((e) => String(e.stepIndex + 1));
    return n.length === 1 ? `step ${n[0] ?? ''}` : `steps ${n.slice(0, -1).join(', ')} and ${n[n.length - 1] ?? ''}`;
  }
  return edits.map((e) => describeStep(record, e)).join('; ');
}

/** The steps with the edits of one response applied; an edited step loses its dataset label (it labelled other text). */
function editSteps(steps: readonly Step[], edits: readonly StepEdit[]): Step[] {
  return steps.map((step) => {
    const edit = edits.find((e) => e.stepIndex === step.index);
    if (edit === undefined) return step;
    const { range: _range, ...rest } = step;
    return { ...rest, text: edit.text, label: 'unknown' };
  });
}

/**
 * A response's whole text with its steps replaced: each original step text is found in order in the text and the
 * edited ones are swapped in, keeping what lies between steps. A step that cannot be found (a format that rewrites
 * step texts) falls back to the edited steps joined by blank lines.
 */
function rebuildText(text: string, before: readonly Step[], after: readonly Step[]): string {
  let out = '';
  let at = 0;
  for (const [i, step] of before.entries()) {
    const found = text.indexOf(step.text, at);
    if (found === -1) return after.map((s) => s.text).join('\n\n');
    out += text.slice(at, found) + (after[i]?.text ?? step.text);
    at = found + step.text.length;
  }
  return out + text.slice(at);
}

function editResponse(response: PreferenceResponse, edits: readonly StepEdit[]): PreferenceResponse {
  if (edits.length === 0) return response;
  if (response.steps.length === 0) {
    const whole = edits.find((e) => e.stepIndex === 0);
    return whole === undefined ? response : { ...response, text: whole.text };
  }
  const steps = editSteps(response.steps, edits);
  return { ...response, steps, text: rebuildText(response.text, response.steps, steps) };
}

/**
 * The record with the edits applied and the id `id`: step texts replaced (edits naming no step are left out), edited
 * steps unlabelled and without a place in the data file. A trace whose final answer was found in its steps (the
 * record's `answer` is what `finalAnswer` finds there) gets the answer its edited steps state, and when that differs
 * the dataset's `correct` verdict is dropped (it judged another answer). A preference response's whole text follows
 * its steps, so sequence scorers and pairwise judges see the edit too.
 */
export function applyEdits(record: DatasetRecord, edits: readonly StepEdit[], id: string): DatasetRecord {
  if (record.kind === 'preference') {
    return { ...record, id, responses: record.responses.map((r, k) => editResponse(r, edits.filter((e) => e.responseIndex === k))) };
  }
  const steps = editSteps(
    record.steps,
    edits.filter((e) => e.responseIndex === 0),
  );
  const { answer, correct, ...rest } = record;
  const sources = (list: readonly Step[]): { text: string; part: Step['part'] }[] => list.map((s) => ({ text: s.text, part: s.part }));
  const derived = answer === finalAnswer(sources(record.steps));
  const next = derived ? finalAnswer(sources(steps)) : answer;
  const keepCorrect = correct !== undefined && next === answer;
  return { ...rest, id, steps, ...(next !== undefined ? { answer: next } : {}), ...(keepCorrect ? { correct } : {}) };
}

/** The minus sign of deltas (U+2212), as in typeset numbers. */
const MINUS = '\u2212';

/** A score change rounded to two decimals with its sign: `+0.95`, `−0.61`, `0.00` (no sign when it rounds to zero). */
export function formatDelta(delta: number): string {
  const r = Math.round(delta * 100) / 100;
  if (r === 0) return '0.00';
  return `${r > 0 ? '+' : MINUS}${Math.abs(r).toFixed(2)}`;
}

const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * A step's badge with its score before the edit: `0.31 ✗ (was 0.92, Δ −0.61)`. Without a score before, `(was –)`;
 * without one now (not judged), `(was 0.92)`. A judge's critique snippet (after ` · `) stays last.
 */
export function deltaBadge(badge: string, now: number | undefined, was: number | null | undefined): string {
  const note = !finite(was) ? '(was –)' : finite(now) ? `(was ${was.toFixed(2)}, Δ ${formatDelta(now - was)})` : `(was ${was.toFixed(2)})`;
  const cut = badge.indexOf(' · ');
  return cut === -1 ? `${badge} ${note}` : `${badge.slice(0, cut)} ${note}${badge.slice(cut)}`;
}

/** The first edited step of a response, or Infinity when the edits leave it alone. */
function firstEdited(edits: readonly StepEdit[], responseIndex: number): number {
  return edits.reduce((min, e) => (e.responseIndex === responseIndex ? Math.min(min, e.stepIndex) : min), Number.POSITIVE_INFINITY);
}

/**
 * The badges of a what-if view: every step from its response's first edited step on, and any other step whose score
 * moved (a pairwise judge rescoring a sibling response), shows its score before the edit ({@link deltaBadge}).
 * `before` is the original record's current results (`requestsOf` order), undefined when it is not scored. Stale
 * specs (the view was edited again and is not rescored yet) are left as they are: a delta would compare old with old.
 */
export function withDeltas(specs: readonly DecorationSpec[], before: readonly ScoreResult[] | undefined, edits: readonly StepEdit[]): DecorationSpec[] {
  return specs.map((s) => {
    if (s.bucket === 'stale') return s;
    const was = before?.[s.responseIndex]?.steps[s.stepIndex]?.score;
    const moved = finite(was) && finite(s.score) && formatDelta(s.score - was) !== '0.00';
    if (s.stepIndex < firstEdited(edits, s.responseIndex) && !moved) return s;
    return { ...s, badge: deltaBadge(s.badge, s.score, was) };
  });
}

const fmt = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(3));

/** The step scores of a result, with a sidecar's null (an unscorable step) read as NaN. */
function stepScores(result: ScoreResult | undefined): number[] {
  return (result?.steps ?? []).map((s) => (finite(s.score) ? s.score : Number.NaN));
}

/**
 * A response's score before and after the edit under each aggregation, three decimals:
 * `min 0.050 → 0.900 · product 0.045 → 0.900 · mean 0.650 → 0.967 · last 0.900 → 0.900`. A sequence scorer's one
 * score reads `score 1.250 → 2.000`; a side not scored yet is `–`; neither scored: `not scored yet`.
 */
export function formatBeforeAfter(before: ScoreResult | undefined, after: ScoreResult | undefined): string {
  if (before === undefined && after === undefined) return 'not scored yet';
  if (before?.sequenceScore !== undefined || after?.sequenceScore !== undefined) return `score ${fmt(before?.sequenceScore)} → ${fmt(after?.sequenceScore)}`;
  const b = aggregateAll(stepScores(before));
  const a = aggregateAll(stepScores(after));
  return AGGREGATIONS.map((m) => `${m} ${fmt(b[m])} → ${fmt(a[m])}`).join(' · ');
}

/** A trace's (or response's) score under each aggregation, three decimals: `min 0.050 · product 0.045 · mean 0.650 · last 0.900`. */
export function formatAggregations(result: ScoreResult | undefined): string {
  if (result === undefined) return 'not scored yet';
  if (result.sequenceScore !== undefined) return `score ${fmt(result.sequenceScore)}`;
  const all = aggregateAll(stepScores(result));
  return AGGREGATIONS.map((m) => `${m} ${fmt(all[m])}`).join(' · ');
}

/** One response's (or a trace's) score under one aggregation; a sequence scorer's own score when it has one. */
export function scoreUnder(result: ScoreResult | undefined, method: Aggregation): number | undefined {
  if (result === undefined) return undefined;
  return result.sequenceScore ?? aggregateAll(stepScores(result))[method];
}

/** A header row of a what-if view: a key (`Variant`, `Trace`) and its value. */
export type WhatIfRow = readonly [string, string];

/** What a what-if view's header says: which variant, which steps it edits, problems, and the scores before → after. */
export interface WhatIfSummary {
  /** The original record. */
  readonly base: DatasetRecord;
  readonly edits: readonly StepEdit[];
  /** The kept variant's name; undefined for an unsaved edit. */
  readonly name: string | undefined;
  /** The original's and the edited record's current results (`requestsOf` order); undefined when not scored. */
  readonly before: readonly ScoreResult[] | undefined;
  readonly after: readonly ScoreResult[] | undefined;
}

/**
 * The header rows of a what-if view: `Variant` (its name, or that the edit is unsaved), `Edited` (the steps),
 * `Note` for each edit that no longer fits the record, then `Trace` (or `Response N` for each response of a
 * preference record) with the score under each aggregation before → after ({@link formatBeforeAfter}).
 */
export function whatIfRows(s: WhatIfSummary): WhatIfRow[] {
  const rows: WhatIfRow[] = [
    ['Variant', s.name === undefined ? 'unsaved edit (Keep as Variant… names it and keeps it in the sidecar)' : `${s.name} (kept in the sidecar)`],
    ['Edited', describeEdits(s.base, s.edits)],
    ...editProblems(s.base, s.edits).map((p): WhatIfRow => ['Note', p]),
  ];
  if (s.base.kind === 'trace') rows.push(['Trace', formatBeforeAfter(s.before?.[0], s.after?.[0])]);
  else s.base.responses.forEach((_, k) => rows.push([`Response ${k + 1}`, formatBeforeAfter(s.before?.[k], s.after?.[k])]));
  return rows;
}

/**
 * One line of "Compare Variants" for a trace (or a preference record's first response): the score under `method` and
 * its change from the original, e.g. `min 0.900 (+0.85 vs original)`; `not scored yet` without results.
 */
export function variantScoreLine(result: readonly ScoreResult[] | undefined, original: readonly ScoreResult[] | undefined, method: Aggregation): string {
  const now = scoreUnder(result?.[0], method);
  if (now === undefined) return 'not scored yet';
  const was = scoreUnder(original?.[0], method);
  return was === undefined || result === original ? `${method} ${fmt(now)}` : `${method} ${fmt(now)} (${formatDelta(now - was)} vs original)`;
}

/** The line break shown in the one-line input box: a step's line breaks become `↵` there and come back on Enter. */
export const INPUT_LINE_BREAK = '↵';

/** A step's text for a one-line input box: each line break (`\n` or `\r\n`) as {@link INPUT_LINE_BREAK}. */
export function toInputLine(text: string): string {
  return text.replace(/\r?\n/gu, INPUT_LINE_BREAK);
}

/** The text typed into the input box, with `↵` back as the line break the original step used (`\r\n` or `\n`). */
export function fromInputLine(line: string, original: string): string {
  return line.split(INPUT_LINE_BREAK).join(original.includes('\r\n') ? '\r\n' : '\n');
}

/** Why a variant name cannot be used, or undefined when it can. */
export function checkVariantName(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return 'Give the variant a name.';
  if (trimmed.length > MAX_VARIANT_NAME) return `At most ${MAX_VARIANT_NAME} characters.`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\u2028\u2029]/u.test(trimmed)) return 'A name is one line of text.';
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function readEdit(v: unknown): StepEdit | undefined {
  if (!isObject(v)) return undefined;
  const { responseIndex, stepIndex, was, text } = v;
  if (!isIndex(responseIndex) || !isIndex(stepIndex) || typeof was !== 'string' || typeof text !== 'string') return undefined;
  return { responseIndex, stepIndex, was, text };
}

function readRef(v: unknown): VariantRef | undefined {
  if (!isObject(v)) return undefined;
  if (isIndex(v['record'])) return { record: v['record'] };
  if (isIndex(v['row'])) return { row: v['row'] };
  return undefined;
}

function readVariant(v: unknown): StoredVariant | undefined {
  if (!isObject(v)) return undefined;
  const { name, recordId, edits, saved } = v;
  if (typeof name !== 'string' || checkVariantName(name) !== undefined || typeof recordId !== 'string' || !Array.isArray(edits)) return undefined;
  const read = edits.map(readEdit);
  if (read.length === 0 || read.some((e) => e === undefined)) return undefined;
  const ref = readRef(v['ref']);
  return { name, recordId, ...(ref !== undefined ? { ref } : {}), edits: read as StepEdit[], saved: typeof saved === 'string' ? saved : '' };
}

/**
 * A sidecar's `variants` list as read from JSON: entries that are not well-formed variants (no name, no edits, a
 * malformed edit) are dropped one by one, and of two with the same record and name the later wins. Anything but an
 * array is no variants: a hand-broken list must not make the sidecar's scores unreadable.
 */
export function readVariants(value: unknown): StoredVariant[] {
  if (!Array.isArray(value)) return [];
  let out: StoredVariant[] = [];
  for (const v of value) {
    const variant = readVariant(v);
    if (variant !== undefined) out = putVariant(out, variant);
  }
  return out;
}

/** The list with `variant` added, replacing one of the same record and name in place. */
export function putVariant(list: readonly StoredVariant[], variant: StoredVariant): StoredVariant[] {
  const at = list.findIndex((v) => v.recordId === variant.recordId && v.name === variant.name);
  return at === -1 ? [...list, variant] : list.map((v, i) => (i === at ? variant : v));
}

/** The variants kept for a record, in the order they were first kept. */
export function variantsOf(list: readonly StoredVariant[] | undefined, recordId: string): StoredVariant[] {
  return (list ?? []).filter((v) => v.recordId === recordId);
}
