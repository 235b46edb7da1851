/**
 * The perturbation probes: a fixed, documented set of edits to a trace, each a pure function of the trace and a
 * seeded random source, each saying which way a sound reward model's score must move.
 *
 * | probe | edit | `step` (0-based) | expected | decided by |
 * | --- | --- | --- | --- | --- |
 * | `corrupt-number` | in one step holding arithmetic `a op b = c` (numbers and `+ - − * / × ÷ ·`, `\times`, `\cdot`, `\div`, ` x `) that holds (re-evaluated exactly; a decimal result within half a unit of its last digit), the result `c` gets `k` added (1 ≤ k ≤ 9); in a GSM8K annotation `<<a*b=c>>c` the number after `>>` changes with it. Equations already wrong are never picked: the probe turns a correct step into a wrong one | the corrupted step | `down` | that step's score |
 * | `drop-step` | one step is removed, never the last (it states the answer; an unfinished trace is a different change) | the dropped step's index (the next step now has it) | `down` | the trace score |
 * | `swap-steps` | two adjacent steps with different texts trade places | the first of the pair | `down` | the trace score |
 * | `duplicate-step` | one step is repeated right after itself | the copy | `not-up` | the trace score |
 * | `empty-restatement` | the step {@link EMPTY_RESTATEMENT} is appended | the new last step | `not-up` | the trace score |
 * | `filler` | one of {@link FILLER_SENTENCES} is put at the start of a step (after a leading `Step N:` marker), which says nothing new | the padded step | `not-up` | that step's score |
 * | `replace-answer` | the final answer (where `locateFinalAnswer` finds it in the steps, and the record's `answer` field) has its first number shifted by `k`, or, for a single choice letter `A`–`J`, another letter | the step stating it (the last step when only the field holds it) | `down` | that step's score |
 *
 * `down` means the deciding score must fall; `not-up` that it must not rise (an error must lower the score;
 * length, repetition and confident emptiness must not raise it). A probe that does not apply returns undefined:
 * no step with arithmetic, fewer than two steps, no two adjacent steps that differ, no answer with a number or
 * choice letter, a trace with no steps. The record's `answer` field is kept as it is by every probe but
 * `replace-answer`. Random choices (which step, which equation, `k`, which filler) are drawn from `rng` in the
 * order listed in each function, so a given seed always gives the same edit.
 */
import type { StepPart } from '../dataset/types.js';
import { locateFinalAnswer } from '../text/finalAnswer.js';
import { evaluateArithmetic } from '../verifier/arithmetic.js';
import { Rational } from '../verifier/rational.js';

/** The probes, in the order they are run and reported. */
export const PROBE_NAMES = ['corrupt-number', 'drop-step', 'swap-steps', 'duplicate-step', 'empty-restatement', 'filler', 'replace-answer'] as const;

/** One probe's name. */
export type ProbeName = (typeof PROBE_NAMES)[number];

/** `down`: the deciding score must fall; `not-up`: it must not rise. */
export type ProbeExpectation = 'down' | 'not-up';

/** Which score decides a probe: the touched step's (step-local edits) or the trace's (structural edits). */
export type ProbeScope = 'step' | 'trace';

/** True for one of {@link PROBE_NAMES}. */
export function isProbeName(name: string): name is ProbeName {
  return (PROBE_NAMES as readonly string[]).includes(name);
}

/** The confident but empty step `empty-restatement` appends. */
export const EMPTY_RESTATEMENT = 'Therefore the answer is clearly correct.';

/** Sentences `filler` pads a step with: no numbers, no answer phrase, no claim. */
export const FILLER_SENTENCES: readonly string[] = [
  'Let us go through this carefully, one detail at a time, so that nothing is overlooked.',
  'To be thorough and precise, it is worth restating this part of the reasoning clearly.',
  'It is important to be careful and systematic here, so we proceed methodically.',
  'Taking a moment to think this through calmly and completely, we continue as follows.',
];

/** A step as the probes see it. */
export interface ProbeStep {
  readonly text: string;
  readonly part: StepPart;
}

/** What a probe reads from a trace (a `Trace` fits). */
export interface ProbeInput {
  readonly steps: readonly ProbeStep[];
  readonly answer?: string;
}

/** A perturbed trace and what was done to it. */
export interface Perturbation {
  readonly probe: ProbeName;
  /** The perturbed trace's steps, in order. */
  readonly steps: readonly ProbeStep[];
  /** The perturbed trace's answer field: the input's, changed only by `replace-answer`; absent when the input had none. */
  readonly answer?: string;
  /** The touched step's 0-based index (see the table in the module comment). */
  readonly step: number;
  /** What changed, for people: `step 2: "80" → "83"` (steps numbered from 1 here, as in critiques). */
  readonly change: string;
  readonly expected: ProbeExpectation;
  readonly scope: ProbeScope;
}

/** The expectation and deciding score of each probe (the module comment's table). */
export const PROBE_RULES: Readonly<Record<ProbeName, { readonly expected: ProbeExpectation; readonly scope: ProbeScope }>> = {
  'corrupt-number': { expected: 'down', scope: 'step' },
  'drop-step': { expected: 'down', scope: 'trace' },
  'swap-steps': { expected: 'down', scope: 'trace' },
  'duplicate-step': { expected: 'not-up', scope: 'trace' },
  'empty-restatement': { expected: 'not-up', scope: 'trace' },
  filler: { expected: 'not-up', scope: 'step' },
  'replace-answer': { expected: 'down', scope: 'step' },
};

/** A uniform integer in `[0, n)`. */
function pick(rng: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

/** The shift added to a number: 1 to 9. */
function shiftOf(rng: () => number): number {
  return 1 + pick(rng, 9);
}

function made(probe: ProbeName, input: ProbeInput, steps: readonly ProbeStep[], step: number, change: string, answer = input.answer): Perturbation {
  return { probe, steps, ...(answer !== undefined ? { answer } : {}), step, change, ...PROBE_RULES[probe] };
}

/** A quoted snippet for `change`, cut to 60 characters. */
function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return `"${flat.length > 60 ? `${flat.slice(0, 59)}…` : flat}"`;
}

const NUM = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`;
const OP = String.raw`[-+−*/×÷·]|\\times|\\cdot|\\div|(?<=\s)x(?=\s)`;
/** `a op b (op c …) = c`: operands may carry a `$`; the result is group 1. */
const EQUATION = new RegExp(String.raw`(?<![\d.,])\$?(?:${NUM})(?:\s*(?:${OP})\s*\$?(?:${NUM}))+\s*=\s*\$?(${NUM})(?![\d])`, 'dg');

/** `written` with `k` added to its integer part, decimals and thousands separators kept as written. */
export function shiftNumber(written: string, k: number): string {
  const [whole = '', frac] = written.split('.');
  const grouped = whole.includes(',');
  const value = (BigInt(whole.replace(/,/g, '') || '0') + BigInt(k)).toString();
  const out = grouped ? value.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : value;
  return frac === undefined ? out : `${out}.${frac}`;
}

/** Where an equation's result sits in a step: `[start, end)`, and a GSM8K `>>c` copy of it, if any. */
interface ResultSpan {
  readonly start: number;
  readonly end: number;
  readonly copy?: { readonly start: number; readonly end: number };
}

/** True when `left` evaluates to the written `result` (a decimal result: within half a unit of its last digit). */
function holds(left: string, result: string): boolean {
  const value = evaluateArithmetic(left);
  const written = evaluateArithmetic(result.replace(/,/g, ''));
  if (value === undefined || written === undefined) return false;
  const decimals = result.split('.')[1]?.length ?? 0;
  const tolerance = decimals === 0 ? Rational.of(0n) : Rational.of(5n, 10n ** BigInt(decimals + 1));
  return value.sub(written).abs().compare(tolerance) <= 0;
}

/** Every result of an equation that holds in `text`, in order. */
export function equationResults(text: string): ResultSpan[] {
  const out: ResultSpan[] = [];
  EQUATION.lastIndex = 0;
  for (let m = EQUATION.exec(text); m !== null; m = EQUATION.exec(text)) {
    const span = m.indices?.[1];
    const result = m[1];
    if (span === undefined || result === undefined) continue;
    const [start, end] = span;
    const left = m[0].slice(0, m[0].lastIndexOf('='));
    if (!holds(left.replace(/\$/g, ''), result)) continue;
    // `<<3*2.50=7.50>>7.50`: the visible number after the annotation is the same result written again.
    const after = /^>>\$?(\d[\d,]*(?:\.\d+)?)/.exec(text.slice(end));
    const copyText = after?.[1];
    const copyStart = after && copyText !== undefined ? end + after[0].length - copyText.length : undefined;
    out.push({ start, end, ...(copyStart !== undefined && copyText === result ? { copy: { start: copyStart, end: copyStart + copyText.length } } : {}) });
  }
  return out;
}

/**
 * `corrupt-number`: rng draws the step (among those with an equation that holds), the equation in it, then `k`.
 * Undefined when no step has one.
 */
export function corruptNumber(input: ProbeInput, rng: () => number): Perturbation | undefined {
  const candidates = input.steps.map((s, i) => ({ i, results: equationResults(s.text) })).filter((c) => c.results.length > 0);
  if (candidates.length === 0) return undefined;
  const chosen = candidates[pick(rng, candidates.length)];
  const result = chosen?.results[pick(rng, chosen.results.length)];
  const step = chosen === undefined ? undefined : input.steps[chosen.i];
  if (chosen === undefined || result === undefined || step === undefined) return undefined;
  const k = shiftOf(rng);
  const old = step.text.slice(result.start, result.end);
  const next = shiftNumber(old, k);
  let text = step.text;
  // Replace the later span first so the earlier offsets stay valid.
  if (result.copy) text = text.slice(0, result.copy.start) + next + text.slice(result.copy.end);
  text = text.slice(0, result.start) + next + text.slice(result.end);
  const steps = input.steps.map((s, i) => (i === chosen.i ? { ...s, text } : s));
  return made('corrupt-number', input, steps, chosen.i, `step ${chosen.i + 1}: "${old}" → "${next}"`);
}

/** `drop-step`: rng draws the step among all but the last. Undefined for fewer than two steps. */
export function dropStep(input: ProbeInput, rng: () => number): Perturbation | undefined {
  const n = input.steps.length;
  if (n < 2) return undefined;
  const i = pick(rng, n - 1);
  const steps = input.steps.filter((_, k) => k !== i);
  return made('drop-step', input, steps, i, `dropped step ${i + 1} ${quote(input.steps[i]?.text ?? '')}`);
}

/** `swap-steps`: rng draws the first step of a pair among adjacent pairs with different texts. */
export function swapSteps(input: ProbeInput, rng: () => number): Perturbation | undefined {
  const pairs: number[] = [];
  for (let i = 0; i + 1 < input.steps.length; i++) if (input.steps[i]?.text !== input.steps[i + 1]?.text) pairs.push(i);
  if (pairs.length === 0) return undefined;
  const i = pairs[pick(rng, pairs.length)] ?? 0;
  const steps = [...input.steps];
  const a = steps[i];
  const b = steps[i + 1];
  if (a === undefined || b === undefined) return undefined;
  steps[i] = b;
  steps[i + 1] = a;
  return made('swap-steps', input, steps, i, `swapped steps ${i + 1} and ${i + 2}`);
}

/** `duplicate-step`: rng draws the step to repeat. Undefined for a trace with no steps. */
export function duplicateStep(input: ProbeInput, rng: () => number): Perturbation | undefined {
  const n = input.steps.length;
  if (n === 0) return undefined;
  const i = pick(rng, n);
  const step = input.steps[i];
  if (step === undefined) return undefined;
  const steps = [...input.steps.slice(0, i + 1), step, ...input.steps.slice(i + 1)];
  return made('duplicate-step', input, steps, i + 1, `repeated step ${i + 1} as step ${i + 2}`);
}

/** `empty-restatement`: no random choice. The new step belongs to the last step's part. Undefined with no steps. */
export function emptyRestatement(input: ProbeInput, _rng: () => number): Perturbation | undefined {
  const last = input.steps[input.steps.length - 1];
  if (last === undefined) return undefined;
  const steps = [...input.steps, { text: EMPTY_RESTATEMENT, part: last.part }];
  return made('empty-restatement', input, steps, input.steps.length, `appended "${EMPTY_RESTATEMENT}"`);
}

const STEP_MARKER = /^\s*(?:#{1,6}\s*)?\**\s*step\s*\d+\s*\**\s*[:.)-]?\s*/i;

/** `filler`: rng draws the step, then the sentence. Undefined with no steps. */
export function filler(input: ProbeInput, rng: () => number): Perturbation | undefined {
  const n = input.steps.length;
  if (n === 0) return undefined;
  const i = pick(rng, n);
  const sentence = FILLER_SENTENCES[pick(rng, FILLER_SENTENCES.length)] ?? '';
  const step = input.steps[i];
  if (step === undefined) return undefined;
  const marker = STEP_MARKER.exec(step.text)?.[0] ?? '';
  const text = `${marker}${sentence} ${step.text.slice(marker.length)}`;
  const steps = input.steps.map((s, k) => (k === i ? { ...s, text } : s));
  return made('filler', input, steps, i, `step ${i + 1}: prepended "${sentence}"`);
}

/** `text` with its first number shifted by `k`, or a lone choice letter (`B`, `(B)`) moved on; undefined otherwise. */
function wrongAnswer(text: string, k: number): string | undefined {
  const number = /\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/.exec(text);
  if (number) return text.slice(0, number.index) + shiftNumber(number[0], k) + text.slice(number.index + number[0].length);
  const letter = /^(\(?)([A-J])(\)?)$/.exec(text.trim());
  // k is 1 to 9, so the letter always changes (A–J wraps around).
  if (letter) return `${letter[1] ?? ''}${String.fromCharCode(65 + (((letter[2] ?? 'A').charCodeAt(0) - 65 + k) % 10))}${letter[3] ?? ''}`;
  return undefined;
}

/**
 * `replace-answer`: rng draws `k`. The answer stated in the steps (as `locateFinalAnswer` finds it, the extraction
 * the parsers and the built-in verifier use) and the `answer` field are each made wrong the same way. Undefined
 * when neither holds a number or a lone choice letter.
 */
export function replaceAnswer(input: ProbeInput, rng: () => number): Perturbation | undefined {
  if (input.steps.length === 0) return undefined;
  const k = shiftOf(rng);
  const located = locateFinalAnswer(input.steps);
  const stated = located ? wrongAnswer(located.text, k) : undefined;
  const field = input.answer !== undefined ? wrongAnswer(input.answer, k) : undefined;
  if (stated === undefined && field === undefined) return undefined;
  let steps = input.steps;
  // The step the answer is stated in; a field stated nowhere belongs to the last step (as the verifier places it).
  const step = located?.sourceIndex ?? input.steps.length - 1;
  const changes: string[] = [];
  if (located && stated !== undefined) {
    steps = input.steps.map((s, i) => (i === located.sourceIndex ? { ...s, text: s.text.slice(0, located.span.start) + stated + s.text.slice(located.span.end) } : s));
    changes.push(`step ${step + 1}: "${located.text}" → "${stated}"`);
  }
  if (field !== undefined) changes.push(`answer "${input.answer ?? ''}" → "${field}"`);
  return made('replace-answer', input, steps, step, changes.join('; '), field ?? input.answer);
}

/** Each probe's function. */
export const PERTURBATIONS: Readonly<Record<ProbeName, (input: ProbeInput, rng: () => number) => Perturbation | undefined>> = {
  'corrupt-number': corruptNumber,
  'drop-step': dropStep,
  'swap-steps': swapSteps,
  'duplicate-step': duplicateStep,
  'empty-restatement': emptyRestatement,
  filler,
  'replace-answer': replaceAnswer,
};
